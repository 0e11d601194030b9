/** `/desa`: the operator's month at a glance: reminders and the meeting window, waiting proposals, next meeting. */
import { Link } from 'react-router';
import { api, query } from '../../api/client';
import { ErrorMessage, Loading, Notice } from '../../components/ui';
import { currentPeriod, formatDate, formatDateTime, formatNumber, formatPeriod, t, type MessageKey } from '../../i18n';
import { ScrollTable } from './scroll-table';
import { shortId, useLoad, type MeetingItem, type Page, type ProposalItem } from './village';

interface Reminder {
  id: string;
  period: string;
  cutoffDate: string;
  proposalIds: string[];
  issuedAt: string;
  message: string;
}

/** The meeting to prepare next: the earliest scheduled or open one, else none. */
function nextMeeting(meetings: readonly MeetingItem[]): MeetingItem | undefined {
  return meetings
    .filter((meeting) => meeting.status === 'SCHEDULED' || meeting.status === 'OPEN')
    .sort((a, b) => a.scheduledAt.localeCompare(b.scheduledAt))[0];
}

export function MonthPage({ village }: { village: string }) {
  const reminders = useLoad(() => api.get<Page<Reminder>>(`/reminders${query({ villageCode: village })}`), [village]);
  const proposals = useLoad(async () => {
    const [waiting, returned] = await Promise.all(
      ['WAITING', 'RETURNED'].map((status) =>
        api.get<Page<ProposalItem>>(`/proposals${query({ villageCode: village, status })}`),
      ),
    );
    return [...(waiting?.items ?? []), ...(returned?.items ?? [])];
  }, [village]);
  const meetings = useLoad(() => api.get<Page<MeetingItem>>(`/meetings${query({ villageCode: village })}`), [village]);
  const reminder = reminders.data?.items[0];
  const next = meetings.data && nextMeeting(meetings.data.items);

  return (
    <>
      <h1>{t('secretary.month.title', { code: village })}</h1>
      <p className="muted">{t('secretary.month.period', { period: formatPeriod(currentPeriod()) })}</p>
      <p className="actions">
        <Link className="button button--primary button--large" to="/desa/usulan/baru">
          {t('secretary.month.newProposal')}
        </Link>
        <Link className="button button--large" to="/desa/musyawarah">
          {t('secretary.month.schedule')}
        </Link>
      </p>

      <section aria-labelledby="month-reminders">
        <h2 id="month-reminders">{t('secretary.month.reminders')}</h2>
        {reminders.error ? (
          <ErrorMessage error={reminders.error} />
        ) : !reminders.data ? (
          <Loading />
        ) : reminder ? (
          <div className="alert alert--warning">
            <p>{reminder.message}</p>
            <p className="muted">
              {t('secretary.month.reminderIssued', {
                date: formatDate(reminder.issuedAt),
                cutoff: formatDate(`${reminder.cutoffDate}T12:00:00+07:00`),
              })}
            </p>
          </div>
        ) : (
          <Notice>{t('secretary.month.noReminder')}</Notice>
        )}
      </section>

      <section aria-labelledby="month-next">
        <h2 id="month-next">{t('secretary.month.nextMeeting')}</h2>
        {meetings.error ? (
          <ErrorMessage error={meetings.error} />
        ) : !meetings.data ? (
          <Loading />
        ) : next ? (
          <div className="card">
            <p>
              <strong>{t(`meetingKind.${next.kind}` as MessageKey)}</strong>, {formatDateTime(next.scheduledAt)}
            </p>
            <p>{t('secretary.meeting.venue', { venue: next.venue })}</p>
            <p>
              <span className="badge">{t(`meetingStatus.${next.status}` as MessageKey)}</span>
            </p>
            <Link className="button" to={`/desa/musyawarah/${next.id}`}>
              {t('secretary.month.openMeeting')}
            </Link>
          </div>
        ) : (
          <p>{t('secretary.month.noMeeting')}</p>
        )}
      </section>

      <section aria-labelledby="month-waiting">
        <h2 id="month-waiting">{t('secretary.month.waiting')}</h2>
        {proposals.error ? (
          <ErrorMessage error={proposals.error} />
        ) : !proposals.data ? (
          <Loading />
        ) : proposals.data.length === 0 ? (
          <p>{t('secretary.month.noWaiting')}</p>
        ) : (
          <>
            <p>{t('secretary.month.waitingCount', { count: formatNumber(proposals.data.length) })}</p>
            <ProposalTable proposals={proposals.data} />
          </>
        )}
      </section>
    </>
  );
}

/** Proposals by kind, status and date: ids and counts only (no names on this screen). */
export function ProposalTable({ proposals }: { proposals: readonly ProposalItem[] }) {
  return (
    <ScrollTable label={t('secretary.month.waiting')}>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('secretary.proposals.number')}</th>
            <th scope="col">{t('secretary.proposals.kind')}</th>
            <th scope="col">{t('secretary.proposals.status')}</th>
            <th scope="col">{t('secretary.proposals.members')}</th>
            <th scope="col">{t('secretary.proposals.submittedAt')}</th>
          </tr>
        </thead>
        <tbody>
          {proposals.map((proposal) => (
            <tr key={proposal.id}>
              <td className="hash">{shortId(proposal.id)}</td>
              <td>{t(`kind.${proposal.kind}` as MessageKey)}</td>
              <td>{t(`secretary.status.${proposal.status}` as MessageKey)}</td>
              <td>{formatNumber(proposal.memberCount)}</td>
              <td>{formatDate(proposal.submittedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollTable>
  );
}
