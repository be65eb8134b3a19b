// @vitest-environment jsdom
import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { UnavailableError } from '../../../../shared/errors';
import type { AppState } from '../../../../shared/types/app';
import { App } from '../../App';
import { appState, ME, nodeStatus } from '../../test/fixtures';
import { renderWith } from '../../test/harness';
import type { FakeHandlers } from '../../test/fakeBridge';
import { TID } from '../../testids';

function startApp(initial: AppState, handlers: FakeHandlers = {}) {
  let state = initial;
  const result = renderWith(<App />, {
    'app.getState': () => state,
    'app.getVersion': () => '0.1.0',
    'settings.get': () => ({ theme: 'dark', notifications: true }),
    'rooms.list': () => [],
    'files.transfers': () => [],
    ...handlers,
  });
  return {
    ...result,
    setState(next: AppState) {
      state = next;
    },
  };
}

const FRESH = appState({
  phase: 'no-identity',
  identity: null,
  availableProtections: ['passphrase-file', 'os-keychain'],
  role: null,
});

describe('first run', () => {
  it('asks for a passphrase twice when keys go to a passphrase file', async () => {
    const user = userEvent.setup();
    const app = startApp(FRESH, {
      'identity.create': () => {
        app.setState(appState({ phase: 'no-connection', role: null }));
        return ME;
      },
    });
    await screen.findByTestId(TID.firstRun);
    expect(screen.getByTestId(TID.keyProtection).dataset['protection']).toBe('passphrase-file');

    await user.type(screen.getByTestId(TID.createIdentityHandle), 'alice');
    await user.type(screen.getByTestId(TID.createIdentityPassphrase), 'short');
    await user.type(screen.getByTestId(TID.createIdentityPassphraseRepeat), 'short');
    await user.click(screen.getByTestId(TID.createIdentitySubmit));
    expect(screen.getByRole('alert').textContent).toContain('at least 8 characters');

    await user.clear(screen.getByTestId(TID.createIdentityPassphrase));
    await user.type(screen.getByTestId(TID.createIdentityPassphrase), 'long enough 1');
    await user.clear(screen.getByTestId(TID.createIdentityPassphraseRepeat));
    await user.type(screen.getByTestId(TID.createIdentityPassphraseRepeat), 'long enough 2');
    await user.click(screen.getByTestId(TID.createIdentitySubmit));
    expect(screen.getByRole('alert').textContent).toContain('not the same');

    await user.clear(screen.getByTestId(TID.createIdentityPassphraseRepeat));
    await user.type(screen.getByTestId(TID.createIdentityPassphraseRepeat), 'long enough 1');
    await user.click(screen.getByTestId(TID.createIdentitySubmit));
    await screen.findByTestId(TID.connectChoice);
    expect(app.fake.callsTo('identity.create')).toEqual([
      [{ handle: 'alice', passphrase: 'long enough 1' }],
    ]);
  });

  it('does not ask for a passphrase when the keychain is used', async () => {
    const user = userEvent.setup();
    const app = startApp(
      { ...FRESH, availableProtections: ['os-keychain'] },
      {
        'identity.create': () => ME,
      },
    );
    await user.type(await screen.findByTestId(TID.createIdentityHandle), 'alice{Enter}');
    expect(screen.queryByTestId(TID.createIdentityPassphrase)).toBeNull();
    await waitFor(() =>
      expect(app.fake.callsTo('identity.create')).toEqual([[{ handle: 'alice' }]]),
    );
  });

  it('unlocks a locked identity and says so when the passphrase is wrong', async () => {
    const user = userEvent.setup();
    startApp(appState({ phase: 'locked', role: null }), {
      'identity.unlock': () => {
        throw Object.assign(new Error('wrong passphrase'), { name: 'LockedError' });
      },
    });
    await user.type(await screen.findByTestId(TID.unlockPassphrase), 'not the one{Enter}');
    const alert = await screen.findByTestId(TID.errorMessage);
    expect(alert.dataset['error']).toBe('LockedError');
    expect(alert.textContent).toContain('Type the passphrase again');
    expect(alert.textContent).not.toMatch(/at .*\.tsx?:\d+/);
  });

  it('imports a backup chosen with the file picker', async () => {
    const user = userEvent.setup();
    const app = startApp(FRESH, { 'identity.importBackup': () => ME });
    await user.click(await screen.findByTestId(TID.importBackupTab));
    const file = new File(['{"backup":1}'], 'backup.json', { type: 'application/json' });
    await user.upload(screen.getByTestId(TID.importBackupFile), file);
    await user.type(screen.getByTestId(TID.importBackupPassphrase), 'backup pass');
    await waitFor(() =>
      expect((screen.getByTestId(TID.importBackupSubmit) as HTMLButtonElement).disabled).toBe(
        false,
      ),
    );
    await user.click(screen.getByTestId(TID.importBackupSubmit));
    await waitFor(() =>
      expect(app.fake.callsTo('identity.importBackup')).toEqual([
        [{ backup: '{"backup":1}', passphrase: 'backup pass' }],
      ]),
    );
  });
});

