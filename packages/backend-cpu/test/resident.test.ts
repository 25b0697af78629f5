import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { prepareOpCall, tensor } from '@rectifier/core';
import { describe, expect, it } from 'vitest';
import { CPU_CAPABILITIES, createCpuBackend } from '../src/index.js';
import { ResidentTensors } from '../src/resident.js';

describe('resident tensors of the CPU backend', () => {
  it('are declared by the CPU backend where shared WebAssembly memory exists (Node: always), not in CPU_CAPABILITIES, which the worker backend shares', () => {
    expect(createCpuBackend().capabilities.residentTensors).toBe(true);
    expect(CPU_CAPABILITIES.residentTensors).toBeUndefined();
  });

  it('run unary ops with a WebAssembly kernel on their offsets, and leave every other call to the ordinary path', () => {
    const pool = new ResidentTensors();
    const x = pool.allocate([40], 40, 'float32');
    const y = pool.allocate([40], 40, 'float32');
    x.data.set(Array.from({ length: 40 }, (_, i) => i - 20));
    const call = (op: string, out: unknown, input = x, params?: object) => prepareOpCall(op, input, params, undefined, { out });
    expect(pool.forward(call('relu', y))).toBe(true);
    expect(Array.from(y.data)).toEqual(Array.from({ length: 40 }, (_, i) => Math.max(0, i - 20)));
    expect(pool.forward(call('leaky_relu', x, x, { alpha: 0.5 }))).toBe(true); // in place
    expect(x.data[0]).toBe(-10);
    expect(pool.forward(call('relu', tensor(new Float32Array(40))))).toBe(false); // out not resident
    expect(pool.forward(call('relu', y, tensor(new Float32Array(40))))).toBe(false); // x not resident
    expect(pool.forward(call('hardtanh', y))).toBe(false); // no WebAssembly kernel: the JS loop, on the same memory
    const other = new ResidentTensors();
    expect(pool.forward(call('relu', other.allocate([40], 40, 'float32')))).toBe(false); // another memory
    const x64 = pool.allocate([4], 4, 'float64');
    expect(pool.forward(prepareOpCall('relu', x64, undefined, undefined, { out: pool.allocate([4], 4, 'float64') }))).toBe(false);
  });

  it('keep the memory at the peak of live tensors over allocate/dispose cycles, and give it all back on dispose', async () => {
    const b = createCpuBackend();
    for (let i = 0; i < 100; i++) {
      const ts = [b.allocate([1 << 20]), b.allocate([3 << 16]), b.allocate([12345])];
      await b.forward('relu', ts[0], undefined, { out: ts[0] });
      for (const t of ts.reverse()) t.dispose();
    }
    const peak = ((1 << 20) + (3 << 16) + 12345) * 4;
    expect(b.residentMemoryBytes).toBeLessThanOrEqual(2 * (peak + 65536)); // it grows at least twofold
    const kept = b.allocate([8]);
    await b.dispose();
    expect(kept.isDisposed).toBe(true);
  });

  it('free the block of a tensor dropped undisposed once it is collected (the FinalizationRegistry)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void; // a gc() function of this isolate
    const b = createCpuBackend();
    const droppedAt = ((): number => b.allocate([1000]).data.byteOffset)(); // nothing keeps the tensor
    let reused = false;
    for (let i = 0; i < 50 && !reused; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10)); // finalizers run in a later task
      const probe = b.allocate([1000]);
      reused = probe.data.byteOffset === droppedAt;
      probe.dispose();
    }
    expect(reused, 'the dropped block was handed out again').toBe(true);
    await b.dispose();
  });
});
