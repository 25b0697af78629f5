/**
 * Interleaved rounds for this package's benches (sparse-backward.mjs, leaky-lanes.mjs): medians
 * (ms per call) of each named synchronous function, after one warm-up round. Every round runs each
 * function once (`calls` times in a row, for a sample long enough for the timer), every other
 * round in reverse order: which runs first in a round measured up to 40 % faster on the project's
 * VMs, whatever it was.
 */
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** `contenders`: name → run(); returns name → median ms per call. */
export function interleaved(contenders, rounds, calls = 1) {
  const times = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]));
  const order = Object.entries(contenders);
  for (let round = -1; round < rounds; round++) {
    for (const [name, run] of round % 2 === 0 ? order : [...order].reverse()) {
      const start = performance.now();
      for (let i = 0; i < calls; i++) run();
      if (round >= 0) times[name].push((performance.now() - start) / calls);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([name, ts]) => [name, median(ts)]));
}
