package io.dbosee.internal.engine.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * What a schema is made of, read from pg_catalog, to compare before and after something that must
 * not change it (another SDK's migration runner, say), or with another database's schema; and a log
 * of every DDL command a database runs. For tests outside this package.
 */
public final class SchemaSnapshot {
  private SchemaSnapshot() {}

  /**
   * Every relation, column, index, constraint, trigger and function of {@code schema}, with its
   * definition and privileges, sorted. With {@code withOids}, each object's oid too, so an object
   * dropped and created again the same way shows as changed.
   */
  public static List<String> take(DataSource ds, String schema, boolean withOids)
      throws SQLException {
    String oid = withOids ? " || ' #' || %s::text" : "";
    List<String> rows = new ArrayList<>();
    rows.addAll(
        rows(
            ds,
            schema,
            "SELECT 'relation ' || c.relkind::text || ' ' || c.relname || ' acl '"
                + " || coalesce(c.relacl::text, '-')"
                + oid.formatted("c.oid")
                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = ?"));
    rows.addAll(
        rows(
            ds,
            schema,
            "SELECT 'column ' || c.relname || '.' || a.attname || ' '"
                + " || format_type(a.atttypid, a.atttypmod)"
                + " || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END"
                + " || coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '')"
                + " || ' at ' || a.attnum"
                + " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
                + " WHERE n.nspname = ? AND c.relkind = 'r' AND a.attnum > 0"
                + " AND NOT a.attisdropped"));
    rows.addAll(
        rows(
            ds,
            schema,
            "SELECT 'index ' || pg_get_indexdef(i.indexrelid)"
                + " || CASE WHEN i.indisvalid THEN '' ELSE ' INVALID' END"
                + oid.formatted("i.indexrelid")
                + " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ?"));
    rows.addAll(
        rows(
            ds,
            schema,
            "SELECT 'constraint ' || c.relname || ' ' || k.conname || ' '"
                + " || pg_get_constraintdef(k.oid)"
                + oid.formatted("k.oid")
                + " FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ?"));
    rows.addAll(
        rows(
            ds,
            schema,
            "SELECT 'trigger ' || pg_get_triggerdef(t.oid)"
                + oid.formatted("t.oid")
                + " FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = ? AND NOT t.tgisinternal"));
    rows.addAll(
        rows(
            ds,
            schema,
            "SELECT 'function ' || pg_get_functiondef(p.oid) || ' acl '"
                + " || coalesce(p.proacl::text, '-')"
                + oid.formatted("p.oid")
                + " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                + " WHERE n.nspname = ?"));
    rows.sort(null);
    return rows;
  }

  /** Migrates {@code schema} to migration {@code target} exactly, as this library would. */
  public static int migrateTo(DataSource ds, String schema, int target) {
    return SystemSchema.migrate(ds, schema, target);
  }

  private static List<String> rows(DataSource ds, String schema, String sql) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection c = ds.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, schema);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          rows.add(rs.getString(1));
        }
      }
    }
    return rows;
  }

  /**
   * Logs every DDL command the database runs from now on, whoever runs it, in {@code
   * public.ddl_log} (an event trigger: needs a superuser, as the test database's user is).
   */
  public static void logDdl(DataSource ds) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE public.ddl_log (id bigserial, tag text, query text)");
      s.execute(
          "CREATE FUNCTION public.ddl_log_function() RETURNS event_trigger LANGUAGE plpgsql AS $$"
              + " BEGIN INSERT INTO public.ddl_log (tag, query) VALUES (tg_tag, current_query());"
              + " END $$");
      s.execute(
          "CREATE EVENT TRIGGER ddl_log ON ddl_command_start"
              + " EXECUTE FUNCTION public.ddl_log_function()");
    }
  }

  /** The DDL commands logged since {@link #logDdl}, as "tag: query", in order. */
  public static List<String> loggedDdl(DataSource ds) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT tag || ': ' || query FROM public.ddl_log ORDER BY id")) {
      while (rs.next()) {
        rows.add(rs.getString(1));
      }
    }
    return rows;
  }
}
