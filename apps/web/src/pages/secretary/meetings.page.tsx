/** `/desa/musyawarah`: the village's meetings, and scheduling a new one (kind, date and time in WIB, venue, chair). */
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, ApiError, query } from '../../api/client';
import { ErrorMessage, Field, Loading, SelectField } from '../../components/ui';
import { formatDateTime, jakartaLocalToIso, t, type MessageKey } from '../../i18n';
import { ScrollTable } from './scroll-table';
import { useLoad, type MeetingItem, type Page } from './village';

/** A kelurahan (digit 7 = 1) holds a MUSKEL; a desa a MUSDES or a MUSDESUS. */
const kindsFor = (village: string) => (village.charAt(6) === '1' ? ['MUSKEL'] : ['MUSDES', 'MUSDESUS']);

export function MeetingsPage({ village }: { village: string }) {
  const navigate = useNavigate();
  const meetings = useLoad(() => api.get<Page<MeetingItem>>(`/meetings${query({ villageCode: village })}`), [village]);
  const kinds = kindsFor(village);
  const [kind, setKind] = useState(kinds[0]!);
  const [at, setAt] = useState('');
  const [venue, setVenue] = useState('');
  const [chair, setChair] = useState('');
  const [attempted, setAttempted] = useState(false);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [idempotencyKey] = useState(() => crypto.randomUUID());

  const fieldErrors = (field: string, value: string) => [
    ...(attempted && value.trim() === '' ? [t('secretary.proposal.required')] : []),
    ...(error instanceof ApiError ? error.fieldMessages(field) : []),
  ];

  async function schedule(event: FormEvent) {
    event.preventDefault();
    setAttempted(true);
    if (!at || !venue.trim() || !chair.trim()) return;
    setBusy(true);
    setError(undefined);
    try {
      const created = await api.post<{ meetingId: string }>(
        '/meetings',
        { villageCode: village, kind, scheduledAt: jakartaLocalToIso(at), venue: venue.trim(), chair: chair.trim() },
        { headers: { 'Idempotency-Key': idempotencyKey } },
      );
      void navigate(`/desa/musyawarah/${created.meetingId}`);
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  return (
    <>
      <h1>{t('secretary.meetings.title')}</h1>
      <section aria-labelledby="schedule" className="card narrow">
        <h2 id="schedule">{t('secretary.schedule.title')}</h2>
        <ErrorMessage error={error} />
        <form onSubmit={(e) => void schedule(e)} noValidate>
          <SelectField
            label={t('secretary.schedule.kind')}
            value={kind}
            onChange={(e) => setKind(e.target.value)}
            options={kinds.map((value) => ({ value, label: t(`meetingKind.${value}` as MessageKey) }))}
            errors={error instanceof ApiError ? error.fieldMessages('kind') : []}
          />
          <Field
            label={t('secretary.schedule.at')}
            type="datetime-local"
            value={at}
            onChange={(e) => setAt(e.target.value)}
            errors={fieldErrors('scheduledAt', at)}
          />
          <Field
            label={t('secretary.schedule.venue')}
            value={venue}
            onChange={(e) => setVenue(e.target.value)}
            errors={fieldErrors('venue', venue)}
          />
          <Field
            label={t('secretary.schedule.chair')}
            hint={t('secretary.schedule.chairHint')}
            autoComplete="off"
            value={chair}
            onChange={(e) => setChair(e.target.value)}
            errors={fieldErrors('chair', chair)}
          />
          <div className="actions">
            <button type="submit" className="button button--primary button--large" disabled={busy}>
              {t('secretary.schedule.submit')}
            </button>
          </div>
        </form>
      </section>

      <section aria-labelledby="meeting-list">
        <h2 id="meeting-list">{t('secretary.meetings.list')}</h2>
        {meetings.error ? (
          <ErrorMessage error={meetings.error} />
        ) : !meetings.data ? (
          <Loading />
        ) : meetings.data.items.length === 0 ? (
          <p>{t('secretary.meetings.none')}</p>
        ) : (
          <ScrollTable label={t('secretary.meetings.list')}>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('secretary.meetings.when')}</th>
                  <th scope="col">{t('secretary.meetings.kind')}</th>
                  <th scope="col">{t('secretary.meetings.venue')}</th>
                  <th scope="col">{t('secretary.meetings.status')}</th>
                  <th scope="col">
                    <span className="secretary__sr">{t('secretary.meetings.open')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {meetings.data.items.map((meeting) => (
                  <tr key={meeting.id}>
                    <td>{formatDateTime(meeting.scheduledAt)}</td>
                    <td>{t(`meetingKind.${meeting.kind}` as MessageKey)}</td>
                    <td>{meeting.venue}</td>
                    <td>{t(`meetingStatus.${meeting.status}` as MessageKey)}</td>
                    <td>
                      <Link
                        to={`/desa/musyawarah/${meeting.id}`}
                        aria-label={t('secretary.meetings.openLabel', { date: formatDateTime(meeting.scheduledAt) })}
                      >
                        {t('secretary.meetings.open')}
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollTable>
        )}
      </section>
    </>
  );
}
