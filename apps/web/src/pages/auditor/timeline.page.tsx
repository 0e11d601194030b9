import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { leafKey } from '../../audit/leaf-lookup';
import { ErrorMessage, Field, Loading, SelectField } from '../../components/ui';
import { formatDate, formatDateTime, formatNumber, hasMessage, t, type MessageKey } from '../../i18n';
import {
  checkSteps,
  householdsByKk,
  personTimeline,
  streamKind,
  streamTimeline,
  userName,
  UUID,
  type HouseholdSummary,
  type PersonHistory,
  type ProofState,
  type Step,
  type StreamKind,
} from './audit-api';

type SearchKind = 'nik' | 'kk' | StreamKind;
const KINDS: readonly SearchKind[] = ['nik', 'kk', 'household', 'meeting', 'batch', 'proposal'];
const STREAM_KINDS: readonly string[] = ['household', 'meeting', 'batch', 'proposal'];
/** Batches are named by regency and month (`3515-202611`); everything else by a UUID. */
const BATCH_ID = /^\d{4}-\d{6}$/;
const validId = (kind: string, id: string): boolean => (kind === 'batch' ? BATCH_ID : UUID).test(id);

/** A catalogue text for a code when there is one, else the code itself (codes are English identifiers). */
function label(prefix: string, code: unknown): string {
  const key = `${prefix}.${String(code)}`;
  return hasMessage(key) ? t(key) : String(code);
}

function Who({ actor }: { actor: Step['actor'] }) {
  const [name, setName] = useState<string>();
  useEffect(() => {
    let live = true;
    if (actor) void userName(actor.userId).then((found) => live && setName(found));
    return () => {
      live = false;
    };
  }, [actor]);
  if (!actor) return <>{t('auditor.who.unknown')}</>;
  if (actor.role === 'SYSTEM') return <>{t('auditor.who.system')}</>;
  return (
    <>
      {t('auditor.who.role', {
        name: name ?? actor.userId,
        role: label('role', actor.role),
        scope: actor.scope,
      })}
    </>
  );
}

function ProofCell({ state }: { state: ProofState | undefined }) {
  if (!state || state.state === 'checking') return <span className="muted">{t('auditor.proof.checking')}</span>;
  if (state.state === 'notFound') return <span className="badge">{t('auditor.proof.notFound')}</span>;
  if (state.state === 'error') return <span className="badge badge--warning">{t('auditor.proof.error')}</span>;
  const index = formatNumber(state.check.index);
  switch (state.check.status) {
    case 'verified':
      return (
        <span className="badge proof--verified" data-proof="verified">
          {t('auditor.proof.verified', { index })}
        </span>
      );
    case 'pending':
      return (
        <span className="badge badge--warning" data-proof="pending">
          {t('auditor.proof.pending', { index })}
        </span>
      );
    default:
      return (
        <span className="badge badge--error proof--failed" data-proof="failed">
          {t('auditor.proof.failed', { index })}
        </span>
      );
  }
}

/** Codes of a step's summary worth reading (ids and codes only: the summary holds no personal data). */
function summaryText(step: Step): string {
  const kind = streamKind(step.stream);
  const parts = [kind ? `${t(`auditor.stream.${kind[0]}` as MessageKey)} ${kind[1].slice(0, 8)}` : step.stream];
  const s = step.summary ?? {};
  if (s.kind) parts.push(label('kind', s.kind));
  if (s.decision) parts.push(label('decision', s.decision));
  if (s.reason) parts.push(label('reason', s.reason));
  if (s.removalReason) parts.push(label('reason', s.removalReason));
  if (typeof s.batchId === 'string') parts.push(`${t('auditor.stream.batch')} ${s.batchId}`);
  if (typeof s.decreeRef === 'string') parts.push(s.decreeRef);
  return parts.join(' · ');
}

function Timeline({ steps, title }: { steps: readonly Step[]; title: string }) {
  // Results are kept with the steps they belong to: a new timeline starts with none, without resetting state.
  const [checked, setChecked] = useState<{ steps: readonly Step[]; proofs: Record<string, ProofState> }>();
  const proofs = checked?.steps === steps ? checked.proofs : {};
  useEffect(() => {
    let live = true;
    void checkSteps(steps, (key, state) => {
      if (!live) return;
      setChecked((current) => ({
        steps,
        proofs: { ...(current?.steps === steps ? current.proofs : {}), [key]: state },
      }));
    });
    return () => {
      live = false;
    };
  }, [steps]);
  return (
    <section aria-labelledby="audit-timeline">
      <h2 id="audit-timeline">{title}</h2>
      {steps.length === 0 ? (
        <p>{t('auditor.timeline.none')}</p>
      ) : (
        <>
          <p>{t('auditor.timeline.count', { count: formatNumber(steps.length) })}</p>
          <p className="muted">{t('auditor.proof.legend')}</p>
          <ol className="timeline">
            {steps.map((step) => {
              const key = leafKey(step.stream, step.revision);
              return (
                <li key={`${step.position}-${key}`}>
                  <h3>{label('auditor.event', step.type)}</h3>
                  <dl>
                    <dt>{t('auditor.timeline.when')}</dt>
                    <dd>{formatDateTime(step.occurredAt)}</dd>
                    <dt>{t('auditor.timeline.who')}</dt>
                    <dd>
                      <Who actor={step.actor} />
                    </dd>
                    <dt>{t('auditor.timeline.where')}</dt>
                    <dd>{summaryText(step)}</dd>
                    <dt>{t('auditor.timeline.proof')}</dt>
                    <dd>
                      <ProofCell state={proofs[key]} />
                    </dd>
                  </dl>
                </li>
              );
            })}
          </ol>
        </>
      )}
    </section>
  );
}

