import { formatDate, formatDecimal, formatMonth, formatNumber, formatPercent, localeOf } from './format';

// Intl output uses narrow/non-breaking spaces in some locales; compare with plain spaces.
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('format (id-ID by default)', () => {
  it('picks id-ID for Indonesian and en-GB for English', () => {
    expect(localeOf('id')).toBe('id-ID');
    expect(localeOf('en')).toBe('en-GB');
    expect(localeOf('xx')).toBe('id-ID');
  });

  it('groups thousands with a dot and decimals with a comma', () => {
    expect(formatNumber(83762, 0, 'id')).toBe('83.762');
    expect(formatNumber(1234.56, 1, 'id')).toBe('1.234,6');
    expect(formatNumber(83762, 0, 'en')).toBe('83,762');
    expect(formatNumber(null, 0, 'id')).toBe('–');
  });

  it('formats fixed decimals', () => {
    expect(formatDecimal(3.5, 2, 'id')).toBe('3,50');
    expect(formatDecimal(1234.5, 1, 'id')).toBe('1.234,5');
    expect(formatDecimal(null)).toBe('–');
  });

  it('formats percent points with a comma', () => {
    expect(plain(formatPercent(15.234, { lang: 'id' }))).toBe('15,2%');
    expect(plain(formatPercent(0.5, { ratio: true, digits: 0, lang: 'id' }))).toBe('50%');
    expect(plain(formatPercent(15.234, { lang: 'en' }))).toBe('15.2%');
    expect(formatPercent(undefined, { lang: 'id' })).toBe('–');
  });

  it('formats dates and months in Indonesian', () => {
    expect(plain(formatDate('2025-01-03', { lang: 'id' }))).toBe('3 Jan 2025');
    expect(plain(formatDate('2025-08-17', { lang: 'id' }))).toBe('17 Agu 2025');
    expect(plain(formatMonth('2025-05', { lang: 'id' }))).toBe('Mei 2025');
    expect(plain(formatMonth('2025-05', { long: true, lang: 'id' }))).toBe('Mei 2025');
    expect(plain(formatMonth('2025-08', { long: true, lang: 'id' }))).toBe('Agustus 2025');
    expect(plain(formatMonth('2025-08', { lang: 'en' }))).toBe('Aug 2025');
    expect(formatDate('not a date', { lang: 'id' })).toBe('–');
    expect(formatMonth(null)).toBe('–');
  });

  it('formats a timestamp with hours and minutes', () => {
    const s = plain(formatDate(new Date(2025, 0, 3, 14, 5), { time: true, lang: 'id' }));
    expect(s).toMatch(/^3 Jan 2025/);
    expect(s).toMatch(/14[.:]05/);
  });
});
