import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WatermarkStore } from '../../src/core/ports';
import { createStorageClients } from '../../src/state/storageClients';
import { createWatermarkStore } from '../../src/state/watermarkStore';
import { startAzurite, type AzuriteInstance } from '../support/azurite';

let azurite: AzuriteInstance;
let watermarks: WatermarkStore;

/** A store on its own clients, as another process holding the same table would have. */
const openStore = (): WatermarkStore =>
  createWatermarkStore(
    createStorageClients({ kind: 'connectionString', connectionString: azurite.connectionString }),
    'marktest',
  );

beforeAll(async () => {
  azurite = await startAzurite();
  watermarks = openStore();
});
afterAll(() => azurite?.stop());

describe('createWatermarkStore', () => {
  it('answers null before a source has a watermark', async () => {
    expect(await watermarks.get('soap')).toBeNull();
  });

  it('returns the moment it was advanced to, to the millisecond', async () => {
    await watermarks.advance('raas', new Date('2025-03-01T10:00:00.123Z'));
    expect(await watermarks.get('raas')).toEqual(new Date('2025-03-01T10:00:00.123Z'));
  });

  it('moves forward when advanced again', async () => {
    await watermarks.advance('soap:tenant/a', new Date('2025-03-01T10:00:00Z'));
    await watermarks.advance('soap:tenant/a', new Date('2025-03-02T10:00:00Z'));
    expect(await watermarks.get('soap:tenant/a')).toEqual(new Date('2025-03-02T10:00:00Z'));
  });

  it('never moves back: a slower cycle’s older read leaves the newer mark', async () => {
    await watermarks.advance('back', new Date('2025-03-02T10:00:00.500Z'));
    await watermarks.advance('back', new Date('2025-03-02T10:00:00.499Z'));
    await openStore().advance('back', new Date('2025-03-01T00:00:00Z'));
    expect(await watermarks.get('back')).toEqual(new Date('2025-03-02T10:00:00.500Z'));
  });

  it('accepts the same moment again', async () => {
    await watermarks.advance('same', new Date('2025-03-01T10:00:00Z'));
    await watermarks.advance('same', new Date('2025-03-01T10:00:00Z'));
    expect(await watermarks.get('same')).toEqual(new Date('2025-03-01T10:00:00Z'));
  });

  it('keeps each source apart', async () => {
    await watermarks.advance('one', new Date('2025-01-01T00:00:00Z'));
    await watermarks.advance('two', new Date('2025-02-01T00:00:00Z'));
    expect(await watermarks.get('one')).toEqual(new Date('2025-01-01T00:00:00Z'));
    expect(await watermarks.get('two')).toEqual(new Date('2025-02-01T00:00:00Z'));
  });

  it('leaves the latest mark when many processes advance at once, in any order, from nothing or from a mark', async () => {
    for (const start of [null, new Date('2025-01-01T00:00:00Z')]) {
      const source = `race-${start ? 'from-mark' : 'from-nothing'}`;
      if (start) await watermarks.advance(source, start);
      // Shuffled so the latest is neither first nor last to start.
      const days = [7, 3, 12, 1, 9, 5, 2, 11, 4, 10, 6, 8];
      const latest = new Date(`2025-02-${String(Math.max(...days)).padStart(2, '0')}T00:00:00Z`);
      await Promise.all(
        days.map((day) => openStore().advance(source, new Date(`2025-02-${String(day).padStart(2, '0')}T00:00:00Z`))),
      );
      expect(await watermarks.get(source)).toEqual(latest);
    }
  });
});
