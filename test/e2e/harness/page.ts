/** A browser page on a web shell, recording what the console and the page report. */
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { SCREENSHOTS_DIR, ensureDir, safeName } from './paths';

export interface ShellPage {
  readonly page: Page;
  readonly context: BrowserContext;
  /** Console errors, uncaught page errors and crashes, in order. Should stay empty. */
  readonly errors: string[];
  /** Every console message and page event, for the failure artifacts. */
  readonly log: string[];
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Saves a full-page PNG as test-results/e2e/screenshots/<name>.png and returns its path.
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  const path = join(ensureDir(SCREENSHOTS_DIR), `${safeName(name)}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Opens `url` in a new, isolated browser context (its own storage) and waits for the load event.
 * Console errors and page errors are recorded from the first request on.
 */
export async function openShellPage(browser: Browser, url: string): Promise<ShellPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors: string[] = [];
  const log: string[] = [];
  const note = (line: string): void => {
    log.push(`${new Date().toISOString()} ${line}`);
  };
  page.on('console', (message) => {
    const location = message.location();
    const where = location.url ? ` (${location.url}:${location.lineNumber})` : '';
    note(`console.${message.type()}: ${message.text()}${where}`);
    if (message.type() === 'error') errors.push(`console.error: ${message.text()}${where}`);
  });
  page.on('pageerror', (error) => {
    note(`pageerror: ${error.stack ?? error.message}`);
    errors.push(`uncaught: ${error.message}`);
  });
  page.on('crash', () => {
    note('page crashed');
    errors.push('page crashed');
  });
  page.on('requestfailed', (request) => {
    note(`requestfailed: ${request.method()} ${request.url()}: ${request.failure()?.errorText}`);
  });
  page.on('websocket', (socket) => {
    note(`websocket opened: ${socket.url().replace(/token=[^&#]*/, 'token=…')}`);
    socket.on('close', () => note('websocket closed'));
  });
  await page.goto(url, { waitUntil: 'load' });
  return {
    page,
    context,
    errors,
    log,
    screenshot: (name) => screenshot(page, name),
    close: () => context.close(),
  };
}
