/**
 * The verifier's work queue: proposals of the verifier's regency approved by their village and waiting for Dinsos
 * (status APPROVED), oldest first, with filters (open flag, village, days waiting) and counts. The village and the
 * flag filter on the server; the age on the client, from the meeting's decision. Filters live in the URL (codes and
 * numbers only, never personal data) so the back button returns to the same view.
 */
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { query } from '../../api/client';
import { scopeOf, useSession } from '../../auth/session';
import { ErrorMessage, Field, Loading, Notice, SelectField } from '../../components/ui';
import { formatDate, formatNumber, t } from '../../i18n';
import { ScrollRegion } from './scroll-region';
import { FLAG_CODES } from '@muskel/domain';
import { daysSince, fetchAll, label, proposalName, waitingSince, type ProposalItem } from './verifier-api';

/** Days after which a waiting proposal counts as old in the summary. */
const OLD_AFTER_DAYS = 14;
const VILLAGE = /^\d{10}$/;
const ANY_OPEN = 'ANY';
const NONE = 'NONE';

export function QueuePage() {
  const { me } = useSession();
  const scope = scopeOf(me, 'VERIFIER') ?? '';
  const [params, setParams] = useSearchParams();
  const flag = params.get('tanda') ?? '';
  const village = params.get('desa') ?? '';
  const minAge = Number(params.get('umur') ?? '0') || 0;
  const key = `${scope}|${village}|${flag}`;
  const [loaded, setLoaded] = useState<{
    key: string;
    items?: ProposalItem[];
    truncated?: boolean;
    error?: unknown;
  }>();

  useEffect(() => {
    if (!me) return;
    let stale = false;
    // A flag code filters on the server; "any open"/"none" are decided from each row's flags.
    const serverFlag = flag && flag !== ANY_OPEN && flag !== NONE ? flag : undefined;
    const regency = /^\d{4}/.test(scope) ? scope.slice(0, 4) : undefined;
    fetchAll<ProposalItem>(
      `/proposals${query({ status: 'APPROVED', regencyCode: regency, villageCode: village || undefined, flag: serverFlag })}`,
    )
      .then(({ items, truncated }) => !stale && setLoaded({ key, items, truncated }))
      .catch((error: unknown) => !stale && setLoaded({ key, error }));
    return () => {
      stale = true;
    };
  }, [key, me, scope, village, flag]);

  const current = loaded?.key === key ? loaded : undefined;
  const all = useMemo(() => current?.items ?? [], [current]);
  const shown = useMemo(
    () =>
      all
        .filter((item) => (flag === ANY_OPEN ? item.openFlags.length > 0 : true))
        .filter((item) => (flag === NONE ? item.openFlags.length === 0 : true))
        .filter((item) => daysSince(waitingSince(item)) >= minAge)
        .sort((a, b) => waitingSince(a).localeCompare(waitingSince(b))),
    [all, flag, minAge],
  );

  const counts = [
    { label: t('verifier.queue.count.total'), value: all.length },
    { label: t('verifier.queue.count.shown'), value: shown.length },
    { label: t('verifier.queue.count.flagged'), value: all.filter((i) => i.openFlags.length > 0).length },
    {
      label: t('verifier.queue.count.blocking'),
      value: all.filter((i) => i.openFlags.some((f) => f.severity === 'BLOCKING')).length,
    },
    {
      label: t('verifier.queue.count.old', { days: OLD_AFTER_DAYS }),
      value: all.filter((i) => daysSince(waitingSince(i)) > OLD_AFTER_DAYS).length,
    },
  ];

  return (
    <section>
      <h1>{t('verifier.queue.title')}</h1>
      <p>{t('verifier.queue.intro', { scope })}</p>
      <QueueFilters
        key={`${village}|${flag}|${minAge}`}
        village={village}
        flag={flag}
        minAge={minAge}
        onApply={(next) => setParams(next)}
      />
      <ErrorMessage error={current?.error} />
      {!current && <Loading />}
      {current?.items && (
        <>
          <h2>{t('verifier.queue.counts')}</h2>
          <dl className="verifier-counts">
            {counts.map((count) => (
              <div key={count.label}>
                <dt>{count.label}</dt>
                <dd>{formatNumber(count.value)}</dd>
              </div>
            ))}
          </dl>
          {current.truncated && <Notice>{t('verifier.queue.truncated', { count: formatNumber(all.length) })}</Notice>}
          <h2>{t('verifier.queue.list')}</h2>
          {shown.length === 0 ? (
            <p>{t('verifier.queue.empty')}</p>
          ) : (
            <>
              <ul className="cards verifier-queue-cards">
                {shown.map((item) => (
                  <li key={item.id} className="card">
                    <h3>
                      <Link to={`/dinsos/usulan/${item.id}`}>{proposalName(item)}</Link>
                    </h3>
                    <dl>
                      <div>
                        <dt>{t('verifier.queue.col.village')}</dt>
                        <dd>{item.villageCode}</dd>
                      </div>
                      <div>
                        <dt>{t('verifier.queue.col.age')}</dt>
                        <dd>
                          {t('verifier.days', { days: formatNumber(daysSince(waitingSince(item))) })} (
                          {formatDate(waitingSince(item))})
                        </dd>
                      </div>
                      <div>
                        <dt>{t('verifier.queue.col.flags')}</dt>
                        <dd>
                          <Flags item={item} />
                        </dd>
                      </div>
                    </dl>
                  </li>
                ))}
              </ul>
              <ScrollRegion label={t('verifier.queue.list')} className="verifier-queue-table">
                <table className="verifier-queue">
                  <caption className="verifier-sr-only">{t('verifier.queue.title')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('verifier.queue.col.proposal')}</th>
                      <th scope="col">{t('verifier.queue.col.village')}</th>
                      <th scope="col">{t('verifier.queue.col.approved')}</th>
                      <th scope="col" className="number">
                        {t('verifier.queue.col.age')}
                      </th>
                      <th scope="col">{t('verifier.queue.col.flags')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {shown.map((item) => (
                      <tr key={item.id}>
                        <th scope="row">
                          <Link to={`/dinsos/usulan/${item.id}`}>{proposalName(item)}</Link>
                        </th>
                        <td>{item.villageCode}</td>
                        <td>{formatDate(waitingSince(item))}</td>
                        <td className="number">
                          {t('verifier.days', { days: formatNumber(daysSince(waitingSince(item))) })}
                        </td>
                        <td>
                          <Flags item={item} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </ScrollRegion>
            </>
          )}
        </>
      )}
    </section>
  );
}

/** The open flags of a row: the severity in words (not by colour alone) and what matched. */
function Flags({ item }: { item: ProposalItem }) {
  if (item.openFlags.length === 0) return <span className="muted">{t('verifier.queue.noFlags')}</span>;
  return (
    <ul className="verifier-flags">
      {item.openFlags.map((f) => (
        <li key={f.code}>
          <span className={`badge ${f.severity === 'BLOCKING' ? 'badge--error' : 'badge--warning'}`}>
            {label('severity', f.severity)}
          </span>{' '}
          {label('flag', f.code)}
        </li>
      ))}
    </ul>
  );
}

interface FilterValues {
  village: string;
  flag: string;
  minAge: number;
}

function QueueFilters({
  village,
  flag,
  minAge,
  onApply,
}: FilterValues & { onApply: (params: Record<string, string>) => void }) {
  const [villageInput, setVillage] = useState(village);
  const [flagInput, setFlag] = useState(flag);
  const [ageInput, setAge] = useState(minAge ? String(minAge) : '');
  const [errors, setErrors] = useState<{ village?: string; age?: string }>({});

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = villageInput.replace(/\D/g, '');
    const found: { village?: string; age?: string } = {};
    if (trimmed && !VILLAGE.test(trimmed)) found.village = t('verifier.queue.villageInvalid');
    if (ageInput && !/^\d{1,4}$/.test(ageInput.trim())) found.age = t('verifier.queue.minAgeInvalid');
    setErrors(found);
    if (found.village || found.age) return;
    const next: Record<string, string> = {};
    if (trimmed) next.desa = trimmed;
    if (flagInput) next.tanda = flagInput;
    if (ageInput.trim() && Number(ageInput) > 0) next.umur = String(Number(ageInput));
    onApply(next);
  };

  const flagOptions = [
    { value: '', label: t('verifier.queue.flag.any') },
    { value: ANY_OPEN, label: t('verifier.queue.flag.anyOpen') },
    { value: NONE, label: t('verifier.queue.flag.none') },
    ...FLAG_CODES.map((code) => ({ value: code, label: label('flag', code) })),
  ];

  return (
    <form
      className="inline-form verifier-filters"
      onSubmit={submit}
      noValidate
      aria-label={t('verifier.queue.filters')}
    >
      <SelectField
        label={t('verifier.queue.flag')}
        options={flagOptions}
        value={flagInput}
        onChange={(e) => setFlag(e.target.value)}
      />
      <Field
        label={t('verifier.queue.village')}
        hint={t('verifier.queue.villageHint')}
        inputMode="numeric"
        autoComplete="off"
        value={villageInput}
        onChange={(e) => setVillage(e.target.value)}
        errors={errors.village ? [errors.village] : []}
      />
      <Field
        label={t('verifier.queue.minAge')}
        inputMode="numeric"
        autoComplete="off"
        value={ageInput}
        onChange={(e) => setAge(e.target.value)}
        errors={errors.age ? [errors.age] : []}
      />
      <div className="actions">
        <button type="submit" className="button button--primary">
          {t('verifier.queue.apply')}
        </button>
        <button
          type="button"
          className="button"
          onClick={() => {
            setErrors({});
            onApply({});
          }}
        >
          {t('verifier.queue.reset')}
        </button>
      </div>
    </form>
  );
}
