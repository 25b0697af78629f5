/**
 * The suite's I/O in a browser page under Vitest's browser mode: the same functions as node.ts, which
 * package.json's `imports` replaces with these under the `browser` condition. The fixtures are
 * bundled by Vite (`import.meta.glob`, eager); environment variables are what the Vitest config
 * passes in `test.env` (import.meta.env); the reports are written by the Vitest server (its
 * readFile/writeFile commands, within Vite's server.fs.allow); memory is read through the Chrome
 * DevTools Protocol where the page is Chromium under Playwright (`cdp()`: a full GC, then the V8
 * heap and the ArrayBuffer backing stores). A page has no RSS figure: the soak names it as not
 * measured here.
 */
import { cdp, commands, server } from 'vitest/browser';
import type { ReportKind, MemoryReading, MemoryReadings } from './types.js';

/** Where the suite runs (test titles and warnings name it). */
export const PLATFORM = 'browser';

/** Vite's import.meta.glob and import.meta.env, typed here (this package does not load vite/client's types). */
interface ViteImportMeta {
  glob(pattern: string, options: { eager: true; import: 'default' }): Record<string, unknown>;
  env?: Record<string, unknown>;
}
const exactFixture = (import.meta as unknown as ViteImportMeta).glob('../../fixtures/exact-values.json', { eager: true, import: 'default' });
const onnxFiles = (import.meta as unknown as ViteImportMeta).glob('../../fixtures/onnx-node/*.json', { eager: true, import: 'default' });

/** The bundled copy of the ONNX cases, named as findOnnxDir names a folder. */
const BUNDLED_ONNX_DIR = '../../fixtures/onnx-node';

/** A variable the Vitest config passed to the page (`test.env`, which Vite exposes as import.meta.env). */
export function envVar(name: string): string | undefined {
  const value = (import.meta as unknown as ViteImportMeta).env?.[name];
  return typeof value === 'string' ? value : undefined;
}

/** The high-precision fixture (fixtures/exact-values.json), bundled. */
export function readExactFixture(): unknown {
  const fixture = Object.values(exactFixture)[0];
  if (fixture === undefined) throw new Error('fixtures/exact-values.json was not bundled');
  return fixture;
}

/** The bundled copy of the ONNX peer data (fixtures/onnx-node); a page reads no other folder ($RECTIFIER_ONNX_DIR is Node's). */
export function findOnnxDir(): string | undefined {
  return `${BUNDLED_ONNX_DIR}/INDEX.json` in onnxFiles ? BUNDLED_ONNX_DIR : undefined;
}

/** Every case listed in the bundled INDEX.json. */
export function readOnnxCaseFiles(dir: string): unknown[] {
  if (dir !== BUNDLED_ONNX_DIR) throw new Error(`the browser reads only the bundled ONNX cases (${BUNDLED_ONNX_DIR}), not ${dir}`);
  const index = onnxFiles[`${dir}/INDEX.json`] as { cases: { file: string }[] };
  return index.cases.map((entry) => {
    const c = onnxFiles[`${dir}/${entry.file}`];
    if (c === undefined) throw new Error(`${entry.file} (listed in INDEX.json) was not bundled`);
    return c;
  });
}

const parent = (dir: string): string => dir.replace(/\/[^/]*\/?$/, '') || '/';

/**
 * As in Node: $RECTIFIER_REPORT_DIR (passed by the config), else <repo>/reports/run/accuracy, the
 * repository found from the Vitest project's root upward by its pnpm-workspace.yaml (read by the
 * server, which refuses paths outside server.fs.allow: then there is no default).
 */
export async function defaultReportDir(): Promise<string | undefined> {
  const fromEnv = envVar('RECTIFIER_REPORT_DIR');
  if (fromEnv !== undefined) return fromEnv;
  for (let dir = server.config.root; ; dir = parent(dir)) {
    const found = await commands.readFile(`${dir}/pnpm-workspace.yaml`).then(() => true, () => false);
    if (found) return `${dir}/reports/run/accuracy`;
    if (dir === '/') return undefined;
  }
}

/** Writes one report through the Vitest server, to the same place as in Node. Returns the file written. */
export async function writeReport(dir: string, kind: ReportKind, name: string, report: unknown): Promise<string> {
  const folder = kind === 'accuracy' ? dir : `${parent(dir)}/reliability`;
  const file = `${folder}/${name}.json`;
  await commands.writeFile(file, `${JSON.stringify(report, null, 1)}\n`);
  return file;
}

/** The DevTools Protocol is there for Chromium under Playwright only. */
const haveCdp = server.provider === 'playwright' && server.browser === 'chromium';

/** The V8 heap and the ArrayBuffers where the DevTools Protocol is there; never RSS. */
export function memoryReadings(): MemoryReadings {
  return { heapUsed: haveCdp, arrayBuffers: haveCdp, rss: false };
}

/** The V8 heap and ArrayBuffer backing stores after two full garbage collections (bytes). */
export async function readMemory(): Promise<MemoryReading> {
  if (!haveCdp) return {};
  // CDPSession is typed by the provider package (@vitest/browser-playwright), which this one does not load.
  const session = cdp() as unknown as { send(method: string): Promise<unknown> };
  await session.send('HeapProfiler.collectGarbage');
  await session.send('HeapProfiler.collectGarbage');
  const usage = await session.send('Runtime.getHeapUsage') as { usedSize: number; backingStorageSize: number };
  return { heapUsed: usage.usedSize, arrayBuffers: usage.backingStorageSize };
}
