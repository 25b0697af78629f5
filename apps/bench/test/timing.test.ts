/**
 * The bench's interleaved timing: every contender once per round, the order reversed every other
 * round (timing.ts). Only the order and the sample counts are checked: timings are never asserted.
 */
import { describe, expect, it } from 'vitest';
import { timeInterleaved } from '../src/timing.js';

describe('timeInterleaved', () => {
  it('runs every contender once per round after its warm-up, reversing the order every other round', async () => {
    const order: string[] = [];
    const contenders = ['a', 'b', 'c'].map((name) => ({ name, run: () => { order.push(name); } }));
    const timed = await timeInterleaved(contenders, { warmupMs: 0, rounds: 4, sampleMs: 0 });
    // warmupMs 0: one warm-up call each (and batches of one call); then the rounds a b c, c b a, a b c, c b a
    expect(order).toEqual(['a', 'b', 'c', 'a', 'b', 'c', 'c', 'b', 'a', 'a', 'b', 'c', 'c', 'b', 'a']);
    expect(timed.map((r) => [r.name, r.samples])).toEqual([['a', 4], ['b', 4], ['c', 4]]);
    for (const r of timed) expect(r.minMs).toBeLessThanOrEqual(r.medianMs);
  });

  it('warms every contender up for at least warmupCalls calls, in doubling batches', async () => {
    const order: string[] = [];
    const contenders = ['a', 'b'].map((name) => ({ name, run: () => { order.push(name); } }));
    const timed = await timeInterleaved(contenders, { warmupMs: 0, warmupCalls: 5, rounds: 2, sampleMs: 0 });
    // 1 + 1 + 2 + 4 = 8 ≥ 5 warm-up calls each, then the rounds a b, b a
    expect(order).toEqual([...Array(8).fill('a'), ...Array(8).fill('b'), 'a', 'b', 'b', 'a']);
    expect(timed.map((r) => [r.name, r.samples])).toEqual([['a', 2], ['b', 2]]);
  });
});
