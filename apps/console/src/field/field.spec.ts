import { compile, type InstrumentDefinition } from '@kkb/instrument-rules';
import { checkForm, parseNumber, progress, toAnswers } from './answers';
import { backoffMs, outcomeOf } from './sender';

const definition: InstrumentDefinition = {
  codeLists: { source: [{ code: 'apbn', label: 'APBN' }] },
  questions: [
    { id: 'pokja_exists', type: 'boolean', label: 'Pokja', required: true },
    {
      id: 'pokja_members',
      type: 'integer',
      label: 'Members',
      required: true,
      min: 0,
      relevantIf: { question: 'pokja_exists', equals: true },
    },
    { id: 'pus', type: 'integer', label: 'PUS', required: true, min: 0 },
    { id: 'users', type: 'integer', label: 'Users', required: true, min: 0 },
    { id: 'nonusers', type: 'integer', label: 'Non-users', required: true, min: 0 },
    { id: 'share', type: 'decimal', label: 'Share', required: false },
    { id: 'sources', type: 'multiple_choice', label: 'Sources', required: true, codeList: 'source' },
  ],
  rules: [
    {
      id: 'users_lte_pus',
      rule: 'sum_lte',
      fields: ['users'],
      limit: 'pus',
      descriptions: { id: 'Peserta ≤ PUS' },
    },
  ],
};
const instrument = compile(definition);
const q = (id: string) => instrument.questions.get(id)!;

describe('the form model', () => {
  it('should read numbers as officers type them, and leave the rest for the rule engine to name', () => {
    expect(parseNumber('640', q('pus'))).toBe(640);
    expect(parseNumber(' 1.000 ', q('pus'))).toBe(1000); // Indonesian thousands
    expect(parseNumber('12.500.000', q('pus'))).toBe(12_500_000);
    expect(parseNumber('2,5', q('share'))).toBe(2.5); // decimal comma
    expect(parseNumber('1.000', q('share'))).toBe(1); // a decimal question reads the point as decimal
    expect(parseNumber('1.5', q('pus'))).toBe(1.5); // then "harus bilangan bulat"
    expect(parseNumber('dua', q('pus'))).toBe('dua');
  });

  it('should leave out empty fields and questions that do not apply', () => {
    expect(toAnswers(instrument, { pokja_exists: false, pokja_members: '12', pus: '', share: '' })).toEqual({
      pokja_exists: false,
    });
    expect(toAnswers(instrument, { pokja_exists: true, pokja_members: '12' })).toEqual({
      pokja_exists: true,
      pokja_members: 12,
    });
  });

  it('should find every problem, a broken rule before the other numbers are in', () => {
    const { problems } = checkForm(instrument, { pokja_exists: true, pus: '400', users: '404', sources: [] });
    expect(problems.map((p) => `${p.question}:${p.code}`)).toEqual([
      'pokja_members:required',
      'nonusers:required',
      'users:rule',
    ]);
    expect(checkForm(instrument, { pus: '400', users: 'x' }).problems.map((p) => p.code)).toContain(
      'not_number',
    );
  });

  it('should count the answered questions of those that apply', () => {
    const answers = toAnswers(instrument, { pokja_exists: false, pus: '1' });
    expect(progress(instrument, answers)).toEqual({ answered: 2, total: 6 });
  });
});

describe('the sender', () => {
  it('should back off exponentially to two minutes, with jitter', () => {
    expect(backoffMs(1, () => 0.5)).toBe(2000);
    expect(backoffMs(3, () => 0.5)).toBe(8000);
    expect(backoffMs(20, () => 0.5)).toBe(120_000);
    expect(backoffMs(1, () => 0)).toBe(1500);
    expect(backoffMs(1, () => 1)).toBe(2500);
  });

  const problem = (status: number, body: object, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/problem+json', ...headers },
    });

  it('should count 201 and 200 as sent, and keep everything else for a retry or for the officer', async () => {
    await expect(outcomeOf(new Response('{}', { status: 201 }))).resolves.toEqual({
      state: 'sent',
      status: 201,
    });
    await expect(outcomeOf(new Response('{}', { status: 200 }))).resolves.toEqual({
      state: 'sent',
      status: 200,
    });
    await expect(outcomeOf(problem(409, { title: 'Conflict' }))).resolves.toMatchObject({
      state: 'conflict',
      error: { status: 409, title: 'Conflict' },
    });
    await expect(
      outcomeOf(
        problem(400, {
          title: 'Bad Request',
          errors: [{ field: 'period', reason: 'the period has not begun yet' }],
        }),
      ),
    ).resolves.toMatchObject({ state: 'refused', error: { errors: [{ field: 'period' }] } });
    await expect(outcomeOf(problem(401, {}))).resolves.toMatchObject({ state: 'signin' });
    await expect(outcomeOf(problem(503, { title: 'Service Unavailable' }))).resolves.toMatchObject({
      state: 'queued',
    });
    await expect(
      outcomeOf(problem(429, { title: 'Too Many Requests' }, { 'retry-after': '7' })),
    ).resolves.toMatchObject({ state: 'queued', retryAfterMs: 7000 });
    // Not JSON at all (a proxy's page): still kept, with the status.
    await expect(
      outcomeOf(new Response('<html>', { status: 502, statusText: 'Bad Gateway' })),
    ).resolves.toMatchObject({ state: 'queued', error: { status: 502 } });
  });
});
