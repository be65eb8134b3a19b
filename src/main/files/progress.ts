/**
 * Progress events for uploads and downloads: bytes done, a rate over a sliding window, and an
 * ETA from that rate. Chunks the node already had (resume) count as done but not toward the
 * rate, so a resumed upload does not report an absurd speed.
 */
export interface TransferProgress {
  readonly direction: 'upload' | 'download';
  /** Plaintext bytes whose chunk is done (stored on the node, or written to disk). */
  readonly bytesDone: number;
  readonly bytesTotal: number;
  readonly chunksDone: number;
  readonly chunksTotal: number;
  /** Chunks the node already held, so nothing was sent (upload resume). */
  readonly chunksSkipped: number;
  /** Bytes per second over the last few seconds; 0 until there is a measurement. */
  readonly rateBytesPerSecond: number;
  /** Seconds left at the current rate; `null` when unknown. */
  readonly etaSeconds: number | null;
}

export type ProgressListener = (progress: TransferProgress) => void;

const WINDOW_MS = 3_000;

export class ProgressTracker {
  private bytesDone = 0;
  private chunksDone = 0;
  private chunksSkipped = 0;
  private readonly samples: { at: number; bytes: number }[] = [];
  /** Start of the rate window: the transfer start, then the time of the last dropped sample. */
  private anchor: number;

  constructor(
    private readonly direction: 'upload' | 'download',
    private readonly bytesTotal: number,
    private readonly chunksTotal: number,
    private readonly listener: ProgressListener | undefined,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.anchor = this.now();
  }

  /** A chunk finished after moving `bytes` plaintext bytes over the wire. */
  transferred(bytes: number): void {
    this.bytesDone += bytes;
    this.chunksDone++;
    this.samples.push({ at: this.now(), bytes });
    this.emit();
  }

  /** A chunk the node already had: done without moving anything. */
  skipped(bytes: number): void {
    this.bytesDone += bytes;
    this.chunksDone++;
    this.chunksSkipped++;
    this.emit();
  }

  snapshot(): TransferProgress {
    const now = this.now();
    // Bytes of the samples in the last WINDOW_MS, over the time since the last sample dropped
    // from the window (the transfer start until one is).
    while (this.samples.length > 0 && this.samples[0]!.at < now - WINDOW_MS) {
      this.anchor = this.samples.shift()!.at;
    }
    const bytes = this.samples.reduce((sum, s) => sum + s.bytes, 0);
    const elapsed = (now - this.anchor) / 1000;
    const rate = elapsed > 0 && bytes > 0 ? bytes / elapsed : 0;
    const left = this.bytesTotal - this.bytesDone;
    return {
      direction: this.direction,
      bytesDone: this.bytesDone,
      bytesTotal: this.bytesTotal,
      chunksDone: this.chunksDone,
      chunksTotal: this.chunksTotal,
      chunksSkipped: this.chunksSkipped,
      rateBytesPerSecond: rate,
      etaSeconds: left === 0 ? 0 : rate > 0 ? left / rate : null,
    };
  }

  private emit(): void {
    if (this.listener === undefined) return;
    try {
      this.listener(this.snapshot());
    } catch {
      // A failing progress listener must not break the transfer.
    }
  }
}
