/** Reads a whole stream back, keyed by `Nats-Msg-Id`, with an ordered consumer. */
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';

export interface StreamContents {
  /** Messages the stream reports holding. */
  readonly count: number;
  readonly byMsgId: ReadonlyMap<string, { readonly seq: number; readonly data: Uint8Array }>;
  /** Messages whose msgID was already seen at a lower sequence (duplicates in the stream). */
  readonly repeatedIds: number;
}

export async function readStream(nc: NatsConnection, stream: string): Promise<StreamContents> {
  const { state } = await (await jetstreamManager(nc)).streams.info(stream);
  const byMsgId = new Map<string, { seq: number; data: Uint8Array }>();
  let repeatedIds = 0;
  if (state.messages > 0) {
    const messages = await (await jetstream(nc).consumers.get(stream)).consume();
    for await (const m of messages) {
      const id = m.headers?.get('Nats-Msg-Id') ?? `no-id@${m.seq}`;
      if (byMsgId.has(id)) repeatedIds++;
      byMsgId.set(id, { seq: m.seq, data: m.data });
      if (m.seq >= state.last_seq) break;
    }
    await messages.close();
  }
  return { count: state.messages, byMsgId, repeatedIds };
}
