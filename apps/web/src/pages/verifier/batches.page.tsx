/**
 * The regency's monthly batches (one per regency and month): the list, newest month first, and a form to open the
 * month's batch with its cut-off date. Opening navigates to the new batch.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, query } from '../../api/client';
import { scopeOf, useSession } from '../../auth/session';
import { ErrorMessage, Field, Loading } from '../../components/ui';
import { currentPeriod, formatDate, formatNumber, formatPeriod, t } from '../../i18n';
import { ScrollRegion } from './scroll-region';
import { fetchAll, fieldErrors, label, type BatchItem } from './verifier-api';

/** The last day of a `YYYY-MM` month: a sensible default cut-off. */
function lastDayOf(period: string): string {
  const [year, month] = period.split('-').map(Number);
  if (!year || !month) return '';
  return new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
}

export function BatchesPage() {
  const { me } = useSession();
  const scope = scopeOf(me, 'VERIFIER') ?? '';
  const regency = /^\d{4}/.test(scope) ? scope.slice(0, 4) : '';
  const [loaded, setLoaded] = useState<{ items?: BatchItem[]; error?: unknown }>();

  useEffect(() => {
    if (!me) return;
    let stale = false;
    fetchAll<BatchItem>(`/batches${query({ regencyCode: regency || undefined })}`)
      .then(({ items }) => !stale && setLoaded({ items }))
      .catch((error: unknown) => !stale && setLoaded({ error }));
    return () => {
      stale = true;
    };
  }, [me, regency]);

  return (
    <section>
      <h1>{t('verifier.batches.title')}</h1>
      <p>{t('verifier.batches.intro')}</p>
      <OpenBatchForm regency={regency} />
      <h2>{t('verifier.batches.list')}</h2>
      <ErrorMessage error={loaded?.error} />
      {!loaded && <Loading />}
      {loaded?.items &&
        (loaded.items.length === 0 ? (
          <p>{t('verifier.batches.none')}</p>
        ) : (
          <ScrollRegion label={t('verifier.batches.list')}>
            <table>
              <caption className="verifier-sr-only">{t('verifier.batches.list')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('verifier.batches.col.batch')}</th>
                  <th scope="col">{t('verifier.batches.col.period')}</th>
                  <th scope="col">{t('verifier.batches.col.status')}</th>
                  <th scope="col" className="number">
                    {t('verifier.batches.col.count')}
                  </th>
                  <th scope="col">{t('verifier.batches.col.cutoff')}</th>
                </tr>
              </thead>
              <tbody>
                {loaded.items.map((batch) => (
                  <tr key={batch.id}>
                    <th scope="row">
                      <Link to={`/dinsos/batch/${batch.id}`}>{batch.id}</Link>
                    </th>
                    <td>{formatPeriod(batch.period)}</td>
                    <td>{label('batchStatus', batch.status)}</td>
                    <td className="number">{formatNumber(batch.included.length)}</td>
                    <td>{formatDate(batch.cutoffDate)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollRegion>
        ))}
    </section>
  );
}

function OpenBatchForm({ regency }: { regency: string }) {
  const navigate = useNavigate();
  const [regencyCode, setRegency] = useState(regency);
  const [period, setPeriod] = useState(currentPeriod);
  const [cutoffDate, setCutoff] = useState(() => lastDayOf(currentPeriod()));
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const opened = await api.post<{ batchId: string }>('/batches', { regencyCode, period, cutoffDate });
      void navigate(`/dinsos/batch/${opened.batchId}`);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card" onSubmit={(event) => void submit(event)} noValidate aria-labelledby="open-batch">
      <h2 id="open-batch">{t('verifier.batches.open')}</h2>
      <div className="inline-form">
        <Field
          label={t('verifier.batches.regency')}
          inputMode="numeric"
          value={regencyCode}
          onChange={(e) => setRegency(e.target.value)}
          errors={fieldErrors(error, 'regencyCode')}
        />
        <Field
          label={t('verifier.batches.period')}
          type="month"
          value={period}
          onChange={(e) => {
            setPeriod(e.target.value);
            setCutoff(lastDayOf(e.target.value));
          }}
          errors={fieldErrors(error, 'period')}
        />
        <Field
          label={t('verifier.batches.cutoff')}
          type="date"
          value={cutoffDate}
          onChange={(e) => setCutoff(e.target.value)}
          errors={fieldErrors(error, 'cutoffDate')}
        />
      </div>
      <ErrorMessage error={error} />
      <button type="submit" className="button button--primary" disabled={busy}>
        {t('verifier.batches.openSubmit')}
      </button>
    </form>
  );
}
