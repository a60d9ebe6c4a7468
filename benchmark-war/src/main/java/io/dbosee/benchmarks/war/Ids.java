package io.dbosee.benchmarks.war;

import jakarta.ws.rs.BadRequestException;

/** The contract's {@code id} query parameter: every request names its workflow. */
final class Ids {
  private Ids() {}

  static String require(String id) {
    if (id == null || id.isBlank()) {
      throw new BadRequestException("the query parameter id (the workflow id) is required");
    }
    return id;
  }
}
