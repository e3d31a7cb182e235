import { randomUUID } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { ForbiddenException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CsvError, parse } from 'csv-parse';
import type { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '@kkb/auth';
import { ProblemException, SERVICE_CONFIG, type FieldError } from '@kkb/platform';
import type { SurveyConfig } from '../config/survey.config';
import { InstrumentService } from '../instrument/instrument.service';
import type { PreparedSubmission, WriteOutcome } from '../submission/submission.model';
import { SubmissionService } from '../submission/submission.service';
import { CsvRowMapper } from './csv-row.mapper';
import type { ImportRowsQuery, StartImportQuery } from './import-query.dto';
import type { ImportJob, RowOutcome, RowResult } from './import.model';
import { ImportRepository } from './import.repository';

export interface ImportView {
  id: string;
  status: ImportJob['status'];
  instrumentCode: string;
  instrumentVersion: number;
  rows: number;
  created: number;
  unchanged: number;
  failed: number;
  error: string | null;
  startedBy: string;
  startedAt: string;
  finishedAt: string | null;
  /** Every row's result, when the import had at most SURVEY_IMPORT_INLINE_RESULTS rows. */
  results?: RowResult[];
  /** Where the rows' results can be paged through. */
  resultsUrl: string;
}

class TooLarge extends Error {}

/** Counts the bytes going through and fails the stream past the limit. */
class ByteLimit extends Transform {
  private seen = 0;

  constructor(private readonly max: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.max) done(new TooLarge(`the CSV is larger than ${this.max} bytes`));
    else done(null, chunk);
  }
}

interface PreparedBatch {
  results: Map<number, RowResult>;
  toWrite: { row: number; item: PreparedSubmission }[];
}

interface PendingRow {
  row: number;
  body?: Record<string, unknown>;
  errors?: FieldError[];
}

/**
 * Imports a CSV export, one row per kampung and period, as submissions: the body is parsed as it
 * streams in, rows are validated exactly like HTTP submissions and written a batch per
 * transaction (with their results), so memory stays flat whatever the file size.
 */
