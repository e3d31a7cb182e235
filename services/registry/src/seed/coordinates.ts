import { prng } from './prng';

/**
 * Approximate centre and spread (degrees) of each regency and city of Sumatera Selatan, from
 * their capitals and outlines on a map: good enough to put demo kampung in the right part of the
 * province, not survey data. Radii keep points inland (OKI and Banyuasin reach the sea in the east).
 */
export const SOUTH_SUMATRA_REGENCIES: Readonly<Record<string, { lat: number; lon: number; radius: number }>> =
  {
    '16.01': { lat: -4.05, lon: 104.0, radius: 0.25 }, // Ogan Komering Ulu (Baturaja)
    '16.02': { lat: -3.4, lon: 105.2, radius: 0.35 }, // Ogan Komering Ilir (Kayu Agung)
    '16.03': { lat: -3.75, lon: 103.85, radius: 0.28 }, // Muara Enim
    '16.04': { lat: -3.92, lon: 103.4, radius: 0.22 }, // Lahat
    '16.05': { lat: -3.12, lon: 103.1, radius: 0.25 }, // Musi Rawas (Muara Beliti)
    '16.06': { lat: -2.6, lon: 103.85, radius: 0.35 }, // Musi Banyuasin (Sekayu)
    '16.07': { lat: -2.6, lon: 104.65, radius: 0.3 }, // Banyuasin (Pangkalan Balai)
    '16.08': { lat: -4.6, lon: 103.98, radius: 0.18 }, // OKU Selatan (Muaradua)
    '16.09': { lat: -4.05, lon: 104.55, radius: 0.22 }, // OKU Timur (Martapura)
    '16.10': { lat: -3.28, lon: 104.67, radius: 0.14 }, // Ogan Ilir (Indralaya)
    '16.11': { lat: -3.72, lon: 102.98, radius: 0.14 }, // Empat Lawang (Tebing Tinggi)
    '16.12': { lat: -3.27, lon: 103.95, radius: 0.14 }, // Penukal Abab Lematang Ilir (Talang Ubi)
    '16.13': { lat: -2.72, lon: 102.78, radius: 0.22 }, // Musi Rawas Utara (Rupit)
    '16.71': { lat: -2.98, lon: 104.76, radius: 0.05 }, // Kota Palembang
    '16.72': { lat: -3.43, lon: 104.24, radius: 0.05 }, // Kota Prabumulih
    '16.73': { lat: -4.03, lon: 103.25, radius: 0.05 }, // Kota Pagar Alam
    '16.74': { lat: -3.29, lon: 102.86, radius: 0.04 }, // Kota Lubuklinggau
  };

/** Kampung KB Seroja, Desa Sembadak, Pemulutan (Ogan Ilir), on the Ogan river south of Palembang. */
export const SEROJA_COORDINATES = { latitude: -3.0712, longitude: 104.7906 };

/** FNV-1a of a string: a seed of its own per code, so coordinates never move the seed's other draws. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A point uniformly in the disc of `radius` around (0, 0). */
function inDisc(rand: () => number, radius: number): [number, number] {
  const r = radius * Math.sqrt(rand());
  const a = 2 * Math.PI * rand();
  return [r * Math.sin(a), r * Math.cos(a)];
}

const round5 = (x: number) => Math.round(x * 1e5) / 1e5;

/**
 * Plausible coordinates of a village of province 16: its district gets a point within 70% of its
 * regency's spread, the village a point near it, so kampung of one district sit together on the
 * map. The same code always gives the same point; null outside the table.
 */
export function demoCoordinates(villageCode: string): { latitude: number; longitude: number } | null {
  const regency = SOUTH_SUMATRA_REGENCIES[villageCode.slice(0, 5)];
  if (!regency) return null;
  const [dLat, dLon] = inDisc(prng(hash(villageCode.slice(0, 8))), regency.radius * 0.7);
  const [vLat, vLon] = inDisc(prng(hash(villageCode)), regency.radius * 0.3);
  return { latitude: round5(regency.lat + dLat + vLat), longitude: round5(regency.lon + dLon + vLon) };
}
