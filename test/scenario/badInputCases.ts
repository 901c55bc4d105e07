/**
 * The bad-input table (issue 10): one row per case, each with the outcome an identity engineer
 * expects and why. A row names the source records it puts into the Workday simulator, the Entra
 * user it needs, the outcome, and where that outcome is recorded. badInput.test.ts runs every row
 * through RaaS and SOAP in one cycle each, so a bad row sits among good ones in every Graph batch.
 */
import type { OutcomeCode } from '../../src/core/outcome';
import type { SimUserSeed, SimWorker } from '../../sim/world';
import { hybridWorker, syncedUser } from './smallWorld';

export type SourceKind = 'raas' | 'soap';

export interface BadInputCase {
  name: string;
  /** The records this case adds to the report (usually one). */
  records: () => SimWorker[];
  /** The Entra user the case needs (most written cases). */
  users?: SimUserSeed[];
  /** The sources that can carry the case (SOAP is XML: it has no numbers, booleans or nesting of its own). */
  sources: readonly SourceKind[];
  code: OutcomeCode;
  reason: string | null;
  /**
   * Ledger keys that must hold the outcome (every record with an id that validation could read),
   * per source when they differ; [] for a record without a usable id, counted but not keyed.
   */
  ledgerIds: readonly string[] | Readonly<Record<SourceKind, readonly string[]>>;
  /** otherMails of the case's user after the cycle, for written cases. */
  otherMails?: readonly string[];
  /** A fragment the detail must hold, where the reason alone does not say enough. */
  detail?: RegExp;
}

const BOTH = ['raas', 'soap'] as const;
const RAAS = ['raas'] as const;

/** A hybrid worker with the given id, email and country, the rest as a valid in-scope employee. */
function record(
  workerId: string,
  email: unknown = `${workerId.toLowerCase()}@example.net`,
  country: unknown = 'GB',
): SimWorker {
  const worker = hybridWorker(workerId, {
    email: email as string | null,
    businessSiteCountry: country as string | null,
  });
  return worker;
}

/** A record whose id is not a string (RaaS only: a report column of another type). */
function typedId(placeholder: string, id: unknown): SimWorker {
  const worker = record(placeholder);
  worker.workerId = id as string;
  return worker;
}

