// Kampung KB levels (klasifikasi): codes as the classification service returns them, null when a
// kampung has not been assessed. Colours from the Okabe-Ito / Paul Tol colour-blind-safe sets,
// ordered light-to-dark so they also read in greyscale; each passes 3:1 against white for
// graphics, and `text` is the readable foreground on top of it.
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
  dasar: { colour: '#D55E00', text: '#ffffff', key: 'common:level.dasar' },
  berkembang: { colour: '#B8860B', text: '#1a1a1a', key: 'common:level.berkembang' },
  mandiri: { colour: '#0072B2', text: '#ffffff', key: 'common:level.mandiri' },
  berkelanjutan: { colour: '#117733', text: '#ffffff', key: 'common:level.berkelanjutan' },
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
