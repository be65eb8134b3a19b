/**
 * A publisher that keeps publishing, records the stream sequence of every message the node
 * acknowledged, and retries an unacknowledged message (same id, same bytes) until it is acked,
 * as an outbox would. Members publish signed frames as requests and the node's frame ingest
 * answers with a receipt after JetStream stored the frame (docs/PROTOCOL.md §12.3); `send`
 * hides how. Messages are derived from the message number (`message(n)`, memoized), so a
 * reader can check content without keeping a copy of its own.
 */
import { createHash } from 'node:crypto';
import { sleep } from './wait';

/** Short, so a publish lost in a crash is retried soon after the restart. */
const PUBLISH_TIMEOUT_MS = 1_000;
const RETRY_PAUSE_MS = 100;

/** 256 bytes that only message `n` carries. */
export function payloadFor(n: number): Uint8Array {
  const hex = createHash('sha256').update(`payload ${n}`).digest('hex');
  return new TextEncoder().encode(hex.repeat(4));
}

/** Message `n`: its id (the stream's `Nats-Msg-Id`) and the exact bytes stored. */
export interface DrillMessage {
  readonly id: string;
  readonly data: Uint8Array;
}

/** Sends one message; resolves with the node's receipt, rejects when unacknowledged. */
export type SendFn = (message: DrillMessage) => Promise<{ seq: number; duplicate: boolean }>;

export class AckedPublisher {
  /** message id → stream sequence from the node's receipt. */
  readonly acked = new Map<string, number>();
  private readonly messages = new Map<number, DrillMessage>();
  attempts = 0;
  failedAttempts = 0;
  duplicateAcks = 0;
  private next = 0;
  private stopping = false;
  private workers: Promise<void>[] = [];

  constructor(
    private readonly send: SendFn,
    private readonly make: (n: number) => DrillMessage,
  ) {}

  /** Message `n` exactly as it was (and is re-) sent. */
  message(n: number): DrillMessage {
    let m = this.messages.get(n);
    if (!m) this.messages.set(n, (m = this.make(n)));
    return m;
  }

  /** The message with this id, if this publisher made it. */
  byId(id: string): DrillMessage | undefined {
    for (const m of this.messages.values()) if (m.id === id) return m;
    return undefined;
  }

  /**
   * `inFlight` concurrent publishers, so a kill usually lands with writes under way, together
   * at most `perSecond` messages a second: steady, and light on a shared 2-core CI machine.
   */
  start(inFlight: number, perSecond: number): void {
    const spacingMs = (inFlight * 1000) / perSecond;
    for (let w = 0; w < inFlight; w++) this.workers.push(this.work(spacingMs));
  }

  /** Stops taking new messages; resolves once every message started has been acked. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.workers);
  }

  private async work(spacingMs: number): Promise<void> {
    while (!this.stopping) {
      const began = Date.now();
      await this.publishUntilAcked(this.next++);
      await sleep(spacingMs - (Date.now() - began));
    }
  }

  private async publishUntilAcked(n: number): Promise<void> {
    for (;;) {
      this.attempts++;
      const message = this.message(n);
      try {
        const ack = await withTimeout(this.send(message), PUBLISH_TIMEOUT_MS);
        if (ack.duplicate) this.duplicateAcks++;
        this.acked.set(message.id, ack.seq);
        return;
      } catch {
        // Server down or the ack lost with the connection: resend the same message.
        this.failedAttempts++;
        await sleep(RETRY_PAUSE_MS);
      }
    }
  }
}

function withTimeout<T>(task: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('no acknowledgement in time')), ms);
  });
  return Promise.race([task, deadline]).finally(() => clearTimeout(timer));
}
