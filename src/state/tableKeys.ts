/**
 * Table keys for worker ids. Worker ids may hold any printable character, but a PartitionKey or
 * RowKey may not hold `/ \ # ?` or control characters and is at most 1 KiB; `'` and `%` are legal
 * yet trip up URL and OData handling. So keys keep `[A-Za-z0-9_.-]` readable and escape every
 * other UTF-8 byte as `~XX` (hex), which is reversible and uses only safe characters.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../core/errors';

const SAFE = /[A-Za-z0-9_.-]/;
/** Far below the 1 KiB key limit; only ids no valid worker has (over 16 characters) get this long. */
const MAX_ESCAPED_LENGTH = 512;
/** Marks a key that is a hash of an over-long or empty id; in an escaped key `~` is always followed by hex. */
const HASHED_PREFIX = '~H';
export const PARTITION_COUNT = 16;

export function encodeKey(id: string): string {
  let key = '';
  for (const char of id) {
    if (SAFE.test(char)) key += char;
    else for (const byte of Buffer.from(char, 'utf8')) key += `~${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (key === '' || key.length > MAX_ESCAPED_LENGTH)
    return `${HASHED_PREFIX}${createHash('sha256').update(id, 'utf8').digest('hex')}`;
  return key;
}

/**
 * A small stable hash (FNV-1a) spreads workers over 16 partitions: `putMany` can then write
 * 100 entities per transaction, and no single partition holds the whole population.
 */
export function partitionOf(id: string): string {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(id, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `p${(hash % PARTITION_COUNT).toString(16)}`;
}

export function workerKeys(workerId: string): { partitionKey: string; rowKey: string } {
  return { partitionKey: partitionOf(workerId), rowKey: encodeKey(workerId) };
}

/** `${prefix}${suffix}`, checked against the table name rules (letters and digits, 3–63, letter first). */
export function tableName(prefix: string, suffix: string): string {
  const name = `${prefix}${suffix}`;
  if (!/^[A-Za-z][A-Za-z0-9]{2,62}$/.test(name)) {
    throw new AppError(
      'CONFIG.INVALID_SETTING',
      `TABLE_PREFIX '${prefix}' makes the invalid table name '${name}': use letters and digits, at most 21`,
    );
  }
  return name;
}

/** Largest millisecond timestamp a Date can hold; inverted times count down from it. */
const MAX_TIME = 8_640_000_000_000_000;

/** A RowKey that sorts newest first: Table storage returns rows in ascending key order. */
export function invertedTimeKey(at: Date): string {
  return String(MAX_TIME - at.getTime()).padStart(16, '0');
}
