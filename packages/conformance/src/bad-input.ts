/**
 * Bad input: the rows of `bad-input-cases.ts` (one per public entry point × kind of bad input, with
 * the typed error it gives) drive the conformance tests (`badInputSuite`, run on every backend) and
 * the docs table (`renderBadInputTable`, docs/bad-input.md), so the two cannot drift.
 */
import {
  ErrorCode, OP_NAMES, RectifierError, Tensor, tensor,
  type Backend, type DType, type FfnWeights, type OpName, type SyncBackend,
} from '@rectifier/core';
import { expect, it } from 'vitest';
import { offers } from './declared-ops.js';

const isOpName = (name: string): name is OpName => (OP_NAMES as readonly string[]).includes(name);

import { any, BAD_INPUT_CASES, type BadInputCase, type ExpectedCode } from './bad-input-cases.js';

export { BAD_INPUT_CASES, type BadInputCase, type ExpectedCode };


/** The Backend operations that also exist on `backend.sync`; their rows run through both APIs. */
const SYNC_ENTRIES: ReadonlySet<string> = new Set(['forward', 'gradient', 'matmul', 'ffn', 'ffnBackward', 'activationStats']);
/** Entry points that return a Promise: they must reject, never throw synchronously. */
const ASYNC_ENTRIES: ReadonlySet<string> = new Set([...SYNC_ENTRIES, 'ready']);
/** How long a bad call may take to settle before it counts as a hang. */
const SETTLE_MS = 60_000; // a hang guard only: a bad call is refused at validation, in microseconds


/* ---------------- the code a row expects, in words ---------------- */

const stubWith = (dtypes: readonly DType[]): Backend => any<Backend>({ capabilities: { dtypes } });

/** The expected code as text: `CODE`, or for a capability-dependent row both codes and when. */
export function expectedCodeText(code: ExpectedCode, markdown = false): string {
  const q = (c: string): string => (markdown ? `\`${c}\`` : c);
  if (typeof code !== 'function') return q(code);
  const with64 = code(stubWith(['float32', 'float64']));
  const without = code(stubWith(['float32']));
  return with64 === without ? q(with64) : `${q(with64)} (${q(without)} without float64)`;
}

/** The README table: entry point × bad input → error code. */
export function renderBadInputTable(): string {
  const cell = (s: string): string => s.replace(/\|/g, '\\|');
  const lines = ['| entry point | bad input | error code |', '|---|---|---|'];
  for (const row of BAD_INPUT_CASES) {
    lines.push(`| \`${cell(row.entry)}\` | ${cell(row.kind)} | ${cell(expectedCodeText(row.code, true))} |`);
  }
  return lines.join('\n');
}

/* ---------------- the runner ---------------- */

/** The backend seen through its sync API: the six operations are `backend.sync`'s. */
function syncView(b: Backend): Backend {
  const s = b.sync as SyncBackend;
  const via = (name: keyof SyncBackend) => (...args: unknown[]): unknown => (s[name] as (...a: unknown[]) => unknown).apply(s, args);
  return any<Backend>({
    name: b.name, capabilities: b.capabilities, sync: s,
    get isDisposed() { return b.isDisposed; },
    ready: () => b.ready(), dispose: () => b.dispose(),
    forward: via('forward'), gradient: via('gradient'), matmul: via('matmul'),
    ffn: via('ffn'), ffnBackward: via('ffnBackward'), activationStats: via('activationStats'),
  });
}

/** A call that did not settle in time. */
class Hang extends Error {}

