/**
 * PRIVATE_NETWORKING, both ways, read out of the Bicep (no compiler here): off by default, storage
 * and Key Vault take public traffic and the app no subnet; on, they refuse it, the app leaves
 * through a delegated subnet whose NAT gateway holds one static public IP, which main.bicep
 * outputs for the Workday allow-list, and storage and Key Vault get private endpoints.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  descendants,
  INFRA,
  modules,
  objectProperties,
  params,
  parseBicepFile,
  propertyKey,
  propertyValue,
} from './bicep';
import { evaluate, propertyAt, resources, type Value } from './deployedQueries';

const MAIN = join(INFRA, 'main.bicep');
const main = parseBicepFile(MAIN);

/** The value main.bicep passes to a module's parameter, evaluated for one value of privateNetworking. */
function passed(moduleSymbol: string, param: string, privateNetworking: boolean): Value {
  const declaration = main.namedChildren.find(
    (n) => n.type === 'module_declaration' && n.namedChildren[0]?.text === moduleSymbol,
  )!;
  const paramsObject = propertyValue(
    objectProperties(descendants(declaration, 'object')[0]!).find((p) => propertyKey(p) === 'params')!,
  );
  const value = objectProperties(paramsObject).find((p) => propertyKey(p) === param);
  if (!value) throw new Error(`main.bicep passes no ${param} to ${moduleSymbol}`);
  return evaluate(propertyValue(value), { file: MAIN, root: main, params: { privateNetworking } });
}

/** A resource's body in a module file, evaluated for one value of its publicNetworkAccess parameter. */
function resourceBody(file: string, type: string, publicNetworkAccess: boolean): Record<string, Value> {
  const path = join(INFRA, file);
  const [resource] = resources(file).filter((r) => r.type === type);
  return evaluate(resource!.body, {
    file: path,
    root: parseBicepFile(path),
    params: { publicNetworkAccess },
  }) as Record<string, Value>;
}

describe('PRIVATE_NETWORKING off (the default)', () => {
  it('is a described parameter that defaults to false, in the azd environment as PRIVATE_NETWORKING', () => {
    const declared = params(main).find((p) => p.name === 'privateNetworking');
    expect(declared?.description).toMatch(/NAT gateway/);
    expect(readFileSync(MAIN, 'utf8')).toMatch(/param privateNetworking bool = false/);
    const file = JSON.parse(readFileSync(join(INFRA, 'main.parameters.json'), 'utf8'));
    expect(file.parameters.privateNetworking.value).toBe('${PRIVATE_NETWORKING=false}');
  });

  it('leaves storage and Key Vault open to public traffic and the app without a subnet', () => {
    expect([passed('storage', 'publicNetworkAccess', false), passed('keyVault', 'publicNetworkAccess', false)]).toEqual(
      [true, true],
    );
    expect(passed('api', 'virtualNetworkSubnetId', false)).toBe('');
    const storage = resourceBody('app/storage.bicep', 'Microsoft.Storage/storageAccounts', true);
    expect(storage.properties).toMatchObject({
      publicNetworkAccess: 'Enabled',
      networkAcls: { defaultAction: 'Allow' },
    });
    const vault = resourceBody('app/keyvault.bicep', 'Microsoft.KeyVault/vaults', true);
    expect(vault.properties).toMatchObject({ publicNetworkAccess: 'Enabled', networkAcls: { defaultAction: 'Allow' } });
  });

  it('deploys the network module only when asked, and outputs no allow-list address without it', () => {
    const declaration = main.namedChildren.find(
      (n) => n.type === 'module_declaration' && n.namedChildren[0]?.text === 'network',
    )!;
    expect(descendants(declaration, 'if_statement')[0]?.namedChildren[0]?.text).toBe('(privateNetworking)');
    expect(readFileSync(MAIN, 'utf8')).toContain(
      "output WORKDAY_ALLOWLIST_IP string = privateNetworking ? network.outputs.outboundIpAddress : ''",
    );
  });
});

describe('PRIVATE_NETWORKING on', () => {
  it('closes storage and Key Vault to public traffic', () => {
    expect([passed('storage', 'publicNetworkAccess', true), passed('keyVault', 'publicNetworkAccess', true)]).toEqual([
      false,
      false,
    ]);
    const storage = resourceBody('app/storage.bicep', 'Microsoft.Storage/storageAccounts', false);
    expect(storage.properties).toMatchObject({
      publicNetworkAccess: 'Disabled',
      networkAcls: { defaultAction: 'Deny', bypass: 'None' },
    });
    const vault = resourceBody('app/keyvault.bicep', 'Microsoft.KeyVault/vaults', false);
    expect(vault.properties).toMatchObject({ publicNetworkAccess: 'Disabled', networkAcls: { defaultAction: 'Deny' } });
  });

  it("puts the app's outbound traffic in the network module's delegated subnet", () => {
    expect(passed('api', 'virtualNetworkSubnetId', true)).toEqual({ reference: 'network.outputs.appSubnetId' });
    const [site] = resources('app/api.bicep').filter((r) => r.type === 'Microsoft.Web/sites');
    expect(propertyAt(site!.body, ['properties', 'virtualNetworkSubnetId'])?.text).toBe(
      'empty(virtualNetworkSubnetId) ? null : virtualNetworkSubnetId',
    );
    expect(modules(main).find((m) => m.symbol === 'network')?.path).toBe('app/network.bicep');
  });

  it('gives the app subnet (delegated to Flex Consumption) a NAT gateway with one static public IP, which it outputs', () => {
    const network = readFileSync(join(INFRA, 'app/network.bicep'), 'utf8');
    const [ip] = resources('app/network.bicep').filter((r) => r.type === 'Microsoft.Network/publicIPAddresses');
    expect(propertyAt(ip!.body, ['properties', 'publicIPAllocationMethod'])?.text).toBe("'Static'");
    const [nat] = resources('app/network.bicep').filter((r) => r.type === 'Microsoft.Network/natGateways');
    expect(propertyAt(nat!.body, ['properties', 'publicIpAddresses'])?.text).toBe('[{ id: outboundIp.id }]');
    expect(network).toMatch(/serviceName: 'Microsoft.App\/environments' \}[\s\S]*?natGateway: \{ id: natGateway.id \}/);
    expect(network).toContain('output outboundIpAddress string = outboundIp.properties.ipAddress');
  });

  it('reaches blob, queue, table and the vault through private endpoints with their private DNS zones', () => {
    const network = readFileSync(join(INFRA, 'app/network.bicep'), 'utf8');
    expect(network).toContain("var storageServices = ['blob', 'queue', 'table']");
    expect(network).toMatch(/groupIds: \[service\]/);
    expect(network).toMatch(/groupIds: \['vault'\]/);
    const types = resources('app/network.bicep').map((r) => r.type);
    expect(types.filter((t) => t === 'Microsoft.Network/privateEndpoints')).toHaveLength(2); // storage (×3) and vault
    expect(types.filter((t) => t === 'Microsoft.Network/privateDnsZones/virtualNetworkLinks')).toHaveLength(2);
  });
});
