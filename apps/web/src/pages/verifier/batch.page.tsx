/**
 * One monthly batch, step by step as its status allows: include verified proposals (OPEN), close it (early with a
 * reason), record the Bupati/Wali Kota's endorsement (the decree's SHA-256, computed here: the scan stays on this
 * computer), export the SIKS-NG files and download them, record the submission, and import Pusdatin's result file.
 * Exports and imports run as background jobs followed with a progress bar. Every change names the revision shown
 * (If-Match); when someone else changed the batch meanwhile, the page says so and shows the new state.
 */
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { api, call, downloadFile, query } from '../../api/client';
import { ErrorMessage, Field, Loading, Notice } from '../../components/ui';
import { formatDate, formatDateTime, formatNumber, formatPeriod, t } from '../../i18n';
import { ScrollRegion } from './scroll-region';
import { useRevisioned } from './use-revisioned';
import { HistoryTable } from './history-table';
import { JobProgress, useJob, useRememberedJob } from './job-progress';
import { TextArea } from './text-area';
import {
  fetchAll,
  fieldErrors,
  jakartaNowIso,
  jakartaToday,
  label,
  proposalName,
  sha256Of,
  type BatchDetail,
  type ExportFile,
  type JobView,
  type ProposalItem,
} from './verifier-api';

