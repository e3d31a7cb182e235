import { RULE_SET_V1 } from './rule-set-v1';
import type { RuleSetDefinition } from './rule-set.definition';
import { ALL_COMBINATIONS, validateRuleSet } from './rule-set.validator';

const clone = (): RuleSetDefinition => JSON.parse(JSON.stringify(RULE_SET_V1));
const reasons = (def: unknown) => validateRuleSet(def).map((p) => `${p.field}: ${p.reason}`);

describe(validateRuleSet.name, () => {
  it('should accept rule set v1', () => {
    expect(validateRuleSet(RULE_SET_V1)).toEqual([]);
  });

  it('should map all 8 combinations in v1 exactly once', () => {
    expect(RULE_SET_V1.levelMapping).toHaveLength(8);
    for (const c of ALL_COMBINATIONS) {
      expect(
        RULE_SET_V1.levelMapping.filter(
          (r) => r.input === c.input && r.process === c.process && r.output === c.output,
        ),
      ).toHaveLength(1);
    }
  });

  it('should reject a level mapping that misses a combination', () => {
    const def = clone();
    def.levelMapping = def.levelMapping.filter((r) => !(r.input && !r.process && r.output));
    expect(reasons(def)).toEqual(['levelMapping: no level for combination I-O']);
  });

  it('should reject a level mapping that maps a combination twice or to an unknown level', () => {
    const def = clone();
    def.levelMapping.push({ input: true, process: true, output: true, level: 'mandiri' });
    (def.levelMapping[0] as { level: string }).level = 'hebat';
    expect(reasons(def)).toEqual([
      'levelMapping[0].level: must be one of dasar, berkembang, mandiri, berkelanjutan',
      'levelMapping[8]: combination IPO is already mapped by levelMapping[7]',
    ]);
  });

  it('should reject overlapping (non-increasing) band ends', () => {
    const def = clone();
    def.indicators[9].bands[1].upTo = 29.5;
    expect(reasons(def)).toEqual([
      "indicators[9].bands[1].upTo: must be above the previous band's upper end 29.5: the bands overlap or are empty",
    ]);
  });

  it('should reject bands that leave a gap above the last one or an open band in the middle', () => {
    const def = clone();
    def.indicators[0].bands[3].upTo = 10;
    def.indicators[1].bands[1].upTo = null;
    expect(reasons(def)).toEqual([
      'indicators[0].bands[3].upTo: the last band must be open-ended (upTo: null): a gap above it',
      'indicators[1].bands[1].upTo: must be a finite number (only the last band is open-ended)',
    ]);
  });

  it('should reject a null or missing band, and a band or missing score out of range, naming each (a null band threw)', () => {
    const def = clone();
    (def.indicators[0].bands as unknown[])[1] = null;
    (def.indicators[1].bands as unknown[]).push(undefined);
    def.indicators[2].bands[0].score = 1e300;
    def.indicators[3].missingScore = 0;
    expect(reasons(def)).toEqual([
      'indicators[0].bands[1]: must be an object { upTo, inclusive, score, label }',
      'indicators[1].bands[3].upTo: must be a finite number (only the last band is open-ended)',
      'indicators[1].bands[4]: must be an object { upTo, inclusive, score, label }',
      'indicators[2].bands[0].score: must be a whole number from 1 to 100',
      'indicators[3].missingScore: must be a whole number from 1 to 100',
    ]);
  });

  it('should reject scores that are not monotone along the bands', () => {
    const def = clone();
    def.indicators[2].bands[1].score = 4;
    expect(reasons(def)).toEqual([
      'indicators[2].bands: scores must rise (or fall) monotonically along the bands',
    ]);
  });

  it('should reject an unknown formula kind, a duplicate id and an index nobody can pass', () => {
    const def = clone();
    (def.indicators[3].formula as { kind: string }).kind = 'magic';
    def.indicators[4].id = 'pokja';
    expect(reasons(def)).toEqual([
      'indicators[3].formula.kind: must be one of boolean_ladder, count_true, count_of, number, ratio_pct, mean_ratio_pct',
      'indicators[4].id: duplicate indicator id pokja',
    ]);
    const high = clone();
    high.passMark = 3.9;
    expect(reasons(high)).toEqual(['passMark: index input can never pass: its best mean score is 3.6']);
  });

  it('should reject an index without indicators and a missing score no band gives', () => {
    const def = clone();
    def.indicators = def.indicators.filter((i) => i.index !== 'process');
    def.indicators[0].missingScore = 5;
    expect(reasons(def)).toEqual([
      'indicators[0].missingScore: must be one of the scores its bands give',
      'indicators: index process has no indicator',
    ]);
  });
});
