/**
 * The suite's I/O in a browser page (Vitest's browser mode): the same functions as node.ts, which
 * package.json's `imports` replaces with these under the `browser` condition. The fixtures are
 * bundled by Vite (`import.meta.glob`, eager), so there is no file system to read; there are no
 * environment variables, no report files (reportDir: the browser run passes false) and no process
 * memory figures: the soak reads the JS heap where Chromium exposes it (performance.memory, precise
 * with --enable-precise-memory-info, after window.gc from --js-flags=--expose-gc) and declares the
 * rest as not measured in this environment.
 */
import type { ReportKind, MemoryReading, MemoryReadings } from './types.js';

/** Where the suite runs (test titles and warnings name it). */
export const PLATFORM = 'browser';

/** Vite's import.meta.glob, typed here (this package does not load vite/client's types). */
interface ViteImportMeta {
  glob(pattern: string, options: { eager: true; import: 'default' }): Record<string, unknown>;
}
const exactFixture = (import.meta as unknown as ViteImportMeta).glob('../../fixtures/exact-values.json', { eager: true, import: 'default' });
const onnxFiles = (import.meta as unknown as ViteImportMeta).glob('../../fixtures/onnx-node/*.json', { eager: true, import: 'default' });

/** The bundled copy of the ONNX cases, named as findOnnxDir names a folder. */
const BUNDLED_ONNX_DIR = '../../fixtures/onnx-node';

/** A page has no environment variables: every one reads as unset. */
export function envVar(_name: string): string | undefined {
  return undefined;
}

/** The high-precision fixture (fixtures/exact-values.json), bundled. */
export function readExactFixture(): unknown {
  const fixture = Object.values(exactFixture)[0];
  if (fixture === undefined) throw new Error('fixtures/exact-values.json was not bundled');
  return fixture;
}

/** The bundled copy of the ONNX peer data (fixtures/onnx-node), where it was bundled. */
export function findOnnxDir(): string | undefined {
  return `${BUNDLED_ONNX_DIR}/INDEX.json` in onnxFiles ? BUNDLED_ONNX_DIR : undefined;
}

/** Every case listed in the bundled INDEX.json (a page reads no other folder). */
export function readOnnxCaseFiles(dir: string): unknown[] {
  if (dir !== BUNDLED_ONNX_DIR) throw new Error(`the browser reads only the bundled ONNX cases (${BUNDLED_ONNX_DIR}), not ${dir}`);
  const index = onnxFiles[`${dir}/INDEX.json`] as { cases: { file: string }[] };
  return index.cases.map((entry) => {
    const c = onnxFiles[`${dir}/${entry.file}`];
    if (c === undefined) throw new Error(`${entry.file} (listed in INDEX.json) was not bundled`);
    return c;
  });
}

/** No report folder: a page writes no files. */
export async function defaultReportDir(): Promise<string | undefined> {
  return undefined;
}

export async function writeReport(dir: string, kind: ReportKind, name: string, _report: unknown): Promise<string> {
  throw new Error(`a browser page cannot write the ${kind} report ${name}.json to ${dir}: pass reportDir: false`);
}

interface ChromiumPerformance {
  memory?: { usedJSHeapSize: number };
}
const collectGarbage = (globalThis as { gc?: () => void }).gc;
const heap = (): number | undefined => (globalThis.performance as ChromiumPerformance | undefined)?.memory?.usedJSHeapSize;

/**
 * The JS heap where Chromium exposes both it and the collector (without gc, the heap figure would
 * measure garbage); no ArrayBuffer or RSS figures in a page.
 */
export function memoryReadings(): MemoryReadings {
  return { heapUsed: collectGarbage !== undefined && heap() !== undefined, arrayBuffers: false, rss: false };
}

/** The JS heap after two full garbage collections (bytes), where {@link memoryReadings} says so. */
export async function readMemory(): Promise<MemoryReading> {
  if (collectGarbage === undefined) return {};
  collectGarbage();
  collectGarbage();
  return { heapUsed: heap() };
}
