import { InvalidRegionCodeError } from './invalid-region-code.error';
import { compactRegionCode, isRegionCode } from './region-code.util';

describe(compactRegionCode.name, () => {
  it.each([
    ['16', '16'],
    ['1610', '1610'],
    ['161005', '161005'],
    ['1610052041', '1610052041'],
    ['16.10', '1610'],
    ['16.10.05', '161005'],
    ['16.10.05.2041', '1610052041'],
  ])('should compact %p to %p', (input, expected) => {
    expect(compactRegionCode(input)).toBe(expected);
  });

  it.each([
    [''],
    ['1'],
    ['161'],
    ['16100'],
    ['16100520'],
    ['16100520411'],
    ['16.1'],
    ['1.6'],
    ['16..10'],
    ['16.10.05.204'],
    ['16.10.052041'],
    ['16.'],
    ['16a0'],
    [' 16'],
    ['-16'],
  ])('should reject %p with a 400 that names the code', (input) => {
    expect(() => compactRegionCode(input)).toThrow(InvalidRegionCodeError);
    expect(() => compactRegionCode(input)).toThrow(`invalid region code '${input}'`);
    try {
      compactRegionCode(input);
    } catch (err) {
      expect((err as InvalidRegionCodeError).getStatus()).toBe(400);
    }
  });

  it('should reject a value that is not a string', () => {
    expect(() => compactRegionCode(16 as unknown as string)).toThrow(InvalidRegionCodeError);
  });
});

describe(isRegionCode.name, () => {
  it('should tell region codes from everything else without throwing', () => {
    expect(isRegionCode('16.10')).toBe(true);
    expect(isRegionCode('161')).toBe(false);
    expect(isRegionCode(undefined)).toBe(false);
  });
});
