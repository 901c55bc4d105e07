/**
 * The key of the keyed hashes (HMAC-SHA256) that stand for personal emails in the tables and
 * the queue: `emailHash`, the written-value hashes and `desiredHash`. An unkeyed hash of an email
 * is reversed with a dictionary of likely addresses; without the key it is not.
 *
 * One key per deployment (EMAIL_HASH_KEY, a Key Vault secret in Azure), set once by the
 * composition root before any hash is taken, so the hashing call sites need no extra argument.
 * Without one, a fixed development key is used: the settings allow that only with development
 * storage (Azurite), whose tables hold simulated people. docs/security.md says how to rotate it.
 */
const DEVELOPMENT_KEY = Buffer.from('attribute-writer development key; not a secret; Azurite only', 'utf8');

let current: Buffer = DEVELOPMENT_KEY;

/** Sets the deployment's key (the composition root calls it with EMAIL_HASH_KEY, or nothing for the development key). */
export function useHashKey(key: string | undefined): void {
  current = key === undefined ? DEVELOPMENT_KEY : Buffer.from(key, 'utf8');
}

export function hashKey(): Buffer {
  return current;
}
