import { DomainError } from '../domain-error';
import { parseIsoDate } from './civil-date';

/**
 * Why a household or member leaves the registry (DESIGN.md section 4, REMOVE proposals), matching the categories
 * that KPK, BPK and BPKP report on, each with the evidence it needs, as data.
 */

export const REMOVAL_REASONS = [
  'DECEASED',
  'MOVED',
  'NOT_FOUND',
  'NO_LONGER_ELIGIBLE',
  'REFUSED_AID',
  'DUPLICATE',
  'INVALID_NIK',
  'CIVIL_SERVANT',
  'WAGE_ABOVE_MINIMUM',
  'COMPANY_OFFICER',
  'MIGRANT_WORKER',
  'OTHER',
] as const;
export type RemovalReason = (typeof REMOVAL_REASONS)[number];

export const EVIDENCE_KINDS = [
  'DEATH_CERTIFICATE',
  'DUKCAPIL_DEATH_MATCH',
  'MOVING_LETTER',
  'FIELD_VISIT',
  'SIGNED_REFUSAL',
  'BKN_MATCH',
  'BPJS_TK_MATCH',
  'AHU_MATCH',
  'REGISTRY_ENTRY',
  'DUKCAPIL_NOT_MATCHED',
  'VERIFICATION_NOTE',
  'WRITTEN_EXPLANATION',
  'DOCUMENT',
] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

/** One piece of evidence. Which fields a kind needs: see EVIDENCE_FIELD. */
export type EvidenceItem = {
  readonly kind: EvidenceKind;
  /** `sha256:<64 lowercase hex>` of a stored document. */
  readonly digest?: string;
  /** A match or result reference of another system, or the id of another registry entry. */
  readonly reference?: string;
  /** `YYYY-MM-DD`. */
  readonly date?: string;
  readonly note?: string;
};

/** The field an item of each kind must carry to count. */
export type EvidenceField = 'digest' | 'reference' | 'date' | 'note';

/** What each kind of evidence is, in English, and the field it must carry. */
export const EVIDENCE_FIELD: Readonly<
  Record<EvidenceKind, { readonly field: EvidenceField; readonly description: string }>
> = {
  DEATH_CERTIFICATE: { field: 'digest', description: 'a death certificate (document digest)' },
  DUKCAPIL_DEATH_MATCH: { field: 'reference', description: 'a Dukcapil death match reference' },
  MOVING_LETTER: { field: 'digest', description: 'a moving letter (surat pindah, document digest)' },
  FIELD_VISIT: { field: 'date', description: 'a failed field visit (with its date)' },
  SIGNED_REFUSAL: { field: 'digest', description: 'a signed refusal of aid (document digest)' },
  BKN_MATCH: { field: 'reference', description: 'a BKN match reference' },
  BPJS_TK_MATCH: { field: 'reference', description: 'a BPJS Ketenagakerjaan match reference' },
  AHU_MATCH: { field: 'reference', description: 'an AHU match reference' },
  REGISTRY_ENTRY: { field: 'reference', description: 'the id of the other registry entry' },
  DUKCAPIL_NOT_MATCHED: { field: 'reference', description: 'a Dukcapil not-matched result reference' },
  VERIFICATION_NOTE: { field: 'note', description: 'a verification note' },
  WRITTEN_EXPLANATION: { field: 'note', description: 'a written explanation' },
  DOCUMENT: { field: 'digest', description: 'a supporting document (document digest)' },
};

/** `count` items of `kind`; with `distinctDates`, their dates must all differ. */
export type EvidenceOption = {
  readonly kind: EvidenceKind;
  readonly count: number;
  readonly distinctDates?: boolean;
};

/** Met by any one of its options. */
export type EvidenceRequirement = { readonly anyOf: readonly EvidenceOption[] };

export type RemovalReasonDefinition = {
  readonly code: RemovalReason;
  /** The Indonesian label shown to village operators. */
  readonly label: string;
  /** Every requirement must be met. */
  readonly requires: readonly EvidenceRequirement[];
};

const one = (...kinds: EvidenceKind[]): EvidenceRequirement => ({ anyOf: kinds.map((kind) => ({ kind, count: 1 })) });

