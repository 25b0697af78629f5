/**
 * The conformance suite on the CPU backend's JS kernels alone — what runs where WebAssembly SIMD
 * is missing. RECTIFIER_WASM=off must be set before the kernels module loads (it decides once per
 * thread), so the backend is imported dynamically; Vitest gives every test file its own modules.
 */
import { runConformance } from '@rectifier/conformance';
import { expect, it } from 'vitest';

process.env.RECTIFIER_WASM = 'off';
const cpu = await import('../src/index.js');
const kernels = await import('../src/kernels.js');

it('runs the JS kernels: no WebAssembly, float32 sums in float64', () => {
  expect(kernels.WASM_ELEMENTWISE).toBe(false);
  expect(kernels.FLOAT32_ACCUMULATION).toBe('float64');
});

runConformance('cpu-js', () => cpu.createCpuBackend());
