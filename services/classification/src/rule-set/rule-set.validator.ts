import {
  INDEX_NAMES,
  LEVELS,
  type Band,
  type Condition,
  type IndicatorDefinition,
  type RuleSetDefinition,
} from './rule-set.definition';

export interface RuleSetProblem {
  field: string;
  reason: string;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is string => typeof v === 'string' && /^[a-z][a-z0-9_]{0,62}$/.test(v);
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The scores a band list gives, in order: nondecreasing (higher is better) or nonincreasing. */
export function bandDirection(bands: Band[]): 'up' | 'down' {
  return bands[bands.length - 1].score >= bands[0].score ? 'up' : 'down';
}

function checkCondition(c: unknown, field: string, out: RuleSetProblem[]): void {
  if (!isObject(c)) return void out.push({ field, reason: 'must be an object { answer, test }' });
  if (!isId(c.answer)) out.push({ field: `${field}.answer`, reason: 'must be a question id' });
  if (!['true', 'positive'].includes(c.test as string))
    out.push({ field: `${field}.test`, reason: "must be 'true' or 'positive'" });
}

function checkIdList(v: unknown, field: string, out: RuleSetProblem[]): void {
  if (!Array.isArray(v) || !v.length || !v.every(isId))
    out.push({ field, reason: 'must be a non-empty list of question ids' });
}

function checkFormula(f: unknown, field: string, out: RuleSetProblem[]): void {
  if (!isObject(f)) return void out.push({ field, reason: 'must be an object with a kind' });
  switch (f.kind) {
    case 'boolean_ladder':
      checkCondition(f.gate, `${field}.gate`, out);
      if (!Array.isArray(f.steps))
        out.push({ field: `${field}.steps`, reason: 'must be a list of conditions' });
      else (f.steps as Condition[]).forEach((c, i) => checkCondition(c, `${field}.steps[${i}]`, out));
      return;
    case 'count_true':
      if (!Array.isArray(f.conditions) || !f.conditions.length)
        out.push({ field: `${field}.conditions`, reason: 'must be a non-empty list of conditions' });
      else
        (f.conditions as Condition[]).forEach((c, i) => checkCondition(c, `${field}.conditions[${i}]`, out));
      return;
    case 'count_of':
      if (!isId(f.answer)) out.push({ field: `${field}.answer`, reason: 'must be a question id' });
      if (f.codes !== undefined && (!Array.isArray(f.codes) || !f.codes.every((c) => typeof c === 'string')))
        out.push({ field: `${field}.codes`, reason: 'must be a list of codes' });
      return;
    case 'number':
      if (!isId(f.answer)) out.push({ field: `${field}.answer`, reason: 'must be a question id' });
      return;
    case 'ratio_pct':
      checkIdList(f.numerator, `${field}.numerator`, out);
      checkIdList(f.denominator, `${field}.denominator`, out);
      return;
    case 'mean_ratio_pct':
      if (
        !Array.isArray(f.pairs) ||
        !f.pairs.length ||
        !f.pairs.every((p) => Array.isArray(p) && p.length === 2 && p.every(isId))
      )
        out.push({
          field: `${field}.pairs`,
          reason: 'must be a non-empty list of [numerator, denominator] ids',
        });
      if (!['zero', 'skip'].includes(f.zeroDenominator as string))
        out.push({ field: `${field}.zeroDenominator`, reason: "must be 'zero' or 'skip'" });
      return;
    default:
      out.push({
        field: `${field}.kind`,
        reason: 'must be one of boolean_ladder, count_true, count_of, number, ratio_pct, mean_ratio_pct',
      });
  }
}

/** Scores are small whole numbers (the official rule scores 1-3); the cap keeps sums and means exact. */
const MAX_SCORE = 100;
const isScore = (v: unknown): v is number =>
  Number.isInteger(v) && (v as number) >= 1 && (v as number) <= MAX_SCORE;

/**
 * Bands must cover the whole real line exactly once: ordered, strictly increasing upper ends,
 * only the last one open (`upTo: null`). Given that, "the first band that admits the value"
 * leaves no gap and no overlap. Scores are whole numbers from 1, monotone along the bands.
 */
function checkBands(bands: unknown, field: string, out: RuleSetProblem[]): void {
  if (!Array.isArray(bands) || bands.length < 2)
    return void out.push({ field, reason: 'must list at least two bands' });
  const before = out.length;
  bands.forEach((b: unknown, i) => {
    const f = `${field}[${i}]`;
    if (!isObject(b))
      return void out.push({ field: f, reason: 'must be an object { upTo, inclusive, score, label }' });
    const last = i === bands.length - 1;
    if (last && b.upTo !== null)
      out.push({
        field: `${f}.upTo`,
        reason: 'the last band must be open-ended (upTo: null): a gap above it',
      });
    if (!last && !isFiniteNumber(b.upTo))
      out.push({ field: `${f}.upTo`, reason: 'must be a finite number (only the last band is open-ended)' });
    if (typeof b.inclusive !== 'boolean') out.push({ field: `${f}.inclusive`, reason: 'must be a boolean' });
    if (!isScore(b.score))
      out.push({ field: `${f}.score`, reason: `must be a whole number from 1 to ${MAX_SCORE}` });
    if (typeof b.label !== 'string' || !b.label) out.push({ field: `${f}.label`, reason: 'must be a label' });
    if (i > 0 && !last && isFiniteNumber(b.upTo)) {
      const before = bands[i - 1];
      const prev = isObject(before) ? before.upTo : undefined;
      if (isFiniteNumber(prev) && b.upTo <= prev)
        out.push({
          field: `${f}.upTo`,
          reason: `must be above the previous band's upper end ${prev}: the bands overlap or are empty`,
        });
    }
  });
  if (out.length > before) return;
  const scores = (bands as Band[]).map((b) => b.score);
  const up = scores.every((s, i) => i === 0 || s >= scores[i - 1]);
  const down = scores.every((s, i) => i === 0 || s <= scores[i - 1]);
  if (!up && !down) out.push({ field, reason: 'scores must rise (or fall) monotonically along the bands' });
}

function checkIndicator(ind: unknown, field: string, out: RuleSetProblem[]): void {
  if (!isObject(ind)) return void out.push({ field, reason: 'must be an object' });
  if (!isId(ind.id)) out.push({ field: `${field}.id`, reason: 'must be a lower-case identifier' });
  if (typeof ind.name !== 'string' || !ind.name)
    out.push({ field: `${field}.name`, reason: 'must be a name' });
  if (!INDEX_NAMES.includes(ind.index as never))
    out.push({ field: `${field}.index`, reason: 'must be input, process or output' });
  if (!['profile', 'report'].includes(ind.source as string))
    out.push({ field: `${field}.source`, reason: 'must be profile or report' });
  if (!['count', 'percent'].includes(ind.unit as string))
    out.push({ field: `${field}.unit`, reason: 'must be count or percent' });
  checkFormula(ind.formula, `${field}.formula`, out);
  checkBands(ind.bands, `${field}.bands`, out);
  if (!isScore(ind.missingScore))
    out.push({ field: `${field}.missingScore`, reason: `must be a whole number from 1 to ${MAX_SCORE}` });
}

/** Every problem of a rule set definition; an empty list means it can be stored and published. */
export function validateRuleSet(def: unknown): RuleSetProblem[] {
  const out: RuleSetProblem[] = [];
  if (!isObject(def)) return [{ field: 'definition', reason: 'must be an object' }];
  if (!isFiniteNumber(def.passMark) || def.passMark <= 0 || def.passMark > MAX_SCORE)
    out.push({ field: 'passMark', reason: `must be a positive number of at most ${MAX_SCORE}` });
  if (!Array.isArray(def.indicators) || !def.indicators.length) {
    out.push({ field: 'indicators', reason: 'must be a non-empty list' });
  } else {
    def.indicators.forEach((ind, i) => checkIndicator(ind, `indicators[${i}]`, out));
    const ids = def.indicators.map((i: Json) => i?.id);
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i)
        out.push({ field: `indicators[${i}].id`, reason: `duplicate indicator id ${id}` });
    });
    if (!out.length) {
      const inds = def.indicators as IndicatorDefinition[];
      for (const index of INDEX_NAMES) {
        const mine = inds.filter((i) => i.index === index);
        if (!mine.length) {
          out.push({ field: 'indicators', reason: `index ${index} has no indicator` });
          continue;
        }
        const best = mine.reduce((a, i) => a + Math.max(...i.bands.map((b) => b.score)), 0) / mine.length;
        if (best < (def.passMark as number))
          out.push({
            field: 'passMark',
            reason: `index ${index} can never pass: its best mean score is ${best}`,
          });
        for (const i of mine) {
          const scores = i.bands.map((b) => b.score);
          if (i.missingScore > Math.max(...scores) || i.missingScore < Math.min(...scores))
            out.push({
              field: `indicators[${inds.indexOf(i)}].missingScore`,
              reason: 'must be one of the scores its bands give',
            });
        }
      }
    }
  }
  checkLevelMapping(def.levelMapping, out);
  return out;
}

