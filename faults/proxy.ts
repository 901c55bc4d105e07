/**
 * A loopback HTTP proxy that buffers each exchange so a fault policy can act on it whole: answer
 * instead of the target, hold the request, reset the connection, or forward it and then decide
 * what the client gets back. It can also refuse connections outright (its listener closed and
 * reopened on the same port), which is how a storage outage looks to the pipeline.
 * No production code knows it is there: the child's settings simply point at the proxy.
 */
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ProxiedRequest {
  method: string;
  /** Path and query as the client sent them. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface ProxiedResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/** What the policy does with one request before the target sees it. */
export type Verdict =
  | {
      kind: 'forward';
      request?: ProxiedRequest;
      /** Send it to the target once more after the first answer (a duplicated delivery). */
      twice?: boolean;
      after?: (response: ProxiedResponse) => AfterVerdict | Promise<AfterVerdict>;
    }
  | { kind: 'answer'; response: ProxiedResponse; delayMs?: number }
  | { kind: 'reset'; delayMs?: number }
  | { kind: 'delay'; delayMs: number; then: Verdict };

/** What the client gets once the target answered. */
export type AfterVerdict = { kind: 'deliver'; response?: ProxiedResponse } | { kind: 'reset' };

export type ProxyPolicy = (request: ProxiedRequest) => Verdict | Promise<Verdict>;

export interface FaultProxy {
  url: string;
  port: number;
  /** Points the proxy at another target (e.g. a restarted Azurite on new ports). */
  retarget(targetUrl: string): void;
  /** Closes the listener and every open connection: clients get ECONNREFUSED until `up`. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startFaultProxy(targetUrl: string, policy: ProxyPolicy): Promise<FaultProxy> {
  let target = new URL(targetUrl);
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const incoming: ProxiedRequest = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      body: await readAll(req),
    };
    let verdict = await policy(incoming);
    while (verdict.kind === 'delay') {
      await pause(verdict.delayMs);
      verdict = verdict.then;
    }
    if (verdict.kind === 'reset') {
      if (verdict.delayMs) await pause(verdict.delayMs);
      res.socket?.destroy();
      return;
    }
    if (verdict.kind === 'answer') {
      if (verdict.delayMs) await pause(verdict.delayMs);
      return send(res, verdict.response);
    }
    let answer: ProxiedResponse;
    try {
      answer = await forward(target, verdict.request ?? incoming);
      if (verdict.twice) await forward(target, verdict.request ?? incoming);
    } catch {
      res.socket?.destroy();
      return;
    }
    const after = verdict.after ? await verdict.after(answer) : ({ kind: 'deliver' } as AfterVerdict);
    if (after.kind === 'reset') {
      res.socket?.destroy();
      return;
    }
    send(res, after.response ?? answer);
  }

  const port = await listen(server, 0);
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    retarget: (url) => {
      target = new URL(url);
    },
    down: close,
    up: async () => {
      if (!server.listening) await listen(server, port);
    },
    close,
  };
}

function forward(target: URL, request: ProxiedRequest): Promise<ProxiedResponse> {
  return new Promise((resolve, reject) => {
    const headers = { ...request.headers, host: target.host, 'content-length': String(request.body.length) };
    delete headers['transfer-encoding'];
    delete headers.connection;
    const outgoing = httpRequest(
      { host: target.hostname, port: target.port, method: request.method, path: request.url, headers, agent: false },
      (response) => {
        readAll(response).then(
          (body) =>
            resolve({
              status: response.statusCode ?? 502,
              headers: response.headers as Record<string, string | string[]>,
              body,
            }),
          reject,
        );
      },
    );
    outgoing.once('error', reject);
    outgoing.end(request.body);
  });
}

function send(res: ServerResponse, response: ProxiedResponse): void {
  const headers: Record<string, string | string[]> = {
    ...response.headers,
    'content-length': String(response.body.length),
  };
  delete headers['transfer-encoding'];
  delete headers.connection;
  res.writeHead(response.status, headers);
  res.end(response.body);
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): ProxiedResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: Buffer.from(JSON.stringify(body)),
  };
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
