/**
 * The one masking function. Personal email addresses never leave the process in full:
 * `jane.doe@example.com` → `j***@example.com`. What counts as an address comes from
 * emailSyntax.ts, the definition validation uses, so every character validation accepts is masked.
 */
import { EMAIL_IN_TEXT } from './emailSyntax';

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

/** Masks every email-like token and every URL credential in free text (error messages, log lines). */
export function maskPersonalData(text: string): string {
  return text.replace(URL_USERINFO, '$1***@').replace(EMAIL_IN_TEXT, (match: string, domain: string | undefined) => {
    if (domain === undefined) return match;
    const lead = LEADING_DELIMITERS.exec(match)![0];
    const address = match.slice(lead.length);
    if (MASKED_LOCAL_PART.test(address.slice(0, address.lastIndexOf('@')))) return match;
    return lead + maskEmail(address);
  });
}

/** Masks a value that may be an email, a list of emails, or anything else. */
export function maskValue(value: unknown): unknown {
  if (typeof value === 'string') return maskPersonalData(value);
  if (Array.isArray(value)) return value.map(maskValue);
  return value ?? null;
}
