import { describe, expect, it } from 'vitest';
import { wasmKernels } from '../src/index.js';

describe('kernels-wasm module', () => {
  it('loads with SIMD on Node 20', () => {
    expect(wasmKernels()).toBeDefined();
  });
});
