import type { Expectation, ScopeEntry } from './scope-table';
import {
  insideScope,
  NATIONAL,
  parentsOf,
  REGIONS,
  type Caller,
  type Req,
  type Res,
  type World,
} from './world';

/** One wrong answer: who asked, what, what came back, and what the table says should have. */
export interface Violation {
  caller: string;
  request: string;
  got: string;
  expected: string;
}

export interface ProbeContext {
  world: World;
  entry: ScopeEntry;
  callers: readonly Caller[];
}

/** How the spec exercises one operation; `expect` must be the table's expectation for it. */
export interface Probe {
  expect: Expectation;
  run(ctx: ProbeContext): Promise<Violation[]>;
}

const FOREIGN = [403, 404];

export const describeReq = (req: Req): string => `${req.method} ${req.url}`;
export const describeRes = (res: Res): string => {
  const text = res.text.replace(/\s+/g, ' ');
  return `${res.status} ${text.length > 400 ? `${text.slice(0, 400)}…` : text}`;
};

/** JSON with sorted keys, so two answers compare whatever their key order. */
export function canonical(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object')
      return Object.fromEntries(
        Object.keys(v as Record<string, unknown>)
          .sort()
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      );
    return v;
  };
  return JSON.stringify(sort(value));
}

const parse = (res: Res): unknown => {
  try {
    return res.json();
  } catch {
    return undefined;
  }
};

/** Collects the violations of one operation and counts what was tried, so a probe cannot pass vacuously. */
export class Check {
  readonly violations: Violation[] = [];
  inside = 0;
  outside = 0;

  constructor(readonly ctx: ProbeContext) {}

  allowed(c: Caller): boolean {
    return this.ctx.entry.roles.includes(c.role);
  }

  send(req: Req, as: Caller | null): Promise<Res> {
    return this.ctx.world.call(req, as);
  }

  fail(c: Caller | null, req: Req | string, got: string, expected: string): void {
    this.violations.push({
      caller: c?.key ?? '(no token)',
      request: typeof req === 'string' ? req : describeReq(req),
      got,
      expected,
    });
  }

  /** Whether the status is one of `statuses`; records a violation when not. */
  status(c: Caller | null, req: Req, res: Res, statuses: number[], expected?: string): boolean {
    if (statuses.includes(res.status)) return true;
    this.fail(c, req, describeRes(res), expected ?? `status ${statuses.join(' or ')}`);
    return false;
  }

  /** A caller whose role the route does not let in gets 403, whatever it asks for. */
  roleRefused(c: Caller, req: Req, res: Res): void {
    this.status(c, req, res, [403], `403: role ${c.role} is not among ${this.ctx.entry.roles.join(', ')}`);
  }

  /** The checks that make a probe able to fail: something foreign was asked for, and something reachable. */
  proved(what = 'a resource'): Violation[] {
    if (!this.outside)
      this.fail(
        null,
        this.ctx.entry.operation,
        'no foreign request was made',
        `${what} outside a scope tried`,
      );
    if (!this.inside)
      this.fail(
        null,
        this.ctx.entry.operation,
        'no in-scope request was made',
        `${what} inside a scope reached`,
      );
    return this.violations;
  }
}

export interface Target {
  label: string;
  /** Compact region of the resource; '' for the whole country. */
  region: string;
  /** The one subject that owns it, when it is someone's own. */
  owner?: string;
  /** Text of the resource that an answer to a caller who may not see it must not contain. */
  marker?: string;
}

/**
 * `forbidden-or-not-found` and `own-resource`: one request per caller and target. A caller
 * outside the target's scope (or not its owner) gets 403/404 (own resources: 404) and none of its
 * text; a caller inside gets one of `reachable`, which only a resource past the scope check gives.
 */
