import { RULE_SET_V1 } from '../rule-set/rule-set-v1';
import type { RuleSetDefinition } from '../rule-set/rule-set.definition';
import { ALL_COMBINATIONS, comboKey } from '../rule-set/rule-set.validator';
import { profileAnswers, reportAnswers } from './evaluation.fixtures';
import {
  bandIndex,
  evaluate,
  indexPasses,
  inputsRead,
  levelFor,
  scoreIndicator,
  type Answers,
} from './evaluator';

const indicator = (id: string) => {
  const ind = RULE_SET_V1.indicators.find((i) => i.id === id);
  if (!ind) throw new Error(`no indicator ${id}`);
  return ind;
};
const score = (id: string, answers: Answers | null) => scoreIndicator(indicator(id), answers);

describe('evaluate (rule set v1)', () => {
  describe('input indicators', () => {
    it.each([
      [{ pokja_exists: false, pokja_members: undefined, pokja_trained: undefined }, 0, 1],
      [{ pokja_exists: false, pokja_members: 5, pokja_trained: true }, 0, 1],
      [{ pokja_exists: true, pokja_members: 0, pokja_trained: false }, 1, 2],
      [{ pokja_exists: true, pokja_members: undefined, pokja_trained: false }, 1, 2],
      [{ pokja_exists: true, pokja_members: 3, pokja_trained: false }, 2, 3],
      [{ pokja_exists: true, pokja_members: 0, pokja_trained: true }, 2, 3],
      [{ pokja_exists: true, pokja_members: 1, pokja_trained: true }, 3, 4],
    ])('should score the Pokja ladder %j as value %d, score %d', (over, value, expected) => {
      const r = score('pokja', profileAnswers(over));
      expect(r).toMatchObject({ value, score: expected });
    });

    const counts = (codes: string[], n: number) => codes.slice(0, n);
    const FUNDING = ['apbn', 'apbd', 'dana_desa', 'csr', 'swadaya', 'hibah'];
    it.each([
      [0, 1],
      [1, 2],
      [2, 3],
      [4, 3],
      [5, 4],
      [6, 4],
    ])('should score %d funding sources as %d', (n, expected) => {
      expect(score('funding_sources', profileAnswers({ funding_sources: counts(FUNDING, n) })).score).toBe(
        expected,
      );
    });

    const POKTAN = [
      'bkb',
      'bkr',
      'bkl',
      'uppka',
      'pik_r',
      'kb_kr_service',
      'population_service',
      'other_sector',
    ];
    it.each([
      [0, 1],
      [1, 2],
      [2, 2],
      [3, 3],
      [4, 3],
      [5, 4],
      [8, 4],
    ])('should score %d poktan and services as %d', (n, expected) => {
      expect(score('poktan_services', profileAnswers({ poktan_services: counts(POKTAN, n) })).score).toBe(
        expected,
      );
    });

    it.each([
      [[], 1],
      [['secretariat'], 2],
      [['rumah_dataku'], 2],
      [['secretariat', 'rumah_dataku'], 3],
    ])('should score facilities %j as %d (at most 3)', (facilities, expected) => {
      const r = score('facilities', profileAnswers({ facilities }));
      expect(r.score).toBe(expected);
      expect(r.maxScore).toBe(3);
    });

    it('should count a code ticked twice once', () => {
      expect(score('facilities', profileAnswers({ facilities: ['secretariat', 'secretariat'] })).value).toBe(
        1,
      );
    });

    it.each([
      [false, false, 1],
      [true, false, 2],
      [false, true, 2],
      [true, true, 3],
    ])('should score PLKB assigned %s and SK %s as %d', (plkb, sk, expected) => {
      const r = score('plkb_regulation', profileAnswers({ plkb_assigned: plkb, sk_exists: sk }));
      expect(r.score).toBe(expected);
      expect(r.maxScore).toBe(3);
    });
  });

  describe('process indicators', () => {
    const SOURCES = ['pk', 'bkkbn_routine', 'village_potential', 'sectoral', 'other'];
    it.each([
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 3],
      [4, 4],
      [5, 4],
    ])('should score %d data sources as %d', (n, expected) => {
      expect(score('data_sources', profileAnswers({ data_sources: SOURCES.slice(0, n) })).score).toBe(
        expected,
      );
    });

    const STEPS = ['planning_meeting', 'coordination', 'socialisation', 'monitoring_evaluation', 'reporting'];
    it.each([
      [0, 1],
      [1, 2],
      [2, 2],
      [3, 3],
      [4, 3],
      [5, 4],
    ])('should score %d operating steps as %d', (n, expected) => {
      expect(score('operating_steps', profileAnswers({ operating_steps: STEPS.slice(0, n) })).score).toBe(
        expected,
      );
    });

    it.each([
      [0, 1],
      [1, 2],
      [3, 2],
      [4, 3],
      [6, 3],
      [7, 4],
      [40, 4],
    ])('should score %d agencies as %d', (n, expected) => {
      expect(score('agencies', profileAnswers({ agencies: n })).score).toBe(expected);
    });
  });

  describe('output indicators at and around every boundary', () => {
    it.each([
      [0, 1],
      [9.45, 1],
      [9.5, 2],
      [10, 2],
      [20, 2],
      [20.45, 2],
      [20.5, 3],
      [21, 3],
      [30, 3],
      [30.45, 3],
      [30.5, 4],
      [31, 4],
      [100, 4],
    ])('should score poktan participation %d %% as %d', (pct, expected) => {
      const r = score('poktan_participation', reportAnswers({ participation: pct }));
      expect(r.value).toBeCloseTo(pct, 6);
      expect(r.score).toBe(expected);
    });

    it.each([
      [0, 1],
      [29, 1],
      [29.45, 1],
      [29.5, 2],
      [30, 2],
      [40, 2],
      [40.45, 2],
      [40.5, 3],
      [41, 3],
      [50, 3],
      [50.45, 3],
      [50.5, 4],
      [51, 4],
      [100, 4],
    ])('should score CPR %d %% as %d', (pct, expected) => {
      const r = score('cpr', reportAnswers({ cpr: pct }));
      expect(r.value).toBeCloseTo(pct, 6);
      expect(r.score).toBe(expected);
    });

    it.each([
      [0, 1],
      [19, 1],
      [19.4, 1],
      [19.5, 2],
      [20, 2],
      [22, 2],
      [22.4, 2],
      [22.5, 3],
      [23, 3],
      [24, 3],
      [24.4, 3],
      [24.5, 4],
      [25, 4],
    ])('should score MKJP %d %% of users as %d', (pct, expected) => {
      // 1,000 users (CPR 50 % of 2,000 PUS): MKJP resolution 0.1 %.
      const r = score('mkjp', reportAnswers({ cpr: 50, mkjp: pct }));
      expect(r.value).toBeCloseTo(pct, 6);
      expect(r.score).toBe(expected);
    });

    it.each([
      [0, 4],
      [6, 4],
      [6.1, 4],
      [6.45, 4],
      [6.5, 3],
      [7, 3],
      [9, 3],
      [9.1, 3],
      [9.45, 3],
      [9.5, 2],
      [12, 2],
      [12.05, 2],
      [12.1, 2],
      [12.45, 2],
      [12.5, 1],
      [13, 1],
      [40, 1],
    ])('should score unmet need %d %% as %d (lower is better)', (pct, expected) => {
      const r = score('unmet_need', reportAnswers({ unmet: pct }));
      expect(r.value).toBeCloseTo(pct, 6);
      expect(r.score).toBe(expected);
    });
  });

  describe('gap closures and missing inputs', () => {
    it('should give the values the integer bands leave out a score (CPR 40.5, unmet need 12.05)', () => {
      expect(score('cpr', reportAnswers({ cpr: 40.5 })).band).toBe('41–50');
      expect(score('unmet_need', reportAnswers({ unmet: 12.05 })).band).toBe('10–12');
      expect(score('mkjp', reportAnswers({ cpr: 50, mkjp: 22.7 })).band).toBe('23–24');
      expect(score('poktan_participation', reportAnswers({ participation: 20.7 })).band).toBe('21–30');
    });

    it('should score every output indicator 1, never NaN, when there is no verified report', () => {
      for (const id of ['poktan_participation', 'cpr', 'mkjp', 'unmet_need']) {
        expect(score(id, null)).toMatchObject({
          value: null,
          score: 1,
          band: null,
          missing: 'no verified monthly report',
        });
      }
    });

    it('should score CPR and unmet need 1 when the PUS is 0, and MKJP 1 when nobody uses a method', () => {
      const noPus = reportAnswers({ pus: 0, cpr: 0, unmet: 0 });
      expect(score('cpr', noPus)).toMatchObject({ value: null, score: 1, missing: 'pus is 0' });
      expect(score('unmet_need', noPus)).toMatchObject({ value: null, score: 1 });
      expect(score('mkjp', reportAnswers({ cpr: 0 }))).toMatchObject({ value: null, score: 1 });
    });

    it('should count a poktan without target families as 0 % in the mean of five', () => {
      const r = score(
        'poktan_participation',
        reportAnswers({ participation: 50 }, { pik_r_target_families: 0, pik_r_participants: 0 }),
      );
      expect(r.value).toBeCloseTo(40, 6);
    });

    it('should score an absent numeric answer as missing, and an absent list as none ticked', () => {
      const report = reportAnswers();
      delete report.users_pill;
      expect(score('cpr', report)).toMatchObject({
        value: null,
        score: 1,
        missing: 'answer users_pill is absent',
      });
      const profile = profileAnswers();
      delete profile.agencies;
      delete profile.funding_sources;
      expect(score('agencies', profile)).toMatchObject({ value: null, score: 1 });
      expect(score('funding_sources', profile)).toMatchObject({ value: 0, score: 1 });
    });
  });

  describe('indices and levels', () => {
    it('should pass an index at a mean of exactly 3 and fail it just below', () => {
      expect(indexPasses([3, 3, 3, 3, 3], 3)).toBe(true);
      expect(indexPasses([4, 2, 3, 3, 3], 3)).toBe(true);
      expect(indexPasses([4, 2, 3, 3, 2], 3)).toBe(false);
      expect(indexPasses([3, 3, 2], 3)).toBe(false);
      expect(indexPasses([4, 3, 2], 3)).toBe(true);
    });

    const expected: Record<string, string> = {
      '---': 'dasar',
      'I--': 'dasar',
      '-P-': 'dasar',
      '--O': 'dasar',
      'IP-': 'berkembang',
      'I-O': 'mandiri',
      '-PO': 'mandiri',
      IPO: 'berkelanjutan',
    };
    it.each(ALL_COMBINATIONS.map((c) => [comboKey(c), c]))(
      'should map the combination %s to its level',
      (key, passes) => {
        expect(levelFor(RULE_SET_V1, passes)).toBe(expected[key]);
      },
    );

    const failInput = { pokja_exists: false, funding_sources: [], facilities: [] };
    const failProcess = { data_sources: [], operating_steps: [] };
    it.each([
      [{}, {}, 'berkelanjutan'],
      [failInput, {}, 'mandiri'],
      [failProcess, {}, 'mandiri'],
      [{}, { cpr: 10, unmet: 20 }, 'berkembang'],
      [{ ...failInput, ...failProcess }, {}, 'dasar'],
      [failInput, { cpr: 10, unmet: 20 }, 'dasar'],
    ])('should classify profile %j with report %j as %s end to end', (profile, report, level) => {
      const r = evaluate(RULE_SET_V1, { profile: profileAnswers(profile), report: reportAnswers(report) });
      expect(r.level).toBe(level);
    });

    it('should give a kampung with a profile but no report a failing output index', () => {
      const r = evaluate(RULE_SET_V1, { profile: profileAnswers(), report: null });
      expect(r.indices.output).toEqual({ value: 1, passes: false });
      expect(r.level).toBe('berkembang');
    });

    it('should keep only the answers the rule set reads as inputs, and round indices to two decimals', () => {
      const inputs = {
        profile: profileAnswers({ population_m_0_4: 120 }),
        report: reportAnswers({ cpr: 45 }),
      };
      const read = inputsRead(RULE_SET_V1, inputs);
      expect(read.profile).not.toHaveProperty('population_m_0_4');
      expect(read.profile).toHaveProperty('pokja_exists', true);
      expect(read.report).toHaveProperty('pus', 2000);
      expect(read.report).not.toHaveProperty('bpjs_users');
      expect(inputsRead(RULE_SET_V1, { profile: inputs.profile, report: null }).report).toBeNull();
      const r = evaluate(RULE_SET_V1, inputs);
      expect(r.indices.output.value).toBe(3.75);
      expect(r.indicators).toHaveLength(12);
    });

    it('should use the level mapping of the rule set it is given', () => {
      const strict: RuleSetDefinition = {
        ...RULE_SET_V1,
        levelMapping: RULE_SET_V1.levelMapping.map((r) =>
          r.level === 'mandiri' ? { ...r, level: 'berkembang' } : r,
        ),
      };
      const profile = profileAnswers({ pokja_exists: false, funding_sources: [], facilities: [] });
      expect(evaluate(strict, { profile, report: reportAnswers() }).level).toBe('berkembang');
    });
  });

  describe(bandIndex.name, () => {
    const bands = [
      { upTo: 10, inclusive: true, score: 1, label: '≤ 10' },
      { upTo: 20, inclusive: false, score: 2, label: '(10, 20)' },
      { upTo: null, inclusive: false, score: 3, label: '≥ 20' },
    ];
    it('should honour inclusive and exclusive upper ends', () => {
      expect([-5, 10, 10.0001, 19.999, 20, 1e9].map((v) => bands[bandIndex(bands, v)].score)).toEqual([
        1, 1, 2, 2, 3, 3,
      ]);
    });
  });
});
