import { decodeClaims } from './auth/token-store';
import { levelKey, levelStyle } from './levels';
import { apiFilter, parseChoices } from './pages/map/choices';
import { fileNameOf, filterQuery, readFilters } from './pages/list/filters';
import { dottedRegion } from './region-code';

function token(claims: object): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}.signature`;
}

describe('dottedRegion', () => {
  it('dots a compact code and keeps a dotted one', () => {
    expect(dottedRegion('')).toBe('');
    expect(dottedRegion('16')).toBe('16');
    expect(dottedRegion('1610')).toBe('16.10');
    expect(dottedRegion('1610052041')).toBe('16.10.05.2041');
    expect(dottedRegion('16.10.05')).toBe('16.10.05');
  });
});

describe('decodeClaims', () => {
  it('reads role, scope and name (for display only)', () => {
    expect(
      decodeClaims(token({ role: 'province', scope: '16', name: 'Rudi Hartono', sub: 'x' })),
    ).toMatchObject({
      role: 'province',
      scope: '16',
      name: 'Rudi Hartono',
    });
    expect(decodeClaims(token({ role: 'national', name: 'Dewi Ayu Ñ' }))?.scope).toBe('');
  });

  it('refuses what is not a token', () => {
    expect(decodeClaims('nonsense')).toBeNull();
    expect(decodeClaims('a.b.c')).toBeNull();
    expect(decodeClaims(token({ scope: '16' }))).toBeNull();
  });
});

describe('levels', () => {
  it('names null and unknown as not assessed', () => {
    expect(levelKey('mandiri')).toBe('common:level.mandiri');
    expect(levelKey(null)).toBe('common:level.none');
    expect(levelKey('other')).toBe('common:level.none');
    expect(levelStyle('dasar').colour).not.toBe(levelStyle('berkembang').colour);
  });
});

describe('list filters', () => {
  it('reads the URL and defaults to the scope', () => {
    const f = readFilters(
      new URLSearchParams('level=mandiri,bogus,dasar&model=true&sort=level&order=desc'),
      '1610',
    );
    expect(f).toEqual({
      region: '16.10',
      level: ['mandiri', 'dasar'],
      model: 'true',
      assessed: '',
      q: '',
      sort: 'level',
      order: 'desc',
    });
    expect(readFilters(new URLSearchParams('sort=drop'), '').sort).toBe('name');
  });

  it('asks the API only for what is set', () => {
    const q = filterQuery(
      readFilters(new URLSearchParams('region=16.10&assessed=false&q=%20seroja%20'), '16'),
    );
    expect(q).toEqual({ sort: 'name', order: 'asc', region: '16.10', assessed: 'false', q: 'seroja' });
    expect(filterQuery(readFilters(new URLSearchParams(''), ''))).toEqual({ sort: 'name', order: 'asc' });
  });

  it('takes the download name from Content-Disposition', () => {
    const r = (cd: string) => ({ headers: new Headers({ 'content-disposition': cd }) }) as Response;
    expect(fileNameOf(r('attachment; filename="kampung-kb-16.csv"'), 'x')).toBe('kampung-kb-16.csv');
    expect(fileNameOf(r("attachment; filename*=UTF-8''kampung%20kb.xlsx"), 'x')).toBe('kampung kb.xlsx');
    expect(fileNameOf(r(''), 'fallback.csv')).toBe('fallback.csv');
  });
});

describe('map level choices', () => {
  it('asks the API for levels when it can, else for everything', () => {
    expect(apiFilter(parseChoices(null))).toEqual({});
    expect(apiFilter(parseChoices('dasar,mandiri'))).toEqual({ level: 'dasar,mandiri' });
    expect(apiFilter(parseChoices('none'))).toEqual({ assessed: false });
    expect(apiFilter(parseChoices('dasar,none'))).toEqual({});
    expect(apiFilter(parseChoices('off'))).toBeNull();
  });
});
