// One OS process that reads Graph through the deployment's shared resource-unit budget (the
// compiled app: `npm run build` first). Env: STORAGE (connection string), TABLE_PREFIX,
// GRAPH_BASE_URL, BUDGET (resource units per 10 s the tenant has), DURATION_MS, NAME, SHARED
// ('0': no shared budget, each process on its own). Looks up distinct employeeIds one at a time
// from four loops until DURATION_MS has passed (each lookup one request: one resource unit), then
// prints `done <lookups> <most readers counted at one look>` (the most, not the last: the other
// process may have finished and removed its row before this one's last look).
const { createStorageClients } = require('../../dist/src/state/storageClients');
const { createSharedReadBudget } = require('../../dist/src/state/sharedReadBudget');
const { createGraphDirectory } = require('../../dist/src/graph/graphDirectory');
const { tableName } = require('../../dist/src/state/tableKeys');

async function main() {
  const clients = createStorageClients({ kind: 'connectionString', connectionString: process.env.STORAGE });
  // A deployment's Runs table exists once it recorded a run; the presence rows never create it.
  await clients.ensureTable(tableName(process.env.TABLE_PREFIX, 'Runs'));
  const readBudget = createSharedReadBudget(clients, process.env.TABLE_PREFIX);
  const budget = Number(process.env.BUDGET);
  const directory = createGraphDirectory({
    baseUrl: process.env.GRAPH_BASE_URL,
    auth: 'none',
    pacing: {
      resourceUnitBudgets: [budget],
      maxResourceUnitsPerSecond: budget / 10,
      coalesceWindowMs: 5,
      ...(process.env.SHARED === '0' ? {} : { readShare: readBudget }),
    },
  });
  const until = Date.now() + Number(process.env.DURATION_MS);
  let lookups = 0;
  let readers = 0;
  const loop = async (lane) => {
    for (let n = 0; Date.now() < until; n++) {
      await directory.findUsersByEmployeeId(`${process.env.NAME}${lane}x${n}`);
      lookups++;
      readers = Math.max(readers, readBudget.readers());
    }
  };
  await Promise.all([0, 1, 2, 3].map(loop));
  await readBudget.close();
  await directory.close();
  process.stdout.write(`done ${lookups} ${readers}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
