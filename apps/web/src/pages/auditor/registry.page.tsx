import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api, query } from '../../api/client';
import { scopeOf, useSession } from '../../auth/session';
import { ErrorMessage, Field, Loading } from '../../components/ui';
import { formatDate, formatDateTime, formatNumber, hasMessage, t, TIME_ZONE } from '../../i18n';

interface Household {
  householdId: string;
  address: string;
  rt: string;
  rw: string;
  source: string;
  members: { memberId: string; name: string }[];
}

interface Change {
  householdId: string;
  eventType: string;
  occurredAt: string;
  members: { memberId: string; name: string }[];
  reason: string | null;
  proposalId: string | null;
  importId: string | null;
}

interface Changes {
  entered: Change[];
  left: Change[];
  changed: Change[];
}

/** Today in Jakarta as YYYY-MM-DD. */
const today = (): string => new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE }).format(new Date());

const label = (prefix: string, code: string): string => {
  const key = `${prefix}.${code}`;
  return hasMessage(key) ? t(key) : code;
};

function ChangeTable({ title, changes, id }: { title: string; changes: readonly Change[]; id: string }) {
  return (
    <section aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      {changes.length === 0 ? (
        <p>{t('common.none')}</p>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('auditor.timeline.when')}</th>
                <th scope="col">{t('auditor.timeline.what')}</th>
                <th scope="col">{t('auditor.changes.members')}</th>
                <th scope="col">{t('auditor.changes.reason')}</th>
                <th scope="col">{t('auditor.changes.cause')}</th>
              </tr>
            </thead>
            <tbody>
              {changes.map((change) => (
                <tr key={`${change.householdId}-${change.occurredAt}-${change.eventType}`}>
                  <td>{formatDateTime(change.occurredAt)}</td>
                  <td>
                    <Link to={`/audit/riwayat/household/${change.householdId}`}>
                      {label('auditor.event', change.eventType)}
                    </Link>
                  </td>
                  <td>{change.members.map((m) => m.name).join(', ')}</td>
                  <td>{change.reason ? label('reason', change.reason) : ''}</td>
                  <td className="hash">
                    {change.proposalId
                      ? t('auditor.changes.cause.proposal', { id: change.proposalId })
                      : change.importId
                        ? t('auditor.changes.cause.import', { id: change.importId })
                        : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** A village's registry as it stood on a date, and who entered, left or changed between two dates. */
export function RegistryPage() {
  const { me } = useSession();
  const scope = scopeOf(me, 'AUDITOR');
  const [village, setVillage] = useState(scope && /^\d{10}$/.test(scope) ? scope : '');
  const [asOf, setAsOf] = useState(today());
  const [from, setFrom] = useState(`${today().slice(0, 8)}01`);
  const [to, setTo] = useState(today());
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(false);
  const [registry, setRegistry] = useState<{ village: string; date: string; households: Household[] }>();
  const [changes, setChanges] = useState<{ village: string; from: string; to: string } & Changes>();

  function validVillage(): boolean {
    const ok = /^\d{10}$/.test(village.replace(/\./g, ''));
    setErrors(ok ? {} : { village: t('auditor.registry.invalidVillage') });
    return ok;
  }

  async function run<T>(work: () => Promise<T>, done: (value: T) => void) {
    setError(undefined);
    setLoading(true);
    try {
      done(await work());
    } catch (caught) {
      setError(caught);
    } finally {
      setLoading(false);
    }
  }

  function onRegistry(event: FormEvent) {
    event.preventDefault();
    if (!validVillage()) return;
    if (!asOf) return setErrors({ asOf: t('auditor.registry.invalidDate') });
    const code = village.replace(/\./g, '');
    void run(
      () => api.get<{ households: Household[] }>(`/registry/villages/${code}${query({ asOf })}`),
      (found) => setRegistry({ village: code, date: asOf, households: found.households }),
    );
  }

  function onChanges(event: FormEvent) {
    event.preventDefault();
    if (!validVillage()) return;
    if (!from || !to) return setErrors({ [from ? 'to' : 'from']: t('auditor.registry.invalidDate') });
    if (from > to) return setErrors({ to: t('auditor.changes.invalidPeriod') });
    const code = village.replace(/\./g, '');
    void run(
      () => api.get<Changes>(`/registry/villages/${code}/changes${query({ from, to })}`),
      // The API answers with instant bounds (`to` is the next midnight): the dates asked for are shown.
      (found) => setChanges({ ...found, village: code, from, to }),
    );
  }

  const members = registry?.households.reduce((sum, h) => sum + h.members.length, 0) ?? 0;
  const fieldErrors = (name: string) => (errors[name] ? [errors[name]] : []);

  return (
    <>
      <h1>{t('auditor.registry')}</h1>
      <form className="inline-form" onSubmit={onRegistry} noValidate aria-label={t('auditor.registry')}>
        <Field
          label={t('auditor.registry.village')}
          hint={t('auditor.registry.villageHint')}
          value={village}
          onChange={(e) => setVillage(e.target.value)}
          inputMode="numeric"
          errors={fieldErrors('village')}
        />
        <Field
          label={t('auditor.registry.asOf')}
          type="date"
          value={asOf}
          onChange={(e) => setAsOf(e.target.value)}
          errors={fieldErrors('asOf')}
        />
        <button type="submit" className="button button--primary" disabled={loading}>
          {t('auditor.registry.show')}
        </button>
      </form>
      <form className="inline-form" onSubmit={onChanges} noValidate aria-label={t('auditor.changes')}>
        <Field
          label={t('auditor.changes.from')}
          type="date"
          value={from}
          onChange={(e) => setFrom(e.target.value)}
          errors={fieldErrors('from')}
        />
        <Field
          label={t('auditor.changes.to')}
          type="date"
          value={to}
          onChange={(e) => setTo(e.target.value)}
          errors={fieldErrors('to')}
        />
        <button type="submit" className="button" disabled={loading}>
          {t('auditor.changes.show')}
        </button>
      </form>
      <ErrorMessage error={error} />
      {loading && <Loading />}
      {registry && (
        <section aria-labelledby="audit-registry">
          <h2 id="audit-registry">
            {t('auditor.registry.heading', { village: registry.village, date: formatDate(registry.date) })}
          </h2>
          <p>
            {t('auditor.registry.count', {
              households: formatNumber(registry.households.length),
              members: formatNumber(members),
            })}
          </p>
          {registry.households.length > 0 && (
            <div className="table-scroll">
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('auditor.registry.address')}</th>
                    <th scope="col">{t('auditor.registry.members')}</th>
                    <th scope="col">{t('auditor.registry.source')}</th>
                    <th scope="col">{t('auditor.registry.history')}</th>
                  </tr>
                </thead>
                <tbody>
                  {registry.households.map((household) => (
                    <tr key={household.householdId}>
                      <td>{`${household.address} RT ${household.rt}/RW ${household.rw}`}</td>
                      <td>{household.members.map((m) => m.name).join(', ')}</td>
                      <td>{label('auditor.source', household.source)}</td>
                      <td>
                        <Link
                          to={`/audit/riwayat/household/${household.householdId}`}
                          aria-label={t('auditor.households.open', { address: household.address })}
                        >
                          {t('auditor.registry.openHistory')}
                        </Link>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}
      {changes && (
        <section aria-labelledby="audit-changes">
          <h2 id="audit-changes">
            {t('auditor.changes.heading', {
              village: changes.village,
              from: formatDate(changes.from),
              to: formatDate(changes.to),
            })}
          </h2>
          <ChangeTable
            id="audit-entered"
            title={t('auditor.changes.entered', { count: changes.entered.length })}
            changes={changes.entered}
          />
          <ChangeTable
            id="audit-left"
            title={t('auditor.changes.left', { count: changes.left.length })}
            changes={changes.left}
          />
          <ChangeTable
            id="audit-changed"
            title={t('auditor.changes.changed', { count: changes.changed.length })}
            changes={changes.changed}
          />
        </section>
      )}
    </>
  );
}
