import { describe, expect, it } from 'vitest';
import { WriteWindow } from '../../src/graph/writeWindow';

describe('WriteWindow', () => {
  it('counts a write until its answer, within the window that follows', () => {
    const window = new WriteWindow(250);
    const ticket = window.take(20, 0);
    window.answered(ticket, 40);
    expect(window.inWindow(1_000, 1_039)).toBe(20);
    expect(window.inWindow(1_000, 1_040)).toBe(0);
    expect(window.fitsAt(1, 20, 1_000, 500)).toBe(1_040);
  });

  it('counts an unanswered write until the bound, and says an answer may still come', () => {
    const window = new WriteWindow(250);
    window.left(window.take(5, 0), 0);
    expect(window.awaitsAnswers(100)).toBe(true);
    expect(window.awaitsAnswers(250)).toBe(false);
    expect(window.fitsAt(16, 20, 1_000, 100)).toBe(1_250);
  });

  it('counts a write whose guards are still running as if it left now: it may leave at any moment', () => {
    const window = new WriteWindow(250);
    const slow = window.take(20, 0);
    // Its place was free at 0; its guards (storage reads) are still running 2 s later.
    expect(window.inWindow(1_000, 2_000)).toBe(20);
    expect(window.fitsAt(1, 20, 1_000, 2_000)).toBe(3_250);
    window.left(slow, 2_100);
    window.answered(slow, 2_130);
    expect(window.inWindow(1_000, 3_100)).toBe(20);
    expect(window.inWindow(1_000, 3_131)).toBe(0);
  });

  it('counts a write that waited for its guard from when it left, not from when it was taken', () => {
    const window = new WriteWindow(250);
    const ticket = window.take(20, 0);
    window.left(ticket, 300);
    // Unanswered, it counts until 250 ms after it left: a second after that, places free up.
    expect(window.inWindow(1_000, 1_500)).toBe(20);
    expect(window.fitsAt(1, 20, 1_000, 600)).toBe(1_550);
  });

  it('cannot say yet what a write not left, or not answered within the bound, will count for the next holder', () => {
    const window = new WriteWindow(250);
    const ticket = window.take(5, 0);
    expect(window.stillCounting(1_000, 100)).toBeNull();
    window.left(ticket, 400);
    // In flight: its answer may come in a few ms and end its count long before the bound.
    expect(window.stillCounting(1_000, 500)).toBeNull();
    expect(window.stillCounting(1_000, 650)).toEqual([{ count: 5, countedUntil: 650 }]);
  });

  it('hands an answered write on as counting until Graph surely counted it, as it counts for its own next write', () => {
    const window = new WriteWindow(250);
    for (const ms of [45, 30, 38, 41, 33]) window.roundTrip(ms);
    const ticket = window.take(20, 0);
    window.left(ticket, 0);
    window.answered(ticket, 40);
    // Graph counted it at least half the fastest round trip (15 ms) before its answer came.
    expect(window.stillCounting(1_000, 50)).toEqual([{ count: 20, countedUntil: 25 }]);
    expect(window.fitsAt(1, 20, 1_000, 50)).toBe(1_025);
  });

  it('trusts no travel back from a single round trip: its journey there may have been the slow half', () => {
    const window = new WriteWindow(1_000);
    // A first batch on a loaded machine: 116 ms to reach Graph, 40 ms back.
    window.roundTrip(156);
    const ticket = window.take(10, 0);
    window.left(ticket, 0);
    window.answered(ticket, 156);
    // Counted until its answer: the next batch may leave 1 s after that, not 78 ms sooner.
    expect(window.fitsAt(1, 10, 1_000, 200)).toBe(1_156);
    for (const ms of [31, 30, 33, 35]) window.roundTrip(ms);
    expect(window.fitsAt(1, 10, 1_000, 200)).toBe(1_141);
  });

  it('frees places in the order the writes stop counting, not the order they left', () => {
    const window = new WriteWindow(250);
    const slow = window.take(10, 0);
    const fast = window.take(10, 10);
    window.answered(fast, 40);
    window.answered(slow, 200);
    expect(window.fitsAt(10, 20, 1_000, 100)).toBe(1_040);
    expect(window.fitsAt(20, 20, 1_000, 100)).toBe(1_200);
  });
});
