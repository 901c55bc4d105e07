/** Tests start Azurite the same way the demo and the benchmark do. */
export { azuriteCommand, startAzurite, type AzuriteInstance } from '../../sim/storage/azurite';
