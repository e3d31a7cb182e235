import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { eventually, Role, startTestService, TestRun, type TestService } from '@kkb/testing';
import { ImportController } from '../src/import/import.controller';
import type { RowResult } from '../src/import/import.model';
import type { ImportView } from '../src/import/import.service';
import { monthlyReportV1 } from '../src/instrument/seed/monthly-report.v1';
import { surveyService } from '../src/service';
import { reportAnswers } from './factories';
import { outboxEvents, seedKampung, type SeededKampung } from './survey.fixtures';

const QUESTIONS = monthlyReportV1.questions.map((q) => q.id);
const HEADER = ['submission_id', 'kampung_id', 'year', 'month', ...QUESTIONS].join(',');

function line(
  id: string,
  kampungId: string,
  year: unknown,
  month: unknown,
  over: Record<string, unknown> = {},
): string {
  const answers = reportAnswers(over) as Record<string, unknown>;
  return [id, kampungId, year, month, ...QUESTIONS.map((q) => answers[q] ?? '')].join(',');
}

describe(ImportController.name, () => {
  const run = new TestRun();
  const schema = run.schema('survey');
  let survey: TestService;
  let ds: DataSource;
  let k1: SeededKampung, k2: SeededKampung, k18: SeededKampung;
  const officer = run.token(Role.field_officer, '16');

  const upload = (
    csv: string,
    opts: { token?: string; query?: string; type?: string; service?: TestService } = {},
  ) =>
    (opts.service ?? survey).request({
      method: 'POST',
      url: `/api/v1/imports?${opts.query ?? 'instrumentCode=monthly-report&instrumentVersion=1'}`,
      payload: csv,
      headers: { 'content-type': opts.type ?? 'text/csv' },
      token: opts.token ?? officer,
    });

  beforeAll(async () => {
    survey = await startTestService(run, surveyService, {
      env: { SURVEY_OVERDUE_CHECK_MS: '0', SURVEY_IMPORT_BATCH_SIZE: '3' },
    });
    ds = survey.app.get<DataSource>(getDataSourceToken());
    k1 = await seedKampung(ds, schema, '16.10.05.2001');
    k2 = await seedKampung(ds, schema, '16.10.05.2002');
    k18 = await seedKampung(ds, schema, '18.01.01.2003');
  });

  afterAll(async () => {
    await survey?.close();
    await run.cleanup();
  });

  const first = randomUUID();
  const correction = randomUUID();
  const csv = [
    HEADER,
    line(first, '', 2025, 3).replace(',,', `,${'K1'},`),
    line(randomUUID(), 'K2', 2025, 3, { pus: 100 }),
    line(randomUUID(), randomUUID(), 2025, 3),
    line(randomUUID(), 'K18', 2025, 3),
    line('', 'K2', 2025, 4),
    line(randomUUID(), 'K2', 2025, 5, { pus: 'many' }),
    `${randomUUID()},K1,2025,6,1,2`,
    line(correction, 'K1', 2025, 3, { users_pill: 61 }),
    line(randomUUID(), 'K2', 'x', 7),
  ].join('\r\n');
  const withIds = () =>
    csv.replace(/K18/g, k18.kampungId).replace(/K1/g, k1.kampungId).replace(/K2/g, k2.kampungId);

  let job: ImportView;

  it('should import a CSV with good and bad rows, with every row result and its reasons', async () => {
    const res = await upload(withIds(), { type: 'text/csv; charset=utf-8' });
    expect(res.statusCode).toBe(201);
    job = res.json() as ImportView;
    expect(job).toMatchObject({ status: 'completed', rows: 9, created: 3, unchanged: 0, failed: 6 });
    const byRow = new Map(job.results!.map((r) => [r.row, r]));
    expect([...byRow.keys()]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(byRow.get(1)).toEqual({ row: 1, submissionId: first, outcome: 'created' });
    const fieldsOf = (n: number) => byRow.get(n)!.errors!.map((e) => e.field);
    expect(byRow.get(2)!.outcome).toBe('failed');
    expect(fieldsOf(2)).toEqual(expect.arrayContaining(['answers.users_iud', 'answers.users_pill']));
    expect(byRow.get(3)!.errors).toEqual([
      { field: 'kampungId', reason: 'no Kampung KB with this id is known to the survey service' },
    ]);
    expect(byRow.get(4)!.errors![0].reason).toMatch(/outside your scope 16/);
    expect(byRow.get(5)).toMatchObject({ outcome: 'created', submissionId: expect.any(String) });
    expect(byRow.get(6)!.errors).toEqual([{ field: 'answers.pus', reason: 'must be a number' }]);
    expect(byRow.get(7)!.errors).toEqual([
      { field: 'row', reason: `has 6 cells where the header has ${QUESTIONS.length + 4}` },
    ]);
    expect(byRow.get(8)).toEqual({ row: 8, submissionId: correction, outcome: 'created' });
    expect([...new Set(fieldsOf(9))]).toEqual(['period.year']);
  });

  it('should write imported rows as submissions, the later row of a period superseding the earlier', async () => {
    const rows = await ds.query(
      `SELECT id, status, via, import_id, superseded_by FROM "${schema}".submission WHERE kampung_id = $1 ORDER BY submitted_at, id`,
      [k1.kampungId],
    );
    expect(rows).toEqual([
      { id: first, status: 'superseded', via: 'import', import_id: job.id, superseded_by: correction },
      { id: correction, status: 'submitted', via: 'import', import_id: job.id, superseded_by: null },
    ]);
    const submitted = await outboxEvents(
      ds,
      schema,
      'kkb.survey.submission.submitted.v1',
      `payload->'data'->>'via' = 'import'`,
    );
    expect(submitted).toHaveLength(3);
    expect(
      await outboxEvents(
        ds,
        schema,
        'kkb.survey.submission.superseded.v1',
        `payload->'data'->>'submissionId' = $2`,
        [first],
      ),
    ).toHaveLength(1);
  });

  it('should serve the import status and its failed rows page by page', async () => {
    const status = await survey.request({
      method: 'GET',
      url: `/api/v1/imports/${job.id}`,
      token: run.token(Role.province, '16'),
    });
    expect(status.statusCode).toBe(200);
    expect(status.json()).toMatchObject({ id: job.id, status: 'completed', rows: 9, created: 3, failed: 6 });
    expect((status.json() as ImportView).results).toBeUndefined();
    const page1 = await survey.request({
      method: 'GET',
      url: `/api/v1/imports/${job.id}/rows?outcome=failed&limit=4`,
    });
    const rows1 = page1.json() as RowResult[];
    expect(rows1.map((r) => r.row)).toEqual([2, 3, 4, 6]);
    const page2 = await survey.request({
      method: 'GET',
      url: `/api/v1/imports/${job.id}/rows?outcome=failed&limit=4&after=6`,
    });
    expect((page2.json() as RowResult[]).map((r) => r.row)).toEqual([7, 9]);
    const other = await survey.request({
      method: 'GET',
      url: `/api/v1/imports/${job.id}`,
      token: run.token(Role.province, '18'),
    });
    expect(other.statusCode).toBe(403);
  });

  it('should change nothing when the same file is imported again', async () => {
    const before = await ds.query(`SELECT count(*)::int AS n FROM "${schema}".submission`);
    const res = await upload(withIds());
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ rows: 9, created: 0, unchanged: 3, failed: 6 });
    expect(await ds.query(`SELECT count(*)::int AS n FROM "${schema}".submission`)).toEqual(before);
  });

  it('should fail a row that reuses a submission id with different answers', async () => {
    const res = await upload(
      [HEADER, line(correction, k1.kampungId, 2025, 3, { users_pill: 62 })].join('\n'),
    );
    expect((res.json() as ImportView).results).toEqual([
      {
        row: 1,
        submissionId: correction,
        outcome: 'failed',
        errors: [{ field: 'id', reason: 'already used for a submission with different content' }],
      },
    ]);
  });

  it('should refuse a header that does not fit the instrument, and an empty file, before any row', async () => {
    const bad = await upload(`kampung_id,year,colour\n${k1.kampungId},2025,red\n`);
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((bad.json() as { errors: { field: string; reason: string }[] }).errors).toEqual([
      { field: 'header[2]', reason: 'column colour is not a question of monthly-report v1' },
      { field: 'header', reason: 'column month is missing' },
    ]);
    const empty = await upload('');
    expect(empty.statusCode).toBe(400);
    const unknown = await upload(HEADER, { query: 'instrumentCode=monthly-report&instrumentVersion=9' });
    expect(unknown.statusCode).toBe(400);
  });

  it("should skip the console template's # label row and take a # inside a cell as data", async () => {
    // As the console's template writes it: a BOM, the ids, then the labels on a comment line.
    const labels = `# ID pengiriman,ID kampung,Tahun,Bulan,${monthlyReportV1.questions
      .map((q) => `"${q.label}, ""${q.id}"""`)
      .join(',')}`;
    const id = randomUUID();
    const file = `\uFEFF${[HEADER, labels, line(id, k2.kampungId, 2025, 8), '#  another comment', ''].join('\r\n')}`;
    const res = await upload(file);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      status: 'completed',
      rows: 1,
      created: 1,
      failed: 0,
      results: [{ row: 1, submissionId: id, outcome: 'created' }],
    });
    // Not a comment once a line has started: the cell is read as data, and fails as an answer.
    const hashCell = await upload(
      [HEADER, line(randomUUID(), k2.kampungId, 2025, 9, { pus: '#5' })].join('\n'),
    );
    expect(hashCell.json()).toMatchObject({ rows: 1, failed: 1 });
    expect((hashCell.json() as ImportView).results![0].errors).toEqual([
      { field: 'answers.pus', reason: 'must be a number' },
    ]);
  });

  it('should take CSV only, from officers who may submit', async () => {
    const json = await upload(JSON.stringify({ rows: [] }), { type: 'application/json' });
    expect(json.statusCode).toBe(415);
    const verifier = await upload(HEADER, { token: run.token(Role.verifier, '16') });
    expect(verifier.statusCode).toBe(403);
  });

  it('should stop an upload above the size limit with 413 and mark the import failed', async () => {
    const small = await startTestService(run, surveyService, {
      env: { SURVEY_OVERDUE_CHECK_MS: '0', SURVEY_IMPORT_MAX_BYTES: '4096' },
    });
    try {
      const jobs = async (): Promise<number> =>
        ((await ds.query(`SELECT count(*)::int AS n FROM "${schema}".import_job`)) as { n: number }[])[0].n;
      const before = await jobs();
      // Sent in pieces as a real upload arrives: the header is read (the import starts) before the limit is hit.
      async function* body() {
        // The header and a first row: a parser may hold a record back until it sees what follows it.
        yield Buffer.from(`${HEADER}\n${line(randomUUID(), k2.kampungId, 2023, 1)}\n`);
        await eventually(async () => (await jobs()) > before, { what: 'import started' });
        for (let i = 0; i < 40; i++)
          yield Buffer.from(`${line(randomUUID(), k2.kampungId, 2024, (i % 12) + 1)}\n`);
      }
      const res = await small.request({
        method: 'POST',
        url: '/api/v1/imports?instrumentCode=monthly-report&instrumentVersion=1',
        payload: Readable.from(body()),
        headers: { 'content-type': 'text/csv', 'transfer-encoding': 'chunked' },
        token: officer,
      });
      expect(res.statusCode).toBe(413);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      const [failed] = await ds.query(
        `SELECT status, error FROM "${schema}".import_job WHERE status = 'failed' ORDER BY started_at DESC LIMIT 1`,
      );
      expect(failed).toEqual({ status: 'failed', error: 'the CSV is larger than 4096 bytes' });
    } finally {
      await small.close();
    }
  });
});
