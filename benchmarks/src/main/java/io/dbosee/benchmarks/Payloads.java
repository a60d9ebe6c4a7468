package io.dbosee.benchmarks;

/** The no-op steps' outputs: a string of the requested length, cached per size. */
final class Payloads {
  private static final String[] CACHE = new String[65];

  private Payloads() {}

  static synchronized String of(int bytes) {
    int kb = bytes / 1024;
    if (bytes % 1024 == 0 && kb < CACHE.length) {
      if (CACHE[kb] == null) {
        CACHE[kb] = "x".repeat(bytes);
      }
      return CACHE[kb];
    }
    return "x".repeat(bytes);
  }
}
