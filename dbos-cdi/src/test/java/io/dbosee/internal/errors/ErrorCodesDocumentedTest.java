package io.dbosee.internal.errors;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The error codes a user meets and the page that explains them stay in step: every code of {@link
 * ErrorCode} has a section (a heading that starts with the code) on {@code
 * docs/reference/errors.md}, the page names no code the registry lacks, and no main source outside
 * the registry spells a coded message itself ({@code "[DBOS-CDI-001] ..."}), which would be a code
 * the registry and the page do not know about.
 */
class ErrorCodesDocumentedTest {
  static final String PAGE = "docs/reference/errors.md";

  /** The one main source that spells the codes: the registry itself. */
  static final Set<String> ALLOWED_LITERALS =
      Set.of("dbos-cdi/src/main/java/io/dbosee/internal/errors/ErrorCode.java");

  private static final Pattern CODE = Pattern.compile("DBOS-(?:CDI|JPA)-\\d{3}");
  private static final Pattern SECTION =
      Pattern.compile("(?m)^ {0,3}#{1,6}[ \\t]+(DBOS-(?:CDI|JPA)-\\d{3})\\b");

  /** A bracketed prefix, or a code opening a string literal: both build a message by hand. */
  private static final Pattern CODED_LITERAL =
      Pattern.compile("\\[DBOS-(?:CDI|JPA)-\\d{3}\\]|\"DBOS-(?:CDI|JPA)-\\d{3}");

  @Test
  void everyCodeIsOneWellFormedEntryWithATitle() {
    List<String> codes = Arrays.stream(ErrorCode.values()).map(ErrorCode::code).toList();

    assertThat(codes).doesNotHaveDuplicates().allMatch(c -> CODE.matcher(c).matches());
    assertThat(ErrorCode.values()).allSatisfy(e -> assertThat(e.title()).isNotBlank());
    assertThat(ErrorCode.of("DBOS-CDI-001")).contains(ErrorCode.NOT_PUBLIC);
    assertThat(ErrorCode.of("DBOS-CDI-999")).isEmpty();
  }

  @Test
  void messagesAndExceptionsCarryTheBracketedCode() {
    assertThat(ErrorCode.NOT_PUBLIC.message("x is not public."))
        .isEqualTo("[DBOS-CDI-001] x is not public.");
    assertThat(ErrorCode.JPA_RESOURCE_NOT_BOUND.illegalState("none"))
        .hasMessage("[DBOS-JPA-001] none");
    IllegalStateException cause = new IllegalStateException("cause");
    RuntimeException built =
        ErrorCode.START_OUTAGE.exception(RuntimeException::new, "gave up", cause);
    assertThat(built).hasMessage("[DBOS-CDI-076] gave up").hasCause(cause);
  }

  @Test
  void everyCodeOfTheRegistryHasASectionOnTheErrorsPage() {
    Set<String> missing = undocumented(registry(), read(root().resolve(PAGE)));

    assertThat(missing)
        .withFailMessage(
            "Codes of ErrorCode without a section (a heading starting with the code) on %s: %s",
            PAGE, missing)
        .isEmpty();
  }

  @Test
  void theErrorsPageNamesNoCodeTheRegistryLacks() {
    Set<String> unknown = unknown(registry(), read(root().resolve(PAGE)));

    assertThat(unknown)
        .withFailMessage("%s names codes that ErrorCode does not have: %s", PAGE, unknown)
        .isEmpty();
  }

  @Test
  void noMainSourceSpellsACodedMessageOutsideTheRegistry() {
    List<String> found = codedLiterals(root(), ALLOWED_LITERALS);

    assertThat(found)
        .withFailMessage(
            "Coded literals outside ErrorCode (use ErrorCode.X.message(...) or its exception"
                + " builders):%n%s",
            String.join(System.lineSeparator(), found))
        .isEmpty();
  }

  /** The checks themselves, on a repository made up for the purpose: each finds what it should. */
  @Test
  void eachCheckReportsWhatItFindsAndNothingElse(@TempDir Path root) throws IOException {
    Set<String> registry = Set.of("DBOS-CDI-001", "DBOS-CDI-002", "DBOS-JPA-001");
    String page =
        "# Error codes\n\n| DBOS-CDI-001 | in a table only |\n\n### DBOS-CDI-002: documented\n\n"
            + "### DBOS-JPA-001: documented\n\nSee also DBOS-CDI-009, which does not exist.\n";
    write(
        root.resolve("mod/src/main/java/a/Spelled.java"),
        "class Spelled {\n  String m = \"[DBOS-CDI-001] text\";\n  // DBOS-CDI-001 in a comment\n"
            + "  String c = \"DBOS-JPA-001\";\n}\n");
    write(root.resolve("mod/src/main/java/a/Allowed.java"), "String m = \"[DBOS-CDI-002] x\";\n");
    write(root.resolve("mod/src/test/java/a/ATest.java"), "String m = \"[DBOS-CDI-001] x\";\n");

    assertThat(undocumented(registry, page)).containsExactly("DBOS-CDI-001");
    assertThat(unknown(registry, page)).containsExactly("DBOS-CDI-009");
    assertThat(codedLiterals(root, Set.of("mod/src/main/java/a/Allowed.java")))
        .containsExactly(
            "mod/src/main/java/a/Spelled.java:2: [DBOS-CDI-001]",
            "mod/src/main/java/a/Spelled.java:4: \"DBOS-JPA-001");
  }

  // ---------------------------------------------------------------------------------------

  private static Set<String> registry() {
    return Arrays.stream(ErrorCode.values())
        .map(ErrorCode::code)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /** Codes of the registry that no heading of the page starts with. */
  static Set<String> undocumented(Set<String> registry, String page) {
    Set<String> sections = new TreeSet<>();
    Matcher m = SECTION.matcher(page);
    while (m.find()) {
      sections.add(m.group(1));
    }
    Set<String> missing = new TreeSet<>(registry);
    missing.removeAll(sections);
    return missing;
  }

  /** Codes the page names anywhere (headings, tables, text) that the registry does not have. */
  static Set<String> unknown(Set<String> registry, String page) {
    Set<String> named = new TreeSet<>();
    Matcher m = CODE.matcher(page);
    while (m.find()) {
      named.add(m.group());
    }
    named.removeAll(registry);
    return named;
  }

  /**
   * "path:line: literal" for each coded literal in a module's src/main/java, allowed files aside.
   */
  static List<String> codedLiterals(Path root, Set<String> allowed) {
    List<String> found = new ArrayList<>();
    for (Path sources : mainSourceRoots(root)) {
      try (Stream<Path> files = Files.walk(sources)) {
        for (Path file : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
          String relative = root.relativize(file).toString().replace('\\', '/');
          if (allowed.contains(relative)) {
            continue;
          }
          List<String> lines = Files.readAllLines(file);
          for (int i = 0; i < lines.size(); i++) {
            Matcher m = CODED_LITERAL.matcher(lines.get(i));
            while (m.find()) {
              found.add(relative + ":" + (i + 1) + ": " + m.group());
            }
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return found;
  }

  private static List<Path> mainSourceRoots(Path root) {
    try (Stream<Path> modules = Files.list(root)) {
      return modules
          .map(module -> module.resolve("src/main/java"))
          .filter(Files::isDirectory)
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The repository: surefire runs in the module's directory, whose parent is the root. */
  private static Path root() {
    Path root = Path.of("").toAbsolutePath().getParent();
    assertThat(root.resolve("pom.xml")).as("the repository root above the module").isRegularFile();
    return root;
  }

  private static String read(Path file) {
    assertThat(file).as("the errors page").isRegularFile();
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }
}
