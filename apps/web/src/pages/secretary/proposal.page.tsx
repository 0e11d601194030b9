/**
 * `/desa/usulan/baru`: registers a proposal (usulan) of any kind. NIK and KK numbers are checked as they are typed
 * (hard errors block sending, warnings do not); the server's own verdict lands next to the field it names.
 */
import { useMemo, useState, type FormEvent } from 'react';
import {
  EVIDENCE_FIELD,
  PROPOSAL_CHANNELS,
  PROPOSAL_KINDS,
  RELATIONSHIPS,
  REMOVAL_REASON_DEFINITIONS,
  REMOVAL_REASONS,
  missingRemovalEvidence,
  type EvidenceItem,
  type EvidenceKind,
  type RemovalReason,
} from '@muskel/domain';
import { api, ApiError } from '../../api/client';
import { ErrorMessage, Field, Notice, SelectField } from '../../components/ui';
import { t, type MessageKey } from '../../i18n';
import { EvidenceFileField, evidenceFileLabel } from './evidence-file-field';
import { checkKk, checkNik, type Check } from './identity-checks';

type Kind = (typeof PROPOSAL_KINDS)[number];

interface Member {
  nik: string;
  name: string;
  sex: string;
  birthDate: string;
  relationship: string;
}

interface RegistryHousehold {
  householdId: string;
  address: string;
  rt: string;
  rw: string;
  status: string;
  members: { name: string; relationship: string; active: boolean }[];
}

/** Evidence typed for one requirement of a removal reason: the kind chosen and its values (dates, digests...). */
interface EvidenceInput {
  kind: EvidenceKind;
  values: string[];
}

const emptyMember = (relationship = 'HEAD'): Member => ({ nik: '', name: '', sex: '', birthDate: '', relationship });
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const RT_RW = /^\d{1,3}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const required = (value: string, shown: boolean) =>
  shown && value.trim() === '' ? [t('secretary.proposal.required')] : [];

function evidenceInputs(reason: RemovalReason): EvidenceInput[] {
  return REMOVAL_REASON_DEFINITIONS[reason].requires.map((requirement) => {
    const option = requirement.anyOf[0]!;
    return { kind: option.kind, values: Array.from({ length: option.count }, () => '') };
  });
}

function evidenceItems(inputs: readonly EvidenceInput[]): EvidenceItem[] {
  return inputs.flatMap((input) =>
    input.values
      .filter((value) => value.trim() !== '')
      .map((value) => ({ kind: input.kind, [EVIDENCE_FIELD[input.kind].field]: value.trim() })),
  );
}

/** The format error of one evidence value, by the field its kind carries. */
function evidenceValueErrors(kind: EvidenceKind, value: string, shown: boolean): string[] {
  if (value.trim() === '') return required(value, shown);
  const field = EVIDENCE_FIELD[kind].field;
  if (field === 'digest' && !DIGEST.test(value.trim())) return [t('secretary.proposal.digest')];
  if (field === 'date' && !DATE.test(value)) return [t('secretary.proposal.date')];
  return [];
}

/** Whether a member's fields block sending (a missing value or a NIK the parser rejects). */
function memberInvalid(m: Member, village: string): boolean {
  return (
    m.name.trim() === '' ||
    m.sex === '' ||
    !DATE.test(m.birthDate) ||
    checkNik(m.nik, { birthDate: m.birthDate, sex: m.sex, villageCode: village }, true).errors.length > 0
  );
}

const optionOf = (prefix: string) => (value: string) => ({ value, label: t(`${prefix}.${value}` as MessageKey) });

