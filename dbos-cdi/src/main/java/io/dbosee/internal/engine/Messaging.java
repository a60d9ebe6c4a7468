package io.dbosee.internal.engine;

import io.dbosee.internal.engine.db.MessageDatabase;
import io.dbosee.internal.engine.db.RecordedOperation;
import io.dbosee.internal.engine.db.WrittenBy;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Messages and events: {@code send} and {@code recv}, {@code setEvent} and {@code getEvent}, each a
 * durable operation in a workflow (recorded with its effect in one statement, replayed without it),
 * a plain call outside one.
 */
final class Messaging {
  private final EngineServices services;
  private final ThreadHandoffs threads;
  private final EngineLifecycle lifecycle;
  private final DurableOperations operations;
  private final DurableWaits waits;
  private final NotificationHub hub;
  private final MessageDatabase messages;

  Messaging(
      EngineServices services,
      DurableOperations operations,
      DurableWaits waits,
      NotificationHub hub,
      MessageDatabase messages) {
    this.services = services;
    this.threads = services.threads;
    this.lifecycle = services.lifecycle;
    this.operations = operations;
    this.waits = waits;
    this.hub = hub;
    this.messages = messages;
  }

  /** The names these operations are recorded under; the same as the DBOS SDKs use. */
  static final String SEND = "DBOS.send";

  static final String RECV = "DBOS.recv";
  static final String SET_EVENT = "DBOS.setEvent";
  static final String GET_EVENT = "DBOS.getEvent";

  /**
   * Sends {@code message} to workflow {@code destinationId} under {@code topic} (null: the default
   * topic). Inside a workflow the send is a durable operation: a replay does not send again. From
   * outside, an {@code idempotencyKey} makes a retried send deliver once (it becomes the message's
   * id); without one, every call sends.
   *
   * @throws DBOSNonExistentWorkflowException if no workflow has the destination id
   */
  void send(String destinationId, Object message, String topic, String idempotencyKey) {
    StorableText.require(destinationId, "destinationId");
    StorableText.optional(topic, "topic");
    StorableText.optional(idempotencyKey, "idempotencyKey");
    lifecycle.requireRunning();
    MessageDatabase.Value text = services.serializeValue(message);
    WorkflowContext context = threads.context();
    if (context != null && !context.inStep()) {
      if (idempotencyKey != null) {
        throw new IllegalArgumentException(
            "An idempotency key is for sends from outside a workflow; inside one, the workflow's"
                + " own checkpoint makes the send happen once. Remove the key.");
      }
      Operation operation = operations.begin(context);
      if (operation.replayed()) {
        operations.requireName(operation, operation.recorded(), SEND);
        return;
      }
      int functionId = operation.functionId();
      String messageId =
          UUID.nameUUIDFromBytes(
                  (context.workflowId + "/" + functionId).getBytes(StandardCharsets.UTF_8))
              .toString();
      messages.send(
          new MessageDatabase.Message(messageId, destinationId, topic, text),
          WrittenBy.operation(context.workflowId, functionId),
          services.now());
      return;
    }
    MessageDatabase.Message outside =
        new MessageDatabase.Message(
            idempotencyKey != null ? idempotencyKey : UUID.randomUUID().toString(),
            destinationId,
            topic,
            text);
    String what = "send to workflow '" + destinationId + "'";
    CallerTransactions.Transaction tx = services.callerTransaction(what);
    if (tx == null) {
      messages.send(outside, null, services.now());
      return;
    }
    // The receiver is woken by the notification its insert raises, which PostgreSQL delivers at
    // the caller's commit (and never, on a rollback).
    TransactionalWrites.write(
        tx,
        what,
        c -> {
          messages.send(c, outside, null, services.now());
          return null;
        });
  }

