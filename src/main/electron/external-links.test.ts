import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createOpenExternal, safeExternalUrl } from './external-links';
import { dialog, FakeBrowserWindow, shell } from './test/fake-electron';

vi.mock('electron', async () => (await import('./test/fake-electron')).fakeElectron());

describe('safeExternalUrl', () => {
  it.each([
    ['https://example.com', 'https://example.com/'],
    ['https://example.com/a/b?q=1#frag', 'https://example.com/a/b?q=1#frag'],
    ['HTTPS://Example.COM/Path', 'https://example.com/Path'],
    ['hTtPs://example.com:8443/x', 'https://example.com:8443/x'],
    ['https://bücher.example/', 'https://xn--bcher-kva.example/'],
    ['https://example.com/a b'.replace(' ', '%20'), 'https://example.com/a%20b'],
    ['https://example.com/<script>', 'https://example.com/%3Cscript%3E'],
    ['https:\\\\example.com\\path', 'https://example.com/path'],
    // The parser reads the first path segment as the host: the dialog shows what will open.
    ['https:///path-only', 'https://path-only/'],
    ['mailto:someone@example.com', 'mailto:someone@example.com'],
    ['MAILTO:someone@example.com?subject=Hi', 'mailto:someone@example.com?subject=Hi'],
  ])('accepts %j as %j (re-serialized)', (raw, href) => {
    expect(safeExternalUrl(raw)).toBe(href);
  });

  it.each([
    ['http', 'http://example.com/'],
    ['javascript', 'javascript:alert(1)'],
    ['javascript, mixed case', 'JaVaScRiPt:alert(1)'],
    ['javascript, entity-ish', 'javascript&colon;alert(1)'],
    ['data', 'data:text/html,<script>alert(1)</script>'],
    ['file', 'file:///etc/passwd'],
    ['file, mixed case', 'FILE:///C:/Windows/System32/calc.exe'],
    ['vbscript', 'vbscript:msgbox(1)'],
    ['smb share', 'smb://attacker/share'],
    ['custom app scheme', 'ms-msdt:/id PCWDiagnostic'],
    ['own scheme', 'unibus://join?v=1&t=x'],
    ['ftp', 'ftp://example.com/'],
    ['credentials', 'https://user:pw@host'],
    ['user only', 'https://user@example.com/'],
    ['password only', 'https://:pw@example.com/'],
    ['no host', 'https://'],
    ['no host, port only', 'https://:443/'],
    ['leading space', ' https://example.com/'],
    ['trailing newline', 'https://example.com/\n'],
    ['tab in the scheme', 'java\tscript:alert(1)'],
    ['newline in the scheme', 'java\nscript:alert(1)'],
    ['tab hiding a host', 'https://exa\tmple.com/'],
    ['NUL', 'https://example.com/\u0000'],
    ['leading control char', '\u0001javascript:alert(1)'],
    ['DEL', 'https://example.com/\u007f'],
    ['C1 control', 'https://example.com/\u0085'],
    ['no-break space', 'https://example.com/\u00a0'],
    ['line separator', 'https://example.com/\u2028'],
    ['BOM', '\ufeffhttps://example.com/'],
    ['relative', '//example.com/'],
    ['not a URL', 'example.com'],
    ['empty', ''],
    ['empty mailto', 'mailto:'],
    ['too long', `https://example.com/${'a'.repeat(9000)}`],
  ])('refuses %s: %j', (_why, raw) => {
    expect(safeExternalUrl(raw)).toBeNull();
  });

  it('refuses non-strings', () => {
    for (const value of [undefined, null, 42, { href: 'https://example.com/' }, ['https://a/']]) {
      expect(safeExternalUrl(value)).toBeNull();
    }
  });
});

describe('openExternal (AppServiceOptions.openExternal)', () => {
  const window = new FakeBrowserWindow({});
  const openExternal = createOpenExternal({ getWindow: () => window as never });

  beforeEach(() => {
    dialog.showMessageBox.mockReset();
    shell.openExternal.mockClear();
  });

  it('asks first, then opens the re-serialized URL (never the raw text)', async () => {
    const order: string[] = [];
    dialog.showMessageBox.mockImplementation(async () => {
      order.push('confirm');
      expect(shell.openExternal).not.toHaveBeenCalled();
      return { response: 0, checkboxChecked: false };
    });
    shell.openExternal.mockImplementationOnce(async () => {
      order.push('open');
    });
    await expect(openExternal('HTTPS://Example.COM/a?b=<c>')).resolves.toBe(true);
    expect(order).toEqual(['confirm', 'open']);
    expect(shell.openExternal).toHaveBeenCalledExactlyOnceWith('https://example.com/a?b=%3Cc%3E');
    const [parent, options] = dialog.showMessageBox.mock.calls[0] as [unknown, { detail: string }];
    expect(parent).toBe(window);
    expect(options.detail).toBe('https://example.com/a?b=%3Cc%3E');
  });

  it('does not open when the user cancels', async () => {
    dialog.showMessageBox.mockResolvedValue({ response: 1, checkboxChecked: false });
    await expect(openExternal('https://example.com/')).resolves.toBe(false);
    expect(shell.openExternal).not.toHaveBeenCalled();
  });

  it('refuses unsafe links without even asking', async () => {
    for (const raw of ['javascript:alert(1)', 'file:///etc/passwd', 'https://u:p@example.com/']) {
      await expect(openExternal(raw)).resolves.toBe(false);
    }
    expect(dialog.showMessageBox).not.toHaveBeenCalled();
    expect(shell.openExternal).not.toHaveBeenCalled();
  });

  it('asks without a parent window when there is none', async () => {
    dialog.showMessageBox.mockResolvedValue({ response: 0, checkboxChecked: false });
    const noWindow = createOpenExternal({ getWindow: () => null });
    await expect(noWindow('mailto:a@example.com')).resolves.toBe(true);
    expect(dialog.showMessageBox.mock.calls[0]).toHaveLength(1);
    expect(shell.openExternal).toHaveBeenCalledWith('mailto:a@example.com');
  });
});
