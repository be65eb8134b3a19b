// @vitest-environment jsdom
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderWith } from '../../test/harness';
import { TID } from '../../testids';
import { MessageText } from './MessageText';

describe('MessageText', () => {
  it('renders HTML and script URLs as plain text: no img, no javascript: anchor', () => {
    const hostile =
      '<img src=x onerror=alert(1)> javascript:alert(1) <a href="javascript:alert(1)">x</a>';
    const { container } = renderWith(<MessageText text={hostile} />);
    expect(screen.getByTestId(TID.messageText).textContent).toBe(hostile);
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('script')).toBeNull();
    for (const anchor of container.querySelectorAll('a')) {
      expect(anchor.getAttribute('href') ?? '').not.toMatch(/^\s*javascript:/i);
    }
    expect(container.querySelectorAll('a')).toHaveLength(0);
  });

  it('opens safe links through app.openExternal, not by navigating', async () => {
    const { fake } = renderWith(<MessageText text="docs at https://example.com/x" />, {
      'app.openExternal': () => ({ opened: true }),
    });
    const link = screen.getByRole('link', { name: 'https://example.com/x' });
    expect(link.getAttribute('href')).toBe('https://example.com/x');
    await userEvent.click(link);
    expect(fake.callsTo('app.openExternal')).toEqual([[{ url: 'https://example.com/x' }]]);
  });
});
