import type { InstrumentDefinition } from '@kkb/instrument-rules';
import { CONTRACEPTIVE_METHODS, monthlyReportV1, NON_USE_REASONS, POKTAN } from './monthly-report.v1';
import { withWords, type InstrumentWords } from './with-words';

/**
 * Monthly programme report (KKBPK), version 2, as published by migration 1764300500600: version
 * 1's questions and rules unchanged, with their words in Bahasa Indonesia and English (`labels`,
 * `descriptions`) and the section headings. Published versions are immutable: never edit this
 * file once the migration has run; publish a new version instead.
 */
const POKTAN_WORDS: Record<string, string> = {
  bkb: 'BKB (Bina Keluarga Balita)',
  bkr: 'BKR (Bina Keluarga Remaja)',
  bkl: 'BKL (Bina Keluarga Lansia)',
  uppka: 'UPPKA (Usaha Peningkatan Pendapatan Keluarga Akseptor)',
  pik_r: 'PIK-R (Pusat Informasi dan Konseling Remaja)',
};

const METHOD_WORDS: Record<string, string> = {
  iud: 'IUD',
  mow: 'MOW (tubektomi)',
  mop: 'MOP (vasektomi)',
  condom: 'kondom',
  implant: 'implan',
  injection: 'suntik',
  pill: 'pil',
};

const REASON_WORDS: Record<string, string> = {
  pregnant: 'hamil',
  want_child_now: 'ingin anak segera',
  iat: 'ingin anak ditunda (IAT)',
  tial: 'tidak ingin anak lagi (TIAL)',
};

/** The words of one of the lists above, failing loudly when v1's list has an entry it lacks. */
const wordsOf = (table: Record<string, string>, id: string): string => {
  const text = table[id];
  if (!text) throw new Error(`monthly-report v2: no words for ${id}`);
  return text;
};

export const MONTHLY_REPORT_V2_WORDS: InstrumentWords = {
  codes: {},
  questions: {
    ...Object.fromEntries(
      POKTAN.flatMap((p) => [
        [
          `${p.id}_participants`,
          `${wordsOf(POKTAN_WORDS, p.id)}: keluarga yang mengikuti kegiatan bulan ini`,
        ],
        [`${p.id}_target_families`, `${wordsOf(POKTAN_WORDS, p.id)}: keluarga sasaran`],
      ]),
    ),
    pus: 'Jumlah Pasangan Usia Subur (PUS)',
    ...Object.fromEntries(
      CONTRACEPTIVE_METHODS.map((m) => [`users_${m.id}`, `PUS peserta KB: ${wordsOf(METHOD_WORDS, m.id)}`]),
    ),
    ...Object.fromEntries(
      NON_USE_REASONS.map((r) => [
        `nonusers_${r.id}`,
        `PUS bukan peserta KB dengan alasan: ${wordsOf(REASON_WORDS, r.id)}`,
      ]),
    ),
    bpjs_users: 'Peserta KB yang memiliki jaminan kesehatan (BPJS/JKN)',
  },
  rules: {
    ...Object.fromEntries(
      POKTAN.map((p) => [
        `${p.id}_participants_lte_target`,
        `Keluarga yang mengikuti kegiatan ${wordsOf(POKTAN_WORDS, p.id).split(' ')[0]} tidak boleh melebihi keluarga sasaran`,
      ]),
    ),
    users_lte_pus: 'Peserta KB per metode tidak boleh melebihi PUS',
    nonusers_lte_pus_minus_users:
      'PUS bukan peserta KB menurut alasan tidak boleh melebihi PUS dikurangi peserta KB',
    bpjs_users_lte_pus: 'Peserta KB dengan BPJS/JKN tidak boleh melebihi PUS',
  },
  sections: {
    poktan: { id: 'Kelompok kegiatan (poktan)', en: 'Community groups (poktan)' },
    family_planning: { id: 'Keluarga Berencana (KB)', en: 'Family planning' },
  },
};

export const monthlyReportV2: InstrumentDefinition = withWords(
  'monthly-report v2',
  monthlyReportV1,
  MONTHLY_REPORT_V2_WORDS,
);
