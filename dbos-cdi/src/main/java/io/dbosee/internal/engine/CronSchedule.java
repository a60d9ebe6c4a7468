package io.dbosee.internal.engine;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A parsed cron expression in a time zone, and the ticks it gives. Six fields with seconds first,
 * or five starting with minutes (read as second 0); the syntax is Spring's (5.3), which cron-utils
 * parses: lists, ranges, steps, month and day names, {@code ?}, {@code L}, {@code W}, {@code #}.
 * Ticks are whole seconds.
 */
public final class CronSchedule {
  private static final CronParser PARSER =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.SPRING53));

  private final String expression;
  private final ZoneId zone;
  private final ExecutionTime executionTime;

  private CronSchedule(String expression, ZoneId zone, ExecutionTime executionTime) {
    this.expression = expression;
    this.zone = zone;
    this.executionTime = executionTime;
  }

  /**
   * Parses {@code expression}.
   *
   * @throws IllegalArgumentException naming the expression, what is wrong and the accepted forms
   */
  public static CronSchedule parse(String expression, ZoneId zone) {
    Objects.requireNonNull(zone, "zone");
    if (expression == null || expression.isBlank()) {
      throw invalid(expression, "it is empty");
    }
    String[] fields = expression.trim().split("\\s+");
    if (fields.length != 5 && fields.length != 6) {
      throw invalid(expression, "it has " + fields.length + " field(s)");
    }
    String sixFields = (fields.length == 5 ? "0 " : "") + String.join(" ", fields);
    try {
      Cron cron = PARSER.parse(sixFields);
      cron.validate();
      return new CronSchedule(sixFields, zone, ExecutionTime.forCron(cron));
    } catch (IllegalArgumentException e) {
      throw invalid(expression, e.getMessage());
    }
  }

  private static IllegalArgumentException invalid(String expression, String why) {
    return new IllegalArgumentException(
        "Invalid cron expression '"
            + expression
            + "': "
            + why
            + ". Use six fields with seconds first (second minute hour day-of-month month"
            + " day-of-week, e.g. '0 */5 * * * *' every five minutes, '* * * * * *' every second)"
            + " or the usual five starting with minutes (e.g. '0 9 * * MON-FRI').");
  }

  /** The expression with six fields (seconds first), as {@code workflow_schedules} stores it. */
  public String expression() {
    return expression;
  }

  public ZoneId zone() {
    return zone;
  }

  /** The first tick strictly after the whole second of {@code after}, if the expression has one. */
  public Optional<Instant> next(Instant after) {
    ZonedDateTime from = after.truncatedTo(ChronoUnit.SECONDS).atZone(zone);
    return executionTime
        .nextExecution(from)
        .map(t -> t.toInstant().truncatedTo(ChronoUnit.SECONDS));
  }

  /**
   * The ticks after {@code after}'s whole second up to {@code until} (included), at most {@code
   * max} of them, in order.
   */
  public List<Instant> ticks(Instant after, Instant until, int max) {
    List<Instant> ticks = new ArrayList<>();
    Instant cursor = after;
    while (ticks.size() < max) {
      Optional<Instant> next = next(cursor);
      if (next.isEmpty() || next.get().isAfter(until)) {
        break;
      }
      ticks.add(next.get());
      cursor = next.get();
    }
    return ticks;
  }

  @Override
  public String toString() {
    return "cron '" + expression + "' in " + zone;
  }
}
