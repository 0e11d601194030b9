import { scopeCovers } from '../access/roles';
import type { DomainCommand, DomainEvent } from '../domain-message';
import { DomainError } from '../domain-error';
import { isCalendarDate } from '../identity/civil-date';
import { parseId } from '../users/user.validation';

/**
 * Erasure of a household's personal data on a data-protection request (UU 27/2022 PDP art. 8), as its own stream
 * `erasure-<householdId>`: the request, who approved it and on what legal basis. The event holds no personal data;
 * the effect (the household's data key deleted, its copies in read models blanked) happens beside it, in the same
 * transaction, outside the domain.
 */
export function erasureStreamName(householdId: string): string {
  return `erasure-${parseId(householdId, 'householdId')}`;
}

export const LEGAL_BASIS_MAX_LENGTH = 200;

export type EraseHousehold = DomainCommand<
  'EraseHousehold',
  {
    readonly householdId: string;
    /** The household's village as registered (for the administrator's scope). */
    readonly villageCode: string;
    /** The decision or request the erasure rests on, e.g. a letter number: never personal data. */
    readonly legalBasisRef: string;
    /** `YYYY-MM-DD`: when the data subject asked. */
    readonly requestedAt: string;
  }
>;

export type HouseholdErased = DomainEvent<
  'HouseholdErased',
  {
    readonly householdId: string;
    readonly legalBasisRef: string;
    readonly requestedAt: string;
    /** The administrator who approved and executed it. */
    readonly approvedBy: string;
    readonly erasedAt: string;
  }
>;

export type ErasureEvent = HouseholdErased;
export type ErasureState = { readonly erased: boolean };

// Control characters (C0, DEL, C1): a reference is one printable line.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** 16 digits in a row (dots, spaces or dashes between allowed) look like a NIK or KK number. */
const IDENTITY_NUMBER = /\d(?:[\s.-]?\d){15}/;

function authorize(command: EraseHousehold): void {
  const { actor } = command.metadata;
  if (actor.role !== 'ADMIN') {
    throw new DomainError('forbidden', 'ROLE_NOT_ALLOWED', 'Only an administrator erases personal data.', {
      role: actor.role,
    });
  }
  if (!scopeCovers(actor.scope, command.data.villageCode)) {
    throw new DomainError('forbidden', 'OUTSIDE_SCOPE', "The household's village is outside your scope.", {
      scope: actor.scope,
    });
  }
}

function parseLegalBasis(input: unknown): string {
  const text = typeof input === 'string' ? input.trim() : '';
  if (text.length < 3 || [...text].length > LEGAL_BASIS_MAX_LENGTH || CONTROL.test(text)) {
    throw new DomainError(
      'invalid',
      'LEGAL_BASIS_REQUIRED',
      `An erasure needs the reference of its legal basis: 3 to ${LEGAL_BASIS_MAX_LENGTH} printable characters.`,
      { field: 'legalBasisRef' },
    );
  }
  if (IDENTITY_NUMBER.test(text)) {
    throw new DomainError(
      'invalid',
      'LEGAL_BASIS_HAS_IDENTITY_NUMBER',
      'The legal basis reference looks like it holds a NIK or KK number; the erasure record keeps no personal data.',
      { field: 'legalBasisRef' },
    );
  }
  return text;
}

function parseRequestedAt(input: unknown, occurredAt: string): string {
  const match = typeof input === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(input) : null;
  const valid = match !== null && isCalendarDate(Number(match[1]), Number(match[2]), Number(match[3]));
  // ISO dates compare as text; the act's own day bounds the request's.
  if (!valid || (input as string) > occurredAt.slice(0, 10)) {
    throw new DomainError(
      'invalid',
      'INVALID_REQUESTED_AT',
      'requestedAt is the date of the request (YYYY-MM-DD), not after the erasure.',
      { field: 'requestedAt' },
    );
  }
  return input as string;
}

export const erasureDecider = {
  initialState: (): ErasureState => ({ erased: false }),
  decide(command: EraseHousehold, state: ErasureState): HouseholdErased[] {
    const householdId = parseId(command.data.householdId, 'householdId');
    authorize(command);
    if (state.erased) {
      throw new DomainError(
        'conflict',
        'HOUSEHOLD_ALREADY_ERASED',
        "This household's personal data is already erased.",
      );
    }
    const legalBasisRef = parseLegalBasis(command.data.legalBasisRef);
    const requestedAt = parseRequestedAt(command.data.requestedAt, command.metadata.occurredAt);
    return [
      {
        type: 'HouseholdErased',
        data: {
          householdId,
          legalBasisRef,
          requestedAt,
          approvedBy: command.metadata.actor.userId,
          erasedAt: command.metadata.occurredAt,
        },
      },
    ];
  },
  evolve(state: ErasureState, event: ErasureEvent): ErasureState {
    switch (event.type) {
      case 'HouseholdErased':
        return { erased: true };
      default: {
        const _exhaustive: never = event.type;
        return state;
      }
    }
  },
} as const;
