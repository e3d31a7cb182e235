import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { scopePrefix, type Principal } from '@kkb/auth';
import { decodeCursor, ProblemException, toPage, type Page } from '@kkb/platform';
import { requireRegionCode } from '../region/region-code';
import { underPattern } from '../region/region.service';
import type { ListKampungQuery } from './list-kampung.query';
import type { PageQuery } from '@kkb/platform';
import { KampungRepository } from './kampung.repository';

export interface KampungSummary {
  id: string;
  villageCode: string;
  name: string;
  launchDate: string;
  active: boolean;
  modelRegency: boolean;
  modelProvince: boolean;
  version: number;
}

export interface AuditView {
  version: number;
  action: string;
  actor: string;
  actorRole: string | null;
  at: string;
  changes: Record<string, { from: unknown; to: unknown }>;
  reason: string | null;
  correlationId: string | null;
}

/** Read side of the register: lists and history, always within the caller's scope. */
@Injectable()
export class KampungQueryService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: KampungRepository,
  ) {}

  async list(q: ListKampungQuery, user: Principal): Promise<Page<KampungSummary>> {
    const scope = scopePrefix(user);
    let region = q.region ? requireRegionCode(q.region, 'region') : null;
    if (scope && (!region || !region.compact.startsWith(scope))) {
      if (region && !scope.startsWith(region.compact)) {
        throw new ProblemException(
          403,
          'out-of-scope',
          'Forbidden',
          `region ${region.dotted} is outside your scope ${scope}`,
        );
      }
      region = requireRegionCode(scope, 'region');
    }
    const after = decodeCursor(q.cursor, ['text', 'uuid']);
    const rows = await this.repo.list(
      this.ds.manager,
      region ? (region.level === 'village' ? region.dotted : underPattern(region.dotted)) : null,
      q.active ?? null,
      after,
      q.limit + 1,
    );
    const items: KampungSummary[] = rows.map((r) => ({
      id: r.id,
      villageCode: r.village_code,
      name: r.name,
      launchDate: r.launch_date,
      active: r.active,
      modelRegency: r.model_regency,
      modelProvince: r.model_province,
      version: r.version,
    }));
    return toPage(items, q.limit, (k) => [k.villageCode, k.id]);
  }

  async history(id: string, q: PageQuery): Promise<Page<AuditView & { id: string }>> {
    const after = decodeCursor(q.cursor, ['seq']);
    const rows = await this.repo.auditPage(this.ds.manager, id, after?.[0] ?? null, q.limit + 1);
    const items = rows.map((r) => ({
      id: r.id as string,
      version: r.version as number,
      action: r.action as string,
      actor: r.actor as string,
      actorRole: r.actor_role as string | null,
      at: new Date(r.at as string).toISOString(),
      changes: r.changes as AuditView['changes'],
      reason: r.reason as string | null,
      correlationId: r.correlation_id as string | null,
    }));
    return toPage(items, q.limit, (a) => [a.id]);
  }
}
