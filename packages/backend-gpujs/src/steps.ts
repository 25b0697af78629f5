/**
 * One device algorithm for synchronous and asynchronous gpu.js kernels. The element-wise ops, the
 * products and the FFN are generators over the runtime's `run`/`read` steps: a GL, WebAssembly or
 * CPU kernel answers at once and the generator never yields, so the whole call runs synchronously
 * (inputs are read when the call is made, as before); a WebGPU kernel answers with a Promise, which
 * the step yields and `drive` awaits before resuming it.
 */

/** A computation that yields only the Promises it waits on, resumed with what each resolved to. */
export type Steps<T> = Generator<Promise<unknown>, T, unknown>;

/** Runs `steps` to the end: synchronously while nothing is pending, else as a Promise. */
export function drive<T>(steps: Steps<T>): T | Promise<T> {
  const first = steps.next();
  return first.done === true ? first.value : finish(steps, first.value);
}

async function finish<T>(steps: Steps<T>, pending: Promise<unknown>): Promise<T> {
  for (;;) {
    let value: unknown;
    let failed = false;
    try {
      value = await pending;
    } catch (e) {
      failed = true;
      value = e;
    }
    // A rejection is thrown into the generator at its yield, so its try/finally releases what it holds.
    const next = failed ? steps.throw(value) : steps.next(value);
    if (next.done === true) return next.value;
    pending = next.value;
  }
}

/** The value a step waits for: at once where it is already there, else yielded to `drive`. */
export function* settled<T>(value: T | Promise<T>): Steps<T> {
  return value instanceof Promise ? ((yield value) as T) : value;
}
