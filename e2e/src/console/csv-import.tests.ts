/* eslint-disable @nx/enforce-module-boundaries */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { mintToken } from '@kkb/auth';
import { Role } from '@kkb/testing';
import { reportAnswers } from '../../../services/survey/test/factories';
import { expectAccessible as accessible, screenshot, signInAs } from './browser';
import type { FieldPlatform } from './field.e2e.spec';

/**
 * Impor CSV in Debian's Chromium, against the platform as `npm start -- --seed` makes it: the
 * field officer of Desa Sembadak downloads the monthly report's template (column ids, then a #
 * line of labels in Bahasa Indonesia), fills it with good and bad rows and uploads it; the page
 * gives each row's result with its column and reason, pages a file of more than 50 rows, and
 * lists the problems of a file whose header does not fit. Checked with axe and photographed
 * (UPDATE_SCREENSHOTS=1 writes docs/screenshots/impor-csv.png).
 */

const FILES = path.join(os.tmpdir(), `kkb-csv-import-${process.pid}`);

/** A monthly report that passes every rule of the monthly report (the survey tests' own). */
const GOOD = reportAnswers();

interface Instrument {
  code: string;
  version: number;
  definition: { questions: { id: string }[] };
}

/** The tests, run by field.e2e.spec.ts on its platform (one platform for all field tests). */
export function csvImportTests(env: () => FieldPlatform): void {
  let national = '';
  let seroja = { id: '', launchDate: '' };
  let report: Instrument;

  const api = async <T>(pathAndQuery: string, token = national) => {
    const res = await fetch(env().platform.url + pathAndQuery, {
      headers: { authorization: `Bearer ${token}` },
    });
    return (await res.json()) as T;
  };

  const signIn = (who: RegExp) => signInAs(env().browser, env().platform.url, who, { acceptDownloads: true });

  /** A CSV row of the template's columns: the fixed ones, then the answers by question id. */
  const row = (columns: string[], kampungId: string, year: number, month: number, over = {}) => {
    const answers: Record<string, unknown> = { ...GOOD, ...over };
    return columns
      .map((c) =>
        c === 'submission_id'
          ? ''
          : c === 'kampung_id'
            ? kampungId
            : c === 'year'
              ? year
              : c === 'month'
                ? month
                : (answers[c] ?? ''),
      )
      .join(',');
  };

  const upload = async (page: Page, name: string, text: string) => {
    const file = path.join(FILES, name);
    writeFileSync(file, text);
    await page.getByLabel('Berkas CSV').setInputFiles(file);
    await page.getByRole('button', { name: 'Unggah dan periksa' }).click();
  };

  /** The month `n` months after the kampung's launch. */
  const afterLaunch = (n: number) => {
    const index = Number(seroja.launchDate.slice(0, 4)) * 12 + Number(seroja.launchDate.slice(5, 7)) - 1 + n;
    return { year: Math.floor(index / 12), month: (index % 12) + 1 };
  };

  beforeAll(async () => {
    mkdirSync(FILES, { recursive: true });
    national = mintToken({
      role: Role.national,
      scope: '',
      sub: 'test-national',
      secret: env().platform.jwtSecret,
    });
    const found = await api<{ items: { kampungId: string; name: string }[] }>(
      '/api/v1/kampung-levels?region=16.10.05.2041',
    );
    const k = found.items.find((x) => x.name === 'Kampung KB Seroja');
    expect(k).toBeDefined();
    const detail = await api<{ launchDate: string }>(`/api/v1/kampung/${k?.kampungId}`);
    seroja = { id: k?.kampungId ?? '', launchDate: detail.launchDate };
    report = await api<Instrument>('/api/v1/instruments/monthly-report');
  });

  it('should give a field officer the template, then every row of the upload with its column and reason', async () => {
    const { context, page } = await signIn(/Hendra Wijaya/);
    await page.getByRole('navigation').getByRole('link', { name: 'Impor CSV' }).click();
    await page.waitForURL(/\/impor$/);
    await page.getByRole('heading', { level: 1, name: 'Impor CSV' }).waitFor();
    await page.getByLabel('Formulir').selectOption('monthly-report');
    await page.getByTestId('template-columns').waitFor();

    // The template: a BOM, the ids the import reads, then one # line of labels in Bahasa Indonesia.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('download-template').click(),
    ]);
    expect(download.suggestedFilename()).toBe(`template-monthly-report-v${report.version}.csv`);
    const template = readFileSync(await download.path(), 'utf8');
    expect(template.startsWith('\uFEFF')).toBe(true);
    const lines = template.replace(/^\uFEFF/, '').split('\r\n');
    const columns = [
      'submission_id',
      'kampung_id',
      'year',
      'month',
      ...report.definition.questions.map((q) => q.id),
    ];
    expect(lines[0]).toBe(columns.join(','));
    expect(lines[1]).toMatch(/^# ID pengiriman/);
    expect(lines[1]).toContain('Jumlah Pasangan Usia Subur (PUS)');
    expect(lines[1]).toContain('PUS peserta KB: pil');
    expect(lines[1].split(',')).toHaveLength(columns.length);
    expect(lines.slice(2)).toEqual(['']);

    // Filled: two good rows, a report whose contraceptive users exceed the PUS, an unknown kampung.
    const [p1, p2, p3] = [afterLaunch(0), afterLaunch(1), afterLaunch(2)];
    const unknown = randomUUID();
    const filled = [
      ...lines.slice(0, 2),
      row(columns, seroja.id, p1.year, p1.month),
      row(columns, seroja.id, p2.year, p2.month),
      row(columns, seroja.id, p3.year, p3.month, { users_pill: 600 }),
      row(columns, unknown, p1.year, p1.month),
      '',
    ].join('\r\n');
    await upload(page, 'laporan-bulanan.csv', `\uFEFF${filled}`);
    const result = page.getByTestId('import-result');
    await result.waitFor();
    const count = (key: string) => result.locator(`[data-count=${key}] dd`).innerText();
    expect(await count('rows')).toBe('4');
    expect(await count('created')).toBe('2');
    expect(await count('failed')).toBe('2');
    await page.getByTestId('import-row').first().waitFor();
    const rowsOf = (n: number) => page.locator(`[data-testid=import-row][data-row="${n}"]`);
    expect(await rowsOf(1).getAttribute('data-outcome')).toBe('created');
    expect(await rowsOf(1).innerText()).toContain('Baru');
    expect(await rowsOf(2).getAttribute('data-outcome')).toBe('created');
    // The broken rule once, with every field it adds up, in the officer's words.
    const pill = page.locator('[data-testid=import-row][data-row="3"][data-fields~="answers.users_pill"]');
    const pillText = await pill.innerText();
    expect(pillText).toContain('PUS peserta KB: pil');
    expect(pillText).toContain('PUS peserta KB: IUD');
    expect(pillText).toContain('Peserta KB per metode tidak boleh melebihi PUS');
    expect(pillText).toMatch(/944/);
    expect(await rowsOf(3).first().innerText()).toContain('Ditolak');
    const kampung = await rowsOf(4).innerText();
    expect(kampung).toContain('ID kampung (kampung_id)');
    expect(kampung).toContain('ID Kampung KB ini tidak dikenal');
    // Focus moved to the result, for keyboard and screen reader users.
    await page.locator('#import-result-heading:focus').waitFor();
    await accessible(page, 'impor-csv');
    await screenshot(page, 'impor-csv');

    // Only the rejected rows, on request.
    await page.getByLabel('Tampilkan hanya baris yang ditolak').check();
    await page.locator('[data-testid=import-row][data-row="1"]').waitFor({ state: 'detached' });
    expect(
      new Set(
        await page.getByTestId('import-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-row'))),
      ),
    ).toEqual(new Set(['3', '4']));
    await context.close();
  });

  it('should page the results of a large file and list the problems of a header that does not fit', async () => {
    const { context, page } = await signIn(/Hendra Wijaya/);
    await page.goto(`${env().platform.url}/impor`);
    // Straight to the page (the front door serves /impor as a console page).
    await page.getByLabel('Formulir').selectOption('monthly-report');
    await page.getByTestId('template-columns').waitFor();
    const columns = [
      'submission_id',
      'kampung_id',
      'year',
      'month',
      ...report.definition.questions.map((q) => q.id),
    ];

    // 70 rows: more than one page of 50.
    const p = afterLaunch(0);
    const many = [
      columns.join(','),
      ...Array.from({ length: 70 }, (_, i) => row(columns, randomUUID(), p.year, p.month, { pus: 600 + i })),
    ].join('\n');
    await upload(page, 'banyak.csv', many);
    await page.getByTestId('import-result').waitFor();
    expect(await page.locator('[data-count=rows] dd').innerText()).toBe('70');
    expect(await page.locator('[data-count=failed] dd').innerText()).toBe('70');
    const pager = page.getByTestId('import-pager');
    await pager.waitFor();
    expect(await page.getByTestId('import-page-number').innerText()).toBe('Halaman 1 · baris 1–50');
    expect(await page.getByTestId('import-row').count()).toBe(50);
    const previous = pager.getByRole('button', { name: /Sebelumnya/ });
    const next = pager.getByRole('button', { name: /Berikutnya/ });
    expect(await previous.isDisabled()).toBe(true);
    await next.click();
    await page.getByText('Halaman 2 · baris 51–70').waitFor();
    expect(await page.getByTestId('import-row').count()).toBe(20);
    expect(await next.isDisabled()).toBe(true);
    await accessible(page, 'impor-csv halaman 2');
    await previous.click();
    await page.getByText('Halaman 1 · baris 1–50').waitFor();

    // A header that does not fit the form: the whole file is refused, with the column at fault.
    await upload(
      page,
      'salah.csv',
      `kampung_id,year,month,jumlah_pus\n${seroja.id},${p.year},${p.month},640\n`,
    );
    const problem = page.getByTestId('upload-problem');
    await problem.waitFor();
    const text = await problem.innerText();
    expect(text).toContain('Berkas tidak dapat diimpor');
    expect(text).toContain('Kode kolom pada baris pertama tidak sesuai dengan formulir ini.');
    expect(text).toContain('column jumlah_pus is not a question of monthly-report');
    await accessible(page, 'impor-csv masalah');
    await context.close();
  });

  it('should tell a verifier that the import is not theirs, without a link to it', async () => {
    const { context, page } = await signIn(/Sri Wahyuni/);
    await page.getByRole('navigation').getByRole('link', { name: 'Verifikasi' }).waitFor();
    expect(await page.getByRole('navigation').getByRole('link', { name: 'Impor CSV' }).count()).toBe(0);
    await page.goto(`${env().platform.url}/impor`);
    await page.getByTestId('import-not-allowed').waitFor();
    expect(await page.getByTestId('import-file').count()).toBe(0);
    await context.close();
  });
}
