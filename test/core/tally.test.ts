import { describe, expect, it } from 'vitest';
import { emptyCounts } from '../../src/core/outcome';
import { RunTally } from '../../src/core/tally';

describe('RunTally', () => {
  it('starts with a zero for every outcome code', () => {
    const tally = new RunTally();
    expect(tally.counts()).toEqual(emptyCounts());
    expect(tally.total()).toBe(0);
  });

  it('counts one outcome per worker', () => {
    const tally = new RunTally();
    tally.add({ code: 'written', workerId: 'W1' });
    tally.add({ code: 'escrowed', workerId: 'W2' });
    expect(tally.counts()).toMatchObject({ written: 1, escrowed: 1 });
    expect(tally.total()).toBe(2);
  });

  it('counts a redelivered worker once, with its latest outcome', () => {
    const tally = new RunTally();
    tally.add({ code: 'written', workerId: 'W1' });
    tally.add({ code: 'written', workerId: 'W1', reason: 'alreadyApplied' });
    expect(tally.counts().written).toBe(1);
    tally.add({ code: 'failed', workerId: 'W1' });
    expect(tally.counts()).toMatchObject({ written: 0, failed: 1 });
    expect(tally.total()).toBe(1);
  });

  it('counts unkeyed outcomes (records without a worker id) one by one', () => {
    const tally = new RunTally();
    tally.add({ code: 'rejected', workerId: '' }, { keyed: false });
    tally.add({ code: 'rejected', workerId: '' }, { keyed: false });
    expect(tally.counts().rejected).toBe(2);
  });

  it('adds a number of workers at once without keeping them', () => {
    const tally = new RunTally();
    tally.addCount('unchanged', 4000);
    tally.add({ code: 'written', workerId: 'W1' });
    expect(tally.counts()).toMatchObject({ unchanged: 4000, written: 1 });
    expect(tally.total()).toBe(4001);
    expect(tally.exampleList()).toEqual([{ code: 'written', workerId: 'W1' }]);
  });

  it('keeps a few examples per code, in the order of the outcome codes', () => {
    const tally = new RunTally(2);
    tally.add({ code: 'escrowed', workerId: 'W1' });
    tally.add({ code: 'written', workerId: 'W2' });
    tally.add({ code: 'written', workerId: 'W3' });
    tally.add({ code: 'written', workerId: 'W4' });
    expect(tally.exampleList().map((o) => `${o.code}:${o.workerId}`)).toEqual([
      'written:W2',
      'written:W3',
      'escrowed:W1',
    ]);
  });

  it('drops the example of an outcome that a later one replaced', () => {
    const tally = new RunTally();
    tally.add({ code: 'escrowed', workerId: 'W1' });
    tally.add({ code: 'written', workerId: 'W1' });
    expect(tally.exampleList().map((o) => o.code)).toEqual(['written']);
  });

  it('returns counts the caller cannot use to change the tally', () => {
    const tally = new RunTally();
    tally.add({ code: 'written', workerId: 'W1' });
    tally.counts().written = 99;
    expect(tally.counts().written).toBe(1);
  });
});
