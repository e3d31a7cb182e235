import type { AnswerProblem, CompiledInstrument } from './answers';
import type { CodeListEntry, Labels, Language, Question, SumLteRule } from './definition';

/** The words in `lang`, else the English fallback. */
export const wordsIn = (labels: Labels | undefined, fallback: string, lang: Language): string =>
  labels?.[lang] ?? fallback;

/** A question's label in `lang` (its English `label` when the instrument has none in `lang`). */
export const questionLabel = (q: Question, lang: Language): string => wordsIn(q.labels, q.label, lang);

export const codeLabel = (entry: CodeListEntry, lang: Language): string =>
  wordsIn(entry.labels, entry.label, lang);

/** A section's heading in `lang`, or its id when the instrument gives it no words. */
export function sectionLabel(instrument: CompiledInstrument, section: string, lang: Language): string {
  const s = instrument.definition.sections?.find((x) => x.id === section);
  return s?.labels[lang] ?? s?.labels.en ?? section;
}

const label = (instrument: CompiledInstrument, id: string, lang: Language): string => {
  const q = instrument.questions.get(id);
  return q ? questionLabel(q, lang) : id;
};

const number = (n: number, lang: Language): string =>
  lang === 'en' ? String(n) : new Intl.NumberFormat('id-ID', { maximumFractionDigits: 2 }).format(n);

/**
 * A cross-field rule in words: the instrument's own (`descriptions`, `description` in English),
 * else made from the questions' labels, e.g. "PUS using a contraceptive: IUD + … must not exceed PUS".
 */
export function ruleInWords(instrument: CompiledInstrument, rule: SumLteRule, lang: Language): string {
  const own = rule.descriptions?.[lang] ?? (lang === 'en' ? rule.description : undefined);
  if (own) return own;
  const names = (ids: readonly string[]) => ids.map((id) => label(instrument, id, lang)).join(' + ');
  const limit = rule.minus?.length
    ? `${label(instrument, rule.limit, lang)} − (${names(rule.minus)})`
    : label(instrument, rule.limit, lang);
  return lang === 'en'
    ? `${names(rule.fields)} must not exceed ${limit}`
    : `${names(rule.fields)} tidak boleh melebihi ${limit}`;
}

/** The English reason of a broken rule, as the API has always given it (ids, not labels). */
function ruleReasonEn(rule: SumLteRule, left: number, right: number): string {
  const lhs =
    rule.fields.length > 1 ? `${rule.fields.join(' + ')} (= ${left})` : `${rule.fields[0]} (${left})`;
  const rhs = rule.minus?.length
    ? `${rule.limit} - (${rule.minus.join(' + ')}) (= ${right})`
    : `${rule.limit} (${right})`;
  return `${lhs} must not exceed ${rhs}${rule.description ? `: ${rule.description}` : ''} [rule ${rule.id}]`;
}

/** The answer that makes a question apply, in words: Ya/Tidak or the code's label. */
function answerWords(instrument: CompiledInstrument, on: string, equals: boolean | string, lang: Language) {
  if (typeof equals === 'boolean') return lang === 'en' ? String(equals) : equals ? 'Ya' : 'Tidak';
  const q = instrument.questions.get(on);
  const entry = q?.codeList
    ? instrument.definition.codeLists[q.codeList]?.find((e) => e.code === equals)
    : undefined;
  return lang === 'en' || !entry ? equals : codeLabel(entry, lang);
}

function codeWords(
  instrument: CompiledInstrument,
  question: string,
  codes: string[],
  lang: Language,
): string {
  const q = instrument.questions.get(question);
  const list = q?.codeList ? instrument.definition.codeLists[q.codeList] : undefined;
  return codes
    .map((c) => {
      const entry = list?.find((e) => e.code === c);
      return entry ? codeLabel(entry, lang) : c;
    })
    .join(', ');
}

/**
 * One problem in words. English is the API's `reason` (unchanged wording: clients match on it);
 * Bahasa Indonesia is what the console shows beside the field, with the instrument's labels.
 */
export function describeProblem(instrument: CompiledInstrument, p: AnswerProblem, lang: Language): string {
  const en = lang === 'en';
  switch (p.code) {
    case 'not_object':
      return en
        ? 'answers must be an object keyed by question id'
        : 'jawaban harus berupa objek per id pertanyaan';
    case 'unknown_question':
      return en ? 'is not a question of this instrument version' : 'bukan pertanyaan formulir versi ini';
    case 'not_applicable':
      return en
        ? `must be left unanswered unless ${p.when} is ${String(p.equals)}`
        : `harus dikosongkan kecuali "${label(instrument, p.when, lang)}" dijawab ${answerWords(instrument, p.when, p.equals, lang)}`;
    case 'required':
      return en ? 'is required' : 'wajib diisi';
    case 'null':
      return en
        ? 'must be left out rather than null when unanswered'
        : 'harus dihilangkan (bukan null) bila tidak dijawab';
    case 'not_number':
      return en ? 'must be a number' : 'harus berupa angka';
    case 'not_whole':
      return en ? 'must be a whole number' : 'harus bilangan bulat';
    case 'below_min':
      return en ? `must be at least ${p.min}` : `paling sedikit ${number(p.min, lang)}`;
    case 'above_max':
      return en ? `must be at most ${p.max}` : `paling banyak ${number(p.max, lang)}`;
    case 'not_boolean':
      return en ? 'must be true or false' : 'harus Ya atau Tidak';
    case 'not_date':
      return en ? 'must be a date YYYY-MM-DD' : 'harus tanggal yang ada (TTTT-BB-HH)';
    case 'before_min':
      return en ? `must be on or after ${p.min}` : `paling awal ${p.min}`;
    case 'after_max':
      return en ? `must be on or before ${p.max}` : `paling lambat ${p.max}`;
    case 'not_text':
      return en ? 'must be text' : 'harus berupa teks';
    case 'too_long':
      return en ? `must be at most ${p.max} characters` : `paling banyak ${number(p.max, lang)} karakter`;
    case 'empty':
      return en ? 'must not be empty' : 'tidak boleh kosong';
    case 'not_choice':
      return en ? 'must be one code of the list' : 'harus salah satu pilihan';
    case 'not_code':
      return en
        ? `must be one of ${p.allowed.join(', ')}`
        : `harus salah satu dari: ${codeWords(instrument, p.question, p.allowed, lang)}`;
    case 'not_codes':
      return en ? 'must be a list of codes (possibly empty)' : 'harus berupa daftar pilihan (boleh kosong)';
    case 'unknown_codes':
      return en
        ? `has unknown code(s) ${p.codes.join(', ')}; allowed: ${p.allowed.join(', ')}`
        : `pilihan tidak dikenal: ${p.codes.join(', ')}`;
    case 'repeated_code':
      return en ? 'lists a code more than once' : 'pilihan yang sama disebut lebih dari sekali';
    case 'rule': {
      const rule = instrument.rules.get(p.rule);
      if (!rule) return p.rule;
      return en
        ? ruleReasonEn(rule, p.left, p.right)
        : `${ruleInWords(instrument, rule, lang)} (jumlahnya ${number(p.left, lang)}, batasnya ${number(p.right, lang)})`;
    }
  }
}
