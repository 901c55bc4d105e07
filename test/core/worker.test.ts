import { describe, expect, it } from 'vitest';
import { flattenValue, isBlockedDomain, parseWorker, validateWorkerId, type WorkerParse } from '../../src/core/worker';

const FIELDS = { workerId: 'WorkerID', personalEmail: 'personalEmail', countryIso: 'CountryISO' };

function parsed(raw: Record<string, unknown>, fields: Record<string, string> = FIELDS): WorkerParse {
  return parseWorker(raw, fields);
}

function rejection(raw: Record<string, unknown>): { reason: string; detail: string; workerId: string | null } {
  const result = parsed(raw);
  if (result.ok) throw new Error('expected a rejection');
  return { reason: result.reason, detail: result.detail, workerId: result.workerId };
}

describe('flattenValue', () => {
  it('turns null, undefined and blank strings into null', () => {
    expect(flattenValue(null)).toBeNull();
    expect(flattenValue(undefined)).toBeNull();
    expect(flattenValue('   ')).toBeNull();
  });

  it('trims strings', () => {
    expect(flattenValue('  Contoso Corp ')).toBe('Contoso Corp');
  });

  it('turns numbers and booleans into text', () => {
    expect(flattenValue(12345)).toBe('12345');
    expect(flattenValue(true)).toBe('true');
  });

  it('reads the descriptor of a Workday group object', () => {
    expect(flattenValue({ Descriptor: 'Contoso Corp', ID: 'LE-1' })).toBe('Contoso Corp');
  });

  it('reads the ID of a group object without a descriptor', () => {
    expect(flattenValue({ ID: 'LE-1', other: 'x' })).toBe('LE-1');
  });

  it('falls back to the first text value of an unknown object', () => {
    expect(flattenValue({ nested: { a: 1 }, Name: 'Contoso' })).toBe('Contoso');
  });

  it('turns an object without any text value into null', () => {
    expect(flattenValue({ nested: { a: 'x' } })).toBeNull();
  });

  it('flattens an array of group objects into a list', () => {
    expect(flattenValue([{ Descriptor: 'Contoso Corp' }, { Descriptor: 'Contoso LLC' }])).toEqual([
      'Contoso Corp',
      'Contoso LLC',
    ]);
  });

  it('turns a one-item array into a single value', () => {
    expect(flattenValue([{ Descriptor: 'Contoso Corp' }])).toBe('Contoso Corp');
  });

  it('drops empty items and turns an array of nothing into null', () => {
    expect(flattenValue(['', null, { Descriptor: ' ' }])).toBeNull();
    expect(flattenValue(['a', '', ['b', 'c']])).toEqual(['a', 'b', 'c']);
  });
});

describe('validateWorkerId', () => {
  it('accepts 16 characters, counting characters rather than UTF-16 units', () => {
    expect(validateWorkerId('W'.repeat(16))).toBeNull();
    expect(validateWorkerId('😀'.repeat(16))).toBeNull();
  });

  it('refuses 17 characters, naming the employeeId limit', () => {
    expect(validateWorkerId('W'.repeat(17))).toMatch(/16 characters/);
  });

  it('accepts any printable characters, quotes and slashes included', () => {
    expect(validateWorkerId("O'Brien/#7")).toBeNull();
  });

  it.each([
    ['a lone high surrogate', 'W1\ud800', /surrogate/],
    ['a lone low surrogate', '\udc00W1', /surrogate/],
    ['a replacement character', 'W\ufffd1', /surrogate or a replacement/],
    ['a zero-width space', 'W\u200b1', /invisible/],
    ['a right-to-left override', '\u202eW1', /invisible/],
    ['a byte-order mark inside', 'W\ufeff1', /invisible/],
    ['a line separator', 'W\u20281', /invisible/],
    ['a private-use character', 'W\ue0001', /invisible/],
  ])('refuses %s', (_, id, message) => {
    expect(validateWorkerId(id)).toMatch(message);
  });

  it('refuses a huge id without counting all of it', () => {
    expect(validateWorkerId('9'.repeat(1_000_000))).toMatch(/16 characters/);
  });

  it.each([
    ['a newline', 'W1\n'],
    ['a NUL', 'W\u00001'],
    ['a DEL', 'W\u007f'],
    ['a C1 control', 'W\u0085'],
  ])('refuses %s', (_, id) => {
    expect(validateWorkerId(id)).toMatch(/control characters/);
  });
});

