/** Small fetch helpers for the Graph simulator tests. */
import type { GraphSimulator } from '../../../sim/graph/index';

export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: any;
}

export async function call(
  sim: GraphSimulator,
  method: string,
  pathAndQuery: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<HttpAnswer> {
  const response = await fetch(`${sim.url}/v1.0${pathAndQuery}`, {
    method,
    headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
}

export function filterQuery(filter: string, select?: string): string {
  return `?$filter=${encodeURIComponent(filter)}${select ? `&$select=${select}` : ''}`;
}

export async function batch(sim: GraphSimulator, requests: unknown[]): Promise<HttpAnswer> {
  return call(sim, 'POST', '/$batch', { requests });
}

export function seed(employeeId: string | null, extra: Record<string, unknown> = {}) {
  return {
    employeeId,
    displayName: `User ${employeeId}`,
    userPrincipalName: `u${employeeId ?? Math.random().toString(16).slice(2)}@contoso.com`,
    onPremisesSyncEnabled: true,
    ...extra,
  };
}
