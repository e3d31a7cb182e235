import type { Browser } from 'playwright-core';
import { launchChromium } from './browser';
import { startConsolePlatform, type ConsolePlatform } from './console-platform';
import { csvImportTests } from './csv-import.tests';
import { fieldEntryTests } from './field-entry.tests';

/**
 * The entry side of the console in Debian's Chromium, on one platform as `npm start -- --seed`
 * makes it (starting one takes minutes on two cores): field entry that survives a weak
 * connection (field-entry.tests.ts) and Impor CSV (csv-import.tests.ts).
 */
export interface FieldPlatform {
  platform: ConsolePlatform;
  browser: Browser;
}

jest.setTimeout(900_000);

describe('the console for field officers, in a real browser', () => {
  let env: FieldPlatform | undefined;
  const get = (): FieldPlatform => {
    if (!env) throw new Error('the platform did not start');
    return env;
  };

  beforeAll(async () => {
    const platform = await startConsolePlatform();
    try {
      env = { platform, browser: await launchChromium() };
    } catch (err) {
      await platform.stop();
      throw err;
    }
  }, 900_000);

  afterAll(async () => {
    await env?.browser.close();
    await env?.platform.stop();
  });

  describe('field entry that survives a weak connection', () => fieldEntryTests(get));
  describe('Impor CSV', () => csvImportTests(get));
});
