/**
 * Runs the pinned pnpm (the root package.json's `packageManager`) through npx, because a fresh
 * machine has only Node and npm, and corepack fails its signature check here.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
export const pnpmSpec = manifest.packageManager; // "pnpm@12.4.2"

/** Runs a command in the repository root, streaming its output; returns the exit status. */
export function run(command, args, env = {}) {
  const r = spawnSync(command, args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1', ...env },
  });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

export function pnpm(args, env) {
  return run('npx', ['--yes', pnpmSpec, ...args], env);
}

/**
 * Installs the system packages (Debian) and the locked dependencies, then builds every package
 * (dist/ for real consumers). headless-gl compiles against Node's own headers (npm_config_nodedir),
 * since node-gyp cannot download them here.
 */
export function installAndBuild() {
  if (process.platform === 'linux' && run('bash', ['scripts/install-system-deps.sh']) !== 0) process.exit(1);
  const frozen = process.env.CI ? ['--frozen-lockfile'] : [];
  const nodedir = process.env.npm_config_nodedir ?? (process.platform === 'linux' ? '/usr' : undefined);
  if (pnpm(['install', ...frozen], nodedir ? { npm_config_nodedir: nodedir } : {}) !== 0) process.exit(1);
  if (pnpm(['exec', 'turbo', 'run', 'build', 'typecheck', '--output-logs=errors-only']) !== 0) process.exit(1);
}

/**
 * The `node` binary of major version `major` from the registry's `node` package (its binaries are
 * registry packages, so it installs where only the registry is reachable), installed once into
 * .node-versions/ (ignored); undefined, said on stderr, when it cannot be installed.
 */
export function installNode(major) {
  const dir = join(root, '.node-versions', major);
  const bin = join(dir, 'node_modules', '.bin', 'node');
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    const status = run('npm', ['install', '--prefix', dir, '--no-audit', '--no-fund', '--no-save', '--loglevel=error', `node@${major}`]);
    if (status !== 0 || !existsSync(bin)) {
      console.error(`could not install node@${major} from the npm registry`);
      return undefined;
    }
  }
  return bin;
}
