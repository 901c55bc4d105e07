import { describe, expect, it } from 'vitest';
import { closest, parseCommandLine } from '../../src/cli/args';
import { COMMAND_NAMES, COMMANDS } from '../../src/cli/commands';

describe('parseCommandLine', () => {
  it('accepts every option of the table for its command', () => {
    for (const name of COMMAND_NAMES) {
      const spec = COMMANDS[name] as { argument?: unknown; options: Record<string, { type: string }> };
      const args = [name, ...(spec.argument ? ['W1'] : [])];
      for (const [option, o] of Object.entries(spec.options))
        args.push(`--${option}`, ...(o.type === 'string' ? ['3'] : []));
      const parsed = parseCommandLine(args);
      expect(parsed.kind).toBe('run');
      if (parsed.kind === 'run') expect(Object.keys(parsed.options).sort()).toEqual(Object.keys(spec.options).sort());
    }
  });

  it('reads the worker id of resync and status', () => {
    expect(parseCommandLine(['resync', 'W 1', '--dry-run'])).toEqual({
      kind: 'run',
      command: 'resync',
      workerId: 'W 1',
      options: { 'dry-run': true },
    });
  });

  it('answers help for the tool, a command and help <command>', () => {
    expect(parseCommandLine(['help', 'runs'])).toMatchObject({
      kind: 'help',
      text: expect.stringContaining('--last N'),
    });
    expect(parseCommandLine(['status', '-h'])).toMatchObject({
      kind: 'help',
      text: expect.stringContaining('<workerId>'),
    });
  });

  it('refuses a missing value, a value on a switch, and a wrong number of arguments', () => {
    expect(() => parseCommandLine(['runs', '--last'])).toThrow('--last takes a value (N)');
    expect(() => parseCommandLine(['cycle', '--json=yes'])).toThrow('--json takes no value');
    expect(() => parseCommandLine(['status'])).toThrow("'status' takes one workerId");
    expect(() => parseCommandLine(['sweep', 'extra'])).toThrow("'sweep' takes no arguments");
  });
});

describe('closest', () => {
  it('finds a typo or a prefix, and nothing for an unrelated word', () => {
    expect(closest('--reverfy', ['dry-run', 'approve', 'reverify', 'json'])).toBe('reverify');
    expect(closest('--dry', ['dry-run', 'approve'])).toBe('dry-run');
    expect(closest('--banana', ['dry-run', 'approve', 'json'])).toBeUndefined();
  });
});
