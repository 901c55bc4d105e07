/**
 * The one masking function. Personal email addresses never leave the process in full:
 * `jane.doe@example.com` → `j***@example.com`.
 */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${email[0]}***${email.slice(at)}`;
}

// Loose on purpose: anything that looks like local@domain is masked, valid or not.
const EMAIL_LIKE = /[^\s@"'<>(),;:\\[\]]+@[^\s@"'<>(),;:\\[\]]+\.[^\s@"'<>(),;:\\[\]]+/gu;

/** Masks every email-like token in free text (error messages, log lines). */
export function maskPersonalData(text: string): string {
  return text.replace(EMAIL_LIKE, (match) => maskEmail(match));
}

/** Masks a value that may be an email, a list of emails, or anything else. */
export function maskValue(value: unknown): unknown {
  if (typeof value === 'string') return maskPersonalData(value);
  if (Array.isArray(value)) return value.map(maskValue);
  return value ?? null;
}
