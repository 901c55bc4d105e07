/**
 * Runs the installed command as an operator does: a real process from the compiled CLI (`npm test`
 * compiles first), with only the given environment, and its exit code, stdout and stderr apart.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export const BIN = join(__dirname, '..', '..', 'bin', 'attribute-writer.js');

export interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(args: string[], env: Record<string, string>, node = process.execPath): Promise<ProcessResult> {
  return new Promise((resolve) => {
    execFile(
      node,
      [BIN, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 120_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

export interface IdentityEndpoint {
  /** Settings that make @azure/identity's managed identity credential ask this endpoint (App Service style). */
  env: Record<string, string>;
  objectId: string;
  requests: number;
  close(): Promise<void>;
}

/**
 * A loopback managed-identity endpoint, as App Service exposes one (IDENTITY_ENDPOINT and
 * IDENTITY_HEADER), handing out an unsigned token whose `roles` claim holds the given roles.
 */
export function startIdentityEndpoint(roles: string[]): Promise<IdentityEndpoint> {
  const objectId = '0b1ec7d0-0000-4000-8000-000000000001';
  const state = { requests: 0 };
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const server = createServer((_request, response) => {
    state.requests += 1;
    const claims = {
      aud: 'https://graph.microsoft.com',
      oid: objectId,
      app_displayname: 'func-attrwriter-test',
      roles,
    };
    response.setHeader('content-type', 'application/json');
    response.end(
      JSON.stringify({
        access_token: `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`,
        expires_on: String(Math.floor(Date.now() / 1000) + 3600),
        resource: 'https://graph.microsoft.com',
        token_type: 'Bearer',
      }),
    );
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        env: {
          GRAPH_AUTH: 'azure',
          IDENTITY_ENDPOINT: `http://127.0.0.1:${port}/msi/token`,
          IDENTITY_HEADER: 'test-header',
        },
        objectId,
        get requests() {
          return state.requests;
        },
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