/** One person's fields: NIK (checked as typed), name, sex, birth date, relationship. */
function MemberFields({
  legend,
  member,
  check,
  attempted,
  relationships = RELATIONSHIPS,
  serverErrors,
  onChange,
  onRemove,
}: {
  legend: string;
  member: Member;
  check: Check;
  attempted: boolean;
  relationships?: readonly string[];
  serverErrors: (field: string) => string[];
  onChange: (patch: Partial<Member>) => void;
  onRemove?: { label: string; run: () => void };
}) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      <Field
        label={t('secretary.proposal.nik')}
        hint={t('secretary.proposal.nikHint')}
        inputMode="numeric"
        autoComplete="off"
        value={member.nik}
        onChange={(e) => onChange({ nik: e.target.value })}
        errors={[...check.errors, ...serverErrors('nik')]}
        warnings={check.warnings}
      />
      <Field
        label={t('secretary.proposal.name')}
        autoComplete="off"
        value={member.name}
        onChange={(e) => onChange({ name: e.target.value })}
        errors={[...required(member.name, attempted), ...serverErrors('name')]}
      />
      <SelectField
        label={t('secretary.proposal.sex')}
        value={member.sex}
        onChange={(e) => onChange({ sex: e.target.value })}
        options={[{ value: '', label: '-' }, ...['M', 'F'].map(optionOf('secretary.sex'))]}
        errors={[...required(member.sex, attempted), ...serverErrors('sex')]}
      />
      <Field
        label={t('secretary.proposal.birthDate')}
        type="date"
        value={member.birthDate}
        onChange={(e) => onChange({ birthDate: e.target.value })}
        errors={[...required(member.birthDate, attempted), ...serverErrors('birthDate')]}
      />
      <SelectField
        label={t('secretary.proposal.relationship')}
        value={member.relationship}
        onChange={(e) => onChange({ relationship: e.target.value })}
        options={relationships.map(optionOf('secretary.relationship'))}
        errors={serverErrors('relationship')}
      />
      {onRemove && (
        <button type="button" className="button button--danger" onClick={onRemove.run}>
          {onRemove.label}
        </button>
      )}
    </fieldset>
  );
}