/** Resolves with what `p` settles to, or rejects with a `Hang` when it takes longer than `ms`. */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Hang(`${what}: did not settle within ${ms} ms (a hang)`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

type Outcome = { threw: false; value: unknown } | { threw: true; error: unknown };

function checkError(row: BadInputCase, code: ErrorCode, outcome: Outcome, via: string): void {
  const what = `${via} ${row.entry}: ${row.kind}`;
  if (!outcome.threw) {
    throw new Error(`${what}: expected a RectifierError ${code}, but the call returned ${String(outcome.value)}`);
  }
  const e = outcome.error;
  expect(e, `${what}: ${String(e)}`).toBeInstanceOf(RectifierError);
  const r = e as RectifierError;
  expect(r.code, `${what}: ${r.message}`).toBe(code);
  expect(r.message, what).toContain(`[${code}]`);
  expect(r.op, `${what}: the entry point/op named (${r.message})`).toBe(row.op);
  expect(r.message, what).toContain(row.op);
  expect(r.argument, `${what}: the argument named (${r.message})`).toBe(row.argument);
  if (row.argument !== undefined) expect(r.message, what).toContain(`argument '${row.argument}'`);
}

/** Makes the call; async entry points must return a Promise that rejects in time, never throw synchronously. */
async function outcomeOf(row: BadInputCase, b: Backend, via: 'async' | 'sync'): Promise<Outcome> {
  let returned: unknown;
  try {
    returned = row.call(b);
  } catch (error) {
    if (via === 'async' && ASYNC_ENTRIES.has(row.entry)) {
      throw new Error(`${row.entry}: ${row.kind}: threw synchronously from an async entry point (${String(error)})`);
    }
    return { threw: true, error };
  }
  if (via === 'sync' || !ASYNC_ENTRIES.has(row.entry)) {
    if (returned instanceof Promise) {
      returned.catch(() => undefined);
      throw new Error(`${row.entry}: ${row.kind}: the ${via === 'sync' ? 'sync API' : 'synchronous entry point'} returned a Promise`);
    }
    return { threw: false, value: returned };
  }
  if (!(returned instanceof Promise)) {
    throw new Error(`${row.entry}: ${row.kind}: the async entry point did not return a Promise (returned ${String(returned)})`);
  }
  try {
    return { threw: false, value: await within(returned, SETTLE_MS, `${row.entry}: ${row.kind}`) };
  } catch (error) {
    if (error instanceof Hang) throw error;
    return { threw: true, error };
  }
}

/**
 * One test per row of `BAD_INPUT_CASES` (call inside the suite's describe): the call rejects (or
 * throws) a RectifierError with the row's code, naming the row's op and argument, within a few
 * seconds; Backend methods also through `backend.sync` where `capabilities.sync`. Then the shared
 * backend must still compute correctly.
 */
export function badInputSuite(getBackend: () => Backend, create: () => Backend | Promise<Backend>): void {
  let disposed: Promise<Backend> | undefined;
  /** One backend from the factory, made ready then disposed, for every "after dispose" row. */
  const disposedBackend = (): Promise<Backend> => (disposed ??= (async () => {
    const own = await create();
    await own.ready();
    await own.dispose();
    return own;
  })());

  for (const row of BAD_INPUT_CASES) {
    it(`${row.entry}: ${row.kind} → ${expectedCodeText(row.code)}`, async () => {
      const b = row.backend === 'disposed' ? await disposedBackend() : getBackend();
      // An op the backend does not declare is refused before its inputs are read.
      const refused = row.backend !== 'disposed' && (row.entry === 'forward' || row.entry === 'gradient') && isOpName(row.op) && !offers(b, row.op);
      const expected: BadInputCase = refused ? { ...row, code: ErrorCode.UnsupportedOp, argument: 'op' } : row;
      const code = typeof expected.code === 'function' ? expected.code(b) : expected.code;
      checkError(expected, code, await outcomeOf(row, b, 'async'), 'async');
      if (SYNC_ENTRIES.has(row.entry) && b.capabilities.sync) {
        expect(b.sync, 'capabilities.sync declares backend.sync').toBeDefined();
        checkError(expected, code, await outcomeOf(row, syncView(b), 'sync'), 'sync');
      }
    });
  }

  it('after every bad call above, the backend still computes correctly', async () => {
    const b = getBackend();
    expect(b.isDisposed).toBe(false);
    const y = await within(b.forward('relu', tensor([-2, -0, 0.5, 3, NaN])), SETTLE_MS, 'relu');
    expect(Array.from(y.data)).toEqual([0, 0, 0.5, 3, NaN]);
    expect(Object.is(y.data[1], 0)).toBe(true); // relu(−0) = +0
    const c = await within(b.matmul(tensor([1, 2, 3, 4, 5, 6], [2, 3]), tensor([1, 0, 0, 1, 1, 1], [3, 2])), SETTLE_MS, 'matmul');
    expect(Array.from(c.data)).toEqual([4, 5, 10, 11]);
    if (b.capabilities.sync) expect(Array.from(b.sync!.forward('relu', tensor([-1, 2])).data)).toEqual([0, 2]);
  });
}
