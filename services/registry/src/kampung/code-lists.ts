/**
 * Code lists of the register: Indonesian codes (as the programme uses them) with English labels.
 * Sources: domain brief sections 1–2 (Pokja seksi = the 8 family functions; selection criteria).
 */
export const SEKSI = {
  agama: 'Religion',
  sosial_budaya: 'Socio-cultural',
  cinta_kasih: 'Love and affection',
  perlindungan: 'Protection',
  reproduksi: 'Reproduction',
  pendidikan: 'Socialisation and education',
  ekonomi: 'Economy',
  lingkungan: 'Environment',
} as const;

export const SK_ISSUERS = {
  gubernur: 'Governor',
  bupati_walikota: 'Regent or mayor',
  camat: 'District head (camat)',
  kepala_desa: 'Village head',
} as const;

export const SELECTION_CRITERIA = {
  keluarga_miskin: 'Poor families (Pra-S/KS I) above the village average',
  kesertaan_kb_rendah: 'Family-planning uptake below the village average',
  kumuh: 'Slum area',
  pesisir: 'Coastal area',
  bantaran_sungai: 'Riverbank',
  bantaran_kereta_api: 'Along a railway',
  perbatasan: 'Border area',
  terpencil: 'Remote area',
  kawasan_industri: 'Industrial area',
  kawasan_wisata: 'Tourist area',
  padat_penduduk: 'Densely populated',
} as const;

export type Seksi = keyof typeof SEKSI;
export type SkIssuer = keyof typeof SK_ISSUERS;
export type SelectionCriterion = keyof typeof SELECTION_CRITERIA;

export const SEKSI_CODES = Object.keys(SEKSI) as Seksi[];
export const SK_ISSUER_CODES = Object.keys(SK_ISSUERS) as SkIssuer[];
export const SELECTION_CRITERIA_CODES = Object.keys(SELECTION_CRITERIA) as SelectionCriterion[];

const asList = (o: Record<string, string>) => Object.entries(o).map(([code, label]) => ({ code, label }));

export const CODE_LISTS = {
  seksi: asList(SEKSI),
  skIssuers: asList(SK_ISSUERS),
  selectionCriteria: asList(SELECTION_CRITERIA),
};