export function resourceProbe<T extends Target>(o: {
  expect?: 'forbidden-or-not-found' | 'own-resource';
  targets(w: World): T[];
  request(t: T, c: Caller, check: Check): Req | Promise<Req>;
  reachable: number[];
  reachableBy?(c: Caller, t: T): boolean;
  extra?(check: Check): Promise<void>;
}): Probe {
  const expect = o.expect ?? 'forbidden-or-not-found';
  const own = expect === 'own-resource';
  const reachableBy =
    o.reachableBy ??
    ((c: Caller, t: T) =>
      own ? t.owner === c.sub : insideScope(c, t.region) && (!t.owner || t.owner === c.sub));
  return {
    expect,
    run: async (ctx) => {
      const check = new Check(ctx);
      for (const c of ctx.callers) {
        for (const t of o.targets(ctx.world)) {
          const req = await o.request(t, c, check);
          const res = await check.send(req, c);
          if (!check.allowed(c)) check.roleRefused(c, req, res);
          else if (reachableBy(c, t)) {
            check.inside++;
            check.status(c, req, res, o.reachable, `${o.reachable.join(' or ')}: ${t.label} is the caller's`);
          } else {
            check.outside++;
            const statuses = own ? [404] : FOREIGN;
            const ok = check.status(
              c,
              req,
              res,
              statuses,
              `${statuses.join(' or ')}: ${t.label} (${t.region || 'national'}${t.owner ? `, owner ${t.owner}` : ''}) is not the caller's`,
            );
            if (ok && t.marker && res.text.includes(t.marker))
              check.fail(c, req, describeRes(res), `no trace of ${t.label} in the refusal`);
          }
        }
      }
      await o.extra?.(check);
      return check.proved();
    },
  };
}

export interface Variant {
  label: string;
  params: Record<string, string>;
  /** Refusals accepted instead of a filtered 200 (default 403, 404). */
  refuse?: number[];
}

/**
 * Codes that are not regions but look like the scope's neighbours: a text prefix filter would take
 * them ('16.1' and '161' cover 16.10 and 16.11; '16.100' and '16100' are no code at all).
 */
export function prefixTraps(c: Caller): string[] {
  if (!c.scope) return [];
  const traps = [c.scope.slice(0, -1), c.compact.slice(0, -1), `${c.scope}0`, `${c.compact}0`];
  return [...new Set(traps.filter((t) => t && !t.endsWith('.') && t !== c.scope))];
}

/**
 * Region filter values a caller is tested with: every fixture region outside or above its scope,
 * and the prefix traps (for which 400 is a fine answer too).
 */
export function regionVariants(c: Caller, param: string): Variant[] {
  const codes = REGIONS.map((r) => r.code).filter(
    (code) => !insideScope(c, code) || parentsOf(c.scope).includes(code),
  );
  return [
    ...codes.map((code) => ({ label: `${param}=${code}`, params: { [param]: code } })),
    ...prefixTraps(c).map((code) => ({
      label: `${param}=${code}`,
      params: { [param]: code },
      refuse: [400, ...FOREIGN],
    })),
  ];
}

/**
 * `filtered-list`: the caller's list (and the list under every foreign or parent filter) has no
 * row of a region outside its scope, nor a row owned by someone else; it does have its own rows.
 */