function nested(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** A written case: the user exists, the email lands in otherMails as given (or as `written`). */
function written(
  name: string,
  workerId: string,
  email: unknown,
  sources: readonly SourceKind[],
  expected: string | null,
  country: unknown = 'GB',
): BadInputCase {
  return {
    name,
    records: () => [record(workerId, email, country)],
    users: [syncedUser(workerId.trim())],
    sources,
    code: 'written',
    reason: null,
    ledgerIds: [workerId.trim()],
    otherMails: expected === null ? [] : [expected],
  };
}

function rejected(
  name: string,
  workerId: string,
  email: unknown,
  reason: string,
  sources: readonly SourceKind[],
  country: unknown = 'GB',
  detail?: RegExp,
): BadInputCase {
  return {
    name,
    records: () => [record(workerId, email, country)],
    users: [syncedUser(workerId)],
    sources,
    code: 'rejected',
    reason,
    ledgerIds: [workerId],
    ...(detail ? { detail } : {}),
  };
}

const LONG_LOCAL = 'a'.repeat(60);
const OVER_250 = `${LONG_LOCAL}@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.example`;

export const BAD_INPUT_CASES: readonly BadInputCase[] = [
  // Worker ids: the key to an Entra user, so anything doubtful is refused before Graph sees it.
  {
    name: 'id null',
    records: () => [typedId('X', null)],
    sources: RAAS,
    code: 'rejected',
    reason: 'missingWorkerId',
    ledgerIds: [],
  },
  {
    name: 'id empty',
    records: () => [typedId('X', '')],
    sources: BOTH,
    code: 'rejected',
    reason: 'missingWorkerId',
    ledgerIds: [],
  },
  {
    name: 'id only blanks',
    records: () => [typedId('X', '   ')],
    sources: BOTH,
    code: 'rejected',
    reason: 'missingWorkerId',
    ledgerIds: [],
  },
  {
    name: 'id a safe integer, read as its digits',
    records: () => [typedId('X', 4242)],
    users: [syncedUser('4242')],
    sources: RAAS,
    code: 'written',
    reason: null,
    ledgerIds: ['4242'],
    otherMails: ['x@example.net'],
  },
  // 2^53 + 1 arrives as 2^53: reading it would write another employee's account.
  {
    name: 'id an integer JSON cannot carry exactly',
    records: () => [typedId('X', 9007199254740993)],
    users: [syncedUser('9007199254740992')],
    sources: RAAS,
    code: 'rejected',
    reason: 'invalidWorkerId',
    ledgerIds: [],
  },
  {
    name: 'id a fraction',
    records: () => [typedId('X', 12.5)],
    sources: RAAS,
    code: 'rejected',
    reason: 'invalidWorkerId',
    ledgerIds: [],
  },
  {
    name: 'id a boolean',
    records: () => [typedId('X', true)],
    sources: RAAS,
    code: 'rejected',
    reason: 'invalidWorkerId',
    ledgerIds: [],
  },
  // A reference object's Descriptor is the worker's name, not the id.
  {
    name: 'id a group object',
    records: () => [typedId('X', { Descriptor: 'Jane Doe', ID: '5150' })],
    users: [syncedUser('5150')],
    sources: RAAS,
    code: 'rejected',
    reason: 'invalidWorkerId',
    ledgerIds: [],
  },
  {
    name: 'id a list of two ids',
    records: () => [typedId('X', ['L-1', 'L-2'])],
    users: [syncedUser('L-1')],
    sources: RAAS,
    code: 'rejected',
    reason: 'invalidWorkerId',
    ledgerIds: [],
  },
  {
    name: 'id a list of one id',
    records: () => [typedId('x-one', ['L-ONE'])],
    users: [syncedUser('L-ONE')],
    sources: RAAS,
    code: 'written',
    reason: null,
    ledgerIds: ['L-ONE'],
    otherMails: ['x-one@example.net'],
  },
  {
    name: 'id over 16 characters',
    records: () => [typedId('X', 'ID-SEVENTEEN-CHRS')],
    sources: BOTH,
    code: 'rejected',
    reason: 'invalidWorkerId',
    ledgerIds: ['ID-SEVENTEEN-CHRS'],
    detail: /16 characters/,
  },
  {
    name: 'id a huge string (100,000 characters)',
    records: () => [typedId('X', 'H'.repeat(100_000))],
    sources: BOTH,
    code: 'rejected',
    reason: 'invalidWorkerId',
    ledgerIds: [`${'H'.repeat(64)}…`],
  },
  // A lone surrogate made encodeURIComponent throw and failed every worker batched with it.
  {
    name: 'id with a lone high surrogate',
    records: () => [typedId('X', 'LS\ud8001')],
    sources: RAAS,
    code: 'rejected',
    reason: 'invalidWorkerId',
    ledgerIds: ['LS\\u{D800}1'],
    detail: /surrogate/,
  },
  {
    name: 'id with a lone low surrogate',
    records: () => [typedId('X', '\udc00LS2')],
    sources: RAAS,
    code: 'rejected',
    reason: 'invalidWorkerId',
    ledgerIds: ['\\u{DC00}LS2'],
    detail: /surrogate/,
  },
  // XML cannot carry a lone surrogate: the simulator's UTF-8 encoder sends U+FFFD, which is refused as broken text.
  {
    name: 'id with a lone surrogate, broken in transit',
    records: () => [typedId('X', 'LS\ud8003')],
    sources: ['soap'],
    code: 'rejected',
    reason: 'invalidWorkerId',
    ledgerIds: ['LS\\u{FFFD}3'],
    detail: /replacement/,
  },
  {
    name: 'id with a zero-width space',
    records: () => [typedId('X', 'ZW\u200b1')],
    users: [syncedUser('ZW1')],
    sources: BOTH,
    code: 'rejected',
    reason: 'invalidWorkerId',
    ledgerIds: ['ZW\\u{200B}1'],
    detail: /invisible/,
  },
  {
    name: 'id with a right-to-left override',
    records: () => [typedId('X', '\u202eRTL1')],
    users: [syncedUser('RTL1')],
    sources: BOTH,
    code: 'rejected',
    reason: 'invalidWorkerId',
    ledgerIds: ['\\u{202E}RTL1'],
    detail: /invisible/,
  },
  {
    name: 'id with a byte-order mark inside',
    records: () => [typedId('X', 'BOM\ufeff1')],
    sources: BOTH,
    code: 'rejected',
    reason: 'invalidWorkerId',
    ledgerIds: ['BOM\\u{FEFF}1'],
  },
  {
    name: 'id with a control character',
    records: () => [typedId('X', 'CC\u00071')],
    sources: RAAS,
    code: 'rejected',
    reason: 'invalidWorkerId',
    ledgerIds: ['CC\\u{7}1'],
    detail: /control/,
  },
  {
    name: 'id with a control character, raw in the XML',
    records: () => [typedId('X', 'CC\u00072')],
    sources: ['soap'],
    code: 'rejected',
    reason: 'invalidWorkerId',
    ledgerIds: ['CC\\u{7}2'],
    detail: /control/,
  },
  {
    name: 'id with a tab inside',
    records: () => [typedId('X', 'TAB\t1')],
    sources: RAAS,
    code: 'rejected',
    reason: 'invalidWorkerId',
    ledgerIds: ['TAB\\u{9}1'],
  },
  written('id with trailing spaces, trimmed', 'TRAIL-1  ', 'trail1@example.net', BOTH, 'trail1@example.net'),
  written(
    'id with an apostrophe (OData quote doubling)',
    "O'BRIEN-1",
    'obrien1@example.net',
    BOTH,
    'obrien1@example.net',
  ),
  written(
    'id in a right-to-left script (letters, not marks)',
    'עובד-7',
    'rtl.script@example.net',
    BOTH,
    'rtl.script@example.net',
  ),
  written('id with an interior space', 'SP 1', 'sp1@example.net', BOTH, 'sp1@example.net'),
  // employeeId matching ignores case: two rows would land on one user, so neither is written.
  {
    name: 'ids that differ only in case',
    records: () => [record('CASE-A', 'case.a1@example.net'), record('case-a', 'case.a2@example.net')],
    users: [syncedUser('CASE-A')],
    sources: BOTH,
    code: 'conflict',
    reason: 'duplicateWorkerId',
    ledgerIds: ['CASE-A', 'case-a'],
  },
  {
    name: 'one id twice in one report',
    records: () => [record('TWICE-1', 'twice.a@example.net'), record('TWICE-1', 'twice.b@example.net')],
    users: [syncedUser('TWICE-1')],
    sources: BOTH,
    code: 'conflict',
    reason: 'duplicateWorkerId',
    ledgerIds: ['TWICE-1'],
  },
  {
    name: 'ids that differ only by a trailing space',
    records: () => [record('TSP-1', 'tsp.a@example.net'), record('TSP-1 ', 'tsp.b@example.net')],
    users: [syncedUser('TSP-1')],
    sources: BOTH,
    code: 'conflict',
    reason: 'duplicateWorkerId',
    ledgerIds: ['TSP-1'],
  },
  {
    name: 'a valid id twice, once with a bad email',
    records: () => [record('TWICE-2', 'ok@example.net'), record('TWICE-2', 'not an email')],
    users: [syncedUser('TWICE-2')],
    sources: BOTH,
    code: 'conflict',
    reason: 'duplicateWorkerId',
    ledgerIds: ['TWICE-2'],
  },

  // Personal emails: the password-reset channel, so only an address Graph stores as given is written.
  written('no personal email: usageLocation alone', 'NOMAIL-1', null, BOTH, null),
  rejected('email a number', 'EM-NUM', 42, 'invalidEmail', RAAS),
  rejected('email a boolean', 'EM-BOOL', true, 'invalidEmail', RAAS),
  written(
    'email in a group object (Descriptor)',
    'EM-OBJ',
    { Descriptor: 'em.obj@example.net' },
    RAAS,
    'em.obj@example.net',
  ),
  rejected(
    'email a list of two addresses',
    'EM-TWO',
    ['one@example.net', 'two@example.net'],
    'invalidEmail',
    RAAS,
    'GB',
    /2 different values/,
  ),
  written(
    'email the same address twice in a list',
    'EM-SAME',
    ['same@example.net', 'same@example.net'],
    RAAS,
    'same@example.net',
  ),
  rejected(
    'email nested 20 levels deep',
    'EM-DEEP',
    nested(20, 'deep@example.net'),
    'invalidField',
    RAAS,
    'GB',
    /nested deeper/,
  ),
  rejected(
    'email nested 3,000 levels deep',
    'EM-DEEPER',
    nested(3000, 'deeper@example.net'),
    'invalidField',
    RAAS,
    'GB',
    /nested deeper/,
  ),
  rejected(
    'email a huge string (100,000 characters)',
    'EM-HUGE',
    `${'h'.repeat(100_000)}@example.net`,
    'invalidField',
    BOTH,
    'GB',
    /1024/,
  ),
  // Over the scanner's limit for one report row: skipped unread, so its id cannot be known.
  {
    name: 'email a 1.2 MB string (the row is too large to read, so its id is unknown)',
    records: () => [record('EM-MEGA', `${'m'.repeat(1_200_000)}@example.net`)],
    users: [syncedUser('EM-MEGA')],
    sources: RAAS,
    code: 'rejected',
    reason: 'missingWorkerId',
    ledgerIds: [],
  },
  written('email with plus-addressing', 'EM-PLUS', 'jane+reset@example.net', BOTH, 'jane+reset@example.net'),
  written('email with an apostrophe', 'EM-APOS', "mary.o'connor@example.net", BOTH, "mary.o'connor@example.net"),
  written(
    'email with trailing spaces, trimmed',
    'EM-TRAIL',
    'trailing.space@example.net   ',
    BOTH,
    'trailing.space@example.net',
  ),
  written(
    'email with a leading tab and a trailing newline, trimmed',
    'EM-WS',
    '\tws.around@example.net\n',
    RAAS,
    'ws.around@example.net',
  ),
  written('email in upper case, kept as given', 'EM-UPPER', 'Upper.Case@Example.NET', BOTH, 'Upper.Case@Example.NET'),
  rejected(
    'email with a zero-width space',
    'EM-ZW',
    'zero\u200bwidth@example.net',
    'invalidEmail',
    BOTH,
    'GB',
    /invisible/,
  ),
  rejected('email with a right-to-left mark', 'EM-RLM', 'rlm\u200f@example.net', 'invalidEmail', BOTH),
  rejected(
    'email with a right-to-left override in the domain',
    'EM-RLO',
    'rlo@exa\u202emple.net',
    'invalidEmail',
    BOTH,
  ),
  rejected('email with a lone surrogate', 'EM-SURR', 'sur\ud800r@example.net', 'invalidEmail', RAAS),
  rejected(
    'email with an accented local part (otherMails refuses accents)',
    'EM-ACC',
    'josé@example.net',
    'accentedEmail',
    BOTH,
  ),
  // IDNA: the ASCII form names the same mailbox and holds no accented character.
  written(
    'email with an IDN domain, written in its ASCII form',
    'EM-IDN',
    'jane@bücher.example',
    BOTH,
    'jane@xn--bcher-kva.example',
  ),
  written(
    'email with a right-to-left IDN domain',
    'EM-IDN-AR',
    'user@مثال.إختبار',
    BOTH,
    'user@xn--mgbh0fb.xn--kgbechtv',
  ),
  rejected('email with an IDN domain with an empty label', 'EM-IDN-BAD', 'x@ü..example', 'invalidEmail', BOTH),
  rejected('email with two @', 'EM-2AT', 'a@b@example.net', 'invalidEmail', BOTH),
  rejected('email with a display name', 'EM-NAME', 'Jane <jane@example.net>', 'invalidEmail', BOTH),
  rejected('email as a mailto: link', 'EM-MAILTO', 'mailto:jane@example.net', 'invalidEmail', BOTH),
  rejected('email in the corporate domain', 'EM-CORP', 'someone@contoso.com', 'blockedEmailDomain', BOTH),
  // Full-width letters map to contoso.com under IDNA: still the organisation's own domain.
  rejected(
    'email in the corporate domain in full-width letters',
    'EM-CORP-FW',
    'someone@ｃｏｎｔｏｓｏ.com',
    'blockedEmailDomain',
    BOTH,
  ),
  rejected('email over 250 characters', 'EM-LONG', OVER_250, 'emailTooLong', BOTH),
  {
    name: 'one email for two workers, in different case',
    records: () => [record('SHARE-1', 'Shared.Box@example.net'), record('SHARE-2', 'shared.box@example.net')],
    users: [syncedUser('SHARE-1'), syncedUser('SHARE-2')],
    sources: BOTH,
    code: 'conflict',
    reason: 'sharedPersonalEmail',
    ledgerIds: ['SHARE-1', 'SHARE-2'],
  },

  // Countries: usageLocation takes ISO 3166-1 alpha-2 only.
  written('no country: otherMails alone', 'CO-NULL', 'co.null@example.net', BOTH, 'co.null@example.net', null),
  rejected('country a number', 'CO-NUM', 'co.num@example.net', 'invalidCountry', RAAS, 44),
  written(
    'country in lower case with blanks, upper-cased',
    'CO-LOWER',
    'co.lower@example.net',
    BOTH,
    'co.lower@example.net',
    ' gb ',
  ),
  rejected('country three letters', 'CO-GBR', 'co.gbr@example.net', 'invalidCountry', BOTH, 'GBR'),
  rejected('country with a zero-width space', 'CO-ZW', 'co.zw@example.net', 'invalidCountry', BOTH, 'G\u200bB'),
  rejected('country a list of two', 'CO-TWO', 'co.two@example.net', 'invalidCountry', RAAS, ['GB', 'FR']),
  rejected('country an object without a code', 'CO-OBJ', 'co.obj@example.net', 'invalidCountry', RAAS, {
    Descriptor: 'United Kingdom',
  }),

  rejected('country a boolean', 'CO-BOOL', 'co.bool@example.net', 'invalidCountry', RAAS, true),
  written('email a list holding only nulls: no email, usageLocation alone', 'EM-NULLS', [null, ''], RAAS, null),

  // Scope attributes of the wrong type: the clause is false, so the worker is not ours.
  {
    name: 'Worker_Type a number (scope clause false)',
    records: () => [{ ...record('SC-NUM'), workerType: 7 as unknown as 'Employee' }],
    users: [syncedUser('SC-NUM')],
    sources: RAAS,
    code: 'outOfScope',
    reason: 'notInScope',
    ledgerIds: ['SC-NUM'],
  },
  {
    name: 'Legal_Entity null (a null attribute makes its clause false)',
    records: () => [{ ...record('SC-NULL'), legalEntity: null }],
    users: [syncedUser('SC-NULL')],
    sources: BOTH,
    code: 'outOfScope',
    reason: 'notInScope',
    ledgerIds: ['SC-NULL'],
  },
  {
    name: 'Worker_Type a boolean (scope clause false)',
    records: () => [{ ...record('SC-BOOL'), workerType: true as unknown as 'Employee' }],
    users: [syncedUser('SC-BOOL')],
    sources: RAAS,
    code: 'outOfScope',
    reason: 'notInScope',
    ledgerIds: ['SC-BOOL'],
  },
  {
    name: 'Employee_Type an object without text (no clause reads it)',
    records: () => [
      { ...record('SC-OBJ', 'sc.obj@example.net'), employeeType: { nested: { deeper: 1 } } as unknown as string },
    ],
    users: [syncedUser('SC-OBJ')],
    sources: RAAS,
    code: 'written',
    reason: null,
    ledgerIds: ['SC-OBJ'],
    otherMails: ['sc.obj@example.net'],
  },
  {
    name: 'Legal_Entity nested 30 levels deep (scope clause false)',
    records: () => [{ ...record('SC-DEEP'), legalEntity: nested(30, 'Contoso Corp') as string }],
    users: [syncedUser('SC-DEEP')],
    sources: RAAS,
    code: 'outOfScope',
    reason: 'notInScope',
    ledgerIds: ['SC-DEEP'],
  },
];

/** Valid workers around the bad ones: each must be written whatever its neighbours hold. */
export function goodNeighbours(count: number): { records: SimWorker[]; users: SimUserSeed[] } {
  const records: SimWorker[] = [];
  const users: SimUserSeed[] = [];
  for (let i = 0; i < count; i++) {
    const id = `GOOD-${String(i).padStart(3, '0')}`;
    records.push(record(id, `good.${i}@example.net`));
    users.push(syncedUser(id));
  }
  return { records, users };
}
