package io.dbosee.internal.engine;

import io.dbosee.DBOSNonExistentWorkflowException;
import io.dbosee.WorkflowState;
import io.dbosee.internal.engine.db.MessageDatabase;
import io.dbosee.internal.engine.db.SystemDatabase;
import io.dbosee.internal.engine.db.WorkflowRow;
import io.dbosee.internal.engine.db.WrittenBy;
import io.dbosee.internal.engine.serialization.Serializer;
import java.lang.reflect.Type;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * Workflow streams: values a workflow (or one of its steps) appends under a key, and readers that
 * follow them until the stream is closed or the workflow ends. A write in a workflow is a durable
 * operation; a read never is.
 */
final class Streams {
  private final EngineServices services;
  private final Serializer serializer;
  private final SystemDatabase db;
  private final ThreadHandoffs threads;
  private final DurableOperations operations;
  private final DurableWaits waits;
  private final NotificationHub hub;
  private final MessageDatabase messages;

  Streams(
      EngineServices services,
      DurableOperations operations,
      DurableWaits waits,
      NotificationHub hub,
      MessageDatabase messages) {
    this.services = services;
    this.serializer = services.serializer;
    this.db = services.db;
    this.threads = services.threads;
    this.operations = operations;
    this.waits = waits;
    this.hub = hub;
    this.messages = messages;
  }

  static final String WRITE_STREAM = "DBOS.writeStream";
  static final String CLOSE_STREAM = "DBOS.closeStream";

  /**
   * Appends {@code value} to the running workflow's stream {@code key}. In a workflow it is a
   * durable operation (a replay does not write again); in one of its steps it belongs to that step.
   *
   * @throws IllegalStateException outside a workflow
   */
  void writeStream(String key, Object value) {
    StorableText.require(key, "key");
    appendStream(key, services.serializeValue(value), WRITE_STREAM);
  }

  /**
   * Closes the running workflow's stream {@code key}: readers end after its last value. The marker
   * is written as the DBOS SDKs write it, a portable_json string, so that their readers end too.
   */
  void closeStream(String key) {
    StorableText.require(key, "key");
    appendStream(
        key,
        new MessageDatabase.Value("\"" + MessageDatabase.STREAM_CLOSED + "\"", serializer.name()),
        CLOSE_STREAM);
  }

  private void appendStream(String key, MessageDatabase.Value text, String name) {
    Objects.requireNonNull(key, "key");
    WorkflowContext context = threads.context();
    if (context == null) {
      throw new IllegalStateException(
          "Streams are written by a workflow or one of its steps: a stream belongs to the running"
              + " workflow. Call writeStream/closeStream there.");
    }
    if (context.inStep()) {
      messages.writeStream(
          WrittenBy.step(context.workflowId, context.stepFunctionId()),
          key,
          text,
          services.now(),
          name);
      return;
    }
    Operation operation = operations.begin(context);
    if (operation.replayed()) {
      operations.requireName(operation, operation.recorded(), name);
      return;
    }
    messages.writeStream(
        WrittenBy.operation(context.workflowId, operation.functionId()),
        key,
        text,
        services.now(),
        name);
  }

  /**
   * The values of stream {@code key} of workflow {@code workflowId}, in order, bound to {@code
   * type}: {@code hasNext()} blocks until the next value is written, and the iteration ends when
   * the stream is closed or the workflow has finished. Not a durable operation, even in a workflow.
   */
  Iterator<Object> readStream(String workflowId, String key, Type type) {
    StorableText.require(workflowId, "workflowId");
    StorableText.require(key, "key");
    Objects.requireNonNull(type, "type");
    String payload = workflowId + "::" + key;
    return new Iterator<>() {
      private final ArrayDeque<MessageDatabase.StreamEntry> buffer = new ArrayDeque<>();
      private int nextOffset;
      private boolean ended;

      @Override
      public boolean hasNext() {
        while (true) {
          MessageDatabase.StreamEntry head = buffer.peek();
          if (head != null) {
            if (head.closes()) {
              ended = true;
              buffer.clear();
              return false;
            }
            return true;
          }
          if (ended) {
            return false;
          }
          NotificationHub.Signal signal = hub.subscribe(NotificationHub.STREAMS, payload);
          try {
            if (fetch()) {
              continue;
            }
            WorkflowRow row =
                db.readWorkflow(workflowId)
                    .orElseThrow(() -> new DBOSNonExistentWorkflowException(workflowId));
            if (WorkflowState.valueOf(row.status()).isFinal()) {
              // Values written before the finish are all there now.
              if (!fetch()) {
                ended = true;
              }
              continue;
            }
            WorkflowContext context = threads.context();
            // Not durable, so it keeps its thread: a replay would read the stream again.
            waits.awaitSignal(
                context != null && !context.inStep() ? context : null,
                signal,
                waits.pollMillis(),
                null);
          } finally {
            hub.unsubscribe(NotificationHub.STREAMS, payload, signal);
          }
        }
      }

      private boolean fetch() {
        List<MessageDatabase.StreamEntry> entries =
            messages.readStream(workflowId, key, nextOffset, 100);
        if (entries.isEmpty()) {
          return false;
        }
        buffer.addAll(entries);
        nextOffset = entries.get(entries.size() - 1).offset() + 1;
        return true;
      }

      @Override
      public Object next() {
        if (!hasNext()) {
          throw new NoSuchElementException(
              "stream '" + key + "' of workflow '" + workflowId + "' has ended");
        }
        MessageDatabase.StreamEntry entry = buffer.poll();
        return services.read(entry.serialization()).deserialize(entry.text(), type);
      }
    };
  }
}
