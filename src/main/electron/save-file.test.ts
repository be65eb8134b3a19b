import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createSaveFile, safeFileName } from './save-file';
import { dialog, FakeBrowserWindow } from './test/fake-electron';

vi.mock('electron', async () => (await import('./test/fake-electron')).fakeElectron());

const dir = mkdtempSync(join(tmpdir(), 'unibus-save-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('saving a finished download', () => {
  it.each([
    ['report.pdf', 'report.pdf'],
    ['../../etc/passwd', 'passwd'],
    ['C:\\Windows\\evil.exe', 'evil.exe'],
    ['.bashrc', '_bashrc'],
    ['a<b>:c"d|e?f*g\u0001', 'a_b__c_d_e_f_g_'],
    ['', 'download'],
  ])('suggests %j as %j', (name, safe) => {
    expect(safeFileName(name)).toBe(safe);
  });

  it('copies on disk to where the user chose, and does nothing when cancelled', async () => {
    const source = join(dir, 'downloaded');
    writeFileSync(source, 'bytes');
    const target = join(dir, 'chosen.txt');
    const save = createSaveFile(() => new FakeBrowserWindow({}) as never);
    vi.mocked(dialog.showSaveDialog).mockResolvedValueOnce({ canceled: false, filePath: target });
    expect(await save(source, '../x.txt')).toBe(target);
    expect(readFileSync(target, 'utf8')).toBe('bytes');
    const [, options] = vi.mocked(dialog.showSaveDialog).mock.calls[0] as [
      unknown,
      { defaultPath: string },
    ];
    expect(options.defaultPath).toBe('/user-data/downloads/x.txt');
    vi.mocked(dialog.showSaveDialog).mockResolvedValueOnce({ canceled: true });
    expect(await save(source, 'y.txt')).toBeNull();
  });
});
