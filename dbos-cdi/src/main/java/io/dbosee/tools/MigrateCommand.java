package io.dbosee.tools;

import io.dbosee.internal.engine.db.MigrationScript;
import io.dbosee.internal.engine.db.SystemSchema;
import io.dbosee.internal.errors.ErrorCode;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Migrates the system database schema without starting a server, for a DBA where the application's
 * database user may not run DDL ({@code dbos.system-database.migrate=false}): the same migrations,
 * under the same advisory lock, as a server's startup, plus this library's own tables.
 *
 * <pre>{@code
 * PGPASSWORD=... java -cp dbos-cdi-<version>.jar:postgresql-<version>.jar \
 *     io.dbosee.tools.MigrateCommand --url jdbc:postgresql://db:5432/app --user owner --schema dbos
 * java -cp dbos-cdi-<version>.jar io.dbosee.tools.MigrateCommand --print-sql --schema dbos
 * }</pre>
 *
 * <p>Pitfalls:
 *
 * <ul>
 *   <li>The password comes from an environment variable ({@code PGPASSWORD}, or the one {@code
 *       --password-env} names), never from the command line or the URL, where {@code ps} and the
 *       shell history would show it; without one the driver's own means apply (a {@code .pgpass}
 *       file).
 *   <li>Exit status: 0 migrated (or nothing to do), 1 the migration failed (nothing changed), 2 the
 *       arguments are wrong. Every failure is one line on standard error, starting with its code.
 * </ul>
 */
public final class MigrateCommand {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;

  static final String DEFAULT_PASSWORD_ENV = "PGPASSWORD";

  private static final List<String> OPTIONS =
      List.of("--url", "--user", "--schema", "--password-env");

