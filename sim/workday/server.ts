/**
 * The simulated Workday host: the RaaS report and the Human_Resources SOAP endpoint of one
 * tenant, on a loopback port, at the paths real Workday uses.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WorkdayTenant } from './tenant';
import { handleRaasRequest } from './raasHandler';
import { handleSoapRequest } from './soapHandler';

export interface WorkdaySimulatorOptions {
  tenant: WorkdayTenant;
  /** Delay before each answer, to model a remote host. */
  latencyMs?: number;
  /** The report's path: `customreport2/<tenant>/<reportOwner>/<reportName>`. */
  reportOwner?: string;
  reportName?: string;
  /** Render some columns as group fields (object or array of objects); default true. See raasReport.ts. */
  groupFields?: boolean;
}

export interface WorkdaySimulator {
  url: string;
  /** e.g. http://127.0.0.1:PORT/ccx/service/customreport2/contoso/ISU_Entra/Entra_Workers */
  raasUrl: string;
  /** e.g. http://127.0.0.1:PORT/ccx/service/contoso/Human_Resources/v44.2 */
  soapUrl: string;
  tenant: WorkdayTenant;
  close(): Promise<void>;
}

/** SOAP requests are small; anything far larger is refused rather than buffered. */
const MAX_SOAP_BODY_BYTES = 1_000_000;

export async function startWorkdaySimulator(options: WorkdaySimulatorOptions): Promise<WorkdaySimulator> {
  const { tenant } = options;
  const raasPath = `/ccx/service/customreport2/${tenant.name}/${options.reportOwner ?? 'ISU_Entra'}/${options.reportName ?? 'Entra_Workers'}`;
  const soapPrefix = `/ccx/service/${tenant.name}/Human_Resources/`;
  const reportOptions = { groupFields: options.groupFields ?? true };

  const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
    if (url.pathname === raasPath) {
      if (request.method !== 'GET') return plain(response, 405, 'Method Not Allowed');
      return handleRaasRequest(tenant, request, response, url, reportOptions);
    }
    if (url.pathname.startsWith(soapPrefix)) {
      if (request.method !== 'POST') return plain(response, 405, 'Method Not Allowed');
      const body = await readBody(request);
      if (body === null) return plain(response, 413, 'Request Entity Too Large');
      const reply = await handleSoapRequest(tenant, body, request.headers.authorization);
      response.writeHead(reply.status, { 'Content-Type': 'text/xml; charset=utf-8', ...reply.headers });
      response.end(reply.body);
      return;
    }
    plain(response, 404, 'Not Found');
  };

  const server = createServer((request, response) => {
    route(request, response).catch((err: unknown) => {
      if (response.headersSent) response.destroy();
      else plain(response, 500, `simulator error: ${err instanceof Error ? err.message : String(err)}`);
    });
  });
  const port = await listen(server);
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    raasUrl: `${url}${raasPath}`,
    soapUrl: `${url}${soapPrefix}v44.2`,
    tenant,
    close: () => close(server),
  };
}

function plain(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  response.end(text);
}

/** The whole request body, or null past the size limit. */
async function readBody(request: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_SOAP_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    // Keep-alive connections from fetch would hold the server open.
    server.closeAllConnections();
  });
}
