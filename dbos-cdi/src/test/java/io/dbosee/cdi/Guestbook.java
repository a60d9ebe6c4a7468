package io.dbosee.cdi;

import io.dbosee.Step;
import jakarta.enterprise.context.Dependent;

/** A step on another bean; also called outside any workflow in the tests. */
@Dependent
public class Guestbook {
  @Step(maxAttempts = 3, intervalSeconds = 0.01)
  public String sign(String name) {
    Greetings.count("guestbook.sign");
    return "signed:" + name;
  }
}
