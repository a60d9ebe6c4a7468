package io.dbosee.cdi;

import jakarta.enterprise.context.RequestScoped;

/** Request-scoped state that a workflow body uses. */
@RequestScoped
public class RequestData {
  private String value;

  public void remember(String value) {
    this.value = value;
  }

  public String value() {
    return value;
  }
}
