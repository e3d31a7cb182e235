import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ROOT } from './console-platform';

/** Debian's Chromium (playwright-core's own download cannot work here). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where screenshots go: docs/screenshots/ for the README with UPDATE_SCREENSHOTS=1, else a temporary folder. */
export const SHOTS = process.env.UPDATE_SCREENSHOTS
  ? path.join(ROOT, 'docs', 'screenshots')
  : path.join(os.tmpdir(), 'kkb-console-screenshots');

export async function launchChromium(): Promise<Browser> {
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Axe on the page as it is: no serious or critical violation. */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) => `${name}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
  expect(bad).toEqual([]);
}

export function screenshot(page: Page, name: string, fullPage = true): Promise<Buffer> {
  return page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage });
}

/**
 * A new browser context signed in through the development sign-in page as the identity whose
 * radio button matches `who`, as a person would.
 */
export async function signInAs(
  browser: Browser,
  url: string,
  who: RegExp,
  options: { width?: number; acceptDownloads?: boolean } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1366, height: 900 },
    locale: 'id-ID',
    acceptDownloads: options.acceptDownloads ?? false,
  });
  // Generous: CI shares two cores between the browser, five processes, Postgres and NATS.
  context.setDefaultTimeout(60_000);
  const page = await context.newPage();
  await page.goto(`${url}/masuk`);
  await page.getByRole('radio', { name: who }).check();
  await page.getByRole('button', { name: 'Masuk' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/masuk'));
  return { context, page };
}
