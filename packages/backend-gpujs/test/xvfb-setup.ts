/**
 * Vitest globalSetup: starts Xvfb on a free display before the workers fork, so headless-gl (the
 * 'gpu' mode) finds an X server, and stops it afterwards. Where Xvfb is missing the GL tests say so
 * loudly and are skipped (test/conformance.gl.test.ts reads RECTIFIER_GL_UNAVAILABLE).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

let xvfb: ChildProcess | undefined;

function hasXvfb(): boolean {
  return spawnSync('sh', ['-c', 'command -v Xvfb'], { encoding: 'utf8' }).status === 0;
}

/** Starts Xvfb with -displayfd (it picks a free display and writes its number); resolves the display. */
function startXvfb(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    xvfb = child;
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`Xvfb did not report a display within 10 s: ${err.trim()}`)), 10_000);
    child.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(`:${out.trim()}`);
      }
    });
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`Xvfb exited with ${code}: ${err.trim()}`)); });
  });
}

export async function setup(): Promise<void> {
  if (process.env.RECTIFIER_GL_DISPLAY_READY === '1') return;
  if (!hasXvfb()) {
    process.env.RECTIFIER_GL_UNAVAILABLE = 'Xvfb is not installed (scripts/install-system-deps.sh installs xvfb and the headless-gl build deps)';
    return;
  }
  try {
    process.env.DISPLAY = await startXvfb();
    process.env.RECTIFIER_GL_DISPLAY_READY = '1';
  } catch (e) {
    process.env.RECTIFIER_GL_UNAVAILABLE = `Xvfb failed to start: ${e instanceof Error ? e.message : String(e)}`;
  }
}

export async function teardown(): Promise<void> {
  if (xvfb !== undefined && xvfb.exitCode === null) {
    xvfb.removeAllListeners('exit');
    xvfb.kill('SIGTERM');
  }
  xvfb = undefined;
}
