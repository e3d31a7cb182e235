import { BadRequestException } from '@nestjs/common';
import { isUnavailable, ProblemFilter } from './problem.filter';

describe('ProblemFilter', () => {
  const filter = new ProblemFilter();

  it('should answer 503 when Postgres is away, however the error is wrapped', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const terminated = new Error('Connection terminated unexpectedly');
    const shuttingDown = Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
    });
    const wrapped = Object.assign(new Error('Connection terminated unexpectedly'), {
      name: 'QueryFailedError',
      driverError: terminated,
    });
    const recovering = Object.assign(new Error('query failed'), {
      driverError: { code: '57P03', message: 'the database system is in recovery mode' },
    });
    for (const err of [refused, terminated, shuttingDown, wrapped, recovering]) {
      expect(isUnavailable(err)).toBe(true);
      expect(filter.toProblem(err)).toMatchObject({ status: 503, title: 'Service unavailable' });
    }
  });

  it('should keep 500 for a broken query and 4xx for a bad request', () => {
    const badSql = Object.assign(new Error('column p.id does not exist'), { code: '42703' });
    const unique = Object.assign(new Error('duplicate key'), { driverError: { code: '23505' } });
    expect(isUnavailable(badSql)).toBe(false);
    expect(isUnavailable(unique)).toBe(false);
    expect(filter.toProblem(badSql)).toMatchObject({ status: 500 });
    expect(filter.toProblem(new BadRequestException('no'))).toMatchObject({ status: 400 });
  });

  it('should ask the client to retry after a second on a 503', () => {
    const headers: Record<string, string> = {};
    let status = 0;
    const reply = {
      status: (s: number) => ((status = s), reply),
      header: (k: string, v: string) => ((headers[k] = v), reply),
      send: () => reply,
    };
    const host = {
      switchToHttp: () => ({ getResponse: () => reply, getRequest: () => ({ url: '/api/v1/x' }) }),
    };
    filter.catch(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }), host as never);
    expect(status).toBe(503);
    expect(headers['retry-after']).toBe('1');
    expect(headers['content-type']).toContain('application/problem+json');
  });
});
