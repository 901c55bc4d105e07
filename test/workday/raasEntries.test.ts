import { describe, expect, it } from 'vitest';
import { isAppError, type AppError } from '../../src/core/errors';
import type { RawRecord } from '../../src/core/ports';
import { MAX_ENTRY_CHARS, ReportEntryScanner } from '../../src/workday/raasEntryScanner';
import { OVERSIZED_ENTRY } from '../../src/core/worker';
import { reportEntries } from '../../src/workday/raasEntries';

const SAMPLE =
  '{ "Report_Entry" : [\n' +
  '  {"WorkerID":"100001","personalEmail":"ana.brown1@example.com","Legal_Entity":{"Descriptor":"Contoso Corp"}},\n' +
  '  {"WorkerID":"10\\"0}2","Note":"brace } and [ bracket ] and \\\\","Legal_Entity":[{"Descriptor":"Contoso LLC"}]},\n' +
  '  {"WorkerID":"C500003","Active":"0","Nested":{"a":[1,2,{"b":null}]}}\n' +
  '] }';

function scanAll(chunks: string[]): RawRecord[] {
  const scanner = new ReportEntryScanner();
  const entries = chunks.flatMap((chunk) => scanner.feed(chunk));
  scanner.finish();
  return entries;
}

function failure(run: () => unknown): AppError {
  try {
    run();
  } catch (err) {
    if (isAppError(err)) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

async function* bytes(chunks: string[], breakAfter?: Error): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) yield new TextEncoder().encode(chunk);
  if (breakAfter) throw breakAfter;
}

async function collect(iterable: AsyncIterable<RawRecord>, into: RawRecord[] = []): Promise<RawRecord[]> {
  for await (const entry of iterable) into.push(entry);
  return into;
}

