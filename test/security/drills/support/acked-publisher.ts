/**
 * A JetStream publisher that keeps publishing, records the stream sequence of every message the
 * server acknowledged, and retries an unacknowledged message (same `msgID`) until it is acked,
 * as an outbox would. Payloads are derived from the message number, so a reader can check
 * content without keeping a copy.
 */
import { createHash } from 'node:crypto';
import type { JetStreamClient } from '@nats-io/jetstream';
import { sleep } from './wait';

/** Short, so a publish lost in a crash is retried soon after the restart. */
const PUBLISH_TIMEOUT_MS = 1_000;
const RETRY_PAUSE_MS = 100;

const ID_PREFIX = 'drill-';
export const msgIdFor = (n: number) => `${ID_PREFIX}${n}`;
export const messageNumber = (msgId: string) => Number(msgId.slice(ID_PREFIX.length));

/** 256 bytes that only message `n` carries. */
export function payloadFor(n: number): Uint8Array {
  const hex = createHash('sha256').update(`payload ${n}`).digest('hex');
  return new TextEncoder().encode(hex.repeat(4));
}

export class AckedPublisher {
  /** msgID → stream sequence from the server's PubAck. */
  readonly acked = new Map<string, number>();
  attempts = 0;
  failedAttempts = 0;
  duplicateAcks = 0;
  private next = 0;
  private stopping = false;
  private workers: Promise<void>[] = [];

  constructor(
    private readonly js: JetStreamClient,
    private readonly subject: string,
  ) {}

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
      try {
        const ack = await this.js.publish(this.subject, payloadFor(n), {
          msgID: msgIdFor(n),
          timeout: PUBLISH_TIMEOUT_MS,
        });
        if (ack.duplicate) this.duplicateAcks++;
        this.acked.set(msgIdFor(n), ack.seq);
        return;
      } catch {
        // Server down or the ack lost with the connection: resend the same msgID.
        this.failedAttempts++;
        await sleep(RETRY_PAUSE_MS);
      }
    }
  }
}
