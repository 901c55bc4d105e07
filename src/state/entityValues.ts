/**
 * Reading and writing entity properties the domain types need but Table storage lacks:
 * nested objects as JSON text (split when one property would pass the 64 KiB limit) and
 * optional dates.
 */

/** A string property holds at most 64 KiB, i.e. 32 K UTF-16 characters; stay well below. */
const MAX_CHARS_PER_PROPERTY = 30_000;

export type EntityProperties = Record<string, unknown>;

/** `name` holds the JSON, or its first part with `${name}_1`, `${name}_2`, … and `${name}Parts`. */
export function jsonProperties(name: string, value: unknown): EntityProperties {
  if (value === undefined) return {};
  const text = JSON.stringify(value);
  if (text.length <= MAX_CHARS_PER_PROPERTY) return { [name]: text };
  const properties: EntityProperties = {};
  let part = 0;
  for (let at = 0; at < text.length; at += MAX_CHARS_PER_PROPERTY, part++) {
    properties[part === 0 ? name : `${name}_${part}`] = text.slice(at, at + MAX_CHARS_PER_PROPERTY);
  }
  properties[`${name}Parts`] = part;
  return properties;
}

export function readJson<T>(entity: EntityProperties, name: string): T | undefined {
  const first = entity[name];
  if (typeof first !== 'string') return undefined;
  const parts = typeof entity[`${name}Parts`] === 'number' ? (entity[`${name}Parts`] as number) : 1;
  let text = first;
  for (let part = 1; part < parts; part++) text += String(entity[`${name}_${part}`] ?? '');
  return JSON.parse(text) as T;
}

export function readString(entity: EntityProperties, name: string): string | undefined {
  const value = entity[name];
  return typeof value === 'string' ? value : undefined;
}

/** Numbers above 2^31 come back from the service as Int64 text or a typed object: read both. */
export function readNumber(entity: EntityProperties, name: string): number | undefined {
  const value = entity[name];
  if (typeof value === 'number') return value;
  const text = typeof value === 'string' ? value : (value as { value?: unknown } | null)?.value;
  const number = typeof text === 'string' && text.trim() !== '' ? Number(text) : NaN;
  return Number.isFinite(number) ? number : undefined;
}

export function readDate(entity: EntityProperties, name: string): Date | undefined {
  const value = entity[name];
  if (value instanceof Date) return value;
  if (typeof value === 'string' || typeof value === 'number') {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  return undefined;
}

/**
 * Drops undefined values where an object leaves the process: the table SDK would send them as
 * nulls, and a job read from a queue message holds only the fields the message had.
 */
export function defined<T extends object>(properties: T): T {
  return Object.fromEntries(Object.entries(properties).filter(([, value]) => value !== undefined)) as T;
}