export function listProbe<R>(o: {
  request(c: Caller, params: Record<string, string>, w: World): Req;
  rows(res: Res, w: World): R[];
  /** Compact region of a row ('' nationwide); undefined when the row cannot be placed. */
  regionOf(row: R, w: World): string | undefined;
  ownerOf?(row: R, w: World): string | undefined;
  variants?(c: Caller, w: World): Variant[];
  /** Default: inside the scope. Regions: the scope's ancestors too. */
  visible?(c: Caller, region: string): boolean;
  /** Whether the caller's own list must hold some of its region's rows (default: yes). */
  expectsRows?(c: Caller): boolean;
  /** Whether national's list must hold a row outside each caller's scope (default: yes). */
  foreignProof?: boolean;
}): Probe {
  const visible = o.visible ?? ((c: Caller, region: string) => region === '' || insideScope(c, region));
  return {
    expect: 'filtered-list',
    run: async (ctx) => {
      const check = new Check(ctx);
      const w = ctx.world;
      const rowsOf = (c: Caller, req: Req, res: Res): R[] | undefined => {
        try {
          return o.rows(res, w);
        } catch (err) {
          check.fail(c, req, describeRes(res), `a list (${String(err)})`);
          return undefined;
        }
      };
      /** Checks every row; returns the regions seen. */
      const inspect = (c: Caller, req: Req, res: Res): string[] => {
        const rows = rowsOf(c, req, res) ?? [];
        const regions: string[] = [];
        for (const row of rows) {
          const region = o.regionOf(row, w);
          const owner = o.ownerOf?.(row, w);
          if (region === undefined) {
            check.fail(c, req, JSON.stringify(row).slice(0, 300), 'rows whose region is known');
            continue;
          }
          regions.push(region);
          if (!visible(c, region))
            check.fail(
              c,
              req,
              `a row of ${region}: ${JSON.stringify(row).slice(0, 300)}`,
              `no row outside ${c.scope || 'the nation'}`,
            );
          else if (owner !== undefined && owner !== c.sub)
            check.fail(
              c,
              req,
              `a row of ${owner}: ${JSON.stringify(row).slice(0, 300)}`,
              'no row of another owner',
            );
        }
        return regions;
      };
      const nationalReq = o.request(NATIONAL, {}, w);
      const nationalRes = await check.send(nationalReq, NATIONAL);
      const nationalRows = check.status(NATIONAL, nationalReq, nationalRes, [200])
        ? (rowsOf(NATIONAL, nationalReq, nationalRes) ?? []).map((r) => o.regionOf(r, w))
        : [];
      for (const c of ctx.callers) {
        const req = o.request(c, {}, w);
        const res = await check.send(req, c);
        if (!check.allowed(c)) {
          check.roleRefused(c, req, res);
          continue;
        }
        if (!check.status(c, req, res, [200])) continue;
        const regions = inspect(c, req, res);
        if ((o.expectsRows?.(c) ?? true) && c.scope) {
          check.inside++;
          if (!regions.some((r) => r !== '' && insideScope(c, r)))
            check.fail(c, req, describeRes(res), `rows of ${c.scope} (the fixture must be reachable)`);
        }
        if (!c.scope) continue;
        if (o.foreignProof ?? true) {
          check.outside++;
          if (!nationalRows.some((r) => r !== undefined && !visible(c, r)))
            check.fail(NATIONAL, nationalReq, describeRes(nationalRes), `a row outside ${c.scope} to leak`);
        }
        for (const v of o.variants?.(c, w) ?? []) {
          const vreq = o.request(c, v.params, w);
          const vres = await check.send(vreq, c);
          check.outside++;
          const refuse = v.refuse ?? FOREIGN;
          if (vres.status === 200) inspect(c, vreq, vres);
          else
            check.status(
              c,
              vreq,
              vres,
              refuse,
              `${refuse.join('/')}, or 200 without rows outside ${c.scope}`,
            );
        }
      }
      return check.proved('a row');
    },
  };
}

/** Top-level fields that name the region asked about rather than count anything. */
const NAMING = ['code', 'name', 'level', 'region', 'regionLevel'];
const counts = (v: unknown): string =>
  canonical(
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).filter(([k]) => !NAMING.includes(k)))
      : v,
  );

/**
 * `filtered-aggregate`: the caller's figures equal the national officer's figures for the caller's
 * scope (and for each region inside it); a region outside is 403/404; a parent region is 403/404
 * or the scope's own figures.
 */
