/**
 * Interleaved timing: every contender of a group runs once per round, in turn, so slow drifts of
 * the machine (frequency, other load) spread over all of them instead of favouring whoever ran
 * first. Every other round runs them in reverse order, so that no contender is always the one that
 * follows a given other (on the project's VMs the first of a round measured up to 40 % faster than
 * the same call later in it: packages/backend-cpu/bench/sparse-backward.mjs). Each sample is a
 * batch of calls long enough for the timer; min and median per call are reported.
 */
export interface Contender {
  name: string;
  /** One call; may return a Promise. */
  run: () => unknown;
}

export interface Timing {
  name: string;
  minMs: number;
  medianMs: number;
  samples: number;
}

export interface TimingOptions {
  warmupMs: number;
  /**
   * Calls each contender's warm-up makes at least (default 1), however long they take: the workers
   * backend's FFN measured up to 2× slower for its first 2 to 19 calls, mostly while V8 had not yet
   * tiered its threads' WebAssembly up (packages/backend-workers/bench/warm-up.mjs), and warmupMs
   * alone covers two or three such calls.
   */
  warmupCalls?: number;
  rounds: number;
  /** Batch length each sample aims for. */
  sampleMs: number;
}

async function callN(c: Contender, n: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const r = c.run();
    if (r instanceof Promise) await r;
  }
  return performance.now() - t0;
}

export async function timeInterleaved(contenders: Contender[], o: TimingOptions): Promise<Timing[]> {
  // Warm up each (JIT, caches, first-touch of outputs) and size its batch.
  const batch = new Map<string, number>();
  for (const c of contenders) {
    let n = 1;
    let calls = 1;
    let spent = await callN(c, 1);
    while (spent < o.warmupMs || calls < (o.warmupCalls ?? 1)) {
      spent += await callN(c, n);
      calls += n;
      n *= 2;
    }
    const perCall = Math.max(spent / calls, 1e-6);
    batch.set(c.name, Math.max(1, Math.round(o.sampleMs / perCall)));
  }
  const samples = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  for (let r = 0; r < o.rounds; r++) {
    for (const c of r % 2 === 0 ? contenders : [...contenders].reverse()) {
      const n = batch.get(c.name)!;
      samples.get(c.name)!.push((await callN(c, n)) / n);
    }
  }
  return contenders.map((c) => {
    const s = [...samples.get(c.name)!].sort((a, b) => a - b);
    return { name: c.name, minMs: s[0], medianMs: s[Math.floor(s.length / 2)], samples: s.length };
  });
}
