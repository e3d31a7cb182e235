/* eslint-disable @nx/enforce-module-boundaries */
import type { BrowserContext, Page } from 'playwright-core';
import { mintToken } from '@kkb/auth';
import { eventually, Role } from '@kkb/testing';
import { reportAnswers } from '../../../services/survey/test/factories';
import { expectAccessible as accessible, screenshot as shoot, signInAs } from './browser';
import type { FieldPlatform } from './field.e2e.spec';

/**
 * Field entry in Debian's Chromium, against the platform as `npm start -- --seed` makes it: the
 * field officer of Desa Sembadak (Kampung KB Seroja) fills the monthly report offline, reloads
 * (the service worker brings the console back; the draft and the queue are on the device), and
 * when the connection returns exactly one submission exists; the survey service is killed (-9)
 * while the queue is sending and restarted, and still exactly one submission exists per report; a
 * report breaking a cross-field rule cannot be sent and names the rule; a report the verifier
 * rejects comes back with its reason, is corrected and verified. UPDATE_SCREENSHOTS=1 writes the
 * README's pictures to docs/screenshots/.
 */

const VILLAGE = '16.10.05.2041';

interface Submission {
  id: string;
  status: string;
  kampungId: string;
  period: { year: number; month: number };
  answers: Record<string, unknown>;
}

