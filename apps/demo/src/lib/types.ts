/** What every experiment returns: the claim, where it comes from, the measured number, a table, plots. */
import type { TopLevelSpec } from 'vega-lite';
import type { Backend } from '@rectifier/core';

export type Cell = string | number;

export interface ExperimentResult {
  id: string;
  title: string;
  /** The claim being checked, in one or two sentences. */
  claim: string;
  /** Paper or standard text the claim comes from. */
  source: string;
  /** One sentence: what was measured, with the number that decides it. */
  verdict: string;
  /** The deciding number(s), by name (also in --json). */
  metrics: Record<string, number>;
  table: { columns: string[]; rows: Cell[][] };
  /** Vega-Lite specs with their data inline. */
  charts: TopLevelSpec[];
  /** The raw numbers behind the table and plots, for --json. */
  data: unknown;
  backend: string;
  seconds: number;
}

export interface ExperimentContext {
  backend: Backend;
  seed: number;
  /** Called as work is done (done of total steps), for progress bars. */
  onProgress?: (done: number, total: number) => void;
  /** Every backend to race (experiment 7); defaults to `backend` alone. */
  raceBackends?: readonly Backend[];
  /** The longer runs (`--full`) of the experiments that have one (experiment 8); default false. */
  full?: boolean;
}

export interface Experiment {
  id: string;
  title: string;
  /** The claim it checks (shown before it runs; its result may add the run's specifics). */
  claim: string;
  /** Paper or standard text the claim comes from. */
  source: string;
  run(ctx: ExperimentContext): Promise<ExperimentResult>;
}

/** Formats a number for tables: 4 significant digits, exponent for very small/large values. */
export function fmt(v: number, digits = 4): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === 0) return '0';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e6) return v.toExponential(digits - 1);
  return String(Number(v.toPrecision(digits)));
}

export const pct = (v: number, digits = 1): string => `${(100 * v).toFixed(digits)} %`;

/** Yields to the event loop so a browser can repaint (and a progress bar can draw) between steps. */
export const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));
