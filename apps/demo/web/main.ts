/**
 * The demo page: an activation explorer (f and f′ of any one-input op, computed by the selected
 * backend and replotted as parameters change), the tour's experiments, and a backend selector.
 */
import { OPS, type Backend, type OpName } from '@rectifier/core';
import { describeBackend, tryCreate } from '../src/lib/backends.js';
import { toSvg } from '../src/lib/charts.js';
import { EXPERIMENTS } from '../src/lib/experiments/index.js';
import { curvesSpec, explore, EXPLORER_OPS, grid, paramSpecs, parseParams, PROBE_POINTS } from '../src/lib/explorer.js';
import type { ExperimentResult } from '../src/lib/types.js';
import { autoChoice, BROWSER_BACKENDS } from './backends.js';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const el = <K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] => {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
};

let backend: Backend | undefined;
/** Every browser backend that started, for the race (created on first use). */
let raceBackends: Backend[] | undefined;

/* ---------------- backend selector ---------------- */

const backendSelect = $<HTMLSelectElement>('backend');
for (const b of BROWSER_BACKENDS) backendSelect.append(el('option', { value: b.id, textContent: b.label }));

async function selectBackend(id: string): Promise<void> {
  const entry = BROWSER_BACKENDS.find((b) => b.id === id)!;
  const status = $('backend-status');
  status.textContent = 'starting…';
  const created = await tryCreate(entry);
  if (typeof created === 'string') {
    status.textContent = `${entry.label} is unavailable here: ${created}`;
    return;
  }
  const old = backend;
  backend = created;
  if (old && !raceBackends?.includes(old)) await old.dispose();
  const why = id === 'auto' ? autoChoice?.describe().lastChoice?.reason : undefined;
  status.textContent = `computing on: ${describeBackend(created)}${why === undefined ? '' : ` (${why})`}`;
  status.dataset.backend = created.name;
  await renderExplorer();
}
backendSelect.addEventListener('change', () => void selectBackend(backendSelect.value));

/* ---------------- explorer ---------------- */

const opSelect = $<HTMLSelectElement>('op');
for (const op of EXPLORER_OPS) opSelect.append(el('option', { value: op, textContent: op }));
opSelect.value = 'relu';

function renderParamInputs(op: OpName): void {
  const box = $('params');
  box.replaceChildren();
  for (const spec of paramSpecs(op)) {
    const input = spec.type === 'enum'
      ? el('select', {}, ...spec.values.map((v) => el('option', { value: v, textContent: v, selected: v === spec.default })))
      : el('input', { type: 'number', step: 'any', value: spec.default === undefined ? '' : String(spec.default), placeholder: 'unset' });
    input.dataset.param = spec.name;
    input.title = spec.doc;
    input.addEventListener('input', () => void renderExplorer());
    box.append(el('label', {}, `${spec.name} `, input));
  }
}

let pending = 0;
async function renderExplorer(): Promise<void> {
  if (!backend) return;
  const ticket = ++pending; // a newer edit supersedes this render
  const op = opSelect.value as OpName;
  const raw: Record<string, string> = {};
  for (const input of $('params').querySelectorAll<HTMLInputElement | HTMLSelectElement>('[data-param]')) raw[input.dataset.param!] = input.value;
  $('summary').textContent = OPS[op].summary;
  const error = $('explorer-error');
  try {
    const params = parseParams(op, raw);
    const curves = await explore(backend, op, params, grid());
    const probes = await explore(backend, op, params, PROBE_POINTS);
    const svg = await toSvg(curvesSpec(op, curves));
    if (ticket !== pending) return;
    $('plot').innerHTML = svg;
    $('probes').querySelector('tbody')!.replaceChildren(...probes.x.map((x, i) =>
      el('tr', {}, el('td', { textContent: String(x) }), el('td', { textContent: show(probes.f[i]) }), el('td', { textContent: show(probes.df[i]) }))));
    error.textContent = '';
    document.body.dataset.rendered = `${op}@${backend.name}`; // lets the browser test wait for this render
  } catch (e) {
    // Bad parameters are the library's typed errors: show the message where the user typed, and
    // clear the old curve and probe values, which belong to parameters no longer on screen.
    if (ticket !== pending) return;
    error.textContent = e instanceof Error ? e.message : String(e);
    $('plot').replaceChildren();
    $('probes').querySelector('tbody')!.replaceChildren();
  }
}
/** Enough digits to identify a float32 exactly (9 significant), −0 kept visible. */
const show = (v: number): string => (Object.is(v, -0) ? '-0' : String(Number(v.toPrecision(9))));

opSelect.addEventListener('change', () => {
  renderParamInputs(opSelect.value as OpName);
  void renderExplorer();
});

/* ---------------- experiments ---------------- */

function renderResult(box: HTMLElement, r: ExperimentResult, svgs: string[]): void {
  const table = el('table', {},
    el('thead', {}, el('tr', {}, ...r.table.columns.map((c) => el('th', { textContent: c })))),
    el('tbody', {}, ...r.table.rows.map((row) => el('tr', {}, ...row.map((c) => el('td', { textContent: String(c) }))))));
  const plots = el('div', { className: 'plots' });
  plots.innerHTML = svgs.join('');
  box.replaceChildren(
    el('p', { className: 'verdict' }, el('b', { textContent: `Measured (${r.backend}, ${r.seconds.toFixed(1)} s): ` }), r.verdict),
    table, plots);
}

async function runExperiment(index: number): Promise<void> {
  if (!backend) return;
  const experiment = EXPERIMENTS[index];
  const card = $(`experiment-${experiment.id}`);
  const bar = card.querySelector('progress')!;
  const out = card.querySelector<HTMLElement>('.result')!;
  bar.hidden = false;
  bar.value = 0;
  try {
    if (experiment.id === 'race') raceBackends ??= (await Promise.all(BROWSER_BACKENDS.map(tryCreate))).filter((b): b is Backend => typeof b !== 'string');
    const result = await experiment.run({
      backend, seed: 0, raceBackends: experiment.id === 'race' ? raceBackends : undefined,
      onProgress: (done, total) => { bar.max = total; bar.value = done; },
    });
    renderResult(out, result, await Promise.all(result.charts.map(toSvg)));
    card.dataset.done = 'true';
  } catch (e) {
    out.replaceChildren(el('p', { className: 'error', textContent: e instanceof Error ? e.message : String(e) }));
    throw e;
  } finally {
    bar.hidden = true;
  }
}

const list = $('experiment-list');
for (const [i, experiment] of EXPERIMENTS.entries()) {
  const run = el('button', { textContent: 'Run' });
  run.dataset.testid = `run-${experiment.id}`;
  const bar = el('progress', { hidden: true });
  // The claim and its source come before the Run button's result: a reader sees what is being
  // checked before anything is measured.
  const claim = el('p', { className: 'claim' }, el('b', { textContent: 'Claim. ' }), experiment.claim);
  claim.dataset.testid = `claim-${experiment.id}`;
  const card = el('div', { className: 'experiment', id: `experiment-${experiment.id}` },
    el('h3', {}, `${i + 1}. ${experiment.title}`, run, bar),
    claim,
    el('p', { className: 'source', textContent: experiment.source }),
    el('div', { className: 'result' }));
  run.addEventListener('click', () => void runExperiment(i));
  list.append(card);
}
$('run-all').addEventListener('click', async () => {
  for (let i = 0; i < EXPERIMENTS.length; i++) await runExperiment(i);
});

renderParamInputs('relu');
await selectBackend(BROWSER_BACKENDS[0].id);