/** The tests, run by field.e2e.spec.ts on its platform (one platform for all field tests). */
export function fieldEntryTests(env: () => FieldPlatform): void {
  let officerToken = '';
  let verifierToken = '';
  let kampungId = '';

  const api = async <T>(pathAndQuery: string, token: string, init: RequestInit = {}) => {
    const res = await fetch(env().platform.url + pathAndQuery, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as T };
  };

  /** Every submission of the kampung's monthly report for a period, superseded ones included. */
  const submissionsFor = async (year: number, month: number) => {
    const res = await api<Submission[]>(
      `/api/v1/submissions?kampungId=${kampungId}&kind=monthly-report&year=${year}&month=${month}&limit=100`,
      verifierToken,
    );
    expect(res.status).toBe(200);
    return res.body;
  };

  const contexts: BrowserContext[] = [];
  let surveyDown = false;
  afterEach(async () => {
    // Also after a failure: a context left open would go on sending its queue into the next test,
    // and a survey service left killed would fail the tests after it.
    await Promise.all(contexts.splice(0).map((c) => c.close().catch(() => undefined)));
    if (surveyDown) await env().platform.services?.survey.restart();
    surveyDown = false;
  });

  /** The field officer through the development sign-in page, with the service worker in control. */
  const signIn = async (): Promise<{ context: BrowserContext; page: Page }> => {
    const { context, page } = await signInAs(env().browser, env().platform.url, /Hendra Wijaya/, {
      width: 1280,
    });
    contexts.push(context);
    // The app shell must be cached and the page controlled before the connection goes.
    await page.evaluate(`(async () => {
      await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller)
        await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r));
    })()`);
    return { context, page };
  };

  /** Isi laporan, once the instruments and the officer's kampung are on the device. */
  const openEntry = async (page: Page) => {
    await page.getByRole('navigation').getByRole('link', { name: 'Isi laporan' }).click();
    await page.getByRole('button', { name: 'Mulai mengisi' }).waitFor();
  };

  const startReport = async (page: Page, form: string, year: number, month: number) => {
    await page.getByLabel('Formulir').selectOption({ label: form });
    await page.getByLabel('Bulan').selectOption(String(month));
    await page.getByLabel('Tahun').selectOption(String(year));
    await page.getByRole('button', { name: 'Mulai mengisi' }).click();
    await page.waitForURL(/\/isi\/[0-9a-f-]{36}$/);
    return page.url().split('/').pop() as string;
  };

  const fill = async (page: Page, answers: Record<string, unknown>) => {
    for (const [id, value] of Object.entries(answers)) await page.locator(`#q-${id}`).fill(String(value));
  };

  const send = (page: Page) => page.getByRole('button', { name: 'Kirim', exact: true }).click();

  /** The row of a report in the Menunggu dikirim or Terkirim table. */
  const row = (page: Page, table: 'queue' | 'sent', id: string) =>
    page.getByTestId(table).locator(`tr[data-report-id="${id}"]`);

  beforeAll(async () => {
    const secret = env().platform.jwtSecret;
    officerToken = mintToken({ role: Role.field_officer, scope: VILLAGE, sub: 'dev', secret });
    verifierToken = mintToken({ role: Role.verifier, scope: '16', sub: 'test-verifier', secret });
    const listed = await api<{ items: { id: string }[] }>(`/api/v1/kampung?region=${VILLAGE}`, officerToken);
    kampungId = listed.body.items[0].id;
  });

  it('should keep a report filled offline through a reload, and store it exactly once when back online', async () => {
    const before = (await submissionsFor(2025, 1)).map((s) => s.id);
    const { context, page } = await signIn();
    // Installable: Chromium finds nothing missing in the manifest, icons and service worker
    // (but for the test's own browser context being incognito-like, which no user's is).
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    expect(installabilityErrors.map((e) => e.errorId).filter((id) => id !== 'in-incognito')).toEqual([]);
    expect((await cdp.send('Page.getAppManifest')).errors).toEqual([]);
    await openEntry(page);
    await accessible(page, 'isi');
    await shoot(page, 'isi-laporan');

    await context.setOffline(true);
    await page.getByText('Luring: tidak ada koneksi').first().waitFor();
    // A profile left half-filled: a draft on the device.
    const draftId = await startReport(page, 'Profil kampung', 2025, 1);
    await page.locator('#q-pokja_exists').getByLabel('Ya').check();
    await page.locator('#q-pokja_members').fill('12');
    // The monthly report, filled and sent while offline: it waits in the queue.
    await openEntry(page);
    const reportId = await startReport(page, 'Laporan bulanan', 2025, 1);
    await fill(page, reportAnswers());
    await send(page);
    await page.waitForURL(/\/antrean$/);
    await row(page, 'queue', reportId).getByText('Menunggu koneksi').waitFor();
    await accessible(page, 'antrean');
    await shoot(page, 'antrean-luring');

    // Reload without a connection: the service worker serves the console, IndexedDB the rest.
    await page.reload();
    await row(page, 'queue', reportId).getByText('Menunggu koneksi').waitFor();
    await page.getByRole('navigation').getByRole('link', { name: 'Isi laporan' }).click();
    await page.getByRole('button', { name: /Lanjutkan Profil kampung Januari 2025/ }).click();
    await page.waitForURL(new RegExp(`/isi/${draftId}$`));
    await expect(page.locator('#q-pokja_members').inputValue()).resolves.toBe('12');
    expect((await submissionsFor(2025, 1)).map((s) => s.id)).toEqual(before);

    // Back online: the queue goes out by itself.
    await context.setOffline(false);
    await page
      .getByRole('navigation')
      .getByRole('link', { name: /Menunggu dikirim/ })
      .click();
    await row(page, 'sent', reportId).getByText('Tersimpan').waitFor();
    await shoot(page, 'antrean-terkirim');
    const after = await submissionsFor(2025, 1);
    const created = after.filter((s) => !before.includes(s.id));
    expect(created.map((s) => s.id)).toEqual([reportId]);
    expect(created[0]).toMatchObject({ status: 'submitted', answers: reportAnswers() });
    await context.close();
  });

  it('should store each queued report exactly once when the survey service is killed (-9) while sending', async () => {
    const survey = env().platform.services?.survey;
    if (!survey) return; // CONSOLE_TEST_URL: the services are not this test's to kill
    const months = [2, 3, 4];
    const before = new Map<number, string[]>();
    for (const m of months)
      before.set(
        m,
        (await submissionsFor(2025, m)).map((s) => s.id),
      );
    const { context, page } = await signIn();
    await openEntry(page);
    await context.setOffline(true);
    const ids: string[] = [];
    for (const m of months) {
      await openEntry(page);
      ids.push(await startReport(page, 'Laporan bulanan', 2025, m));
      await fill(page, reportAnswers({ pus: 600 + m }));
      await send(page);
      await page.waitForURL(/\/antrean$/);
    }
    // The first submission request to leave the browser kills the survey service under it (the
    // context sees requests that pass through the service worker too).
    let killed: Promise<void> | undefined;
    context.on('request', (req) => {
      if (!killed && req.method() === 'POST' && req.url().endsWith('/api/v1/submissions')) {
        surveyDown = true;
        killed = survey.kill('SIGKILL');
      }
    });
    await context.setOffline(false);
    await eventually(async () => killed !== undefined, { timeoutMs: 60_000, what: 'a submission request' });
    await killed;
    // Refused while the service is down: the reports stay queued, tried again with backoff.
    await page
      .getByText(/dicoba lagi/)
      .first()
      .waitFor();
    await survey.restart();
    surveyDown = false;
    await page.getByRole('button', { name: 'Kirim sekarang' }).click();
    for (const id of ids) await row(page, 'sent', id).waitFor({ timeout: 180_000 });
    for (const [i, m] of months.entries()) {
      const earlier = before.get(m) ?? [];
      const created = (await submissionsFor(2025, m)).filter((s) => !earlier.includes(s.id));
      expect(created.map((s) => s.id)).toEqual([ids[i]]);
      expect(created[0].answers).toMatchObject({ pus: 600 + m });
    }
    await context.close();
  });

  it('should answer a resend of a report stored already (its answer lost) with 200, and store nothing twice', async () => {
    const before = (await submissionsFor(2025, 7)).map((s) => s.id);
    const { context, page } = await signIn();
    await openEntry(page);
    const id = await startReport(page, 'Laporan bulanan', 2025, 7);
    await fill(page, reportAnswers());
    // What a lost answer leaves behind: the service stored the report under the device's id (here
    // sent by the test, as the console would have), and the console does not know it.
    const stored = await api<Submission>('/api/v1/submissions', officerToken, {
      method: 'POST',
      body: JSON.stringify({
        id,
        kampungId,
        instrumentCode: 'monthly-report',
        instrumentVersion: 2,
        period: { year: 2025, month: 7 },
        answers: reportAnswers(),
      }),
    });
    expect(stored.status).toBe(201);
    await send(page);
    await row(page, 'sent', id).getByText('Sudah tersimpan sebelumnya (kiriman ulang)').waitFor();
    const created = (await submissionsFor(2025, 7)).filter((s) => !before.includes(s.id));
    expect(created.map((s) => s.id)).toEqual([id]);
    await context.close();
  });

  it("should keep one officer's queue from another on a shared device, and send it when its officer is back", async () => {
    const before = (await submissionsFor(2025, 8)).map((s) => s.id);
    const { context, page } = await signIn();
    await openEntry(page);
    await context.setOffline(true);
    const id = await startReport(page, 'Laporan bulanan', 2025, 8);
    await fill(page, reportAnswers());
    await send(page);
    await row(page, 'queue', id).waitFor();
    // Hendra signs out; a verifier of Ogan Ilir signs in on the same browser, and it is online.
    await page.getByRole('button', { name: 'Keluar' }).click();
    await page.waitForURL(/\/masuk/);
    await context.setOffline(false);
    let posted = 0;
    context.on('request', (req) => {
      if (req.method() === 'POST' && req.url().endsWith('/api/v1/submissions')) posted++;
    });
    await page.getByRole('radio', { name: /Agus Salim/ }).check();
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/masuk'));
    await page.goto(`${env().platform.url}/antrean`);
    await page.getByText('Tidak ada laporan yang menunggu dikirim.').waitFor();
    await page.getByText('Belum ada laporan yang terkirim dari perangkat ini.').waitFor();
    expect(posted).toBe(0);
    // Hendra again: the report goes out under his name.
    await page.getByRole('button', { name: 'Keluar' }).click();
    await page.getByRole('radio', { name: /Hendra Wijaya/ }).check();
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/masuk'));
    await page
      .getByRole('navigation')
      .getByRole('link', { name: /Menunggu dikirim/ })
      .click();
    await row(page, 'sent', id).waitFor();
    // Stored once (a page left mid-send resends the same id, which is answered 200).
    const created = (await submissionsFor(2025, 8)).filter((s) => !before.includes(s.id));
    expect(created.map((s) => s.id)).toEqual([id]);
    expect(posted).toBeGreaterThan(0);
  });

  it('should not send a report that breaks a cross-field rule, and name the rule', async () => {
    const { context, page } = await signIn();
    let posted = 0;
    context.on('request', (req) => {
      if (req.method() === 'POST' && req.url().endsWith('/api/v1/submissions')) posted++;
    });
    await openEntry(page);
    const id = await startReport(page, 'Laporan bulanan', 2025, 5);
    // 404 users by method against 400 PUS: said beside the fields as soon as it is typed.
    await page.locator('#q-pus').fill('400');
    await page.locator('#q-users_iud').fill('404');
    const rule = 'Peserta KB per metode tidak boleh melebihi PUS';
    await page
      .locator('.question', { has: page.locator('#q-users_iud') })
      .getByText(rule)
      .waitFor();
    await fill(page, { ...reportAnswers({ pus: 400 }) });
    await send(page);
    const summary = page.getByRole('alert').filter({ hasText: 'Laporan belum dapat dikirim' });
    await summary.waitFor();
    await expect(summary.textContent()).resolves.toContain(rule);
    await page.getByRole('heading', { name: 'Aturan antar-isian' }).scrollIntoViewIfNeeded();
    await accessible(page, 'isi-formulir');
    await shoot(page, 'isi-aturan-dilanggar');
    expect(page.url()).toMatch(new RegExp(`/isi/${id}$`));
    expect(posted).toBe(0);
    await context.close();
  });

  it('should bring a rejected report back with its reason, and have the correction verified', async () => {
    const { context, page } = await signIn();
    await openEntry(page);
    const firstId = await startReport(page, 'Laporan bulanan', 2025, 6);
    await fill(page, reportAnswers({ pus: 640 }));
    await send(page);
    await row(page, 'sent', firstId).waitFor();

    const reason = 'PUS tidak sesuai register desa: periksa kembali';
    const rejected = await api<Submission>(`/api/v1/submissions/${firstId}/reject`, verifierToken, {
      method: 'POST',
      body: JSON.stringify({ reason }),
    });
    expect(rejected.status).toBe(200);

    await openEntry(page);
    const item = page.locator('.rejected', { hasText: 'Laporan bulanan Juni 2025' });
    await item.getByText(reason).waitFor();
    await shoot(page, 'isi-dikembalikan');
    await item.getByRole('button', { name: /Perbaiki/ }).click();
    await page.waitForURL(/\/isi\/[0-9a-f-]{36}$/);
    const secondId = page.url().split('/').pop() as string;
    expect(secondId).not.toBe(firstId);
    await page.getByText(`Alasan verifikator: ${reason}`).waitFor();
    await expect(page.locator('#q-pus').inputValue()).resolves.toBe('640');
    await page.locator('#q-pus').fill('650');
    await send(page);
    await row(page, 'sent', secondId).waitFor();

    const verified = await api<Submission>(`/api/v1/submissions/${secondId}/verify`, verifierToken, {
      method: 'POST',
      body: '{}',
    });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ status: 'verified', answers: { pus: 650 } });
    const old = await api<Submission>(`/api/v1/submissions/${firstId}`, verifierToken);
    expect(old.body.status).toBe('superseded');
    await context.close();
  });
}
