import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WatermarkStore } from '../../src/core/ports';
import { createStorageClients } from '../../src/state/storageClients';
import { createWatermarkStore } from '../../src/state/watermarkStore';
import { startAzurite, type AzuriteInstance } from '../support/azurite';

let azurite: AzuriteInstance;
let watermarks: WatermarkStore;

beforeAll(async () => {
  azurite = await startAzurite();
  watermarks = createWatermarkStore(createStorageClients({ kind: 'connectionString', connectionString: azurite.connectionString }), 'marktest');
});
afterAll(() => azurite?.stop());

describe('createWatermarkStore', () => {
  it('answers null before a source has a watermark', async () => {
    expect(await watermarks.get('soap')).toBeNull();
  });

  it('returns the moment it was set, to the millisecond', async () => {
    await watermarks.set('raas', new Date('2025-03-01T10:00:00.123Z'));
    expect(await watermarks.get('raas')).toEqual(new Date('2025-03-01T10:00:00.123Z'));
  });

  it('moves forward when set again', async () => {
    await watermarks.set('soap:tenant/a', new Date('2025-03-01T10:00:00Z'));
    await watermarks.set('soap:tenant/a', new Date('2025-03-02T10:00:00Z'));
    expect(await watermarks.get('soap:tenant/a')).toEqual(new Date('2025-03-02T10:00:00Z'));
  });

  it('keeps each source apart', async () => {
    await watermarks.set('one', new Date('2025-01-01T00:00:00Z'));
    await watermarks.set('two', new Date('2025-02-01T00:00:00Z'));
    expect(await watermarks.get('one')).toEqual(new Date('2025-01-01T00:00:00Z'));
  });
});
