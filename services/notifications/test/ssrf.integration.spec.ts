import { Role, TestRun } from '@kkb/testing';
import { UrlGuard } from '../src/webhook/url-guard';
import { FAST_ENV, startNotifications, tokenFor, type Notifications } from './notifications.fixtures';

/** The service as deployed: WEBHOOK_ALLOW_PRIVATE_NETWORKS off. */
describe(`${UrlGuard.name} in the API`, () => {
  const run = new TestRun();
  let n: Notifications;
  const integrator = tokenFor(Role.integrator, '', 'warehouse');

  beforeAll(async () => {
    n = await startNotifications(run, { ...FAST_ENV, WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false' });
  });
  afterAll(async () => {
    await n?.close();
    await run.cleanup();
  });

  const create = (url: string) =>
    n.svc.request({
      method: 'POST',
      url: '/api/v1/subscriptions',
      payload: { url, eventTypes: ['kkb.>'] },
      token: integrator,
    });

  it.each([
    ['http://127.0.0.1:8080/hook', /127\.0\.0\.1.*loopback, private/],
    ['http://localhost:8080/hook', /resolves to (127\.0\.0\.1|::1)/],
    ['http://[::1]/hook', /::1/],
    ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254/],
    ['http://10.0.0.1/hook', /10\.0\.0\.1/],
    ['http://192.168.1.20/hook', /192\.168\.1\.20/],
    ['http://0.0.0.0/hook', /0\.0\.0\.0/],
    ['http://[::127.0.0.1]/hook', /::7f00:1/],
    ['http://[2002:7f00:1::]/hook', /2002:7f00:1::/],
    ['ftp://files.example/hook', /scheme ftp/],
    ['file:///etc/passwd', /scheme file/],
  ])('should refuse to subscribe %s', async (url, reason) => {
    const res = await create(url);
    expect(res.statusCode).toBe(400);
    const body = res.json() as { errors: { field: string; reason: string }[] };
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0].field).toBe('url');
    expect(body.errors[0].reason).toMatch(reason);
  });

  it('should refuse a private address on update too, and store nothing', async () => {
    const [{ n: before }] = await n.ds.query(`SELECT count(*)::int AS n FROM "${n.schema}".subscription`);
    expect(before).toBe(0);
    // A public address literal passes the check without DNS.
    const ok = await create('https://93.184.216.34/hooks/kkb');
    expect(ok.statusCode).toBe(201);
    const { id } = ok.json() as { id: string };
    const res = await n.svc.request({
      method: 'PATCH',
      url: `/api/v1/subscriptions/${id}`,
      payload: { url: 'http://127.0.0.1/x' },
      token: integrator,
    });
    expect(res.statusCode).toBe(400);
    const [row] = await n.ds.query(`SELECT url FROM "${n.schema}".subscription WHERE id = $1`, [id]);
    expect(row.url).toBe('https://93.184.216.34/hooks/kkb');
  });
});
