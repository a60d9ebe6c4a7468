package io.dbosee;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard of docs/operations/metrics.md is well-formed JSON, its panels query
 * Prometheus, and it graphs exactly the metrics that page lists, under the names Prometheus gives
 * them (dots as underscores, {@code _total} for counters, {@code _seconds} for durations).
 */
class GrafanaDashboardTest {
  private static final Pattern DOCUMENTED_METRIC =
      Pattern.compile("^\\| `(dbos\\.[a-z._]+)` \\| `([^`]+)` \\|", Pattern.MULTILINE);

  /** A metric selected in a query (labels are not followed by a selector). */
  private static final Pattern QUERIED_METRIC = Pattern.compile("dbos_[a-z_]+(?=\\{)");

  @Test
  void theDashboardIsWellFormedAndGraphsEveryDocumentedMetric() throws IOException {
    Path docs = DocumentationLinksTest.repositoryRoot().resolve("docs/operations");
    JsonObject dashboard;
    try (Reader in = Files.newBufferedReader(docs.resolve("grafana-dbos-dashboard.json"));
        JsonReader reader = Json.createReader(in)) {
      dashboard = reader.readObject();
    }
    assertThat(dashboard.getString("title")).isNotBlank();
    assertThat(dashboard.getString("uid")).isNotBlank();

    List<String> expressions = new ArrayList<>();
    for (JsonValue value : dashboard.getJsonArray("panels")) {
      JsonObject panel = value.asJsonObject();
      assertThat(panel.getInt("id")).isPositive();
      assertThat(panel.getJsonObject("gridPos").keySet()).contains("x", "y", "w", "h");
      if (panel.getString("type").equals("row")) {
        continue;
      }
      assertThat(panel.getJsonObject("datasource").getString("type")).isEqualTo("prometheus");
      assertThat(panel.getJsonArray("targets")).as(panel.getString("title")).isNotEmpty();
      panel
          .getJsonArray("targets")
          .forEach(t -> expressions.add(t.asJsonObject().getString("expr")));
    }

    Set<String> queried = new TreeSet<>();
    for (String expression : expressions) {
      Matcher m = QUERIED_METRIC.matcher(expression);
      while (m.find()) {
        queried.add(m.group().replaceFirst("_(bucket|sum|count)$", ""));
      }
    }
    assertThat(queried).isEqualTo(prometheusNames(Files.readString(docs.resolve("metrics.md"))));
  }

  /**
   * The Prometheus name of each metric in the page's tables (its first section): the counters'
   * table comes before the line "Histograms:".
   */
  private static Set<String> prometheusNames(String page) {
    int histograms = page.indexOf("\nHistograms:");
    assertThat(histograms).as("the page's histograms table").isPositive();
    Set<String> names = new TreeSet<>();
    String tables = page.substring(0, page.indexOf("\n## Enable them in Liberty"));
    Matcher m = DOCUMENTED_METRIC.matcher(tables);
    while (m.find()) {
      String name = m.group(1).replace('.', '_');
      if (m.group(2).equals("s")) {
        name += "_seconds";
      }
      if (m.start() < histograms) {
        name += "_total";
      }
      names.add(name);
    }
    assertThat(names).hasSize(12);
    return names;
  }
}
