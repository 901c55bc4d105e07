/**
 * What an email address is, and the one masking function, in one file: validation (worker.ts)
 * accepts exactly the characters below, and masking hides every one of them, so the two cannot
 * drift apart. Personal email addresses never leave the process in full:
 * `jane.doe@example.com` → `j***@example.com`. An apostrophe is legal in a local part
 * (`mary.o'connor@…`): a mask that stopped at it leaked the rest of the name.
 */

/** RFC 5322 `atext`: the characters of a dot-atom local part besides the dots (`-` last, for classes). */
export const LOCAL_PART_CHARS = "A-Za-z0-9!#$%&'*+/=?^_`{|}~-";
/** Characters of a domain label (IDN domains are converted to this form first; `-` last). */
export const DOMAIN_LABEL_CHARS = 'A-Za-z0-9-';

/** The addresses validation accepts: dot-atom local part, ASCII domain, a TLD of 2–63 letters or an IDN A-label. */
export const EMAIL = new RegExp(
  `^[${LOCAL_PART_CHARS}]+(\\.[${LOCAL_PART_CHARS}]+)*@([A-Za-z0-9]([${DOMAIN_LABEL_CHARS}]{0,61}[A-Za-z0-9])?\\.)+([A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59}[A-Za-z0-9])$`,
);

// Non-ASCII is masked too: a rejected address (accented, IDN, zero-width) is still personal data.
const NON_ASCII = '\\u0080-\\u{10FFFF}';
const LOOSE_LOCAL = `[.${NON_ASCII}${LOCAL_PART_CHARS}]+`;
const QUOTED_LOCAL = '"[^"\\r\\n]{0,64}"(?=@)';
const LOOSE_DOMAIN = `[${NON_ASCII}${DOMAIN_LABEL_CHARS}]+(?:\\.[${NON_ASCII}${DOMAIN_LABEL_CHARS}]+)+`;

/**
 * Anything that looks like local@domain in free text, valid or not: a superset of EMAIL. Every run
 * of local-part characters matches, with its `@domain` (group 1) when one follows: a run is
 * consumed once whatever comes after it, where `run@` alone would retry every suffix of a long
 * run without an @ (quadratic: 50,000 letters took 17 s).
 */
export const EMAIL_IN_TEXT = new RegExp(`(?:${QUOTED_LOCAL}|${LOOSE_LOCAL})(@${LOOSE_DOMAIN})?`, 'gu');

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/** Keeps the first character when it is a letter or digit (readable, yet not the name), and the domain. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  const first = String.fromCodePoint(email.codePointAt(0)!);
  return `${LETTER_OR_DIGIT.test(first) ? first : ''}***${email.slice(at)}`;
}

// `user:secret@host` in a URL: the userinfo is a credential, whatever the scheme.
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*@/giu;
// Quotes or slashes before an address (`'jane@…'` in a list, `//…@` in a URL) stay outside the mask.
const LEADING_DELIMITERS = /^['"`/]*/u;
/** A local part this function already produced: masking it again must change nothing. */
const MASKED_LOCAL_PART = /^[\p{L}\p{N}]?\*\*\*$/u;

/**
 * An @ written another way: percent-encoded (`%40`, and `%2540` encoded twice, as a URL in a URL
 * carries it), an HTML character reference (`&#64;`, `&#x40;`, `&commat;`), or a JSON or
 * JavaScript escape (`\u0040`, `\x40`). `o%27connor%40corp.example` is an address all the same.
 */
const ENCODED_AT = String.raw`(?:%(?:25)*40|&#0*64;|&#x0*40;|&commat;|\\u0040|\\x40)`;
// Local-part characters less the URL and entity delimiters, which an encoded address encodes too.
const ENCODED_LOCAL = LOCAL_PART_CHARS.replace(/[/?=&#]/g, '');
// At most 64 characters before the @ (the longest local part there is): a run of them with no @
// after it is then given up after 64 steps, not retried from every position (quadratic).
const ENCODED_ADDRESS = new RegExp(`([.${ENCODED_LOCAL}]{1,64})(${ENCODED_AT})(?=[A-Za-z0-9%])`, 'giu');

/** Masks every email-like token and every URL credential in free text (error messages, log lines). */
export function maskPersonalData(text: string): string {
  return maskPlainAddresses(
    text.replace(URL_USERINFO, '$1***@').replace(ENCODED_ADDRESS, (_match, run: string, at: string) => {
      const lead = LEADING_DELIMITERS.exec(run)![0];
      return `${lead}${maskedLocalPart(run.slice(lead.length) || '*')}${at}`;
    }),
  );
}

/** `jane.doe` → `j***`; a local part this module already produced stays as it is. */
function maskedLocalPart(local: string): string {
  const first = String.fromCodePoint(local.codePointAt(0)!);
  return `${LETTER_OR_DIGIT.test(first) ? first : ''}***`;
}

function maskPlainAddresses(text: string): string {
  return text.replace(EMAIL_IN_TEXT, (match: string, domain: string | undefined) => {
    if (domain === undefined) return match;
    const lead = LEADING_DELIMITERS.exec(match)![0];
    const address = match.slice(lead.length);
    if (MASKED_LOCAL_PART.test(address.slice(0, address.lastIndexOf('@')))) return match;
    return lead + maskEmail(address);
  });
}

/**
 * Masks a value that may be an email, a list of emails, or anything else; in a plain object (an
 * HTTP body, a CLI's JSON output) every string at any depth, so free text such as a stored
 * `detail` is masked where it leaves, whatever was stored.
 */
export function maskValue(value: unknown): unknown {
  if (typeof value === 'string') return maskPersonalData(value);
  if (Array.isArray(value)) return value.map(maskValue);
  if (isPlainObject(value)) {
    const masked: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) masked[key] = item === undefined ? undefined : maskValue(item);
    return masked;
  }
  return value ?? null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}
