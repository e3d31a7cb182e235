/* eslint-disable @nx/enforce-module-boundaries */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { compile, describeProblem, type InstrumentDefinition, type Question } from '@kkb/instrument-rules';
import { Role, startTestService, TestRun, type TestService } from '@kkb/testing';
import { checkForm } from '../../../apps/console/src/field/answers';
import { surveyService } from '../../../services/survey/src/service';
import { profileAnswers, reportAnswers } from '../../../services/survey/test/factories';
import { seedKampung } from '../../../services/survey/test/survey.fixtures';

/**
 * One rule engine, two places: what a field officer types goes through the console's form model
 * (apps/console/src/field/answers.ts, the code the browser runs) and the answers it makes are
 * sent to the survey service. The problems the console shows (in English, the API's words) must be
 * exactly the service's `errors` for the answers, and a form without problems must be stored (201).
 */

interface Problem {
  field: string;
  reason: string;
}

/** What a person may type or tick for a question, right or wrong. */
function typed(q: Question, codes: string[]): fc.Arbitrary<unknown> {
  switch (q.type) {
    case 'integer':
    case 'decimal':
      return fc.oneof(
        fc.integer({ min: 0, max: 2000 }).map(String),
        fc.constantFrom('', ' ', '-1', '1.000', '2,5', '1.5', 'dua', '12a', '2000000', '0'),
      );
    case 'boolean':
      return fc.constantFrom(true, false, undefined);
    case 'single_choice':
      return fc.constantFrom(...codes, '', undefined);
    case 'multiple_choice':
      return fc.oneof(fc.subarray(codes), fc.constant(undefined));
    default:
      return fc.oneof(fc.string({ maxLength: 12 }), fc.constant(''));
  }
}

/** Valid answers as a form holds them (numbers as typed text), with a few questions retyped. */
function formValues(def: InstrumentDefinition, base: Record<string, unknown>) {
  const asTyped = Object.fromEntries(
    Object.entries(base).map(([k, v]) => [k, typeof v === 'number' ? String(v) : v]),
  );
  // Zero to three questions retyped: enough valid forms to be stored, and every kind of problem.
  return fc
    .uniqueArray(fc.nat(def.questions.length - 1), { maxLength: 3 })
    .chain((picked) =>
      fc.tuple(
        ...picked.map((i) => {
          const q = def.questions[i];
          return typed(
            q,
            (def.codeLists[q.codeList ?? ''] ?? []).map((e) => e.code),
          ).map((v) => [q.id, v] as const);
        }),
      ),
    )
    .map((changes) => {
      const values: Record<string, unknown> = { ...asTyped };
      for (const [id, v] of changes) values[id] = v;
      return values;
    });
}

describe('the console and the survey service run one rule engine', () => {
  const run = new TestRun();
  const schema = run.schema('survey');
  let survey: TestService;
  let kampungId = '';
  const officer = () => run.token(Role.field_officer, '16');

  beforeAll(async () => {
    survey = await startTestService(run, surveyService, { env: { SURVEY_OVERDUE_CHECK_MS: '0' } });
    const ds = survey.app.get<DataSource>(getDataSourceToken());
    kampungId = (await seedKampung(ds, schema, '16.10.05.2041', { launchDate: '2020-01-15' })).kampungId;
  });

  afterAll(async () => {
    await survey?.close();
    await run.cleanup();
  });

  it.each([
    ['monthly-report', () => reportAnswers()],
    ['kampung-profile', () => profileAnswers()],
  ])('should find the same problems in %s answers, in the form and in the service', async (code, base) => {
    const latest = await survey.request({
      method: 'GET',
      url: `/api/v1/instruments/${code}`,
      token: officer(),
    });
    expect(latest.statusCode).toBe(200);
    const { version, definition } = latest.json() as { version: number; definition: InstrumentDefinition };
    const instrument = compile(definition);
    let stored = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(formValues(definition, base()), async (values) => {
        const { answers, problems } = checkForm(instrument, values);
        const inForm: Problem[] = problems.map((p) => ({
          field: `answers.${p.question}`,
          reason: describeProblem(instrument, p, 'en'),
        }));
        const res = await survey.request({
          method: 'POST',
          url: '/api/v1/submissions',
          token: officer(),
          payload: {
            id: randomUUID(),
            kampungId,
            instrumentCode: code,
            instrumentVersion: version,
            period: { year: 2025, month: 3 },
            answers,
          },
        });
        if (!inForm.length) {
          expect(res.statusCode).toBe(201);
          stored++;
          return;
        }
        expect(res.statusCode).toBe(400);
        refused++;
        const inService = (res.json() as { errors: Problem[] }).errors;
        expect(inService).toEqual(inForm);
        // Every problem also has its Indonesian words for the form.
        for (const p of problems) expect(describeProblem(instrument, p, 'id')).not.toBe('');
      }),
      { numRuns: 80, seed: Number(process.env.FUZZ_SEED) || undefined },
    );
    // Both outcomes were exercised: a property that only ever refused would prove little.
    expect(stored).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });
});
