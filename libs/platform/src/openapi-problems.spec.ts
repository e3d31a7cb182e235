import { errorStatusesOf, withProblemResponses, type OpenApiDocument } from './openapi-problems';

const doc = (): OpenApiDocument => ({
  openapi: '3.0.0',
  paths: {
    '/api/v1/things': {
      get: { summary: 'List', responses: { '200': { description: 'ok' } } },
      post: {
        summary: 'Create',
        requestBody: { content: {} },
        responses: {
          '201': { description: 'made' },
          '409': { description: 'A thing with that name exists' },
        },
        security: [{ bearer: [] }],
      },
    },
    '/api/v1/things/{id}': {
      patch: {
        summary: 'Change',
        parameters: [
          { in: 'path', name: 'id' },
          { in: 'header', name: 'If-Match' },
        ],
        requestBody: { content: {} },
        responses: { '200': { description: 'ok' } },
      },
    },
  },
});

describe(errorStatusesOf.name, () => {
  it('should derive the error statuses from what an operation takes', () => {
    const d = doc();
    expect(errorStatusesOf('get', d.paths['/api/v1/things'].get)).toEqual([400, 401, 403, 429, 503]);
    expect(errorStatusesOf('post', d.paths['/api/v1/things'].post)).toEqual([
      400, 401, 403, 409, 413, 415, 429, 503,
    ]);
    expect(errorStatusesOf('patch', d.paths['/api/v1/things/{id}'].patch)).toEqual([
      400, 401, 403, 404, 409, 412, 413, 414, 415, 428, 429, 503,
    ]);
  });
});

describe(withProblemResponses.name, () => {
  const out = withProblemResponses(doc());
  const responses = (p: string, m: string) => out.paths[p][m].responses ?? {};

  it('should answer every error as application/problem+json with the Problem schema', () => {
    expect(responses('/api/v1/things', 'get')['401']).toEqual({ $ref: '#/components/responses/Problem401' });
    expect(out.components?.responses?.Problem401).toMatchObject({
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    });
    expect(out.components?.schemas?.Problem).toMatchObject({ required: ['type', 'title', 'status'] });
    expect(out.components?.responses?.Problem429).toMatchObject({ headers: { 'Retry-After': {} } });
  });

  it("should keep an operation's own description of an error and give it the problem body", () => {
    expect(responses('/api/v1/things', 'post')['409']).toEqual({
      description: 'A thing with that name exists',
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    });
  });

  it('should require the bearer token where an operation says nothing, and keep what it says', () => {
    expect(out.paths['/api/v1/things'].get.security).toEqual([{ bearer: [] }]);
    expect(out.paths['/api/v1/things'].post.security).toEqual([{ bearer: [] }]);
  });

  it('should leave its input alone', () => {
    const input = doc();
    withProblemResponses(input);
    expect(input).toEqual(doc());
  });
});
