import cliProgress from 'cli-progress';

/**
 * The one progress bar of genbound (analyze, compare, lab run), on stderr with an ETA. When
 * stderr is not a terminal it is drawn as plain lines every `schedule` ms, and only if `enabled`.
 * `format` uses cli-progress's tokens: {bar} {value} {total} {eta_formatted} and `{status}`.
 */
export interface ProgressOptions {
  enabled: boolean;
  format: string;
  /** Milliseconds between plain-line updates when stderr is not a TTY. */
  schedule?: number;
}

export class ProgressBar {
  private bar: cliProgress.SingleBar | undefined;

  constructor(private readonly opts: ProgressOptions) {}

  /** True when the bar should be drawn: forced, or stderr is a terminal. */
  static wanted(force: boolean | undefined): boolean {
    return force === true || process.stderr.isTTY === true;
  }

  start(total: number, status = ''): void {
    if (!this.opts.enabled) return;
    this.bar?.stop();
    this.bar = new cliProgress.SingleBar({
      stream: process.stderr,
      noTTYOutput: process.stderr.isTTY !== true,
      notTTYSchedule: this.opts.schedule ?? 2000,
      etaBuffer: 20,
      hideCursor: false,
      clearOnComplete: false,
      format: this.opts.format,
    }, cliProgress.Presets.shades_classic);
    this.bar.start(total, 0, { status });
  }

  /** Sets the count (starting the bar on first use when `total` is given). */
  update(done: number, status: string, total?: number): void {
    if (!this.opts.enabled) return;
    if (!this.bar && total !== undefined) this.start(total);
    this.bar?.update(done, { status });
  }

  increment(status: string): void {
    this.bar?.increment(1, { status });
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
