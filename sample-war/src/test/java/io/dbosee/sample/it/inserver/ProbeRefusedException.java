package io.dbosee.sample.it.inserver;

/** A checked exception a transaction step throws after writing, to show its writes roll back. */
public class ProbeRefusedException extends Exception {
  private static final long serialVersionUID = 1L;

  public ProbeRefusedException(String message) {
    super(message);
  }
}
