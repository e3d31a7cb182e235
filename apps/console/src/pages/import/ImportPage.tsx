// Impor CSV (/impor, field officers and regional officers): download the CSV template of an
// instrument (built here from its definition: ids on the header, labels in the officer's language
// on a # comment line), upload the filled file to the streamed import (POST /api/v1/imports as
// text/csv) and read every row's result, a page at a time. Problems of the whole file (its
// header, its size, its type) are shown with the API's list of errors.
import { useEffect, useId, useRef, useState } from 'react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { InstrumentDefinition } from '@kkb/instrument-rules';
import { api, ApiError, authorizedFetch, data } from '../../api/client';
import { useSession, type Role } from '../../auth/session';
import { Empty, ErrorMessage, Loading } from '../../components/Status';
import { formatNumber } from '../../format';
import ImportResult from './ImportResult';
import { BOM, buildTemplate, FIXED_COLUMNS, templateFileName } from './template';
import {
  labelOf,
  languageOf,
  latestVersions,
  type ImportJob,
  type InstrumentSummary,
  type LoadedInstrument,
} from './views';
import '../kampung/pages.css';
import './import.css';

function useInstruments() {
  return useQuery({
    queryKey: ['instruments'],
    queryFn: async () =>
      latestVersions(data<InstrumentSummary[]>(await api.survey.GET('/api/v1/instruments'))),
  });
}

function useInstrument(code: string | null) {
  return useQuery({
    queryKey: ['instrument', code, 'latest'],
    enabled: !!code,
    queryFn: async (): Promise<LoadedInstrument> => {
      const i = data(
        await api.survey.GET('/api/v1/instruments/{code}', { params: { path: { code: code ?? '' } } }),
      );
      return {
        code: i.code,
        version: i.version,
        kind: i.kind,
        title: i.title,
        definition: i.definition as unknown as InstrumentDefinition,
      };
    },
  });
}

