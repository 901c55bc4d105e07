// One OS process that writes through the deployment's shared write budget (the compiled app:
// `npm run build` first). Env: STORAGE (connection string), TABLE_PREFIX, GRAPH_BASE_URL,
// CEILING (writes per second), ANSWER_BOUND_MS (how long after it left a write may still count),
// USER_IDS (comma-separated). PATCHes every user at once (the pacer
// and the shared budget decide when each leaves), prints `first` after its first answered write
// and `done <storage operations as JSON>` at the end. With PRIORITY_EVERY_MS set it writes as
// resync does instead: one user at a time with priority, that many ms apart, and prints
// `took <ms>` for each write.

const { createStorageClients } = require('../../dist/src/state/storageClients');
const { createSharedWriteBudget } = require('../../dist/src/state/sharedWriteBudget');
const { createGraphDirectory } = require('../../dist/src/graph/graphDirectory');

async function main() {
  const clients = createStorageClients({ kind: 'connectionString', connectionString: process.env.STORAGE });
  const answerBoundMs = Number(process.env.ANSWER_BOUND_MS);
  const writeBudget = createSharedWriteBudget(clients, process.env.TABLE_PREFIX, { answerBoundMs });
  const directory = createGraphDirectory({
    baseUrl: process.env.GRAPH_BASE_URL,
    auth: 'none',
    pacing: { maxWritesPerSecond: Number(process.env.CEILING), writeAnswerBoundMs: answerBoundMs },
    writeBudget,
  });
  const ids = process.env.USER_IDS.split(',');
  const every = Number(process.env.PRIORITY_EVERY_MS || 0);
  if (every > 0) await writeAsResync(directory, writeBudget, ids, every);
  else await writeAllAtOnce(directory, ids);
  await writeBudget.close();
  await directory.close();
  process.stdout.write(`done ${JSON.stringify(writeBudget.operations())}\n`);
}

const usageLocationOf = (i) => (i % 2 === 0 ? 'GB' : 'FR');

/** One user at a time with priority, `every` ms apart; prints `took <ms>` for each write. */
async function writeAsResync(directory, writeBudget, ids, every) {
  for (const [i, id] of ids.entries()) {
    await new Promise((wait) => setTimeout(wait, every));
    const release = writeBudget.prioritize();
    const started = Date.now();
    try {
      await directory.updateUser(id, { usageLocation: usageLocationOf(i) });
    } finally {
      release();
    }
    process.stdout.write(`took ${Date.now() - started}\n`);
  }
}

/** Every user at once (the pacer and the shared budget decide when each leaves); prints `first` after the first answer. */
async function writeAllAtOnce(directory, ids) {
  let first = true;
  await Promise.all(
    ids.map(async (id, i) => {
      await directory.updateUser(id, { usageLocation: usageLocationOf(i) });
      if (first) {
        first = false;
        process.stdout.write('first\n');
      }
    }),
  );
}

main().catch((err) => {
  process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
