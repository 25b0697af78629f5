/**
 * The suite's I/O in Node: environment variables, the fixtures read from this package's files, the
 * reports written to disk, and memory readings for the soak test. The browser has its own
 * implementation of the same functions (browser.ts); package.json's `imports` picks one by the
 * `browser` condition, so the sections' logic is one place and only the I/O differs.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { ReportKind, MemoryReading, MemoryReadings } from './types.js';

/** Where the suite runs (test titles and warnings name it). */
export const PLATFORM = 'node';

/** An environment variable of the run (RECTIFIER_FUZZ_RUNS, RECTIFIER_ONNX_DIR…). */
export function envVar(name: string): string | undefined {
  return process.env[name];
}

/** The high-precision fixture (fixtures/exact-values.json), parsed. */
export function readExactFixture(): unknown {
  return JSON.parse(readFileSync(new URL('../../fixtures/exact-values.json', import.meta.url), 'utf8'));
}

/**
 * Where the ONNX peer data lives: $RECTIFIER_ONNX_DIR if set, else the copy that ships in this package
 * (fixtures/onnx-node: the 48 cases as JSON, with the ONNX project's licence notice).
 */
export function findOnnxDir(): string | undefined {
  const env = process.env.RECTIFIER_ONNX_DIR;
  if (env) return existsSync(env) ? resolve(env) : undefined;
  const packaged = fileURLToPath(new URL('../../fixtures/onnx-node', import.meta.url));
  return existsSync(join(packaged, 'INDEX.json')) ? packaged : undefined;
}

/** Every case file listed in `dir`'s INDEX.json, parsed (throws if a file is missing or not JSON). */
export function readOnnxCaseFiles(dir: string): unknown[] {
  const index = JSON.parse(readFileSync(join(dir, 'INDEX.json'), 'utf8')) as { cases: { file: string }[] };
  return index.cases.map((entry) => JSON.parse(readFileSync(join(dir, entry.file), 'utf8')) as unknown);
}

function repoRoot(): string | undefined {
  let dir = process.cwd();
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** The accuracy reports' folder when the options name none: $RECTIFIER_REPORT_DIR, else <repo>/reports/run/accuracy. */
export async function defaultReportDir(): Promise<string | undefined> {
  const root = repoRoot();
  return process.env.RECTIFIER_REPORT_DIR ?? (root ? join(root, 'reports', 'run', 'accuracy') : undefined);
}

/**
 * Writes one report as JSON: the accuracy report to `<dir>/<name>.json`, the reliability report
 * beside that folder (`<dir>/../reliability/<name>.json`). Returns the file written.
 */
export async function writeReport(dir: string, kind: ReportKind, name: string, report: unknown): Promise<string> {
  const folder = kind === 'accuracy' ? resolve(dir) : resolve(dir, '..', 'reliability');
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 1)}\n`);
  return file;
}

/** What {@link readMemory} measures here: all three. */
export function memoryReadings(): MemoryReadings {
  return { heapUsed: true, arrayBuffers: true, rss: true };
}

let gc: (() => void) | undefined;
/** The V8 garbage collector, exposed at run time (no --expose-gc flag needed on the test runner). */
function exposeGc(): () => void {
  if (gc === undefined) {
    v8.setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  return gc;
}

/** Heap, ArrayBuffers and RSS after two full garbage collections (bytes). */
export async function readMemory(): Promise<MemoryReading> {
  const collect = exposeGc();
  collect();
  collect();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers, rss: m.rss };
}
