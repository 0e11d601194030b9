/**
 * One proposal for the verifier: its data (with names and NIKs exactly as the API returns them to a verifier; the
 * read is recorded by the API), its open flags with their evidence and the resolve action, the field visits and a
 * form for a new one, the decision (verify, return, reject with a reason) and the whole history of its stream.
 * Every change names the revision it was made on (If-Match): when someone else changed the proposal meanwhile, the
 * page says so and shows the new state.
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { ErrorMessage, Field, Loading, Notice, SelectField } from '../../components/ui';
import { formatDate, formatDateTime, hasMessage, jakartaLocalToIso, t } from '../../i18n';
import { ScrollRegion } from './scroll-region';
import { useRevisioned } from './use-revisioned';
import { FIELD_VISIT_OUTCOMES } from '@muskel/domain';
import { EvidenceList } from './evidence-files';
import { HistoryTable } from './history-table';
import { TextArea } from './text-area';
import { fieldErrors, label, type Member, type ProposalDetail } from './verifier-api';

/** A removal reason in words (the public board's catalogue names them), or its code when unknown. */
const reasonLabel = (code: string) => {
  const key = `reason.${code}`;
  return hasMessage(key) ? t(key) : code;
};

/** Statuses in which the API takes a field visit. */
const VISIT_STATUSES = ['WAITING', 'TABLED', 'APPROVED', 'RETURNED'];
const KINDS_NEEDING_VISIT = ['ADD', 'RELOCATE'];

/** Now on the Jakarta wall clock, as a datetime-local value. */
const jakartaNow = () => new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 16);

