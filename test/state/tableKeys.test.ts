import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/core/errors';
import {
  encodeKey,
  invertedTimeKey,
  PARTITION_COUNT,
  partitionOf,
  tableName,
  workerKeys,
} from '../../src/state/tableKeys';

/** What Table storage refuses in a key: `/ \ # ?` and control characters. */
const FORBIDDEN = /[/\\#?\u0000-\u001f\u007f-\u009f]/;
const AWKWARD_IDS = [
  "O'Brien",
  'a/b#c?',
  'José',
  '1234567890123456',
  'back\\slash',
  '%41 100%',
  'tab\there',
  '~7E~',
  '日本語🙂',
  'W000123',
];

describe('encodeKey', () => {
  it.each(AWKWARD_IDS)('gives %j a key with no forbidden characters', (id) => {
    const key = encodeKey(id);
    expect(key).not.toMatch(FORBIDDEN);
    expect(key).not.toMatch(/['%]/);
  });

  it('keeps a plain id readable', () => {
    expect(encodeKey('W000123')).toBe('W000123');
    expect(encodeKey("O'Brien")).toBe('O~27Brien');
  });

  it('gives distinct ids distinct keys', () => {
    const keys = new Set(AWKWARD_IDS.map(encodeKey));
    expect(keys.size).toBe(AWKWARD_IDS.length);
  });

  it('hashes an empty or over-long id into a short key', () => {
    for (const id of ['', 'é'.repeat(400)]) {
      const key = encodeKey(id);
      expect(key.length).toBeLessThanOrEqual(70);
      expect(key).not.toMatch(FORBIDDEN);
      expect(key).toMatch(/^~H[0-9a-f]{64}$/);
    }
    expect(encodeKey('x'.repeat(600))).not.toBe(encodeKey('x'.repeat(601)));
  });
});

describe('partitionOf', () => {
  it('is stable and one of 16 partitions', () => {
    expect(partitionOf('W000123')).toBe(partitionOf('W000123'));
    expect(partitionOf('W000123')).toMatch(/^p[0-9a-f]$/);
  });

  it('spreads a population over every partition', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 1600; i++) counts.set(partitionOf(`W${i}`), (counts.get(partitionOf(`W${i}`)) ?? 0) + 1);
    expect(counts.size).toBe(PARTITION_COUNT);
    expect(Math.min(...counts.values())).toBeGreaterThan(50);
  });

  it('pairs with the row key in workerKeys', () => {
    expect(workerKeys('a/b')).toEqual({ partitionKey: partitionOf('a/b'), rowKey: 'a~2Fb' });
  });
});

describe('tableName', () => {
  it('joins prefix and suffix', () => {
    expect(tableName('attrwriter', 'Ledger')).toBe('attrwriterLedger');
  });

  it('refuses a prefix that makes an invalid table name, naming the setting', () => {
    try {
      tableName('attr-writer', 'Ledger');
      expect.unreachable();
    } catch (err) {
      expect(isAppError(err) && err.code).toBe('CONFIG.INVALID_SETTING');
      expect(String(err)).toContain('TABLE_PREFIX');
    }
  });
});

describe('invertedTimeKey', () => {
  it('sorts later times first', () => {
    const keys = [new Date('2024-01-01'), new Date('2025-06-01'), new Date('2024-12-31T23:59:59.999Z')].map(
      invertedTimeKey,
    );
    expect([...keys].sort()).toEqual([keys[1], keys[2], keys[0]]);
    expect(new Set(keys.map((key) => key.length)).size).toBe(1);
  });
});
