import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { SubmissionKind } from '@kkb/contracts';
import { compile, type CompiledInstrument } from './answers.validator';
import type { InstrumentDefinition } from './instrument-definition';
import { Instrument } from './instrument.entity';
import { schemaOf } from '@kkb/persistence';

export interface LoadedInstrument {
  row: Instrument;
  compiled: CompiledInstrument;
}

/**
 * The only access to the instrument table. A published version never changes, so a version,
 * once read, is kept in memory for good: validating a submission costs no round trip.
 */
@Injectable()
export class InstrumentRepository {
  private readonly cache = new Map<string, Promise<LoadedInstrument | null>>();

  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** A published version, or null when there is none (not cached, so a later publish is seen). */
  async version(code: string, version: number): Promise<LoadedInstrument | null> {
    const key = `${code}@${version}`;
    let hit = this.cache.get(key);
    if (!hit) {
      hit = this.ds
        .getRepository(Instrument)
        .findOneBy({ code, version })
        .then((row) => (row ? { row, compiled: compile(row.definition) } : null));
      this.cache.set(key, hit);
      // Only a found version is kept: a miss or an error is asked again next time.
      void hit.then(
        (v) => v ?? this.cache.delete(key),
        () => this.cache.delete(key),
      );
    }
    return hit;
  }

  /**
   * Why `code` at `version` cannot be used, naming the field at fault: the code when no version
   * of it exists at all, else the version.
   */
  async missingVersion(code: string, version: number): Promise<{ field: string; reason: string }> {
    return (await this.latest(code))
      ? { field: 'instrumentVersion', reason: `instrument ${code} has no published version ${version}` }
      : { field: 'instrumentCode', reason: `there is no instrument ${code}` };
  }

  async latest(code: string): Promise<Instrument | null> {
    return this.ds.getRepository(Instrument).findOne({ where: { code }, order: { version: 'DESC' } });
  }

  /** Every version of every instrument, without definitions. */
  async list(): Promise<Omit<Instrument, 'definition'>[]> {
    return this.ds.getRepository(Instrument).find({
      select: { code: true, version: true, kind: true, title: true, publishedAt: true, publishedBy: true },
      order: { code: 'ASC', version: 'ASC' },
    });
  }

  /**
   * Publishes the next version of `code`. Two publishers racing for the same number: the primary
   * key lets one win, and the other gets null (the caller answers 409).
   */
  async publishNext(spec: {
    code: string;
    kind: SubmissionKind;
    title: string;
    definition: InstrumentDefinition;
    publishedBy: string;
  }): Promise<Instrument | null> {
    const s = `${schemaOf(this.ds)}`;
    const rows: Record<string, unknown>[] = await this.ds.query(
      `INSERT INTO ${s}.instrument (code, version, kind, title, definition, published_by)
       SELECT $1, coalesce(max(version), 0) + 1, $2, $3, $4::jsonb, $5 FROM ${s}.instrument WHERE code = $1
       ON CONFLICT (code, version) DO NOTHING
       RETURNING code, version`,
      [spec.code, spec.kind, spec.title, JSON.stringify(spec.definition), spec.publishedBy],
    );
    if (!rows.length) return null;
    return this.ds
      .getRepository(Instrument)
      .findOneByOrFail({ code: spec.code, version: rows[0].version as number });
  }
}
