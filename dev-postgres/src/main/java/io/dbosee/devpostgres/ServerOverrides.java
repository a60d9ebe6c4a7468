package io.dbosee.devpostgres;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What the development run's server reads to find PostgreSQL, one format per server: Liberty's
 * configDropins override, WildFly's properties file ({@code standalone.sh -P}), Payara's asadmin
 * command file ({@code asadmin multimode --file}). Each sets {@code postgres.host}, {@code
 * postgres.port}, {@code postgres.database} and {@code postgres.user}, the names server-config's
 * data sources read.
 */
enum ServerOverrides {
  LIBERTY {
    @Override
    Path file(Path target) {
      return target.resolve("configDropins/overrides/dev-postgres.xml");
    }

    @Override
    String embedded(int port, String database, String user) {
      return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          + "<!-- "
          + WRITTEN_BY
          + " -->\n"
          + "<server>\n"
          + variable("postgres.host", "localhost")
          + variable("postgres.port", String.valueOf(port))
          + variable("postgres.database", database)
          + variable("postgres.user", user)
          + "</server>\n";
    }

    /** No file: Liberty's dbos-liberty.xml reads the POSTGRES_* variables itself. */
    @Override
    Optional<String> external(Map<String, String> environment) {
      return Optional.empty();
    }

    private String variable(String name, String value) {
      return "  <variable name=\"" + name + "\" value=\"" + value + "\"/>\n";
    }
  },

  WILDFLY {
    @Override
    String embedded(int port, String database, String user) {
      return "# "
          + WRITTEN_BY
          + "\npostgres.host=localhost\npostgres.port="
          + port
          + "\npostgres.database="
          + database
          + "\npostgres.user="
          + user
          + "\n";
    }

    /** An empty file, so that {@code -P} still finds it: the CLI's data sources read POSTGRES_*. */
    @Override
    Optional<String> external(Map<String, String> environment) {
      return Optional.of("# POSTGRES_HOST is set: the server reads the POSTGRES_* variables.\n");
    }
  },

  PAYARA {
    @Override
    String embedded(int port, String database, String user) {
      return systemProperties("localhost", String.valueOf(port), database, user, null);
    }

    /** Payara's pools read system properties only: the POSTGRES_* values become them. */
    @Override
    Optional<String> external(Map<String, String> environment) {
      return Optional.of(
          systemProperties(
              environment.get("POSTGRES_HOST"),
              environment.getOrDefault("POSTGRES_PORT", "5432"),
              environment.getOrDefault("POSTGRES_DATABASE", "dbos_sample"),
              environment.getOrDefault("POSTGRES_USER", "postgres"),
              environment.getOrDefault("POSTGRES_PASSWORD", "")));
    }

    private String systemProperties(
        String host, String port, String database, String user, String password) {
      StringBuilder line =
          new StringBuilder("create-system-properties ")
              .append("postgres.host=")
              .append(escape(host))
              .append(":postgres.port=")
              .append(escape(port))
              .append(":postgres.database=")
              .append(escape(database))
              .append(":postgres.user=")
              .append(escape(user));
      if (password != null) {
        line.append(":postgres.password=").append(escape(password));
      }
      return "# " + WRITTEN_BY + "\n" + line + "\n";
    }

    /** asadmin separates properties with ':' and reads '\' as an escape. */
    private String escape(String value) {
      return value.replace("\\", "\\\\").replace(":", "\\:").replace("=", "\\=");
    }
  };

  private static final String WRITTEN_BY =
      "Written by io.dbosee.devpostgres.DevPostgres for the development run.";

  /** The format the second argument asks for: by its file name's ending, else a Liberty server. */
  static ServerOverrides forTarget(Path target) {
    String name = target.getFileName().toString();
    if (name.endsWith(".properties")) {
      return WILDFLY;
    }
    return name.endsWith(".asadmin") ? PAYARA : LIBERTY;
  }

  /** The file to write, given the second argument: the file itself but for Liberty's server. */
  Path file(Path target) {
    return target;
  }

  /** The file's content for the embedded PostgreSQL on {@code port}. */
  abstract String embedded(int port, String database, String user);

  /**
   * The file's content when {@code POSTGRES_HOST} names a PostgreSQL of the developer's own; empty
   * when the server needs no file then (it is removed).
   */
  abstract Optional<String> external(Map<String, String> environment);
}
