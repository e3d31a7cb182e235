import { isTypePattern, matchesType, regionMatches, regionOfEvent, typePatternRegex } from './event-matching';

describe('event matching', () => {
  it.each([
    ['kkb.classification.>', 'kkb.classification.kampung.classified.v1', true],
    ['kkb.classification.>', 'kkb.classification', false],
    ['kkb.classification.>', 'kkb.registry.kampung.registered.v1', false],
    ['kkb.*.kampung.*.v1', 'kkb.registry.kampung.registered.v1', true],
    ['kkb.*.kampung.*.v1', 'kkb.classification.kampung.classified.v1', true],
    ['kkb.*.kampung.*.v1', 'kkb.registry.regions.imported.v1', false],
    ['kkb.*.kampung.*.v1', 'kkb.registry.kampung.registered.v2', false],
    ['kkb.registry.kampung.registered.v1', 'kkb.registry.kampung.registered.v1', true],
    ['kkb.registry.kampung.registered.v1', 'kkbxregistry.kampung.registered.v1', false],
    ['>', 'kkb.survey.report.overdue.v1', true],
  ])('should match %s against %s: %s', (pattern, type, expected) => {
    expect(matchesType([pattern], type)).toBe(expected);
  });

  it('should match any of several patterns', () => {
    const patterns = ['kkb.survey.submission.rejected.v1', 'kkb.registry.>'];
    expect(matchesType(patterns, 'kkb.registry.kampung.merged.v1')).toBe(true);
    expect(matchesType(patterns, 'kkb.survey.submission.rejected.v1')).toBe(true);
    expect(matchesType(patterns, 'kkb.survey.submission.verified.v1')).toBe(false);
    expect(typePatternRegex(patterns)).toBe(
      '^(kkb\\.survey\\.submission\\.rejected\\.v1|kkb\\.registry\\..+)$',
    );
  });

  it.each(['kkb..x', 'kkb.>.x', 'KKB.x', 'kkb.x.', '', 'kkb.(x|y)', 'kkb.x*'])(
    'should refuse the pattern %j',
    (p) => {
      expect(isTypePattern(p)).toBe(false);
    },
  );

  it('should take the village of an event, else its province, and nothing for a national event', () => {
    expect(regionOfEvent({ province: '16', data: { villageCode: '16.10.05.2041' } })).toBe('1610052041');
    expect(regionOfEvent({ province: '16', data: { kampungId: 'x' } })).toBe('16');
    expect(regionOfEvent({ province: '00', data: {} })).toBe('');
  });

  it('should let a national event through every region filter and keep other regions out', () => {
    expect(regionMatches('16', '')).toBe(true);
    expect(regionMatches('16', '1610052041')).toBe(true);
    expect(regionMatches('1610', '1610052041')).toBe(true);
    expect(regionMatches('1610', '16')).toBe(false);
    expect(regionMatches('16', '1801012001')).toBe(false);
    expect(regionMatches('', '1801012001')).toBe(true);
  });
});
