'use strict';
// What the scripts share: stdout carries nothing but the one JSON result; everything the SDK logs
// goes to stderr, which TypeScriptClientInteropTest shows when a script fails.
const fs = require('node:fs');
const path = require('node:path');

for (const level of ['log', 'info', 'debug', 'warn']) {
  console[level] = (...args) => console.error(...args);
}

/** The SDK's version as installed (its package.json is not among the package's exports). */
const SDK_VERSION = JSON.parse(
  fs.readFileSync(path.join(__dirname, 'node_modules', '@dbos-inc', 'dbos-sdk', 'package.json'), 'utf8'),
).version;

/** A logger for the SDK that writes to stderr (the default one prints on stdout). */
const stderrLogger = {
  info: (entry) => console.error('[info]', entry),
  debug: () => {},
  warn: (entry) => console.error('[warn]', entry),
  error: (entry) => console.error('[error]', entry),
};

/**
 * Splits `node script.js <system database URL> [--schema=NAME] args...` and runs `main` with the
 * URL, the schema and the remaining arguments; prints what it returns as JSON on stdout. A failure
 * prints its stack on stderr and exits with 1.
 */
function run(usage, main) {
  const argv = process.argv.slice(2);
  const schemaFlag = argv.find((a) => a.startsWith('--schema='));
  const args = argv.filter((a) => a !== schemaFlag);
  if (args.length < 1) {
    console.error(`usage: node ${path.basename(process.argv[1])} <system database URL> [--schema=NAME] ${usage}`);
    process.exit(2);
  }
  const [url, ...rest] = args;
  const schema = schemaFlag ? schemaFlag.substring('--schema='.length) : 'dbos';
  main(url, schema, rest).then(
    (result) => {
      process.stdout.write(JSON.stringify({ sdkVersion: SDK_VERSION, result }) + '\n');
    },
    (err) => {
      console.error(err && err.stack ? err.stack : err);
      process.exitCode = 1;
    },
  );
}

/** An error as plain JSON: its class name and message (JSON.stringify drops both). */
function errorJson(error) {
  if (error === undefined || error === null) return error;
  if (error instanceof Error) return { name: error.name, message: error.message };
  return error;
}

module.exports = { SDK_VERSION, stderrLogger, run, errorJson };
