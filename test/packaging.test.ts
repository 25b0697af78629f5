/**
 * Each package works as its own npm import: pack core, kernels-wasm, backend-cpu and conformance with pnpm
 * (which rewrites workspace: ranges), install the tarballs with npm into a project outside the
 * workspace, then import and use them there — the README's quick start as it is written (ES module,
 * CommonJS, TypeScript), plain JavaScript, TypeScript (the published types), and the conformance
 * suite on the installed CPU backend.
 * Needs the packages built (`npm test` builds first).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
/** Every package that will be published (apps/ are private). */
const PUBLIC_PACKAGES = ['core', 'kernels-wasm', 'backend-cpu', 'backend-workers', 'backend-gpujs', 'conformance', 'onnx', 'tfjs'];
const pnpmSpec = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager as string;
const work = mkdtempSync(join(tmpdir(), 'rectifier-pack-'));
const project = join(work, 'consumer');
const gpujsProject = join(work, 'gpujs-consumer');
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * Hang guards only, far above the slowest runs measured (CI under load ran commands 35× slower
 * than an idle machine): no test here may fail because the machine is slow.
 */
const COMMAND_LIMIT_MS = 600_000;
/** The packed conformance run: 7 s idle here, 256 s seen in CI under load. */
const PACKED_RUN_LIMIT_MS = 1_500_000;

/** Runs a command to completion (killed after `timeoutMs`, so a hang fails instead of stalling CI). */
function sh(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}, timeoutMs = COMMAND_LIMIT_MS): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 });
}

/** The part of Vitest's JSON report read here. */
interface VitestReport {
  numFailedTests: number;
  numPassedTests: number;
  testResults: { assertionResults: { title: string; fullName: string; status: string; duration?: number; failureMessages: string[] }[] }[];
}

