package io.dbosee.testing;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.File;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The node scripts of {@code src/test/typescript} (the official DBOS TypeScript client, pinned in
 * its {@code package-lock.json}) run against a test database, and their installation.
 *
 * <p>{@link #main} is the install step Maven runs before the tests: {@code npm ci} there when node
 * is on the PATH and the installed packages differ from the lock; without node it only warns, and
 * {@link #on} then fails the tests that need node, at once, saying what to install. Nothing is
 * downloaded while a test runs.
 */
public final class NodeScripts {
  /** Where the scripts are: set by Maven's surefire; relative to the module otherwise (an IDE). */
  public static final Path DIRECTORY =
      Path.of(System.getProperty("dbos.typescript.dir", "src/test/typescript")).toAbsolutePath();

  private static final int MIN_NODE_MAJOR = 20;
  private static final boolean WINDOWS =
      System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("windows");

  private final Path node;
  private final String systemDatabaseUrl;

  private NodeScripts(Path node, String systemDatabaseUrl) {
    this.node = node;
    this.systemDatabaseUrl = systemDatabaseUrl;
  }

  /**
   * The scripts against {@code database}; fails at once, saying what to run or install, when node
   * is missing or too old or the npm packages are not installed as locked.
   */
  public static NodeScripts on(TestPostgres.Database database) {
    Path node = onPath(WINDOWS ? "node.exe" : "node").orElse(null);
    if (node == null) {
      throw new IllegalStateException(
          "Node.js "
              + MIN_NODE_MAJOR
              + " or later is not on the PATH: this test runs the official DBOS TypeScript client"
              + " with it. Install Node.js "
              + MIN_NODE_MAJOR
              + " (https://nodejs.org), then run `mvn verify` again (it runs `npm ci` in "
              + DIRECTORY
              + " itself when node is on the PATH).");
    }
    String version = output(List.of(node.toString(), "--version"), DIRECTORY).strip();
    int major = Integer.parseInt(version.replaceFirst("^v(\\d+)\\..*$", "$1"));
    if (major < MIN_NODE_MAJOR) {
      throw new IllegalStateException(
          "Node.js "
              + version
              + " at "
              + node
              + " is too old for @dbos-inc/dbos-sdk: install Node.js "
              + MIN_NODE_MAJOR
              + " or later.");
    }
    installProblem()
        .ifPresent(
            problem -> {
              throw new IllegalStateException(
                  problem
                      + ": run `npm ci` in "
                      + DIRECTORY
                      + " (mvn runs it itself before the tests when node is on the PATH).");
            });
    return new NodeScripts(node, systemDatabaseUrl(database));
  }

  /**
   * Runs {@code node <script> <system database URL> <arguments>} and returns the {@code result} of
   * the JSON it prints, as plain Java values (maps, lists, strings, integers, doubles, booleans,
   * null); fails with the script's stderr when it exits with an error.
   */
  public Object run(String script, String... arguments) {
    List<String> command = new ArrayList<>(List.of(node.toString(), script, systemDatabaseUrl));
    command.addAll(List.of(arguments));
    JsonObject printed = read(output(command, DIRECTORY)).asJsonObject();
    return toJava(printed.get("result"));
  }

  /** JSON text as plain Java values, as {@link #run} returns them. */
  public static Object parse(String json) {
    return toJava(read(json));
  }

  /** {@link #run} for a script that prints one JSON object. */
  @SuppressWarnings("unchecked")
  public Map<String, Object> object(String script, String... arguments) {
    return (Map<String, Object>) run(script, arguments);
  }

  /** {@link #run} for a script that prints a JSON array of objects. */
  @SuppressWarnings("unchecked")
  public List<Map<String, Object>> objects(String script, String... arguments) {
    return (List<Map<String, Object>>) run(script, arguments);
  }

  /**
   * The install step: {@code npm ci} when node is there and the packages differ from the lock.
   * Argument: the directory of package-lock.json. npm takes its cache first and asks the registry
   * only for what the cache lacks, also under {@code mvn -o} (which concerns Maven's repositories).
   */
  public static void main(String[] args) throws Exception {
    Path directory = args.length > 0 ? Path.of(args[0]) : DIRECTORY;
    Optional<String> problem = installProblem(directory);
    if (problem.isEmpty()) {
      return;
    }
    Optional<Path> npm = onPath(WINDOWS ? "npm.cmd" : "npm");
    if (npm.isEmpty() || onPath(WINDOWS ? "node.exe" : "node").isEmpty()) {
      // Not a build failure: the other tests need no node; the one that does fails saying why.
      System.out.println(
          "[WARNING] Node.js is not on the PATH: the npm packages in "
              + directory
              + " are not installed, and TypeScriptClientInteropTest will fail. Install Node.js "
              + MIN_NODE_MAJOR
              + " or later.");
      return;
    }
    System.out.println("[INFO] " + problem.get() + ": npm ci in " + directory);
    List<String> command =
        List.of(npm.get().toString(), "ci", "--prefer-offline", "--no-audit", "--no-fund");
    int exit =
        new ProcessBuilder(command).directory(directory.toFile()).inheritIO().start().waitFor();
    if (exit != 0) {
      // A failed install must not stop the other tests: the test that needs the packages fails on
      // its own, with installProblem's message.
      System.out.println(
          "[WARNING] npm ci failed (exit " + exit + "): TypeScriptClientInteropTest will fail.");
    }
  }

  static Optional<String> installProblem() {
    return installProblem(DIRECTORY);
  }

  /**
   * Why the packages under {@code directory}'s node_modules are not what its package-lock.json
   * pins, if they are not: a package missing or at another version.
   */
  static Optional<String> installProblem(Path directory) {
    JsonObject lock;
    try {
      lock = read(Files.readString(directory.resolve("package-lock.json"))).asJsonObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + directory.resolve("package-lock.json"), e);
    }
    for (Map.Entry<String, JsonValue> entry : lock.getJsonObject("packages").entrySet()) {
      if (!entry.getKey().startsWith("node_modules/")) {
        continue;
      }
      JsonObject locked = entry.getValue().asJsonObject();
      String name = entry.getKey().substring(entry.getKey().lastIndexOf("node_modules/") + 13);
      Path manifest = directory.resolve(entry.getKey()).resolve("package.json");
      if (!Files.exists(manifest)) {
        if (locked.getBoolean("optional", false)) {
          continue; // npm skips an optional package another platform needs
        }
        return Optional.of("The npm package " + name + " is not installed in " + directory);
      }
      String installed;
      try {
        installed = read(Files.readString(manifest)).asJsonObject().getString("version");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + manifest, e);
      }
      if (!installed.equals(locked.getString("version"))) {
        return Optional.of(
            "The npm package "
                + name
                + " is at "
                + installed
                + " in "
                + directory
                + ", but package-lock.json pins "
                + locked.getString("version"));
      }
    }
    return Optional.empty();
  }

  /** The libpq-style URL node-postgres takes, for a test database's JDBC URL and credentials. */
  static String systemDatabaseUrl(TestPostgres.Database database) {
    URI jdbc = URI.create(database.jdbcUrl().substring("jdbc:".length()));
    return "postgresql://"
        + URLEncoder.encode(database.user(), StandardCharsets.UTF_8)
        + ":"
        + URLEncoder.encode(database.password(), StandardCharsets.UTF_8)
        + "@"
        + jdbc.getHost()
        + ":"
        + jdbc.getPort()
        + jdbc.getPath();
  }

  private static Optional<Path> onPath(String executable) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, executable);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** Runs {@code command} in {@code directory}; its stdout, or a failure that shows its stderr. */
  private static String output(List<String> command, Path directory) {
    Path stdout = null;
    Path stderr = null;
    try {
      stdout = Files.createTempFile("node-script", ".stdout");
      stderr = Files.createTempFile("node-script", ".stderr");
      Process process =
          new ProcessBuilder(command)
              .directory(directory.toFile())
              .redirectOutput(stdout.toFile())
              .redirectError(stderr.toFile())
              .start();
      process.getOutputStream().close();
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(
            "timed out after 120 s: " + String.join(" ", command) + stderrOf(stderr));
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException(
            "exit "
                + process.exitValue()
                + " from "
                + String.join(" ", command)
                + stderrOf(stderr)
                + "\n--- stdout:\n"
                + Files.readString(stdout));
      }
      return Files.readString(stdout);
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + String.join(" ", command), e);
    } finally {
      deleteQuietly(stdout);
      deleteQuietly(stderr);
    }
  }

  private static String stderrOf(Path stderr) throws IOException {
    return "\n--- stderr:\n" + Files.readString(stderr);
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // a temporary file; the OS cleans its temporary directory
      }
    }
  }

  private static JsonValue read(String json) {
    try (JsonReader reader = Json.createReader(new StringReader(json))) {
      return reader.readValue();
    }
  }

  private static Object toJava(JsonValue value) {
    switch (value.getValueType()) {
      case OBJECT:
        Map<String, Object> map = new LinkedHashMap<>();
        value.asJsonObject().forEach((k, v) -> map.put(k, toJava(v)));
        return map;
      case ARRAY:
        List<Object> list = new ArrayList<>();
        ((JsonArray) value).forEach(v -> list.add(toJava(v)));
        return list;
      case STRING:
        return ((JsonString) value).getString();
      case NUMBER:
        JsonNumber number = (JsonNumber) value;
        if (!number.isIntegral()) {
          return number.doubleValue();
        }
        long n = number.longValueExact();
        return n == (int) n ? (Object) (int) n : (Object) n;
      case TRUE:
        return true;
      case FALSE:
        return false;
      default:
        return null;
    }
  }
}