describe('ReportEntryScanner', () => {
  it('reads every entry of a whole report', () => {
    const entries = scanAll([SAMPLE]);
    expect(entries.map((e) => e.WorkerID)).toEqual(['100001', '10"0}2', 'C500003']);
    expect(entries[0]?.Legal_Entity).toEqual({ Descriptor: 'Contoso Corp' });
    expect(entries[1]?.Legal_Entity).toEqual([{ Descriptor: 'Contoso LLC' }]);
  });

  it('reads the same entries wherever the body is split into two chunks', () => {
    const expected = JSON.parse(SAMPLE).Report_Entry;
    for (let at = 0; at <= SAMPLE.length; at++) {
      expect(scanAll([SAMPLE.slice(0, at), SAMPLE.slice(at)])).toEqual(expected);
    }
  });

  it('reads the same entries fed one character at a time', () => {
    expect(scanAll([...SAMPLE])).toEqual(JSON.parse(SAMPLE).Report_Entry);
  });

  it('hands each entry over as soon as it is complete', () => {
    const scanner = new ReportEntryScanner();
    expect(scanner.feed('{"Report_Entry":[{"WorkerID":"1"},{"Work')).toEqual([{ WorkerID: '1' }]);
    expect(scanner.feed('erID":"2"}]}')).toEqual([{ WorkerID: '2' }]);
  });

  it('reads an empty report as no entries', () => {
    expect(scanAll(['{"Report_Entry":[]}'])).toEqual([]);
  });

  it('skips other keys around Report_Entry', () => {
    const body = '{"Report_Title":"x","Count":2,"Meta":{"a":[1]},"Report_Entry":[{"WorkerID":"1"}],"Done":true}';
    expect(scanAll([body])).toEqual([{ WorkerID: '1' }]);
  });

  it('refuses an HTML page', () => {
    const error = failure(() => scanAll(['<!DOCTYPE html><html><body>Maintenance</body></html>']));
    expect(error.code).toBe('WORKDAY.BAD_RESPONSE');
    expect(error.message).toMatch(/HTML page/);
  });

  it('refuses a body that is not JSON', () => {
    expect(failure(() => scanAll(['Service Unavailable'])).code).toBe('WORKDAY.BAD_RESPONSE');
  });

  it('refuses JSON without Report_Entry', () => {
    expect(failure(() => scanAll(['{"error":"Invalid prompt"}'])).message).toMatch(/no Report_Entry/);
  });

  it('refuses an empty body', () => {
    expect(failure(() => scanAll([''])).message).toMatch(/empty body/);
  });

  it('refuses a body cut after some entries, naming how many were read', () => {
    const error = failure(() => scanAll(['{"Report_Entry":[{"WorkerID":"1"},{"WorkerID":"2"},{"Worker']));
    expect(error.code).toBe('WORKDAY.BAD_RESPONSE');
    expect(error.message).toMatch(/after 2 entries/);
  });

  it('refuses a body cut between the entries and the closing brace', () => {
    expect(failure(() => scanAll(['{"Report_Entry":[{"WorkerID":"1"}]'])).code).toBe('WORKDAY.BAD_RESPONSE');
  });

  it('refuses an entry that is not an object', () => {
    expect(failure(() => scanAll(['{"Report_Entry":[{"WorkerID":"1"},"x"]}'])).message).toMatch(
      /entry 2 .* not an object/,
    );
  });

  it('refuses an entry that is not valid JSON', () => {
    expect(failure(() => scanAll(['{"Report_Entry":[{"WorkerID":1 2}]}'])).message).toMatch(
      /entry 1 .* not valid JSON/,
    );
  });

  it('refuses data after the end of the report', () => {
    expect(failure(() => scanAll(['{"Report_Entry":[]} {"Report_Entry":[]}'])).code).toBe('WORKDAY.BAD_RESPONSE');
  });

  it('skips an entry larger than any report row without buffering it, and reads on', () => {
    const scanner = new ReportEntryScanner();
    const out = scanner.feed('{"Report_Entry":[{"WorkerID":"1"},{"x":"');
    // Chunks with braces and escaped quotes inside the string must not end the skipped entry early.
    for (let sent = 0; sent <= MAX_ENTRY_CHARS; sent += 100_000)
      out.push(...scanner.feed('a{[\\"'.padEnd(100_000, 'a')));
    out.push(...scanner.feed('"},{"WorkerID":"3"}]}'));
    scanner.finish();
    expect(out).toEqual([{ WorkerID: '1' }, { [OVERSIZED_ENTRY]: expect.any(Number) }, { WorkerID: '3' }]);
    expect(scanner.count).toBe(3);
  });

  it('still refuses a value of another root key larger than any report row', () => {
    const scanner = new ReportEntryScanner();
    scanner.feed('{"Report_Entry":[],"other":"');
    const error = failure(() => {
      for (let sent = 0; sent <= MAX_ENTRY_CHARS; sent += 100_000) scanner.feed('a'.repeat(100_000));
    });
    expect(error.message).toMatch(/larger than/);
  });

  it('refuses an HTML page sent as JSON, naming it', () => {
    expect(failure(() => scanAll(['<!DOCTYPE html><html><body>Maintenance</body></html>'])).message).toMatch(
      /HTML page/,
    );
  });
});

describe('reportEntries', () => {
  it('yields the entries of a streamed body', async () => {
    const entries = await collect(reportEntries(bytes([SAMPLE.slice(0, 50), SAMPLE.slice(50)])));
    expect(entries).toHaveLength(3);
  });

  it('decodes a multi-byte character split across chunks', async () => {
    const encoded = new TextEncoder().encode('{"Report_Entry":[{"Legal_Entity":"Société Générale"}]}');
    const at = encoded.indexOf(0xc3) + 1;
    async function* split(): AsyncGenerator<Uint8Array> {
      yield encoded.slice(0, at);
      yield encoded.slice(at);
    }
    expect(await collect(reportEntries(split()))).toEqual([{ Legal_Entity: 'Société Générale' }]);
  });

  it('throws a transient bad response when the connection breaks, after yielding what it read', async () => {
    const seen: RawRecord[] = [];
    const broken = Object.assign(new TypeError('terminated'), { cause: { code: 'UND_ERR_SOCKET' } });
    const reading = collect(reportEntries(bytes(['{"Report_Entry":[{"WorkerID":"1"},{"Wor'], broken)), seen);
    await expect(reading).rejects.toMatchObject({ code: 'WORKDAY.BAD_RESPONSE', transient: true });
    expect(seen).toEqual([{ WorkerID: '1' }]);
  });
});
