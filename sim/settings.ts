/**
 * The app settings that point the connector at in-process simulators and an Azurite: the demo,
 * the scenario tests and the benchmarks wire the real composition root this one way.
 */
import type { GraphSimulator } from './graph';
import type { WorkdaySimulator } from './workday';

export interface SimulatedServices {
  storageConnectionString: string;
  workday: WorkdaySimulator;
  graph: GraphSimulator;
  connectorPath: string;
  tablePrefix: string;
}

export function simulatorSettings(services: SimulatedServices): Record<string, string> {
  const { workday, graph } = services;
  return {
    AzureWebJobsStorage: services.storageConnectionString,
    CONNECTOR_CONFIG: services.connectorPath,
    WORKDAY_RAAS_URL: workday.raasUrl,
    WORKDAY_SOAP_URL: workday.soapUrl,
    WORKDAY_USERNAME: workday.tenant.username,
    WORKDAY_PASSWORD: workday.tenant.password,
    GRAPH_BASE_URL: graph.url,
    // Loopback only: the settings refuse `none` for any other Graph address.
    GRAPH_AUTH: 'none',
    TABLE_PREFIX: services.tablePrefix,
  };
}
