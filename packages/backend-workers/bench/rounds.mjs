/**
 * Interleaved rounds, shared by this package's FFN benches (ffn-backward.mjs, ffn-weights.mjs):
 * every case runs once per round, so a neighbour's load hits all of them alike; each round starts
 * one case later, so every case runs first in as many rounds as the others (on the project's VMs
 * the first of a round measured up to 40 % faster); two warm-up rounds first. Per case: the median wall time of
 * a call, and the median CPU time all of the process's threads spent on it (process.cpuUsage: the
 * work a call costs, which a busy machine hides less than the wall clock).
 */
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** `cases`: { name, run } with run() one call (may return a Promise). Returns name → { wallMs, cpuMs }. */
export async function timeRounds(cases, rounds) {
  const wall = new Map(cases.map((c) => [c.name, []]));
  const cpu = new Map(cases.map((c) => [c.name, []]));
  for (let round = -2; round < rounds; round++) {
    for (const c of cases.map((_, i) => cases[(i + round + 2) % cases.length])) {
      const start = performance.now();
      const cpuStart = process.cpuUsage();
      await c.run();
      const used = process.cpuUsage(cpuStart);
      if (round >= 0) {
        wall.get(c.name).push(performance.now() - start);
        cpu.get(c.name).push((used.user + used.system) / 1000);
      }
    }
  }
  return new Map(cases.map((c) => [c.name, { wallMs: median(wall.get(c.name)), cpuMs: median(cpu.get(c.name)) }]));
}
