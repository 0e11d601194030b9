/**
 * A background job followed on GET /jobs/:id until it completes or fails: its state in words, a progress bar from
 * the job's counts, and the failure's reason. Polls once a second; the answer is announced politely.
 */
import { useEffect, useState } from 'react';
import { api } from '../../api/client';
import { ErrorMessage, ProgressBar } from '../../components/ui';
import { formatNumber, t } from '../../i18n';
import { label, type JobView } from './verifier-api';

const POLL_MS = 1000;
const FINISHED = ['completed', 'failed'];

/**
 * The job last started for `name` (e.g. `export-3515-202611`), kept in sessionStorage: coming back to the page
 * shows the running job again. Job ids hold a batch id and a digest, never personal data.
 */
export function useRememberedJob(name: string): [string | undefined, (jobId: string) => void] {
  const key = `muskel.verifier.job.${name}`;
  const [jobId, setJobId] = useState<string | undefined>(() => sessionStorage.getItem(key) ?? undefined);
  return [
    jobId,
    (next: string) => {
      sessionStorage.setItem(key, next);
      setJobId(next);
    },
  ];
}

/** The job's state, polled while it runs; `onFinished` once when it completes or fails. */
export function useJob(jobId: string | undefined, onFinished?: (job: JobView) => void) {
  const [job, setJob] = useState<JobView>();
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    if (!jobId) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const current = await api.get<JobView>(`/jobs/${encodeURIComponent(jobId)}`);
        if (stopped) return;
        setJob(current);
        setError(undefined);
        if (FINISHED.includes(current.state)) {
          onFinished?.(current);
          return;
        }
      } catch (caught) {
        if (stopped) return;
        setError(caught);
      }
      timer = setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
    // onFinished is read once per job: a new function each render must not restart the polling.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [jobId]);

  return { job, error };
}

/**
 * Done and total of a job's progress: the export's `{ proposals, total }`, the import's `{ rows, recorded, total }`
 * (results recorded of the valid rows to record).
 */
function counts(progress: unknown): { done: number; total: number } | undefined {
  if (typeof progress !== 'object' || progress === null) return undefined;
  const p = progress as Record<string, unknown>;
  const done = [p.recorded, p.proposals].find((value): value is number => typeof value === 'number');
  return done !== undefined && typeof p.total === 'number' ? { done, total: p.total } : undefined;
}

export function JobProgress({ job, error }: { job: JobView | undefined; error: unknown }) {
  if (!job) return <ErrorMessage error={error} />;
  const done = counts(job.progress);
  const percent =
    job.state === 'completed'
      ? 100
      : done && done.total > 0
        ? (done.done / done.total) * 100
        : typeof job.progress === 'number'
          ? job.progress
          : 0;
  return (
    <div className="verifier-job">
      <p role="status">
        {t('verifier.job.title')}: <strong>{label('job.state', job.state)}</strong>
        {done && ` (${t('verifier.job.counter', { done: formatNumber(done.done), total: formatNumber(done.total) })})`}
      </p>
      <ProgressBar value={percent} label={t('verifier.job.progress')} />
      {job.state === 'failed' && (
        <div className="alert alert--error" role="alert">
          {t('verifier.job.failed', { reason: job.failedReason ?? '' })}
        </div>
      )}
      <ErrorMessage error={error} />
    </div>
  );
}
