import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { wasmKernels } from '../src/index.js';

describe('kernels-wasm module', () => {
  it('loads with SIMD on Node 20', () => {
    expect(wasmKernels()).toBeDefined();
  });

  it('the GEMM tile kernels in assembly/gemm.ts are what scripts/gen-gemm-tiles.mjs writes', () => {
    const script = fileURLToPath(new URL('../scripts/gen-gemm-tiles.mjs', import.meta.url));
    // Throws (exit status 1, with the reason on stderr) when the block was edited by hand.
    expect(() => execFileSync(process.execPath, [script, '--check'], { stdio: 'pipe' })).not.toThrow();
  });
});
