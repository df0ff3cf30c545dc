import dev.weft.bag.Bag;
import dev.weft.bag.ItemFunctions;
import dev.weft.local.Schedulers;
import dev.weft.scheduler.Weft;
import java.util.Map;

/**
 * The seed's data-ingestion job, on the process scheduler:
 * {@code db.read_text('*.json').map(json.loads).pluck('name').frequencies().compute()}.
 *
 * <p>Run from the repository's root after {@code mvn -q -DskipTests package}:
 * {@code java -cp "benchmarks/target/lib/*" examples/Names.java 'examples/people/*.json'}
 */
public class Names {
  public static void main(String[] args) {
    Map<String, Long> names = Bag.readText(args[0])
        .map(ItemFunctions.PARSE_JSON)
        .pluck("name")
        .frequencies()
        .computeMap(Schedulers.processes(2));
    System.out.println(names);
    Weft.shutdown();
  }
}