describe('connect', () => {
  it('hosts a bus with the defaults and shows the CA fingerprint before continuing', async () => {
    const user = userEvent.setup();
    const status = nodeStatus();
    const app = startApp(appState({ phase: 'no-connection', role: null }), {
      'node.host': () => {
        app.setState(appState({ role: 'admin', hosting: true }));
        return status;
      },
    });
    await user.click(await screen.findByTestId(TID.hostChoice));
    expect((screen.getByTestId(TID.hostReachThisComputer) as HTMLInputElement).checked).toBe(true);
    expect(screen.queryByTestId(TID.hostPublicName)).toBeNull();
    await user.click(screen.getByTestId(TID.hostButton));
    const fingerprint = await screen.findByTestId(TID.hostCaFingerprint);
    expect(fingerprint.textContent).toBe(status.address?.caFingerprint);
    expect(app.fake.callsTo('node.host')).toEqual([
      [{ bind: '127.0.0.1', httpPort: 7443, natsPort: 4222 }],
    ]);
    await user.click(screen.getByTestId(TID.hostContinue));
    await screen.findByTestId(TID.sidebar);
    expect(screen.getByTestId(TID.adminNav)).toBeTruthy();
  });

  it('"My network" hosts on every address, with the public name when one is given', async () => {
    const user = userEvent.setup();
    const app = startApp(appState({ phase: 'no-connection', role: null }), {
      'node.host': () => nodeStatus(),
    });
    await user.click(await screen.findByTestId(TID.hostChoice));
    await user.click(screen.getByTestId(TID.hostReachNetwork));
    expect(screen.getByText(/Invite links will carry every network address/)).toBeTruthy();
    await user.type(screen.getByTestId(TID.hostPublicName), 'team example');
    await user.click(screen.getByTestId(TID.hostButton));
    expect((await screen.findByRole('alert')).textContent).toMatch(/letters, digits, dots/);
    expect(app.fake.callsTo('node.host')).toEqual([]);
    await user.clear(screen.getByTestId(TID.hostPublicName));
    await user.type(screen.getByTestId(TID.hostPublicName), 'team.example.org');
    await user.click(screen.getByTestId(TID.hostButton));
    await screen.findByTestId(TID.hostCaFingerprint);
    expect(app.fake.callsTo('node.host')).toEqual([
      [{ bind: '0.0.0.0', publicHostName: 'team.example.org', httpPort: 7443, natsPort: 4222 }],
    ]);
  });

  it('a node that does not answer is said in main\'s own sentence, not "check what you typed"', async () => {
    const user = userEvent.setup();
    const sentence =
      "The node at 10.1.2.3:7443 did not answer — is the host's app running and port 7443 open?";
    startApp(appState({ phase: 'no-connection', role: null }), {
      'join.preview': () => ({
        nodeId: 'node-9',
        caFingerprint: 'cd'.repeat(32),
        controlUrls: ['https://10.1.2.3:7443'],
        natsUrls: ['tls://10.1.2.3:4222'],
      }),
      'join.accept': () => {
        throw new UnavailableError(sentence);
      },
    });
    await user.click(await screen.findByTestId(TID.joinChoice));
    await user.type(screen.getByTestId(TID.joinLinkInput), 'unibus://join?v=1&t=abc');
    await user.click(screen.getByTestId(TID.joinPreviewButton));
    await user.click(await screen.findByTestId(TID.joinConfirm));
    const notice = await screen.findByTestId(TID.errorMessage);
    expect(notice.textContent).toBe(sentence);
  });

  it('joins with a link after showing the node id and fingerprint', async () => {
    const user = userEvent.setup();
    const preview = {
      nodeId: 'node-9',
      caFingerprint: 'cd'.repeat(32),
      controlUrls: ['https://10.0.0.2:7443'],
      natsUrls: ['tls://10.0.0.2:4222'],
    };
    const app = startApp(appState({ phase: 'no-connection', role: null }), {
      'join.preview': () => preview,
      'join.accept': () => appState(),
    });
    await user.click(await screen.findByTestId(TID.joinChoice));
    await user.type(screen.getByTestId(TID.joinLinkInput), 'unibus://join?v=1&t=abc');
    await user.click(screen.getByTestId(TID.joinPreviewButton));
    expect((await screen.findByTestId(TID.joinNodeId)).textContent).toBe('node-9');
    expect(screen.getByTestId(TID.joinCaFingerprint).textContent).toBe(preview.caFingerprint);
    expect(app.fake.callsTo('join.accept')).toEqual([]);
    await user.click(screen.getByTestId(TID.joinConfirm));
    await screen.findByTestId(TID.sidebar);
    expect(app.fake.callsTo('join.accept')).toEqual([
      [{ link: 'unibus://join?v=1&t=abc', caFingerprint: preview.caFingerprint }],
    ]);
  });

  it('opens the join flow prefilled when a deep link arrives', async () => {
    const app = startApp(appState({ phase: 'no-connection', role: null }));
    await screen.findByTestId(TID.hostChoice);
    act(() => app.fake.emit('app.joinLink', { link: 'unibus://join?v=1&t=deep' }));
    const input = (await screen.findByTestId(TID.joinLinkInput)) as HTMLTextAreaElement;
    expect(input.value).toBe('unibus://join?v=1&t=deep');
  });
});
