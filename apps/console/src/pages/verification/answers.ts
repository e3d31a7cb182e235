// The answers of a submission in words: question, code and section labels from the instrument in
// the reader's language (version 2 on carries them), else, for version 1's English-only labels,
// translated by the catalogue where it knows them.
import i18next, { type TFunction } from 'i18next';
import { formatDate, formatNumber } from '../../format';
import type { Instrument, Question } from '../kampung/views';

const POPULATION = /^population_([mf])_(\d+)_(\d+|plus)$/;
const POKTAN = /^(bkb|bkr|bkl|uppka|pik_r)_(participants|target_families)$/;
const USERS = /^users_(\w+)$/;
const NONUSERS = /^nonusers_(\w+)$/;

/** The instrument's own words in the console's language, when it has them. */
function own(labels: { id?: string; en?: string } | undefined): string | undefined {
  return labels?.[i18next.language === 'en' ? 'en' : 'id'];
}

export function questionLabel(t: TFunction, q: Question): string {
  const mine = own(q.labels);
  if (mine) return mine;
  const v = 'verification:';
  let m = POPULATION.exec(q.id);
  if (m) {
    const band = m[3] === 'plus' ? `${m[2]}+` : `${m[2]}–${m[3]}`;
    return t(`${v}questionPattern.population_${m[1]}`, { band });
  }
  m = POKTAN.exec(q.id);
  if (m) return t(`${v}questionPattern.${m[2]}`, { poktan: t(`${v}poktan.${m[1]}`) });
  m = USERS.exec(q.id);
  if (m && m[1] !== 'bpjs') {
    return t(`${v}questionPattern.users`, { method: t(`${v}method.${m[1]}`, { defaultValue: m[1] }) });
  }
  m = NONUSERS.exec(q.id);
  if (m)
    return t(`${v}questionPattern.nonusers`, { reason: t(`${v}nonUse.${m[1]}`, { defaultValue: m[1] }) });
  return t(`${v}question.${q.id}`, { defaultValue: q.label });
}

export function sectionLabel(t: TFunction, section: string | undefined, instrument?: Instrument): string {
  if (!section) return t('verification:section.other');
  const mine = own(instrument?.definition.sections?.find((s) => s.id === section)?.labels);
  if (mine) return mine;
  return t(`verification:section.${section}`, { defaultValue: section });
}

function codeLabel(t: TFunction, instrument: Instrument, list: string | undefined, code: string): string {
  const entry = list ? instrument.definition.codeLists[list]?.find((e) => e.code === code) : undefined;
  const mine = own(entry?.labels);
  if (mine) return mine;
  return t(`verification:code.${list ?? 'none'}.${code}`, { defaultValue: entry?.label ?? code });
}

/** One answer as text: numbers and dates in the console's locale, codes as their labels. */
export function answerText(t: TFunction, instrument: Instrument, q: Question, value: unknown): string {
  if (value === null || value === undefined) return '–';
  switch (q.type) {
    case 'boolean':
      return value === true ? t('verification:yes') : t('verification:no');
    case 'integer':
    case 'decimal':
      return typeof value === 'number' ? formatNumber(value, 2) : String(value);
    case 'date':
      return formatDate(String(value));
    case 'single_choice':
      return codeLabel(t, instrument, q.codeList, String(value));
    case 'multiple_choice':
      return Array.isArray(value)
        ? value.length === 0
          ? t('verification:noneTicked')
          : value.map((c) => codeLabel(t, instrument, q.codeList, String(c))).join(', ')
        : String(value);
    case 'text':
      return String(value);
  }
}

export interface AnswerGroup {
  section: string | undefined;
  rows: { question: Question; value: unknown }[];
}

/** The answered questions grouped by section, in the instrument's order, and how many were left out. */
export function groupAnswers(
  instrument: Instrument,
  answers: Record<string, unknown>,
): { groups: AnswerGroup[]; unanswered: number } {
  const groups: AnswerGroup[] = [];
  let unanswered = 0;
  for (const q of instrument.definition.questions) {
    if (!(q.id in answers) || answers[q.id] === null) {
      unanswered++;
      continue;
    }
    let g = groups.find((x) => x.section === q.section);
    if (!g) groups.push((g = { section: q.section, rows: [] }));
    g.rows.push({ question: q, value: answers[q.id] });
  }
  return { groups, unanswered };
}