describe('packed packages installed with npm outside the workspace', () => {
  it('pack and install', () => {
    for (const pkg of PUBLIC_PACKAGES) {
      sh('npx', ['--yes', pnpmSpec, 'pack', '--pack-destination', work], join(root, 'packages', pkg));
    }
    const tarballs = readdirSync(work).filter((f) => f.endsWith('.tgz')).map((f) => join(work, f));
    expect(tarballs).toHaveLength(PUBLIC_PACKAGES.length);
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    const vitestVersion = JSON.parse(readFileSync(join(root, 'node_modules', 'vitest', 'package.json'), 'utf8')).version as string;
    // Every package but gpu.js, with optional dependencies (Vitest's bundler needs its native one).
    const gpujsTarball = (f: string): boolean => f.includes('backend-gpujs');
    sh('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs.filter((f) => !gpujsTarball(f)), `vitest@${vitestVersion}`], project);
    // gpu.js in a project of its own, without optional dependencies: its native headless-gl (a
    // 3-minute build) is left out, as a user without a display would; it then runs in WebAssembly mode.
    mkdirSync(gpujsProject);
    writeFileSync(join(gpujsProject, 'package.json'), JSON.stringify({ name: 'gpujs-consumer', private: true, type: 'module' }));
    sh('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--omit=optional', ...tarballs.filter((f) => gpujsTarball(f) || f.includes('rectifier-core-'))], gpujsProject);
    const installed = JSON.parse(readFileSync(join(project, 'node_modules', '@rectifier', 'backend-cpu', 'package.json'), 'utf8'));
    // core is a peer of every backend (an application has one core); workspace: ranges were rewritten.
    expect(installed.peerDependencies['@rectifier/core']).toBe('^0.1.0');
    expect(installed.dependencies['@rectifier/core']).toBeUndefined();
  }, 5 * COMMAND_LIMIT_MS);

  it("the README's install loop packs exactly the public packages", () => {
    const loop = readFileSync(join(root, 'README.md'), 'utf8').match(/^for p in ([a-z0-9 -]+); do$/m);
    expect(loop, 'README.md has the `for p in …; do` install loop').not.toBeNull();
    expect(loop![1].split(' ').sort()).toEqual([...PUBLIC_PACKAGES].sort());
  });

  it('each tarball ships its LICENSE, README, package.json and built files, with self-contained source maps, and no sources or tests', () => {
    for (const tarball of readdirSync(work).filter((f) => f.endsWith('.tgz'))) {
      const files = sh('tar', ['-tzf', join(work, tarball)], work).trim().split('\n').map((f) => f.replace(/^package\//, ''));
      expect(files, tarball).toContain('LICENSE');
      expect(files, tarball).toContain('README.md');
      expect(files, tarball).toContain('package.json');
      expect(files.filter((f) => !/^(LICENSE|README\.md|package\.json|dist\/.*|fixtures\/.*)$/.test(f)), `${tarball}: files outside dist/`).toEqual([]);
      expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')), `${tarball}: TypeScript sources`).toEqual([]);
      const map = files.find((f) => f.endsWith('.js.map'));
      if (map !== undefined) {
        const json = JSON.parse(sh('tar', ['-xzOf', join(work, tarball), `package/${map}`], work)) as { sourcesContent?: string[] };
        expect(json.sourcesContent?.length, `${tarball}: ${map} carries its sources`).toBeGreaterThan(0);
      }
    }
  });

  it('the worker and gpu.js backends compute from the tarballs too (gpu.js in its WebAssembly mode, headless-gl omitted)', () => {
    writeFileSync(join(project, 'others.mjs'), `
      import { tensor } from '@rectifier/core';
      import { createWorkersBackend } from '@rectifier/backend-workers';
      const workers = createWorkersBackend({ threads: 2, minSavingNs: 0 });
      const w = await workers.forward('relu', tensor([-1, 2, -3, 4]));
      await workers.dispose();
      console.log(JSON.stringify({ w: Array.from(w.data) }));
    `);
    expect(JSON.parse(sh('node', ['others.mjs'], project))).toEqual({ w: [0, 2, 0, 4] });
    writeFileSync(join(gpujsProject, 'gpujs.mjs'), `
      import { tensor } from '@rectifier/core';
      import { createGpujsBackend } from '@rectifier/backend-gpujs';
      const gpujs = createGpujsBackend({ mode: 'webasm' });
      const g = await gpujs.forward('relu', tensor([-1, 2]));
      const mode = gpujs.mode;
      await gpujs.dispose();
      console.log(JSON.stringify({ g: Array.from(g.data), mode }));
    `);
    expect(JSON.parse(sh('node', ['gpujs.mjs'], gpujsProject))).toEqual({ g: [0, 2], mode: 'webasm' });
  });

  it("runs the README's quick start from the tarballs: as an ES module, from CommonJS require() and as type-checked TypeScript", () => {
    const blocks = quickStartBlocks();
    expect(blocks.length, 'README.md ## Quick start has ts examples').toBeGreaterThanOrEqual(2);
    const outputs = blocks.map((code, i) => {
      writeFileSync(join(project, `quick-start-${i + 1}.mjs`), code);
      const esm = sh('node', [`quick-start-${i + 1}.mjs`], project);
      // The same lines from CommonJS: each import becomes a require(), the body an async function.
      const cjs = code.replace(/^import \{([^}]*)\} from '([^']+)';$/gm, (_, names: string, from: string) => `const {${names}} = require('${from}');`);
      expect(cjs, 'every import was rewritten').not.toMatch(/^import /m);
      writeFileSync(join(project, `quick-start-${i + 1}.cjs`), `(async () => {\n${cjs}\n})().catch((e) => { console.error(e); process.exit(1); });\n`);
      expect(sh('node', [`quick-start-${i + 1}.cjs`], project), `quick start ${i + 1} from CommonJS prints what the ES module prints`).toBe(esm);
      writeFileSync(join(project, `quick-start-${i + 1}.ts`), `${code}\nexport {};\n`);
      return esm;
    });
    writeFileSync(join(project, 'tsconfig.quick-start.json'), JSON.stringify({
      compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', noEmit: true, skipLibCheck: false, types: [] },
      files: blocks.map((_, i) => `quick-start-${i + 1}.ts`),
    }));
    sh('node', [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.quick-start.json'], project);
    // What the first example's comments promise: relu, then gelu (tanh), then leaky_relu's gradient with alpha 0.1 (in float32).
    expect(outputs[0]).toContain('[ 0, 0, 0.5, 3 ]');
    expect(outputs[0]).toContain(`[ ${Math.fround(0.1)}, ${Math.fround(0.1)}, 1, 1 ]`);
    // The second: the registry chose the CPU backend (the only one registered there), and swiglu ran on it.
    expect(outputs[1]).toMatch(/^cpu \[/);
  }, 4 * COMMAND_LIMIT_MS);

  it('works from CommonJS: require() of the packages (Node ≥ 20.19 loads their ES modules)', () => {
    writeFileSync(join(project, 'use.cjs'), `
      const { tensor } = require('@rectifier/core');
      const { createCpuBackend } = require('@rectifier/backend-cpu');
      const cpu = createCpuBackend();
      const y = cpu.sync.forward('relu', tensor([-1, 2]));
      const g = cpu.sync.forward('gelu', tensor([1]), { approximate: 'tanh' });
      console.log(JSON.stringify({ y: Array.from(y.data), g: g.data[0] > 0.84 && g.data[0] < 0.85 }));
    `);
    expect(JSON.parse(sh('node', ['use.cjs'], project))).toEqual({ y: [0, 2], g: true });
  });

  it('with two copies of core loaded, a tensor from the other copy gets an error that says so and how to dedupe', () => {
    // What a second install of core looks like: a nested copy that the CPU backend resolves first.
    const nested = join(project, 'node_modules', '@rectifier', 'backend-cpu', 'node_modules', '@rectifier');
    mkdirSync(nested, { recursive: true });
    cpSync(join(project, 'node_modules', '@rectifier', 'core'), join(nested, 'core'), { recursive: true });
    try {
      writeFileSync(join(project, 'two-cores.mjs'), `
        import { tensor } from '@rectifier/core';
        import { createCpuBackend } from '@rectifier/backend-cpu';
        try { createCpuBackend().sync.forward('relu', tensor([1])); console.log('no error'); }
        catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }
      `);
      const out = JSON.parse(sh('node', ['two-cores.mjs'], project)) as { code: string; message: string };
      expect(out.code).toBe('BAD_ARGUMENT');
      expect(out.message).toContain('another copy of @rectifier/core');
      expect(out.message).toContain('npm dedupe');
    } finally {
      rmSync(join(nested, 'core'), { recursive: true, force: true });
    }
  });

  it('imports and computes from plain JavaScript', () => {
    writeFileSync(join(project, 'use.mjs'), `
      import { tensor, RectifierError } from '@rectifier/core';
      import { createCpuBackend } from '@rectifier/backend-cpu';
      const cpu = createCpuBackend();
      const y = await cpu.forward('relu', tensor([-1, -0, 2]));
      const [dx] = cpu.sync.gradient('gelu', tensor([0]), tensor([1]));
      let code;
      try { await cpu.forward('leaky_relu', tensor([1]), { alpha: NaN }); } catch (e) { code = e instanceof RectifierError && e.code; }
      console.log(JSON.stringify({ y: Array.from(y.data).map((v) => Object.is(v, -0) ? '-0' : v), dx: dx.data[0], code }));
      await cpu.dispose();
    `);
    const out = JSON.parse(sh('node', ['use.mjs'], project));
    expect(out).toEqual({ y: [0, 0, 2], dx: 0.5, code: 'BAD_PARAMETER' });
  });

  it('type-checks a TypeScript consumer against the published declarations', () => {
    writeFileSync(join(project, 'use.ts'), `
      import { tensor, type Backend, type Capabilities } from '@rectifier/core';
      import { createCpuBackend } from '@rectifier/backend-cpu';
      const cpu: Backend = createCpuBackend();
      const caps: Capabilities = cpu.capabilities;
      export const p: Promise<number> = cpu.forward('softplus', tensor([1]), { beta: 2 }).then((t) => t.data[0] + caps.maxElements);
      // Aliases are names the types take too, with their op's parameters.
      export const a = [cpu.forward('swish', tensor([1]), { beta: 2 }), cpu.forward('clip', tensor([1]), { min: 0, max: 6 })];
    `);
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', noEmit: true, skipLibCheck: false, types: [] },
      files: ['use.ts'],
    }));
    sh('node', [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], project);
    // A wrong parameter name must be a type error for TypeScript users.
    writeFileSync(join(project, 'use.ts'), `
      import { tensor } from '@rectifier/core';
      import { createCpuBackend } from '@rectifier/backend-cpu';
      export const p = createCpuBackend().forward('softplus', tensor([1]), { betta: 2 });
    `);
    let diagnostics = '';
    try {
      sh('node', [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], project);
    } catch (e) {
      diagnostics = String((e as { stdout?: string }).stdout);
    }
    expect(diagnostics).toMatch(/error TS\d+:.*'betta'/);
  }, COMMAND_LIMIT_MS);

  it('runs the conformance suite on the installed CPU backend', () => {
    writeFileSync(join(project, 'cpu.test.mjs'), `
      import { runConformance } from '@rectifier/conformance';
      import { createCpuBackend } from '@rectifier/backend-cpu';
      runConformance('packed-cpu', () => createCpuBackend(), { reportDir: false });
    `);
    // The differential fuzzer runs in full on the workspace's backends; here a smaller count will do.
    // Vitest exits non-zero when a test fails: read its JSON report either way, and name what failed.
    let out: string;
    try {
      out = sh('npx', ['vitest', 'run', '--reporter=json'], project, { RECTIFIER_FUZZ_RUNS: '100' }, PACKED_RUN_LIMIT_MS);
    } catch (e) {
      const { stdout, stderr } = e as { stdout?: string; stderr?: string };
      if (!stdout?.includes('{')) throw new Error(`the packed conformance run did not report: ${String(e)}\n${stderr ?? ''}`);
      out = stdout;
    }
    const report = JSON.parse(out.slice(out.indexOf('{'))) as VitestReport;
    const failed = report.testResults.flatMap((f) => f.assertionResults.filter((a) => a.status === 'failed')
      .map((a) => `${a.fullName}: ${a.failureMessages.join(' | ')}`)); // whole: a cut reason is no reason
    const slowest = report.testResults.flatMap((f) => f.assertionResults).sort((a, b) => (b.duration ?? 0) - (a.duration ?? 0)).slice(0, 3);
    console.log(`packed conformance run: slowest ${slowest.map((a) => `${a.title} ${Math.round(a.duration ?? 0)} ms`).join('; ')}`);
    expect(failed, 'failed in the packed conformance run').toEqual([]);
    expect(report.numFailedTests).toBe(0);
    expect(report.numPassedTests).toBeGreaterThan(250);
    // The ONNX cases ran from the data shipped in the conformance tarball (nothing beside the project).
    const onnxCases = report.testResults.flatMap((f) => f.assertionResults).filter((a) => a.fullName.includes('ONNX operator test data'));
    expect(onnxCases.length).toBeGreaterThanOrEqual(48);
    expect(onnxCases.every((a) => a.status === 'passed')).toBe(true);
    // The exact-value section ran: its fixture shipped in the conformance tarball and was found.
    const exact = report.testResults.flatMap((f) => f.assertionResults).filter((a) => a.fullName.includes('against the exact value'));
    expect(exact.length).toBeGreaterThan(50);
    expect(exact.every((a) => a.status === 'passed')).toBe(true);
  }, PACKED_RUN_LIMIT_MS + 60_000);
});

/** The ```ts examples of the root README's "Quick start" section, as written. */
function quickStartBlocks(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const from = readme.indexOf('\n## Quick start\n');
  const to = readme.indexOf('\n## ', from + 1);
  return [...readme.slice(from, to).matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
}
