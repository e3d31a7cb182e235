import {
  checkDefinition,
  type CodeListEntry,
  type InstrumentDefinition,
  type Language,
  type Question,
  type SumLteRule,
} from '@kkb/instrument-rules';

/** Words in every language of the instrument (`LANGUAGES`): none may be missing. */
export type AllWords = Record<Language, string>;

/**
 * The Bahasa Indonesia words of a published version's questions, codes and rules (its English
 * `label`/`description` become the `en` words), and each section's heading in both languages.
 */
export interface InstrumentWords {
  /** By question id. */
  questions: Record<string, string>;
  /** By code list, then code. */
  codes: Record<string, Record<string, string>>;
  /** By rule id. */
  rules: Record<string, string>;
  /** By section id; the form order is the order in which the questions first use them. */
  sections: Record<string, AllWords>;
}

/**
 * A new version of `base` with the same questions, code lists and rules, carrying `labels` on every
 * question and code, `descriptions` on every rule and a heading for every section used. Throws
 * (at module load, where it is called) when anything lacks words, when a word names nothing of
 * `base` (a typo would otherwise go unnoticed), or when the result fails `checkDefinition`.
 */
export function withWords(
  name: string,
  base: InstrumentDefinition,
  words: InstrumentWords,
): InstrumentDefinition {
  const missing: string[] = [];
  const idWords = (table: Record<string, string>, key: string, at: string): string => {
    const text = Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
    if (typeof text !== 'string' || !text.trim()) missing.push(at);
    return text ?? '';
  };

  const codeLists: Record<string, CodeListEntry[]> = {};
  for (const [list, entries] of Object.entries(base.codeLists)) {
    const table = words.codes[list] ?? {};
    codeLists[list] = entries.map((e) => ({
      ...e,
      labels: { id: idWords(table, e.code, `codeLists.${list}.${e.code}`), en: e.label },
    }));
  }
  const questions: Question[] = base.questions.map((q) => ({
    ...q,
    labels: { id: idWords(words.questions, q.id, `questions.${q.id}`), en: q.label },
  }));
  const rules: SumLteRule[] = base.rules.map((r) => {
    if (!r.description) missing.push(`rules.${r.id} (no English description)`);
    return {
      ...r,
      descriptions: { id: idWords(words.rules, r.id, `rules.${r.id}`), en: r.description ?? '' },
    };
  });
  const used = [...new Set(base.questions.flatMap((q) => (q.section ? [q.section] : [])))];
  const sections = used.map((id) => {
    const labels = Object.prototype.hasOwnProperty.call(words.sections, id) ? words.sections[id] : undefined;
    if (!labels?.id?.trim() || !labels.en?.trim()) missing.push(`sections.${id}`);
    return { id, labels: { id: labels?.id ?? '', en: labels?.en ?? '' } };
  });

  const unused = [
    ...Object.keys(words.questions)
      .filter((id) => !base.questions.some((q) => q.id === id))
      .map((id) => `questions.${id}`),
    ...Object.entries(words.codes).flatMap(([list, table]) =>
      Object.keys(table)
        .filter((code) => !base.codeLists[list]?.some((e) => e.code === code))
        .map((code) => `codeLists.${list}.${code}`),
    ),
    ...Object.keys(words.rules)
      .filter((id) => !base.rules.some((r) => r.id === id))
      .map((id) => `rules.${id}`),
    ...Object.keys(words.sections)
      .filter((id) => !used.includes(id))
      .map((id) => `sections.${id}`),
  ];
  if (missing.length || unused.length)
    throw new Error(
      `${name}: ${[
        missing.length ? `no words for ${missing.join(', ')}` : '',
        unused.length ? `words for nothing of the instrument: ${unused.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('; ')}`,
    );

  const definition: InstrumentDefinition = { codeLists, questions, rules, sections };
  const problems = checkDefinition(definition);
  if (problems.length)
    throw new Error(`${name}: ${problems.map((p) => `${p.field}: ${p.reason}`).join('; ')}`);
  return definition;
}