/** The level mapping must give exactly one level to each of the 8 pass/fail combinations. */
function checkLevelMapping(mapping: unknown, out: RuleSetProblem[]): void {
  if (!Array.isArray(mapping)) return void out.push({ field: 'levelMapping', reason: 'must be a list' });
  const seen = new Map<string, number>();
  mapping.forEach((r: unknown, i) => {
    const f = `levelMapping[${i}]`;
    if (!isObject(r)) return void out.push({ field: f, reason: 'must be { input, process, output, level }' });
    if (!INDEX_NAMES.every((n) => typeof r[n] === 'boolean'))
      return void out.push({ field: f, reason: 'input, process and output must be booleans' });
    if (!LEVELS.includes(r.level as never))
      out.push({ field: `${f}.level`, reason: `must be one of ${LEVELS.join(', ')}` });
    const key = comboKey(r as never);
    if (seen.has(key))
      out.push({
        field: f,
        reason: `combination ${key} is already mapped by levelMapping[${seen.get(key)}]`,
      });
    else seen.set(key, i);
  });
  for (const combo of ALL_COMBINATIONS) {
    const key = comboKey(combo);
    if (!seen.has(key)) out.push({ field: 'levelMapping', reason: `no level for combination ${key}` });
  }
}

export type PassSet = Record<(typeof INDEX_NAMES)[number], boolean>;

/** `I-O` style key of a combination: the letter when the index passes, `-` when it fails. */
export const comboKey = (p: PassSet): string =>
  `${p.input ? 'I' : '-'}${p.process ? 'P' : '-'}${p.output ? 'O' : '-'}`;

export const ALL_COMBINATIONS: PassSet[] = [0, 1, 2, 3, 4, 5, 6, 7].map((n) => ({
  input: Boolean(n & 4),
  process: Boolean(n & 2),
  output: Boolean(n & 1),
}));

/** Narrows a checked definition. Throws with every problem if it is not valid. */
export function assertRuleSet(def: unknown): RuleSetDefinition {
  const problems = validateRuleSet(def);
  if (problems.length)
    throw new Error(`invalid rule set: ${problems.map((p) => `${p.field}: ${p.reason}`).join('; ')}`);
  return def as RuleSetDefinition;
}
