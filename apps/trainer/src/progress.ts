import { type Paint, painter } from "./colors.js";

// ESC [ n m, written with the escape as a character code so the pattern holds no control character.
const ANSI_STYLE = new RegExp(`${String.fromCharCode(27)}\\[\\d+m`, "g");

/** Where progress goes: a stream that may or may not be a terminal. */
export interface ProgressStream {
  write(chunk: string): boolean;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/**
 * A one-line progress bar with ETA, redrawn in place on a terminal and silent elsewhere (logs and
 * pipes get the per-epoch lines only). Redraws are throttled so drawing never costs training time.
 */
export class ProgressBar {
  private readonly stream: ProgressStream;
  private readonly enabled: boolean;
  private lastDraw = 0;
  private drawn = false;
  private started = 0;
  private readonly paint: Paint;

  constructor(stream: ProgressStream, enabled = stream.isTTY === true, paint: Paint = painter(false)) {
    this.stream = stream;
    this.enabled = enabled;
    this.paint = paint;
  }

  /** Marks the start of a unit of work whose ETA is estimated from its own pace. */
  start(): void {
    this.started = performance.now();
  }

  /**
   * Redraws the bar at `done` of `total`. The ETA is `eta` seconds when given (the caller may know
   * the whole run's pace), else estimated from this unit's own pace since `start()`.
   */
  update(done: number, total: number, label: string, detail: string, eta?: number): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (done < total && now - this.lastDraw < 80) return;
    this.lastDraw = now;
    const elapsed = (now - this.started) / 1000;
    eta ??= done > 0 ? (elapsed / done) * (total - done) : Number.NaN;
    const width = 24;
    const filled = Math.round((done / total) * width);
    const bar = `${this.paint("cyan", "█".repeat(filled))}${"░".repeat(width - filled)}`;
    const line = `${label} ${bar} ${done}/${total}  ${detail}  ETA ${formatSeconds(eta)}`;
    // Cut to the terminal's width so the bar never wraps (and \r can redraw it); colour codes are
    // only in the bar, which comes early in the line.
    const columns = this.stream.columns ?? 100;
    const visible = line.replace(ANSI_STYLE, "");
    const cut = visible.length > columns - 1 ? `${visible.slice(0, columns - 1)}` : line;
    this.stream.write(`\r${cut}\x1b[K`);
    this.drawn = true;
  }

  /** Erases the bar so a normal line can be printed where it was. */
  clear(): void {
    if (!this.enabled || !this.drawn) return;
    this.stream.write("\r\x1b[K");
    this.drawn = false;
  }
}

/** `1.9 s`, `2 m 05 s`, or `--` when unknown. */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return "--";
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} m ${String(Math.round(seconds % 60)).padStart(2, "0")} s`;
}
