import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PokjaMemberView } from './kampung-view';
import { toKampungView, type KampungRow, type KampungView } from './kampung-view';
import { schemaOf } from '@kkb/persistence';

export interface KampungFields {
  name: string;
  launchDate: string;
  description: string | null;
  rw: string | null;
  latitude: number | null;
  longitude: number | null;
  selectionCriteria: string[];
  modelRegency: boolean;
  modelProvince: boolean;
  pokjaSkNumber: string | null;
  pokjaSkDate: string | null;
  pokjaSkIssuer: string | null;
  pokjaTrained: boolean;
  fieldOfficerNip: string | null;
  fieldOfficerName: string | null;
  fieldOfficerContact: string | null;
}

export interface AuditEntry {
  kampungId: string;
  version: number;
  action: 'registered' | 'updated' | 'deactivated' | 'reactivated' | 'merged';
  actor: string;
  actorRole?: string;
  changes: Record<string, { from: unknown; to: unknown }>;
  reason?: string | null;
  correlationId?: string;
}

/** A row of the kampung list. */
export interface KampungListRow {
  id: string;
  village_code: string;
  name: string;
  launch_date: string;
  active: boolean;
  model_regency: boolean;
  model_province: boolean;
  version: number;
}

const VIEW_SQL = (s: string, where: string, lock: boolean) => `
  SELECT k.*, r.name AS village_name, r.kind AS village_kind,
         COALESCE((SELECT json_agg(json_build_object('name', m.name, 'position', m.position, 'seksi', m.seksi) ORDER BY m.ordinal)
                     FROM ${s}.pokja_member m WHERE m.kampung_id = k.id), '[]') AS members
    FROM ${s}.kampung k JOIN ${s}.region r ON r.code = k.village_code
   WHERE ${where}${lock ? ' FOR UPDATE OF k' : ''}`;

/** The only place that reads and writes the kampung tables. */
@Injectable()
export class KampungRepository {
  async find(m: EntityManager, id: string, opts: { lock?: boolean } = {}): Promise<KampungView | null> {
    const rows: KampungRow[] = await m.query(VIEW_SQL(schemaOf(m), 'k.id = $1', opts.lock ?? false), [id]);
    return rows[0] ? toKampungView(rows[0]) : null;
  }

  /** find, for a row this transaction just wrote or locked. */
  async get(m: EntityManager, id: string): Promise<KampungView> {
    const k = await this.find(m, id);
    if (!k) throw new Error(`kampung ${id} vanished inside its own transaction`);
    return k;
  }

  async insert(m: EntityManager, id: string, villageCode: string, f: KampungFields): Promise<void> {
    await m.query(
      `INSERT INTO ${schemaOf(m)}.kampung (id, village_code, name, launch_date, description, rw, latitude, longitude,
         selection_criteria, model_regency, model_province, pokja_sk_number, pokja_sk_date, pokja_sk_issuer, pokja_trained,
         field_officer_nip, field_officer_name, field_officer_contact, active, version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, true, 1)`,
      [id, villageCode, ...this.values(f)],
    );
  }

  /** Writes the fields and bumps the version, only if the row is still at `version`. */
  async update(m: EntityManager, id: string, version: number, f: KampungFields): Promise<boolean> {
    const res = await m.query(
      `UPDATE ${schemaOf(m)}.kampung SET name = $3, launch_date = $4, description = $5, rw = $6, latitude = $7, longitude = $8,
         selection_criteria = $9, model_regency = $10, model_province = $11, pokja_sk_number = $12, pokja_sk_date = $13,
         pokja_sk_issuer = $14, pokja_trained = $15, field_officer_nip = $16, field_officer_name = $17,
         field_officer_contact = $18, version = version + 1, updated_at = now()
       WHERE id = $1 AND version = $2`,
      [id, version, ...this.values(f)],
    );
    return Number(res[1]) === 1;
  }

