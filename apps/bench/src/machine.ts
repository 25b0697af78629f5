import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { wasmKernels } from '@rectifier/kernels-wasm';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
  date: string;
  /** Whether the CPU and worker backends ran their WebAssembly SIMD kernels (else the JS fallback). */
  wasmSimd: boolean;
}

export function describeMachine(): Machine {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    const m = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1].trim();
  } catch {
    // not Linux: os.cpus() it is
  }
  return {
    cpu, cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version,
    platform: `${process.platform}-${process.arch}`, date: new Date().toISOString().slice(0, 10),
    wasmSimd: wasmKernels() !== undefined,
  };
}
