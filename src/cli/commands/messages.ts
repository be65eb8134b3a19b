/** `unibus send ROOM TEXT`, `unibus history ROOM`, `unibus listen ROOM`. */
import type { ReceivedMessage } from '../../main/bus';
import { UsageError } from '../errors';
import type { Output } from '../output';
import { resolveRoom, withPeer } from './rooms';

function messageJson(m: ReceivedMessage): Record<string, unknown> {
  return {
    id: m.id,
    room_id: m.roomId,
    type: m.type,
    sender: m.sender,
    handle: m.senderHandle ?? null,
    text: m.text ?? null,
    ...(m.target ? { target: m.target } : {}),
    ...(m.file ? { file: { name: m.file.name, mime: m.file.mime, size: m.file.size } } : {}),
    timestamp: m.timestamp,
    epoch: m.epoch,
  };
}

function messageText(m: ReceivedMessage): string {
  const file =
    m.file === undefined ? undefined : `[file ${m.file.name}, ${m.file.size} bytes, id ${m.id}]`;
  const body = m.text ?? file ?? (m.type === 'redact' ? '[redacted]' : '');
  return `${new Date(m.timestamp).toISOString()} ${m.senderHandle ?? m.sender}: ${body}`;
}

export async function sendCommand(args: string[], profileDir: string, out: Output): Promise<void> {
  if (args.length !== 2) throw new UsageError('usage: unibus send ROOM TEXT');
  await withPeer(profileDir, async (peer) => {
    const room = await resolveRoom(peer, args[0]!);
    const sent = await peer.send(room.id, args[1]!);
    let status = sent;
    try {
      status = await peer.waitForStatus(sent.id, 15_000);
    } catch {
      out.info('the node did not confirm yet: the message stays in the outbox and is resent later');
    }
    if (status.state === 'failed')
      throw new Error(`message not sent: ${status.reason ?? 'failed'}`);
    out.result({ id: status.id, room_id: room.id, state: status.state }, status.id);
  });
}

export async function historyCommand(
  args: string[],
  profileDir: string,
  out: Output,
): Promise<void> {
  if (args.length !== 1) throw new UsageError('usage: unibus history ROOM');
  await withPeer(profileDir, async (peer) => {
    const room = await resolveRoom(peer, args[0]!);
    for (const m of await peer.history(room.id, { timeoutMs: 30_000 }))
      out.result(messageJson(m), messageText(m));
  });
}

/** Prints the room's history, then every new message, until SIGINT or SIGTERM. */
export async function listenCommand(
  args: string[],
  profileDir: string,
  out: Output,
): Promise<void> {
  if (args.length !== 1) throw new UsageError('usage: unibus listen ROOM');
  await withPeer(profileDir, async (peer) => {
    const room = await resolveRoom(peer, args[0]!);
    const printed = new Set<string>();
    const print = (m: ReceivedMessage) => {
      if (m.roomId !== room.id || printed.has(m.id)) return;
      printed.add(m.id);
      out.result(messageJson(m), messageText(m));
    };
    peer.on('message', print);
    peer.on('dropped', (d) => {
      if (d.roomId === room.id) out.info(`dropped a frame: ${d.reason}`);
    });
    peer.on('state', (state) => out.info(`connection: ${state}`));
    for (const m of await peer.history(room.id, { timeoutMs: 30_000 })) print(m);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      peer.on('room-removed', (r) => {
        if (r.roomId === room.id) {
          out.info('removed from the room');
          stop();
        }
      });
    });
  });
}
