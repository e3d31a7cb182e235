import { useEffect, useId, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, ApiError, data } from '../../api/client';
import type { components } from '../../api/generated/notifications';
import { ErrorMessage, Loading } from '../../components/Status';

type Preferences = components['schemas']['NotificationPreferencesView'];
type PreferencesBody = components['schemas']['NotificationPreferencesDto'];

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** E-mail digest of new inbox items: the address and whether to send it. */
export default function PreferencesForm() {
  const { t } = useTranslation('inbox');
  const id = useId();
  const queryClient = useQueryClient();
  const prefs = useQuery({
    queryKey: ['me', 'notification-preferences'],
    queryFn: async () =>
      data<Preferences>(await api.notifications.GET('/api/v1/me/notification-preferences')),
  });
  const [email, setEmail] = useState('');
  const [digest, setDigest] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    if (prefs.data) {
      setEmail(prefs.data.email ?? '');
      setDigest(prefs.data.digest);
    }
  }, [prefs.data]);

  const save = useMutation({
    mutationFn: async (next: { email: string | null; digest: boolean }) =>
      data<Preferences>(
        await api.notifications.PUT('/api/v1/me/notification-preferences', {
          // The generated DTO types `email` loosely (a nullable property without a type); it is a string.
          body: next as unknown as PreferencesBody,
        }),
      ),
    onSuccess: (p) => {
      queryClient.setQueryData(['me', 'notification-preferences'], p);
      setSaved(true);
    },
  });

  if (prefs.error) return <ErrorMessage error={prefs.error} onRetry={() => void prefs.refetch()} />;
  if (prefs.isPending) return <Loading />;

  const serverProblem =
    save.error instanceof ApiError && save.error.status === 400 ? t('prefs.invalid') : null;

  return (
    <form
      noValidate
      className="prefs-form"
      onSubmit={(e) => {
        e.preventDefault();
        setSaved(false);
        const address = email.trim();
        if (address && !EMAIL.test(address)) return setProblem(t('prefs.badEmail'));
        if (digest && !address) return setProblem(t('prefs.needEmail'));
        setProblem(null);
        save.mutate({ email: address || null, digest });
      }}
      data-testid="preferences-form"
    >
      <div className="field">
        <label htmlFor={`${id}-email`}>{t('prefs.email')}</label>
        <input
          id={`${id}-email`}
          type="email"
          autoComplete="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          aria-invalid={problem !== null}
          aria-describedby={`${id}-hint${problem ? ` ${id}-error` : ''}`}
          data-testid="preferences-email"
        />
        <p id={`${id}-hint`} className="muted field-hint">
          {t('prefs.emailHint')}
        </p>
      </div>
      <label className="check">
        <input
          type="checkbox"
          checked={digest}
          onChange={(e) => setDigest(e.target.checked)}
          data-testid="preferences-digest"
        />
        {t('prefs.digest')}
      </label>
      {problem && (
        <p id={`${id}-error`} className="field-error" role="alert">
          {problem}
        </p>
      )}
      {save.error &&
        (serverProblem ? (
          <p className="field-error" role="alert">
            {serverProblem}
          </p>
        ) : (
          <ErrorMessage error={save.error} />
        ))}
      <div className="actions">
        <button
          type="submit"
          className="button button--primary"
          disabled={save.isPending}
          data-testid="preferences-save"
        >
          {save.isPending ? t('prefs.saving') : t('prefs.save')}
        </button>
        <span role="status" aria-live="polite">
          {saved && !save.isPending && t('prefs.saved')}
        </span>
      </div>
    </form>
  );
}
