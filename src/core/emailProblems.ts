/**
 * What is wrong with a personal email that validation refused, said without the address: HR can
 * be told what to fix ("the domain has no dot") while logs and telemetry still never hold the
 * address (only its masked form, `j***@example.com`, and no character of the part before the @
 * beyond what maskEmail keeps). The checks follow the syntax of mask.ts, in the order a
 * person would fix them.
 */
import { DOMAIN_LABEL_CHARS, LOCAL_PART_CHARS } from './mask';

const LOCAL_CHAR = new RegExp(`[.${LOCAL_PART_CHARS}]`);
const DOMAIN_CHAR = new RegExp(`[.${DOMAIN_LABEL_CHARS}]`);
const TOP_LEVEL = /^([A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59}[A-Za-z0-9])$/;

/** The first problem found, e.g. `has no @`, `has no dot in its domain`; a general phrase when none is named. */
export function emailProblem(email: string): string {
  if (/\s/u.test(email)) return 'holds a space';
  const ats = email.split('@').length - 1;
  if (ats === 0) return 'has no @';
  if (ats > 1) return `has ${ats} @ signs; an address has one`;
  const [local = '', domain = ''] = email.split('@');
  if (local === '') return 'has nothing before the @';
  if (domain === '') return 'has nothing after the @';
  const badLocal = [...local].find((c) => !LOCAL_CHAR.test(c));
  if (badLocal !== undefined) return `holds ${characterName(badLocal)} before the @, which an address cannot hold`;
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..'))
    return 'has a dot at the start or end of the part before the @, or two dots in a row';
  const badDomain = [...domain].find((c) => !DOMAIN_CHAR.test(c));
  if (badDomain !== undefined) return `holds ${characterName(badDomain)} in its domain`;
  if (!domain.includes('.')) return 'has no dot in its domain (after the @)';
  const labels = domain.split('.');
  if (labels.some((label) => label === ''))
    return 'has an empty part in its domain (a dot at the start or end, or two in a row)';
  if (labels.some((label) => label.startsWith('-') || label.endsWith('-')))
    return 'has a domain part that starts or ends with a hyphen';
  if (!TOP_LEVEL.test(labels[labels.length - 1] ?? '')) return 'ends in a top-level domain that is not 2 to 63 letters';
  return 'is not a valid address';
}

/** A punctuation character is no personal data; a letter would be, and is never named. */
function characterName(c: string): string {
  return /[\p{L}\p{N}]/u.test(c) ? 'a character' : `the character '${c}'`;
}
