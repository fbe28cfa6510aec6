import cliProgress from 'cli-progress';

/**
 * The per-matrix progress bar of analyze/compare on stderr, with an ETA. Quiet when stderr is not
 * a TTY unless forced (--progress), so logs and pipes stay clean.
 */
export class MatrixProgress {
  private bar: cliProgress.SingleBar | undefined;
  private started = false;

  constructor(private readonly enabled: boolean, private readonly prefix = '') {}

  static wanted(force: boolean | undefined): boolean {
    return force === true || process.stderr.isTTY === true;
  }

  update(done: number, total: number, label: string): void {
    if (!this.enabled) return;
    if (!this.started) {
      this.bar = new cliProgress.SingleBar({
        stream: process.stderr,
        noTTYOutput: process.stderr.isTTY !== true,
        notTTYSchedule: 2000,
        etaBuffer: 20,
        hideCursor: false,
        clearOnComplete: false,
        format: `${this.prefix}{bar} {value}/{total} matrices | ETA {eta_formatted} | {label}`,
      }, cliProgress.Presets.shades_classic);
      this.bar.start(total, 0, { label: '' });
      this.started = true;
    }
    this.bar?.update(done, { label });
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
    this.started = false;
  }
}
