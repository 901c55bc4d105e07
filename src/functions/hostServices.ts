/**
 * One set of services per Functions worker process, built on first use from the app settings.
 * A bad setting fails the invocation with the setting's name (and the host shows it).
 */
import { loadSettings } from '../config/settings';
import { buildServices, type AppServices } from '../app/services';

let current: AppServices | undefined;

export function getServices(): AppServices {
  current ??= buildServices(loadSettings(process.env));
  return current;
}

/** Tests run the real handlers against services they built (Azurite, simulators). */
export function useServices(services: AppServices | undefined): void {
  current = services;
}
