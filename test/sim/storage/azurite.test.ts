import { spawn, spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { TableClient } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';
import { describe, expect, it } from 'vitest';
import { azuriteCommand, startAzurite, type AzuriteInstance } from '../../support/azurite';

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  for (const end = Date.now() + timeoutMs; Date.now() < end; ) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return check();
}

async function roundTrip(azurite: AzuriteInstance, marker: string): Promise<string | undefined> {
  const queue = new QueueClient(azurite.connectionString, 'harness');
  await queue.createIfNotExists();
  await queue.sendMessage(marker);
  const table = TableClient.fromConnectionString(azurite.connectionString, 'harness', {
    allowInsecureConnection: true,
  });
  await table.createTable();
  await table.upsertEntity({ partitionKey: 'p', rowKey: 'r', marker });
  const entity = await table.getEntity<{ marker: string }>('p', 'r');
  const received = await queue.receiveMessages();
  expect(received.receivedMessageItems[0]?.messageText).toBe(marker);
  return entity.marker;
}

describe('startAzurite', () => {
  it('starts two independent instances in parallel', async () => {
    const [first, second] = await Promise.all([startAzurite(), startAzurite()]);
    try {
      expect(new Set([first.queuePort, first.tablePort, second.queuePort, second.tablePort]).size).toBe(4);
      expect(first.connectionString).toMatch(
        new RegExp(`QueueEndpoint=http://127\\.0\\.0\\.1:${first.queuePort}/devstoreaccount1;`),
      );
      expect(first.connectionString).toMatch(
        new RegExp(`TableEndpoint=http://127\\.0\\.0\\.1:${first.tablePort}/devstoreaccount1;`),
      );
      expect(await roundTrip(first, 'one')).toBe('one');
      expect(await roundTrip(second, 'two')).toBe('two');
    } finally {
      await Promise.all([first.stop(), second.stop()]);
    }
  });

  it('stop ends the process and closes its ports, and may be called twice', async () => {
    const azurite = await startAzurite();
    expect(isAlive(azurite.pid)).toBe(true);
    await azurite.stop();
    await azurite.stop();
    expect(isAlive(azurite.pid)).toBe(false);
    expect(await accepts(azurite.tablePort)).toBe(false);
    expect(await accepts(azurite.queuePort)).toBe(false);
  });

  it('sweeps its queue store every 10 minutes, not every minute (each sweep blocked the emulator for 1.5 s)', () => {
    // Azurite's own modules, loaded behind the same preload as the emulator: the sweeper's interval as it reads it.
    const { command, args } = azuriteCommand();
    const constants = require.resolve('azurite/dist/src/queue/utils/constants.js');
    const read = `process.stdout.write(String(require(${JSON.stringify(constants)}).DEFAULT_GC_INTERVAL_MS))`;
    const ran = spawnSync(command, [args[0]!, args[1]!, '-e', read], { input: '', encoding: 'utf8' });
    expect(ran.stderr).toBe('');
    expect(Number(ran.stdout)).toBe(10 * 60 * 1000);
  });

  it('ends Azurite when the process that started it is killed outright', async () => {
    // A parent that spawns Azurite as startAzurite does, reports its pid, and is then SIGKILLed.
    const { command, args } = azuriteCommand();
    const parentScript = `
      const c = require('node:child_process').spawn(${JSON.stringify(command)}, ${JSON.stringify(args)}, { stdio: ['pipe', 'ignore', 'ignore'] });
      console.log(c.pid);
      setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['-e', parentScript], { stdio: ['ignore', 'pipe', 'inherit'] });
    const azuritePid = await new Promise<number>((resolve) =>
      parent.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))),
    );
    expect(await waitUntil(() => isAlive(azuritePid), 5_000)).toBe(true);
    parent.kill('SIGKILL');
    try {
      // Generous: on a loaded machine Azurite may still be loading its modules, and reads its stdin after.
      expect(await waitUntil(() => !isAlive(azuritePid), 30_000)).toBe(true);
    } finally {
      if (isAlive(azuritePid)) process.kill(azuritePid, 'SIGKILL');
    }
  });
});
