// One question of an instrument as a form control, its label and hint from the instrument's words
// in the officer's language, and its problems right under it.
import { useTranslation } from 'react-i18next';
import {
  codeLabel,
  questionLabel,
  type CompiledInstrument,
  type Language,
  type Question,
} from '@kkb/instrument-rules';

interface Props {
  instrument: CompiledInstrument;
  question: Question;
  value: unknown;
  problems: string[] | undefined;
  lang: Language;
  onChange: (value: unknown) => void;
  onBlur: () => void;
}

export const fieldId = (questionId: string) => `q-${questionId}`;

export default function QuestionField({
  instrument,
  question: q,
  value,
  problems,
  lang,
  onChange,
  onBlur,
}: Props) {
  const { t } = useTranslation('entry');
  const id = fieldId(q.id);
  const errorId = `${id}-error`;
  const invalid = Boolean(problems?.length);
  const label = questionLabel(q, lang);
  const describedBy = invalid ? errorId : undefined;
  const badge = (
    <span className="question__badge">{q.required ? t('form.required') : t('form.optional')}</span>
  );
  const errors = problems && problems.length > 0 && (
    <ul className="question__errors" id={errorId}>
      {problems.map((p) => (
        <li key={p}>{p}</li>
      ))}
    </ul>
  );
  const className = `question${invalid ? ' question--invalid' : ''}`;

  if (q.type === 'boolean' || q.type === 'single_choice' || q.type === 'multiple_choice') {
    const options =
      q.type === 'boolean'
        ? [
            { code: 'true', text: t('form.yes') },
            { code: 'false', text: t('form.no') },
          ]
        : (instrument.definition.codeLists[q.codeList ?? ''] ?? []).map((e) => ({
            code: e.code,
            text: codeLabel(e, lang),
          }));
    const ticked = Array.isArray(value) ? (value as string[]) : [];
    return (
      <fieldset
        className={className}
        id={id}
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy}
        onBlur={onBlur}
      >
        <legend>
          {label} {badge}
        </legend>
        <div className="checks">
          {options.map((o) =>
            q.type === 'multiple_choice' ? (
              <label className="check" key={o.code}>
                <input
                  type="checkbox"
                  name={q.id}
                  value={o.code}
                  checked={ticked.includes(o.code)}
                  onChange={(e) =>
                    onChange(e.target.checked ? [...ticked, o.code] : ticked.filter((c) => c !== o.code))
                  }
                />
                {o.text}
              </label>
            ) : (
              <label className="check" key={o.code}>
                <input
                  type="radio"
                  name={q.id}
                  value={o.code}
                  checked={q.type === 'boolean' ? String(value) === o.code : value === o.code}
                  onChange={() => onChange(q.type === 'boolean' ? o.code === 'true' : o.code)}
                />
                {o.text}
              </label>
            ),
          )}
          {q.type === 'multiple_choice' && (
            <label className="check">
              <input
                type="checkbox"
                name={q.id}
                value=""
                checked={Array.isArray(value) && value.length === 0}
                onChange={(e) => onChange(e.target.checked ? [] : undefined)}
              />
              {t('form.noneApply')}
            </label>
          )}
        </div>
        {errors}
      </fieldset>
    );
  }

  const common = {
    id,
    name: q.id,
    'aria-invalid': invalid || undefined,
    'aria-describedby': describedBy,
    onBlur,
  };
  return (
    <div className={className}>
      <label htmlFor={id}>
        {label} {badge}
      </label>
      {q.type === 'text' ? (
        <textarea
          {...common}
          rows={3}
          maxLength={q.maxLength}
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange(e.target.value)}
        />
      ) : (
        <input
          {...common}
          type={q.type === 'date' ? 'date' : 'text'}
          inputMode={q.type === 'integer' ? 'numeric' : q.type === 'decimal' ? 'decimal' : undefined}
          autoComplete="off"
          min={typeof q.min === 'string' ? q.min : undefined}
          max={typeof q.max === 'string' ? q.max : undefined}
          value={value === undefined || value === null ? '' : String(value)}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
      {errors}
    </div>
  );
}
