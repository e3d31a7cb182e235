import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isPrivateAddress, RefusedUrlError, UrlGuard } from './url-guard';
import { WebhookSender } from './webhook-sender';

describe(UrlGuard.name, () => {
  it.each([
    '127.0.0.1',
    '127.8.9.10',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '0.0.0.0',
    '100.64.0.1',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:a9fe:a9fe',
    '64:ff9b::10.0.0.1',
  ])('should count %s as not public', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each(['8.8.8.8', '172.32.0.1', '192.169.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8'])(
    'should count %s as public',
    (address) => {
      expect(isPrivateAddress(address)).toBe(false);
    },
  );

  // IPv6 forms that reach an IPv4 host (or another network) through a translator, a tunnel or a
  // range that is not global unicast; each of these passed the hand-written ranges before ipaddr.js.
  it.each([
    ['::127.0.0.1', 'IPv4-compatible (deprecated), loopback'],
    ['::7f00:1', 'IPv4-compatible, loopback, in hex'],
    ['::a9fe:a9fe', 'IPv4-compatible, cloud metadata'],
    ['::8.8.8.8', 'IPv4-compatible as getaddrinfo prints it, even of a public address'],
    ['::ffff:0:7f00:1', 'IPv4-translated (RFC 6145), loopback'],
    ['2002:7f00:1::', '6to4 of 127.0.0.1'],
    ['2002:a00:1::1', '6to4 of 10.0.0.1'],
    ['2002:a9fe:a9fe::', '6to4 of 169.254.169.254'],
    ['2002:c0a8:101:1::1', '6to4 of 192.168.1.1'],
    ['64:ff9b:1::a00:1', 'local-use NAT64 (RFC 8215)'],
    ['64:ff9b:1:7f00:1::', 'local-use NAT64, IPv4 at /48'],
    ['2001::1', 'Teredo'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo'],
    ['100::1', 'discard-only (RFC 6666)'],
    ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation (RFC 9637)'],
    ['fec0::1', 'site-local (deprecated)'],
    ['5f00::1', 'segment routing (RFC 9602)'],
    ['4000::1', 'outside global unicast 2000::/3'],
    ['192.0.2.1', 'documentation (TEST-NET-1)'],
    ['198.51.100.7', 'documentation (TEST-NET-2)'],
    ['203.0.113.9', 'documentation (TEST-NET-3)'],
    ['192.88.99.1', '6to4 relay anycast (deprecated)'],
    ['fe80::1%eth0', 'link-local with a zone'],
    ['localhost', 'not an IP address'],
  ])('should count %s (%s) as not public', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each([
    ['93.184.216.34', 'public IPv4'],
    ['2606:2800:220:1:248:1893:25c8:1946', 'public IPv6'],
    ['2002:5db8:d822::1', '6to4 of the public 93.184.216.34'],
    ['64:ff9b::8.8.8.8', 'NAT64 well-known prefix of the public 8.8.8.8'],
    ['::ffff:5db8:d822', 'IPv4-mapped public, in hex'],
  ])('should count %s (%s) as public', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });

  const guard = (allowPrivateNetworks = false, hosts: Record<string, string[]> = {}) =>
    new UrlGuard({ allowPrivateNetworks }, async (host) => {
      const list = hosts[host];
      if (!list) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
      return list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    });

  it.each([
    ['ftp://example.org/x', /scheme ftp/],
    ['file:///etc/passwd', /scheme file/],
    ['javascript:alert(1)', /scheme javascript/],
    ['not a url', /not a valid/],
    ['https://user:pw@public.example/', /credentials/],
    ['http://127.0.0.1:8080/hook', /127\.0\.0\.1/],
    ['http://[::1]/hook', /::1/],
    ['http://169.254.169.254/latest/meta-data', /169\.254\.169\.254/],
    ['http://10.0.0.7/', /10\.0\.0\.7/],
    ['http://internal.example/', /resolves to 192\.168\.0\.5/],
    ['http://mixed.example/', /resolves to 10\.9\.9\.9/],
    ['http://nowhere.example/', /does not resolve/],
    ['http://[::127.0.0.1]/hook', /address ::7f00:1, a loopback/],
    ['http://[2002:7f00:1::]:8080/hook', /2002:7f00:1::/],
    ['http://[64:ff9b:1::a9fe:a9fe]/latest/meta-data', /64:ff9b:1::a9fe:a9fe/],
    ['http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/', /2001:0:4136:e378:8000:63bf:3fff:fdd2/],
    ['http://tunnel.example/', /resolves to 2002:a9fe:a9fe::1/],
  ])('should refuse %s', async (url, reason) => {
    await expect(
      guard(false, {
        'public.example': ['93.184.216.34'],
        'internal.example': ['192.168.0.5'],
        'mixed.example': ['93.184.216.34', '10.9.9.9'],
        'tunnel.example': ['2606:2800:220:1:248:1893:25c8:1946', '2002:a9fe:a9fe::1'],
      }).check(url),
    ).rejects.toThrow(reason);
  });

  it('should accept a public https URL, and a private one only when private networks are allowed', async () => {
    const hosts = {
      'public.example': ['93.184.216.34'],
      'public6.example': ['2606:2800:220:1:248:1893:25c8:1946', '93.184.216.34'],
      'internal.example': ['192.168.0.5'],
    };
    await expect(guard(false, hosts).check('https://public.example/hooks')).resolves.toBeInstanceOf(URL);
    await expect(guard(false, hosts).check('https://public6.example/hooks')).resolves.toBeInstanceOf(URL);
    await expect(
      guard(false, hosts).check('https://[2606:2800:220:1:248:1893:25c8:1946]/hooks'),
    ).resolves.toBeInstanceOf(URL);
    await expect(guard(true, hosts).check('http://internal.example/hooks')).resolves.toBeInstanceOf(URL);
    await expect(guard(true, hosts).check('http://127.0.0.1:9/hooks')).resolves.toBeInstanceOf(URL);
  });

  describe('at delivery time', () => {
    let server: http.Server;
    let port = 0;
    let hits = 0;
    beforeAll(async () => {
      server = http.createServer((_req, res) => {
        hits++;
        res.end('ok');
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    });

    it('should refuse to connect when a host that passed the check now resolves to a private address (DNS rebinding)', async () => {
      let answer = '93.184.216.34';
      const rebinding = new UrlGuard({ allowPrivateNetworks: false }, async () => [
        { address: answer, family: 4 },
      ]);
      await expect(rebinding.check(`http://rebind.example:${port}/hook`)).resolves.toBeInstanceOf(URL);
      answer = '127.0.0.1'; // the attacker's DNS now points at the loopback
      const sender = new WebhookSender(rebinding);
      try {
        const r = await sender.send(`http://rebind.example:${port}/hook`, {}, '{}', 2000);
        expect(r).toMatchObject({ status: null, refused: true });
        expect(r.error).toMatch(/127\.0\.0\.1/);
        expect(hits).toBe(0);
      } finally {
        sender.close();
      }
    });

    it('should refuse a literal private address without connecting, and reach it when allowed', async () => {
      const refusing = new WebhookSender(new UrlGuard({ allowPrivateNetworks: false }));
      const allowing = new WebhookSender(new UrlGuard({ allowPrivateNetworks: true }));
      try {
        expect(await refusing.send(`http://127.0.0.1:${port}/hook`, {}, '{}', 2000)).toMatchObject({
          status: null,
          refused: true,
        });
        expect(hits).toBe(0);
        expect(await allowing.send(`http://127.0.0.1:${port}/hook`, {}, '{}', 2000)).toMatchObject({
          status: 200,
          error: null,
          refused: false,
        });
        expect(hits).toBe(1);
      } finally {
        refusing.close();
        allowing.close();
      }
    });

    it('should connect to the checked address of a host name', async () => {
      const named = new WebhookSender(
        new UrlGuard({ allowPrivateNetworks: true }, async () => [{ address: '127.0.0.1', family: 4 }]),
      );
      try {
        expect((await named.send(`http://receiver.example:${port}/hook`, {}, '{}', 2000)).status).toBe(200);
      } finally {
        named.close();
      }
    });
  });

  it('should say why in a RefusedUrlError', async () => {
    await expect(guard().check('gopher://x')).rejects.toBeInstanceOf(RefusedUrlError);
  });
});
