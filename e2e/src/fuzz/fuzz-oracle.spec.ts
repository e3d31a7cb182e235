import { Role } from '@kkb/testing';
import { checkExchange, fieldNames, Findings, kindOf, type Exchange } from './fuzz-oracle';
import type { MutationNote } from './openapi-arbitraries';

const problem = (status: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ type: 'https://kampungkb.example/problems/x', title: 'X', status, ...extra });

function exchange(over: Partial<Exchange> & { mutations?: MutationNote[] } = {}): Exchange {
  const { mutations = [{ where: 'body', field: 'period.year', kind: 'number' }], ...rest } = over;
  return {
    req: {
      opKey: 'survey POST /api/v1/submissions',
      as: { role: Role.national, scope: '' },
      pathParams: {},
      query: {},
      headers: {},
      mutations,
    },
    call: {
      service: 'survey',
      method: 'POST',
      url: '/api/v1/submissions',
      headers: {},
      as: { role: Role.national, scope: '' },
    },
    status: 400,
    contentType: 'application/problem+json; charset=utf-8',
    body: problem(400, { errors: [{ field: 'period.year', reason: 'too large' }] }),
    correlationId: 'c',
    ...rest,
  };
}

const violations = (x: Exchange) => checkExchange(x).map((p) => p.violation);

// The oracle is what makes the fuzzer fail: each of its rules is shown to fail here, not only to pass.
describe('fuzz oracle', () => {
  it('should pass a problem+json 400 that names the mutated field', () => {
    expect(violations(exchange())).toEqual([]);
  });

  it('should fail a 5xx, quoting the server error', () => {
    const [p] = checkExchange(
      exchange({ status: 500, body: problem(500), serverError: 'QueryFailedError: boom' }),
    );
    expect(p).toEqual({ violation: '5xx', detail: 'QueryFailedError: boom' });
  });

  it('should fail a 4xx that is not problem+json, or whose status disagrees', () => {
    expect(violations(exchange({ status: 404, contentType: 'application/json', body: '{}' }))).toEqual([
      'not-problem-json',
    ]);
    expect(violations(exchange({ status: 404, body: problem(400) }))).toEqual(['problem-shape']);
  });

  it('should fail a validation error that names no field', () => {
    expect(violations(exchange({ body: problem(400) }))).toEqual(['no-field']);
    expect(violations(exchange({ status: 422, body: problem(422, { errors: [{ reason: 'x' }] }) }))).toEqual([
      'no-field',
    ]);
  });

  it('should fail a validation error that names another field than the mutated one', () => {
    const x = exchange({ body: problem(400, { errors: [{ field: 'answers', reason: 'x' }] }) });
    expect(violations(x)).toEqual(['wrong-field']);
  });

  it('should take a part or the container of the mutated field as naming it', () => {
    const m = (field: string, kind: MutationNote['kind'] = 'null'): MutationNote => ({
      where: 'body',
      field,
      kind,
    });
    expect(fieldNames('period', m('period.year'))).toBe(true);
    expect(fieldNames('pokja.members.0.name', m('pokja.members'))).toBe(true);
    expect(fieldNames('members[0].name', m('members.0.name'))).toBe(true);
    expect(fieldNames('body', m('', 'raw-body'))).toBe(true);
    expect(fieldNames('name', m('launchDate'))).toBe(false);
    // The router refuses a URL that does not decode before it knows which parameter it was.
    expect(fieldNames('path', { where: 'path', field: 'id', kind: 'id' })).toBe(true);
    expect(fieldNames('path', m('id'))).toBe(false);
    // An instrument's or a submission's own rules relate its fields to each other.
    expect(fieldNames('answers.users_iud', m('answers.pus', 'number'))).toBe(true);
    expect(fieldNames('answers.users_iud', m('period.month', 'number'))).toBe(false);
  });

  it('should not blame the mutation for an error about a value taken from the platform meanwhile changed', () => {
    const x = exchange({
      mutations: [{ where: 'body', field: 'answers.pus', kind: 'number' }],
      body: problem(400, { errors: [{ field: 'kampungId', reason: 'the Kampung KB is not active' }] }),
    });
    expect(violations(x)).toEqual(['wrong-field']);
    expect(violations({ ...x, refFields: ['kampungId'] })).toEqual([]);
  });

  it('should fail an error answer that changed row counts, and let a 2xx change them', () => {
    const rows = { before: { submission: 4, import_job: 1 }, after: { submission: 5, import_job: 1 } };
    expect(checkExchange(exchange({ ...rows, status: 409, body: problem(409) }))).toEqual([
      { violation: 'rows-changed-on-error', detail: 'submission 4 → 5' },
    ]);
    expect(violations(exchange({ ...rows, status: 201, body: '{}' }))).toEqual([]);
  });

  it('should file a finding under the kind of its one mutation', () => {
    expect(kindOf([])).toBe('valid');
    expect(kindOf([{ where: 'query', field: 'cursor', kind: 'cursor' }])).toBe('cursor');
    expect(
      kindOf([
        { where: 'query', field: 'cursor', kind: 'cursor' },
        { where: 'path', field: 'id', kind: 'id' },
      ]),
    ).toBe('mixed');
    expect(
      kindOf([
        { where: 'token', field: 'authorization', kind: 'token' },
        { where: 'path', field: 'version', kind: 'number' },
      ]),
    ).toBe('number');
  });

  it('should count a finding once per class and route, keep the smallest example, and report a skipped one without failing', () => {
    const findings = new Findings([
      { name: 'forged cursors (being fixed)', violation: '5xx', kinds: ['cursor'] },
      { name: 'out-of-range numbers (being fixed)', violation: '5xx', detail: /out of range/ },
    ]);
    const base = { route: 'registry GET /api/v1/kampung', field: '', detail: 'd', seen: [], status: 500 };
    expect(
      findings.add({ ...base, violation: '5xx', kind: 'null', example: 'long example', exampleSize: 12 }),
    ).toBe(true);
    expect(findings.add({ ...base, violation: '5xx', kind: 'null', example: 'short', exampleSize: 5 })).toBe(
      false,
    );
    expect(findings.add({ ...base, violation: '5xx', kind: 'cursor', example: 'c', exampleSize: 1 })).toBe(
      false,
    );
    expect(findings.isNew('5xx', 'cursor', base.route, '')).toBe(false);
    expect(
      findings.isNew('5xx', 'id', base.route, '', 'value "2147483648" is out of range for type integer'),
    ).toBe(false);
    expect(findings.isNew('5xx', 'id', base.route, '', 'TypeError')).toBe(true);
    expect(
      findings.isNew('5xx', 'id', base.route, '', 'value "2147483648" is out of range for type integer'),
    ).toBe(false);
    expect(findings.isNew('5xx', 'id', base.route, '', 'TypeError')).toBe(true);
    expect(findings.failing()).toEqual([
      expect.objectContaining({ kind: 'null', count: 2, example: 'short' }),
    ]);
    expect(findings.markdown('t', [])).toContain('(skipped: forged cursors (being fixed))');
  });
});
