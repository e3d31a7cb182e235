import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { JwtService } from '@nestjs/jwt';
import { LOCAL_DEV_JWT_SECRET } from './auth.constants';
import { principalFromClaims } from './principal.util';

const CLI = path.resolve(__dirname, '../../../tools/token.mjs');

function runCli(args: string[], env: Record<string, string> = {}) {
  // The runner's own JWT_* must not leak into what the CLI signs with.
  const inherited = { ...process.env };
  delete inherited.JWT_SECRET;
  delete inherited.JWT_ISSUER;
  delete inherited.JWT_AUDIENCE;
  return spawnSync(process.execPath, [CLI, ...args], { env: { ...inherited, ...env }, encoding: 'utf8' });
}

const verify = (token: string, secret = LOCAL_DEV_JWT_SECRET): Record<string, unknown> =>
  new JwtService().verify(token, { secret, algorithms: ['HS256'], issuer: 'kkb', audience: 'kkb' });

describe('tools/token.mjs', () => {
  it('should print only a token signed with the local development secret', () => {
    const res = runCli([
      '--role',
      'national',
      '--scope',
      '',
      '--sub',
      'officer-1',
      '--name',
      'Budi',
      '--expires',
      '12h',
    ]);
    expect(res.status).toBe(0);
    expect(res.stderr).toBe('');
    expect(res.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const claims = verify(res.stdout.trim());
    expect(principalFromClaims(claims)).toEqual({
      sub: 'officer-1',
      name: 'Budi',
      role: 'national',
      scope: '',
    });
    expect((claims.exp as number) - (claims.iat as number)).toBe(12 * 3600);
  });

  it('should sign with JWT_SECRET and compact a dotted scope', () => {
    const res = runCli(['--role', 'regency', '--scope', '16.10', '--sub', 'r-1'], {
      JWT_SECRET: 'cluster-secret',
    });
    expect(res.status).toBe(0);
    expect(principalFromClaims(verify(res.stdout.trim(), 'cluster-secret'))).toMatchObject({ scope: '1610' });
    expect(() => verify(res.stdout.trim())).toThrow('invalid signature');
  });

  it('should refuse a token the services would reject', () => {
    const res = runCli(['--role', 'regency', '--scope', '16']);
    expect(res.status).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain('role regency requires a 4-digit scope');
  });

  it('should refuse an unknown role', () => {
    const res = runCli(['--role', 'admin']);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain("unknown role 'admin'");
  });
});
