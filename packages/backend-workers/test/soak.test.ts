import { tensor, type OpName } from '@rectifier/core';
import { describe, expect, it } from 'vitest';
import { WorkersBackend } from '../src/backend.js';
import { threadsOf } from './threads.js';

// The conformance suite's soak test holds heap and RSS flat on this backend; this one holds its
// worker threads: 10,000 mixed calls, every one through the pool, leave the thread count unchanged.
describe('workers backend: soak', () => {
  it('10,000 mixed calls through the pool keep the worker count constant', async () => {
    const b = new WorkersBackend({ threads: 2, minSavingNs: 0 });
    try {
      await b.ready();
      const x = tensor(Array.from({ length: 301 }, (_, i) => i / 25 - 6));
      const m = tensor(Array.from({ length: 64 }, (_, i) => (i % 7) - 3), [8, 8]);
      const w = { w1: m, w2: m };
      const ops: OpName[] = ['relu', 'gelu', 'silu', 'softplus', 'swiglu'];
      const threadsAt = (): number => threadsOf(b).length;
      await b.forward('relu', x);
      const start = threadsAt();
      expect(start).toBeGreaterThan(0);
      let max = start;
      for (let i = 0; i < 10_000; i++) {
        const op = ops[i % ops.length];
        switch (i % 5) {
          case 0: await b.forward(op, op === 'swiglu' ? [x, x] : x); break;
          case 1: await b.gradient(op, op === 'swiglu' ? [x, x] : x, x); break;
          case 2: await b.matmul(m, m); break;
          case 3: await b.ffn(m, w, { activation: 'gelu' }); break;
          default: await b.ffnBackward(m, w, m); break;
        }
        if (i % 500 === 0) max = Math.max(max, threadsAt());
      }
      expect(max).toBe(start);
      expect(threadsAt()).toBe(start);
    } finally {
      await b.dispose();
    }
  }, 600_000);
});
