import { Client } from 'pg';

/** One region as idn-area-data lists it (codes and names copied from its CSV files). */
export interface StoryRegion {
  code: string;
  name: string;
}

/**
 * A small but real subtree: Sumatera Selatan with a kabupaten (two kecamatan) and a kota, and one
 * kota of Jawa Barat. Villages 1xxx are kelurahan, 2xxx desa.
 */
export const REGIONS: readonly StoryRegion[] = [
  { code: '16', name: 'Sumatera Selatan' },
  { code: '16.10', name: 'Kabupaten Ogan Ilir' },
  { code: '16.10.05', name: 'Pemulutan' },
  { code: '16.10.05.2015', name: 'Aurstanding' },
  { code: '16.10.05.2016', name: 'Sukarami' },
  { code: '16.10.05.2017', name: 'Muara Dua' },
  { code: '16.10.07', name: 'Indralaya Utara' },
  { code: '16.10.07.1016', name: 'Timbangan' },
  { code: '16.10.07.2001', name: 'Tanjung Pering' },
  { code: '16.71', name: 'Kota Palembang' },
  { code: '16.71.01', name: 'Ilir Barat Dua' },
  { code: '16.71.01.1001', name: 'Tiga-puluh-lima Ilir' },
  { code: '16.71.01.1002', name: 'Tiga-puluh-dua Ilir' },
  { code: '16.71.01.1003', name: 'Tiga-puluh Ilir' },
  { code: '32', name: 'Jawa Barat' },
  { code: '32.73', name: 'Kota Bandung' },
  { code: '32.73.01', name: 'Sukasari' },
  { code: '32.73.01.1001', name: 'Sukarasa' },
  { code: '32.73.01.1002', name: 'Gegerkalong' },
  { code: '32.73.01.1003', name: 'Isola' },
];

const KINDS = ['provinsi', 'regency', 'kecamatan', 'village'] as const;

function kindOf(code: string): string {
  const parts = code.split('.');
  const kind = KINDS[parts.length - 1];
  if (kind === 'regency') return Number(parts[1]) >= 71 ? 'kota' : 'kabupaten';
  if (kind === 'village') return parts[3].startsWith('1') ? 'kelurahan' : 'desa';
  return kind;
}

/** The villages (level 4) under a dotted prefix. */
export function villagesUnder(prefix: string): StoryRegion[] {
  return REGIONS.filter((r) => r.code.split('.').length === 4 && r.code.startsWith(`${prefix}.`));
}

/**
 * Inserts the regions straight into the registry's table (as the whole-country import would,
 * without its 83,762 villages), then recounts the coverage counters the way the import does:
 * the kampung trigger only moves counters that already exist.
 */
export async function insertRegions(databaseUrl: string, schema: string): Promise<void> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const s = `"${schema}"`;
    await db.query('BEGIN');
    for (const r of REGIONS) {
      const parts = r.code.split('.');
      await db.query(
        `INSERT INTO ${s}.region (code, compact_code, name, search_name, level, kind, parent_code, source)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'e2e-province-story')`,
        [
          r.code,
          parts.join(''),
          r.name,
          r.name.toLowerCase().replace(/[^a-z0-9]+/g, ' '),
          parts.length,
          kindOf(r.code),
          parts.length > 1 ? parts.slice(0, -1).join('.') : null,
        ],
      );
    }
    await db.query(`SELECT ${s}.coverage_count_recount()`);
    await db.query('COMMIT');
  } finally {
    await db.end();
  }
}
