import type { Actor } from '../access/roles';
import { NATIONAL } from '../access/roles';
import { DomainError } from '../domain-error';
import type { DomainCommand, DomainEvent } from '../domain-message';
import type { EvidenceKind, RemovalReason } from '../identity';
import type { FlagCode } from '../proposals/proposal.commands';
import { parseOneOf, parseText, parseTimestamp } from '../proposals/proposal.validation';
import { parseId } from '../users/user.validation';

/**
 * Reference lists of other agencies (issue 6): civil servants (BKN), deaths (Dukcapil), wage earners above the
 * minimum wage (BPJS Ketenagakerjaan), company officers (AHU), and Dukcapil's NIK matching results ("padan").
 * Their rows are kept by keyed NIK index only, outside the log; each import is one stream with one
 * `ReferenceListImported` (file digest and counts) and, once matched against proposals and the registry, one
 * `ReferenceMatchingRecorded` (counts only).
 */
export const REFERENCE_SOURCES = ['BKN', 'DUKCAPIL_DEATHS', 'BPJS_TK', 'AHU', 'DUKCAPIL_RESULTS'] as const;
export type ReferenceSource = (typeof REFERENCE_SOURCES)[number];

/** The sources whose rows are matches in themselves (a listed NIK is a finding); DUKCAPIL_RESULTS carries a result. */
export type ListSource = Exclude<ReferenceSource, 'DUKCAPIL_RESULTS'>;

/** What a match of each list means: the flag on a pending proposal, the removal reason and its evidence kind. */
export const REFERENCE_MATCH: Readonly<
  Record<ListSource, { readonly flag: FlagCode; readonly reason: RemovalReason; readonly evidence: EvidenceKind }>
> = {
  BKN: { flag: 'CIVIL_SERVANT_MATCH', reason: 'CIVIL_SERVANT', evidence: 'BKN_MATCH' },
  DUKCAPIL_DEATHS: { flag: 'DECEASED_MATCH', reason: 'DECEASED', evidence: 'DUKCAPIL_DEATH_MATCH' },
  BPJS_TK: { flag: 'WAGE_MATCH', reason: 'WAGE_ABOVE_MINIMUM', evidence: 'BPJS_TK_MATCH' },
  AHU: { flag: 'COMPANY_OFFICER_MATCH', reason: 'COMPANY_OFFICER', evidence: 'AHU_MATCH' },
};

/** Dukcapil's answer for one NIK: "padan" (the NIK matches the civil registry) or "tidak padan". */
export const DUKCAPIL_RESULTS = ['PADAN', 'TIDAK_PADAN'] as const;
export type DukcapilResult = (typeof DUKCAPIL_RESULTS)[number];

export function isListSource(source: ReferenceSource): source is ListSource {
  return source !== 'DUKCAPIL_RESULTS';
}

export function parseReferenceSource(input: unknown): ReferenceSource {
  return parseOneOf(REFERENCE_SOURCES, input, 'source', 'INVALID_SOURCE');
}

