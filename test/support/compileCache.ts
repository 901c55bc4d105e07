/**
 * The V8 compile cache for every Node process the tests start (the CLI, Azurite, the fault suite's
 * children, the queue hosts). Each such process loads a few thousand modules (the Azure SDKs and
 * OpenTelemetry) and would compile them again from source; with the cache in a directory of its own
 * under the temporary folder, the first process fills it and the rest read it (a CLI start took
 * 1.6 s of CPU without it, 1.1 to 1.3 s with it). Only speed changes: Node compiles from source
 * when the cache is missing or stale. See "Module compile cache" in the Node.js `module` docs.
 *
 * vitest.config.mts sets NODE_COMPILE_CACHE in its own environment, which vitest's workers and
 * Azurite inherit; a test that gives its child a fresh environment passes it on with this.
 */

/** The setting to add to a child's environment: the one this process runs with, if any. */
export function compileCacheEnv(): Record<string, string> {
  const dir = process.env.NODE_COMPILE_CACHE;
  return dir ? { NODE_COMPILE_CACHE: dir } : {};
}
