/**
 * A worker as the core sees it: validated logical fields (`workerId`, `personalEmail`,
 * `countryIso`, …) plus the raw attributes that scoping filters read.
 */
import { isCountryCode } from './countries';
import { maskEmail } from './mask';
import type { RawRecord } from './ports';

export type AttributeValue = string | string[] | null;

export interface Worker {
  workerId: string;
  /** Logical field values after validation; null where the source had none. */
  fields: Record<string, string | null>;
  /** Raw attributes by column name, flattened (group fields become strings or lists). */
  attributes: Record<string, AttributeValue>;
}

export type WorkerParse =
  | { ok: true; worker: Worker }
  | { ok: false; workerId: string | null; reason: RejectionReason; detail: string; attributes: Record<string, AttributeValue> };

export type RejectionReason =
  | 'missingWorkerId'
  | 'invalidWorkerId'
  | 'invalidEmail'
  | 'accentedEmail'
  | 'emailTooLong'
  | 'invalidCountry'
  | 'invalidField'
  | 'blockedEmailDomain';

/** Entra's employeeId holds at most 16 characters. */
export const MAX_WORKER_ID_LENGTH = 16;
/** otherMails values hold at most 250 characters. */
export const MAX_EMAIL_LENGTH = 250;
const MAX_FIELD_LENGTH = 1024;

/** Workday group fields arrive as an object or an array of objects: keep what a filter can compare. */
export function flattenValue(value: unknown): AttributeValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    const items = value.map(flattenValue).flatMap((item) => (item === null ? [] : Array.isArray(item) ? item : [item]));
    if (items.length === 0) return null;
    return items.length === 1 ? (items[0] as string) : items;
  }
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of ['Descriptor', 'descriptor', 'ID', 'id', 'value', 'Value']) {
      if (key in record) return flattenValue(record[key]);
    }
    const first = Object.values(record).find((entry) => typeof entry === 'string' || typeof entry === 'number');
    return first === undefined ? null : flattenValue(first);
  }
  return null;
}

/** The single value of a logical field: the first of a list. */
function single(value: AttributeValue): string | null {
  return Array.isArray(value) ? (value[0] ?? null) : value;
}

// Printable: no C0/C1 control characters (they would corrupt filters, logs and table keys).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
const EMAIL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

export function validateWorkerId(id: string): string | null {
  if ([...id].length > MAX_WORKER_ID_LENGTH) return `worker id is longer than ${MAX_WORKER_ID_LENGTH} characters (Entra's employeeId limit)`;
  if (CONTROL.test(id)) return 'worker id holds control characters';
  return null;
}

function checkEmail(email: string): { reason: RejectionReason; detail: string } | null {
  if (/[^\x20-\x7e]/.test(email)) {
    return { reason: 'accentedEmail', detail: `personal email ${maskEmail(email)} holds accented or non-ASCII characters, which otherMails refuses` };
  }
  if (email.length > MAX_EMAIL_LENGTH) return { reason: 'emailTooLong', detail: `personal email is longer than ${MAX_EMAIL_LENGTH} characters` };
  if (!EMAIL.test(email)) return { reason: 'invalidEmail', detail: `personal email ${maskEmail(email)} is not a valid address` };
  return null;
}

/**
 * Validates one source record. `fields` maps each logical field to its column
 * (`source.fields` of the connector, defaults applied).
 */
export function parseWorker(raw: RawRecord, fields: Readonly<Record<string, string>>): WorkerParse {
  const attributes: Record<string, AttributeValue> = {};
  for (const [column, value] of Object.entries(raw)) attributes[column] = flattenValue(value);
  const result = validate(attributes, fields);
  return result.ok ? result : { ...result, attributes };
}

function validate(attributes: Record<string, AttributeValue>, fields: Readonly<Record<string, string>>): WorkerParse | { ok: false; workerId: string | null; reason: RejectionReason; detail: string } {

  const workerId = single(attributes[fields.workerId ?? 'WorkerID'] ?? null);
  if (workerId === null) return { ok: false, workerId: null, reason: 'missingWorkerId', detail: 'the record has no worker id' };
  const idProblem = validateWorkerId(workerId);
  if (idProblem) return { ok: false, workerId, reason: 'invalidWorkerId', detail: idProblem };

  const values: Record<string, string | null> = {};
  for (const [logical, column] of Object.entries(fields)) {
    const value = single(attributes[column] ?? null);
    if (value !== null && value.length > MAX_FIELD_LENGTH) {
      return { ok: false, workerId, reason: 'invalidField', detail: `${logical} is longer than ${MAX_FIELD_LENGTH} characters` };
    }
    values[logical] = value;
  }
  values.workerId = workerId;

  const email = values.personalEmail;
  if (email != null) {
    const problem = checkEmail(email);
    if (problem) return { ok: false, workerId, ...problem };
  }
  const country = values.countryIso;
  if (country != null) {
    const code = country.toUpperCase();
    if (!isCountryCode(code)) {
      return { ok: false, workerId, reason: 'invalidCountry', detail: `country '${country}' is not an ISO 3166-1 alpha-2 code` };
    }
    values.countryIso = code;
  }
  return { ok: true, worker: { workerId, fields: values, attributes } };
}

/** Whether an email is in one of the blocked domains or their subdomains. */
export function isBlockedDomain(email: string, blockedDomains: readonly string[]): boolean {
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  return blockedDomains.some((blocked) => domain === blocked || domain.endsWith(`.${blocked}`));
}