  async setStatus(
    m: EntityManager,
    id: string,
    version: number,
    status: { active: boolean; reason: string; mergedInto?: string | null },
  ): Promise<boolean> {
    const res = await m.query(
      `UPDATE ${schemaOf(m)}.kampung SET active = $3, status_reason = $4, merged_into = COALESCE($5, merged_into),
         version = version + 1, updated_at = now()
       WHERE id = $1 AND version = $2`,
      [id, version, status.active, status.reason, status.mergedInto ?? null],
    );
    return Number(res[1]) === 1;
  }

  async replaceMembers(m: EntityManager, id: string, members: PokjaMemberView[]): Promise<void> {
    const s = schemaOf(m);
    await m.query(`DELETE FROM ${s}.pokja_member WHERE kampung_id = $1`, [id]);
    if (!members.length) return;
    await m.query(
      `INSERT INTO ${s}.pokja_member (kampung_id, ordinal, name, position, seksi)
       SELECT $1, o, n, p, sk FROM unnest($2::int[], $3::text[], $4::text[], $5::text[]) AS t(o, n, p, sk)`,
      [
        id,
        members.map((_, i) => i + 1),
        members.map((x) => x.name),
        members.map((x) => x.position),
        members.map((x) => x.seksi ?? null),
      ],
    );
  }

  async audit(m: EntityManager, e: AuditEntry): Promise<void> {
    await m.query(
      `INSERT INTO ${schemaOf(m)}.kampung_audit (kampung_id, version, action, actor, actor_role, changes, reason, correlation_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        e.kampungId,
        e.version,
        e.action,
        e.actor,
        e.actorRole ?? null,
        JSON.stringify(e.changes),
        e.reason ?? null,
        e.correlationId ?? null,
      ],
    );
  }

  /** The level, kind and activity of the region with the dotted code (a kampung's village), if any. */
  async region(
    m: EntityManager,
    code: string,
  ): Promise<{ level: number; kind: string; active: boolean } | undefined> {
    const [region]: { level: number; kind: string; active: boolean }[] = await m.query(
      `SELECT level, kind, active FROM ${schemaOf(m)}.region WHERE code = $1`,
      [code],
    );
    return region;
  }

  /**
   * A page of kampung by village code and id: those of villages matching `village` (a code or a
   * LIKE pattern; null: all) and of the given activity (null: both), after the keyset `after`.
   */
  list(
    m: EntityManager,
    village: string | null,
    active: boolean | null,
    after: readonly string[] | null,
    limit: number,
  ): Promise<KampungListRow[]> {
    return m.query(
      `SELECT id, village_code, name, launch_date, active, model_regency, model_province, version FROM ${schemaOf(m)}.kampung
        WHERE ($1::text IS NULL OR village_code LIKE $1) AND ($2::boolean IS NULL OR active = $2)
          AND ($3::text IS NULL OR (village_code, id) > ($3, $4::uuid))
        ORDER BY village_code, id LIMIT $5`,
      [village, active, after?.[0] ?? null, after?.[1] ?? null, limit],
    );
  }

  /** A page of a kampung's audit entries, oldest first, after the entry id `after`. */
  auditPage(
    m: EntityManager,
    id: string,
    after: string | null,
    limit: number,
  ): Promise<Record<string, unknown>[]> {
    return m.query(
      `SELECT id::text, version, action, actor, actor_role, at, changes, reason, correlation_id FROM ${schemaOf(m)}.kampung_audit
        WHERE kampung_id = $1 AND ($2::bigint IS NULL OR id > $2) ORDER BY id LIMIT $3`,
      [id, after, limit],
    );
  }

  private values(f: KampungFields): unknown[] {
    return [
      f.name,
      f.launchDate,
      f.description,
      f.rw,
      f.latitude,
      f.longitude,
      f.selectionCriteria,
      f.modelRegency,
      f.modelProvince,
      f.pokjaSkNumber,
      f.pokjaSkDate,
      f.pokjaSkIssuer,
      f.pokjaTrained,
      f.fieldOfficerNip,
      f.fieldOfficerName,
      f.fieldOfficerContact,
    ];
  }
}
