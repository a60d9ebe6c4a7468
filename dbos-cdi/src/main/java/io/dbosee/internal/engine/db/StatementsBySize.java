package io.dbosee.internal.engine.db;

import java.util.function.IntFunction;

/**
 * One statement for each number of rows a group commit writes ({@link GroupCommit}: 1 to {@link
 * GroupCommit#MAX_BATCH}), each built once: a statement string built anew for every batch costs its
 * building and the driver's hashing of it for its statement cache, per write.
 */
final class StatementsBySize {
  private final String[] built = new String[GroupCommit.MAX_BATCH + 1];
  private final IntFunction<String> build;

  /** {@code build} makes the statement for a number of rows. */
  StatementsBySize(IntFunction<String> build) {
    this.build = build;
  }

  String forRows(int rows) {
    // A race builds the same string twice at worst (a String is safely published through a race).
    String sql = built[rows];
    if (sql == null) {
      sql = build.apply(rows);
      built[rows] = sql;
    }
    return sql;
  }

  /**
   * The rows of a {@code VALUES} list: {@code first} (whose casts give the columns their types),
   * then {@code next} for each further row.
   */
  static String values(String first, String next, int rows) {
    StringBuilder b = new StringBuilder(first.length() + (next.length() + 2) * rows);
    b.append(first);
    for (int i = 1; i < rows; i++) {
      b.append(", ").append(next);
    }
    return b.toString();
  }
}
