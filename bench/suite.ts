// What one benchmark suite returns to bench/run.ts: its table rows and the raw samples behind them.
import type { BenchRow } from './stats.js';

export interface SuiteResult {
  readonly rows: BenchRow[];
  readonly raw: Record<string, unknown>;
}

export interface SuiteOptions {
  /** Measured repetitions per figure (median of these); one more unmeasured warm-up round precedes them. */
  readonly runs: number;
  /** Scratch directory the suite may fill; removed by the runner. */
  readonly dir: string;
  readonly log: (line: string) => void;
}

export type Suite = (options: SuiteOptions) => Promise<SuiteResult>;
