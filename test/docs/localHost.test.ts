/**
 * docs/local-host.md as a promise: its local.settings.json starts the host and the app (the host's
 * own settings, every binding expression resolved, the app's settings accepted), and the functions
 * and routes it calls are the ones the app registers.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/settings';

const ROOT = join(__dirname, '..', '..');
const page = readFileSync(join(ROOT, 'docs', 'local-host.md'), 'utf8');
const design = readFileSync(join(ROOT, 'docs', 'design.md'), 'utf8');
const functionSources = readdirSync(join(ROOT, 'src', 'functions'))
  .filter((name) => name.endsWith('.ts'))
  .map((name) => readFileSync(join(ROOT, 'src', 'functions', name), 'utf8'))
  .join('\n');

const values = (): Record<string, string> => {
  const json = /```json\n([\s\S]*?)```/.exec(page)?.[1];
  expect(json, 'docs/local-host.md shows a local.settings.json').toBeDefined();
  return (JSON.parse(json!) as { Values: Record<string, string> }).Values;
};

/** [kind, name, route] of every function the app registers. */
const registered = [...functionSources.matchAll(/app\.(\w+)\('(\w+)',\s*\{([\s\S]*?)\}\);/g)].map((m) => ({
  kind: m[1]!,
  name: m[2]!,
  route: /route: '([^']+)'/.exec(m[3]!)?.[1],
  methods: /methods: \[([^\]]*)\]/.exec(m[3]!)?.[1] ?? '',
}));

describe('docs/local-host.md', () => {
  it("gives the host what it needs to start: the runtime, storage and every binding's setting", () => {
    const settings = values();
    expect(settings.FUNCTIONS_WORKER_RUNTIME).toBe('node');
    expect(settings.AzureWebJobsStorage).toBe('UseDevelopmentStorage=true');
    // The queue bindings' names live beside the settings (JOB_QUEUE_BINDING), the timers' in their files.
    const bindingSources = functionSources + readFileSync(join(ROOT, 'src', 'config', 'settings.ts'), 'utf8');
    const bindings = [...new Set([...bindingSources.matchAll(/'%(\w+)%/g)].map((m) => m[1]!))];
    expect(bindings.length).toBeGreaterThan(2);
    expect(bindings.filter((name) => !(name in settings))).toEqual([]);
  });

  it('gives settings the app accepts, each a documented setting (a typo would be silently ignored)', () => {
    const settings = values();
    expect(() => loadSettings(settings)).not.toThrow();
    const documented = design.slice(design.indexOf('### Settings'), design.indexOf('### The connector file'));
    expect(Object.keys(settings).filter((name) => !documented.includes(`\`${name}\``))).toEqual([]);
  });

  it('triggers only timer and queue functions the app registers, through the admin endpoint', () => {
    const triggered = [...page.matchAll(/\/admin\/functions\/(\w+)/g)].map((m) => m[1]!);
    expect(triggered).toContain('enrichCycle');
    const timers = registered.filter((f) => f.kind !== 'http').map((f) => f.name);
    expect(triggered.filter((name) => !timers.includes(name))).toEqual([]);
  });

  it('calls routes the app registers, with their methods', () => {
    const calls = [...page.matchAll(/curl -i (?:-X (\w+) )?"?http:\/\/localhost:7071\/api\/([^"?\s]+)/g)].map((m) => ({
      method: m[1] ?? 'GET',
      path: m[2]!,
    }));
    expect(calls.length).toBeGreaterThan(1);
    const unmatched = calls.filter(
      ({ method, path }) =>
        !registered.some(
          (f) =>
            f.kind === 'http' &&
            f.methods.includes(`'${method}'`) &&
            new RegExp(`^${f.route!.replace(/\{\w+\}/g, '[^/]+')}$`).test(path),
        ),
    );
    expect(unmatched).toEqual([]);
  });

  it('points to a local.settings.example.json that holds every setting a local run may set', () => {
    const example = JSON.parse(readFileSync(join(ROOT, 'local.settings.example.json'), 'utf8')) as {
      Values: Record<string, string>;
    };
    expect(() => loadSettings(example.Values)).not.toThrow();
    const settingsSection = design.slice(design.indexOf('### Settings'), design.indexOf('### The connector file'));
    const appTable = settingsSection.slice(0, settingsSection.indexOf('Read by the Functions host'));
    const appSettings = [...appTable.matchAll(/^\| ([^|]+) \|/gm)].flatMap((m) =>
      [...m[1]!.matchAll(/`([^`]+)`/g)].map((n) => n[1]!),
    );
    // Identity-based storage is Azure's; the CLI's operator name and the pinned-Node marker are not settings to set.
    const notLocal = /^AzureWebJobsStorage__|^USER$|^USERNAME$|^ATTRIBUTE_WRITER_PINNED_NODE$/;
    const missing = appSettings.filter((name) => !notLocal.test(name) && !(name in example.Values));
    expect(appSettings.length).toBeGreaterThan(15);
    expect(missing, 'local.settings.example.json lacks these settings of docs/design.md').toEqual([]);
  });
});