export const REMOVAL_REASON_DEFINITIONS: Readonly<Record<RemovalReason, RemovalReasonDefinition>> = {
  DECEASED: {
    code: 'DECEASED',
    label: 'Meninggal dunia',
    requires: [one('DEATH_CERTIFICATE', 'DUKCAPIL_DEATH_MATCH')],
  },
  MOVED: { code: 'MOVED', label: 'Pindah domisili', requires: [one('MOVING_LETTER')] },
  NOT_FOUND: {
    code: 'NOT_FOUND',
    label: 'Tidak ditemukan',
    requires: [{ anyOf: [{ kind: 'FIELD_VISIT', count: 2, distinctDates: true }] }],
  },
  NO_LONGER_ELIGIBLE: {
    code: 'NO_LONGER_ELIGIBLE',
    label: 'Sudah mampu',
    requires: [one('VERIFICATION_NOTE', 'DOCUMENT')],
  },
  REFUSED_AID: { code: 'REFUSED_AID', label: 'Menolak bantuan', requires: [one('SIGNED_REFUSAL')] },
  DUPLICATE: { code: 'DUPLICATE', label: 'Data ganda', requires: [one('REGISTRY_ENTRY')] },
  INVALID_NIK: { code: 'INVALID_NIK', label: 'NIK tidak valid', requires: [one('DUKCAPIL_NOT_MATCHED')] },
  CIVIL_SERVANT: { code: 'CIVIL_SERVANT', label: 'ASN, TNI atau Polri', requires: [one('BKN_MATCH')] },
  WAGE_ABOVE_MINIMUM: {
    code: 'WAGE_ABOVE_MINIMUM',
    label: 'Berpenghasilan di atas upah minimum',
    requires: [one('BPJS_TK_MATCH')],
  },
  COMPANY_OFFICER: { code: 'COMPANY_OFFICER', label: 'Pengurus perusahaan', requires: [one('AHU_MATCH')] },
  MIGRANT_WORKER: { code: 'MIGRANT_WORKER', label: 'Pekerja migran', requires: [one('DOCUMENT')] },
  OTHER: { code: 'OTHER', label: 'Lainnya', requires: [one('WRITTEN_EXPLANATION'), one('DOCUMENT')] },
};

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const CONTROL = /[\p{Cc}\p{Zl}\p{Zp}]/u;
/** Notes may span lines; other control characters are refused. */
const CONTROL_BUT_NEWLINES = /[\p{Zl}\p{Zp}]|(?![\t\n\r])\p{Cc}/u;
export const EVIDENCE_REFERENCE_MAX_LENGTH = 200;
export const EVIDENCE_NOTE_MAX_LENGTH = 2000;

const lengthOf = (text: string): number => [...text].length;

export function isRemovalReason(input: string): input is RemovalReason {
  return (REMOVAL_REASONS as readonly string[]).includes(input);
}

/** Throws DomainError invalid `INVALID_REMOVAL_REASON` unless `input` is one of REMOVAL_REASONS. */
export function parseRemovalReason(input: string): RemovalReason {
  if (!isRemovalReason(input)) {
    throw new DomainError(
      'invalid',
      'INVALID_REMOVAL_REASON',
      `A removal reason is one of ${REMOVAL_REASONS.join(', ')}.`,
      {
        field: 'reason',
      },
    );
  }
  return input;
}

/** Whether the field an item's kind needs is present and well formed. */
function carriesItsField(item: EvidenceItem): boolean {
  const field = EVIDENCE_FIELD[item.kind].field;
  switch (field) {
    case 'digest':
      return item.digest !== undefined && DIGEST.test(item.digest);
    case 'reference': {
      const reference = item.reference?.trim() ?? '';
      return reference !== '' && lengthOf(reference) <= EVIDENCE_REFERENCE_MAX_LENGTH && !CONTROL.test(reference);
    }
    case 'date':
      return item.date !== undefined && parseIsoDate(item.date) !== undefined;
    case 'note': {
      const note = item.note?.trim() ?? '';
      return note !== '' && lengthOf(note) <= EVIDENCE_NOTE_MAX_LENGTH && !CONTROL_BUT_NEWLINES.test(note);
    }
    default: {
      const _exhaustive: never = field;
      return _exhaustive;
    }
  }
}

function meets(option: EvidenceOption, usable: readonly EvidenceItem[]): boolean {
  const items = usable.filter((item) => item.kind === option.kind);
  const count = option.distinctDates === true ? new Set(items.map((item) => item.date)).size : items.length;
  return count >= option.count;
}

function describeOption(option: EvidenceOption): string {
  const { description } = EVIDENCE_FIELD[option.kind];
  const times =
    option.count > 1 ? ` x${option.count}${option.distinctDates === true ? ' on different dates' : ''}` : '';
  return `${description}${times} (${option.kind})`;
}

/** The requirements of `reason` that `evidence` leaves unmet (well-formed items only count). */
export function missingRemovalEvidence(
  reason: RemovalReason,
  evidence: readonly EvidenceItem[],
): readonly EvidenceRequirement[] {
  const usable = evidence.filter(carriesItsField);
  return REMOVAL_REASON_DEFINITIONS[reason].requires.filter(
    (requirement) => !requirement.anyOf.some((option) => meets(option, usable)),
  );
}

/**
 * Throws DomainError invalid `REMOVAL_EVIDENCE_MISSING` unless `evidence` meets every requirement of `reason`. An
 * item counts only when it carries the field its kind needs (EVIDENCE_FIELD), well formed: a `sha256:<64 hex>`
 * digest, a non-empty reference, a calendar-valid `YYYY-MM-DD` date, a non-empty note. The message names the reason
 * code and what is missing; `details.missing` lists the missing kinds (`|` between alternatives, `,` between
 * requirements). Items of other kinds are allowed. Whether the visits' outcomes were NOT_FOUND is for the proposal
 * decider, which holds the FieldVisitRecorded events.
 */
export function assertRemovalEvidence(reason: RemovalReason, evidence: readonly EvidenceItem[]): void {
  const missing = missingRemovalEvidence(reason, evidence);
  if (missing.length === 0) return;
  const what = missing.map((requirement) => requirement.anyOf.map(describeOption).join(' or ')).join('; and ');
  throw new DomainError('invalid', 'REMOVAL_EVIDENCE_MISSING', `Removal reason ${reason} needs ${what}.`, {
    reason,
    missing: missing.map((requirement) => requirement.anyOf.map((option) => option.kind).join('|')).join(','),
  });
}
