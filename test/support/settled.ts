/**
 * The outcome of a job the test expects to settle. A worker job answers null when a newer plan superseded
 * it (it wrote nothing); a case that expects an outcome fails here, by name, instead of on a null property.
 */
export async function settled<T>(outcome: Promise<T | null>): Promise<T> {
  const value = await outcome;
  if (value === null) throw new Error('expected an outcome, but the job was superseded and settled nothing');
  return value;
}
