/**
 * A worker as the core sees it: validated logical fields (`workerId`, `personalEmail`,
 * `countryIso`, …) plus the raw attributes that scoping filters read.
 */
import { domainToASCII } from 'node:url';
import { isCountryCode } from './countries';
import { AppError } from './errors';
import { emailProblem } from './emailProblems';
import { EMAIL, maskEmail, maskPersonalData } from './mask';
import type { AttributeValue, RawRecord } from './ports';
import { printableText } from './printableText';

export interface Worker {
  workerId: string;
  /** Logical field values after validation; null where the source had none. */
  fields: Record<string, string | null>;
  /** Raw attributes by column name, flattened (group fields become strings or lists). */
  attributes: Record<string, AttributeValue>;
}

export type WorkerParse =
  | { ok: true; worker: Worker }
  | {
      ok: false;
      workerId: string | null;
      reason: RejectionReason;
      detail: string;
      attributes: Record<string, AttributeValue>;
    };

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

/** The key of the record a reader hands on for a report entry too large to read (its size in characters). */
export const OVERSIZED_ENTRY = '@oversizedEntry';

/**
 * Workday report fields are one or two levels deep (a group object, or a list of them); deeper
 * is not a report field, and an unbounded walk over it would overflow the stack.
 */
export const MAX_NESTING = 8;

/** Workday group fields arrive as an object or an array of objects: keep what a filter can compare. */
export function flattenValue(value: unknown, depth = 0): AttributeValue {
  if (value === null || value === undefined || depth > MAX_NESTING) return null;
  if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    const items = value
      .map((item) => flattenValue(item, depth + 1))
      .flatMap((item) => (item === null ? [] : Array.isArray(item) ? item : [item]));
    if (items.length === 0) return null;
    return items.length === 1 ? (items[0] as string) : items;
  }
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of ['Descriptor', 'descriptor', 'ID', 'id', 'value', 'Value']) {
      if (key in record) return flattenValue(record[key], depth + 1);
    }
    const first = Object.values(record).find((entry) => typeof entry === 'string' || typeof entry === 'number');
    return first === undefined ? null : flattenValue(first, depth + 1);
  }
  return null;
}

/** Whether a raw value nests deeper than MAX_NESTING; stops looking at the limit. */
function nestsTooDeep(value: unknown, depth = 0): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (depth >= MAX_NESTING) return true;
  return Object.values(value).some((item) => nestsTooDeep(item, depth + 1));
}