describe('parseWorker', () => {
  it('returns the logical fields and the flattened attributes of a valid record', () => {
    const result = parsed({
      WorkerID: 'W1',
      personalEmail: 'jane@home.example',
      CountryISO: 'GB',
      Legal_Entity: { Descriptor: 'Contoso Corp' },
    });
    expect(result).toEqual({
      ok: true,
      worker: {
        workerId: 'W1',
        fields: { workerId: 'W1', personalEmail: 'jane@home.example', countryIso: 'GB' },
        attributes: {
          WorkerID: 'W1',
          personalEmail: 'jane@home.example',
          CountryISO: 'GB',
          Legal_Entity: 'Contoso Corp',
        },
      },
    });
  });

  it('reads the columns that source.fields names', () => {
    const result = parsed(
      { Employee_ID: '42', Home_Email: 'jane@home.example', Country: 'FR' },
      { workerId: 'Employee_ID', personalEmail: 'Home_Email', countryIso: 'Country' },
    );
    expect(result.ok && result.worker.fields).toEqual({
      workerId: '42',
      personalEmail: 'jane@home.example',
      countryIso: 'FR',
    });
  });

  it('reads a numeric worker id as text', () => {
    const result = parsed({ WorkerID: 10042, personalEmail: null, CountryISO: null });
    expect(result.ok && result.worker.workerId).toBe('10042');
  });

  it('trims the worker id', () => {
    const result = parsed({ WorkerID: '  W1 ', personalEmail: null });
    expect(result.ok && result.worker.workerId).toBe('W1');
  });

  it('accepts a worker without email or country, leaving both null', () => {
    const result = parsed({ WorkerID: 'W1' });
    expect(result.ok && result.worker.fields).toEqual({ workerId: 'W1', personalEmail: null, countryIso: null });
  });

  it('upper-cases a lower-case country code', () => {
    const result = parsed({ WorkerID: 'W1', CountryISO: 'gb' });
    expect(result.ok && result.worker.fields.countryIso).toBe('GB');
  });

  it('refuses a list of different emails rather than guess which mailbox resets the password', () => {
    expect(rejection({ WorkerID: 'W1', personalEmail: ['a@home.example', 'b@home.example'] })).toMatchObject({
      reason: 'invalidEmail',
      detail: expect.stringContaining('2 different values'),
    });
  });

  it('reads a list holding one email, or the same email twice, as that email', () => {
    expect(parsed({ WorkerID: 'W1', personalEmail: ['a@home.example'] })).toMatchObject({
      ok: true,
      worker: { fields: { personalEmail: 'a@home.example' } },
    });
    expect(parsed({ WorkerID: 'W1', personalEmail: ['a@home.example', ' a@home.example '] })).toMatchObject({
      ok: true,
      worker: { fields: { personalEmail: 'a@home.example' } },
    });
  });

  it.each([
    ['no id column', {}],
    ['a null id', { WorkerID: null }],
    ['a blank id', { WorkerID: '   ' }],
  ])('rejects a record with %s as missingWorkerId', (_, raw) => {
    expect(rejection(raw)).toMatchObject({ reason: 'missingWorkerId', workerId: null });
  });

  it('rejects a worker id over 16 characters and keeps the id for the report', () => {
    expect(rejection({ WorkerID: 'W'.repeat(17) })).toMatchObject({
      reason: 'invalidWorkerId',
      workerId: 'W'.repeat(17),
    });
  });

  it('rejects a worker id holding a control character', () => {
    expect(rejection({ WorkerID: 'W\u00071' }).reason).toBe('invalidWorkerId');
  });

  it.each([
    ['no @', 'jane.home.example'],
    ['no domain dot', 'jane@localhost'],
    ['two @', 'jane@doe@home.example'],
    ['a space', 'jane doe@home.example'],
    ['a trailing dot in the local part', 'jane.@home.example'],
    ['a numeric top-level domain', 'jane@home.123'],
  ])('rejects an email with %s as invalidEmail', (_, email) => {
    expect(rejection({ WorkerID: 'W1', personalEmail: email }).reason).toBe('invalidEmail');
  });

  it('accepts plus-addressing and subdomains', () => {
    expect(parsed({ WorkerID: 'W1', personalEmail: 'jane+reset@mail.home.example' }).ok).toBe(true);
  });

  it('rejects an accented email, which otherMails refuses', () => {
    expect(rejection({ WorkerID: 'W1', personalEmail: 'josé@home.example' }).reason).toBe('accentedEmail');
  });

  it('writes an internationalised domain in its ASCII form, which names the same mailbox', () => {
    expect(parsed({ WorkerID: 'W1', personalEmail: 'jane@bücher.example' })).toMatchObject({
      ok: true,
      worker: { fields: { personalEmail: 'jane@xn--bcher-kva.example' } },
    });
  });

  it('accepts an email of exactly 250 characters', () => {
    const email = `${'a'.repeat(49)}@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(17)}`;
    expect(email).toHaveLength(250);
    expect(parsed({ WorkerID: 'W1', personalEmail: email }).ok).toBe(true);
  });

  it('rejects an email over 250 characters as emailTooLong', () => {
    const email = `${'a'.repeat(50)}@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(17)}`;
    expect(rejection({ WorkerID: 'W1', personalEmail: email }).reason).toBe('emailTooLong');
  });

  it('never puts the personal email in full in the rejection detail', () => {
    const { detail } = rejection({ WorkerID: 'W1', personalEmail: 'jane.doe@home' });
    expect(detail).not.toContain('jane.doe');
    expect(detail).toContain('j***@home');
  });

  it.each([
    ['a three-letter code', 'GBR'],
    ['a name', 'France'],
    ['an unassigned code', 'UK'],
    ['a reserved code', 'ZZ'],
  ])('rejects %s as invalidCountry', (_, country) => {
    expect(rejection({ WorkerID: 'W1', CountryISO: country })).toMatchObject({
      reason: 'invalidCountry',
      workerId: 'W1',
    });
  });

  it('rejects a mapped field over 1024 characters as invalidField', () => {
    const result = parseWorker({ WorkerID: 'W1', Note: 'x'.repeat(1025) }, { ...FIELDS, note: 'Note' });
    expect(!result.ok && result.reason).toBe('invalidField');
  });

  it('keeps attributes that no field maps, for scoping', () => {
    const result = parsed({ WorkerID: 'W1', Active: '1', Cost_Centers: [{ ID: 'CC1' }, { ID: 'CC2' }] });
    expect(result.ok && result.worker.attributes).toMatchObject({ Active: '1', Cost_Centers: ['CC1', 'CC2'] });
  });
});

