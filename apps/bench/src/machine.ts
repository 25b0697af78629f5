import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { wasmKernels, wasmVariant } from '@rectifier/kernels-wasm';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
  date: string;
  /** Whether the CPU and worker backends ran their WebAssembly SIMD kernels (else the JS fallback). */
  wasmSimd: boolean;
  /** Which build of the kernels loaded: plain SIMD, or relaxed SIMD with a fused multiply-add in the GEMM. */
  wasmVariant: string;
  /** What /proc/cpuinfo says of the vector units the kernels can use (read, not assumed), e.g. "family 25 model 1; AVX2, FMA; no AVX-512". */
  isa: string;
}

/** The CPU's family/model and vector extensions from /proc/cpuinfo ('unknown' off Linux). */
function readIsa(cpuinfo: string | undefined): string {
  if (cpuinfo === undefined) return 'unknown';
  const field = (name: string): string | undefined => new RegExp(`^${name}\\s*:\\s*(.+)$`, 'm').exec(cpuinfo)?.[1].trim();
  const flags = new Set((field('flags') ?? '').split(/\s+/));
  const has = (flag: string, label: string): string | undefined => (flags.has(flag) ? label : undefined);
  const vector = [has('avx2', 'AVX2'), has('fma', 'FMA')].filter((x) => x !== undefined).join(', ') || 'no AVX2/FMA';
  return `family ${field('cpu family') ?? '?'} model ${field('model') ?? '?'}; ${vector}; ${flags.has('avx512f') ? 'AVX-512' : 'no AVX-512'}`;
}

export function describeMachine(): Machine {
  let cpu = cpus()[0]?.model ?? 'unknown';
  let cpuinfo: string | undefined;
  try {
    cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
    const m = /model name\s*:\s*(.+)/.exec(cpuinfo);
    if (m) cpu = m[1].trim();
  } catch {
    // not Linux: os.cpus() it is
  }
  return {
    cpu, cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version,
    platform: `${process.platform}-${process.arch}`, date: new Date().toISOString().slice(0, 10),
    wasmSimd: wasmKernels() !== undefined,
    wasmVariant: wasmVariant() ?? 'none',
    isa: readIsa(cpuinfo),
  };
}
