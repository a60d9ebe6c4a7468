package io.dbosee.cdi;

import io.dbosee.DBOS;
import io.dbosee.Step;
import io.dbosee.Workflow;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** The programming model of the design: steps through a self-reference, sleep, inline steps. */
@ApplicationScoped
public class Greetings {
  static final ConcurrentHashMap<String, AtomicInteger> CALLS = new ConcurrentHashMap<>();

  @Inject DBOS dbos;
  @Inject Greetings self;
  @Inject Guestbook guestbook;
  @Inject RequestData requestData;

  static int calls(String what) {
    return CALLS.computeIfAbsent(what, k -> new AtomicInteger()).get();
  }

  static int count(String what) {
    return CALLS.computeIfAbsent(what, k -> new AtomicInteger()).incrementAndGet();
  }

  @Step
  public String signGuestbook(String name) {
    count("signGuestbook");
    return guestbook.sign(name);
  }

  @Step(name = "record-greeting")
  public int recordGreeting(String name) {
    return count("recordGreeting");
  }

  @Workflow
  public String greet(String name) {
    count("greet");
    String receipt = self.signGuestbook(name);
    dbos.sleep(Duration.ofMillis(10));
    int n = self.recordGreeting(name);
    String stamp = dbos.runStep("stamp", String.class, () -> "stamp-" + count("stamp"));
    return "Thank you for being awesome, " + name + "! (" + receipt + ", " + n + ", " + stamp + ")";
  }

  @Workflow
  public String whoAmI() {
    requestData.remember(dbos.workflowId().orElseThrow());
    return requestData.value();
  }

  /** What the request context held before this workflow wrote to it: nothing, in a fresh one. */
  @Workflow
  public String rememberAndReportPrevious(String value) {
    String before = requestData.value();
    requestData.remember(value);
    return String.valueOf(before);
  }

  /** The thread the body runs on. */
  @Workflow
  public String threadName() {
    return Thread.currentThread().getName();
  }

  @Workflow(name = "parent")
  public String parent(String name) {
    return "parent of " + self.child(name);
  }

  @Workflow
  public String child(String name) {
    count("child");
    return "child " + name + " in " + dbos.workflowId().orElseThrow();
  }

  @Workflow
  public void failing(String message) throws java.io.IOException {
    count("failing");
    self.failingStep(message);
  }

  @Step
  public void failingStep(String message) throws java.io.IOException {
    throw new java.io.IOException(message);
  }
}
