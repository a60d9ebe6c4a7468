package io.dbosee.sample;

import io.dbosee.Scheduled;
import io.dbosee.Workflow;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.logging.Logger;

/**
 * The DBOS tutorial's scheduled workflow: runs every second, once per second across every server
 * that shares the system database. Switched on and off by configuration ({@code
 * dbos.schedule."io.dbosee.sample.ScheduledWorkflows/runEverySecond".enabled} in
 * META-INF/microprofile-config.properties; the Arquillian tests' configuration switches it off).
 */
@ApplicationScoped
public class ScheduledWorkflows {
  private static final Logger LOG = Logger.getLogger(ScheduledWorkflows.class.getName());

  @Scheduled(cron = "* * * * * *", name = "run-every-second")
  @Workflow
  public void runEverySecond(Instant scheduledTime, Instant actualTime) {
    LOG.info("I am a scheduled workflow. It is currently " + scheduledTime + ".");
  }
}
