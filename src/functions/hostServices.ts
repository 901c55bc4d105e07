/**
 * One set of services per Functions worker process, built on first use from the app settings.
 * A bad setting fails the invocation with the setting's name (and the host shows it).
 */
import { loadRunConfiguration } from '../app/loadConfiguration';
import { buildServices, type AppServices } from '../app/services';

let current: AppServices | undefined;

export function getServices(): AppServices {
  if (!current) {
    // Every bad setting and the connector file's problem in one message, as the CLI names them.
    const { settings, connector } = loadRunConfiguration(process.env);
    current = buildServices(settings, { connector });
  }
  return current;
}

/** Tests run the real handlers against services they built (Azurite, simulators). */
export function useServices(services: AppServices | undefined): void {
  current = services;
}
