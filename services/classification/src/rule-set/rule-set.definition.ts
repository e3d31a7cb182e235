/**
 * A rule set as data: the formula of each indicator over the survey answers, its bands and
 * scores, the grouping into the Input, Process and Output indices, the pass mark and the mapping
 * of passing indices to a level. Stored as jsonb in `rule_set.definition`; immutable once published.
 */

export const LEVELS = ['dasar', 'berkembang', 'mandiri', 'berkelanjutan'] as const;
export type Level = (typeof LEVELS)[number];

export const INDEX_NAMES = ['input', 'process', 'output'] as const;
export type IndexName = (typeof INDEX_NAMES)[number];

/** Which verified submission an indicator reads: the kampung profile or the monthly report. */
export type AnswerSource = 'profile' | 'report';

/** A yes/no test of one answer. An absent answer fails every test. */
export interface Condition {
  answer: string;
  /** `true`: the answer is boolean true; `positive`: the answer is a number above 0. */
  test: 'true' | 'positive';
}

export type Formula =
  /** 0 when the gate fails, else 1 + the number of steps met (Pokja: none, exists, + members or trained, both). */
  | { kind: 'boolean_ladder'; gate: Condition; steps: Condition[] }
  /** The number of conditions met (PLKB assigned, SK issued). */
  | { kind: 'count_true'; conditions: Condition[] }
  /** The number of codes ticked in a multiple-choice answer (only `codes`, when given). Absent = 0. */
  | { kind: 'count_of'; answer: string; codes?: string[] }
  /** A numeric answer as is (distinct agencies). */
  | { kind: 'number'; answer: string }
  /** 100 × Σ numerator ÷ Σ denominator. */
  | { kind: 'ratio_pct'; numerator: string[]; denominator: string[] }
  /**
   * Mean over the pairs of 100 × participants ÷ target. A pair whose target is 0 counts as 0 %
   * (`zero`, as the national code does) or is left out of the mean (`skip`).
   */
  | { kind: 'mean_ratio_pct'; pairs: [string, string][]; zeroDenominator: 'zero' | 'skip' };

/**
 * One band of an indicator. Bands are ordered along the real line; a value belongs to the first
 * band whose upper end admits it: `value < upTo`, or `value <= upTo` when `inclusive`. The last
 * band has `upTo: null` (no upper end). So every real value gets exactly one score.
 */
export interface Band {
  upTo: number | null;
  inclusive: boolean;
  score: number;
  /** The band as the national table writes it, e.g. `30–40`. */
  label: string;
}

export interface IndicatorDefinition {
  id: string;
  name: string;
  index: IndexName;
  source: AnswerSource;
  formula: Formula;
  unit: 'count' | 'percent';
  bands: Band[];
  /** The score given when the value cannot be computed: no submission, an absent answer, a zero denominator. */
  missingScore: number;
}

export interface LevelRule {
  input: boolean;
  process: boolean;
  output: boolean;
  level: Level;
}

export interface RuleSetDefinition {
  /** An index passes when the mean of its indicators' scores is at least this. */
  passMark: number;
  indicators: IndicatorDefinition[];
  /** One rule for each of the 8 pass/fail combinations of the three indices. */
  levelMapping: LevelRule[];
}

export const levelRank = (level: Level): number => LEVELS.indexOf(level);

/** Every answer id a rule set reads, per source: what an evaluation stores as its inputs. */
export function answersRead(def: RuleSetDefinition): Record<AnswerSource, string[]> {
  const out: Record<AnswerSource, Set<string>> = { profile: new Set(), report: new Set() };
  for (const ind of def.indicators) {
    const add = (id: string) => out[ind.source].add(id);
    const f = ind.formula;
    switch (f.kind) {
      case 'boolean_ladder':
        add(f.gate.answer);
        f.steps.forEach((c) => add(c.answer));
        break;
      case 'count_true':
        f.conditions.forEach((c) => add(c.answer));
        break;
      case 'count_of':
      case 'number':
        add(f.answer);
        break;
      case 'ratio_pct':
        [...f.numerator, ...f.denominator].forEach(add);
        break;
      case 'mean_ratio_pct':
        f.pairs.flat().forEach(add);
        break;
    }
  }
  return { profile: [...out.profile].sort(), report: [...out.report].sort() };
}