export function ProposalPage({ village }: { village: string }) {
  const [kind, setKind] = useState<Kind>('ADD');
  const [channel, setChannel] = useState<string>('RT_RW');
  const [address, setAddress] = useState('');
  const [rt, setRt] = useState('');
  const [rw, setRw] = useState('');
  const [kk, setKk] = useState('');
  const [members, setMembers] = useState<Member[]>([emptyMember()]);
  const [searchKk, setSearchKk] = useState('');
  const [found, setFound] = useState<RegistryHousehold[]>();
  const [household, setHousehold] = useState<RegistryHousehold>();
  const [changes, setChanges] = useState({ address: '', rt: '', rw: '', kkNumber: '' });
  const [correctMode, setCorrectMode] = useState<'fields' | 'member'>('fields');
  const [newMember, setNewMember] = useState<Member>(() => emptyMember('CHILD'));
  const [memberNote, setMemberNote] = useState('');
  const [reason, setReason] = useState<RemovalReason>('DECEASED');
  const [evidence, setEvidence] = useState<EvidenceInput[]>(() => evidenceInputs('DECEASED'));
  const [target, setTarget] = useState('');
  const [attempted, setAttempted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState<string>();
  const [idempotencyKey, setIdempotencyKey] = useState(() => crypto.randomUUID());

  const serverErrors = (field: string) => (error instanceof ApiError ? error.fieldMessages(field) : []);
  const kkCheck = checkKk(kk, attempted);
  const memberChecks = members.map((member) =>
    checkNik(member.nik, { birthDate: member.birthDate, sex: member.sex, villageCode: village }, attempted),
  );
  const newMemberCheck = checkNik(
    newMember.nik,
    { birthDate: newMember.birthDate, sex: newMember.sex, villageCode: village },
    attempted,
  );
  const searchCheck = checkKk(searchKk, false);
  const changeKkCheck = checkKk(changes.kkNumber, false);
  const missing = kind === 'REMOVE' ? missingRemovalEvidence(reason, evidenceItems(evidence)) : [];

  /** Every blocking problem the form knows of before asking the server. */
  const blocking = useMemo(() => {
    const problems: boolean[] = [];
    if (kind === 'ADD') {
      problems.push(
        address.trim() === '',
        !RT_RW.test(rt),
        !RT_RW.test(rw),
        checkKk(kk, true).errors.length > 0,
        ...members.map((m) => memberInvalid(m, village)),
      );
    } else {
      problems.push(household === undefined);
      if (kind === 'CORRECT' && correctMode === 'member') {
        problems.push(memberInvalid(newMember, village), memberNote.trim() === '');
      } else if (kind === 'CORRECT') {
        problems.push(
          Object.values(changes).every((value) => value.trim() === ''),
          (changes.rt !== '' && !RT_RW.test(changes.rt)) || (changes.rw !== '' && !RT_RW.test(changes.rw)),
          checkKk(changes.kkNumber, false).errors.length > 0,
        );
      }
      if (kind === 'REMOVE') {
        problems.push(
          missingRemovalEvidence(reason, evidenceItems(evidence)).length > 0,
          evidence.some((input) => input.values.some((v) => evidenceValueErrors(input.kind, v, false).length > 0)),
        );
      }
      if (kind === 'RELOCATE') problems.push(!/^\d{10}$/.test(target));
    }
    return problems.some(Boolean);
  }, [
    kind,
    address,
    rt,
    rw,
    kk,
    members,
    household,
    changes,
    correctMode,
    newMember,
    memberNote,
    reason,
    evidence,
    target,
    village,
  ]);

  const setEvidenceValue = (index: number, valueIndex: number, value: string) =>
    setEvidence((all) =>
      all.map((item, i) =>
        i === index ? { ...item, values: item.values.map((v, j) => (j === valueIndex ? value : v)) } : item,
      ),
    );

  const updateMember = (index: number, patch: Partial<Member>) =>
    setMembers((all) => all.map((member, i) => (i === index ? { ...member, ...patch } : member)));

  async function search(event: FormEvent) {
    event.preventDefault();
    if (searchCheck.errors.length > 0 || searchKk.trim() === '') return;
    setError(undefined);
    try {
      // The KK number travels in the body, never in the URL.
      const page = await api.post<{ items: RegistryHousehold[] }>('/registry/search', {
        villageCode: village,
        kkNumber: searchKk.trim(),
      });
      setFound(page.items);
    } catch (caught) {
      setError(caught);
    }
  }

  function body(): Record<string, unknown> {
    const base = { kind, villageCode: village, channel };
    switch (kind) {
      case 'ADD':
        return {
          ...base,
          household: {
            address: address.trim(),
            rt,
            rw,
            kkNumber: kk.trim(),
            members: members.map((m) => ({ ...m, nik: m.nik.trim(), name: m.name.trim() })),
          },
        };
      case 'CORRECT':
        if (correctMode === 'member') {
          // A joining member changes nothing else: `changes` only says why (DESIGN: MIXED_CORRECTION otherwise).
          return {
            ...base,
            householdId: household?.householdId,
            changes: { members: memberNote.trim() },
            memberToAdd: { ...newMember, nik: newMember.nik.trim(), name: newMember.name.trim() },
          };
        }
        return {
          ...base,
          householdId: household?.householdId,
          changes: Object.fromEntries(Object.entries(changes).filter(([, value]) => value.trim() !== '')),
        };
      case 'REMOVE':
        return { ...base, householdId: household?.householdId, removal: { reason, evidence: evidenceItems(evidence) } };
      case 'RELOCATE':
        return { ...base, householdId: household?.householdId, targetVillageCode: target };
    }
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setAttempted(true);
    if (blocking) {
      setError(new Error('form'));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const created = await api.post<{ proposalId: string }>('/proposals', body(), {
        headers: { 'Idempotency-Key': idempotencyKey },
      });
      setSaved(created.proposalId);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  function reset() {
    setSaved(undefined);
    setAttempted(false);
    setError(undefined);
    setAddress('');
    setRt('');
    setRw('');
    setKk('');
    setMembers([emptyMember()]);
    setHousehold(undefined);
    setFound(undefined);
    setSearchKk('');
    setChanges({ address: '', rt: '', rw: '', kkNumber: '' });
    setTarget('');
    setNewMember(emptyMember('CHILD'));
    setMemberNote('');
    setEvidence(evidenceInputs(reason));
    setIdempotencyKey(crypto.randomUUID());
  }

  if (saved) {
    return (
      <div className="narrow">
        <h1>{t('secretary.proposal.title')}</h1>
        <Notice>{t('secretary.proposal.saved', { id: saved.slice(0, 8) })}</Notice>
        <p className="actions">
          <button type="button" className="button button--primary button--large" onClick={reset}>
            {t('secretary.proposal.another')}
          </button>
        </p>
      </div>
    );
  }

  const option = optionOf;
  const headName = (h: RegistryHousehold) =>
    h.members.find((m) => m.relationship === 'HEAD' && m.active)?.name ?? h.members[0]?.name ?? '';

  return (
    <div className="narrow">
      <h1>{t('secretary.proposal.title')}</h1>
      <p>{t('secretary.proposal.intro')}</p>
      {error instanceof ApiError ? (
        <ErrorMessage error={error} />
      ) : error && blocking ? (
        <div className="alert alert--error" role="alert">
          {t('secretary.proposal.fixErrors')}
        </div>
      ) : null}

      <SelectField
        label={t('secretary.proposal.kind')}
        value={kind}
        onChange={(e) => (setKind(e.target.value as Kind), setError(undefined), setAttempted(false))}
        options={PROPOSAL_KINDS.map(option('secretary.proposal.kind'))}
      />

      {kind !== 'ADD' && (
        <section aria-labelledby="find-household" className="card">
          <h2 id="find-household">{t('secretary.proposal.findHousehold')}</h2>
          {household ? (
            <Notice>
              {t('secretary.proposal.chosen', {
                name: headName(household),
                address: household.address,
                rt: household.rt,
                rw: household.rw,
              })}
            </Notice>
          ) : (
            attempted && <p className="field__errors">{t('secretary.proposal.chooseFirst')}</p>
          )}
          <form className="inline-form" onSubmit={(e) => void search(e)}>
            <Field
              label={t('secretary.proposal.kk')}
              hint={t('secretary.proposal.findHint')}
              inputMode="numeric"
              autoComplete="off"
              value={searchKk}
              onChange={(e) => setSearchKk(e.target.value)}
              errors={searchCheck.errors}
            />
            <button type="submit" className="button">
              {t('secretary.proposal.find')}
            </button>
          </form>
          {found && found.length === 0 && <p>{t('secretary.proposal.notFound')}</p>}
          {found && found.length > 0 && (
            <ul className="secretary__choices">
              {found.map((h) => (
                <li key={h.householdId}>
                  <button type="button" className="button" onClick={() => setHousehold(h)}>
                    {t('secretary.proposal.choose', { name: headName(h) })}
                  </button>{' '}
                  {h.address} RT {h.rt}/RW {h.rw}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}

      <form onSubmit={(e) => void submit(e)} noValidate>
        <SelectField
          label={t('secretary.proposal.channel')}
          value={channel}
          onChange={(e) => setChannel(e.target.value)}
          options={PROPOSAL_CHANNELS.map(option('secretary.channel'))}
        />

        {kind === 'ADD' && (
          <>
            <fieldset>
              <legend>{t('secretary.proposal.household')}</legend>
              <Field
                label={t('secretary.proposal.address')}
                value={address}
                autoComplete="off"
                onChange={(e) => setAddress(e.target.value)}
                errors={[...required(address, attempted), ...serverErrors('household.address')]}
              />
              <div className="secretary__pair">
                <Field
                  label={t('secretary.proposal.rt')}
                  inputMode="numeric"
                  value={rt}
                  onChange={(e) => setRt(e.target.value)}
                  errors={[
                    ...(attempted && !RT_RW.test(rt) ? [t('secretary.proposal.rtRw')] : []),
                    ...serverErrors('household.rt'),
                  ]}
                />
                <Field
                  label={t('secretary.proposal.rw')}
                  inputMode="numeric"
                  value={rw}
                  onChange={(e) => setRw(e.target.value)}
                  errors={[
                    ...(attempted && !RT_RW.test(rw) ? [t('secretary.proposal.rtRw')] : []),
                    ...serverErrors('household.rw'),
                  ]}
                />
              </div>
              <Field
                label={t('secretary.proposal.kk')}
                hint={t('secretary.proposal.kkHint')}
                inputMode="numeric"
                autoComplete="off"
                value={kk}
                onChange={(e) => setKk(e.target.value)}
                errors={[...kkCheck.errors, ...serverErrors('household.kkNumber')]}
              />
            </fieldset>
            {members.map((member, index) => (
              <MemberFields
                key={index}
                legend={t('secretary.proposal.member', { n: index + 1 })}
                member={member}
                check={memberChecks[index]!}
                attempted={attempted}
                serverErrors={(field) => serverErrors(`household.members[${index}].${field}`)}
                onChange={(patch) => updateMember(index, patch)}
                onRemove={
                  members.length > 1
                    ? {
                        label: t('secretary.proposal.removeMember', { n: index + 1 }),
                        run: () => setMembers((all) => all.filter((_, i) => i !== index)),
                      }
                    : undefined
                }
              />
            ))}
            <p>
              <button
                type="button"
                className="button"
                onClick={() => setMembers((all) => [...all, emptyMember('CHILD')])}
              >
                {t('secretary.proposal.addMember')}
              </button>
            </p>
          </>
        )}

        {kind === 'CORRECT' && (
          <SelectField
            label={t('secretary.proposal.correctMode')}
            value={correctMode}
            onChange={(e) => setCorrectMode(e.target.value as 'fields' | 'member')}
            options={[
              { value: 'fields', label: t('secretary.proposal.correctMode.fields') },
              { value: 'member', label: t('secretary.proposal.correctMode.member') },
            ]}
          />
        )}

        {kind === 'CORRECT' && correctMode === 'member' && (
          <>
            <MemberFields
              legend={t('secretary.proposal.newMember')}
              member={newMember}
              check={newMemberCheck}
              attempted={attempted}
              relationships={RELATIONSHIPS.filter((r) => r !== 'HEAD')}
              serverErrors={(field) => serverErrors(`memberToAdd.${field}`)}
              onChange={(patch) => setNewMember((m) => ({ ...m, ...patch }))}
            />
            <Field
              label={t('secretary.proposal.memberNote')}
              hint={t('secretary.proposal.memberNoteHint')}
              value={memberNote}
              onChange={(e) => setMemberNote(e.target.value)}
              errors={[...required(memberNote, attempted), ...serverErrors('changes')]}
            />
          </>
        )}

        {kind === 'CORRECT' && correctMode === 'fields' && (
          <fieldset>
            <legend>{t('secretary.proposal.changes')}</legend>
            <p className="field__hint">{t('secretary.proposal.changesHint')}</p>
            {attempted && Object.values(changes).every((v) => v.trim() === '') && (
              <p className="field__errors">{t('secretary.proposal.changesRequired')}</p>
            )}
            <Field
              label={t('secretary.proposal.newAddress')}
              value={changes.address}
              onChange={(e) => setChanges({ ...changes, address: e.target.value })}
              errors={serverErrors('changes.address')}
            />
            <div className="secretary__pair">
              <Field
                label={t('secretary.proposal.newRt')}
                inputMode="numeric"
                value={changes.rt}
                onChange={(e) => setChanges({ ...changes, rt: e.target.value })}
                errors={changes.rt !== '' && !RT_RW.test(changes.rt) ? [t('secretary.proposal.rtRw')] : []}
              />
              <Field
                label={t('secretary.proposal.newRw')}
                inputMode="numeric"
                value={changes.rw}
                onChange={(e) => setChanges({ ...changes, rw: e.target.value })}
                errors={changes.rw !== '' && !RT_RW.test(changes.rw) ? [t('secretary.proposal.rtRw')] : []}
              />
            </div>
            <Field
              label={t('secretary.proposal.newKk')}
              inputMode="numeric"
              autoComplete="off"
              value={changes.kkNumber}
              onChange={(e) => setChanges({ ...changes, kkNumber: e.target.value })}
              errors={[...changeKkCheck.errors, ...serverErrors('changes')]}
            />
          </fieldset>
        )}

        {kind === 'REMOVE' && (
          <fieldset>
            <legend>{t('secretary.proposal.kind.REMOVE')}</legend>
            <SelectField
              label={t('secretary.proposal.removalReason')}
              value={reason}
              onChange={(e) => {
                const next = e.target.value as RemovalReason;
                setReason(next);
                setEvidence(evidenceInputs(next));
              }}
              options={REMOVAL_REASONS.map(option('reason'))}
              errors={serverErrors('removal.reason')}
            />
            <h2 className="secretary__subheading">{t('secretary.proposal.evidence')}</h2>
            <p className="field__hint">{t('secretary.proposal.evidenceUpload')}</p>
            {evidence.map((input, index) => {
              const requirement = REMOVAL_REASON_DEFINITIONS[reason].requires[index]!;
              const unmet = attempted && missing.includes(requirement);
              const field = EVIDENCE_FIELD[input.kind].field;
              return (
                <div key={`${reason}-${index}`} className="secretary__evidence">
                  {requirement.anyOf.length > 1 ? (
                    <SelectField
                      label={t('secretary.proposal.evidenceOption', { n: index + 1 })}
                      value={input.kind}
                      onChange={(e) => {
                        const chosen = requirement.anyOf.find((o) => o.kind === e.target.value)!;
                        setEvidence((all) =>
                          all.map((item, i) =>
                            i === index
                              ? { kind: chosen.kind, values: Array.from({ length: chosen.count }, () => '') }
                              : item,
                          ),
                        );
                      }}
                      options={requirement.anyOf.map((o) => ({
                        value: o.kind,
                        label: t(`secretary.evidence.${o.kind}` as MessageKey),
                      }))}
                    />
                  ) : null}
                  {input.values.map((value, valueIndex) => (
                    <div key={valueIndex}>
                      {field === 'digest' && (
                        <EvidenceFileField
                          villageCode={village}
                          kind={input.kind}
                          label={evidenceFileLabel(input.kind)}
                          value={value}
                          onUploaded={(file) => setEvidenceValue(index, valueIndex, file.digest)}
                        />
                      )}
                      <Field
                        label={
                          input.values.length > 1
                            ? t('secretary.evidence.visit', { n: valueIndex + 1 })
                            : t(`secretary.evidence.${input.kind}` as MessageKey)
                        }
                        type={field === 'date' ? 'date' : 'text'}
                        autoComplete="off"
                        hint={field === 'digest' ? t('secretary.proposal.evidenceDigestHint') : undefined}
                        value={value}
                        onChange={(e) => setEvidenceValue(index, valueIndex, e.target.value)}
                        errors={[
                          ...evidenceValueErrors(input.kind, value, attempted),
                          ...(unmet && input.kind === 'FIELD_VISIT' && valueIndex === 1 && value.trim() !== ''
                            ? [t('secretary.evidence.distinctDates')]
                            : []),
                        ]}
                      />
                    </div>
                  ))}
                </div>
              );
            })}
            {serverErrors('removal').length > 0 && (
              <ul className="field__errors">
                {serverErrors('removal').map((message) => (
                  <li key={message}>{message}</li>
                ))}
              </ul>
            )}
          </fieldset>
        )}

        {kind === 'RELOCATE' && (
          <Field
            label={t('secretary.proposal.target')}
            hint={t('secretary.proposal.targetHint')}
            inputMode="numeric"
            value={target}
            onChange={(e) => setTarget(e.target.value)}
            errors={[
              ...(attempted && !/^\d{10}$/.test(target) ? [t('secretary.proposal.villageCode')] : []),
              ...serverErrors('targetVillageCode'),
            ]}
          />
        )}

        <div className="actions">
          <button type="submit" className="button button--primary button--large" disabled={busy}>
            {t('secretary.proposal.submit')}
          </button>
        </div>
      </form>
    </div>
  );
}
