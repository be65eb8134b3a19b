/**
 * The `people.*` calls: a safety number to compare, and the user's verdict on a key (verified,
 * no longer verified, change accepted). Keys stay here; the renderer gets digits, words, QR.
 */
import { NotFoundError } from '../../shared/errors';
import type { DirectoryEntryView, SafetyNumberView } from '../../shared/types';
import type { IpcEventSink, IpcHandlers } from '../ipc';
import { IdentityCardError, hexEncode, parseIdentityCard } from '../protocol';
import type { People } from './people';
import { typed } from './errors';
import type { PeerSession } from './peer-session';
import { safetyNumberView, shortFingerprintOf } from './safety-views';

type PeopleCalls = Pick<
  IpcHandlers,
  'people.safetyNumber' | 'people.verify' | 'people.unverify' | 'people.acceptChange'
>;

interface Person {
  readonly endpoint: string;
  readonly handle: string;
  readonly signPub: string;
}

export interface PeopleCallDeps {
  readonly people: People;
  /** The user's own endpoint and signing key (hex). */
  readonly me: () => { readonly endpoint: string; readonly signPub: string };
  readonly session: () => PeerSession | null;
  /** The node's directory of active users (cards). */
  readonly directory: () => Promise<readonly { endpoint: string; card: string }[]>;
  readonly emit: IpcEventSink;
}

export function peopleCalls(deps: PeopleCallDeps): PeopleCalls {
  const { people } = deps;

  /** The person's card from an open room, else the directory, else what this app saw before. */
  async function find(endpoint: string): Promise<Person> {
    const card = deps.session()?.peer.knownCard(endpoint);
    if (card !== undefined)
      return { endpoint, handle: card.handle, signPub: hexEncode(card.signPublic) };
    const listed = (await deps.directory().catch(() => [])).find((u) => u.endpoint === endpoint);
    if (listed !== undefined) {
      const parsed = parseIdentityCard(listed.card);
      if (parsed.id === endpoint) {
        return { endpoint, handle: parsed.handle, signPub: hexEncode(parsed.signPublic) };
      }
    }
    const seen = people.record(endpoint);
    if (seen?.sign_pub != null) return { endpoint, handle: seen.handle, signPub: seen.sign_pub };
    throw new NotFoundError('This person is not known here: open a room they are in first.');
  }

  function view(person: Person): SafetyNumberView {
    const me = deps.me();
    return safetyNumberView({
      ...person,
      mySignPub: me.signPub,
      trust: people.trustOf(person.endpoint, person.handle, me.endpoint),
      verifiedAt: people.record(person.endpoint)?.verified_at ?? null,
    });
  }

  function changed(endpoint: string): void {
    deps.session()?.trustChanged([endpoint]);
    deps.emit('people.changed', { endpoints: [endpoint] });
  }

  return {
    'people.safetyNumber': ({ endpoint }) =>
      typed(async () => {
        const person = await find(endpoint);
        people.observe(endpoint, person.handle, {
          signPub: person.signPub,
          fingerprint: shortFingerprintOf(person.signPub),
        });
        return view(person);
      }),
    'people.verify': ({ endpoint }) =>
      typed(async () => {
        const person = await find(endpoint);
        if (endpoint === deps.me().endpoint) return view(person);
        await people.verify(endpoint, {
          handle: person.handle,
          signPub: person.signPub,
          fingerprint: shortFingerprintOf(person.signPub),
        });
        changed(endpoint);
        return view(person);
      }),
    'people.unverify': ({ endpoint }) =>
      typed(async () => {
        const person = await find(endpoint);
        await people.unverify(endpoint);
        changed(endpoint);
        return view(person);
      }),
    'people.acceptChange': ({ endpoint }) =>
      typed(async () => {
        const person = await find(endpoint);
        await people.acceptChange(endpoint, person.handle);
        changed(endpoint);
        return view(person);
      }),
  };
}

/** A directory row with the person's short fingerprint and trust; null for a card that is off. */
export function directoryEntry(
  user: { readonly handle: string; readonly endpoint: string; readonly card: string },
  people: People,
  me: string,
): DirectoryEntryView | null {
  let signPub: string;
  try {
    const card = parseIdentityCard(user.card);
    if (card.id !== user.endpoint) return null;
    signPub = hexEncode(card.signPublic);
  } catch (error) {
    if (error instanceof IdentityCardError) return null;
    throw error;
  }
  return {
    handle: user.handle,
    endpoint: user.endpoint,
    card: user.card,
    fingerprint: shortFingerprintOf(signPub),
    trust: people.trustOf(user.endpoint, user.handle, me).trust,
  };
}
