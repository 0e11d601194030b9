/**
 * `/desa/musyawarah/:id`: one meeting from agenda to signed minutes, on one page that follows its status:
 * build the agenda from waiting proposals, take the attendance and open (the server checks the quorum), record
 * each decision with large controls, download the berita acara and conclude with its digest and signatories, then
 * record the digest of the scanned copy signed on paper.
 */
import { useId, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { ATTENDEE_ROLES, DEFAULT_QUORUM_POLICY, sameAttendeeName } from '@muskel/domain';
import { api, ApiError, query } from '../../api/client';
import { ErrorMessage, Field, Loading, Notice, SelectField } from '../../components/ui';
import { formatDateTime, formatNumber, t, type MessageKey } from '../../i18n';
import { downloadPdf } from './download';
import { ScrollTable } from './scroll-table';
import { SignedMinutesPanel } from './signed-minutes-panel';
import { shortId, useLoad, type Attendee, type Meeting, type Page, type ProposalItem } from './village';

const DECISIONS = ['APPROVED', 'REJECTED', 'DEFERRED'] as const;
const STATUS_KEY: Record<Meeting['status'], string> = {
  scheduled: 'SCHEDULED',
  open: 'OPEN',
  concluded: 'CONCLUDED',
  cancelled: 'CANCELLED',
};

/** Now as an ISO time with the Jakarta offset (the API wants an explicit offset). */
function jakartaNow(): string {
  return `${new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 19)}+07:00`;
}

interface Minutes {
  minutesDigest: string;
  recordedDigest: string | null;
}

export function MeetingPage({ village }: { village: string }) {
  const { id = '' } = useParams();
  const meeting = useLoad(() => api.get<Meeting>(`/meetings/${id}`), [id]);
  const proposals = useLoad(
    () => api.get<Page<ProposalItem>>(`/proposals${query({ villageCode: village, limit: 100 })}`),
    [village],
  );
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const m = meeting.data;
  const allDecided = !!m && m.agenda.length > 0 && m.agenda.every((p) => Object.hasOwn(m.decisions, p));
  const minutesReady = !!m && ((m.status === 'open' && allDecided) || m.status === 'concluded');
  const minutes = useLoad(
    () => (minutesReady ? api.get<Minutes>(`/meetings/${id}/minutes`) : Promise.resolve(undefined)),
    [id, minutesReady, m?.revision],
  );

  if (meeting.error && !m) return <ErrorMessage error={meeting.error} />;
  if (!m) return <Loading />;

  const kindOf = (proposalId: string) => {
    const kind = proposals.data?.items.find((p) => p.id === proposalId)?.kind;
    return kind ? t(`kind.${kind}` as MessageKey) : t('secretary.proposals.unknownKind');
  };

  /** Runs a change with the meeting's current revision, then reloads the meeting. */
  async function act(path: string, body: object): Promise<boolean> {
    setBusy(true);
    setError(undefined);
    try {
      await api.post(`/meetings/${id}/${path}`, body, { headers: { 'If-Match': `"${m!.revision}"` } });
      await meeting.reload();
      return true;
    } catch (caught) {
      setError(caught);
      if (caught instanceof ApiError && (caught.status === 412 || caught.status === 409)) await meeting.reload();
      return false;
    } finally {
      setBusy(false);
    }
  }

  const step = (done: boolean, current: boolean) =>
    done ? t('secretary.meeting.done') : current ? t('secretary.meeting.current') : t('secretary.meeting.todo');
  const available = (proposals.data?.items ?? []).filter(
    (p) => (p.status === 'WAITING' || p.status === 'RETURNED') && !m.agenda.includes(p.id),
  );
  const decidedCount = m.agenda.filter((p) => Object.hasOwn(m.decisions, p)).length;

  return (
    <div className="secretary-meeting">
      <h1>
        {t('secretary.meeting.title', {
          kind: t(`meetingKind.${m.kind}` as MessageKey),
          date: formatDateTime(m.openedAt ?? m.scheduledAt),
        })}
      </h1>
      <p>
        <span className={`badge secretary__status secretary__status--${m.status}`}>
          {t('secretary.meeting.status', { status: t(`meetingStatus.${STATUS_KEY[m.status]}` as MessageKey) })}
        </span>
      </p>
      <p>
        {t('secretary.meeting.venue', { venue: m.venue })} · {t('secretary.meeting.chair', { chair: m.chair })}
      </p>

      <ol className="secretary__steps" aria-label={t('secretary.meeting.steps')}>
        {[
          {
            label: t('secretary.meeting.step.agenda'),
            done: m.status !== 'scheduled',
            current: m.status === 'scheduled',
          },
          {
            label: t('secretary.meeting.step.attendance'),
            done: m.status !== 'scheduled',
            current: m.status === 'scheduled',
          },
          {
            label: t('secretary.meeting.step.decisions'),
            done: allDecided && m.status !== 'scheduled',
            current: m.status === 'open' && !allDecided,
          },
          {
            label: t('secretary.meeting.step.minutes'),
            done: m.status === 'concluded',
            current: m.status === 'open' && allDecided,
          },
        ].map((item, index) => (
          <li
            key={item.label}
            className={item.done ? 'is-done' : item.current ? 'is-current' : undefined}
            aria-current={item.current ? 'step' : undefined}
          >
            <span aria-hidden="true">{item.done ? '✓' : index + 1}</span> {item.label}: {step(item.done, item.current)}
          </li>
        ))}
      </ol>

      <ErrorMessage error={error} />
      {m.status === 'cancelled' && (
        <Notice>{t('secretary.cancel.done', { reason: m.cancellationReason ?? '-' })}</Notice>
      )}

      <section aria-labelledby="agenda">
        <h2 id="agenda">{t('secretary.agenda.title')}</h2>
        {m.agenda.length === 0 ? (
          <p>{t('secretary.agenda.empty')}</p>
        ) : (
          <ol className="secretary__agenda">
            {m.agenda.map((proposalId, index) => (
              <li key={proposalId}>
                {t('secretary.agenda.item', { n: index + 1, kind: kindOf(proposalId) })}{' '}
                <span className="hash">{shortId(proposalId)}</span>
              </li>
            ))}
          </ol>
        )}
        {m.status === 'scheduled' && (
          <>
            <h3>{t('secretary.agenda.available')}</h3>
            {!proposals.data ? (
              <Loading />
            ) : available.length === 0 ? (
              <p>{t('secretary.agenda.noneAvailable')}</p>
            ) : (
              <ul className="secretary__choices">
                {available.map((proposal) => (
                  <li key={proposal.id}>
                    <span>
                      {t(`kind.${proposal.kind}` as MessageKey)} <span className="hash">{shortId(proposal.id)}</span> (
                      {t(`secretary.status.${proposal.status}` as MessageKey)})
                    </span>
                    <button
                      type="button"
                      className="button"
                      disabled={busy}
                      aria-label={t('secretary.agenda.addLabel', { id: shortId(proposal.id) })}
                      onClick={() => void act('agenda', { proposalId: proposal.id })}
                    >
                      {t('secretary.agenda.add')}
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </section>

      <section aria-labelledby="attendance">
        <h2 id="attendance">{t('secretary.attendance.title')}</h2>
        {m.status === 'scheduled' ? (
          <AttendanceForm
            meeting={m}
            village={village}
            busy={busy}
            error={error}
            onOpen={(attendees) => act('open', { openedAt: jakartaNow(), attendees })}
          />
        ) : (
          <AttendeeTable
            attendees={m.attendees}
            label={t('secretary.attendance.list')}
            caption={t('secretary.attendance.count', { count: formatNumber(m.attendees.length) })}
          />
        )}
      </section>

      {m.status !== 'scheduled' && m.agenda.length > 0 && (
        <section aria-labelledby="decisions">
          <h2 id="decisions">{t('secretary.decisions.title')}</h2>
          <p>
            <strong>
              {t('secretary.decisions.progress', {
                done: formatNumber(decidedCount),
                total: formatNumber(m.agenda.length),
              })}
            </strong>
          </p>
          {m.status === 'open' && !allDecided && <p>{t('secretary.decisions.intro')}</p>}
          <div className="secretary__decisions">
            {m.agenda.map((proposalId, index) => (
              <DecisionCard
                key={proposalId}
                number={index + 1}
                kind={kindOf(proposalId)}
                proposalId={proposalId}
                decided={Object.hasOwn(m.decisions, proposalId) ? m.decisions[proposalId] : undefined}
                editable={m.status === 'open'}
                busy={busy}
                onSave={(decision, reason) => act('decisions', { proposalId, decision, reason })}
              />
            ))}
          </div>
        </section>
      )}

      {(m.status === 'open' || m.status === 'concluded') && (
        <section aria-labelledby="minutes">
          <h2 id="minutes">{t('secretary.minutes.title')}</h2>
          {!allDecided ? (
            <p>{t('secretary.minutes.undecided')}</p>
          ) : (
            <MinutesPanel
              meeting={m}
              minutes={minutes.data}
              busy={busy}
              onError={setError}
              onConclude={(minutesDigest, signatories) => act('conclude', { minutesDigest, signatories })}
            />
          )}
        </section>
      )}

      {m.status === 'concluded' && <SignedMinutesPanel meeting={m} onRecorded={meeting.reload} />}

      {(m.status === 'scheduled' || m.status === 'open') && (
        <CancelMeeting busy={busy} onCancel={(reason) => act('cancel', { reason })} />
      )}
    </div>
  );
}

/** Cancelling (e.g. a flood): folded away, with a reason; the agenda's proposals go back to waiting. */
function CancelMeeting({ busy, onCancel }: { busy: boolean; onCancel: (reason: string) => Promise<boolean> }) {
  const [reason, setReason] = useState('');
  const [attempted, setAttempted] = useState(false);
  function submit(event: FormEvent) {
    event.preventDefault();
    setAttempted(true);
    if (reason.trim()) void onCancel(reason.trim());
  }
  return (
    <details className="secretary__cancel">
      <summary>{t('secretary.cancel.title')}</summary>
      <form onSubmit={submit} noValidate>
        <Field
          label={t('secretary.cancel.reason')}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          errors={attempted && !reason.trim() ? [t('secretary.proposal.required')] : []}
        />
        <button type="submit" className="button button--danger" disabled={busy}>
          {t('secretary.cancel.submit')}
        </button>
      </form>
    </details>
  );
}

function AttendeeTable({
  attendees,
  label,
  caption,
}: {
  attendees: readonly Attendee[];
  label: string;
  caption: string;
}) {
  return (
    <ScrollTable label={label}>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">{t('secretary.proposal.name')}</th>
            <th scope="col">{t('secretary.attendance.roleHeader')}</th>
          </tr>
        </thead>
        <tbody>
          {attendees.map((attendee, index) => (
            <tr key={`${attendee.name}-${index}`}>
              <td>{index + 1}</td>
              <td>{attendee.name}</td>
              <td>{t(`secretary.attendee.${attendee.role}` as MessageKey)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollTable>
  );
}

function AttendanceForm({
  meeting,
  village,
  busy,
  error,
  onOpen,
}: {
  meeting: Meeting;
  village: string;
  busy: boolean;
  error: unknown;
  onOpen: (attendees: Attendee[]) => Promise<boolean>;
}) {
  const headRole = village.charAt(6) === '1' ? 'LURAH' : 'KEPALA_DESA';
  const [rows, setRows] = useState<Attendee[]>([
    { name: meeting.chair, role: headRole },
    { name: '', role: 'SECRETARY' },
  ]);
  const filled = rows.filter((row) => row.name.trim() !== '');
  const chairPresent = filled.some((row) => sameAttendeeName(row.name, meeting.chair));
  const roleOptions = ATTENDEE_ROLES.map((value) => ({ value, label: t(`secretary.attendee.${value}` as MessageKey) }));
  const serverErrors = (field: string) => (error instanceof ApiError ? error.fieldMessages(field) : []);
  const shortfall = quorumShortfall(error);

  function submit(event: FormEvent) {
    event.preventDefault();
    void onOpen(filled.map((row) => ({ name: row.name.trim(), role: row.role })));
  }

  return (
    <form onSubmit={submit} noValidate>
      <p className="field__hint">{t('secretary.attendance.quorum', { min: DEFAULT_QUORUM_POLICY.minimumAttendees })}</p>
      {rows.map((row, index) => (
        <div className="secretary__attendee" key={index}>
          <Field
            label={t('secretary.attendance.name', { n: index + 1 })}
            autoComplete="off"
            value={row.name}
            onChange={(e) => setRows((all) => all.map((r, i) => (i === index ? { ...r, name: e.target.value } : r)))}
            errors={serverErrors(`attendees[${index}]`)}
          />
          <SelectField
            label={t('secretary.attendance.role', { n: index + 1 })}
            value={row.role}
            onChange={(e) => setRows((all) => all.map((r, i) => (i === index ? { ...r, role: e.target.value } : r)))}
            options={roleOptions}
          />
          {rows.length > 1 && (
            <button
              type="button"
              className="button button--danger"
              onClick={() => setRows((all) => all.filter((_, i) => i !== index))}
            >
              {t('secretary.attendance.remove', { n: index + 1 })}
            </button>
          )}
        </div>
      ))}
      <p>
        <button type="button" className="button" onClick={() => setRows((all) => [...all, { name: '', role: 'RT' }])}>
          {t('secretary.attendance.add')}
        </button>
      </p>
      <p role="status">{t('secretary.attendance.count', { count: formatNumber(filled.length) })}</p>
      {shortfall && <p className="alert alert--warning">{shortfall}</p>}
      {!chairPresent && (
        <p className="alert alert--warning">{t('secretary.attendance.chairMissing', { chair: meeting.chair })}</p>
      )}
      {meeting.agenda.length === 0 && <p className="alert alert--warning">{t('secretary.attendance.noAgenda')}</p>}
      <div className="actions">
        <button
          type="submit"
          className="button button--primary button--large"
          disabled={busy || meeting.agenda.length === 0}
        >
          {t('secretary.attendance.open')}
        </button>
      </div>
    </form>
  );
}

/** What the server says is missing for the quorum (the first shortfall), in Indonesian. */
function quorumShortfall(error: unknown): string | undefined {
  if (!(error instanceof ApiError) || error.code !== 'QUORUM_NOT_MET') return undefined;
  const details = (error.body.details ?? {}) as {
    missing?: string;
    required?: number;
    present?: number;
    role?: string;
  };
  switch (details.missing) {
    case 'ATTENDEES':
      return t('secretary.quorum.attendees', {
        present: formatNumber(details.present ?? 0),
        required: formatNumber(details.required ?? 0),
      });
    case 'ROLE':
      return t('secretary.quorum.role', { role: t(`secretary.attendee.${details.role ?? 'OTHER'}` as MessageKey) });
    case 'CHAIR':
      return t('secretary.quorum.chair');
    default:
      return undefined;
  }
}

function DecisionCard({
  number,
  kind,
  proposalId,
  decided,
  editable,
  busy,
  onSave,
}: {
  number: number;
  kind: string;
  proposalId: string;
  decided: { decision: string; reason: string } | undefined;
  editable: boolean;
  busy: boolean;
  onSave: (decision: string, reason: string) => Promise<boolean>;
}) {
  const [decision, setDecision] = useState('');
  const [reason, setReason] = useState('');
  const [attempted, setAttempted] = useState(false);
  const reasonId = useId();
  const title = t('secretary.agenda.item', { n: number, kind });

  if (decided) {
    return (
      <article className={`card secretary__decision secretary__decision--${decided.decision.toLowerCase()}`}>
        <h3>
          {title} <span className="hash">{shortId(proposalId)}</span>
        </h3>
        <p className="secretary__verdict">
          <span className="secretary__verdict-mark" aria-hidden="true">
            {decided.decision === 'APPROVED' ? '✓' : decided.decision === 'REJECTED' ? '✗' : '…'}
          </span>
          {t('secretary.decisions.decided', { decision: t(`decision.${decided.decision}` as MessageKey) })}
        </p>
        <p>{t('secretary.decisions.reasonShown', { reason: decided.reason })}</p>
      </article>
    );
  }
  if (!editable) return null;

  function submit(event: FormEvent) {
    event.preventDefault();
    setAttempted(true);
    if (!decision || !reason.trim()) return;
    void onSave(decision, reason.trim());
  }

  return (
    <form className="card secretary__decision" onSubmit={submit} noValidate>
      <h3>
        {title} <span className="hash">{shortId(proposalId)}</span>
      </h3>
      <fieldset className="secretary__choice">
        <legend>{t('secretary.decisions.choice')}</legend>
        {DECISIONS.map((value) => (
          <label key={value} className={decision === value ? 'secretary__option is-selected' : 'secretary__option'}>
            <input
              type="radio"
              name={`decision-${proposalId}`}
              value={value}
              checked={decision === value}
              onChange={() => setDecision(value)}
            />
            {t(`decision.${value}` as MessageKey)}
          </label>
        ))}
        {attempted && !decision && <p className="field__errors">{t('secretary.decisions.chooseFirst')}</p>}
      </fieldset>
      <div className={`field${attempted && !reason.trim() ? ' field--error' : ''}`}>
        <label htmlFor={reasonId}>{t('secretary.decisions.reason')}</label>
        <textarea
          id={reasonId}
          rows={2}
          value={reason}
          aria-invalid={attempted && !reason.trim()}
          aria-describedby={attempted && !reason.trim() ? `${reasonId}-errors` : undefined}
          onChange={(e) => setReason(e.target.value)}
        />
        {attempted && !reason.trim() && (
          <ul className="field__errors" id={`${reasonId}-errors`}>
            <li>{t('secretary.proposal.required')}</li>
          </ul>
        )}
      </div>
      <button type="submit" className="button button--primary button--large" disabled={busy}>
        {t('secretary.decisions.save', { n: number })}
      </button>
    </form>
  );
}

function MinutesPanel({
  meeting,
  minutes,
  busy,
  onError,
  onConclude,
}: {
  meeting: Meeting;
  minutes: Minutes | undefined;
  busy: boolean;
  onError: (error: unknown) => void;
  onConclude: (digest: string, signatories: Attendee[]) => Promise<boolean>;
}) {
  const [downloaded, setDownloaded] = useState(false);
  const [signers, setSigners] = useState<ReadonlySet<number>>(
    () =>
      new Set(
        meeting.attendees
          .map((attendee, index) => ({ attendee, index }))
          .filter(({ attendee }) => sameAttendeeName(attendee.name, meeting.chair) || attendee.role === 'SECRETARY')
          .map(({ index }) => index),
      ),
  );
  const [attempted, setAttempted] = useState(false);
  const digest = meeting.minutesDigest ?? minutes?.minutesDigest ?? '';

  async function download() {
    try {
      // A fresh API call first: it renews the access token the download then uses.
      await api.get(`/meetings/${meeting.meetingId}/minutes`);
      await downloadPdf(`/meetings/${meeting.meetingId}/minutes.pdf`, `berita-acara-${meeting.meetingId}.pdf`);
      setDownloaded(true);
    } catch (caught) {
      onError(caught);
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    setAttempted(true);
    if (signers.size === 0 || !digest) return;
    void onConclude(
      digest,
      meeting.attendees.filter((_, index) => signers.has(index)),
    );
  }

  return (
    <>
      {meeting.status === 'concluded' ? (
        <Notice>
          {t('secretary.minutes.recorded')} <code className="hash secretary__digest">{meeting.minutesDigest}</code>
        </Notice>
      ) : (
        <p>{t('secretary.minutes.intro')}</p>
      )}
      <p className="actions">
        <button type="button" className="button button--large" onClick={() => void download()}>
          {t('secretary.minutes.download')}
        </button>
        <button
          type="button"
          className="button button--large"
          onClick={() =>
            void api
              .get('/me')
              .then(() => downloadPdf(`/meetings/${meeting.meetingId}/bnba.pdf`, `bnba-${meeting.meetingId}.pdf`))
              .catch(onError)
          }
        >
          {t('secretary.minutes.bnba')}
        </button>
        {downloaded && <span role="status">{t('secretary.minutes.downloaded')}</span>}
      </p>
      {meeting.status === 'concluded' ? (
        <>
          <h3>{t('secretary.minutes.signatories')}</h3>
          <AttendeeTable
            attendees={meeting.signatories}
            label={t('secretary.minutes.signatories')}
            caption={t('secretary.minutes.signatoryCount', { count: formatNumber(meeting.signatories.length) })}
          />
          <p>
            <Link to={`/verifikasi/berita-acara/${meeting.meetingId}${query({ digest: meeting.minutesDigest })}`}>
              {t('secretary.minutes.check')}
            </Link>
          </p>
        </>
      ) : (
        <form onSubmit={submit} noValidate>
          <Field
            label={t('secretary.minutes.digest')}
            hint={t('secretary.minutes.digestHint')}
            className="hash"
            readOnly
            value={digest}
          />
          <fieldset>
            <legend>{t('secretary.minutes.signatories')}</legend>
            {meeting.attendees.map((attendee, index) => (
              <label key={`${attendee.name}-${index}`} className="secretary__check">
                <input
                  type="checkbox"
                  checked={signers.has(index)}
                  onChange={(e) =>
                    setSigners((all) => {
                      const next = new Set(all);
                      if (e.target.checked) next.add(index);
                      else next.delete(index);
                      return next;
                    })
                  }
                />
                {t('secretary.minutes.signatory', {
                  name: attendee.name,
                  role: t(`secretary.attendee.${attendee.role}` as MessageKey),
                })}
              </label>
            ))}
            {attempted && signers.size === 0 && <p className="field__errors">{t('secretary.minutes.noSignatory')}</p>}
          </fieldset>
          <div className="actions">
            <button type="submit" className="button button--primary button--large" disabled={busy || !digest}>
              {t('secretary.minutes.conclude')}
            </button>
          </div>
        </form>
      )}
    </>
  );
}
