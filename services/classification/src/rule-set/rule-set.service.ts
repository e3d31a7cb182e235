import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { PerTransaction } from '@kkb/persistence';
import { ProblemException } from '@kkb/platform';
import type { RuleSetDefinition } from './rule-set.definition';
import { RuleSetRepository, type RuleSetRow } from './rule-set.repository';
import { validateRuleSet } from './rule-set.validator';

/** A published rule set, ready to evaluate with. */
export interface LoadedRuleSet {
  version: number;
  definition: RuleSetDefinition;
}

/** Rule sets: drafts, published versions (cached: they never change) and the version in force. */
@Injectable()
export class RuleSetService {
  private readonly published = new Map<number, LoadedRuleSet>();
  /** The version in force as one transaction read it: a consumer batch reads it once. */
  private readonly currentOfTransaction = new PerTransaction<LoadedRuleSet>();

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: RuleSetRepository,
  ) {}

  list() {
    return this.repo.list(this.ds.manager);
  }

  async get(version: number, m: EntityManager = this.ds.manager): Promise<RuleSetRow> {
    const row = await this.repo.find(m, version);
    if (!row) throw ProblemException.notFound(`Rule set version ${version}`);
    return row;
  }

  /** A published version, from the cache when it was loaded before. */
  async load(m: EntityManager, version: number): Promise<LoadedRuleSet> {
    const cached = this.published.get(version);
    if (cached) return cached;
    const row = await this.repo.find(m, version);
    if (!row || row.status !== 'published') throw new Error(`rule set ${version} is not published`);
    const loaded = { version, definition: row.definition };
    this.published.set(version, loaded);
    return loaded;
  }

  /**
   * The version in force (the highest published), read from the database so that every replica
   * sees a publish at once; once per transaction (the events of a consumer batch share one), as
   * if they had all been evaluated at its first.
   */
  current(m: EntityManager): Promise<LoadedRuleSet> {
    return this.currentOfTransaction.get(m, (tm) => this.readCurrent(tm));
  }

  private async readCurrent(m: EntityManager): Promise<LoadedRuleSet> {
    const cur = await this.repo.current(m);
    if (!cur) throw new Error('no published rule set');
    return this.load(m, cur.version);
  }

  async createDraft(name: string, definition: unknown, by: string): Promise<RuleSetRow> {
    const problems = validateRuleSet(definition);
    if (problems.length)
      throw ProblemException.validation(
        problems.map((p) => ({ field: `definition.${p.field}`, reason: p.reason })),
        'The rule set is not valid.',
      );
    return this.ds.transaction(async (m) => {
      const version = await this.repo.insertDraft(m, name, definition as RuleSetDefinition, by);
      return this.get(version, m);
    });
  }
}