/** The stream of one import: `reference-import-<importId>`. */
export function referenceImportStreamName(importId: string): string {
  return `reference-import-${parseId(importId, 'importId')}`;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

export type RecordReferenceImport = DomainCommand<
  'RecordReferenceImport',
  {
    readonly importId: string;
    readonly source: ReferenceSource;
    readonly fileName: string;
    /** `sha256:<64 lowercase hex>` of the file as received. */
    readonly fileDigest: string;
    readonly rows: number;
    readonly accepted: number;
    readonly rejected: number;
  }
>;

/** The matching job's result (SYSTEM only), counts only: what it raised and opened is on those streams. */
export type RecordReferenceMatching = DomainCommand<
  'RecordReferenceMatching',
  {
    readonly importId: string;
    readonly matchedAt: string;
    readonly proposalMatches: number;
    readonly flagsRaised: number;
    readonly registryMatches: number;
    readonly removalProposalsOpened: number;
    readonly householdResultsRecorded: number;
  }
>;

export type ReferenceListCommand = RecordReferenceImport | RecordReferenceMatching;

export type ReferenceListImported = DomainEvent<
  'ReferenceListImported',
  {
    readonly importId: string;
    readonly source: ReferenceSource;
    readonly fileName: string;
    readonly fileDigest: string;
    readonly rows: number;
    readonly accepted: number;
    readonly rejected: number;
    readonly importedBy: string;
    readonly importedAt: string;
  }
>;

export type ReferenceMatchingRecorded = DomainEvent<
  'ReferenceMatchingRecorded',
  {
    readonly importId: string;
    readonly matchedAt: string;
    readonly proposalMatches: number;
    readonly flagsRaised: number;
    readonly registryMatches: number;
    readonly removalProposalsOpened: number;
    readonly householdResultsRecorded: number;
  }
>;

export type ReferenceListEvent = ReferenceListImported | ReferenceMatchingRecorded;

export type ReferenceImportState = {
  readonly status: 'none' | 'imported' | 'matched';
  readonly importId?: string;
  readonly source?: ReferenceSource;
  readonly fileDigest?: string;
  readonly importedAt?: string;
};

export function initialState(): ReferenceImportState {
  return { status: 'none' };
}

const invalid = (code: string, message: string, field: string) => new DomainError('invalid', code, message, { field });

function parseCount(input: unknown, field: string): number {
  if (typeof input !== 'number' || !Number.isSafeInteger(input) || input < 0) {
    throw invalid('INVALID_COUNT', `The ${field} must be a whole number, zero or more.`, field);
  }
  return input;
}

/**
 * Reference lists are national: the operator's CLI (SYSTEM) or an administrator with a NATIONAL grant (Kemensos)
 * imports them. Not a regency's verifier: one import flags proposals and opens removals in every region. Importing
 * a list records no workflow decision (the matching's flags and removals are the system's, for verifiers and
 * villages to decide on), so it is an administrator's task.
 */
function requireImporter(actor: Actor): void {
  if (actor.role === 'SYSTEM') return;
  if (actor.role !== 'ADMIN') {
    throw new DomainError('forbidden', 'ROLE_NOT_ALLOWED', 'Only a national administrator imports reference lists.', {
      role: actor.role,
    });
  }
  if (actor.scope !== NATIONAL) {
    throw new DomainError(
      'forbidden',
      'OUTSIDE_SCOPE',
      'Reference lists are national: a NATIONAL grant imports them.',
      { scope: actor.scope },
    );
  }
}

function recordImport(
  { data, metadata: { actor, occurredAt } }: RecordReferenceImport,
  state: ReferenceImportState,
): ReferenceListEvent[] {
  requireImporter(actor);
  const importId = parseId(data.importId, 'importId');
  const source = parseReferenceSource(data.source);
  const fileName = parseText(data.fileName, 'fileName', 'INVALID_FILE_NAME', 255);
  if (typeof data.fileDigest !== 'string' || !DIGEST.test(data.fileDigest)) {
    throw invalid('INVALID_DIGEST', 'The fileDigest must be sha256:<64 lowercase hex digits>.', 'fileDigest');
  }
  const rows = parseCount(data.rows, 'rows');
  const accepted = parseCount(data.accepted, 'accepted');
  const rejected = parseCount(data.rejected, 'rejected');
  if (accepted + rejected !== rows) {
    throw invalid('INVALID_COUNT', 'accepted and rejected rows must add up to the rows read.', 'rows');
  }
  const importedAt = parseTimestamp(occurredAt, 'occurredAt');
  if (state.status !== 'none') {
    throw new DomainError('conflict', 'DUPLICATE_IMPORT', 'This file was already imported.', {
      importId,
      ...(state.importedAt === undefined ? {} : { importedAt: state.importedAt }),
    });
  }
  return [
    {
      type: 'ReferenceListImported',
      data: {
        importId,
        source,
        fileName,
        fileDigest: data.fileDigest,
        rows,
        accepted,
        rejected,
        importedBy: actor.userId,
        importedAt,
      },
    },
  ];
}

function recordMatching(
  { data, metadata: { actor } }: RecordReferenceMatching,
  state: ReferenceImportState,
): ReferenceListEvent[] {
  if (actor.role !== 'SYSTEM') {
    throw new DomainError('forbidden', 'ROLE_NOT_ALLOWED', 'Only the system records a matching.', {
      role: actor.role,
    });
  }
  const importId = parseId(data.importId, 'importId');
  if (state.status === 'none') {
    throw new DomainError('not_found', 'IMPORT_NOT_FOUND', 'No reference import with this id exists.');
  }
  if (state.importId !== importId) {
    throw invalid('IMPORT_ID_MISMATCH', 'The importId does not match this stream.', 'importId');
  }
  const matchedAt = parseTimestamp(data.matchedAt, 'matchedAt');
  const counts = {
    proposalMatches: parseCount(data.proposalMatches, 'proposalMatches'),
    flagsRaised: parseCount(data.flagsRaised, 'flagsRaised'),
    registryMatches: parseCount(data.registryMatches, 'registryMatches'),
    removalProposalsOpened: parseCount(data.removalProposalsOpened, 'removalProposalsOpened'),
    householdResultsRecorded: parseCount(data.householdResultsRecorded, 'householdResultsRecorded'),
  };
  // Idempotent: a retried or re-enqueued job records its matching once.
  if (state.status === 'matched') return [];
  return [{ type: 'ReferenceMatchingRecorded', data: { importId, matchedAt, ...counts } }];
}

export function decide(command: ReferenceListCommand, state: ReferenceImportState): ReferenceListEvent[] {
  switch (command.type) {
    case 'RecordReferenceImport':
      return recordImport(command, state);
    case 'RecordReferenceMatching':
      return recordMatching(command, state);
    default: {
      const _exhaustive: never = command;
      return [];
    }
  }
}

export function evolve(state: ReferenceImportState, event: ReferenceListEvent): ReferenceImportState {
  switch (event.type) {
    case 'ReferenceListImported':
      return {
        status: 'imported',
        importId: event.data.importId,
        source: event.data.source,
        fileDigest: event.data.fileDigest,
        importedAt: event.data.importedAt,
      };
    case 'ReferenceMatchingRecorded':
      return { ...state, status: 'matched' };
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}

export const referenceListDecider = { decide, evolve, initialState } as const;
