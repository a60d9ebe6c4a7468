package io.dbosee.sample.it.inserver;

import jakarta.enterprise.context.RequestScoped;
import java.util.UUID;

/** Request-scoped state: a new mark in every request context. */
@RequestScoped
public class RequestState {
  private final String mark = UUID.randomUUID().toString();

  public String mark() {
    return mark;
  }
}