export function aggregateProbe(o: {
  request(region: string | undefined, variant: string, w: World): Req;
  variants?: string[];
}): Probe {
  return {
    expect: 'filtered-aggregate',
    run: async (ctx) => {
      const check = new Check(ctx);
      const w = ctx.world;
      const variants = o.variants ?? [''];
      const national = async (region: string | undefined, v: string) => {
        const req = o.request(region, v, w);
        const res = await check.send(req, NATIONAL);
        return check.status(NATIONAL, req, res, [200]) ? res : undefined;
      };
      for (const c of ctx.callers) {
        for (const v of variants) {
          const req = o.request(undefined, v, w);
          const res = await check.send(req, c);
          if (!check.allowed(c)) {
            check.roleRefused(c, req, res);
            continue;
          }
          if (!check.status(c, req, res, [200]) || !c.scope) continue;
          const truth = await national(c.scope, v);
          if (!truth) continue;
          if (canonical(parse(res)) !== canonical(parse(truth)))
            check.fail(c, req, describeRes(res), `national's answer for ${c.scope}: ${describeRes(truth)}`);
          const wider = await national(parentsOf(c.scope).at(-1), v);
          check.outside++;
          if (wider && counts(parse(wider)) === counts(parse(truth)))
            check.fail(
              NATIONAL,
              o.request(parentsOf(c.scope).at(-1), v, w),
              describeRes(wider),
              `figures beyond ${c.scope} to leak`,
            );
          for (const r of REGIONS) {
            const rreq = o.request(r.code, v, w);
            if (parentsOf(c.scope).includes(r.code)) {
              const rres = await check.send(rreq, c);
              check.outside++;
              if (rres.status === 200) {
                if (counts(parse(rres)) !== counts(parse(truth)))
                  check.fail(
                    c,
                    rreq,
                    describeRes(rres),
                    `403/404, or the figures of ${c.scope}: ${describeRes(truth)}`,
                  );
              } else check.status(c, rreq, rres, FOREIGN, `403/404, or the figures of ${c.scope}`);
            } else if (!insideScope(c, r.code)) {
              const rres = await check.send(rreq, c);
              check.outside++;
              check.status(c, rreq, rres, FOREIGN, `403/404: ${r.code} is outside ${c.scope}`);
            } else {
              const rres = await check.send(rreq, c);
              const rtruth = await national(r.code, v);
              check.inside++;
              if (rtruth && (rres.status !== 200 || canonical(parse(rres)) !== canonical(parse(rtruth))))
                check.fail(
                  c,
                  rreq,
                  describeRes(rres),
                  `national's answer for ${r.code}: ${describeRes(rtruth)}`,
                );
            }
          }
          for (const trap of prefixTraps(c)) {
            const treq = o.request(trap, v, w);
            const tres = await check.send(treq, c);
            check.outside++;
            if (tres.status !== 200)
              check.status(c, treq, tres, [400, ...FOREIGN], `400/403/404, or the figures of ${c.scope}`);
            else if (counts(parse(tres)) !== counts(parse(truth)))
              check.fail(
                c,
                treq,
                describeRes(tres),
                `400/403/404, or the figures of ${c.scope}: ${describeRes(truth)}`,
              );
          }
        }
      }
      return check.proved('a region');
    },
  };
}

/** `national-only`: every other role gets 403; national gets `reachable` (unless it must not call). */
export function nationalOnlyProbe(o: {
  request(w: World): Req;
  reachable: number[];
  /** Why national is not called (the call would do real harm); the 403s are still checked. */
  skipNational?: string;
}): Probe {
  return {
    expect: 'national-only',
    run: async (ctx) => {
      const check = new Check(ctx);
      const req = o.request(ctx.world);
      for (const c of ctx.callers) {
        if (c.role === NATIONAL.role) {
          if (o.skipNational) continue;
          check.inside++;
          check.status(c, req, await check.send(req, c), o.reachable);
        } else {
          check.outside++;
          check.status(c, req, await check.send(req, c), [403], '403: national only');
        }
      }
      if (o.skipNational) check.inside++;
      return check.proved();
    },
  };
}

/** `reference`: every allowed caller gets 200 and the very answer national gets. */
export function referenceProbe(o: { request(w: World): Req }): Probe {
  return {
    expect: 'reference',
    run: async (ctx) => {
      const check = new Check(ctx);
      const req = o.request(ctx.world);
      const truth = await check.send(req, NATIONAL);
      if (!check.status(NATIONAL, req, truth, [200])) return check.violations;
      for (const c of ctx.callers) {
        const res = await check.send(req, c);
        if (!check.allowed(c)) check.roleRefused(c, req, res);
        else if (check.status(c, req, res, [200]) && res.text !== truth.text)
          check.fail(c, req, describeRes(res), `national's answer: ${describeRes(truth)}`);
      }
      return check.violations;
    },
  };
}

/** `public`: answered without a token, with nothing of any kampung in it. */
export function publicProbe(o: { request(w: World): Req }): Probe {
  return {
    expect: 'public',
    run: async (ctx) => {
      const check = new Check(ctx);
      const req = o.request(ctx.world);
      const res = await check.send(req, null);
      if (check.status(null, req, res, [200]))
        for (const p of ctx.world.places)
          if (res.text.includes(p.kampungName) || res.text.includes(p.village))
            check.fail(null, req, describeRes(res), `nothing of ${p.village}`);
      return check.violations;
    },
  };
}

/** Anything else: the probe checks by itself, still under the table's expectation. */
export function customProbe(expect: Expectation, run: (check: Check) => Promise<void>): Probe {
  return {
    expect,
    run: async (ctx) => {
      const check = new Check(ctx);
      await run(check);
      return check.proved();
    },
  };
}

export const qs = (params: Record<string, string | undefined>): string => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
};
