#!/usr/bin/env node
/**
 * `npm run demo`: installs and builds only what the terminal tour uses, then runs the tour
 * (arguments pass through). It must be quick on a fresh clone (issue 13), so unlike `npm test`
 * (scripts/run-tests.mjs, which installs, builds and type-checks everything) it:
 *   - installs no system packages: scripts/install-system-deps.sh is for headless-gl and the
 *     browser test's Chromium, and the tour needs neither;
 *   - installs `--filter-prod "@rectifier/demo..."` (the tour and the workspace packages it depends
 *     on, with their devDependencies, which hold the build tools: assemblyscript, @types/cli-progress;
 *     pnpm always installs the workspace root's too: typescript) and `--no-optional`: no headless-gl
 *     (a 3-minute native build; the gpu.js backend then runs in its WebAssembly mode), and none of the
 *     bench's ONNX Runtime and TensorFlow.js;
 *   - builds those packages with their own build steps, but their `tsc` steps in one `tsc -b
 *     --noCheck` process (no type check, one TypeScript start-up instead of six).
 * `--no-optional` also leaves out turbo's native binary, so after a demo-only install the root's
 * turbo scripts need `npm test` (or `pnpm install`) first. In a clone that already has the full
 * install (`npm test` ran), a plain install keeps it whole rather than unlinking the optional packages.
 * CI=true installs with --frozen-lockfile, as `npm test` does; neither ever rewrites the lockfile.
 * A fresh package store, to time a first run: `pnpm_config_store_dir=/tmp/new-store npm run demo`
 * (pnpm 12 reads pnpm_config_*, not npm_config_*, from the environment).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pnpm, root, run } from './pnpm.mjs';

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

/** Whether node_modules holds `npm test`'s install (optional dependencies included). */
function fullInstallPresent() {
  try {
    return readJson(join(root, 'node_modules', '.modules.yaml')).included?.optionalDependencies === true; // pnpm writes it as JSON
  } catch {
    return false;
  }
}

/** The folders of @rectifier/demo and the workspace packages it needs at run time, dependencies first. */
function demoPackageDirs() {
  const dirOf = new Map();
  for (const group of ['packages', 'apps']) {
    for (const name of readdirSync(join(root, group))) {
      const file = join(root, group, name, 'package.json');
      if (existsSync(file)) dirOf.set(readJson(file).name, join(group, name));
    }
  }
  const order = [];
  const visit = (pkg) => {
    if (order.includes(pkg)) return;
    const { dependencies = {}, peerDependencies = {} } = readJson(join(root, dirOf.get(pkg), 'package.json'));
    // core is a peer of the backends: built before them all the same.
    for (const [dep, spec] of Object.entries({ ...peerDependencies, ...dependencies })) if (spec.startsWith('workspace:')) visit(dep);
    order.push(pkg);
  };
  visit('@rectifier/demo');
  return order.map((pkg) => dirOf.get(pkg));
}

// Each phase's time goes to stderr, so that a slow first run says where the time went (issue 13).
const t0 = performance.now();
const since = (t) => `${((performance.now() - t) / 1000).toFixed(1)} s`;

const frozen = process.env.CI ? ['--frozen-lockfile'] : [];
const full = fullInstallPresent();
const install = full ? ['install', ...frozen] : ['install', ...frozen, '--filter-prod', '@rectifier/demo...', '--no-optional'];
// headless-gl compiles against Node's own headers when a full install has to rebuild it (see pnpm.mjs).
const nodedir = full && process.platform === 'linux' ? { npm_config_nodedir: process.env.npm_config_nodedir ?? '/usr' } : {};
if (pnpm(install, nodedir) !== 0) process.exit(1);
console.error(`run-demo: installed in ${since(t0)}`);
const t1 = performance.now();

// Each package's build script is `[step && ...] tsc -p tsconfig.build.json`: the other steps run as
// written (kernels-wasm compiles its AssemblyScript), the tsc steps are gathered into one process.
const TSC_STEP = 'tsc -p tsconfig.build.json';
const projects = [];
for (const dir of demoPackageDirs()) {
  const steps = (readJson(join(root, dir, 'package.json')).scripts?.build ?? '').split(' && ');
  if (steps.at(-1) !== TSC_STEP) {
    console.error(`run-demo: ${dir}'s build script does not end with "${TSC_STEP}"; update scripts/run-demo.mjs`);
    process.exit(1);
  }
  for (const step of steps.slice(0, -1)) {
    if (run('sh', ['-c', `cd '${dir}' && ${step}`]) !== 0) process.exit(1);
  }
  projects.push(join(dir, 'tsconfig.build.json'));
}
// tsc -b skips a project whose outputs are newer than its inputs: a second run rebuilds only
// kernels-wasm, whose generated module its build step rewrites.
if (run('node', [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', '--noCheck', ...projects]) !== 0) process.exit(1);
console.error(`run-demo: built in ${since(t1)} (install and build: ${since(t0)})`);

process.exit(run('node', ['apps/demo/dist/tour.js', ...process.argv.slice(2)]));
