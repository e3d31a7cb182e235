import {
  INDEX_NAMES,
  levelRank,
  type IndexName,
  type IndicatorDefinition,
  type Level,
  type RuleSetDefinition,
} from '../rule-set/rule-set.definition';
import { ALL_COMBINATIONS, bandDirection } from '../rule-set/rule-set.validator';
import { levelFor, round2, type IndicatorResult } from './evaluator';

/**
 * What would lift a kampung: for each failing index, the fewest indicator moves that bring its
 * mean to the pass mark, each with the value the indicator has to reach; and the nearest higher
 * level reachable without losing an index that passes now.
 */

export interface ValueTarget {
  op: '>=' | '>' | '<' | '<=';
  value: number;
}

export interface IndicatorMove {
  indicator: string;
  name: string;
  unit: 'count' | 'percent';
  fromScore: number;
  toScore: number;
  fromValue: number | null;
  /** The band reached, as the rule set labels it. */
  toBand: string;
  /** What the value must be for that band; null when every value of the lowest band would do. */
  target: ValueTarget | null;
  /** target − current value (negative: the value must fall); null when there is no value yet. */
  change: number | null;
}

export interface IndexLift {
  index: IndexName;
  value: number;
  passMark: number;
  /** Score points (summed over the index's indicators) still missing to pass. */
  pointsNeeded: number;
  moves: IndicatorMove[];
}

export interface LevelLift {
  level: Level;
  /** The indices that have to start passing. */
  indices: IndexName[];
  moves: IndicatorMove[];
}

export interface LiftAnalysis {
  failing: IndexLift[];
  /** Null at the top level, or when no higher level is reachable. */
  nextLevel: LevelLift | null;
}

/** The value condition under which an indicator scores at least `score`. */
export function targetFor(
  ind: IndicatorDefinition,
  score: number,
): { target: ValueTarget | null; band: string } {
  const bands = ind.bands;
  if (bandDirection(bands) === 'up') {
    const j = bands.findIndex((b) => b.score >= score);
    if (j <= 0) return { target: null, band: bands[Math.max(j, 0)].label };
    const prev = bands[j - 1];
    return { target: { op: prev.inclusive ? '>' : '>=', value: prev.upTo as number }, band: bands[j].label };
  }
  let k = -1;
  bands.forEach((b, i) => {
    if (b.score >= score) k = i;
  });
  const b = bands[Math.max(k, 0)];
  if (b.upTo === null) return { target: null, band: b.label };
  return { target: { op: b.inclusive ? '<=' : '<', value: b.upTo }, band: b.label };
}

/** Counts are whole: `>= 2.5` is `>= 3`, `< 6.5` is `<= 6`. */
function wholeTarget(t: ValueTarget | null): ValueTarget | null {
  if (!t) return null;
  switch (t.op) {
    case '>=':
      return { op: '>=', value: Math.ceil(t.value) };
    case '>':
      return { op: '>=', value: Math.floor(t.value) + 1 };
    case '<':
      return { op: '<=', value: Math.ceil(t.value) - 1 };
    case '<=':
      return { op: '<=', value: Math.floor(t.value) };
  }
}

function move(ind: IndicatorDefinition, r: IndicatorResult, toScore: number): IndicatorMove {
  const found = targetFor(ind, toScore);
  const band = found.band;
  const target = ind.unit === 'count' ? wholeTarget(found.target) : found.target;
  return {
    indicator: ind.id,
    name: ind.name,
    unit: ind.unit,
    fromScore: r.score,
    toScore,
    fromValue: r.value,
    toBand: band,
    target,
    change: target && r.value !== null ? round2(target.value - r.value) : null,
  };
}

/** The fewest moves that make `index` pass: largest possible gains first, the last one only as far as needed. */
export function liftIndex(def: RuleSetDefinition, results: IndicatorResult[], index: IndexName): IndexLift {
  const mine = def.indicators
    .map((ind) => ({ ind, r: results.find((x) => x.id === ind.id) }))
    .filter((x): x is { ind: IndicatorDefinition; r: IndicatorResult } => x.ind.index === index && !!x.r);
  const sum = mine.reduce((a, x) => a + x.r.score, 0);
  const value = mine.length ? round2(sum / mine.length) : 0;
  let needed = Math.max(0, Math.ceil(def.passMark * mine.length - sum - 1e-9));
  const pointsNeeded = needed;
  const candidates = mine
    .map((x, order) => ({ ...x, order, gain: x.r.maxScore - x.r.score }))
    .filter((x) => x.gain > 0)
    .sort((a, b) => b.gain - a.gain || a.order - b.order);
  const moves: IndicatorMove[] = [];
  for (const c of candidates) {
    if (needed <= 0) break;
    const step = Math.min(c.gain, needed);
    moves.push(move(c.ind, c.r, c.r.score + step));
    needed -= step;
  }
  return { index, value, passMark: def.passMark, pointsNeeded, moves: needed > 0 ? [] : moves };
}

export function lift(def: RuleSetDefinition, results: IndicatorResult[]): LiftAnalysis {
  const lifts = Object.fromEntries(INDEX_NAMES.map((n) => [n, liftIndex(def, results, n)])) as Record<
    IndexName,
    IndexLift
  >;
  const passes = Object.fromEntries(INDEX_NAMES.map((n) => [n, lifts[n].pointsNeeded === 0])) as Record<
    IndexName,
    boolean
  >;
  const current = levelFor(def, passes);
  const failing = INDEX_NAMES.filter((n) => !passes[n]).map((n) => lifts[n]);
  const options = ALL_COMBINATIONS.filter((c) => INDEX_NAMES.every((n) => !passes[n] || c[n]))
    .map((c) => {
      const indices = INDEX_NAMES.filter((n) => c[n] && !passes[n]);
      const moves = indices.flatMap((n) => lifts[n].moves);
      return { level: levelFor(def, c), indices, moves };
    })
    .filter((o) => levelRank(o.level) > levelRank(current) && o.moves.length > 0)
    .sort((a, b) => levelRank(a.level) - levelRank(b.level) || a.moves.length - b.moves.length);
  return { failing, nextLevel: options[0] ?? null };
}
