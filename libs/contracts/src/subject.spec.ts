import { ALL_CONTRACTS } from './catalog';
import {
  deadLetterSubject,
  NATIONAL_PROVINCE,
  parseSubject,
  producerFilter,
  provinceOf,
  subjectFor,
} from './subject';

const REGISTERED = 'kkb.registry.kampung.registered.v1';

describe(subjectFor.name, () => {
  it('should append the province token to the event type', () => {
    expect(subjectFor(REGISTERED, '16')).toBe('kkb.registry.kampung.registered.v1.16');
    expect(subjectFor('kkb.classification.kampung.classified.v1', '16')).toBe(
      'kkb.classification.kampung.classified.v1.16',
    );
  });

  it('should use the national token 00 as is', () => {
    expect(subjectFor('kkb.registry.regions.imported.v1', NATIONAL_PROVINCE)).toBe(
      'kkb.registry.regions.imported.v1.00',
    );
  });

  it('should replace the leading kkb with a given root', () => {
    expect(subjectFor(REGISTERED, '31', 'test-3f9a')).toBe('test-3f9a.registry.kampung.registered.v1.31');
  });

  it('should throw for a province token that is not exactly two digits', () => {
    for (const province of ['1', '161', 'ab', '', '1a', ' 16', '*', '>']) {
      expect(() => subjectFor(REGISTERED, province)).toThrow(`invalid province token '${province}'`);
    }
  });

  it('should give a subject of six tokens for every contract', () => {
    for (const c of ALL_CONTRACTS) {
      const tokens = subjectFor(c.type, '16').split('.');
      expect(tokens).toEqual(['kkb', c.producer, c.aggregate, c.verb, `v${c.major}`, '16']);
    }
  });
});

describe(parseSubject.name, () => {
  it('should round-trip every contract type and province through subjectFor', () => {
    for (const c of ALL_CONTRACTS) {
      for (const province of ['00', '11', '16', '96']) {
        expect(parseSubject(subjectFor(c.type, province))).toEqual({ type: c.type, province });
      }
    }
  });

  it('should give the kkb type back for a subject under a test root', () => {
    expect(parseSubject(subjectFor(REGISTERED, '16', 'test-3f9a'))).toEqual({
      type: REGISTERED,
      province: '16',
    });
  });

  it('should return null for a subject with the wrong number of tokens', () => {
    for (const subject of [
      '',
      'kkb',
      'kkb.registry.kampung.registered.v1',
      'kkb.registry.kampung.registered.v1.16.extra',
      'kkb.registry.>',
      deadLetterSubject('classification', 'classification-registry-kampung'),
    ]) {
      expect(parseSubject(subject)).toBeNull();
    }
  });

  it('should return null for six tokens that are not an event subject', () => {
    for (const subject of [
      'kkb.registry.kampung.registered.v1.161',
      'kkb.registry.kampung.registered.v1.1x',
      'kkb.registry.kampung.registered.v1.*',
      'kkb.*.*.*.*.16',
      'kkb.registry.kampung.registered.1.16',
      'kkb.registry.Kampung.registered.v1.16',
      'kkb.registry.kampung..v1.16',
    ]) {
      expect(parseSubject(subject)).toBeNull();
    }
  });
});

describe(provinceOf.name, () => {
  it('should take the first two digits of a dotted or compact region code', () => {
    expect(provinceOf('16.10.05.2041')).toBe('16');
    expect(provinceOf('1610052041')).toBe('16');
    expect(provinceOf('16.10')).toBe('16');
    expect(provinceOf('31')).toBe('31');
  });

  it('should give the national token for no region or a code without a province', () => {
    for (const code of [null, undefined, '', '1', 'x', 'national']) {
      expect(provinceOf(code)).toBe(NATIONAL_PROVINCE);
    }
  });

  it('should give a token that subjectFor accepts and parseSubject gives back', () => {
    for (const code of ['16.10.05.2041', '3171', null]) {
      const province = provinceOf(code);
      expect(parseSubject(subjectFor(REGISTERED, province))?.province).toBe(province);
    }
  });
});

describe(deadLetterSubject.name, () => {
  it('should build kkb.dlq.<service>.<consumer>', () => {
    expect(deadLetterSubject('classification', 'classification-registry-kampung')).toBe(
      'kkb.dlq.classification.classification-registry-kampung',
    );
  });

  it('should replace the leading kkb with a given root', () => {
    expect(deadLetterSubject('survey', 'survey-registry', 'test-3f9a')).toBe(
      'test-3f9a.dlq.survey.survey-registry',
    );
  });

  it('should never be mistaken for an event subject', () => {
    expect(parseSubject(deadLetterSubject('registry', 'registry-self'))).toBeNull();
  });
});

describe(producerFilter.name, () => {
  it('should take everything one producer publishes', () => {
    expect(producerFilter('registry')).toBe('kkb.registry.>');
    expect(producerFilter('survey', 'test-3f9a')).toBe('test-3f9a.survey.>');
  });
});
