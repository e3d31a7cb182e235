import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { INSTRUMENT_CODE } from '@kkb/contracts';
import { ProblemException, type FieldError } from '@kkb/platform';
import { compile } from '@kkb/instrument-rules';
import { checkDefinition, type InstrumentDefinition } from '@kkb/instrument-rules';
import type { Instrument, InstrumentSummary, LoadedInstrument } from './instrument.model';
import { InstrumentRepository } from './instrument.repository';
import type { PublishInstrumentDto } from './publish-instrument.dto';

/**
 * Reading and publishing instruments. A published version never changes, so a version, once
 * read, is kept in memory for good (compiled): validating a submission costs no round trip.
 */
@Injectable()
export class InstrumentService {
  private readonly cache = new Map<string, Promise<LoadedInstrument | null>>();

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly instruments: InstrumentRepository,
  ) {}

  list(): Promise<InstrumentSummary[]> {
    return this.instruments.list(this.ds.manager);
  }

  async latest(code: string): Promise<Instrument> {
    const row = await this.instruments.latest(this.ds.manager, code);
    if (!row) throw ProblemException.notFound(`Instrument ${code}`);
    return row;
  }

  async version(code: string, version: number): Promise<Instrument> {
    const loaded = await this.load(code, version);
    if (!loaded) throw ProblemException.notFound(`Version ${version} of instrument ${code}`);
    return loaded.row;
  }

  /**
   * A published version, compiled, or null when there is none (not cached, so a later publish is
   * seen). `m`: the caller's transaction, so that a write holding a connection never waits for a
   * second one from the pool (with every connection in such a transaction, it would wait forever).
   */
  load(code: string, version: number, m: EntityManager = this.ds.manager): Promise<LoadedInstrument | null> {
    const key = `${code}@${version}`;
    let hit = this.cache.get(key);
    if (!hit) {
      hit = this.instruments
        .find(m, code, version)
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
  async missingVersion(
    code: string,
    version: number,
    m: EntityManager = this.ds.manager,
  ): Promise<FieldError> {
    return (await this.instruments.latest(m, code))
      ? { field: 'instrumentVersion', reason: `instrument ${code} has no published version ${version}` }
      : { field: 'instrumentCode', reason: `there is no instrument ${code}` };
  }

  /** Publishes a new version: a new immutable row; submissions keep pointing at the one they answered. */
  async publish(code: string, dto: PublishInstrumentDto, publishedBy: string): Promise<Instrument> {
    const errors = checkDefinition(dto.definition);
    if (!INSTRUMENT_CODE.test(code) || code.length > 64)
      errors.unshift({ field: 'code', reason: 'instrument codes are lower-case words joined by hyphens' });
    const current = await this.instruments.latest(this.ds.manager, code);
    if (current && dto.kind && dto.kind !== current.kind)
      errors.push({ field: 'kind', reason: `instrument ${code} is a ${current.kind} instrument` });
    const kind = current?.kind ?? dto.kind;
    if (!kind) {
      // Either a new instrument (it needs its kind) or a mistyped code: say both.
      errors.push({ field: 'code', reason: `there is no instrument ${code} yet` });
      errors.push({ field: 'kind', reason: 'a new instrument needs its kind' });
    }
    if (errors.length || !kind) throw ProblemException.validation(errors);
    const published = await this.instruments.publishNext(this.ds.manager, {
      code,
      kind,
      title: dto.title,
      definition: dto.definition as unknown as InstrumentDefinition,
      publishedBy,
    });
    if (!published)
      throw ProblemException.conflict(`another version of ${code} was published at the same time; retry`);
    return published;
  }
}