/** Saves text as a file from the browser (no round trip: the template is built here). */
function download(text: string, fileName: string) {
  const url = URL.createObjectURL(new Blob([BOM + text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function fileSize(bytes: number): string {
  return bytes < 1024 * 1024
    ? `${formatNumber(Math.max(1, Math.round(bytes / 1024)))} KB`
    : `${formatNumber(bytes / (1024 * 1024), 1)} MB`;
}

/** The roles the import API takes (ImportController). */
const IMPORTERS: readonly Role[] = ['field_officer', 'regency', 'province', 'national'];

interface Done {
  job: ImportJob;
  instrument: LoadedInstrument;
  fileName: string;
}

/** A refused upload in words, with the API's errors (header columns, unreadable rows) listed. */
function UploadProblem({ error }: { error: unknown }) {
  const { t } = useTranslation('import');
  if (!(error instanceof ApiError) || error.status === 403 || error.status >= 500)
    return <ErrorMessage error={error} />;
  const errors = Array.isArray(error.errors) ? (error.errors as { field?: string; reason?: string }[]) : [];
  const lead =
    error.status === 413
      ? t('upload.tooLarge')
      : error.status === 415
        ? t('upload.unsupported')
        : errors.some((e) => e.field?.startsWith('header'))
          ? t('upload.headerProblem')
          : errors.some((e) => e.field?.startsWith('row '))
            ? t('upload.partial')
            : null;
  return (
    <div className="status status--error" role="alert" data-testid="upload-problem">
      <h3 className="upload-problem__title">{t('upload.failed')}</h3>
      {lead && <p>{lead}</p>}
      <p className="status__detail">{error.detail ?? error.title}</p>
      {errors.length > 0 && (
        <ul className="upload-problem__errors">
          {errors.map((e, i) => (
            <li key={i}>
              {e.field && <code>{e.field}</code>}
              {e.field && ': '}
              {e.reason}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export default function ImportPage() {
  const { t, i18n } = useTranslation('import');
  const lang = languageOf(i18n.language);
  const { role } = useSession();
  const ids = useId();
  const instruments = useInstruments();
  const [code, setCode] = useState<string | null>(null);
  const list = instruments.data ?? [];
  const selectedCode = code ?? list[0]?.code ?? null;
  const instrument = useInstrument(selectedCode);
  const [file, setFile] = useState<File | null>(null);
  const [missingFile, setMissingFile] = useState(false);
  const [done, setDone] = useState<Done | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const resultHeading = useRef<HTMLHeadingElement>(null);

  const upload = useMutation({
    mutationFn: async ({ file, instrument }: { file: File; instrument: LoadedInstrument }): Promise<Done> => {
      const query = new URLSearchParams({
        instrumentCode: instrument.code,
        instrumentVersion: String(instrument.version),
      });
      const res = await authorizedFetch(`/api/v1/imports?${query.toString()}`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv' },
        body: file,
      });
      return { job: (await res.json()) as ImportJob, instrument, fileName: file.name };
    },
    onSuccess: (result) => setDone(result),
  });

  useEffect(() => {
    if (done) resultHeading.current?.focus();
  }, [done]);

  const loaded = instrument.data;
  const downloadTemplate = () => {
    if (!loaded) return;
    const text = buildTemplate(loaded.definition, {
      fixed: Object.fromEntries(FIXED_COLUMNS.map((c) => [c, t(`template.${c}`)])) as Record<
        (typeof FIXED_COLUMNS)[number],
        string
      >,
      question: (q) => labelOf(t, q, lang),
    });
    download(text, templateFileName(loaded.code, loaded.version));
  };

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (!file || !loaded) {
      setMissingFile(!file);
      fileInput.current?.focus();
      return;
    }
    setDone(null);
    upload.mutate({ file, instrument: loaded });
  };

  if (!role || !IMPORTERS.includes(role)) {
    return (
      <div className="page" data-testid="import-page">
        <h1>{t('title')}</h1>
        <div className="notice" role="note" data-testid="import-not-allowed">
          <p>{t('notAllowed')}</p>
        </div>
      </div>
    );
  }

  return (
    <div className="page" data-testid="import-page">
      <header className="page-header">
        <div>
          <h1>{t('title')}</h1>
          <p className="muted">{t('intro')}</p>
        </div>
      </header>

      <div className="import-layout">
        <section className="card" aria-labelledby="template-heading">
          <h2 id="template-heading">{t('instrument.title')}</h2>
          {instruments.error ? (
            <ErrorMessage error={instruments.error} onRetry={() => void instruments.refetch()} />
          ) : instruments.isPending ? (
            <Loading label={t('instrument.loading')} />
          ) : list.length === 0 ? (
            <Empty>{t('instrument.empty')}</Empty>
          ) : (
            <>
              <div className="field">
                <label htmlFor={`${ids}-instrument`}>{t('instrument.label')}</label>
                <select
                  id={`${ids}-instrument`}
                  value={selectedCode ?? ''}
                  onChange={(e) => {
                    setCode(e.target.value);
                    setDone(null);
                    upload.reset();
                  }}
                  data-testid="instrument-select"
                >
                  {list.map((i) => (
                    <option key={i.code} value={i.code}>
                      {t('instrument.option', {
                        title: t(`entry:kind.${i.kind}`, { defaultValue: i.title }),
                        version: i.version,
                      })}
                    </option>
                  ))}
                </select>
              </div>
              {instrument.error ? (
                <ErrorMessage error={instrument.error} onRetry={() => void instrument.refetch()} />
              ) : !loaded ? (
                <Loading label={t('instrument.loading')} />
              ) : (
                <>
                  <p className="muted" data-testid="template-columns">
                    {t('instrument.columns', {
                      count: loaded.definition.questions.length + FIXED_COLUMNS.length,
                      questions: formatNumber(loaded.definition.questions.length),
                    })}
                  </p>
                  <button
                    type="button"
                    className="button button--secondary"
                    onClick={downloadTemplate}
                    aria-label={t('instrument.downloadLabel', {
                      title: t(`entry:kind.${loaded.kind}`, { defaultValue: loaded.title }),
                      version: loaded.version,
                    })}
                    data-testid="download-template"
                  >
                    {t('instrument.download')}
                  </button>
                </>
              )}
            </>
          )}
          <h3 className="import-help__title">{t('help.title')}</h3>
          <ul className="import-help" data-testid="import-help">
            <li>{t('help.header')}</li>
            <li>{t('help.rows')}</li>
            <li>{t('help.submissionId')}</li>
            <li>{t('help.boolean')}</li>
            <li>{t('help.choices')}</li>
            <li>{t('help.blank')}</li>
            <li>{t('help.excel')}</li>
          </ul>
        </section>

        <section className="card" aria-labelledby="upload-heading">
          <h2 id="upload-heading">{t('upload.title')}</h2>
          <form onSubmit={submit} noValidate>
            <div className="field">
              <label htmlFor={`${ids}-file`}>{t('upload.file')}</label>
              <input
                ref={fileInput}
                id={`${ids}-file`}
                type="file"
                accept=".csv,text/csv"
                aria-describedby={`${ids}-file-hint${missingFile ? ` ${ids}-file-error` : ''}`}
                aria-invalid={missingFile || undefined}
                onChange={(e) => {
                  setFile(e.target.files?.[0] ?? null);
                  setMissingFile(false);
                  upload.reset();
                }}
                data-testid="import-file"
              />
              <span id={`${ids}-file-hint`} className="field-hint">
                {t('upload.fileHint')}
              </span>
              {missingFile && (
                <span id={`${ids}-file-error`} className="field-error" role="alert">
                  {t('upload.chooseFile')}
                </span>
              )}
            </div>
            <div className="actions">
              <button
                type="submit"
                className="button button--primary"
                disabled={upload.isPending || !loaded}
                data-testid="upload-button"
              >
                {upload.isPending ? t('upload.sending') : t('upload.submit')}
              </button>
            </div>
          </form>
          <div role="status" aria-live="polite">
            {upload.isPending && file && (
              <div className="upload-progress" data-testid="upload-progress">
                <progress aria-label={t('upload.sending')} />
                <span>{t('upload.sendingStatus', { name: file.name, size: fileSize(file.size) })}</span>
              </div>
            )}
          </div>
          {upload.error && <UploadProblem error={upload.error} />}
          <p className="muted import-rownote">{t('help.rowNumbers')}</p>
        </section>
      </div>

      {done && (
        <ImportResult
          key={done.job.id}
          ref={resultHeading}
          job={done.job}
          instrument={done.instrument}
          fileName={done.fileName}
        />
      )}
    </div>
  );
}
