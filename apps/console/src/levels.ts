// Kampung KB levels (klasifikasi): codes as the classification service returns them, null when a
// kampung has not been assessed. Colours from the Okabe-Ito colour-blind-safe set (vermillion,
// orange, blue, bluish green; darkened where needed), never the only signal: every chip, legend
// and table also names the level. `text` is the foreground on top of the colour with at least
// 4.5:1 contrast (white on 4.7-6.4:1 colours, near-black on the orange at 7.7:1).
export const LEVELS = ['dasar', 'berkembang', 'mandiri', 'berkelanjutan'] as const;
export type Level = (typeof LEVELS)[number];
export type LevelOrNone = Level | null;

export interface LevelStyle {
  colour: string;
  text: string;
  /** Catalogue key of the level's name (namespace common). */
  key: string;
}

export const LEVEL_STYLE: Record<Level | 'none', LevelStyle> = {
  dasar: { colour: '#C44E00', text: '#ffffff', key: 'common:level.dasar' },
  berkembang: { colour: '#E69F00', text: '#1a1a1a', key: 'common:level.berkembang' },
  mandiri: { colour: '#0072B2', text: '#ffffff', key: 'common:level.mandiri' },
  berkelanjutan: { colour: '#0B6E4F', text: '#ffffff', key: 'common:level.berkelanjutan' },
  none: { colour: '#767676', text: '#ffffff', key: 'common:level.none' },
};

export function isLevel(value: unknown): value is Level {
  return typeof value === 'string' && (LEVELS as readonly string[]).includes(value);
}

export function levelStyle(level: string | null | undefined): LevelStyle {
  return isLevel(level) ? LEVEL_STYLE[level] : LEVEL_STYLE.none;
}

/** Catalogue key for a level's name; null/unknown -> "not assessed". */
export function levelKey(level: string | null | undefined): string {
  return levelStyle(level).key;
}
