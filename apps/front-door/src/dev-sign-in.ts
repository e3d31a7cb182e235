import type { FastifyInstance } from 'fastify';
import type { FieldError } from '@kkb/platform';
import { mintToken, principalFromClaims, type Role } from '@kkb/auth';
import type { FrontDoorConfig } from './front-door.config';
import { sendProblem } from './problem';

/** The local identities the development sign-in page offers: one per role and region in the demo. */
export const DEV_IDENTITIES: { role: Role; scope: string; name: string; label: string }[] = [
  { role: 'national' as Role, scope: '', name: 'Dewi Lestari', label: 'Indonesia' },
  { role: 'province' as Role, scope: '16', name: 'Rudi Hartono', label: 'Sumatera Selatan' },
  { role: 'province' as Role, scope: '32', name: 'Asep Saepudin', label: 'Jawa Barat' },
  { role: 'regency' as Role, scope: '16.10', name: 'Nurhayati', label: 'Ogan Ilir' },
  { role: 'regency' as Role, scope: '16.71', name: 'Fajar Pratama', label: 'Kota Palembang' },
  { role: 'verifier' as Role, scope: '16', name: 'Sri Wahyuni', label: 'Sumatera Selatan' },
  { role: 'verifier' as Role, scope: '16.10', name: 'Agus Salim', label: 'Ogan Ilir' },
  {
    role: 'field_officer' as Role,
    scope: '16.10.05.2041',
    name: 'Hendra Wijaya',
    label: 'Desa Sembadak, Pemulutan, Ogan Ilir',
  },
];

const TOKEN_LIFETIME_S = 12 * 3600;

/**
 * `GET /dev/identities` and `POST /dev/token`: the sign-in page of a laptop or a test run without
 * an OpenID Provider. In production mode, or when OIDC_ISSUER is set (the console then signs in
 * through the provider), both answer 404, as if they did not exist.
 */
export function registerDevSignIn(app: FastifyInstance, config: FrontDoorConfig): void {
  const secret = config.mode === 'development' ? config.jwt.secret : undefined;
  const refused = (reply: Parameters<typeof sendProblem>[0]) =>
    sendProblem(
      reply,
      404,
      'Not Found',
      'the development sign-in exists only in development mode without an OpenID Provider',
    );

  app.get('/dev/identities', async (_req, reply) => {
    if (!secret) return refused(reply);
    return reply.send({ mode: config.mode, identities: DEV_IDENTITIES });
  });

  app.post('/dev/token', async (req, reply) => {
    if (!secret) return refused(reply);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const errors: FieldError[] = [];
    const { role, scope, name } = body;
    if (typeof role !== 'string') errors.push({ field: 'role', reason: 'role must be a string' });
    if (typeof scope !== 'string') errors.push({ field: 'scope', reason: 'scope must be a string' });
    if (name !== undefined && (typeof name !== 'string' || name.length > 200))
      errors.push({ field: 'name', reason: 'name must be a string of at most 200 characters' });
    if (errors.length)
      return sendProblem(reply, 400, 'Bad Request', 'the sign-in request is invalid', errors);
    let principal;
    try {
      principal = principalFromClaims({ sub: 'dev', role, scope, name });
    } catch (err) {
      return sendProblem(reply, 400, 'Bad Request', (err as Error).message, [
        { field: 'scope', reason: (err as Error).message },
      ]);
    }
    const sub = `dev-${principal.role}${principal.scope ? `-${principal.scope}` : ''}`;
    const token = mintToken({
      role: principal.role,
      scope: principal.scope,
      sub,
      name: principal.name,
      expiresIn: TOKEN_LIFETIME_S,
      secret,
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
    });
    const expiresAt = new Date(Date.now() + TOKEN_LIFETIME_S * 1000).toISOString();
    return reply.send({ token, expiresAt, principal: { ...principal, sub } });
  });
}
