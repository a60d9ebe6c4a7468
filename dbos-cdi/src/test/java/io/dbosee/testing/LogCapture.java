package io.dbosee.testing;

import java.text.MessageFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The messages one class, or every class of a package, logs while this is open, formatted with
 * their parameters.
 */
public final class LogCapture extends Handler implements AutoCloseable {
  private final Logger logger;
  private final List<String> messages = new CopyOnWriteArrayList<>();

  public LogCapture(Class<?> source) {
    this(source.getName());
  }

  private LogCapture(String loggerName) {
    this.logger = Logger.getLogger(loggerName);
    logger.addHandler(this);
  }

  /**
   * What every class in {@code source}'s package (and below) logs: the engine's behaviour is spread
   * over several classes, and a test of what it logs must not depend on which one does.
   */
  public static LogCapture ofPackage(Class<?> source) {
    return new LogCapture(source.getPackageName());
  }

  /** What was logged so far. */
  public List<String> messages() {
    return messages;
  }

  /** How many messages so far contain {@code part}. */
  public long count(String part) {
    return messages.stream().filter(message -> message.contains(part)).count();
  }

  @Override
  public void publish(LogRecord record) {
    String message = String.valueOf(record.getMessage());
    messages.add(
        record.getParameters() == null
            ? message
            : MessageFormat.format(message, record.getParameters()));
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    logger.removeHandler(this);
  }
}
