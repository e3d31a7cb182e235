import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** Why a webhook URL or the address it resolves to is refused. */
export class RefusedUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedUrlError';
  }
}

const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], // "this network", incl. 0.0.0.0
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  blocked.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  blocked.addSubnet(net, bits, 'ipv6');
}

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or NAT64 (64:ff9b::a.b.c.d) IPv6 address. */
function embeddedIpv4(address: string): string | null {
  const m = /^(?:::ffff:|64:ff9b::)(?:0:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (m) return m[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return null;
  const hi = parseInt(hex[1], 16);
  const lo = parseInt(hex[2], 16);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

/** Whether an IP address is loopback, private, link-local, multicast or otherwise not public. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family === 6) {
    const v4 = embeddedIpv4(address.toLowerCase());
    if (v4) return blocked.check(v4, 'ipv4');
    return blocked.check(address, 'ipv6');
  }
  return true;
}

export interface UrlPolicy {
  allowPrivateNetworks: boolean;
}

type Resolve = (host: string) => Promise<LookupAddress[]>;

const resolveAll: Resolve = (host) =>
  new Promise((resolve, reject) =>
    dnsLookup(host, { all: true, verbatim: true }, (err, addresses) =>
      err ? reject(err) : resolve(addresses),
    ),
  );

/**
 * Defends webhook URLs against SSRF: only http(s), no credentials in the URL, and no host that
 * resolves to a loopback, private, link-local or multicast address unless the policy allows
 * private networks. Checked when a URL is saved, and again on every connection through
 * `lookup` (the address checked is the address connected to, so DNS rebinding cannot slip a
 * private address in between).
 */
export class UrlGuard {
  constructor(
    private readonly policy: UrlPolicy,
    private readonly resolve: Resolve = resolveAll,
  ) {}

  /** Parses and checks a URL: scheme, credentials, and (resolving the host) its addresses. */
  async check(raw: string): Promise<URL> {
    const url = this.parse(raw);
    await this.addressesOf(url.hostname);
    return url;
  }

  /** Syntax and scheme only (no DNS): what can be told without the network. */
  parse(raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new RefusedUrlError('url is not a valid absolute URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new RefusedUrlError(
        `url scheme ${url.protocol.replace(/:$/, '')} is not allowed (http or https only)`,
      );
    }
    if (url.username || url.password) throw new RefusedUrlError('url must not carry credentials');
    if (!url.hostname) throw new RefusedUrlError('url has no host');
    return url;
  }

  /** The host's addresses, each checked; throws RefusedUrlError when one is not allowed. */
  async addressesOf(hostname: string): Promise<LookupAddress[]> {
    const host = hostname.replace(/^\[|\]$/g, '');
    const family = isIP(host);
    let addresses: LookupAddress[];
    if (family) {
      addresses = [{ address: host, family }];
    } else {
      try {
        addresses = await this.resolve(host);
      } catch (err) {
        throw new RefusedUrlError(
          `host ${host} does not resolve (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
        );
      }
      if (!addresses.length) throw new RefusedUrlError(`host ${host} does not resolve`);
    }
    if (!this.policy.allowPrivateNetworks) {
      const bad = addresses.find((a) => isPrivateAddress(a.address));
      if (bad) {
        throw new RefusedUrlError(
          `${host === bad.address ? 'address' : `host ${host} resolves to`} ${bad.address}, a loopback, private, link-local or multicast address`,
        );
      }
    }
    return addresses;
  }

  /** A `lookup` for http.request: resolves, checks, and hands back only a checked address. */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    this.addressesOf(hostname).then(
      (addresses) => {
        const wanted = options.family === 4 || options.family === 6 ? options.family : 0;
        const usable = wanted ? addresses.filter((a) => a.family === wanted) : addresses;
        if (!usable.length) {
          callback(
            Object.assign(new Error(`no IPv${wanted} address for ${hostname}`), { code: 'ENOTFOUND' }),
            '',
            0,
          );
          return;
        }
        if (options.all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable);
        else callback(null, usable[0].address, usable[0].family);
      },
      (err: Error) => callback(Object.assign(err, { code: 'EREFUSED_ADDRESS' }), '', 0),
    );
  };
}
