import { profileAnswers, reportAnswers } from '../../test/factories';
import { compile, normaliseAnswers, validateAnswers } from '@kkb/instrument-rules';
import type { InstrumentDefinition } from '@kkb/instrument-rules';
import { kampungProfileV1 } from './seed/kampung-profile.v1';
import { monthlyReportV1 } from './seed/monthly-report.v1';

const report = compile(monthlyReportV1);
const profile = compile(kampungProfileV1);
const fields = (errors: { field: string }[]) => [...new Set(errors.map((e) => e.field))].sort();

describe(validateAnswers.name, () => {
  describe('monthly report v1', () => {
    it('should accept a consistent report', () => {
      expect(validateAnswers(report, reportAnswers())).toEqual([]);
    });

    it('should accept users adding up to exactly the PUS and non-users to exactly the rest', () => {
      const answers = reportAnswers({
        pus: 100,
        users_iud: 10,
        users_mow: 10,
        users_mop: 10,
        users_condom: 10,
        users_implant: 10,
        users_injection: 10,
        users_pill: 10,
        nonusers_pregnant: 10,
        nonusers_want_child_now: 10,
        nonusers_iat: 5,
        nonusers_tial: 5,
        bpjs_users: 100,
      });
      expect(validateAnswers(report, answers)).toEqual([]);
    });

    it('should refuse contraceptive users by method adding up to more than the PUS, on every user field', () => {
      const errors = validateAnswers(
        report,
        reportAnswers({
          pus: 400,
          nonusers_iat: 0,
          nonusers_tial: 0,
          nonusers_pregnant: 0,
          nonusers_want_child_now: 0,
          bpjs_users: 0,
        }),
      );
      expect(fields(errors)).toEqual(
        ['iud', 'mow', 'mop', 'condom', 'implant', 'injection', 'pill']
          .map((m) => `answers.users_${m}`)
          .sort(),
      );
      expect(errors[0].reason).toMatch(
        /users_iud \+ .* \(= 404\) must not exceed pus \(400\).*\[rule users_lte_pus\]/,
      );
    });

    it('should refuse non-users by reason above the PUS minus the users', () => {
      // users add up to 404 of 500 PUS: 96 are left, the non-users claim 133.
      const errors = validateAnswers(report, reportAnswers({ pus: 500 }));
      expect(fields(errors)).toEqual(
        ['nonusers_iat', 'nonusers_pregnant', 'nonusers_tial', 'nonusers_want_child_now'].map(
          (f) => `answers.${f}`,
        ),
      );
      expect(errors[0].reason).toMatch(/\(= 133\) must not exceed pus - \(users_iud .*\) \(= 96\)/);
      expect(errors[0].reason).toMatch(/\[rule nonusers_lte_pus_minus_users\]/);
    });

    it.each(['bkb', 'bkr', 'bkl', 'uppka', 'pik_r'])(
      'should refuse %s participants above its target families',
      (poktan) => {
        const errors = validateAnswers(report, reportAnswers({ [`${poktan}_participants`]: 500 }));
        expect(errors).toEqual([
          {
            field: `answers.${poktan}_participants`,
            reason: expect.stringMatching(
              new RegExp(
                `${poktan}_participants \\(500\\) must not exceed ${poktan}_target_families .*\\[rule ${poktan}_participants_lte_target\\]`,
              ),
            ),
          },
        ]);
      },
    );

    it('should refuse BPJS users above the PUS', () => {
      expect(fields(validateAnswers(report, reportAnswers({ bpjs_users: 641 })))).toEqual([
        'answers.bpjs_users',
      ]);
    });

    it('should list every failing field at once: missing, mistyped, out of bounds, unknown', () => {
      const answers: Record<string, unknown> = reportAnswers({
        pus: -1,
        users_pill: 2.5,
        users_iud: '40',
        colour: 'red',
      });
      delete answers.bkb_participants;
      expect(validateAnswers(report, answers)).toEqual(
        expect.arrayContaining([
          { field: 'answers.colour', reason: 'is not a question of this instrument version' },
          { field: 'answers.bkb_participants', reason: 'is required' },
          { field: 'answers.pus', reason: 'must be at least 0' },
          { field: 'answers.users_pill', reason: 'must be a whole number' },
          { field: 'answers.users_iud', reason: 'must be a number' },
        ]),
      );
    });

    it('should not run a rule over a field that is already wrong', () => {
      const errors = validateAnswers(report, reportAnswers({ pus: 'many' }));
      expect(errors).toEqual([{ field: 'answers.pus', reason: 'must be a number' }]);
    });

    it('should refuse answers that are not an object', () => {
      expect(validateAnswers(report, [1, 2])).toEqual([
        { field: 'answers', reason: 'answers must be an object keyed by question id' },
      ]);
    });
  });

  describe('kampung profile v1', () => {
    it('should accept a consistent profile', () => {
      expect(validateAnswers(profile, profileAnswers())).toEqual([]);
    });

    it('should skip Pokja details when there is no Pokja, and refuse them when given', () => {
      const none = profileAnswers({ pokja_exists: false });
      delete none.pokja_members;
      delete none.pokja_trained;
      expect(validateAnswers(profile, none)).toEqual([]);
      expect(fields(validateAnswers(profile, profileAnswers({ pokja_exists: false })))).toEqual([
        'answers.pokja_members',
        'answers.pokja_trained',
      ]);
    });

    it('should require the SK issuer when there is an SK, from its code list', () => {
      const missing = profileAnswers();
      delete missing.sk_issuer;
      expect(validateAnswers(profile, missing)).toEqual([
        { field: 'answers.sk_issuer', reason: 'is required' },
      ]);
      expect(validateAnswers(profile, profileAnswers({ sk_issuer: 'president' }))[0].reason).toMatch(
        /must be one of governor, regent_mayor, camat, village_head/,
      );
    });

    it('should take multiple choices from the code list, once each, possibly none', () => {
      expect(validateAnswers(profile, profileAnswers({ funding_sources: [] }))).toEqual([]);
      expect(validateAnswers(profile, profileAnswers({ funding_sources: ['apbn', 'bank'] }))[0]).toEqual({
        field: 'answers.funding_sources',
        reason: expect.stringMatching(/unknown code\(s\) bank/),
      });
      expect(
        validateAnswers(profile, profileAnswers({ facilities: ['secretariat', 'secretariat'] }))[0].reason,
      ).toBe('lists a code more than once');
      expect(validateAnswers(profile, profileAnswers({ data_sources: 'pk' }))[0].reason).toMatch(
        /list of codes/,
      );
    });

    it.each(['toddler', 'teen', 'elderly'])('should refuse more families with a %s than families', (who) => {
      expect(fields(validateAnswers(profile, profileAnswers({ [`families_with_${who}`]: 901 })))).toEqual([
        `answers.families_with_${who}`,
      ]);
    });

    it('should leave optional population answers out, but not take null for them', () => {
      const answers = profileAnswers();
      delete answers.population_m_0_4;
      expect(validateAnswers(profile, answers)).toEqual([]);
      expect(validateAnswers(profile, profileAnswers({ population_f_75_plus: null }))).toEqual([
        {
          field: 'answers.population_f_75_plus',
          reason: 'must be left out rather than null when unanswered',
        },
      ]);
    });

    it('should refuse a boolean given as text', () => {
      expect(validateAnswers(profile, profileAnswers({ plkb_assigned: 'yes' }))).toEqual([
        { field: 'answers.plkb_assigned', reason: 'must be true or false' },
      ]);
    });
  });

  describe('other question types', () => {
    const def: InstrumentDefinition = {
      codeLists: {},
      questions: [
        {
          id: 'visited_on',
          type: 'date',
          label: 'Visit date',
          required: true,
          min: '2020-01-01',
          max: '2030-12-31',
        },
        { id: 'notes', type: 'text', label: 'Notes', required: false, maxLength: 10 },
        { id: 'share', type: 'decimal', label: 'Share', required: false, min: 0, max: 1 },
      ],
      rules: [],
    };
    const c = compile(def);

    it('should check dates are real calendar dates within bounds', () => {
      expect(validateAnswers(c, { visited_on: '2024-02-29' })).toEqual([]);
      expect(validateAnswers(c, { visited_on: '2023-02-29' })[0].reason).toBe('must be a date YYYY-MM-DD');
      expect(validateAnswers(c, { visited_on: '2019-12-31' })[0].reason).toBe(
        'must be on or after 2020-01-01',
      );
      expect(validateAnswers(c, { visited_on: '2031-01-01' })[0].reason).toBe(
        'must be on or before 2030-12-31',
      );
    });

    it('should bound text length and decimals', () => {
      expect(validateAnswers(c, { visited_on: '2024-01-01', notes: 'x'.repeat(11) })[0].reason).toBe(
        'must be at most 10 characters',
      );
      expect(validateAnswers(c, { visited_on: '2024-01-01', share: 0.25 })).toEqual([]);
      expect(validateAnswers(c, { visited_on: '2024-01-01', share: 1.5 })[0].reason).toBe(
        'must be at most 1',
      );
    });
  });
});

describe(normaliseAnswers.name, () => {
  it('should keep answered questions in instrument order and drop unanswered ones', () => {
    const out = normaliseAnswers(report, { pus: 3, bkb_participants: 1, bkb_target_families: undefined });
    expect(Object.keys(out)).toEqual(['bkb_participants', 'pus']);
  });
});
