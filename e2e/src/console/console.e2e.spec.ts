import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { mintToken } from '@kkb/auth';
import { eventually, Role } from '@kkb/testing';
import { expectAccessible, launchChromium, screenshot } from './browser';
import { startConsolePlatform, type ConsolePlatform } from './console-platform';

/**
 * The officers' console in Debian's Chromium, against the platform as `npm start -- --seed` makes
 * it (own schemas, streams and ports): a province officer of 16 signs in and sees 16's figures
 * as the APIs give them, drills into Ogan Ilir, opens Kampung KB Seroja, exports the list; a
 * verifier verifies one submission and rejects another; the officer's inbox shows the rejection;
 * 16 cannot see 32. Every page is checked with axe (no serious or critical violation) and
 * photographed (UPDATE_SCREENSHOTS=1 writes docs/screenshots/ for the README).
 */

const id = new Intl.NumberFormat('id-ID');
const pct = new Intl.NumberFormat('id-ID', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

interface Coverage {
  code: string;
  name: string;
  villages: number;
  kampung: number;
  percent: number;
  gap: number;
}
interface Levels {
  kampung: number;
  assessed: number;
  notAssessed: number;
  levels: Record<'dasar' | 'berkembang' | 'mandiri' | 'berkelanjutan', number>;
}
interface Submission {
  id: string;
  status: string;
  kampungName?: string;
  rejectionReason?: string | null;
}

jest.setTimeout(600_000);

describe('the officers console in a real browser', () => {
  let platform: ConsolePlatform;
  let browser: Browser;
  let p16 = '';
  let national = '';
  let kampung32 = '';
  let signedInOnce = false;

  const api = async <T>(pathAndQuery: string, token = p16, init: RequestInit = {}) => {
    const res = await fetch(platform.url + pathAndQuery, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as T };
  };

  /** Axe on the page as it is: no serious or critical violation. */
  const accessible = expectAccessible;
  const shoot = (page: Page, name: string) => screenshot(page, name, name !== 'peta');

  /** Waits until the page's main region shows `text` somewhere. */
  const mainShows = (page: Page, text: string) => page.locator('main').filter({ hasText: text }).waitFor();

  /** Through the development sign-in page, as a person would. */
  const signIn = async (who: RegExp): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await browser.newContext({
      viewport: { width: 1366, height: 900 },
      locale: 'id-ID',
      acceptDownloads: true,
    });
    // Generous: CI shares two cores between the browser, five processes, Postgres and NATS.
    context.setDefaultTimeout(60_000);
    const page = await context.newPage();
    await page.goto(`${platform.url}/masuk`);
    await page.getByRole('radio', { name: who }).first().waitFor();
    if (!signedInOnce) {
      signedInOnce = true;
      await accessible(page, 'masuk');
      await shoot(page, 'masuk');
    }
    await page.getByRole('radio', { name: who }).check();
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/masuk'));
    return { context, page };
  };

  beforeAll(async () => {
    platform = await startConsolePlatform();
    p16 = mintToken({ role: Role.province, scope: '16', sub: 'dev-province-16', secret: platform.jwtSecret });
    national = mintToken({
      role: Role.national,
      scope: '',
      sub: 'test-national',
      secret: platform.jwtSecret,
    });
    browser = await launchChromium();
    // A kampung of West Java that no officer of 16 may see.
    const registered = await api<{ id: string }>('/api/v1/kampung', national, {
      method: 'POST',
      body: JSON.stringify({
        villageCode: '32.73.01.1001',
        name: 'Kampung KB Jawa Barat Uji',
        launchDate: '2022-05-01',
      }),
    });
    if (registered.status === 409) {
      // Already there (CONSOLE_TEST_URL against a platform that ran this test before).
      const listed = await api<{ items: { id: string }[] }>('/api/v1/kampung?region=32.73.01.1001', national);
      kampung32 = listed.body.items[0].id;
    } else {
      expect(registered.status).toBe(201);
      kampung32 = registered.body.id;
    }
  }, 900_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('should show a province officer of 16 the coverage and levels the APIs give, and drill into Ogan Ilir', async () => {
    const { context, page } = await signIn(/Rudi Hartono/);
    const coverage = (await api<Coverage>('/api/v1/coverage?region=16')).body;
    const levels = (await api<Levels>('/api/v1/levels?region=16')).body;
    expect(coverage.kampung).toBeGreaterThan(400); // the seed's ~15% of 3,259 villages

    await page.getByRole('heading', { level: 1, name: /Sumatera Selatan/ }).waitFor();
    const main = page.locator('main');
    await mainShows(page, id.format(coverage.villages));
    // The coverage figures, then the level distribution (the chart's accessible table carries the
    // numbers the bars draw), each as the API gives it.
    const kpis = page.locator('section[aria-labelledby="coverage-title"]');
    for (const figure of [coverage.villages, coverage.kampung, coverage.gap, levels.assessed])
      await kpis.filter({ hasText: id.format(figure) }).waitFor();
    await kpis.filter({ hasText: `${pct.format((100 * coverage.kampung) / coverage.villages)}%` }).waitFor();
    const levelCard = page.locator('section[aria-labelledby="levels-title"]');
    for (const n of Object.values(levels.levels)) await levelCard.filter({ hasText: id.format(n) }).waitFor();
    await accessible(page, 'beranda');
    await shoot(page, 'beranda');

    // A click goes one level down.
    await main
      .getByRole('link', { name: /Ogan Ilir/ })
      .first()
      .click();
    await page.waitForURL(/region=16\.?10/);
    const ogan = (await api<Coverage>('/api/v1/coverage?region=16.10')).body;
    await page.getByRole('heading', { level: 1, name: /Ogan Ilir/ }).waitFor();
    for (const figure of [ogan.villages, ogan.kampung, ogan.gap])
      await kpis.filter({ hasText: id.format(figure) }).waitFor();
    await mainShows(page, 'Pemulutan'); // its districts in the drill-down
    await accessible(page, 'beranda Ogan Ilir');
    await context.close();
  });

  it('should open Kampung KB Seroja with its level, each indicator and the way up', async () => {
    const { context, page } = await signIn(/Rudi Hartono/);
    const found = await api<{ items: { kampungId: string; name: string; level: string }[] }>(
      '/api/v1/kampung-levels?region=16.10.05.2041',
    );
    const seroja = found.body.items.find((k) => k.name === 'Kampung KB Seroja');
    expect(seroja).toBeDefined();
    const explained = await api<{ level: string; indicators: unknown[] }>(
      `/api/v1/kampung/${seroja!.kampungId}/classification`,
    );
    expect(explained.status).toBe(200);

    await page.goto(`${platform.url}/kampung?q=Seroja`);
    await page.getByRole('link', { name: 'Kampung KB Seroja', exact: true }).click();
    await page.getByTestId('kampung-page').waitFor();
    expect(await page.getByTestId('kampung-name').innerText()).toBe('Kampung KB Seroja');
    await page.getByTestId('indicator-row').first().waitFor();
    expect(await page.getByTestId('indicator-row').count()).toBe(12);
    expect((await page.getByTestId('register-data').innerText()).toLowerCase()).toContain('sembadak');
    await page.getByTestId('audit-row').first().waitFor();
    await accessible(page, 'kampung');
    await shoot(page, 'kampung');
    await context.close();
  });

  it('should export the filtered list as CSV with every row the API lists', async () => {
    const { context, page } = await signIn(/Rudi Hartono/);
    // Every kampung of Ogan Ilir by the API's own cursor paging.
    const names: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `/api/v1/kampung-levels?region=16.10&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const pageOf = (await api<{ items: { name: string }[]; nextCursor: string | null }>(q)).body;
      names.push(...pageOf.items.map((k) => k.name));
      cursor = pageOf.nextCursor;
    } while (cursor);
    expect(names.length).toBeGreaterThan(20);

    await page.goto(`${platform.url}/kampung?region=16.10`);
    await page.getByRole('table').first().waitFor();
    await accessible(page, 'daftar');
    await shoot(page, 'daftar');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: /CSV/ }).click(),
    ]);
    const file = await download.path();
    const lines = readFileSync(file, 'utf8')
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    expect(lines.length - 1).toBe(names.length);
    const csv = lines.join('\n');
    for (const n of names) expect(csv).toContain(n);
    expect(csv).toContain('16.10.05.2041');
    await context.close();
  });

  it('should draw the map of 16 without tiles and filter it by level', async () => {
    const { context, page } = await signIn(/Rudi Hartono/);
    await page.goto(`${platform.url}/peta`);
    await page.locator('.leaflet-container').waitFor();
    await page
      .locator('.leaflet-overlay-pane canvas, .leaflet-interactive')
      .first()
      .waitFor({ state: 'attached' });
    await accessible(page, 'peta');
    await shoot(page, 'peta');
    await context.close();
  });

  it('should let a verifier verify one submission and reject another, and the officer see the rejection', async () => {
    const { context, page } = await signIn(/Sri Wahyuni/);
    await page.goto(`${platform.url}/verifikasi`);
    await page.getByTestId('queue-row').first().waitFor();
    await accessible(page, 'verifikasi');
    const before = await page.getByTestId('queue-row').count();
    expect(before).toBeGreaterThanOrEqual(2);

    const first = page.getByTestId('queue-row').nth(0);
    const verifiedId = await first.getAttribute('data-submission-id');
    await first.getByTestId('open-submission').click();
    await page.getByTestId('answers').waitFor();
    await shoot(page, 'verifikasi');
    await page.getByTestId('verify-button').click();
    await page.getByTestId('verification-flash').waitFor();

    // The next one still waiting (the queue may not have refreshed yet).
    const second = page.locator(`[data-testid=queue-row]:not([data-submission-id="${verifiedId}"])`).first();
    const rejectedId = await second.getAttribute('data-submission-id');
    // The inbox names the village (notifications keeps no kampung names), and the reason.
    const rejectedVillage = /\d{2}\.\d{2}\.\d{2}\.\d{4}/.exec(await second.innerText())?.[0];
    expect(rejectedVillage).toBeDefined();
    expect(rejectedId).not.toBe(verifiedId);
    await second.getByTestId('open-submission').click();
    await page.getByTestId('reject-button').click();
    await page.getByTestId('reject-reason').fill('Jumlah PUS tidak sesuai data PK; mohon diperiksa ulang.');
    await accessible(page, 'verifikasi tolak');
    await page.getByTestId('reject-confirm').click();
    await eventually(
      async () => {
        expect(await page.getByTestId('queue-row').count()).toBe(before - 2);
        return true;
      },
      { timeoutMs: 20_000 },
    );
    await context.close();

    const verified = await api<Submission>(`/api/v1/submissions/${verifiedId}`);
    expect(verified.body.status).toBe('verified');
    const rejected = await api<Submission>(`/api/v1/submissions/${rejectedId}`);
    expect(rejected.body).toMatchObject({
      status: 'rejected',
      rejectionReason: expect.stringContaining('PUS'),
    });

    // The officer of 16 is told: the rejection is in the inbox.
    const officer = await signIn(/Rudi Hartono/);
    await officer.page.goto(`${platform.url}/kotak-masuk`);
    await eventually(
      async () => {
        await officer.page.reload();
        await officer.page.getByTestId('inbox-item').first().waitFor({ timeout: 5000 });
        const inbox = await officer.page.locator('main').innerText();
        expect(inbox).toContain(`${rejectedVillage} ditolak`);
        expect(inbox).toContain('Jumlah PUS tidak sesuai data PK');
        return true;
      },
      { timeoutMs: 60_000 },
    );
    await accessible(officer.page, 'kotak masuk');
    await shoot(officer.page, 'kotak-masuk');
    await officer.context.close();
  });

  it('should keep a province officer of 16 out of 32, in the pages and in the APIs', async () => {
    for (const q of [
      '/api/v1/coverage?region=32',
      '/api/v1/levels?region=32',
      '/api/v1/kampung-levels?region=32',
    ]) {
      expect((await api(q)).status).toBe(403);
    }
    expect([403, 404]).toContain((await api(`/api/v1/kampung/${kampung32}`)).status);
    const list = await api<{ items: { villageCode: string }[] }>('/api/v1/kampung-levels?limit=200');
    expect(list.body.items.every((k) => k.villageCode.startsWith('16.'))).toBe(true);

    const { context, page } = await signIn(/Rudi Hartono/);
    await page.goto(`${platform.url}/?region=32`);
    await page.getByRole('alert').first().waitFor();
    expect(await page.locator('main').innerText()).not.toContain('Jawa Barat');
    await page.goto(`${platform.url}/kampung/${kampung32}`);
    await page.getByRole('alert').first().waitFor();
    expect(await page.locator('main').innerText()).not.toContain('Kampung KB Jawa Barat Uji');
    await context.close();
  });

  it('should show a national officer the rule sets, in English when chosen', async () => {
    const { context, page } = await signIn(/Dewi Lestari/);
    await page.goto(`${platform.url}/nasional`);
    await page
      .locator('main')
      .getByText(/v1|versi 1/i)
      .first()
      .waitFor();
    await accessible(page, 'nasional');
    await shoot(page, 'nasional');
    await page.getByRole('button', { name: 'EN' }).click();
    await page.locator('html[lang="en"]').waitFor({ state: 'attached' });
    await page.goto(`${platform.url}/`);
    await page
      .locator('main')
      .getByText(/Kampung KB/)
      .first()
      .waitFor();
    expect(await page.locator('nav').first().innerText()).toMatch(/Home|Map/);
    await context.close();
  });
});
