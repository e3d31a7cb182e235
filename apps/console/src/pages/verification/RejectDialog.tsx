import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorMessage } from '../../components/Status';

/**
 * A modal dialog (native <dialog>: focus moves into it, Escape closes it, the page behind is
 * inert) asking for the reason of a rejection; the reason is required.
 */
export default function RejectDialog({
  open,
  subject,
  pending,
  error,
  onConfirm,
  onClose,
}: {
  open: boolean;
  subject: string;
  pending: boolean;
  error: unknown;
  onConfirm: (reason: string) => void;
  onClose: () => void;
}) {
  const { t } = useTranslation('verification');
  const ref = useRef<HTMLDialogElement>(null);
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState(false);
  const id = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      setReason('');
      setMissing(false);
      if (typeof dialog.showModal === 'function') dialog.showModal();
      else dialog.setAttribute('open', '');
      reasonRef.current?.focus();
    } else if (!open && dialog.open) {
      dialog.close();
    }
  }, [open]);

  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-desc`}
      onClose={onClose}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      data-testid="reject-dialog"
    >
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const text = reason.trim();
          if (!text) {
            setMissing(true);
            reasonRef.current?.focus();
            return;
          }
          onConfirm(text);
        }}
      >
        <h2 id={`${id}-title`}>{t('reject.title')}</h2>
        <p id={`${id}-desc`}>{t('reject.description', { subject })}</p>
        <div className="field">
          <label htmlFor={`${id}-reason`}>{t('reject.reason')}</label>
          <textarea
            id={`${id}-reason`}
            ref={reasonRef}
            value={reason}
            required
            maxLength={1000}
            aria-required="true"
            aria-invalid={missing}
            aria-describedby={`${id}-hint${missing ? ` ${id}-error` : ''}`}
            onChange={(e) => {
              setReason(e.target.value);
              if (e.target.value.trim()) setMissing(false);
            }}
            data-testid="reject-reason"
          />
          <p id={`${id}-hint`} className="muted field-hint">
            {t('reject.hint')}
          </p>
          {missing && (
            <p id={`${id}-error`} className="field-error" role="alert">
              {t('reject.required')}
            </p>
          )}
        </div>
        {error !== null && error !== undefined && <ErrorMessage error={error} />}
        <div className="actions">
          <button
            type="submit"
            className="button button--danger"
            disabled={pending}
            data-testid="reject-confirm"
          >
            {pending ? t('reject.sending') : t('reject.confirm')}
          </button>
          <button type="button" className="button button--secondary" onClick={onClose} disabled={pending}>
            {t('reject.cancel')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
