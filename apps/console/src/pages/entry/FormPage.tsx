// A profile or monthly report filled in from its instrument definition: the questions, their
// words and the cross-field rules come from the published instrument (kept on the device), the
// problems from the same rule engine as the survey service, shown as the officer types. Every
// change is saved on the device; Kirim puts the report in the queue, never straight on the network.
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useLiveQuery } from 'dexie-react-hooks';
import {
  describeProblem,
  ruleInWords,
  sectionLabel,
  questionLabel,
  applies,
  type Language,
} from '@kkb/instrument-rules';
import { db } from '../../field/db';
import { checkForm, problemsByQuestion, progress } from '../../field/answers';
import { compiledOf, deleteReport, queueReport, saveValues, useOwner } from '../../field/store';
import { reportSubject } from '../../field/hooks';
import { Loading } from '../../components/Status';
import QuestionField, { fieldId } from './QuestionField';
import './entry.css';

export default function FormPage() {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation('entry');
  const lang = (i18n.language === 'en' ? 'en' : 'id') as Language;
  const navigate = useNavigate();
  const owner = useOwner();
  // Another officer's report on a shared device is not this officer's to read or send.
  const report = useLiveQuery(async () => {
    const r = await db.reports.get(id);
    return r && r.owner === owner ? r : null;
  }, [id, owner]);
  const cached = useLiveQuery(
    async () =>
      report
        ? ((await db.instruments.get(`${report.instrumentCode}@${report.instrumentVersion}`)) ?? null)
        : null,
    [report?.instrumentCode, report?.instrumentVersion],
  );
  const instrument = useMemo(() => (cached ? compiledOf(cached) : null), [cached]);
  const [values, setValues] = useState<Record<string, unknown> | null>(null);
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [showAll, setShowAll] = useState(false);
  const summaryRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (report && values === null) setValues(report.values);
  }, [report, values]);

  const check = useMemo(
    () => (instrument && values ? checkForm(instrument, values) : null),
    [instrument, values],
  );
  const problems = useMemo(
    () =>
      instrument && check
        ? problemsByQuestion(instrument, check.problems, lang)
        : new Map<string, string[]>(),
    [instrument, check, lang],
  );

  if (report === undefined || (report && cached === undefined)) return <Loading />;
  if (report === null)
    return (
      <div className="page">
        <h1>{t('title')}</h1>
        <p role="alert">{t('form.missing')}</p>
        <Link to="/isi">{t('title')}</Link>
      </div>
    );
  if (!instrument || !values || !check) return <p role="alert">{t('notReady')}</p>;

  const subject = reportSubject(t, report, lang);
  if (report.state !== 'draft')
    return (
      <div className="page">
        <h1>{subject}</h1>
        <p>{t('form.notDraft')}</p>
        <Link to="/antrean">{t('form.toQueue')}</Link>
      </div>
    );

  const change = (questionId: string, value: unknown) => {
    const next = { ...values, [questionId]: value };
    if (value === undefined) delete next[questionId];
    setValues(next);
    void saveValues(report.id, next);
  };
  const touch = (questionId: string) =>
    setTouched((s) => (s.has(questionId) ? s : new Set(s).add(questionId)));

  // Problems of a question are shown once it was touched or a send was tried; a broken rule as
  // soon as its numbers are in (it is what the officer needs to see while typing).
  const shown = (questionId: string) => {
    const list = problems.get(questionId);
    if (!list) return undefined;
    if (showAll || touched.has(questionId)) return list;
    const rules = check.problems.filter((p) => p.question === questionId && p.code === 'rule');
    return rules.length ? [...new Set(rules.map((p) => describeProblem(instrument, p, lang)))] : undefined;
  };

  const def = instrument.definition;
  const order = [
    ...(def.sections ?? []).map((s) => s.id),
    ...def.questions.map((q) => q.section ?? ''),
  ].filter((s, i, all) => all.indexOf(s) === i);
  const { answered, total } = progress(instrument, check.answers);
  const failing = [...problems.keys()];

  const send = async () => {
    if (check.problems.length) {
      setShowAll(true);
      requestAnimationFrame(() => summaryRef.current?.focus());
      return;
    }
    await queueReport(report.id, check.answers);
    void navigate('/antrean', { state: { flash: t('queue.queued', { subject }) } });
  };

  return (
    <div className="page entry-form">
      <div className="page-header">
        <div>
          <h1>{subject}</h1>
          <p className="muted">
            {t('form.progress', { answered, total })} · <span aria-live="polite">{t('form.saved')}</span>
          </p>
        </div>
      </div>
      {report.corrects && (
        <div className="status status--warning" role="note">
          {t('form.corrects', { reason: report.corrects.reason })}
        </div>
      )}
      {report.lastError && (
        <div className="status status--warning" role="note">
          {t('form.lastError', { title: report.lastError.detail ?? report.lastError.title })}
        </div>
      )}

      {showAll && failing.length > 0 && (
        <div className="status status--error error-summary" role="alert" tabIndex={-1} ref={summaryRef}>
          <p>{t('form.cannotSend', { count: failing.length })}</p>
          <ul>
            {failing.map((qid) => {
              const q = instrument.questions.get(qid);
              return (
                <li key={qid}>
                  <a href={`#${fieldId(qid)}`}>{q ? questionLabel(q, lang) : qid}</a>:{' '}
                  {(problems.get(qid) ?? []).join('; ')}
                </li>
              );
            })}
          </ul>
        </div>
      )}

      <form
        className="entry-form__body"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
      >
        {order.map((section) => {
          const questions = def.questions.filter(
            (q) => (q.section ?? '') === section && applies(q, check.answers),
          );
          if (!questions.length) return null;
          return (
            <section className="card form-section" key={section || 'other'} aria-labelledby={`s-${section}`}>
              <h2 id={`s-${section}`}>{section ? sectionLabel(instrument, section, lang) : t('title')}</h2>
              <div className="form-section__questions">
                {questions.map((q) => (
                  <QuestionField
                    key={q.id}
                    instrument={instrument}
                    question={q}
                    value={values[q.id]}
                    problems={shown(q.id)}
                    lang={lang}
                    onChange={(v) => change(q.id, v)}
                    onBlur={() => touch(q.id)}
                  />
                ))}
              </div>
            </section>
          );
        })}

        {def.rules.length > 0 && (
          <section className="card rules" aria-labelledby="rules-title">
            <h2 id="rules-title">{t('form.rules')}</h2>
            <p className="muted">{t('form.rulesIntro')}</p>
            <ul className="rules__list">
              {def.rules.map((rule) => {
                // The engine's own verdict (the problems above), not a second evaluation.
                const broken = check.problems.some((p) => p.code === 'rule' && p.rule === rule.id);
                // Not yet checkable: no limit, or a field of the rule holds an answer that is itself wrong.
                const involved = [...rule.fields, rule.limit, ...(rule.minus ?? [])];
                const ready =
                  typeof check.answers[rule.limit] === 'number' &&
                  !check.problems.some(
                    (p) => p.code !== 'rule' && p.code !== 'required' && involved.includes(p.question),
                  );
                const state = broken ? 'broken' : !ready ? 'pending' : 'ok';
                return (
                  <li key={rule.id} className={`rule rule--${state}`}>
                    <span className="rule__mark" aria-hidden="true">
                      {state === 'ok' ? '✓' : state === 'broken' ? '✗' : '…'}
                    </span>
                    <span>
                      {ruleInWords(instrument, rule, lang)}{' '}
                      <span className="rule__state">
                        (
                        {t(
                          state === 'ok'
                            ? 'form.ruleOk'
                            : state === 'broken'
                              ? 'form.ruleBroken'
                              : 'form.rulePending',
                        )}
                        )
                      </span>
                    </span>
                  </li>
                );
              })}
            </ul>
          </section>
        )}

        <div className="entry-form__actions card">
          <button type="submit" className="button button--primary">
            {t('form.send')}
          </button>
          <button
            type="button"
            className="button button--secondary"
            onClick={async () => {
              if (!window.confirm(t('drafts.confirmDelete', { subject }))) return;
              await deleteReport(report.id);
              void navigate('/isi');
            }}
          >
            {t('form.deleteDraft')}
          </button>
          <p className="muted">{t('form.sendHint')}</p>
        </div>
      </form>
    </div>
  );
}