  private MigrateCommand() {}

  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), System.out, System.err));
  }

  /**
   * Runs the command as {@link #main} does, with the environment and the output given.
   *
   * @return the exit status
   */
  static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err) {
    Arguments arguments;
    try {
      arguments = Arguments.parse(args);
    } catch (IllegalArgumentException e) {
      err.println(ErrorCode.MIGRATE_COMMAND_FAILED.message(e.getMessage() + " " + usage()));
      return USAGE;
    }
    if (arguments.help) {
      out.println(usage());
      return OK;
    }
    if (arguments.printSql) {
      out.print(MigrationScript.forSchema(arguments.schema));
      return OK;
    }
    Properties credentials = new Properties();
    credentials.setProperty("user", arguments.user);
    String password = environment.get(arguments.passwordEnv);
    if (password != null) {
      credentials.setProperty("password", password);
    } else if (arguments.passwordEnvGiven) {
      err.println(
          ErrorCode.MIGRATE_COMMAND_FAILED.message(
              "The environment variable "
                  + arguments.passwordEnv
                  + " (--password-env) is not set: set it to the password of "
                  + arguments.user
                  + "."));
      return USAGE;
    }
    return migrate(arguments, credentials, out, err);
  }

  private static int migrate(
      Arguments arguments, Properties credentials, PrintStream out, PrintStream err) {
    String where =
        "schema \""
            + arguments.schema
            + "\" at "
            + withoutQuery(arguments.url)
            + " as "
            + arguments.user
            + ": ";
    try {
      DriverManager.getDriver(arguments.url);
    } catch (SQLException e) {
      err.println(
          ErrorCode.MIGRATE_COMMAND_FAILED.message(
              "Could not migrate "
                  + where
                  + "no JDBC driver accepts the URL. Put the PostgreSQL driver jar"
                  + " (postgresql-<version>.jar) on the class path beside the dbos-cdi jar, and"
                  + " check that the URL starts with jdbc:postgresql://"));
      return FAILED;
    }
    try (Connection connection = DriverManager.getConnection(arguments.url, credentials)) {
      SystemSchema.Outcome outcome = SystemSchema.migrateForOperator(connection, arguments.schema);
      out.println(describe(arguments.schema, outcome));
      return OK;
    } catch (SQLException e) {
      err.println(
          ErrorCode.MIGRATE_COMMAND_FAILED.message(
              "Could not migrate "
                  + where
                  + e.getMessage()
                  + " (SQLSTATE "
                  + e.getSQLState()
                  + "). Check the URL, the user and its password (environment variable "
                  + arguments.passwordEnv
                  + "), and that PostgreSQL is reachable. Nothing was changed."));
      return FAILED;
    } catch (RuntimeException e) {
      // A coded message (a number of another SDK's history) says what to do already.
      err.println(
          ErrorCode.prefixOf(e.getMessage()).isPresent()
              ? e.getMessage()
              : ErrorCode.MIGRATE_COMMAND_FAILED.message(
                  "Could not migrate " + where + e.getMessage()));
      return FAILED;
    }
  }

  /** The line that tells the DBA what was found and where the schema is now. */
  static String describe(String schema, SystemSchema.Outcome outcome) {
    int latest = SystemSchema.LATEST_VERSION;
    String found = "System database schema \"" + schema + "\": found migration " + outcome.found();
    String own = "; this library's own tables are in place.";
    if (outcome.found() > latest) {
      return found
          + ", newer than "
          + latest
          + " (the newest this library knows): a newer DBOS SDK manages it, left as it is"
          + own;
    }
    if (outcome.reached() == outcome.found()) {
      return found + ", reached " + outcome.reached() + ": nothing to migrate" + own;
    }
    return found + ", reached " + outcome.reached() + own;
  }

  /** The URL without its query string, which may carry settings the output need not repeat. */
  private static String withoutQuery(String url) {
    int query = url.indexOf('?');
    return query < 0 ? url : url.substring(0, query);
  }

  static String usage() {
    return "Usage: java -cp dbos-cdi-<version>.jar:postgresql-<version>.jar "
        + MigrateCommand.class.getName()
        + " --url jdbc:postgresql://<host>:<port>/<database> --user <user> [--schema "
        + SystemSchema.DEFAULT_SCHEMA
        + "] [--password-env "
        + DEFAULT_PASSWORD_ENV
        + "], with the password in that environment variable; or "
        + MigrateCommand.class.getName()
        + " --print-sql [--schema "
        + SystemSchema.DEFAULT_SCHEMA
        + "] to print the migration SQL.";
  }

  /** The parsed command line. */
  private static final class Arguments {
    String url;
    String user;
    String schema = SystemSchema.DEFAULT_SCHEMA;
    String passwordEnv = DEFAULT_PASSWORD_ENV;
    boolean passwordEnvGiven;
    boolean printSql;
    boolean help;

    static Arguments parse(String[] args) {
      Map<String, String> values = new HashMap<>();
      Arguments parsed = new Arguments();
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        int eq = arg.indexOf('=');
        String name = arg.startsWith("--") && eq > 0 ? arg.substring(0, eq) : arg;
        if (name.equals("--password")) {
          throw new IllegalArgumentException(
              "A password is never taken from the command line, where ps and the shell history"
                  + " show it: put it in an environment variable ("
                  + DEFAULT_PASSWORD_ENV
                  + ", or the one --password-env names).");
        }
        if (name.equals("--print-sql") && eq < 0) {
          parsed.printSql = true;
        } else if ((name.equals("--help") || name.equals("-h")) && eq < 0) {
          parsed.help = true;
        } else if (OPTIONS.contains(name)) {
          String value;
          if (eq > 0) {
            value = arg.substring(eq + 1);
          } else if (i + 1 < args.length) {
            value = args[++i];
          } else {
            throw new IllegalArgumentException(name + " needs a value.");
          }
          if (values.put(name, value) != null) {
            throw new IllegalArgumentException(name + " is given twice.");
          }
        } else {
          throw new IllegalArgumentException("Unknown argument '" + arg + "'.");
        }
      }
      parsed.url = values.get("--url");
      parsed.user = values.get("--user");
      parsed.schema = values.getOrDefault("--schema", parsed.schema);
      parsed.passwordEnvGiven = values.containsKey("--password-env");
      parsed.passwordEnv = values.getOrDefault("--password-env", parsed.passwordEnv);
      parsed.check();
      return parsed;
    }

    private void check() {
      SystemSchema.quote(schema);
      if (help || printSql) {
        return;
      }
      if (url == null || user == null) {
        throw new IllegalArgumentException((url == null ? "--url" : "--user") + " is missing.");
      }
      if (!url.startsWith("jdbc:postgresql:")) {
        throw new IllegalArgumentException(
            "--url must be a PostgreSQL JDBC URL (jdbc:postgresql://<host>:<port>/<database>).");
      }
      int query = url.indexOf('?');
      if (query >= 0 && url.substring(query).matches("(?s).*[?&]password=.*")) {
        throw new IllegalArgumentException(
            "--url carries a password, which the command line must not: remove it from the URL"
                + " and put it in an environment variable ("
                + DEFAULT_PASSWORD_ENV
                + ", or the one --password-env names).");
      }
      if (query >= 0 && url.substring(query).matches("(?s).*[?&]user=.*")) {
        throw new IllegalArgumentException(
            "--url names a user (user=...), which would win over --user: remove it from the URL"
                + " and give the user with --user only.");
      }
      if (passwordEnv.isBlank()) {
        throw new IllegalArgumentException("--password-env must name an environment variable.");
      }
    }
  }
}
