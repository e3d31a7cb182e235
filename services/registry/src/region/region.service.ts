import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { scopePrefix, type Principal } from '@kkb/auth';
import { decodeCursor, ProblemException, toPage, type Page } from '@kkb/platform';
import { ancestorsOf, LEVELS, requireRegionCode, searchForm, type ParsedCode } from './region-code';
import { toRegionView, type RegionView } from './region-view';
import { RegionRepository } from './region.repository';
import type { ChildrenQuery, SearchRegionsQuery } from './search-regions.query';

/** LIKE pattern text with its wildcards escaped. */
function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Dotted prefix pattern for "this code and everything under it". */
export function underPattern(dotted: string): string {
  return `${likeEscape(dotted)}.%`;
}

@Injectable()
export class RegionService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repository: RegionRepository,
  ) {}

  /** A region is visible inside the caller's scope, and so are the scope's own ancestors. */
  assertVisible(user: Principal, code: ParsedCode): void {
    const scope = scopePrefix(user);
    if (!scope || code.compact.startsWith(scope) || scope.startsWith(code.compact)) return;
    throw new ProblemException(
      403,
      'out-of-scope',
      'Forbidden',
      `region ${code.dotted} is outside your scope ${scope}`,
    );
  }

  async find(code: string): Promise<RegionView | null> {
    const p = requireRegionCode(code);
    const row = await this.repository.find(this.ds.manager, p.dotted);
    return row ? toRegionView(row) : null;
  }

  async get(code: string, user: Principal): Promise<RegionView> {
    const p = requireRegionCode(code);
    this.assertVisible(user, p);
    const r = await this.find(p.dotted);
    if (!r) throw ProblemException.notFound(`Region ${p.dotted}`);
    return r;
  }

  async children(code: string, q: ChildrenQuery, user: Principal): Promise<Page<RegionView>> {
    const parent = await this.get(code, user);
    const after = decodeCursor(q.cursor, ['text']);
    const rows = await this.repository.children(
      this.ds.manager,
      parent.code,
      after?.[0] ?? null,
      q.active ?? true,
      q.limit + 1,
    );
    const scope = scopePrefix(user);
    const page = toPage(rows.map(toRegionView), q.limit, (r) => [r.code]);
    // A regency officer listing its province's children sees only its own regency.
    if (scope)
      page.items = page.items.filter(
        (r) => r.compactCode.startsWith(scope) || scope.startsWith(r.compactCode),
      );
    return page;
  }

  async ancestors(code: string, user: Principal): Promise<Page<RegionView>> {
    const r = await this.get(code, user);
    const codes = ancestorsOf(r.code);
    const rows = codes.length ? await this.repository.byCodes(this.ds.manager, codes) : [];
    return { items: rows.map(toRegionView), nextCursor: null };
  }

  async search(q: SearchRegionsQuery, user: Principal): Promise<Page<RegionView>> {
    const scope = scopePrefix(user);
    let within: ParsedCode | null = q.within ? requireRegionCode(q.within, 'within') : null;
    if (scope) {
      if (within && !within.compact.startsWith(scope)) {
        if (!scope.startsWith(within.compact)) {
          throw new ProblemException(
            403,
            'out-of-scope',
            'Forbidden',
            `region ${within.dotted} is outside your scope ${scope}`,
          );
        }
        within = null;
      }
      within ??= requireRegionCode(scope, 'within');
    }
    const term = q.q === undefined ? null : searchForm(q.q);
    if (q.q !== undefined && !term) {
      throw ProblemException.validation([{ field: 'q', reason: 'q must contain a letter or a digit' }]);
    }
    const byName = term !== null;
    const after = decodeCursor(q.cursor, byName ? (['text', 'text'] as const) : (['text'] as const));
    const rows = await this.repository.search(this.ds.manager, {
      within: within ? { code: within.dotted, under: underPattern(within.dotted) } : null,
      name: term ? (q.match === 'prefix' ? `${likeEscape(term)}%` : `%${likeEscape(term)}%`) : null,
      level: q.level ? LEVELS.indexOf(q.level) + 1 : null,
      active: q.active ?? true,
      after,
      limit: q.limit + 1,
    });
    const page = toPage(rows, q.limit, (r) => (byName ? [r.search_name, r.code] : [r.code]));
    return { items: page.items.map(toRegionView), nextCursor: page.nextCursor };
  }
}
