// What the import page reads: the survey API's shapes (generated from its OpenAPI document) and
// the instrument definition as @kkb/instrument-rules types it (with labels by language).
import type { InstrumentDefinition, Language, Question } from '@kkb/instrument-rules';
import { questionLabel } from '@kkb/instrument-rules';
import type { TFunction } from 'i18next';
import type { components as Survey } from '../../api/generated/survey';
import { questionLabel as catalogueLabel } from '../verification/answers';

type S = Survey['schemas'];
export type ImportJob = S['ImportJobView'];
export type RowResult = S['RowResultView'];
export type InstrumentSummary = S['InstrumentSummaryView'];

/** An instrument's latest version with its definition as the rules library reads it. */
export interface LoadedInstrument {
  code: string;
  version: number;
  kind: string;
  title: string;
  definition: InstrumentDefinition;
}

/** The latest version of each instrument, by title. */
export function latestVersions(list: InstrumentSummary[]): InstrumentSummary[] {
  const byCode = new Map<string, InstrumentSummary>();
  for (const i of list) {
    const seen = byCode.get(i.code);
    if (!seen || i.version > seen.version) byCode.set(i.code, i);
  }
  return [...byCode.values()].sort((a, b) => a.title.localeCompare(b.title));
}

export const languageOf = (lang: string | undefined): Language => (lang?.startsWith('en') ? 'en' : 'id');

/**
 * A question's label in the officer's language: the instrument's own words in that language
 * when it has them, else the console's catalogue (which knows the seeded questions), else the
 * instrument's English label.
 */
export function labelOf(t: TFunction, q: Question, lang: Language): string {
  return q.labels?.[lang] ? questionLabel(q, lang) : catalogueLabel(t, q);
}
