import { describe, expect, it } from 'vitest';
import { maskEmail, maskPersonalData, maskValue } from '../../src/core/mask';

describe('maskEmail', () => {
  it('keeps the first letter and the domain', () => {
    expect(maskEmail('jane.doe@example.com')).toBe('j***@example.com');
  });

  it('masks on the last @', () => {
    expect(maskEmail('a@b@example.com')).toBe('a***@example.com');
  });

  it.each([
    ['no @', 'jane.doe'],
    ['an empty local part', '@example.com'],
    ['an empty string', ''],
  ])('gives *** for %s', (_, text) => {
    expect(maskEmail(text)).toBe('***');
  });
});

describe('maskPersonalData', () => {
  it('masks an email inside a sentence', () => {
    expect(maskPersonalData('user jane.doe@example.com is not valid')).toBe('user j***@example.com is not valid');
  });

  it('masks every email in the text', () => {
    const text = maskPersonalData("otherMails ['jane@example.com','john.smith@home.example']");
    expect(text).toBe("otherMails ['j***@example.com','j***@home.example']");
  });

  it('masks an email holding accented characters', () => {
    expect(maskPersonalData('josé.garcía@example.es')).toBe('j***@example.es');
  });

  it('masks an email in angle brackets and at the end of a sentence', () => {
    expect(maskPersonalData('<jane@example.com>.')).not.toContain('jane');
    expect(maskPersonalData('write to jane@example.com.')).not.toContain('jane');
  });

  it('masks an email inside a JSON body', () => {
    expect(maskPersonalData('{"otherMails":["jane.doe@example.com"]}')).toBe('{"otherMails":["j***@example.com"]}');
  });

  it('leaves text without an email alone', () => {
    expect(maskPersonalData("employeeId 'W1' at 10:00 @ noon")).toBe("employeeId 'W1' at 10:00 @ noon");
  });

  it('is idempotent', () => {
    const once = maskPersonalData('jane@example.com');
    expect(maskPersonalData(once)).toBe(once);
  });
});

describe('maskValue', () => {
  it('masks a string', () => {
    expect(maskValue('jane@example.com')).toBe('j***@example.com');
  });

  it('masks every string of a list', () => {
    expect(maskValue(['jane@example.com', 'GB'])).toEqual(['j***@example.com', 'GB']);
  });

  it('gives null for null and undefined', () => {
    expect(maskValue(null)).toBeNull();
    expect(maskValue(undefined)).toBeNull();
  });

  it('passes other values through', () => {
    expect(maskValue(42)).toBe(42);
    expect(maskValue(true)).toBe(true);
  });
});

describe('masking follows the email syntax validation uses', () => {
  it("masks an address holding an apostrophe in full (it leaked as mary.o'c***)", () => {
    expect(maskPersonalData("wrote mary.o'connor@x.com")).toBe('wrote m***@x.com');
    expect(maskPersonalData("o'brien@example.co.uk")).toBe('o***@example.co.uk');
  });

  it.each([..."!#$%&'*+/=?^_`{|}~-"])('masks every local-part character validation accepts: %s', (char) => {
    const text = maskPersonalData(`x note ab${char}cd${char}ef@example.com`);
    expect(text).not.toContain('cd');
    expect(text).not.toContain('ef@');
  });

  it('masks an address that is only punctuation before the @, showing no character of it', () => {
    expect(maskPersonalData('{|}~@x.com')).toBe('***@x.com');
  });

  it('masks a quoted local part, an invisible character and an IDN domain address', () => {
    expect(maskPersonalData('"john doe"@example.com')).not.toContain('doe');
    expect(maskPersonalData('ja\u200bne@x.com')).toBe('j***@x.com');
    expect(maskPersonalData('jane@bücher.example')).toBe('j***@bücher.example');
  });

  it('keeps the quotes around an address in a list', () => {
    expect(maskPersonalData("['jane@example.com']")).toBe("['j***@example.com']");
  });

  it('masks the credentials of a URL', () => {
    expect(maskPersonalData('GET https://isu:S3cret@wd2.workday.com/ccx failed')).toBe(
      'GET https://***@wd2.workday.com/ccx failed',
    );
  });

  it('is idempotent on what it produced', () => {
    for (const text of ["'x@y.com'", '{|}~@x.com', 'https://a:b@host.example/x']) {
      const once = maskPersonalData(text);
      expect(maskPersonalData(once)).toBe(once);
    }
  });
});

describe('maskPersonalData on long text', () => {
  it.each([
    ['50,000 letters without an @', 'a'.repeat(50_000)],
    ['50,000 accented letters', 'é'.repeat(50_000)],
    ['two 50,000-letter runs around an @ without a domain dot', `${'a'.repeat(50_000)}@${'b'.repeat(50_000)}`],
  ])('stays linear on %s (it took 17 s and more)', (_, text) => {
    const started = Date.now();
    expect(maskPersonalData(text)).toBe(text);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('masks a 300-character local part in full', () => {
    expect(maskPersonalData(`${'a'.repeat(300)}@example.com`)).toBe('a***@example.com');
  });
});

describe('encoded addresses', () => {
  it.each([
    ['o%27connor%40corp.example', 'o***%40corp.example'],
    ["country 'o%27connor%40corp.example'", "country 'o***%40corp.example'"],
    ['mailto:jane.doe%40example.com', 'mailto:j***%40example.com'],
    ['https://h/p?email=jane.doe%40example.com&x=1', 'https://h/p?email=j***%40example.com&x=1'],
    ['jane.doe%2540example.com', 'j***%2540example.com'],
    ['jane.doe&#64;example.com', 'j***&#64;example.com'],
    ['jane.doe&#x40;example.com', 'j***&#x40;example.com'],
    ['jane.doe&commat;example.com', 'j***&commat;example.com'],
    ['jane.doe\\u0040example.com', 'j***\\u0040example.com'],
    ['jane.doe\\x40example.com', 'j***\\x40example.com'],
    [
      "country 'mo@corp.example' is not an ISO 3166-1 alpha-2 code",
      "country 'm***@corp.example' is not an ISO 3166-1 alpha-2 code",
    ],
    ['"jane.doe"@example.com', '"j***@example.com'],
  ])('masks %s', (text, masked) => {
    expect(maskPersonalData(text)).toBe(masked);
    expect(maskPersonalData(masked)).toBe(masked);
  });

  it('leaves a percent sign that is no @ alone', () => {
    expect(maskPersonalData('100%40 of them, 50%2F50')).toBe('100%40 of them, 50%2F50');
  });

  it('stays linear on a long run of encoded characters with no @', () => {
    const started = Date.now();
    maskPersonalData(`${'%41'.repeat(20_000)}x${'a'.repeat(50_000)}`);
    expect(Date.now() - started).toBeLessThan(500);
  });
});

describe('maskValue on a body', () => {
  it('masks every string at any depth and keeps dates, numbers and absent values', () => {
    const at = new Date(0);
    expect(
      maskValue({
        detail: "country 'mo@corp.example'",
        nested: { list: ['a%40b.example'] },
        at,
        n: 1,
        gone: undefined,
      }),
    ).toEqual({
      detail: "country 'm***@corp.example'",
      nested: { list: ['a***%40b.example'] },
      at,
      n: 1,
      gone: undefined,
    });
  });
});
