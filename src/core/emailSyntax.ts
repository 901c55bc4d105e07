/**
 * What an email address is, in one place: validation (worker.ts) accepts exactly these
 * characters, and masking (mask.ts) hides every one of them, so the two cannot drift apart.
 * An apostrophe is legal in a local part (`mary.o'connor@…`): a mask that stopped at it leaked
 * the rest of the name.
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
