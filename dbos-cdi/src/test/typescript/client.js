'use strict';
// The official DBOS TypeScript client (DBOSClient of @dbos-inc/dbos-sdk) on a system database.
//   node client.js <system database URL> [--schema=NAME] <command> [arguments]
// prints {"sdkVersion": ..., "result": ...} on stdout. Commands:
//   list '<GetWorkflowsInput as JSON>'           the workflows, with their inputs and outputs
//   status <workflow id>                          one workflow's status (null when unknown)
//   steps <workflow id>                           its steps
//   event <workflow id> <key> [timeout seconds]   an event's value ({"value": null} after the timeout)
//   enqueue '<options as JSON>'                   a portable enqueue: ClientEnqueueOptions plus
//                                                 "positionalArgs" and "namedArgs"; prints the id
//   enqueueDefault '<options as JSON>'            the same through the plain enqueue, in the
//                                                 client's own format (js_superjson)
//   result <workflow id> [timeout seconds]        waits for the result: {"output"} or {"error"}
//   send <workflow id> '<message as JSON>' [topic] [idempotency key]   a portable message
//   cancel <workflow id>
//   resume <workflow id>
//   debounce '<options as JSON>'                 DebouncerClient.debounce, once per entry of "calls"
//                                                 (each an array of positional arguments), in order,
//                                                 portable: {workflowName, workflowClassName, key,
//                                                 periodMs, [timeoutMs], [queueName], calls}; prints
//                                                 the workflow id each call returned
//   queue <name>                                  a queue as the client reads its queues row
//                                                 (null when there is none)
const { DBOSClient, DebouncerClient } = require('@dbos-inc/dbos-sdk');
const { isPartitionedQueue } = require('@dbos-inc/dbos-sdk/internal/wfqueue');
const { run, stderrLogger, errorJson } = require('./common');

function statusJson(status) {
  if (!status) return null;
  return { ...status, error: errorJson(status.error) };
}

function stepJson(step) {
  return { ...step, error: errorJson(step.error) };
}

const commands = {
  list: async (client, input) => (await client.listWorkflows(JSON.parse(input ?? '{}'))).map(statusJson),
  status: async (client, id) => statusJson(await client.getWorkflow(id)),
  steps: async (client, id) => ((await client.listWorkflowSteps(id)) ?? []).map(stepJson),
  event: async (client, id, key, timeout) => ({
    value: await client.getEvent(id, key, { timeoutSeconds: Number(timeout ?? 10) }),
  }),
  enqueue: async (client, json) => {
    const { positionalArgs, namedArgs, ...options } = JSON.parse(json);
    const handle = await client.enqueuePortable(options, positionalArgs ?? [], namedArgs);
    return { workflowID: handle.workflowID };
  },
  enqueueDefault: async (client, json) => {
    const { positionalArgs, ...options } = JSON.parse(json);
    const handle = await client.enqueue(options, ...(positionalArgs ?? []));
    return { workflowID: handle.workflowID };
  },
  result: async (client, id, timeout) => {
    const handle = client.retrieveWorkflow(id);
    try {
      const output = await handle.getResult({ timeoutSeconds: Number(timeout ?? 30), pollingIntervalMs: 100 });
      return { status: (await handle.getStatus())?.status ?? null, output };
    } catch (error) {
      return { status: (await handle.getStatus())?.status ?? null, error: errorJson(error) };
    }
  },
  send: async (client, id, message, topic, idempotencyKey) => {
    await client.send(id, JSON.parse(message), topic, idempotencyKey, { serializationType: 'portable' });
    return { sent: id };
  },
  cancel: async (client, id) => {
    await client.cancelWorkflow(id);
    return { cancelled: id };
  },
  resume: async (client, id) => ({ workflowID: (await client.resumeWorkflow(id)).workflowID }),
  debounce: async (client, json) => {
    const { workflowName, workflowClassName, key, periodMs, timeoutMs, queueName, calls } = JSON.parse(json);
    const debouncer = new DebouncerClient(client, {
      workflowName,
      workflowClassName,
      debounceTimeoutMs: timeoutMs,
      startWorkflowParams: queueName ? { queueName } : undefined,
      serializationType: 'portable',
    });
    const workflowIDs = [];
    for (const args of calls) {
      workflowIDs.push((await debouncer.debounce(key, periodMs, ...args)).workflowID);
    }
    return { workflowIDs };
  },
  queue: async (client, name) => {
    const queue = await client.retrieveQueue(name);
    if (!queue) return null;
    const { clientBound, databaseBacked, ...fields } = queue;
    return { ...fields, partitioned: isPartitionedQueue(queue) };
  },
};

run(`<${Object.keys(commands).join('|')}> [arguments]`, async (url, schema, [command, ...args]) => {
  const action = commands[command];
  if (!action) throw new Error(`unknown command '${command}': one of ${Object.keys(commands).join(', ')}`);
  const client = await DBOSClient.create({
    systemDatabaseUrl: url,
    systemDatabaseSchemaName: schema,
    logger: stderrLogger,
  });
  try {
    return await action(client, ...args);
  } finally {
    await client.destroy();
  }
});
