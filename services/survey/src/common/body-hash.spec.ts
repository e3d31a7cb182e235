import { bodyHash, canonicalJson } from './body-hash';

describe(canonicalJson.name, () => {
  it('should sort keys at every level and keep array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: 'x' } })).toBe('{"a":{"c":"x","d":[2,1]},"b":1}');
  });

  it('should leave out undefined members like JSON does', () => {
    expect(canonicalJson({ a: undefined, b: null })).toBe('{"b":null}');
  });
});

describe(bodyHash.name, () => {
  it('should hash equal values equally and different values differently', () => {
    expect(bodyHash(['k', 1, { a: 1 }])).toBe(bodyHash(['k', 1, { a: 1 }]));
    expect(bodyHash(['k', 1, { a: 1 }])).not.toBe(bodyHash(['k', 1, { a: 2 }]));
    expect(bodyHash({ a: [1, 2] })).not.toBe(bodyHash({ a: [2, 1] }));
    expect(bodyHash(['a'])).toMatch(/^[0-9a-f]{64}$/);
  });
});
