import { RULE_SET_V1 } from '../rule-set/rule-set-v1';
import { profileAnswers, reportAnswers } from './evaluation.fixtures';
import { evaluate, type Answers } from './evaluator';
import { lift, liftIndex, targetFor } from './lift';

const results = (profile: Answers, report: Answers | null) =>
  evaluate(RULE_SET_V1, { profile: profileAnswers(profile), report }).indicators;
const ind = (id: string) => RULE_SET_V1.indicators.find((i) => i.id === id)!;

describe(lift.name, () => {
  it('should lift a failing input index with the fewest moves, largest gains first', () => {
    const r = results({ pokja_exists: false, funding_sources: [], facilities: [] }, reportAnswers());
    const input = liftIndex(RULE_SET_V1, r, 'input');
    expect(input).toMatchObject({ index: 'input', value: 2, passMark: 3, pointsNeeded: 5 });
    expect(input.moves).toEqual([
      expect.objectContaining({
        indicator: 'pokja',
        fromScore: 1,
        toScore: 4,
        fromValue: 0,
        target: { op: '>=', value: 3 },
        change: 3,
        toBand: 'exists, with members and trained',
      }),
      expect.objectContaining({
        indicator: 'funding_sources',
        fromScore: 1,
        toScore: 3,
        target: { op: '>=', value: 2 },
        change: 2,
      }),
    ]);
  });

  it('should say by how much a percentage must rise, or fall for unmet need', () => {
    const r = results({}, reportAnswers({ cpr: 25, unmet: 12.05, participation: 5 }));
    const output = liftIndex(RULE_SET_V1, r, 'output');
    // participation 1, CPR 1, MKJP 4, unmet need 2: 8 of the 12 points needed.
    expect(output.pointsNeeded).toBe(4);
    expect(output.moves.map((m) => [m.indicator, m.toScore, m.target, m.change])).toEqual([
      ['poktan_participation', 4, { op: '>=', value: 30.5 }, 25.5],
      ['cpr', 2, { op: '>=', value: 29.5 }, 4.5],
    ]);
    const unmet = targetFor(ind('unmet_need'), 3);
    expect(unmet).toEqual({ target: { op: '<', value: 9.5 }, band: '7–9' });
    expect(targetFor(ind('unmet_need'), 1)).toEqual({ target: null, band: '≥ 13' });
  });

  it('should aim a Berkembang kampung at Berkelanjutan through its output index', () => {
    const r = results({}, reportAnswers({ cpr: 10, unmet: 20 }));
    const a = lift(RULE_SET_V1, r);
    expect(a.failing.map((f) => f.index)).toEqual(['output']);
    expect(a.nextLevel).toMatchObject({ level: 'berkelanjutan', indices: ['output'] });
    expect(a.nextLevel!.moves.length).toBeGreaterThan(0);
  });

  it('should aim a Dasar kampung whose output passes at Mandiri, never at dropping its output', () => {
    const r = results(
      { pokja_exists: false, funding_sources: [], facilities: [], data_sources: [], operating_steps: [] },
      reportAnswers(),
    );
    const a = lift(RULE_SET_V1, r);
    expect(a.failing.map((f) => f.index)).toEqual(['input', 'process']);
    expect(a.nextLevel?.level).toBe('mandiri');
    expect(a.nextLevel?.indices).toHaveLength(1);
  });

  it('should give a kampung with no report the output moves it needs, with no change figure', () => {
    const r = results({}, null);
    const output = liftIndex(RULE_SET_V1, r, 'output');
    expect(output.pointsNeeded).toBe(8);
    expect(output.moves.every((m) => m.fromValue === null && m.change === null)).toBe(true);
  });

  it('should have nothing to lift at Berkelanjutan', () => {
    const a = lift(RULE_SET_V1, results({}, reportAnswers()));
    expect(a).toEqual({ failing: [], nextLevel: null });
  });
});
