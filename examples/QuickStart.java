import dev.weft.broker.client.TaskFuture;
import dev.weft.broker.client.WeftClient;
import dev.weft.cluster.WeftCluster;
import java.time.Duration;
import java.util.List;

/**
 * The Java quick start: a local cluster in one line (an embedded Kafka broker, a schema registry, a scheduler and two
 * worker processes, all on 127.0.0.1), three tasks through it, and everything stopped again.
 *
 * <p>Run from the repository's root after {@code mvn -q -DskipTests package}:
 * {@code java -cp "cli/target/lib/*:cli/target/weft-cli.jar" examples/QuickStart.java}
 */
public class QuickStart {
  public static void main(String[] args) throws Exception {
    try (WeftCluster cluster = WeftCluster.local()) {
      WeftClient client = cluster.client();
      TaskFuture<Object> x = client.submit("inc", 1L);
      TaskFuture<Object> y = client.submit("add", x, 10L);  // y's task reads x's result from Kafka
      TaskFuture<Object> total = client.submit("sum", List.of(x, y, 100L));
      System.out.println(client.gather(List.of(x, y, total), Duration.ofMinutes(1)));  // [2, 12, 114]
    }
  }
}