describe('parseWorker on values of the wrong type or shape', () => {
  it.each([
    ['an integer past 2^53, which JSON rounds to another id', 9007199254740993],
    ['a fraction', 12.5],
    ['a boolean', true],
    ['a group object, whose Descriptor is a name', { Descriptor: 'Jane Doe', ID: '5150' }],
    ['a list of two ids', ['A1', 'A2']],
  ])('refuses an id that is %s, keeping no id', (_, id) => {
    expect(rejection({ WorkerID: id })).toMatchObject({ reason: 'invalidWorkerId', workerId: null });
  });

  it('reports a refused id in printable form, never the raw broken text', () => {
    expect(rejection({ WorkerID: 'W\ud800\u200b' }).workerId).toBe('W\\u{D800}\\u{200B}');
    expect(rejection({ WorkerID: 'x'.repeat(100_000) }).workerId).toBe(`${'x'.repeat(64)}…`);
  });

  it('refuses any column nested deeper than a report field, without overflowing the stack', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(rejection({ WorkerID: 'W1', Other: deep })).toMatchObject({
      reason: 'invalidField',
      detail: expect.stringContaining("'Other'"),
    });
  });

  it('ignores a __proto__ column rather than let it change the record', () => {
    const raw = JSON.parse('{"WorkerID":"W1","__proto__":["x","y"],"personalEmail":"a@home.example"}') as Record<
      string,
      unknown
    >;
    const result = parsed(raw);
    expect(result.ok && Object.getPrototypeOf(result.worker.attributes)).toBe(Object.prototype);
  });

  it('rejects an email with a zero-width space or a right-to-left mark as invalidEmail', () => {
    expect(rejection({ WorkerID: 'W1', personalEmail: 'ja\u200bne@home.example' }).reason).toBe('invalidEmail');
    expect(rejection({ WorkerID: 'W1', personalEmail: 'jane\u200f@home.example' }).reason).toBe('invalidEmail');
  });

  it('writes an IDN top-level domain in its ASCII form', () => {
    expect(parsed({ WorkerID: 'W1', personalEmail: 'user@مثال.إختبار' })).toMatchObject({
      ok: true,
      worker: { fields: { personalEmail: 'user@xn--mgbh0fb.xn--kgbechtv' } },
    });
  });
});

describe('isBlockedDomain', () => {
  const blocked = ['contoso.com'];

  it('blocks the domain itself, whatever its case', () => {
    expect(isBlockedDomain('jane@Contoso.COM', blocked)).toBe(true);
  });

  it('blocks a subdomain', () => {
    expect(isBlockedDomain('jane@mail.contoso.com', blocked)).toBe(true);
  });

  it('does not block a domain that only ends with the same letters', () => {
    expect(isBlockedDomain('jane@notcontoso.com', blocked)).toBe(false);
  });

  it('does not block a domain whose local part holds the blocked one', () => {
    expect(isBlockedDomain('contoso.com@home.example', blocked)).toBe(false);
  });

  it('blocks an internationalised domain listed in Unicode, as emails are written in ASCII', () => {
    expect(isBlockedDomain('jane@xn--bcher-kva.example', ['bücher.example'])).toBe(true);
    expect(isBlockedDomain('jane@mail.xn--bcher-kva.example', ['BÜCHER.example'])).toBe(true);
  });

  it('blocks nothing when the list is empty', () => {
    expect(isBlockedDomain('jane@contoso.com', [])).toBe(false);
  });
});