  /**
   * Receives the oldest message sent to the running workflow under {@code topic}, waiting up to
   * {@code timeout}; empty when none came. Durable: the message (or the timeout) is recorded, so a
   * replay returns the same one, and a timeout that began before a restart ends at the same instant
   * after it.
   *
   * @throws IllegalStateException outside a workflow, or inside a step
   */
  Optional<Object> recv(String topic, Type type, Duration timeout) {
    StorableText.optional(topic, "topic");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(timeout, "timeout");
    WorkflowContext context = threads.context();
    if (context == null || context.inStep()) {
      throw new IllegalStateException(
          "recv can only be called by a workflow (not by a step, nor outside a workflow): it"
              + " consumes a message sent to the running workflow. Call it in the @Workflow"
              + " method.");
    }
    Operation operation = operations.begin(context);
    Operation timeoutAt = operations.reserve(context);
    if (operation.replayed()) {
      return operations.recordedValue(operation, operation.recorded(), RECV, type);
    }
    long deadline = operations.wakeUp(timeoutAt, timeout);
    String payload =
        context.workflowId + "::" + (topic == null ? MessageDatabase.NULL_TOPIC : topic);
    DurableWaits.Wait wait =
        new DurableWaits.Wait(NotificationHub.MESSAGES, payload, services.now());
    while (true) {
      NotificationHub.Signal signal = hub.subscribe(NotificationHub.MESSAGES, payload);
      try {
        Optional<MessageDatabase.Value> message =
            messages.receive(context.workflowId, topic, operation.functionId(), services.now());
        if (message.isPresent()) {
          return Optional.ofNullable(
              services.read(message.get().serialization()).deserialize(message.get().text(), type));
        }
        long remaining = deadline - services.now();
        if (remaining <= 0) {
          return operations.recordNothing(operation, RECV, type);
        }
        waits.awaitSignal(context, signal, remaining, wait);
      } finally {
        hub.unsubscribe(NotificationHub.MESSAGES, payload, signal);
      }
    }
  }

  /**
   * Sets event {@code key} of the running workflow to {@code value}; the latest value wins and each
   * one is kept in the history. In a workflow it is a durable operation; in one of its steps it
   * belongs to that step.
   *
   * @throws IllegalStateException outside a workflow
   */
  void setEvent(String key, Object value) {
    StorableText.require(key, "key");
    WorkflowContext context = threads.context();
    if (context == null) {
      throw new IllegalStateException(
          "setEvent can only be called by a workflow or one of its steps: an event belongs to the"
              + " running workflow. Outside a workflow, send a message instead.");
    }
    MessageDatabase.Value text = services.serializeValue(value);
    if (context.inStep()) {
      messages.setEvent(
          WrittenBy.step(context.workflowId, context.stepFunctionId()), key, text, services.now());
      return;
    }
    Operation operation = operations.begin(context);
    if (operation.replayed()) {
      operations.requireName(operation, operation.recorded(), SET_EVENT);
      return;
    }
    messages.setEvent(
        WrittenBy.operation(context.workflowId, operation.functionId()), key, text, services.now());
  }

  /**
   * The latest value of event {@code key} of workflow {@code workflowId}, waiting up to {@code
   * timeout} for it to be set; empty when it was not. Inside a workflow it is durable: a replay
   * returns what was read.
   */
  Optional<Object> getEvent(String workflowId, String key, Type type, Duration timeout) {
    StorableText.require(workflowId, "workflowId");
    StorableText.require(key, "key");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(timeout, "timeout");
    WorkflowContext context = threads.context();
    boolean durable = context != null && !context.inStep();
    Operation operation = null;
    long deadline;
    if (durable) {
      operation = operations.begin(context);
      Operation timeoutAt = operations.reserve(context);
      if (operation.replayed()) {
        return operations.recordedValue(operation, operation.recorded(), GET_EVENT, type);
      }
      deadline = operations.wakeUp(timeoutAt, timeout);
    } else {
      deadline = services.now() + timeout.toMillis();
    }
    String payload = workflowId + "::" + key;
    DurableWaits.Wait wait = new DurableWaits.Wait(NotificationHub.EVENTS, payload, services.now());
    while (true) {
      NotificationHub.Signal signal = hub.subscribe(NotificationHub.EVENTS, payload);
      try {
        Optional<MessageDatabase.Value> value = messages.getEvent(workflowId, key);
        if (value.isPresent()) {
          MessageDatabase.Value found = value.get();
          if (durable) {
            Optional<RecordedOperation> winner =
                operations.record(
                    operation,
                    GET_EVENT,
                    OperationOutcome.output(found.text(), found.serialization()),
                    services.now());
            if (winner.isPresent()) {
              return operations.recordedValue(operation, winner.get(), GET_EVENT, type);
            }
          }
          return Optional.ofNullable(
              services.read(found.serialization()).deserialize(found.text(), type));
        }
        long remaining = deadline - services.now();
        if (remaining <= 0) {
          return durable ? operations.recordNothing(operation, GET_EVENT, type) : Optional.empty();
        }
        waits.awaitSignal(durable ? context : null, signal, remaining, wait);
      } finally {
        hub.unsubscribe(NotificationHub.EVENTS, payload, signal);
      }
    }
  }
}
