import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, data } from '../../api/client';
import { ErrorMessage, Loading } from '../../components/Status';
import type { Instrument, Submission } from '../kampung/views';
import { answerText, groupAnswers, questionLabel, sectionLabel } from './answers';

const LONG = 12;

/** A submission's answers with the question labels of the instrument version it answered. */
export default function AnswersPanel({ submission }: { submission: Submission }) {
  const { t } = useTranslation('verification');
  const instrument = useQuery({
    queryKey: ['instrument', submission.instrumentCode, submission.instrumentVersion],
    staleTime: Infinity,
    queryFn: async () =>
      data<Instrument>(
        await api.survey.GET('/api/v1/instruments/{code}/versions/{version}', {
          params: { path: { code: submission.instrumentCode, version: submission.instrumentVersion } },
        }),
      ),
  });
  if (instrument.error)
    return <ErrorMessage error={instrument.error} onRetry={() => void instrument.refetch()} />;
  if (instrument.isPending) return <Loading label={t('answers.loading')} />;
  const { groups, unanswered } = groupAnswers(instrument.data, submission.answers);
  return (
    <div className="answers" data-testid="answers">
      <p className="muted">
        {t('answers.instrument', {
          title: t(`entry:kind.${instrument.data.kind}`, { defaultValue: instrument.data.title }),
          version: instrument.data.version,
        })}
      </p>
      {groups.map((g) => {
        const title = sectionLabel(t, g.section, instrument.data);
        const list = (
          <dl className="facts">
            {g.rows.map(({ question, value }) => (
              <div key={question.id} className="answer" data-testid="answer" data-question={question.id}>
                <dt>{questionLabel(t, question)}</dt>
                <dd>{answerText(t, instrument.data, question, value)}</dd>
              </div>
            ))}
          </dl>
        );
        // Long sections (the population table) fold away so that the rest stays in view.
        return g.rows.length > LONG ? (
          <details key={g.section ?? 'other'}>
            <summary>{t('answers.section', { section: title, count: g.rows.length })}</summary>
            {list}
          </details>
        ) : (
          <section key={g.section ?? 'other'} aria-label={title}>
            <h3>{title}</h3>
            {list}
          </section>
        );
      })}
      {unanswered > 0 && <p className="muted">{t('answers.unanswered', { count: unanswered })}</p>}
    </div>
  );
}
