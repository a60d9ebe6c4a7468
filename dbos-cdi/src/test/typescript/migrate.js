'use strict';
// What a DBOS TypeScript application does to its system database at launch, and nothing else:
// DBOS.launch() -> SystemDatabase.init(runMigrations = true) -> ensureSystemDatabase(), the SDK's own
// migration runner (runSysMigrationsPg over allMigrations) under the SDK's own connection handling.
//   node migrate.js <system database URL> [--schema=NAME]
// prints {"sdkVersion": ..., "result": {"fromVersion", "toVersion", "latestMigration", "ranMigrations", "error", "log"}}:
// the schema's migration number before and after, the SDK's last migration, whether the runner
// announced that it was running migrations (it does before the first one it applies), and the
// error that stopped it (null when it finished): a launch that fails is a result to look at too.
const { ensureSystemDatabase } = require('@dbos-inc/dbos-sdk/internal/system_database');
const { getCurrentSysDBVersion } = require('@dbos-inc/dbos-sdk/internal/sysdb_migrations/migration_runner');
const { allMigrations } = require('@dbos-inc/dbos-sdk/internal/sysdb_migrations/internal/migrations');
const { Client } = require('pg');
const { run, errorJson } = require('./common');

/** The schema's migration number as the SDK reads it; 0 when the database does not exist yet. */
async function currentVersion(url, schema) {
  const client = new Client({ connectionString: url });
  try {
    await client.connect();
  } catch (err) {
    if (err.code === '3D000') return 0; // invalid_catalog_name: the runner creates the database
    throw err;
  }
  try {
    return await getCurrentSysDBVersion(client, schema);
  } finally {
    await client.end();
  }
}

run('', async (url, schema) => {
  const log = [];
  const logger = {
    info: (entry) => log.push(String(entry)),
    debug: (entry) => log.push(String(entry)),
    warn: (entry) => log.push(String(entry)),
    error: (entry) => log.push(String(entry)),
  };
  const fromVersion = await currentVersion(url, schema);
  let error = null;
  try {
    await ensureSystemDatabase(url, logger, undefined, schema);
  } catch (err) {
    error = errorJson(err);
  }
  const toVersion = await currentVersion(url, schema);
  return {
    fromVersion,
    toVersion,
    latestMigration: allMigrations(schema).length,
    ranMigrations: log.some((line) => line.includes('Running DBOS system database migrations')),
    error,
    log,
  };
});
