/**
 * Child process of the crash-write drill: rewrites one kind of profile state with the app's own
 * code, forever, until the parent SIGKILLs it. Bundled by the drill (esbuild) so a spawn costs
 * ~0.15 s instead of a tsx start. Announces each write on stdout (synchronous for pipes on
 * Linux, so a `done` line read by the parent was written before the kill):
 *   {"t":"ready"} once the state is loaded, then {"t":"begin","action":…} / {"t":"done"}.
 * Input: UNIBUS_DRILL_CHILD (JSON ChildInput).
 */
import { randomBytes } from 'node:crypto';
import { Outbox } from '../../../../src/main/bus/outbox';
import { openSettings, updateSettings } from '../../../../src/main/app/settings';
import { UploadJournal } from '../../../../src/main/files/journal';
import { base64urlEncode, newUlid } from '../../../../src/main/protocol';
import {
  JOURNAL_CHUNKS,
  JOURNAL_CHUNK_SIZE,
  JOURNAL_SOURCE,
  OUTBOX_HIGH,
  OUTBOX_REMOVE,
  chunkHashFor,
  frameFor,
  settingsFor,
  type ChildInput,
  type ChildLine,
  type WriteAction,
} from './crash-state';

const input = JSON.parse(process.env['UNIBUS_DRILL_CHILD'] ?? '{}') as ChildInput;
const say = (line: ChildLine) => process.stdout.write(`${JSON.stringify(line)}\n`);
async function write(action: WriteAction, run: () => Promise<unknown>): Promise<void> {
  say({ t: 'begin', action });
  await run();
  say({ t: 'done' });
}

async function settingsForever(): Promise<never> {
  const file = await openSettings(input.dir);
  say({ t: 'ready' });
  for (let rev = input.settingsRev + 1; ; rev++) {
    await write({ settings: rev }, () => updateSettings(file, settingsFor(rev)));
  }
}

async function outboxForever(): Promise<never> {
  const outbox = await Outbox.open(input.dir);
  say({ t: 'ready' });
  for (;;) {
    if (outbox.size >= OUTBOX_HIGH) {
      const ids = outbox
        .list()
        .slice(0, OUTBOX_REMOVE)
        .map((e) => e.id);
      await write({ outboxRemove: ids }, () => outbox.remove(ids));
    } else {
      const id = newUlid();
      const entry = { id, roomId: input.roomId, frame: frameFor(id), createdAt: Date.now() };
      await write({ outboxAdd: id }, () => outbox.add(entry));
    }
  }
}

async function journalForever(): Promise<never> {
  let journal = await UploadJournal.load(input.dir, input.roomId, JOURNAL_SOURCE);
  say({ t: 'ready' });
  for (;;) {
    if (journal === undefined) {
      const fileId = randomBytes(16);
      const fileKey = randomBytes(32);
      const ids = { fileId: base64urlEncode(fileId), key: base64urlEncode(fileKey) };
      await write({ journalCreate: ids }, async () => {
        journal = await UploadJournal.create(input.dir, {
          roomId: input.roomId,
          path: JOURNAL_SOURCE,
          size: JOURNAL_CHUNKS * JOURNAL_CHUNK_SIZE,
          mtimeNs: '1700000000000000000',
          chunkSize: JOURNAL_CHUNK_SIZE,
          fileId,
          fileKey,
          chunks: new Array<string | null>(JOURNAL_CHUNKS).fill(null),
        });
      });
      continue;
    }
    const current: UploadJournal = journal;
    const next = current.state.chunks.indexOf(null);
    if (next === -1) {
      await write({ journalRemove: true }, () => current.remove());
      journal = undefined;
      continue;
    }
    const fileId = base64urlEncode(current.state.fileId);
    await write({ journalChunk: next }, () => {
      current.state.chunks[next] = chunkHashFor(fileId, next);
      return current.persist();
    });
  }
}

const loops = { settings: settingsForever, outbox: outboxForever, journal: journalForever };
await loops[input.kind]();