export function ProposalPage() {
  const { id = '' } = useParams();
  const {
    resource: detail,
    loadError,
    outcome,
    busy,
    errors,
    act,
  } = useRevisioned<ProposalDetail>(`/proposals/${encodeURIComponent(id)}`);

  if (!detail) {
    return (
      <section>
        <p>
          <Link to="/dinsos">{t('verifier.proposal.back')}</Link>
        </p>
        <ErrorMessage error={loadError} />
        {!loadError && <Loading />}
      </section>
    );
  }

  const { content } = detail;
  const blocking = detail.openFlags.some((flag) => flag.severity === 'BLOCKING');
  return (
    <section className="verifier-proposal">
      <p>
        <Link to="/dinsos">{t('verifier.proposal.back')}</Link>
      </p>
      <h1>{t('verifier.proposal.title', { kind: label('kind', detail.kind) })}</h1>
      {outcome?.kind === 'ok' && <Notice>{outcome.text}</Notice>}
      {outcome?.kind === 'conflict' && (
        <div className="alert alert--warning" role="alert">
          {outcome.text}
        </div>
      )}

      <h2>{t('verifier.proposal.summary')}</h2>
      <dl className="verifier-facts">
        <Fact term={t('verifier.proposal.status')}>
          <strong>{label('status', detail.status)}</strong>
        </Fact>
        <Fact term={t('verifier.proposal.id')}>
          <code>{detail.proposalId}</code>
        </Fact>
        <Fact term={t('verifier.proposal.village')}>{detail.villageCode}</Fact>
        <Fact term={t('verifier.proposal.channel')}>{label('channel', detail.channel)}</Fact>
        {content.householdId && (
          <Fact term={t('verifier.proposal.householdId')}>
            <code>{content.householdId}</code>
          </Fact>
        )}
        {content.targetVillageCode && (
          <Fact term={t('verifier.proposal.targetVillage')}>{content.targetVillageCode}</Fact>
        )}
        {content.removal && (
          <Fact term={t('verifier.proposal.removalReason')}>{reasonLabel(content.removal.reason)}</Fact>
        )}
        {content.changes && (
          <Fact term={t('verifier.proposal.changes')}>
            <ul>
              {Object.entries(content.changes).map(([field, value]) => (
                <li key={field}>
                  {field}: {value}
                </li>
              ))}
            </ul>
          </Fact>
        )}
        {content.evidenceDigests && content.evidenceDigests.length > 0 && (
          <Fact term={t('verifier.proposal.evidence')}>
            <ul className="hash">
              {content.evidenceDigests.map((digest) => (
                <li key={digest}>
                  <code>{digest}</code>
                </li>
              ))}
            </ul>
          </Fact>
        )}
        {detail.batchId && <Fact term={t('verifier.proposal.batch')}>{detail.batchId}</Fact>}
      </dl>

      {content.removal && (
        <>
          <h2>{t('verifier.proposal.removalEvidence')}</h2>
          <EvidenceList items={content.removal.evidence} />
        </>
      )}

      {content.household && (
        <>
          <h2>{t('verifier.proposal.household')}</h2>
          <dl className="verifier-facts">
            <Fact term={t('verifier.proposal.address')}>{content.household.address}</Fact>
            <Fact term={t('verifier.proposal.rtRw')}>
              {content.household.rt}/{content.household.rw}
            </Fact>
            <Fact term={t('verifier.proposal.kk')}>{content.household.kkNumber}</Fact>
          </dl>
          <Members title={t('verifier.proposal.members')} members={content.household.members} />
        </>
      )}
      {content.memberToAdd && <Members title={t('verifier.proposal.memberToAdd')} members={[content.memberToAdd]} />}

      <h2>{t('verifier.proposal.flags')}</h2>
      {detail.openFlags.length === 0 ? (
        <p>{t('verifier.proposal.flags.none')}</p>
      ) : (
        <ul className="cards">
          {detail.openFlags.map((flag) => (
            <li key={flag.code} className="card">
              <h3>
                <span className={`badge ${flag.severity === 'BLOCKING' ? 'badge--error' : 'badge--warning'}`}>
                  {label('severity', flag.severity)}
                </span>{' '}
                {label('flag', flag.code)}
              </h3>
              <p>{t('verifier.flag.source', { source: flag.source })}</p>
              {flag.evidence && <p>{t('verifier.flag.evidence', { evidence: flag.evidence })}</p>}
              <ResolveFlagForm
                code={flag.code}
                busy={busy === `flag-${flag.code}`}
                error={errors[`flag-${flag.code}`]}
                onResolve={(justification) =>
                  act(`flag-${flag.code}`, `flags/${flag.code}/resolve`, { justification }, 'verifier.flag.resolved')
                }
              />
            </li>
          ))}
        </ul>
      )}

      <h2>{t('verifier.visits')}</h2>
      {detail.fieldVisits.length === 0 ? (
        <p>{t('verifier.visits.none')}</p>
      ) : (
        <ul>
          {detail.fieldVisits.map((visit) => (
            <li key={`${visit.visitedAt}-${visit.visitedBy}`}>
              {t('verifier.visit.item', {
                at: formatDateTime(visit.visitedAt),
                outcome: label('outcome', visit.outcome),
              })}
            </li>
          ))}
        </ul>
      )}
      {KINDS_NEEDING_VISIT.includes(detail.kind) && detail.fieldVisits.length === 0 && (
        <p className="muted">{t('verifier.visits.required')}</p>
      )}
      {VISIT_STATUSES.includes(detail.status) && (
        <FieldVisitForm
          busy={busy === 'visit'}
          error={errors.visit}
          onSave={(visit) => act('visit', 'field-visits', visit, 'verifier.visit.saved')}
        />
      )}

      <h2>{t('verifier.decision')}</h2>
      {detail.status !== 'APPROVED' ? (
        <p>{t('verifier.decision.notNow')}</p>
      ) : (
        <div className="verifier-decisions">
          {blocking && (
            <div className="alert alert--warning" role="note">
              {t('verifier.decision.blocking')}
            </div>
          )}
          <div className="card">
            <h3>{t('verifier.verify')}</h3>
            <p>{t('verifier.verify.confirm')}</p>
            <ErrorMessage error={errors.verify} />
            <button
              type="button"
              className="button button--primary button--large"
              disabled={busy !== undefined}
              onClick={() => void act('verify', 'verify', undefined, 'verifier.verified')}
            >
              {t('verifier.verify')}
            </button>
          </div>
          <ReasonForm
            title={t('verifier.return')}
            busy={busy === 'return'}
            error={errors.return}
            onSubmit={(reason) => act('return', 'return', { reason }, 'verifier.returned')}
          />
          <ReasonForm
            title={t('verifier.reject')}
            danger
            busy={busy === 'reject'}
            error={errors.reject}
            onSubmit={(reason) => act('reject', 'reject', { reason }, 'verifier.rejected')}
          />
        </div>
      )}

      <h2>{t('verifier.history')}</h2>
      <HistoryTable entries={detail.history} title={t('verifier.history')} />
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

function Members({ title, members }: { title: string; members: readonly Member[] }) {
  return (
    <>
      <h3>{title}</h3>
      <ScrollRegion label={title}>
        <table>
          <caption className="verifier-sr-only">{title}</caption>
          <thead>
            <tr>
              <th scope="col">{t('verifier.member.name')}</th>
              <th scope="col">{t('verifier.member.nik')}</th>
              <th scope="col">{t('verifier.member.sex')}</th>
              <th scope="col">{t('verifier.member.birthDate')}</th>
              <th scope="col">{t('verifier.member.relationship')}</th>
            </tr>
          </thead>
          <tbody>
            {members.map((member, index) => (
              <tr key={`${member.nik}-${index}`}>
                <th scope="row">{member.name}</th>
                <td>{member.nik}</td>
                <td>{label('sex', member.sex)}</td>
                <td>
                  {/^\d{4}-\d{2}-\d{2}$/.test(member.birthDate) ? formatDate(member.birthDate) : member.birthDate}
                </td>
                <td>{label('relationship', member.relationship)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
    </>
  );
}

function ResolveFlagForm({
  code,
  busy,
  error,
  onResolve,
}: {
  code: string;
  busy: boolean;
  error: unknown;
  onResolve: (justification: string) => Promise<boolean>;
}) {
  const [justification, setJustification] = useState('');
  const [missing, setMissing] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const value = justification.trim();
    setMissing(!value);
    if (value && (await onResolve(value))) setJustification('');
  };
  return (
    <form onSubmit={(event) => void submit(event)} noValidate aria-label={`${t('verifier.flag.resolve')}: ${code}`}>
      <TextArea
        label={t('verifier.flag.justification')}
        value={justification}
        onChange={(e) => setJustification(e.target.value)}
        maxLength={2000}
        errors={[...(missing ? [t('verifier.reasonRequired')] : []), ...fieldErrors(error, 'justification')]}
      />
      <ErrorMessage error={error} />
      <button type="submit" className="button" disabled={busy}>
        {t('verifier.flag.resolve')}
      </button>
    </form>
  );
}

function FieldVisitForm({
  busy,
  error,
  onSave,
}: {
  busy: boolean;
  error: unknown;
  onSave: (visit: { visitedAt: string; outcome: string; notes: string }) => Promise<boolean>;
}) {
  const [visitedAt, setVisitedAt] = useState(jakartaNow);
  const [outcome, setOutcome] = useState<string>(FIELD_VISIT_OUTCOMES[0]);
  const [notes, setNotes] = useState('');
  const [missing, setMissing] = useState<{ at?: boolean; notes?: boolean }>({});
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = { at: !visitedAt, notes: !notes.trim() };
    setMissing(found);
    if (found.at || found.notes) return;
    if (await onSave({ visitedAt: jakartaLocalToIso(visitedAt), outcome, notes: notes.trim() })) setNotes('');
  };
  return (
    <form className="card" onSubmit={(event) => void submit(event)} noValidate aria-labelledby="visit-entry">
      <h3 id="visit-entry">{t('verifier.visit.entry')}</h3>
      <Field
        label={t('verifier.visit.at')}
        type="datetime-local"
        value={visitedAt}
        onChange={(e) => setVisitedAt(e.target.value)}
        errors={[...(missing.at ? [t('common.required')] : []), ...fieldErrors(error, 'visitedAt')]}
      />
      <SelectField
        label={t('verifier.visit.outcome')}
        value={outcome}
        onChange={(e) => setOutcome(e.target.value)}
        options={FIELD_VISIT_OUTCOMES.map((code) => ({ value: code, label: label('outcome', code) }))}
        errors={fieldErrors(error, 'outcome')}
      />
      <TextArea
        label={t('verifier.visit.notes')}
        value={notes}
        onChange={(e) => setNotes(e.target.value)}
        maxLength={2000}
        errors={[...(missing.notes ? [t('common.required')] : []), ...fieldErrors(error, 'notes')]}
      />
      <ErrorMessage error={error} />
      <button type="submit" className="button button--primary" disabled={busy}>
        {t('verifier.visit.save')}
      </button>
    </form>
  );
}

function ReasonForm({
  title,
  danger = false,
  busy,
  error,
  onSubmit,
}: {
  title: string;
  danger?: boolean;
  busy: boolean;
  error: unknown;
  onSubmit: (reason: string) => Promise<boolean>;
}) {
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const value = reason.trim();
    setMissing(!value);
    if (value && (await onSubmit(value))) setReason('');
  };
  return (
    <form className="card" onSubmit={(event) => void submit(event)} noValidate aria-label={title}>
      <h3>{title}</h3>
      <TextArea
        label={t('verifier.reason')}
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        maxLength={1000}
        errors={[...(missing ? [t('verifier.reasonRequired')] : []), ...fieldErrors(error, 'reason')]}
      />
      <ErrorMessage error={error} />
      <button type="submit" className={`button button--large${danger ? ' button--danger' : ''}`} disabled={busy}>
        {title}
      </button>
    </form>
  );
}
