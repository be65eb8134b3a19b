/**
 * A room's stored history, read over the signed control plane (`GET /v1/rooms/:id/messages`,
 * docs/PROTOCOL.md §11.6): members have no JetStream access (§12), so this is how a peer
 * catches up on what it missed while offline or between reconnects. Pages are read from a
 * cursor (the highest sequence seen) until the node's last sequence; one catch-up at a time,
 * and a request during one runs one more afterwards.
 */
import { base64urlDecode } from '../protocol';
import type { ControlPlaneClient } from '../control-plane';

export interface StoredFrame {
  readonly seq: number;
  /** The node's store time (unix ms). */
  readonly storedAt: number;
  readonly frame: Uint8Array;
}

interface Page {
  readonly messages: readonly { seq: unknown; stored_at: unknown; frame: unknown }[];
  readonly last_seq: unknown;
}

/** Pages fetched in one catch-up at most (500 frames each): a bound, not a limit in practice. */
const MAX_PAGES = 10_000;

export class RoomHistory {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly control: Pick<ControlPlaneClient, 'get'>,
    private readonly roomId: string,
    /** Highest sequence already handled (from the local cache). */
    private cursor: number,
    private readonly deliver: (frame: StoredFrame) => Promise<void>,
  ) {}

  get position(): number {
    return this.cursor;
  }

  /** Reads everything stored after the cursor; resolves once caught up. */
  catchUp(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.readAll();
        } while (this.again);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  private async readAll(): Promise<void> {
    for (let page = 0; page < MAX_PAGES; page++) {
      const reply = await this.control.get<Page>(
        `/v1/rooms/${this.roomId}/messages?after=${this.cursor}`,
      );
      const last = typeof reply.last_seq === 'number' ? reply.last_seq : 0;
      let advanced = false;
      for (const m of Array.isArray(reply.messages) ? reply.messages : []) {
        const frame = typeof m.frame === 'string' ? base64urlDecode(m.frame) : undefined;
        if (typeof m.seq !== 'number' || m.seq <= this.cursor || !frame) continue;
        const storedAt = typeof m.stored_at === 'number' ? m.stored_at : 0;
        await this.deliver({ seq: m.seq, storedAt, frame });
        this.cursor = m.seq;
        advanced = true;
      }
      if (!advanced || this.cursor >= last) return;
    }
  }
}
