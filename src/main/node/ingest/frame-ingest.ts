/**
 * The only writer of room streams (docs/PROTOCOL.md §12.3, DECISIONS.md §22). Members publish
 * frames on `unibus.room.<room>.msg` in the MEMBERS account (live subscribers get them right
 * away); this worker, subscribed there as the node's MEMBERS identity, stores each frame that
 *   - decodes, and whose room id is the room the subject names,
 *   - is signed by its sender, and the sender is an active member of that room,
 * in the room's stream in the BUS account (message id = frame message id, so a resend is a
 * duplicate), and answers the publisher's request with a receipt — only when the reply subject
 * is inside the sender's own private inbox. Anything else is never stored and never answered,
 * so no member can make anything appear in a room it is not in.
 */
import type { Msg, NatsConnection, Subscription } from '@nats-io/nats-core';
import type { JetStreamClient } from '@nats-io/jetstream';
import { checkFrameSignature, decodeFrame, hexDecode, type Frame } from '../../protocol';
import type { DataPlaneNames } from '../acl/names';
import { roomMessageSubject } from '../acl/subjects';
import type { MembershipCache } from '../callout/membership-cache';
import type { NodeStore } from '../store';

export const INGEST_SUBJECT = 'unibus.room.*.msg';
const QUEUE = 'unibus-ingest';
/** Frames stored concurrently; more are refused with `unavailable` (the outbox retries). */
const MAX_IN_FLIGHT = 1024;

/** The receipt a publisher gets (UTF-8 JSON on its reply subject). */
export type IngestReceipt =
  | { readonly seq: number; readonly duplicate: boolean }
  | { readonly error: string; readonly code: 'not-member' | 'bad-frame' | 'unavailable' };

export interface FrameIngestOptions {
  /** The node's MEMBERS connection (receives frames, sends receipts). */
  readonly members: NatsConnection;
  /** JetStream on the node's BUS connection (room streams). */
  readonly js: JetStreamClient;
  readonly names: DataPlaneNames;
  readonly cache: MembershipCache;
  readonly store: NodeStore;
  readonly log?: (event: string, detail: Record<string, unknown>) => void;
}

type Verdict =
  | { readonly store: true; readonly frame: Frame }
  | { readonly store: false; readonly receipt: IngestReceipt };

export class FrameIngest {
  private sub: Subscription | undefined;
  private readonly pending = new Set<Promise<void>>();
  readonly counts = { stored: 0, refused: 0 };

  constructor(private readonly options: FrameIngestOptions) {}

  start(): void {
    this.sub = this.options.members.subscribe(INGEST_SUBJECT, {
      queue: QUEUE,
      callback: (error, msg) => {
        if (!error) this.accept(msg);
      },
    });
  }

  /** Resolves once every frame taken so far is stored or refused. */
  async quiesce(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  stop(): void {
    this.sub?.unsubscribe();
  }

  private accept(msg: Msg): void {
    if (this.pending.size >= MAX_IN_FLIGHT) {
      // Overloaded: not stored, not answered; the publisher's outbox times out and resends.
      this.counts.refused++;
      return;
    }
    const task = this.process(msg).catch((error: unknown) => {
      this.options.log?.('ingest.failed', { error: String(error) });
    });
    this.pending.add(task);
    void task.finally(() => this.pending.delete(task));
  }

  private async process(msg: Msg): Promise<void> {
    const token = msg.subject.split('.')[2]!;
    let frame: Frame;
    try {
      frame = decodeFrame(msg.data);
    } catch {
      this.counts.refused++;
      return; // no sender to answer to
    }
    const verdict = await this.check(frame, token);
    if (!verdict.store) {
      this.counts.refused++;
      return this.reply(msg, frame, verdict.receipt);
    }
    let receipt: IngestReceipt;
    try {
      const ack = await this.options.js.publish(roomMessageSubject(token), msg.data, {
        msgID: frame.messageId,
      });
      this.counts.stored++;
      receipt = { seq: ack.seq, duplicate: ack.duplicate };
    } catch (error) {
      this.options.log?.('ingest.store-failed', { error: String(error) });
      receipt = { error: 'the node could not store the message, try again', code: 'unavailable' };
    }
    this.reply(msg, frame, receipt);
  }

  private async check(frame: Frame, token: string): Promise<Verdict> {
    const refuse = (error: string, code: 'not-member' | 'bad-frame'): Verdict => ({
      store: false,
      receipt: { error, code },
    });
    if (this.options.names.roomToken(frame.roomId) !== token) {
      return refuse('the frame belongs to another room', 'bad-frame');
    }
    let signPubHex: string | undefined;
    const { cache, store } = this.options;
    try {
      if (cache.current) {
        const user = cache.userByEndpoint(frame.sender);
        if (user?.active && cache.isMember(frame.roomId, frame.sender)) signPubHex = user.signPub;
      } else {
        const user = await store.getUserByEndpoint(frame.sender);
        const role =
          user?.status === 'active' ? await store.memberRole(frame.roomId, frame.sender) : null;
        if (user && role !== null) signPubHex = user.sign_pub;
      }
    } catch {
      return { store: false, receipt: { error: 'try again', code: 'unavailable' } };
    }
    if (signPubHex === undefined) return refuse('not a member of this room', 'not-member');
    const problem = checkFrameSignature(frame, hexDecode(signPubHex)!);
    return problem === null ? { store: true, frame } : refuse(`frame ${problem}`, 'bad-frame');
  }

  /** Answers only inside the sender's own inbox: a receipt can never be steered elsewhere. */
  private reply(msg: Msg, frame: Frame | undefined, receipt: IngestReceipt): void {
    if (!msg.reply || frame === undefined) return;
    const inbox = `${this.options.names.user(frame.sender).inbox_prefix}.`;
    if (!msg.reply.startsWith(inbox)) return;
    msg.respond(JSON.stringify(receipt));
  }
}
