/**
 * Runs the pinned pnpm (the root package.json's `packageManager`) through npx, because a fresh
 * machine has only Node and npm, and corepack fails its signature check here.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

/** Installs the locked dependencies and builds every package (dist/ for real consumers). */
export function installAndBuild() {
  const frozen = process.env.CI ? ['--frozen-lockfile'] : [];
  if (pnpm(['install', ...frozen]) !== 0) process.exit(1);
  if (pnpm(['exec', 'turbo', 'run', 'build', 'typecheck', '--output-logs=errors-only']) !== 0) process.exit(1);
}
