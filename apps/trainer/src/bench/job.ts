/** What one bench child process is asked to do: train on one backend, or (no backend) only load the data. */
export interface BenchJob {
  readonly backend: string | null;
  readonly mode?: string;
  readonly epochs: number;
  readonly seed: number;
  readonly dataDir?: string;
}

/** What it answers. */
export type BenchReply =
  | {
      readonly ok: true;
      readonly mode: string;
      readonly trainSeconds: number;
      readonly testAccuracy: number;
      readonly W: readonly number[];
      /** `process.resourceUsage().maxRSS` at the end: the process's peak resident memory, KiB. */
      readonly peakRssKiB: number;
    }
  | { readonly ok: false; readonly reason: string };
