import { ancestorsOf, kindOf, parentOf, parseRegionCode, searchForm } from './region-code';

describe(parseRegionCode.name, () => {
  it.each([
    ['16', '16', 'province'],
    ['1610', '16.10', 'regency'],
    ['16.10', '16.10', 'regency'],
    ['161005', '16.10.05', 'district'],
    ['16.10.05.2041', '16.10.05.2041', 'village'],
    ['1610052041', '16.10.05.2041', 'village'],
    [' 16.10.05 ', '16.10.05', 'district'],
  ])('should read %s as %s (%s)', (input, dotted, level) => {
    expect(parseRegionCode(input)).toMatchObject({ dotted, level });
  });

  it.each(['', '1', '161', '16100520', '16.1', '16.10.5', '16-10', 'abc', '16.10.05.20411', '16..10'])(
    'should refuse %p',
    (input) => expect(parseRegionCode(input)).toBeNull(),
  );
});

describe(kindOf.name, () => {
  it.each([
    ['16', 'provinsi'],
    ['16.10', 'kabupaten'],
    ['16.69', 'kabupaten'],
    ['16.71', 'kota'],
    ['16.10.05', 'kecamatan'],
    ['16.10.05.2041', 'desa'],
    ['16.71.01.1001', 'kelurahan'],
    ['91.01.01.3001', 'desa_adat'],
  ])('should classify %s as %s', (code, kind) => expect(kindOf(code)).toBe(kind));
});

describe(searchForm.name, () => {
  it('should fold case, accents and punctuation', () => {
    expect(searchForm('  Désa  SEMBADAK ')).toBe('desa sembadak');
    expect(searchForm("Ma'rang-Kota")).toBe('ma rang kota');
  });
});

describe(ancestorsOf.name, () => {
  it('should list the ancestors from the province down', () => {
    expect(ancestorsOf('16.10.05.2041')).toEqual(['16', '16.10', '16.10.05']);
    expect(ancestorsOf('16')).toEqual([]);
    expect(parentOf('16.10.05')).toBe('16.10');
    expect(parentOf('16')).toBeNull();
  });
});
