package io.dbosee.internal.engine;

import io.dbosee.internal.engine.db.ExecutorLeases;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Self-hosted failover: this server renews its lease every third of the lease time, and on the same
 * round takes over the PENDING workflows of any server of its application version whose lease has
 * expired, then recovers them as its own. A server that is alive renews its lease, so its workflows
 * are never taken while it runs; one whose workflow was taken anyway (it could not renew in time)
 * stops that workflow at the first of its checkpoints that reads its row (within 50 ms).
 *
 * <p>Rounds are executor tasks started from the notification hub's timer: no thread of its own.
 */
final class Failover implements NotificationHub.Timer {
  private static final System.Logger LOG = System.getLogger(Failover.class.getName());

  private final ExecutorLeases leases;
  private final Executor executor;
  private final TimeSource time;
  private final String executorId;
  private final String applicationVersion;
  private final long leaseMs;
  private final long renewEveryMs;
  private final Runnable recover;
  private final AtomicBoolean roundRunning = new AtomicBoolean();
  private volatile long nextRound = Long.MAX_VALUE;

  /**
   * @param recover recovers this server's PENDING workflows (those just taken over among them)
   */
  /** For an engine whose configuration sets a failover lease. */
  Failover(EngineServices services, ExecutorLeases leases, Runnable recover) {
    this.leases = leases;
    this.executor = services.executor;
    this.time = services.time;
    this.executorId = services.config.executorId();
    this.applicationVersion = services.config.applicationVersion();
    this.leaseMs = services.config.failoverLease().toMillis();
    this.renewEveryMs = Math.max(1, leaseMs / 3);
    this.recover = recover;
  }

  /**
   * Makes sure the table of leases exists; at launch, before anything starts.
   *
   * @param mayCreate whether a missing table is created, or refused
   */
  void prepare(boolean mayCreate) {
    leases.createTable(mayCreate);
  }

  /** Takes this server's lease; call before recovering its own workflows. */
  void start() {
    leases.renew(executorId, applicationVersion, leaseMs, true);
    nextRound = time.currentTimeMillis() + renewEveryMs;
  }

  void stop() {
    nextRound = Long.MAX_VALUE;
  }

  @Override
  public long millisUntilDue() {
    long next = nextRound;
    return next == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, next - time.currentTimeMillis());
  }

  @Override
  public void timer() {
    long current = time.currentTimeMillis();
    if (current < nextRound || !roundRunning.compareAndSet(false, true)) {
      return;
    }
    nextRound = current + renewEveryMs;
    try {
      executor.execute(this::round);
    } catch (RejectedExecutionException e) {
      roundRunning.set(false);
    }
  }

  /** One renewal and take-over round. */
  void round() {
    try {
      if (!leases.renew(executorId, applicationVersion, leaseMs, false)) {
        LOG.log(
            Level.WARNING,
            "The lease of server ''{0}'' had expired and was taken over: its PENDING workflows now"
                + " run elsewhere. Check that this server reaches the database and that its"
                + " dbos.failover.lease-seconds is long enough.",
            executorId);
      }
      for (String dead : leases.expired(executorId, applicationVersion)) {
        List<String> taken =
            leases.takeOver(dead, executorId, applicationVersion, time.currentTimeMillis());
        LOG.log(
            Level.WARNING,
            "Server ''{0}'' stopped renewing its lease; server ''{1}'' took over its {2} PENDING"
                + " workflow(s): {3}",
            dead,
            executorId,
            taken.size(),
            taken);
        if (!taken.isEmpty()) {
          recover.run();
        }
      }
    } catch (RuntimeException e) {
      LOG.log(
          Level.WARNING,
          "Server ''{0}'' could not renew its lease or look for dead servers ({1}); it tries again"
              + " in {2} ms",
          executorId,
          e.toString(),
          renewEveryMs);
    } finally {
      roundRunning.set(false);
    }
  }
}