export function BatchPage() {
  const { id = '' } = useParams();
  const {
    resource: batch,
    loadError,
    outcome,
    busy,
    errors,
    reload,
    act,
  } = useRevisioned<BatchDetail>(`/batches/${encodeURIComponent(id)}`);

  if (!batch) {
    return (
      <section>
        <p>
          <Link to="/dinsos/batch">{t('verifier.batch.back')}</Link>
        </p>
        <ErrorMessage error={loadError} />
        {!loadError && <Loading />}
      </section>
    );
  }

  const status = batch.status;
  return (
    <section className="verifier-batch">
      <p>
        <Link to="/dinsos/batch">{t('verifier.batch.back')}</Link>
      </p>
      <h1>{t('verifier.batch.title', { id: batch.batchId })}</h1>
      {outcome?.kind === 'ok' && <Notice>{outcome.text}</Notice>}
      {outcome?.kind === 'conflict' && (
        <div className="alert alert--warning" role="alert">
          {outcome.text}
        </div>
      )}

      <h2>{t('verifier.batch.summary')}</h2>
      <dl className="verifier-facts">
        <Fact term={t('verifier.batch.status')}>
          <strong>{label('batchStatus', status)}</strong>
        </Fact>
        <Fact term={t('verifier.batch.period')}>{formatPeriod(batch.period)}</Fact>
        <Fact term={t('verifier.batch.cutoff')}>{formatDate(batch.cutoffDate)}</Fact>
        {batch.closedAt && <Fact term={t('verifier.batch.closedAt')}>{formatDateTime(batch.closedAt)}</Fact>}
        {batch.earlyCloseReason && <Fact term={t('verifier.batch.earlyReason')}>{batch.earlyCloseReason}</Fact>}
        {batch.endorsement && (
          <Fact term={t('verifier.batch.endorsement')}>
            {t('verifier.batch.endorsement.text', {
              letter: batch.endorsement.letterNumber,
              date: formatDate(batch.endorsement.signedDate),
              name: batch.endorsement.endorsedBy,
            })}
          </Fact>
        )}
        {batch.endorsement && (
          <Fact term={t('verifier.batch.digest')}>
            <code className="hash">{batch.endorsement.documentDigest}</code>
          </Fact>
        )}
        {batch.submission && (
          <Fact term={t('verifier.batch.submittedTerm')}>
            {t('verifier.batch.submission', { at: formatDateTime(batch.submission.submittedAt) })}
          </Fact>
        )}
      </dl>

      <h2>{t('verifier.batch.included', { count: formatNumber(batch.included.length) })}</h2>
      {batch.included.length === 0 ? (
        <p>{t('verifier.batch.included.none')}</p>
      ) : (
        <ScrollRegion label={t('verifier.batch.included', { count: formatNumber(batch.included.length) })}>
          <table>
            <caption className="verifier-sr-only">
              {t('verifier.batch.included', { count: formatNumber(batch.included.length) })}
            </caption>
            <thead>
              <tr>
                <th scope="col">{t('verifier.queue.col.proposal')}</th>
                <th scope="col">{t('verifier.batch.result')}</th>
              </tr>
            </thead>
            <tbody>
              {batch.included.map((proposalId) => {
                const result = batch.results[proposalId];
                return (
                  <tr key={proposalId}>
                    <th scope="row">
                      <Link to={`/dinsos/usulan/${proposalId}`}>
                        <code>{proposalId}</code>
                      </Link>
                    </th>
                    <td>
                      {result
                        ? [label('status', result.outcome), result.decreeRef ?? result.reason ?? '']
                            .filter(Boolean)
                            .join(': ')
                        : t('verifier.batch.result.pending')}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </ScrollRegion>
      )}

      {status === 'OPEN' && (
        <>
          <Candidates
            batch={batch}
            busy={busy}
            error={errors.include}
            onInclude={(proposalId) => act('include', 'proposals', { proposalId }, 'verifier.batch.includedOk')}
          />
          <CloseForm
            batch={batch}
            busy={busy === 'close'}
            error={errors.close}
            onClose={(body) => act('close', 'close', body, 'verifier.batch.closed')}
          />
        </>
      )}
      {status === 'CLOSED' && (
        <EndorseForm
          busy={busy === 'endorse'}
          error={errors.endorse}
          onEndorse={(body) => act('endorse', 'endorse', body, 'verifier.batch.endorsed')}
        />
      )}
      {status !== 'OPEN' && <Exports batch={batch} />}
      {status === 'ENDORSED' && (
        <section className="card" aria-labelledby="submit-batch">
          <h2 id="submit-batch">{t('verifier.batch.submit')}</h2>
          <p>{t('verifier.batch.submit.text')}</p>
          <ErrorMessage error={errors.submit} />
          <button
            type="button"
            className="button button--primary button--large"
            disabled={busy !== undefined}
            onClick={() => void act('submit', 'submit', { submittedAt: jakartaNowIso() }, 'verifier.batch.submitted')}
          >
            {t('verifier.batch.submit')}
          </button>
        </section>
      )}
      {(status === 'SUBMITTED' || status === 'COMPLETED') && (
        <ImportResults batchId={batch.batchId} onImported={() => void reload()} />
      )}

      <h2>{t('verifier.batch.history')}</h2>
      <HistoryTable entries={batch.history} title={t('verifier.batch.history')} />
    </section>
  );
}

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** Verified proposals of the batch's regency not in it yet, each with its include button. */
function Candidates({
  batch,
  busy,
  error,
  onInclude,
}: {
  batch: BatchDetail;
  busy: string | undefined;
  error: unknown;
  onInclude: (proposalId: string) => Promise<boolean>;
}) {
  const [loaded, setLoaded] = useState<{ items?: ProposalItem[]; error?: unknown }>();
  useEffect(() => {
    let stale = false;
    fetchAll<ProposalItem>(`/proposals${query({ status: 'VERIFIED', regencyCode: batch.regencyCode })}`)
      .then(({ items }) => !stale && setLoaded({ items }))
      .catch((caught: unknown) => !stale && setLoaded({ error: caught }));
    return () => {
      stale = true;
    };
  }, [batch.regencyCode]);
  // The list is a read model; the batch (read from its stream) says what is already in.
  const waiting = (loaded?.items ?? []).filter((item) => !batch.included.includes(item.id));
  return (
    <section aria-labelledby="candidates">
      <h2 id="candidates">{t('verifier.batch.candidates')}</h2>
      <ErrorMessage error={loaded?.error ?? error} />
      {!loaded && <Loading />}
      {loaded?.items &&
        (waiting.length === 0 ? (
          <p>{t('verifier.batch.candidates.none')}</p>
        ) : (
          <ul className="cards">
            {waiting.map((item) => (
              <li key={item.id} className="card verifier-candidate">
                <Link to={`/dinsos/usulan/${item.id}`}>{proposalName(item)}</Link>
                <span>{item.villageCode}</span>
                <button
                  type="button"
                  className="button"
                  disabled={busy !== undefined}
                  aria-label={t('verifier.batch.include', { name: proposalName(item) })}
                  onClick={() => void onInclude(item.id)}
                >
                  {t('verifier.batch.includeShort')}
                </button>
              </li>
            ))}
          </ul>
        ))}
    </section>
  );
}

function CloseForm({
  batch,
  busy,
  error,
  onClose,
}: {
  batch: BatchDetail;
  busy: boolean;
  error: unknown;
  onClose: (body: { early?: boolean; reason?: string }) => Promise<boolean>;
}) {
  const beforeCutoff = jakartaToday() < batch.cutoffDate;
  const [early, setEarly] = useState(beforeCutoff);
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const value = reason.trim();
    setMissing(early && !value);
    if (early && !value) return;
    await onClose(early ? { early: true, reason: value } : {});
  };
  return (
    <form className="card" onSubmit={(event) => void submit(event)} noValidate aria-labelledby="close-batch">
      <h2 id="close-batch">{t('verifier.batch.close')}</h2>
      {beforeCutoff && <p>{t('verifier.batch.closeHint')}</p>}
      <div className="field verifier-check">
        <label>
          <input type="checkbox" checked={early} onChange={(e) => setEarly(e.target.checked)} />{' '}
          {t('verifier.batch.closeEarly')}
        </label>
      </div>
      {early && (
        <TextArea
          label={t('verifier.batch.closeReason')}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          maxLength={1000}
          errors={[...(missing ? [t('verifier.reasonRequired')] : []), ...fieldErrors(error, 'reason')]}
        />
      )}
      <ErrorMessage error={error} />
      <button type="submit" className="button button--primary" disabled={busy}>
        {t('verifier.batch.close')}
      </button>
    </form>
  );
}

function EndorseForm({
  busy,
  error,
  onEndorse,
}: {
  busy: boolean;
  error: unknown;
  onEndorse: (body: {
    endorsedBy: string;
    letterNumber: string;
    signedDate: string;
    documentDigest: string;
  }) => Promise<boolean>;
}) {
  const [endorsedBy, setEndorsedBy] = useState('');
  const [letterNumber, setLetterNumber] = useState('');
  const [signedDate, setSignedDate] = useState(jakartaToday);
  const [file, setFile] = useState<File>();
  const [missing, setMissing] = useState<Record<string, boolean>>({});
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = { endorsedBy: !endorsedBy.trim(), letterNumber: !letterNumber.trim(), signedDate: !signedDate };
    setMissing({ ...found, file: !file });
    if (!file || Object.values(found).some(Boolean)) return;
    await onEndorse({
      endorsedBy: endorsedBy.trim(),
      letterNumber: letterNumber.trim(),
      signedDate,
      documentDigest: await sha256Of(file),
    });
  };
  const required = (field: string) => [...(missing[field] ? [t('common.required')] : []), ...fieldErrors(error, field)];
  return (
    <form className="card" onSubmit={(event) => void submit(event)} noValidate aria-labelledby="endorse-batch">
      <h2 id="endorse-batch">{t('verifier.batch.endorse')}</h2>
      <Field
        label={t('verifier.batch.endorsedBy')}
        value={endorsedBy}
        maxLength={120}
        onChange={(e) => setEndorsedBy(e.target.value)}
        errors={required('endorsedBy')}
      />
      <Field
        label={t('verifier.batch.letterNumber')}
        value={letterNumber}
        maxLength={100}
        onChange={(e) => setLetterNumber(e.target.value)}
        errors={required('letterNumber')}
      />
      <Field
        label={t('verifier.batch.signedDate')}
        type="date"
        value={signedDate}
        onChange={(e) => setSignedDate(e.target.value)}
        errors={required('signedDate')}
      />
      <Field
        label={t('verifier.batch.document')}
        hint={t('verifier.batch.documentHint')}
        type="file"
        accept="application/pdf,image/*"
        onChange={(e) => setFile(e.target.files?.[0])}
        errors={[
          ...(missing.file ? [t('verifier.batch.documentRequired')] : []),
          ...fieldErrors(error, 'documentDigest'),
        ]}
      />
      <ErrorMessage error={error} />
      <button type="submit" className="button button--primary button--large" disabled={busy}>
        {t('verifier.batch.endorseSubmit')}
      </button>
    </form>
  );
}

/** The SIKS-NG export: start the job (CLOSED or ENDORSED), follow it, list and download the files. */
function Exports({ batch }: { batch: BatchDetail }) {
  const [files, setFiles] = useState<ExportFile[]>();
  const [error, setError] = useState<unknown>();
  const [jobId, setJobId] = useRememberedJob(`export-${batch.batchId}`);
  const [busy, setBusy] = useState(false);
  const exportable = batch.status === 'CLOSED' || batch.status === 'ENDORSED';

  // Bumped when an export completes: the file list is read again.
  const [listed, setListed] = useState(0);

  useEffect(() => {
    let stale = false;
    api
      .get<{ items: ExportFile[] }>(`/batches/${batch.batchId}/exports`)
      .then((answer) => !stale && setFiles(answer.items))
      .catch((caught: unknown) => !stale && setError(caught));
    return () => {
      stale = true;
    };
  }, [batch.batchId, listed]);

  const { job, error: jobError } = useJob(jobId, (finished: JobView) => {
    if (finished.state === 'completed') setListed((n) => n + 1);
  });
  const result = job?.state === 'completed' ? job.result : null;

  const start = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const started = await call<{ jobId: string }>(`/batches/${batch.batchId}/exports`, { method: 'POST' });
      setJobId(started.body.jobId);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const download = async (file: ExportFile) => {
    setError(undefined);
    try {
      await downloadFile(`/batches/${batch.batchId}/exports/${file.fileId}`, file.fileName);
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <section className="card" aria-labelledby="export-batch">
      <h2 id="export-batch">{t('verifier.batch.export')}</h2>
      {exportable ? (
        <button
          type="button"
          className="button button--primary"
          disabled={busy || (job !== undefined && !['completed', 'failed'].includes(job.state))}
          onClick={() => void start()}
        >
          {t('verifier.batch.export.start')}
        </button>
      ) : null}
      <ErrorMessage error={error} />
      {jobId && <JobProgress job={job} error={jobError} />}
      {result && (
        <Notice>
          {t('verifier.job.exportDone', {
            proposals: formatNumber(Number(result.proposals ?? 0)),
            rows: formatNumber(Number(result.rows ?? 0)),
          })}
        </Notice>
      )}
      <h3>{t('verifier.batch.files')}</h3>
      {files === undefined ? (
        <Loading />
      ) : files.length === 0 ? (
        <p>{t('verifier.batch.files.none')}</p>
      ) : (
        <ul className="cards">
          {files.map((file) => (
            <li key={file.fileId} className="card verifier-file">
              <span>
                <strong>{file.fileName}</strong>{' '}
                <span className="muted">
                  {t('verifier.batch.file.size', { size: formatNumber(file.size) })}, {formatDateTime(file.createdAt)}
                </span>
              </span>
              <span className="hash">
                <code>{file.digest}</code>
              </span>
              <button type="button" className="button" onClick={() => void download(file)}>
                {t('verifier.batch.download', { name: file.fileName })}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

interface ImportReport {
  rows: number;
  recorded: number;
  accepted: number;
  rejected: number;
  alreadyRecorded: number;
  unmatchedCount: number;
  unmatched: { row: number; code: string; message: string }[];
}

/** Pusdatin's result file (CSV), sent as is; the job's report lists what it recorded and what it could not match. */
function ImportResults({ batchId, onImported }: { batchId: string; onImported: () => void }) {
  const [file, setFile] = useState<File>();
  const [missing, setMissing] = useState(false);
  const [error, setError] = useState<unknown>();
  const [jobId, setJobId] = useRememberedJob(`import-${batchId}`);
  const [busy, setBusy] = useState(false);
  const { job, error: jobError } = useJob(jobId, (finished) => {
    if (finished.state === 'completed') onImported();
  });
  const report = job?.state === 'completed' ? (job.result as unknown as ImportReport | null) : null;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setMissing(!file);
    if (!file) return;
    setBusy(true);
    setError(undefined);
    try {
      const started = await call<{ jobId: string }>(`/batches/${batchId}/results/imports`, {
        method: 'POST',
        raw: file,
        contentType: 'text/csv',
      });
      setJobId(started.body.jobId);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card" onSubmit={(event) => void submit(event)} noValidate aria-labelledby="import-results">
      <h2 id="import-results">{t('verifier.batch.import')}</h2>
      <Field
        label={t('verifier.batch.import.file')}
        hint={t('verifier.batch.import.hint')}
        type="file"
        accept=".csv,text/csv"
        onChange={(e) => setFile(e.target.files?.[0])}
        errors={missing ? [t('verifier.batch.import.fileRequired')] : []}
      />
      <ErrorMessage error={error} />
      <button type="submit" className="button button--primary" disabled={busy}>
        {t('verifier.batch.import.start')}
      </button>
      {jobId && <JobProgress job={job} error={jobError} />}
      {report && (
        <div className="verifier-report">
          <h3>{t('verifier.batch.import.report')}</h3>
          <p>
            {t('verifier.batch.import.counts', {
              rows: formatNumber(report.rows),
              recorded: formatNumber(report.recorded),
              accepted: formatNumber(report.accepted),
              rejected: formatNumber(report.rejected),
              already: formatNumber(report.alreadyRecorded),
              unmatched: formatNumber(report.unmatchedCount),
            })}
          </p>
          {report.unmatched.length > 0 && (
            <>
              <h4>{t('verifier.batch.import.unmatched')}</h4>
              <ul>
                {report.unmatched.map((row) => (
                  <li key={`${row.row}-${row.code}`}>
                    {t('verifier.batch.import.row', { row: row.row, message: hasText(row.code, row.message) })}
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
    </form>
  );
}

/** An unmatched row's reason: its code in Indonesian when the catalogue knows it, else the job's own words. */
function hasText(code: string, message: string): string {
  const text = label('importCode', code);
  return text === code ? `${code} (${message})` : text;
}