@Injectable()
export class ImportService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly submissions: SubmissionService,
    private readonly instruments: InstrumentService,
    private readonly repo: ImportRepository,
    @Inject(SERVICE_CONFIG) private readonly config: SurveyConfig,
  ) {}

  async run(source: Readable, q: StartImportQuery, user: Principal): Promise<ImportView> {
    const instrument = await this.instruments.load(q.instrumentCode, q.instrumentVersion);
    if (!instrument) {
      source.resume();
      throw ProblemException.validation([
        await this.instruments.missingVersion(q.instrumentCode, q.instrumentVersion),
      ]);
    }
    const parser = parse({
      bom: true,
      // A line starting with # is a comment (the console's template has its column labels on
      // one); a # inside or at the start of a later cell is data.
      comment: '#',
      comment_no_infix: true,
      relax_column_count: true,
      skip_empty_lines: true,
      max_record_size: 1 << 20,
    });
    // Not pipeline(): it would destroy the request on an error, and with it the socket the
    // problem response has to go out on. The parser fails instead; the rest of the body is drained.
    const limit = new ByteLimit(this.config.SURVEY_IMPORT_MAX_BYTES);
    source.once('error', (err) => parser.destroy(err));
    limit.once('error', (err) => parser.destroy(err));
    source.pipe(limit).pipe(parser);

    let mapper: CsvRowMapper | undefined;
    let jobId: string | undefined;
    let row = 0;
    let pending: PendingRow[] = [];
    const ids = new Set<string>();
    const keys = new Set<string>();
    let inline: RowResult[] | undefined = [];
    // While one batch is being written, the next is read and validated; writes stay in file
    // order (a later row of a period must supersede an earlier one), one at a time.
    let writing: Promise<void> = Promise.resolve();
    const flush = async () => {
      if (!pending.length) return;
      const batch = pending;
      pending = [];
      ids.clear();
      keys.clear();
      if (!jobId) throw new Error('rows before the header');
      const id = jobId;
      const prepared = await this.prepareBatch(batch, id, user);
      await writing;
      writing = this.writePrepared(id, prepared).then((results) => {
        if (inline)
          inline =
            inline.length + results.length <= this.config.SURVEY_IMPORT_INLINE_RESULTS
              ? inline.concat(results)
              : undefined;
      });
      writing.catch(() => undefined); // awaited by the next flush or at the end
    };

    try {
      for await (const record of parser as AsyncIterable<string[]>) {
        if (!mapper) {
          const header = CsvRowMapper.fromHeader(
            record,
            instrument.compiled,
            q.instrumentCode,
            q.instrumentVersion,
          );
          if ('errors' in header)
            throw ProblemException.validation(header.errors, 'The CSV header does not fit the instrument.');
          mapper = header.mapper;
          jobId = await this.createJob(q, user);
          continue;
        }
        row++;
        const mapped = mapper.map(record);
        if ('errors' in mapped) {
          pending.push({ row, errors: mapped.errors });
        } else {
          const b = mapped.body as {
            id: string;
            kampungId: unknown;
            period: { year: unknown; month: unknown };
          };
          const key = `${String(b.kampungId)}|${String(b.period.year)}|${String(b.period.month)}`;
          // One transaction writes distinct ids and periods: a repeat waits for the next one,
          // where it supersedes (a later row for the same period) or is a retry (the same id).
          if (ids.has(b.id) || keys.has(key)) await flush();
          ids.add(b.id);
          keys.add(key);
          pending.push({ row, body: mapped.body });
        }
        if (pending.length >= this.config.SURVEY_IMPORT_BATCH_SIZE) await flush();
      }
      if (!mapper)
        throw ProblemException.validation([
          { field: 'body', reason: 'the CSV is empty: it needs a header row' },
        ]);
      await flush();
      await writing;
      await this.repo.complete(this.ds.manager, jobId as string);
    } catch (err) {
      source.unpipe(limit);
      source.resume();
      parser.destroy();
      await writing.catch(() => undefined);
      const problem = this.problemOf(err, row);
      if (jobId) {
        const detail = problem ? (problem.getResponse() as { detail?: string }).detail : undefined;
        await this.repo.fail(this.ds.manager, jobId, detail ?? (err as Error).message);
      }
      throw problem ?? err;
    }
    const view = await this.view(jobId as string, user);
    return inline ? { ...view, results: inline } : view;
  }

  private problemOf(err: unknown, row: number): ProblemException | undefined {
    if (err instanceof ProblemException) return err;
    if (err instanceof TooLarge)
      return new ProblemException(
        HttpStatus.PAYLOAD_TOO_LARGE,
        'payload-too-large',
        'Payload too large',
        err.message,
      );
    if (err instanceof CsvError)
      return ProblemException.validation(
        [{ field: `row ${row + 1}`, reason: err.message }],
        `The CSV cannot be read after row ${row}; the rows before it were imported.`,
      );
    return undefined;
  }

  private async createJob(q: StartImportQuery, user: Principal): Promise<string> {
    const id = randomUUID();
    await this.repo.createJob(this.ds.manager, {
      id,
      instrumentCode: q.instrumentCode,
      instrumentVersion: q.instrumentVersion,
      startedBy: user.sub,
      scope: user.scope,
    });
    return id;
  }

  /** Validates a batch of rows: the failed ones get their result, the others are ready to write. */
  private async prepareBatch(batch: PendingRow[], jobId: string, user: Principal): Promise<PreparedBatch> {
    const withBody = batch.filter((p) => p.body);
    const prepared = await this.submissions.prepareMany(
      withBody.map((p) => p.body),
      user,
      'import',
      jobId,
    );
    const results = new Map<number, RowResult>();
    const toWrite: { row: number; item: PreparedSubmission }[] = [];
    for (const p of batch) {
      if (p.errors)
        results.set(p.row, { row: p.row, submissionId: null, outcome: 'failed', errors: p.errors });
    }
    withBody.forEach((p, i) => {
      const r = prepared[i];
      const id = p.body?.id;
      const submissionId = typeof id === 'string' ? id : null;
      if (r.ok) toWrite.push({ row: p.row, item: r.value });
      else
        results.set(p.row, {
          row: p.row,
          submissionId,
          outcome: 'failed',
          errors: r.forbidden ? [{ field: 'kampungId', reason: r.forbidden }] : r.errors,
        });
    });
    return { results, toWrite };
  }

  /** Writes the valid rows of a batch and every row's result in one transaction. */
  private async writePrepared(jobId: string, { results, toWrite }: PreparedBatch): Promise<RowResult[]> {
    const record = async (m: EntityManager, outcomes: WriteOutcome[]) => {
      outcomes.forEach((o, i) => {
        const row = toWrite[i].row;
        results.set(
          row,
          o.outcome === 'conflict'
            ? {
                row,
                submissionId: o.submission.id,
                outcome: 'failed',
                errors: [{ field: 'id', reason: 'already used for a submission with different content' }],
              }
            : { row, submissionId: o.submission.id, outcome: o.outcome },
        );
      });
      await this.recordResults(m, jobId, [...results.values()]);
    };
    if (toWrite.length)
      await this.submissions.write(
        toWrite.map((w) => w.item),
        record,
      );
    else await this.ds.transaction((m) => record(m, []));
    return [...results.values()].sort((a, b) => a.row - b.row);
  }

  private async recordResults(m: EntityManager, jobId: string, results: RowResult[]): Promise<void> {
    const count = (o: RowOutcome) => results.filter((r) => r.outcome === o).length;
    await this.repo.insertRows(m, jobId, results);
    await this.repo.addCounts(m, jobId, {
      rows: results.length,
      created: count('created'),
      unchanged: count('unchanged'),
      failed: count('failed'),
    });
  }

  async view(id: string, user: Principal): Promise<ImportView> {
    const job = await this.repo.findJob(this.ds.manager, id);
    if (!job) throw ProblemException.notFound(`Import ${id}`);
    // An import may touch its officer's whole scope: a reader must cover all of it.
    if (!job.scope.startsWith(user.scope))
      throw new ForbiddenException(
        `import ${id} covers region '${job.scope}', outside your scope ${user.scope}`,
      );
    return {
      id: job.id,
      status: job.status,
      instrumentCode: job.instrumentCode,
      instrumentVersion: job.instrumentVersion,
      rows: job.rows,
      created: job.created,
      unchanged: job.unchanged,
      failed: job.failed,
      error: job.error,
      startedBy: job.startedBy,
      startedAt: job.startedAt.toISOString(),
      finishedAt: job.finishedAt?.toISOString() ?? null,
      resultsUrl: `/api/v1/imports/${job.id}/rows`,
    };
  }

  async rows(id: string, q: ImportRowsQuery, user: Principal): Promise<RowResult[]> {
    await this.view(id, user);
    return this.repo.rowsPage(this.ds.manager, id, q.after, q.limit, q.outcome);
  }
}
