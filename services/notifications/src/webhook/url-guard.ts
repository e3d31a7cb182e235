import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/** Why a webhook URL or the address it resolves to is refused. */
export class RefusedUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedUrlError';
  }
}

/**
 * IPv6 global unicast (RFC 4291; IANA allocates nothing outside it). Whatever ipaddr.js calls
 * "unicast" outside 2000::/3 (IPv4-compatible ::a.b.c.d in ::/8, for one, or the unallocated
 * 4000::/2) reaches nothing on the internet, so it is not public either.
 */
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');
/** RFC 6052's well-known NAT64 prefix; its local-use sibling 64:ff9b:1::/48 (RFC 8215) is not it. */
const NAT64_WELL_KNOWN = ipaddr.IPv6.parseCIDR('64:ff9b::/96');

/**
 * The IPv4 address an IPv6 address carries in a fixed place, where the network can deliver the
 * packet to that IPv4 host: NAT64 64:ff9b::a.b.c.d, and 6to4 2002:AABB:CCDD::/48 (the 6to4 router
 * at a.b.c.d). IPv4-mapped ::ffff:a.b.c.d is unwrapped by ipaddr.process() before this. Null for
 * any other address, including those that carry one where it cannot be checked, all refused as
 * not public: Teredo 2001::/32 (the client's address is obfuscated), local-use NAT64
 * 64:ff9b:1::/48 (where the IPv4 address sits is the operator's choice), IPv4-compatible
 * ::a.b.c.d (deprecated) and IPv4-translated ::ffff:0:a.b.c.d.
 */
function embeddedIpv4(ip: ipaddr.IPv6): ipaddr.IPv4 | null {
  const v4 = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 255, lo >> 8, lo & 255]);
  if (ip.match(NAT64_WELL_KNOWN)) return v4(ip.parts[6], ip.parts[7]);
  if (ip.range() === '6to4') return v4(ip.parts[1], ip.parts[2]);
  return null;
}

/**
 * Whether an IP address is loopback, private, link-local, multicast or otherwise not public.
 * Public means in ipaddr.js's range "unicast", i.e. in none of the special-purpose ranges it
 * names (private, loopback, linkLocal, carrierGradeNat, reserved, 6to4, teredo, rfc6052, ...),
 * and for IPv6 also inside global unicast 2000::/3. An IPv6 address that embeds an IPv4 address
 * in a checkable place (see embeddedIpv4) is as public as that IPv4 address. Anything that is not
 * an IP address is not public.
 */
export function isPrivateAddress(address: string): boolean {
  // isIP first: ipaddr.js also takes forms such as 0x7f.1 or 2130706433, which no URL host
  // (the WHATWG parser normalises those) or DNS answer produces.
  const family = isIP(address);
  if (!family) return true;
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    // IPv6 goes in as the WHATWG URL parser writes it, all hex: ipaddr.js reads the dotted
    // ::a.b.c.d (how getaddrinfo prints an IPv4-compatible address) as ::ffff:a.b.c.d, another
    // address. A zone (fe80::1%eth0) makes the URL parser throw: not public.
    const canonical = family === 6 ? new URL(`http://[${address}]/`).hostname.slice(1, -1) : address;
    ip = ipaddr.process(canonical); // an IPv4-mapped address comes back as its IPv4 address
  } catch {
    return true;
  }
  if (ip instanceof ipaddr.IPv4) return ip.range() !== 'unicast';
  const v4 = embeddedIpv4(ip);
  if (v4) return v4.range() !== 'unicast';
  return ip.range() !== 'unicast' || !ip.match(GLOBAL_UNICAST_V6);
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
          `${host === bad.address ? 'address' : `host ${host} resolves to`} ${bad.address}, a loopback, private, link-local, multicast or otherwise non-public address`,
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
