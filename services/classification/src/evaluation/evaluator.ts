import {
  answersRead,
  INDEX_NAMES,
  type AnswerSource,
  type Band,
  type Condition,
  type IndexName,
  type IndicatorDefinition,
  type Level,
  type RuleSetDefinition,
} from '../rule-set/rule-set.definition';

/**
 * The evaluator: a pure function from a rule set and a kampung's latest verified answers to each
 * indicator's value, band and score, the three indices, which pass, and the level. No I/O, no
 * clock: the same inputs always give the same result (the national recomputation relies on it).
 */

export type Answers = Record<string, unknown>;

export interface EvaluationInputs {
  profile: Answers | null;
  report: Answers | null;
}

export interface IndicatorResult {
  id: string;
  index: IndexName;
  /** The computed value (a count or a percentage), null when it cannot be computed. */
  value: number | null;
  /** Why the value could not be computed; the indicator then gets the rule set's missingScore. */
  missing?: string;
  /** The band's label (null when missing). */
  band: string | null;
  score: number;
  maxScore: number;
}

export interface IndexResult {
  /** Mean of the indicator scores, two decimals. */
  value: number;
  passes: boolean;
}

export interface EvaluationResult {
  indicators: IndicatorResult[];
  indices: Record<IndexName, IndexResult>;
  level: Level;
}

/** The first band that admits the value: `value < upTo`, or `<=` when inclusive; the last is open. */
export function bandIndex(bands: Band[], value: number): number {
  for (let i = 0; i < bands.length; i++) {
    const { upTo, inclusive } = bands[i];
    if (upTo === null || value < upTo || (inclusive && value === upTo)) return i;
  }
  return bands.length - 1;
}

const met = (c: Condition, a: Answers): boolean => {
  const v = a[c.answer];
  return c.test === 'true' ? v === true : typeof v === 'number' && v > 0;
};

type Computed = { value: number } | { missing: string };

function sumOf(ids: string[], a: Answers): number | string {
  let sum = 0;
  for (const id of ids) {
    const v = a[id];
    if (typeof v !== 'number' || !Number.isFinite(v)) return `answer ${id} is absent`;
    sum += v;
  }
  return sum;
}

/** The indicator's value from the answers of its source, or why there is none. */
export function computeValue(ind: IndicatorDefinition, answers: Answers | null): Computed {
  if (!answers) return { missing: `no verified ${ind.source === 'profile' ? 'profile' : 'monthly report'}` };
  const f = ind.formula;
  switch (f.kind) {
    case 'boolean_ladder':
      return { value: met(f.gate, answers) ? 1 + f.steps.filter((c) => met(c, answers)).length : 0 };
    case 'count_true':
      return { value: f.conditions.filter((c) => met(c, answers)).length };
    case 'count_of': {
      const v = answers[f.answer];
      if (v === undefined) return { value: 0 };
      if (!Array.isArray(v)) return { missing: `answer ${f.answer} is not a list of codes` };
      const ticked = new Set(v.filter((c) => typeof c === 'string' && (!f.codes || f.codes.includes(c))));
      return { value: ticked.size };
    }
    case 'number': {
      const v = answers[f.answer];
      return typeof v === 'number' && Number.isFinite(v)
        ? { value: v }
        : { missing: `answer ${f.answer} is absent` };
    }
    case 'ratio_pct': {
      const num = sumOf(f.numerator, answers);
      const den = sumOf(f.denominator, answers);
      if (typeof num === 'string') return { missing: num };
      if (typeof den === 'string') return { missing: den };
      if (den <= 0) return { missing: `${f.denominator.join(' + ')} is 0` };
      return { value: (100 * num) / den };
    }
    case 'mean_ratio_pct': {
      const parts: number[] = [];
      for (const [n, d] of f.pairs) {
        const num = answers[n];
        const den = answers[d];
        if (typeof num !== 'number' || !Number.isFinite(num)) return { missing: `answer ${n} is absent` };
        if (typeof den !== 'number' || !Number.isFinite(den)) return { missing: `answer ${d} is absent` };
        if (den > 0) parts.push((100 * num) / den);
        else if (f.zeroDenominator === 'zero') parts.push(0);
      }
      if (!parts.length) return { missing: 'every target is 0' };
      return { value: parts.reduce((a, b) => a + b, 0) / parts.length };
    }
  }
}

export const round2 = (v: number): number => Math.round(v * 100) / 100;

export function scoreIndicator(ind: IndicatorDefinition, answers: Answers | null): IndicatorResult {
  const maxScore = Math.max(...ind.bands.map((b) => b.score));
  const c = computeValue(ind, answers);
  if ('missing' in c) {
    return {
      id: ind.id,
      index: ind.index,
      value: null,
      missing: c.missing,
      band: null,
      score: ind.missingScore,
      maxScore,
    };
  }
  const band = ind.bands[bandIndex(ind.bands, c.value)];
  // Values are stored to 4 decimals (a percentage of a few thousand PUS needs no more); the band
  // is chosen from the exact value.
  const value = Math.round(c.value * 10000) / 10000;
  return { id: ind.id, index: ind.index, value, band: band.label, score: band.score, maxScore };
}

/** Whether the mean of `scores` reaches the pass mark, compared on sums to stay exact. */
export function indexPasses(scores: number[], passMark: number): boolean {
  const sum = scores.reduce((a, b) => a + b, 0);
  return sum >= passMark * scores.length - 1e-9;
}

export function levelFor(def: RuleSetDefinition, passes: Record<IndexName, boolean>): Level {
  const rule = def.levelMapping.find((r) => INDEX_NAMES.every((n) => r[n] === passes[n]));
  if (!rule) throw new Error(`rule set maps no level for ${JSON.stringify(passes)}`);
  return rule.level;
}

function pick(answers: Answers | null, ids: string[]): Answers | null {
  if (!answers) return null;
  const out: Answers = {};
  for (const id of ids) if (answers[id] !== undefined) out[id] = answers[id];
  return out;
}

/** The answers a rule set reads, per source: the inputs an evaluation took from its submissions. */
export function inputsRead(def: RuleSetDefinition, inputs: EvaluationInputs): EvaluationInputs {
  const read = answersRead(def);
  return { profile: pick(inputs.profile, read.profile), report: pick(inputs.report, read.report) };
}

/** Indices and level from indicator scores (also used to re-derive a stored evaluation). */
export function summarise(
  def: RuleSetDefinition,
  indicators: Pick<IndicatorResult, 'index' | 'score'>[],
): { indices: Record<IndexName, IndexResult>; level: Level } {
  const indices = {} as Record<IndexName, IndexResult>;
  for (const name of INDEX_NAMES) {
    const scores = indicators.filter((i) => i.index === name).map((i) => i.score);
    const mean = scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : 0;
    indices[name] = { value: round2(mean), passes: scores.length > 0 && indexPasses(scores, def.passMark) };
  }
  const passes = {
    input: indices.input.passes,
    process: indices.process.passes,
    output: indices.output.passes,
  };
  return { indices, level: levelFor(def, passes) };
}

export function evaluate(def: RuleSetDefinition, inputs: EvaluationInputs): EvaluationResult {
  const bySource: Record<AnswerSource, Answers | null> = { profile: inputs.profile, report: inputs.report };
  const indicators = def.indicators.map((ind) => scoreIndicator(ind, bySource[ind.source]));
  const { indices, level } = summarise(def, indicators);
  return { indicators, indices, level };
}
