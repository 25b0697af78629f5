/**
 * The demo page end to end: build it with Vite, serve it with Vite's preview server on a free port,
 * drive Debian's Chromium (playwright-core, no browser download) through the explorer, the backend
 * selector and two experiments, and compare the numbers shown with core's float64 reference.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { referenceForward, tensor, ulpDistance, type OpName } from '@rectifier/core';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Debian's Chromium; RECTIFIER_CHROMIUM points elsewhere (and lets one check the skip path).
const CHROMIUM = process.env.RECTIFIER_CHROMIUM ?? '/usr/bin/chromium';
const demoDir = fileURLToPath(new URL('..', import.meta.url));
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  // Loud, and the tests below are reported as skipped (never as passed).
  console.error(`\n${'!'.repeat(100)}\n!! demo e2e: ${CHROMIUM} is missing — the browser test is SKIPPED. ` +
    `Install it with scripts/install-system-deps.sh (as root) or apt-get install chromium.\n${'!'.repeat(100)}\n`);
}

/** Both values rounded to float32 are within `ulps` of each other (the page shows 9 significant digits). */
function closeF32(shown: number, want: number, ulps: number): boolean {
  return ulpDistance(Math.fround(shown), Math.fround(want), 'float32') <= ulps;
}

describe.skipIf(!haveChromium)('demo page in Chromium (e2e)', () => {
  let server: PreviewServer;
  let context: BrowserContext;
  let page: Page;
  let url: string;
  const errors: string[] = [];
  const outDir = mkdtempSync(join(tmpdir(), 'rectifier-demo-web-'));
  const profile = mkdtempSync(join(tmpdir(), 'rectifier-demo-chromium-'));

  beforeAll(async () => {
    const configFile = join(demoDir, 'vite.config.ts');
    await build({ configFile, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
    server = await preview({ configFile, logLevel: 'warn', build: { outDir }, preview: { port: 0, strictPort: true, host: '127.0.0.1' } });
    url = server.resolvedUrls!.local[0];
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 900 },
      // --enable-unsafe-webgpu: navigator.gpu on SwiftShader's software adapter, for the WebGPU entry.
      args: ['--no-sandbox', '--disable-gpu', '--enable-unsafe-webgpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()} (${m.location().url})`); });
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  }, 600_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
    rmSync(outDir, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  });

  /** The probe table under the plot: [x, f(x), f′(x)] per row. */
  async function probes(): Promise<number[][]> {
    const rows = await page.locator('[data-testid=probes] tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    return rows.map((r) => r.map(Number));
  }

  async function expectMatchesReference(op: OpName, params: object = {}, ulps = 2): Promise<void> {
    const rows = await probes();
    expect(rows.length).toBe(5);
    const xs = rows.map((r) => r[0]);
    const want = referenceForward(op, tensor(xs, [xs.length], 'float64'), params).data;
    rows.forEach((r, i) => expect(closeF32(r[1], want[i], ulps), `${op}(${r[0]}) shown ${r[1]}, reference ${want[i]}`).toBe(true));
  }

  const rendered = (key: string) => page.waitForSelector(`body[data-rendered="${key}"]`, { timeout: 300_000 });

  /** Selects `op`, waits for its render on the backend named `name`, and checks the values shown (`ulps` as in expectMatchesReference). */
  async function showOp(op: OpName, name: string, ulps?: number): Promise<void> {
    await page.selectOption('[data-testid=op]', op);
    await rendered(`${op}@${name}`);
    await expectMatchesReference(op, {}, ulps);
  }

  it('shows relu on the CPU backend, switches op, parameters and backend, and matches core\'s reference', async () => {
    await page.goto(url);
    await rendered('relu@cpu');
    expect(await page.locator('[data-testid=plot] svg').count()).toBe(1);
    await expectMatchesReference('relu', {}, 0); // relu only selects: bit-exact on every backend
    expect((await probes()).map((r) => r[2])).toEqual([0, 0, 0, 1, 1]); // relu′(0) = 0

    await showOp('gelu', 'cpu');

    await page.selectOption('[data-testid=op]', 'leaky_relu');
    await rendered('leaky_relu@cpu');
    await page.fill('[data-param=alpha]', '0.25');
    await page.waitForFunction(() => document.querySelector('[data-testid=probes] tbody td:nth-child(2)')?.textContent === '-0.5');
    await expectMatchesReference('leaky_relu', { alpha: 0.25 }, 1);

    // A bad parameter is shown as the library's typed error, not thrown into the console.
    await page.fill('[data-param=alpha]', '');
    await page.selectOption('[data-testid=op]', 'softplus');
    await rendered('softplus@cpu');
    await page.fill('[data-param=beta]', '-1');
    await expect.poll(() => page.textContent('[data-testid=explorer-error]')).toContain('BAD_PARAMETER');
    // The curve of the previous parameters is gone beside the error, and so are its probe values.
    expect(await page.locator('[data-testid=plot] svg').count()).toBe(0);
    expect(await page.locator('[data-testid=probes] tbody tr').count()).toBe(0);
    await page.fill('[data-param=beta]', '1');
    await expect.poll(() => page.textContent('[data-testid=explorer-error]')).toBe('');
    expect(await page.locator('[data-testid=plot] svg').count()).toBe(1);
    // The y-axis says what it plots.
    expect(await page.textContent('[data-testid=plot] svg')).toContain('softplus(x) and softplus′(x)');

    await showOp('mish', 'cpu');
  }, 600_000);

  it('computes on the worker backend on Web Workers in the cross-origin-isolated page, bit for bit as the CPU backend', async () => {
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await page.selectOption('[data-testid=backend]', 'workers');
    await expect.poll(() => page.textContent('[data-testid=backend-status]'), { timeout: 300_000 }).toContain('computing on: workers');
    await showOp('relu', 'workers', 0);
    await showOp('gelu', 'workers', 1); // the CPU kernels: ≤ 1 ulp, as on the CPU backend
    await showOp('mish', 'workers'); // the op the next test starts from; ulps as on the CPU backend in the first test
  }, 600_000);

  it('computes on gpu.js through WebGL in the page, within its declared bound; the registry does not pick its software renderer', async () => {
    await page.selectOption('[data-testid=backend]', 'gpujs');
    // Chromium's WebGL here is SwiftShader (software); the backend must have taken a WebGL kernel, not a fallback.
    await expect.poll(() => page.textContent('[data-testid=backend-status]'), { timeout: 300_000 }).toContain('computing on: gpujs (gpu)');
    await rendered('mish@gpujs');
    await expectMatchesReference('mish', {}, 8); // gpu.js declares 8 ulp for float32 transcendental ops
    await showOp('relu', 'gpujs', 0); // selection ops are bit-exact on every backend
    await showOp('gelu', 'gpujs', 8);

    // gpu.js on WebGPU: SwiftShader's adapter (software) computes; the values within the same 8 ulp.
    await page.selectOption('[data-testid=backend]', 'gpujs-webgpu');
    await expect.poll(() => page.textContent('[data-testid=backend-status]'), { timeout: 300_000 }).toContain('computing on: gpujs (webgpu)');
    // (ops not shown on gpu.js before, so that each wait is for a fresh render)
    await showOp('silu', 'gpujs', 8);
    await showOp('relu6', 'gpujs', 0);

    // "Best available" never takes a software renderer over the CPU backend: Chromium's WebGL here
    // is SwiftShader, so core's registry with gpu.js's registration passes over it, says why, and
    // takes the workers (the page is cross-origin isolated).
    await page.selectOption('[data-testid=backend]', 'auto');
    await expect.poll(() => page.textContent('[data-testid=backend-status]'), { timeout: 300_000 }).toContain('computing on: workers');
    expect(await page.textContent('[data-testid=backend-status]')).toMatch(/gpujs was unavailable.*SwiftShader/i);
    await page.selectOption('[data-testid=backend]', 'cpu');
    await expect.poll(() => page.textContent('[data-testid=backend-status]')).toContain('computing on: cpu');
  }, 600_000);

  it('runs experiments in the page with the measured numbers', async () => {
    await page.click('[data-testid=run-nair-hinton]');
    await page.waitForSelector('#experiment-nair-hinton[data-done=true]', { timeout: 300_000 });
    expect(await page.textContent('#experiment-nair-hinton .verdict')).toMatch(/Largest \|Σσ − softplus\| = 0\.010[5-7]/);
    expect(await page.locator('#experiment-nair-hinton svg').count()).toBe(2);
    await page.click('[data-testid=run-equivariance]');
    await page.waitForSelector('#experiment-equivariance[data-done=true]', { timeout: 300_000 });
    expect(await page.textContent('#experiment-equivariance .verdict')).toContain('Powers of two: 0 of');
    await page.click('[data-testid=run-sparsity]');
    await page.waitForSelector('#experiment-sparsity[data-done=true]', { timeout: 300_000 });

    await page.selectOption('[data-testid=op]', 'relu');
    await rendered('relu@cpu');
    const shots = join(demoDir, 'test-results');
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, 'demo-page.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 600_000);

  it("trains experiment 8's language model in the page: the stdlib name lists bundle through their browser entries", async () => {
    // Its claim is on the page before it runs.
    expect(await page.textContent('[data-testid=claim-char-lm]')).toContain('lazy neuron');
    expect(await page.locator('#experiment-char-lm .verdict').count()).toBe(0);
    await page.click('[data-testid=run-char-lm]');
    await page.waitForSelector('#experiment-char-lm[data-done=true]', { timeout: 300_000 });
    expect(await page.textContent('#experiment-char-lm .verdict')).toMatch(/of 842 held-out names\): ReLU 3\.\d\d, GELU 3\.\d\d, SwiGLU 3\.\d\d bits\/char/);
    expect(await page.locator('#experiment-char-lm svg').count()).toBe(3);
    expect(errors).toEqual([]);
  }, 600_000);

  it('fits a 420 px wide screen: nothing scrolls the page sideways, charts scale down, wide tables scroll in their card', async () => {
    await page.setViewportSize({ width: 420, height: 900 });
    const overflow = await page.evaluate(() => {
      const wide = [...document.querySelectorAll<HTMLElement>('body *')]
        .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5 && !e.closest('.result'))
        .map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}.${e.getAttribute('class') ?? ''}`);
      return { scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth, wide: wide.slice(0, 5) };
    });
    expect(overflow.wide).toEqual([]);
    expect(overflow.scrollWidth).toBeLessThanOrEqual(overflow.clientWidth);
    // The explorer's plot and the experiments' charts shrank to the screen (they are 460+ px wide).
    for (const selector of ['[data-testid=plot] svg', '#experiment-char-lm .plots svg']) {
      const width = await page.locator(selector).first().evaluate((e) => e.getBoundingClientRect().width);
      expect(width, selector).toBeLessThan(420);
      expect(width, selector).toBeGreaterThan(200);
    }
    // Every experiment shows its claim and source.
    for (const id of ['sparsity', 'gradient-flow', 'equivariance', 'dying-relu', 'nair-hinton', 'ffn', 'race', 'char-lm']) {
      expect((await page.textContent(`[data-testid=claim-${id}]`))?.length, id).toBeGreaterThan(60);
    }
    await page.screenshot({ path: join(demoDir, 'test-results', 'demo-page-420px.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    expect(errors).toEqual([]);
  }, 600_000);
});
