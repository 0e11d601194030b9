import { DomainError } from '../domain-error';
import { parseNik } from '../identity/nik';
import { TEXT_MAX_LENGTH } from './proposal.validation';
import type {
  FlagCode,
  FlagSeverity,
  IdentityFinding,
  ProposalContent,
  ProposalKind,
  ProposedMember,
} from './proposal.commands';

/** The people a proposal would put on the registry: an ADD's members, a CORRECT's member to add; none otherwise. */
export function membersToCheck(kind: ProposalKind, content: ProposalContent): readonly ProposedMember[] {
  switch (kind) {
    case 'ADD':
      return content.household?.members ?? [];
    case 'CORRECT':
      return content.memberToAdd ? [content.memberToAdd] : [];
    case 'REMOVE':
    case 'RELOCATE':
      return [];
    default: {
      const _exhaustive: never = kind;
      return [];
    }
  }
}

/** What the worker looked up for each member (same order as membersToCheck), by keyed NIK index only. */
export type IdentityLookups = {
  /** An active registry household that already holds the member's NIK (ADD only; CORRECT adds to one). */
  readonly registryHousehold: readonly (string | undefined)[];
  /** Another pending proposal that names the same NIK. */
  readonly pendingProposal: readonly (string | undefined)[];
  /** Entries of the reference lists (BKN, Dukcapil, BPJS-TK, AHU) naming the member's NIK; absent: none. */
  readonly referenceMatches?: readonly (readonly ReferenceHit[])[];
};

/** One reference-list entry that names a member: the flag it calls for, the list and the list's own reference. */
export type ReferenceHit = {
  readonly code: FlagCode;
  /** The list, e.g. `BKN`. */
  readonly source: string;
  /** The list's record id (NIP, certificate number...), never personal data. */
  readonly reference: string;
};

/** How serious each flag is (the verifier cannot verify past a BLOCKING one until it is resolved). */
export function flagSeverity(code: FlagCode): FlagSeverity {
  return SEVERITY[code];
}

/** The evidence of a reference-list flag: the list, its reference and the member's position, never a NIK. */
export function referenceEvidence(source: string, reference: string, memberIndex?: number): string {
  return memberIndex === undefined ? `${source} ${reference}` : `anggota ${memberIndex + 1}: ${source} ${reference}`;
}

const SEVERITY: Record<FlagCode, FlagSeverity> = {
  NIK_INVALID: 'BLOCKING',
  NIK_REGION_UNKNOWN: 'WARNING',
  NIK_BIRTHDATE_MISMATCH: 'WARNING',
  NIK_SEX_MISMATCH: 'WARNING',
  NIK_REGION_DIFFERS: 'WARNING',
  // A person may be on the registry once (DESIGN §3): a second enrolment must be resolved before verification.
  NIK_IN_REGISTRY: 'BLOCKING',
  NIK_IN_PENDING_PROPOSAL: 'WARNING',
  CIVIL_SERVANT_MATCH: 'BLOCKING',
  DECEASED_MATCH: 'BLOCKING',
  WAGE_MATCH: 'WARNING',
  COMPANY_OFFICER_MATCH: 'WARNING',
  DUKCAPIL_UNMATCHED: 'BLOCKING',
};

/**
 * The identity check of one proposal (DESIGN §3): NIK structure doubts (region unknown, birth date or sex not as
 * stated, a NIK issued outside the village's district), a NIK already on the registry (ADD), a NIK in another
 * pending proposal, a NIK on a reference list (civil servant, deceased, wage earner, company officer, Dukcapil
 * "tidak padan"). One finding per flag code, its evidence naming members by position ("anggota 2") and other
 * records by id, never a NIK, a name or a date. `referenceYear` resolves two-digit birth years (no clock here).
 */
export function identityFindings(
  kind: ProposalKind,
  villageCode: string,
  content: ProposalContent,
  lookups: IdentityLookups,
  referenceYear?: number,
): IdentityFinding[] {
  const evidence = new Map<FlagCode, string[]>();
  const add = (code: FlagCode, what: string) => {
    const list = evidence.get(code) ?? [];
    if (!list.includes(what)) list.push(what);
    evidence.set(code, list);
  };
  membersToCheck(kind, content).forEach((member, index) => {
    const who = `anggota ${index + 1}`;
    try {
      const parsed = parseNik(member.nik, {
        birthDate: member.birthDate,
        sex: member.sex,
        villageCode,
        ...(referenceYear === undefined ? {} : { referenceYear }),
      });
      for (const warning of parsed.warnings) add(warning.code, who);
    } catch (error) {
      // Submission already refuses such a NIK; a proposal written before that rule still gets its flag.
      if (!(error instanceof DomainError)) throw error;
      add('NIK_INVALID', who);
    }
    const household = kind === 'ADD' ? lookups.registryHousehold[index] : undefined;
    if (household !== undefined) add('NIK_IN_REGISTRY', `${who}: keluarga ${household}`);
    const other = lookups.pendingProposal[index];
    if (other !== undefined) add('NIK_IN_PENDING_PROPOSAL', `${who}: usulan ${other}`);
    for (const hit of lookups.referenceMatches?.[index] ?? []) {
      add(hit.code, referenceEvidence(hit.source, hit.reference, index));
    }
  });
  return [...evidence].map(([code, what]) => ({ code, severity: SEVERITY[code], evidence: joinEvidence(what) }));
}

/** Flag evidence holds at most TEXT_MAX_LENGTH characters: a long list ends with how many were left out. */
function joinEvidence(items: readonly string[]): string {
  let text = '';
  for (let i = 0; i < items.length; i++) {
    const next = text === '' ? items[i]! : `${text}; ${items[i]!}`;
    const rest = items.length - i - 1;
    if (next.length + (rest > 0 ? 24 : 0) > TEXT_MAX_LENGTH) return `${text}; dan ${items.length - i} lainnya`;
    text = next;
  }
  return text;
}
