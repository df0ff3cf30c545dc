package dev.weft.dashboard.internal;

import dev.weft.broker.protocol.SchedulerExtension;
import dev.weft.dashboard.ClusterView;
import dev.weft.dashboard.DashboardConfig;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the dashboard on the HTTP endpoint of every scheduler service whose classpath holds this module (found by
 * {@link java.util.ServiceLoader}), with a {@link ClusterView} of its own, started when a page first asks for it:
 * every scheduler's dashboard shows the whole cluster, whichever one a browser asks.
 */
public final class DashboardExtension implements SchedulerExtension {
  private static final Logger LOG = LoggerFactory.getLogger(DashboardExtension.class);

  /** For {@link java.util.ServiceLoader}. */
  public DashboardExtension() {}

  @Override
  public String name() {
    return "dashboard";
  }

  /** Without the scheduler's endpoint there is nowhere to serve: nothing starts. */
  @Override
  public AutoCloseable start(Map<String, ?> config) {
    return () -> { };
  }

  @Override
  public AutoCloseable start(Map<String, ?> config, Context context) {
    DashboardConfig settings = new DashboardConfig(config);
    if (!settings.getBoolean(DashboardConfig.ENABLED) || context.http() == null) {
      return () -> { };
    }
    DashboardPages pages = new DashboardPages(() -> ClusterView.start(config),
        settings.getLong(DashboardConfig.PUSH_INTERVAL_MS), settings.getInt(DashboardConfig.MAX_PAGES));
    try {
      pages.register(context.http());
    } catch (RuntimeException e) {
      pages.close();
      throw e;
    }
    LOG.info("dashboard at {}", context.http().address());
    return pages;
  }
}