type Result =
  | { type: 'person'; steps: Step[]; meetings: PersonHistory['meetings'] }
  | { type: 'stream'; kind: StreamKind; steps: Step[] }
  | { type: 'households'; households: HouseholdSummary[] };

interface Request {
  what: SearchKind;
  value: string;
}

/** The route's id search, if any; the page is remounted for each (fresh form and results). */
export function TimelineRoute() {
  const params = useParams();
  const routed =
    STREAM_KINDS.includes(params.kind ?? '') && validId(params.kind ?? '', params.id ?? '')
      ? { what: params.kind as StreamKind, value: params.id! }
      : undefined;
  return <TimelinePage key={routed ? `${routed.what}/${routed.value}` : 'search'} routed={routed} />;
}

/** Search by NIK, KK, or a household, meeting, batch or proposal id; the timeline with proof status. */
function TimelinePage({ routed }: { routed: Request | undefined }) {
  const navigate = useNavigate();
  const [kind, setKind] = useState<SearchKind>(routed?.what ?? 'nik');
  const [term, setTerm] = useState(routed?.value ?? '');
  const [termError, setTermError] = useState<string>();
  // A new object reloads even the same search; the outcome remembers which request it answers.
  const [request, setRequest] = useState<Request | undefined>(routed);
  const [outcome, setOutcome] = useState<{ request: Request; result?: Result; error?: unknown }>();
  const loading = request !== undefined && outcome?.request !== request;
  const result = outcome?.request === request ? outcome?.result : undefined;
  const error = outcome?.request === request ? outcome?.error : undefined;

  useEffect(() => {
    if (!request) return;
    let live = true;
    const { what, value } = request;
    const loaded: Promise<Result> =
      what === 'nik'
        ? personTimeline(value).then((person) => ({ type: 'person', ...person }))
        : what === 'kk'
          ? householdsByKk(value).then((households) => ({ type: 'households', households }))
          : streamTimeline(what, value).then((steps) => ({ type: 'stream', kind: what, steps }));
    loaded.then(
      (found) => live && setOutcome({ request, result: found }),
      (caught: unknown) => live && setOutcome({ request, error: caught }),
    );
    return () => {
      live = false;
    };
  }, [request]);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const value = term.trim();
    setTermError(undefined);
    if (kind === 'nik' || kind === 'kk') {
      if (!/^\d{16}$/.test(value)) return setTermError(t('auditor.search.invalidDigits'));
      // Personal numbers stay out of the URL: searched here, in a POST body.
      return setRequest({ what: kind, value });
    }
    if (!validId(kind, value)) return setTermError(t('auditor.search.invalidId'));
    // Ids are not personal data: the URL can be shared with a colleague.
    void navigate(`/audit/riwayat/${kind}/${value}`);
  }

  const termLabel =
    kind === 'nik'
      ? t('auditor.search.term.nik')
      : kind === 'kk'
        ? t('auditor.search.term.kk')
        : kind === 'batch'
          ? t('auditor.search.term.batch')
          : t('auditor.search.term.id');

  return (
    <>
      <h1>{t('auditor.title')}</h1>
      <section aria-labelledby="audit-search">
        <h2 id="audit-search">{t('auditor.search')}</h2>
        <p className="muted">{t('auditor.search.privacy')}</p>
        <form className="inline-form" onSubmit={onSubmit} noValidate>
          <SelectField
            label={t('auditor.search.kind')}
            value={kind}
            onChange={(e) => setKind(e.target.value as SearchKind)}
            options={KINDS.map((value) => ({ value, label: t(`auditor.search.kind.${value}`) }))}
          />
          <Field
            label={termLabel}
            value={term}
            onChange={(e) => setTerm(e.target.value)}
            inputMode={kind === 'nik' || kind === 'kk' ? 'numeric' : 'text'}
            autoComplete="off"
            spellCheck={false}
            errors={termError ? [termError] : []}
          />
          <button type="submit" className="button button--primary button--large" disabled={loading}>
            {t('common.search')}
          </button>
        </form>
      </section>
      <ErrorMessage error={error} />
      {loading && <Loading />}
      {result?.type === 'households' && (
        <section aria-labelledby="audit-households">
          <h2 id="audit-households">{t('auditor.households')}</h2>
          {result.households.length === 0 ? (
            <p>{t('auditor.households.none')}</p>
          ) : (
            <ul className="cards">
              {result.households.map((household) => (
                <li className="card" key={household.householdId}>
                  <Link to={`/audit/riwayat/household/${household.householdId}`}>
                    {t('auditor.households.open', {
                      address: `${household.address} RT ${household.rt}/RW ${household.rw}, ${household.villageCode}`,
                    })}
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      {result?.type === 'person' && (
        <>
          <Timeline steps={result.steps} title={t('auditor.timeline.person')} />
          {result.meetings.length > 0 && (
            <section aria-labelledby="audit-meetings">
              <h2 id="audit-meetings">{t('auditor.timeline.meetings')}</h2>
              <ul>
                {result.meetings.map((meeting) => (
                  <li key={meeting.id}>
                    <Link to={`/audit/riwayat/meeting/${meeting.id}`}>
                      {t('auditor.timeline.meeting', {
                        kind: label('meetingKind', meeting.kind),
                        date: formatDate(meeting.scheduledAt),
                        chair: meeting.chair,
                      })}
                    </Link>
                  </li>
                ))}
              </ul>
            </section>
          )}
        </>
      )}
      {result?.type === 'stream' && (
        <Timeline
          steps={result.steps}
          title={t('auditor.timeline.stream', { kind: t(`auditor.stream.${result.kind}`) })}
        />
      )}
    </>
  );
}
