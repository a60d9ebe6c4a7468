package io.dbosee;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every relative link of the documentation leads somewhere: in {@code README.md} and every page
 * under {@code docs/}, a link that is not external names a file or directory that exists in the
 * repository, and its {@code #anchor}, if any, is a heading of the Markdown page it names (GitHub's
 * rule: the heading's text in lower case, punctuation other than hyphens and underscores removed,
 * spaces turned into hyphens, {@code -1}, {@code -2}, … added to repeated headings). Links with a
 * scheme ({@code https:}, {@code mailto:}) are not checked, nor links in code.
 *
 * <p>Pitfall: only ATX headings ({@code ## Title}) count; an underlined (setext) heading has no
 * anchor here.
 */
class DocumentationLinksTest {

  @Test
  void everyRelativeLinkOfTheDocumentationLeadsToAFileAndAHeadingThatExist() {
    Path root = repositoryRoot();
    List<Path> pages = pages(root);

    assertThat(pages).contains(root.resolve("README.md"), root.resolve("docs/README.md"));
    List<String> broken = brokenLinks(root, pages);
    assertThat(broken)
        .withFailMessage("Broken relative links:%n%s", String.join(System.lineSeparator(), broken))
        .isEmpty();
  }

  @Test
  void aMissingFileAndAMissingHeadingAreReportedWithThePageAndTheLink(@TempDir Path root)
      throws IOException {
    write(
        root.resolve("README.md"),
        "# Title\n\nSee [the guide](docs/guide.md#set-up), [nothing](docs/gone.md),\n"
            + "[no such part](docs/guide.md#tear-down) and [here](#title).\n");
    write(
        root.resolve("docs/guide.md"),
        "# Guide\n\n## Set up\n\nBack to [the top](../README.md).\n");

    assertThat(brokenLinks(root, pages(root)))
        .containsExactly(
            "README.md:3: [nothing](docs/gone.md): docs/gone.md does not exist",
            "README.md:4: [no such part](docs/guide.md#tear-down): docs/guide.md has no heading"
                + " #tear-down");
  }

  @Test
  void linksInCodeExternalLinksAndLinksLeavingTheRepositoryAreToldApart(@TempDir Path root)
      throws IOException {
    write(
        root.resolve("README.md"),
        "# Title\n\n```md\n[in a block](gone.md)\n```\n\n`[in a span](gone.md)`\n\n"
            + "[web](https://example.com/gone.md) [mail](mailto:someone@example.com)\n"
            + "[out](../outside.md)\n");

    assertThat(brokenLinks(root, pages(root)))
        .containsExactly("README.md:10: [out](../outside.md): leads outside the repository");
  }

  @Test
  void anchorsFollowGitHubsRule() {
    List<String> anchors =
        anchors(
            String.join(
                "\n",
                "# Transaction steps: `@Transaction`",
                "## 3. Crash it: the workflow resumes from its last completed step",
                "### Recovery and what \"unfinished\" means",
                "## Background workflows, handles, cancellation and timeouts",
                "## The `dbos_migrations` table (schema 41) ##",
                "## Results",
                "## Results",
                "```sh",
                "# not a heading",
                "```"));

    assertThat(anchors)
        .containsExactly(
            "transaction-steps-transaction",
            "3-crash-it-the-workflow-resumes-from-its-last-completed-step",
            "recovery-and-what-unfinished-means",
            "background-workflows-handles-cancellation-and-timeouts",
            "the-dbos_migrations-table-schema-41",
            "results",
            "results-1");
  }

  // ---------------------------------------------------------------------------------------

  /** Matches an inline link or image: the text, then the destination (and an optional title). */
  private static final Pattern INLINE_LINK =
      Pattern.compile(
          "!?\\[((?:[^\\[\\]]|\\[[^\\[\\]]*\\])*)\\]"
              + "\\(\\s*(<[^>\\n]*>|[^\\s()]*(?:\\([^\\s()]*\\)[^\\s()]*)*)(?:\\s+\"[^\"]*\")?\\s*\\)");

  /** A reference definition: {@code [label]: destination}. */
  private static final Pattern REFERENCE_DEFINITION =
      Pattern.compile("(?m)^ {0,3}\\[([^\\]]+)\\]:\\s*(<[^>\\n]*>|\\S+)");

  private static final Pattern ATX_HEADING =
      Pattern.compile("^ {0,3}#{1,6}(?:[ \\t]+(.*?))?(?:[ \\t]+#+)?[ \\t]*$");

  private static final Pattern HTML_ANCHOR =
      Pattern.compile("<a\\s[^>]*?\\b(?:name|id)\\s*=\\s*\"([^\"]+)\"", Pattern.CASE_INSENSITIVE);

  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");

  /** The repository root: surefire runs in the module's directory, so usually its parent. */
  static Path repositoryRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("docs"))) {
        return dir;
      }
    }
    throw new IllegalStateException(
        "No directory with README.md and docs/ above " + Path.of("").toAbsolutePath());
  }

  /** README.md and every Markdown page under docs/, in a stable order. */
  private static List<Path> pages(Path root) {
    List<Path> pages = new ArrayList<>();
    pages.add(root.resolve("README.md"));
    Path docs = root.resolve("docs");
    if (Files.isDirectory(docs)) {
      try (Stream<Path> files = Files.walk(docs)) {
        files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return pages;
  }

  /** One line per broken link: {@code page:line: [text](destination): what is wrong}. */
  private static List<String> brokenLinks(Path root, List<Path> pages) {
    Map<Path, Set<String>> anchorsByPage = new HashMap<>();
    List<String> broken = new ArrayList<>();
    for (Path page : pages) {
      String text = read(page);
      String prose = withoutCode(text);
      List<Link> links = new ArrayList<>();
      Matcher inline = INLINE_LINK.matcher(prose);
      while (inline.find()) {
        links.add(
            new Link(
                text.substring(inline.start(), inline.end()), inline.group(2), inline.start()));
      }
      Matcher reference = REFERENCE_DEFINITION.matcher(prose);
      while (reference.find()) {
        links.add(
            new Link(
                text.substring(reference.start(), reference.end()).trim(),
                reference.group(2),
                reference.start()));
      }
      links.sort((a, b) -> Integer.compare(a.offset(), b.offset()));
      for (Link link : links) {
        String problem = problem(root, page, link.destination(), anchorsByPage);
        if (problem != null) {
          broken.add(
              relative(root, page)
                  + ":"
                  + lineOf(prose, link.offset())
                  + ": "
                  + link.source().replaceAll("\\s*\\n\\s*", " ")
                  + ": "
                  + problem);
        }
      }
    }
    return broken;
  }

  private record Link(String source, String destination, int offset) {}

  /** What is wrong with one link of {@code page}, or null when it leads where it says. */
  private static String problem(
      Path root, Path page, String destination, Map<Path, Set<String>> anchorsByPage) {
    String dest = destination;
    if (dest.startsWith("<") && dest.endsWith(">")) {
      dest = dest.substring(1, dest.length() - 1);
    }
    if (dest.isEmpty() || SCHEME.matcher(dest).find()) {
      return null; // external (https:, mailto:, …): not checked
    }
    int hash = dest.indexOf('#');
    String file = decode(hash < 0 ? dest : dest.substring(0, hash));
    String fragment = hash < 0 ? null : decode(dest.substring(hash + 1));
    Path target;
    if (file.isEmpty()) {
      target = page;
    } else if (file.startsWith("/")) {
      target = root.resolve(file.substring(1)).normalize();
    } else {
      target = page.getParent().resolve(file).normalize();
    }
    if (!target.startsWith(root)) {
      return "leads outside the repository";
    }
    if (!Files.exists(target)) {
      return relative(root, target) + " does not exist";
    }
    if (fragment == null || fragment.isEmpty() || !target.toString().endsWith(".md")) {
      return null; // a file or directory; anchors are checked on Markdown pages only
    }
    Set<String> anchors =
        anchorsByPage.computeIfAbsent(target, p -> new LinkedHashSet<>(anchors(read(p))));
    return anchors.contains(fragment)
        ? null
        : relative(root, target) + " has no heading #" + fragment;
  }

  /**
   * The anchors GitHub gives a page: one per ATX heading outside code blocks, plus explicit {@code
   * <a name>} or {@code id} anchors.
   */
  private static List<String> anchors(String markdown) {
    List<String> anchors = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    String[] lines = withoutFencedBlocks(markdown).split("\n", -1);
    for (String line : lines) {
      Matcher heading = ATX_HEADING.matcher(line);
      if (heading.matches()) {
        String slug = slug(heading.group(1) == null ? "" : heading.group(1));
        int repeats = seen.merge(slug, 1, Integer::sum) - 1;
        anchors.add(repeats == 0 ? slug : slug + "-" + repeats);
      }
    }
    Matcher html = HTML_ANCHOR.matcher(withoutCode(markdown));
    while (html.find()) {
      anchors.add(html.group(1));
    }
    return anchors;
  }

  /** GitHub's anchor for a heading's text, as rendered (link syntax and tags are not text). */
  private static String slug(String heading) {
    String text =
        heading.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1").replaceAll("<[^>]+>", "");
    return text.toLowerCase(Locale.ROOT)
        .replaceAll("[^\\p{L}\\p{M}\\p{Nd}\\p{Pc} -]", "")
        .replace(' ', '-');
  }

  /** The text with fenced code blocks and code spans blanked out, line breaks kept. */
  private static String withoutCode(String markdown) {
    String text = withoutFencedBlocks(markdown);
    StringBuilder out = new StringBuilder(text);
    Matcher span = Pattern.compile("(`+)(?!`)(.+?)(?<!`)\\1(?!`)", Pattern.DOTALL).matcher(text);
    while (span.find()) {
      blank(out, span.start(), span.end());
    }
    return out.toString();
  }

  /** The text with every fenced code block (``` or ~~~, indented or not) blanked out. */
  private static String withoutFencedBlocks(String markdown) {
    StringBuilder out = new StringBuilder(markdown.length());
    String fence = null;
    for (String line : markdown.split("\n", -1)) {
      String trimmed = line.stripLeading();
      boolean inCode = fence != null;
      if (fence == null && (trimmed.startsWith("```") || trimmed.startsWith("~~~"))) {
        fence = trimmed.substring(0, fenceLength(trimmed));
        inCode = true;
      } else if (fence != null
          && trimmed.startsWith(fence)
          && trimmed.substring(fenceLength(trimmed)).isBlank()) {
        fence = null;
      }
      out.append(inCode || fence != null ? " ".repeat(line.length()) : line).append('\n');
    }
    out.setLength(out.length() - 1);
    return out.toString();
  }

  private static int fenceLength(String trimmed) {
    char c = trimmed.charAt(0);
    int n = 0;
    while (n < trimmed.length() && trimmed.charAt(n) == c) {
      n++;
    }
    return n;
  }

  private static void blank(StringBuilder text, int start, int end) {
    for (int i = start; i < end; i++) {
      if (text.charAt(i) != '\n') {
        text.setCharAt(i, ' ');
      }
    }
  }

  private static int lineOf(String text, int offset) {
    int line = 1;
    for (int i = 0; i < offset; i++) {
      if (text.charAt(i) == '\n') {
        line++;
      }
    }
    return line;
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException notEncoded) {
      return s; // a stray %: taken as it is
    }
  }

  private static String relative(Path root, Path path) {
    return root.relativize(path).toString().replace('\\', '/');
  }

  private static String read(Path page) {
    try {
      return Files.readString(page).replace("\r\n", "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }
}
