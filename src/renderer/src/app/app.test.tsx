// @vitest-environment jsdom
import { act, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { setLinkStatus, useLinkStore } from '../bridge/linkStatus';
import { renderWith } from '../test/harness';
import { TID } from '../testids';
import { describeError } from '../util/humanError';
import { LinkBanner } from './LinkBanner';

describe('LinkBanner', () => {
  it('says the app is unreachable while the web shell socket is down, and counts returns', () => {
    renderWith(<LinkBanner />);
    expect(screen.queryByTestId(TID.bridgeDisconnected)).toBeNull();
    act(() => setLinkStatus('down'));
    expect(screen.getByTestId(TID.bridgeDisconnected).textContent).toContain(
      'Disconnected from the app',
    );
    act(() => setLinkStatus('connecting'));
    act(() => setLinkStatus('up'));
    expect(screen.queryByTestId(TID.bridgeDisconnected)).toBeNull();
    act(() => setLinkStatus('down'));
    act(() => setLinkStatus('up'));
    expect(useLinkStore.getState().reconnects).toBe(1);
  });
});

describe('describeError', () => {
  it('gives a sentence and a next step for every shared error name', () => {
    const human = describeError({ name: 'ConflictError', message: 'identity exists' });
    expect(human).toEqual({
      name: 'ConflictError',
      sentence: 'That conflicts with the current state.',
      nextStep: 'Refresh the view and try again.',
      detail: 'identity exists',
    });
  });

  it('hides the message and stack of anything that is not ours', () => {
    const error = new TypeError('Cannot read properties of undefined (reading "x")');
    const human = describeError(error);
    expect(human.name).toBe('InternalError');
    expect(human.detail).toBeNull();
    expect(JSON.stringify(human)).not.toContain('undefined');
  });
});
