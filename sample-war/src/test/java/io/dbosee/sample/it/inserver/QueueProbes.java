package io.dbosee.sample.it.inserver;

import io.dbosee.Step;
import jakarta.enterprise.context.ApplicationScoped;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/** A step that only works on a thread of the server's: it looks up a java:comp name. */
@ApplicationScoped
public class QueueProbes {

  @Step
  public String lookUp(String name) throws NamingException {
    Object found = new InitialContext().lookup(name);
    return found.getClass().getSimpleName() + " on " + Thread.currentThread().getName();
  }
}
