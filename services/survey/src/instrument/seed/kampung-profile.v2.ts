import type { InstrumentDefinition } from '@kkb/instrument-rules';
import { AGE_BANDS, kampungProfileV1 } from './kampung-profile.v1';
import { withWords, type InstrumentWords } from './with-words';

/**
 * Kampung profile, version 2, as published by migration 1764300500600: version 1's questions,
 * code lists and rules unchanged, with their words in Bahasa Indonesia and English (`labels`,
 * `descriptions`) and the section headings. Published versions are immutable: never edit this
 * file once the migration has run; publish a new version instead.
 */
const ageWords = (band: string): string =>
  band === '75_plus' ? '75 tahun ke atas' : `${band.replace('_', '–')} tahun`;

export const KAMPUNG_PROFILE_V2_WORDS: InstrumentWords = {
  codes: {
    regulation_issuer: {
      governor: 'Gubernur',
      regent_mayor: 'Bupati/Wali Kota',
      camat: 'Camat',
      village_head: 'Kepala Desa/Lurah',
    },
    funding_source: {
      apbn: 'Anggaran Pendapatan dan Belanja Negara (APBN)',
      apbd: 'Anggaran Pendapatan dan Belanja Daerah (APBD)',
      dana_desa: 'Dana Desa',
      csr: 'Tanggung jawab sosial perusahaan (CSR)',
      swadaya: 'Swadaya masyarakat',
      hibah: 'Hibah',
    },
    poktan_service: {
      bkb: 'BKB: Bina Keluarga Balita',
      bkr: 'BKR: Bina Keluarga Remaja',
      bkl: 'BKL: Bina Keluarga Lansia',
      uppka: 'UPPKA: Usaha Peningkatan Pendapatan Keluarga Akseptor',
      pik_r: 'PIK-R: Pusat Informasi dan Konseling Remaja',
      kb_kr_service: 'Pelayanan Keluarga Berencana dan Kesehatan Reproduksi (KB-KR)',
      population_service: 'Pelayanan administrasi kependudukan',
      other_sector: 'Pelayanan lintas sektor lainnya',
    },
    facility: {
      secretariat: 'Sekretariat',
      rumah_dataku: 'Rumah DataKu',
    },
    data_source: {
      pk: 'Pendataan Keluarga (PK)',
      bkkbn_routine: 'Data rutin BKKBN (SIGA)',
      village_potential: 'Potensi Desa',
      sectoral: 'Data sektoral',
      other: 'Data lainnya',
    },
    operating_step: {
      planning_meeting: 'Rapat perencanaan',
      coordination: 'Koordinasi',
      socialisation: 'Sosialisasi',
      monitoring_evaluation: 'Pemantauan dan evaluasi',
      reporting: 'Pelaporan',
    },
  },
  questions: {
    pokja_exists: 'Pokja Kampung KB sudah terbentuk',
    pokja_members: 'Jumlah anggota Pokja',
    pokja_trained: 'Pokja sudah mendapat pelatihan',
    sk_exists: 'Ada SK pembentukan Kampung KB dan Pokja',
    sk_issuer: 'Penerbit SK',
    plkb_assigned: 'Ada PLKB/PKB yang ditugaskan mendampingi',
    funding_sources: 'Sumber pendanaan',
    poktan_services: 'Kelompok kegiatan (poktan) dan pelayanan yang ada',
    facilities: 'Sarana',
    data_sources: 'Sumber data yang digunakan dalam perencanaan',
    operating_steps: 'Mekanisme operasional yang dilaksanakan',
    agencies: 'Jumlah instansi yang terlibat dalam kegiatan',
    ...Object.fromEntries(
      AGE_BANDS.flatMap((band) => [
        [`population_m_${band}`, `Jumlah penduduk laki-laki umur ${ageWords(band)}`],
        [`population_f_${band}`, `Jumlah penduduk perempuan umur ${ageWords(band)}`],
      ]),
    ),
    pus: 'Jumlah Pasangan Usia Subur (PUS)',
    families: 'Jumlah keluarga',
    families_with_toddler: 'Jumlah keluarga dengan balita',
    families_with_teen: 'Jumlah keluarga dengan remaja',
    families_with_elderly: 'Jumlah keluarga dengan lansia',
  },
  rules: {
    families_with_toddler_lte_families: 'Keluarga dengan balita tidak boleh melebihi jumlah keluarga',
    families_with_teen_lte_families: 'Keluarga dengan remaja tidak boleh melebihi jumlah keluarga',
    families_with_elderly_lte_families: 'Keluarga dengan lansia tidak boleh melebihi jumlah keluarga',
  },
  sections: {
    pokja: { id: 'Kelompok Kerja (Pokja)', en: 'Working group (Pokja)' },
    regulation: { id: 'Regulasi (SK)', en: 'Regulation (SK)' },
    field_officer: { id: 'Petugas lapangan (PLKB/PKB)', en: 'Field officer (PLKB/PKB)' },
    funding: { id: 'Sumber pendanaan', en: 'Funding' },
    poktan: { id: 'Kelompok kegiatan (poktan) dan pelayanan', en: 'Community groups (poktan) and services' },
    facilities: { id: 'Sarana', en: 'Facilities' },
    planning: { id: 'Penggunaan data dalam perencanaan', en: 'Data used in planning' },
    operations: { id: 'Mekanisme operasional', en: 'Operating mechanism (mekanisme operasional)' },
    population: { id: 'Penduduk menurut kelompok umur dan jenis kelamin', en: 'Population by age and sex' },
    families: { id: 'Keluarga', en: 'Families' },
  },
};

export const kampungProfileV2: InstrumentDefinition = withWords(
  'kampung-profile v2',
  kampungProfileV1,
  KAMPUNG_PROFILE_V2_WORDS,
);
