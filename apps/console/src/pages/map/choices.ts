// The map's level choices (four levels and 'not assessed') and what to ask the API for.
import { LEVELS, type Level } from '../../levels';

export type Choice = Level | 'none';
export const CHOICES: Choice[] = [...LEVELS, 'none'];
export const INDONESIA: [[number, number], [number, number]] = [
  [-11, 94.5],
  [6.2, 141.5],
];

export function parseChoices(raw: string | null): Set<Choice> {
  if (!raw) return new Set(CHOICES);
  return new Set(raw.split(',').filter((c): c is Choice => (CHOICES as string[]).includes(c)));
}

/** What to ask the API for: a level filter when it can express the choice, else everything. */
export function apiFilter(choices: Set<Choice>): { level?: string; assessed?: boolean } | null {
  if (choices.size === 0) return null;
  const levels = LEVELS.filter((l) => choices.has(l));
  if (choices.has('none')) {
    if (levels.length === LEVELS.length) return {};
    if (levels.length === 0) return { assessed: false };
    return {};
  }
  return { level: levels.join(',') };
}