/** Not printable: C0/C1 controls (they corrupt filters, logs and table keys). */
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/u;
// A lone UTF-16 surrogate is broken text (URL encoding throws on it); U+FFFD is text already broken.
const BROKEN = /[\p{Cs}\uFFFD]/u;
// Zero-width, bidi and other format characters, line separators, private-use and unassigned code
// points: invisible, so an id holding one looks like another id and matches no user.
const INVISIBLE = /[\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/u;

export function validateWorkerId(id: string): string | null {
  if (id.length > 4 * MAX_WORKER_ID_LENGTH || [...id].length > MAX_WORKER_ID_LENGTH) {
    return `worker id is longer than ${MAX_WORKER_ID_LENGTH} characters (Entra's employeeId limit)`;
  }
  if (CONTROL_CHARACTERS.test(id)) return 'worker id holds control characters';
  if (BROKEN.test(id)) return 'worker id holds a lone UTF-16 surrogate or a replacement character (broken text)';
  if (INVISIBLE.test(id))
    return 'worker id holds invisible characters (zero-width, right-to-left or other format marks)';
  return null;
}

type Checked = { reason: RejectionReason; detail: string };

/**
 * The personal email as otherMails may hold it. Graph refuses accented characters: an accented
 * local part is rejected (no ASCII form exists); an internationalised domain is written in its
 * ASCII form (`xn--…`, IDNA), which names the same mailbox, so the worker still gets a channel.
 */
function checkEmail(raw: string): Checked | { email: string } {
  if (CONTROL_CHARACTERS.test(raw) || BROKEN.test(raw) || INVISIBLE.test(raw)) {
    return {
      reason: 'invalidEmail',
      detail: `personal email ${maskEmail(raw)} holds control, invisible or broken characters`,
    };
  }
  const at = raw.lastIndexOf('@');
  const local = at < 0 ? raw : raw.slice(0, at);
  let domain = at < 0 ? '' : raw.slice(at + 1);
  if (/[^\x20-\x7e]/.test(local)) {
    return {
      reason: 'accentedEmail',
      detail: `personal email ${maskEmail(raw)} holds accented or non-ASCII characters before the @, which otherMails refuses`,
    };
  }
  if (/[^\x20-\x7e]/.test(domain)) {
    domain = domainToASCII(domain);
    if (domain === '')
      return {
        reason: 'invalidEmail',
        detail: `personal email ${maskEmail(raw)} has a domain that is not a valid internationalised domain name`,
      };
  }
  const email = at < 0 ? raw : `${local}@${domain}`;
  if (email.length > MAX_EMAIL_LENGTH)
    return { reason: 'emailTooLong', detail: `personal email is longer than ${MAX_EMAIL_LENGTH} characters` };
  if (!EMAIL.test(email))
    return { reason: 'invalidEmail', detail: `personal email ${maskEmail(email)} ${emailProblem(email)}` };
  return { email };
}

const REASON_OF_FIELD: Readonly<Record<string, RejectionReason>> = {
  workerId: 'invalidWorkerId',
  personalEmail: 'invalidEmail',
  countryIso: 'invalidCountry',
};

/**
 * One logical field's value: a text (a number is read as its digits), or a list holding one
 * value. Several different values are refused rather than guessed between: which of two
 * mailboxes becomes a password-reset channel is not a choice to make silently.
 */
function logicalValue(logical: string, raw: unknown): { value: string | null } | Checked {
  const refuse = (what: string): Checked => ({
    reason: REASON_OF_FIELD[logical] ?? 'invalidField',
    detail: `${logical} ${what}`,
  });
  if (logical === 'workerId') {
    if (typeof raw === 'boolean') return refuse(`is ${String(raw)}, not an id`);
    if (typeof raw === 'number' && !Number.isSafeInteger(raw))
      return refuse(`is the number ${String(raw)}, which JSON cannot carry exactly: the report must give ids as text`);
    const objects = (Array.isArray(raw) ? raw : [raw]).some((item) => typeof item === 'object' && item !== null);
    if (objects) return refuse('is a group of fields, not one id');
  }
  const value = flattenValue(raw);
  if (!Array.isArray(value)) return { value };
  const distinct = [...new Set(value)];
  if (distinct.length > 1) return refuse(`holds ${distinct.length} different values; the report must give one`);
  return { value: distinct[0] ?? null };
}

/**
 * Validates one source record. `fields` maps each logical field to its column
 * (`source.fields` of the connector, defaults applied).
 */
export function parseWorker(raw: RawRecord, fields: Readonly<Record<string, string>>): WorkerParse {
  const attributes: Record<string, AttributeValue> = {};
  // `__proto__` from JSON is an own key; assigning it would change the object's prototype.
  for (const [column, value] of Object.entries(raw))
    if (column !== '__proto__') attributes[column] = flattenValue(value);
  const result = validate(raw, attributes, fields);
  return result.ok ? result : { ...result, attributes };
}

function validate(
  raw: RawRecord,
  attributes: Record<string, AttributeValue>,
  fields: Readonly<Record<string, string>>,
): WorkerParse | { ok: false; workerId: string | null; reason: RejectionReason; detail: string } {
  if (OVERSIZED_ENTRY in raw) {
    // Unread, so its id is unknown: missingWorkerId, which no scope verdict can turn into outOfScope.
    return {
      ok: false,
      workerId: null,
      reason: 'missingWorkerId',
      detail: `the report entry is ${String(raw[OVERSIZED_ENTRY])} characters long, far over any report row; it was skipped unread`,
    };
  }
  const idColumn = fields.workerId ?? 'WorkerID';
  const idValue = logicalValue('workerId', raw[idColumn]);
  if ('reason' in idValue) return { ok: false, workerId: null, ...idValue };
  const workerId = idValue.value;
  if (workerId === null)
    return { ok: false, workerId: null, reason: 'missingWorkerId', detail: 'the record has no worker id' };
  const idProblem = validateWorkerId(workerId);
  if (idProblem) return { ok: false, workerId: printableText(workerId), reason: 'invalidWorkerId', detail: idProblem };

  const deep = Object.keys(raw).find((column) => nestsTooDeep(raw[column]));
  if (deep !== undefined) {
    return {
      ok: false,
      workerId,
      reason: 'invalidField',
      detail: `column '${deep.slice(0, 64)}' is nested deeper than ${MAX_NESTING} levels: not a report field`,
    };
  }

  const values: Record<string, string | null> = {};
  for (const [logical, column] of Object.entries(fields)) {
    if (logical === 'workerId') continue;
    const checked = logicalValue(logical, raw[column]);
    if ('reason' in checked) return { ok: false, workerId, ...checked };
    const value = checked.value;
    if (value !== null && value.length > MAX_FIELD_LENGTH) {
      return {
        ok: false,
        workerId,
        reason: 'invalidField',
        detail: `${logical} is longer than ${MAX_FIELD_LENGTH} characters`,
      };
    }
    values[logical] = value;
  }
  values.workerId = workerId;

  if (values.personalEmail != null) {
    const checked = checkEmail(values.personalEmail);
    if ('reason' in checked) return { ok: false, workerId, ...checked };
    values.personalEmail = checked.email;
  }
  const country = values.countryIso;
  if (country != null) {
    const code = country.toUpperCase();
    if (!isCountryCode(code)) {
      return {
        ok: false,
        workerId,
        reason: 'invalidCountry',
        // Masked before it is cut short: a cut address (`jane.doe@exa`) no longer looks like one.
        detail: `country '${printableText(maskPersonalData(country).slice(0, 16))}' is not an ISO 3166-1 alpha-2 code`,
      };
    }
    values.countryIso = code;
  }
  return { ok: true, worker: { workerId, fields: values, attributes } };
}

/**
 * Whether an email is in one of the blocked domains or their subdomains. Both sides are compared
 * in their ASCII (IDNA) form, as emails are written: a blocked domain listed in Unicode still blocks.
 */
export function isBlockedDomain(email: string, blockedDomains: readonly string[]): boolean {
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  return blockedDomains.some((listed) => {
    const blocked = domainToASCII(listed) || listed.toLowerCase();
    return domain === blocked || domain.endsWith(`.${blocked}`);
  });
}

/** Validates a worker id taken from a URL path or a command line: 400 material, never a Graph filter. */
export function checkWorkerIdInput(workerId: string): string {
  const trimmed = workerId.trim();
  if (trimmed === '') throw new AppError('INPUT.INVALID', 'worker id is empty');
  const problem = validateWorkerId(trimmed);
  if (problem) throw new AppError('INPUT.INVALID', problem);
  return trimmed;
}
