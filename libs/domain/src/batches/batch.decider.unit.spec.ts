import fc from 'fast-check';
import { NATIONAL, type Actor } from '../access/roles';
import { DomainError, type DomainErrorKind } from '../domain-error';
import type { BatchCommand, BatchResult } from './batch.commands';
import { awaitingResults, batchDecider, decide, evolve, initialState, type BatchState } from './batch.decider';
import { BATCH_EVENT_TYPES, batchStreamName, isBatchEventType, type BatchEvent } from './batch.events';

/** Kota Metro. */
const REGENCY = '1872';
const PERIOD = '2025-03';
const CUTOFF = '2025-03-25';
const AT = '2025-03-26T10:00:00+07:00';
const BEFORE_CUTOFF = '2025-03-20T10:00:00+07:00';
const DIGEST = `sha256:${'ab12'.repeat(16)}`;
const EXPORT_DIGEST = `sha256:${'cd34'.repeat(16)}`;
const BUPATI = 'Wahdi Siradjuddin';

const verifier: Actor = { userId: 'u-verifier', role: 'VERIFIER', scope: REGENCY };
const otherVerifier: Actor = { userId: 'u-verifier-2', role: 'VERIFIER', scope: REGENCY };
const neighbourVerifier: Actor = { userId: 'u-neighbour', role: 'VERIFIER', scope: '1871' };
const operator: Actor = { userId: 'u-operator', role: 'VILLAGE_OPERATOR', scope: '1872011001' };
const admin: Actor = { userId: 'u-admin', role: 'ADMIN', scope: NATIONAL };
const system: Actor = { userId: 'scheduler', role: 'SYSTEM', scope: NATIONAL };
const auditor: Actor = { userId: 'u-auditor', role: 'AUDITOR', scope: NATIONAL };

// Commands --------------------------------------------------------------------------------------------------------

const meta = (actor: Actor, occurredAt = AT) => ({ actor, occurredAt });
type OpenData = { regencyCode: string; period: string; cutoffDate: string };
const openBatch = (actor: Actor = verifier, data: Partial<OpenData> = {}): BatchCommand => ({
  type: 'OpenBatch',
  data: { regencyCode: REGENCY, period: PERIOD, cutoffDate: CUTOFF, ...data },
  metadata: meta(actor),
});
const include = (
  proposalId: string,
  actor: Actor = verifier,
  data: Partial<{ proposalRegencyCode: string; proposalStatus: string }> = {},
): BatchCommand => ({
  type: 'IncludeProposal',
  data: { proposalId, proposalRegencyCode: REGENCY, proposalStatus: 'VERIFIED', ...data },
  metadata: meta(actor),
});
const closeBatch = (
  actor: Actor = verifier,
  occurredAt = AT,
  data: { early?: boolean; reason?: string } = {},
): BatchCommand => ({ type: 'CloseBatch', data, metadata: meta(actor, occurredAt) });
type EndorseData = { endorsedBy: string; letterNumber: string; signedDate: string; documentDigest: string };
const endorseBatch = (actor: Actor = verifier, data: Partial<EndorseData> = {}): BatchCommand => ({
  type: 'EndorseBatch',
  data: {
    endorsedBy: BUPATI,
    letterNumber: '460/123/D.3/2025',
    signedDate: '2025-03-28',
    documentDigest: DIGEST,
    ...data,
  },
  metadata: meta(actor),
});
const submitBatch = (
  actor: Actor = verifier,
  data: Partial<{ submittedAt: string; exportDigest: string }> = {},
): BatchCommand => ({
  type: 'SubmitBatch',
  data: { submittedAt: '2025-03-31T08:00:00+07:00', exportDigest: EXPORT_DIGEST, ...data },
  metadata: meta(actor),
});
const accepted = (proposalId: string, decreeRef = 'SK-146/HUK/2025'): BatchResult => ({
  proposalId,
  outcome: 'ACCEPTED',
  decreeRef,
});
const rejected = (proposalId: string, reason = 'Already in DTSEN'): BatchResult => ({
  proposalId,
  outcome: 'REJECTED',
  reason,
});
const recordResults = (results: readonly BatchResult[], actor: Actor = verifier): BatchCommand => ({
  type: 'RecordBatchResults',
  data: { results },
  metadata: meta(actor),
});

// Events ----------------------------------------------------------------------------------------------------------

const opened: BatchEvent = { type: 'BatchOpened', data: { regencyCode: REGENCY, period: PERIOD, cutoffDate: CUTOFF } };
const included = (proposalId: string): BatchEvent => ({ type: 'ProposalIncluded', data: { proposalId } });
const closed: BatchEvent = { type: 'BatchClosed', data: { closedAt: AT } };
const endorsed: BatchEvent = {
  type: 'BatchEndorsed',
  data: {
    endorsedBy: BUPATI,
    letterNumber: '460/123/D.3/2025',
    signedDate: '2025-03-28',
    documentDigest: DIGEST,
    recordedBy: verifier.userId,
  },
};
const submitted: BatchEvent = {
  type: 'BatchSubmitted',
  data: { submittedAt: '2025-03-31T08:00:00+07:00', exportDigest: EXPORT_DIGEST, submittedBy: verifier.userId },
};
const resultsRecorded = (...results: BatchResult[]): BatchEvent => ({
  type: 'BatchResultsRecorded',
  data: { results },
});

// Given / when / then ---------------------------------------------------------------------------------------------

const given = (...events: BatchEvent[]): BatchState => events.reduce(evolve, initialState());
/** An open batch with p1 and p2. */
const openWith = () => given(opened, included('p1'), included('p2'));
const closedBatch = () => given(opened, included('p1'), included('p2'), closed);
const endorsedBatch = () => given(opened, included('p1'), included('p2'), closed, endorsed);
const submittedBatch = (...more: BatchEvent[]) =>
  given(opened, included('p1'), included('p2'), closed, endorsed, submitted, ...more);
const completedBatch = () => submittedBatch(resultsRecorded(accepted('p1'), rejected('p2')));

function rejection(state: BatchState, command: BatchCommand): DomainError {
  try {
    decide(command, state);
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error(`expected ${command.type} to be rejected`);
}

function expectRejection(state: BatchState, command: BatchCommand, kind: DomainErrorKind, code: string): DomainError {
  const error = rejection(state, command);
  expect({ kind: error.kind, code: error.code }).toEqual({ kind, code });
  return error;
}

/** Each command but OpenBatch, with a state where it would be accepted. */
const everyCommand: [string, BatchCommand, () => BatchState][] = [
  ['IncludeProposal', include('p3'), openWith],
  ['CloseBatch', closeBatch(), openWith],
  ['EndorseBatch', endorseBatch(), closedBatch],
  ['SubmitBatch', submitBatch(), endorsedBatch],
  ['RecordBatchResults', recordResults([accepted('p1')]), () => submittedBatch()],
];

describe('batchDecider', () => {
  it('exposes decide, evolve and initialState', () => {
    expect(batchDecider.decide).toBe(decide);
    expect(batchDecider.evolve).toBe(evolve);
    expect(batchDecider.initialState()).toEqual({ status: 'NONE', included: [], results: {}, acts: [] });
  });

  it('runs a whole batch: open, include, close, endorse, submit, results', () => {
    const commands = [
      openBatch(system),
      include('p1'),
      include('p2'),
      closeBatch(system),
      endorseBatch(verifier),
      submitBatch(otherVerifier),
      recordResults([rejected('p2')]),
      recordResults([accepted('p1')]),
    ];
    let state = initialState();
    const events: BatchEvent[] = [];
    for (const command of commands) {
      const appended = decide(command, state);
      events.push(...appended);
      state = appended.reduce(evolve, state);
    }
    expect(events.map((event) => event.type)).toEqual([
      'BatchOpened',
      'ProposalIncluded',
      'ProposalIncluded',
      'BatchClosed',
      'BatchEndorsed',
      'BatchSubmitted',
      'BatchResultsRecorded',
      'BatchResultsRecorded',
    ]);
    expect(state.status).toBe('COMPLETED');
    expect(state.acts).toEqual([
      { userId: verifier.userId, capacity: 'BATCH_ENDORSER', at: '2025-03-28' },
      { userId: otherVerifier.userId, capacity: 'BATCH_SUBMITTER', at: '2025-03-31T08:00:00+07:00' },
    ]);
  });
});

describe('who may act', () => {
  const commands: [string, BatchCommand, () => BatchState][] = [
    ['OpenBatch', openBatch(), () => given()],
    ...everyCommand,
  ];

  describe.each(commands)('%s', (_name, command, state) => {
    it.each([
      [admin, 'ADMIN_NOT_IN_WORKFLOW'],
      [auditor, 'AUDITOR_READ_ONLY'],
      [operator, 'VERIFIER_REQUIRED'],
      [neighbourVerifier, 'OUTSIDE_SCOPE'],
    ])('rejects %o: %s (forbidden)', (actor, code) => {
      expectRejection(state(), { ...command, metadata: meta(actor) }, 'forbidden', code);
    });

    it('accepts a verifier of the regency', () => {
      expect(decide(command, state())).toHaveLength(1);
    });
  });

  it.each(everyCommand.filter(([name]) => name !== 'CloseBatch'))(
    'SYSTEM may not %s: ADMIN_NOT_IN_WORKFLOW',
    (_name, command, state) => {
      expectRejection(state(), { ...command, metadata: meta(system) }, 'forbidden', 'ADMIN_NOT_IN_WORKFLOW');
    },
  );

  it('the SYSTEM scheduler may open and close a batch', () => {
    expect(decide(openBatch(system), given())).toEqual([opened]);
    expect(decide(closeBatch(system), openWith())).toEqual([closed]);
  });
});

describe('OpenBatch', () => {
  it('given no batch, when a verifier opens one, then BatchOpened (regency normalised)', () => {
    expect(decide(openBatch(verifier, { regencyCode: ' 18.72 ' }), given())).toEqual([opened]);
  });

  it.each(['2025-03-01', '2025-03-31', '2025-04-15'])('accepts the cut-off date %s', (cutoffDate) => {
    expect(decide(openBatch(verifier, { cutoffDate }), given())[0]?.data).toMatchObject({ cutoffDate });
  });

  it.each<[string, Partial<OpenData>, string]>([
    ['a village code as regency', { regencyCode: '1872011001' }, 'INVALID_REGENCY_CODE'],
    ['a province code as regency', { regencyCode: '18' }, 'INVALID_REGENCY_CODE'],
    ['regency digits 00', { regencyCode: '1800' }, 'INVALID_REGENCY_CODE'],
    ['a month 13', { period: '2025-13' }, 'INVALID_PERIOD'],
    ['a month 00', { period: '2025-00' }, 'INVALID_PERIOD'],
    ['a period without dash', { period: '202503' }, 'INVALID_PERIOD'],
    ['a period before 2000', { period: '1999-12' }, 'INVALID_PERIOD'],
    ['an impossible cut-off date', { cutoffDate: '2025-02-30' }, 'INVALID_DATE'],
    ['a cut-off date with a time', { cutoffDate: '2025-03-25T00:00:00Z' }, 'INVALID_DATE'],
    ['a cut-off date before the period', { cutoffDate: '2025-02-28' }, 'CUTOFF_OUTSIDE_PERIOD'],
    ['a cut-off date long after the period', { cutoffDate: '2025-04-16' }, 'CUTOFF_OUTSIDE_PERIOD'],
  ])('rejects %s: %s', (_why, data, code) => {
    expectRejection(given(), openBatch(verifier, data), 'invalid', code);
  });

  it('a December period may be cut off in January', () => {
    expect(decide(openBatch(verifier, { period: '2025-12', cutoffDate: '2026-01-10' }), given())).toHaveLength(1);
  });

  it.each([
    ['open', openWith],
    ['closed', closedBatch],
    ['completed', completedBatch],
  ])('a %s batch may not be opened again: BATCH_ALREADY_OPENED', (_status, state) => {
    expectRejection(state(), openBatch(), 'conflict', 'BATCH_ALREADY_OPENED');
  });
});

describe('every command but OpenBatch', () => {
  it.each(everyCommand)('%s on no batch: BATCH_NOT_FOUND', (_name, command) => {
    expectRejection(given(), command, 'not_found', 'BATCH_NOT_FOUND');
  });
});

describe('IncludeProposal', () => {
  it('given an open batch, when a verified proposal of its regency is included, then ProposalIncluded', () => {
    expect(decide(include('p3', verifier, { proposalRegencyCode: '18.72' }), openWith())).toEqual([included('p3')]);
  });

  it('a proposal of another regency: PROPOSAL_OF_ANOTHER_REGENCY', () => {
    const error = expectRejection(
      openWith(),
      include('p3', verifier, { proposalRegencyCode: '1871' }),
      'invalid',
      'PROPOSAL_OF_ANOTHER_REGENCY',
    );
    expect(error.details).toEqual({ proposalId: 'p3' });
  });

  it.each(['APPROVED', 'WAITING', 'verified', 'BATCHED', ''])(
    'a proposal in status %p: PROPOSAL_NOT_VERIFIED',
    (proposalStatus) => {
      expectRejection(openWith(), include('p3', verifier, { proposalStatus }), 'conflict', 'PROPOSAL_NOT_VERIFIED');
    },
  );

  it('the same proposal twice: ALREADY_INCLUDED', () => {
    expectRejection(openWith(), include('p1'), 'conflict', 'ALREADY_INCLUDED');
  });

  it.each([
    ['closed', closedBatch],
    ['endorsed', endorsedBatch],
    ['submitted', () => submittedBatch()],
    ['completed', completedBatch],
  ])('a %s batch: BATCH_CLOSED, saying the proposal rolls over', (_status, state) => {
    const error = expectRejection(state(), include('p3'), 'conflict', 'BATCH_CLOSED');
    expect(error.message).toContain('next period');
  });

  it.each<[string, BatchCommand, string]>([
    ['a proposal id unfit for a stream', include('p:3'), 'INVALID_ID'],
    [
      'a village code as proposal regency',
      include('p3', verifier, { proposalRegencyCode: '1872011001' }),
      'INVALID_REGENCY_CODE',
    ],
  ])('rejects %s: %s', (_why, command, code) => {
    expectRejection(openWith(), command, 'invalid', code);
  });
});

describe('CloseBatch', () => {
  it.each([
    ['on the cut-off date', '2025-03-25T00:00:00+07:00'],
    ['after it', '2025-04-02T09:00:00+07:00'],
  ])('closes %s: BatchClosed', (_when, occurredAt) => {
    expect(decide(closeBatch(verifier, occurredAt), openWith())).toEqual([
      { type: 'BatchClosed', data: { closedAt: occurredAt } },
    ]);
  });

  it('compares the calendar date written in occurredAt, in its own offset', () => {
    expectRejection(openWith(), closeBatch(verifier, '2025-03-24T23:30:00+07:00'), 'conflict', 'CUTOFF_NOT_REACHED');
  });

  it('before the cut-off: CUTOFF_NOT_REACHED, naming the cut-off', () => {
    const error = expectRejection(openWith(), closeBatch(verifier, BEFORE_CUTOFF), 'conflict', 'CUTOFF_NOT_REACHED');
    expect(error.details).toEqual({ cutoffDate: CUTOFF });
  });

  it('before the cut-off, early with a reason: BatchClosed marked early', () => {
    expect(
      decide(closeBatch(verifier, BEFORE_CUTOFF, { early: true, reason: '  Bupati travels abroad ' }), openWith()),
    ).toEqual([
      { type: 'BatchClosed', data: { closedAt: BEFORE_CUTOFF, early: true, reason: 'Bupati travels abroad' } },
    ]);
  });

  it('early after the cut-off is an ordinary close', () => {
    expect(decide(closeBatch(verifier, AT, { early: true, reason: 'Early' }), openWith())).toEqual([closed]);
  });

  it('an empty batch may close', () => {
    expect(decide(closeBatch(), given(opened))).toEqual([closed]);
  });

  it.each<[string, string, { early?: boolean; reason?: string }, string]>([
    ['early without a reason', BEFORE_CUTOFF, { early: true }, 'INVALID_REASON'],
    ['early with a blank reason', BEFORE_CUTOFF, { early: true, reason: '  ' }, 'INVALID_REASON'],
    ['early that is not a boolean', BEFORE_CUTOFF, { early: 'yes' as unknown as boolean }, 'INVALID_EARLY'],
    ['an occurredAt without offset', '2025-03-26T10:00:00', {}, 'INVALID_TIMESTAMP'],
    ['an impossible occurredAt', '2025-02-30T10:00:00+07:00', {}, 'INVALID_TIMESTAMP'],
  ])('rejects %s: %s', (_why, occurredAt, data, code) => {
    expectRejection(openWith(), closeBatch(verifier, occurredAt, data), 'invalid', code);
  });

  it.each([
    ['closed', closedBatch],
    ['endorsed', endorsedBatch],
  ])('a %s batch: BATCH_ALREADY_CLOSED', (_status, state) => {
    expectRejection(state(), closeBatch(), 'conflict', 'BATCH_ALREADY_CLOSED');
  });
});

describe('EndorseBatch', () => {
  it('given a closed batch, then BatchEndorsed (trimmed, recorded by the verifier)', () => {
    expect(decide(endorseBatch(verifier, { endorsedBy: `  ${BUPATI} ` }), closedBatch())).toEqual([endorsed]);
  });

  it('an open batch: BATCH_NOT_CLOSED', () => {
    expectRejection(openWith(), endorseBatch(), 'conflict', 'BATCH_NOT_CLOSED');
  });

  it('an empty batch: EMPTY_BATCH', () => {
    expectRejection(given(opened, closed), endorseBatch(), 'conflict', 'EMPTY_BATCH');
  });

  it.each([
    ['endorsed', endorsedBatch],
    ['submitted', () => submittedBatch()],
    ['completed', completedBatch],
  ])('a %s batch: ALREADY_ENDORSED', (_status, state) => {
    expectRejection(state(), endorseBatch(), 'conflict', 'ALREADY_ENDORSED');
  });

  it.each<[string, Partial<EndorseData>, string]>([
    ['a blank name', { endorsedBy: ' ' }, 'INVALID_NAME'],
    ['a name over 120 characters', { endorsedBy: 'x'.repeat(121) }, 'INVALID_NAME'],
    ['a name with a control character', { endorsedBy: 'Wahdi\nS' }, 'INVALID_NAME'],
    ['a blank letter number', { letterNumber: '' }, 'INVALID_LETTER_NUMBER'],
    ['a letter number over 100 characters', { letterNumber: 'n'.repeat(101) }, 'INVALID_LETTER_NUMBER'],
    ['an impossible signed date', { signedDate: '2025-04-31' }, 'INVALID_DATE'],
    ['a digest in uppercase', { documentDigest: `sha256:${'AB12'.repeat(16)}` }, 'INVALID_DIGEST'],
    ['a digest without prefix', { documentDigest: 'ab12'.repeat(16) }, 'INVALID_DIGEST'],
    ['a signed date before the close', { signedDate: '2025-03-25' }, 'SIGNED_BEFORE_CLOSE'],
  ])('rejects %s: %s', (_why, data, code) => {
    expectRejection(closedBatch(), endorseBatch(verifier, data), 'invalid', code);
  });

  it('never echoes the name in an error', () => {
    const endorsedBy = `${BUPATI}\u202E`;
    const error = expectRejection(closedBatch(), endorseBatch(verifier, { endorsedBy }), 'invalid', 'INVALID_NAME');
    expect(error.message).not.toContain(BUPATI);
    expect(JSON.stringify(error.details)).not.toContain(BUPATI);
  });
});

describe('SubmitBatch', () => {
  it('given an endorsed batch, then BatchSubmitted by the verifier', () => {
    expect(decide(submitBatch(), endorsedBatch())).toEqual([submitted]);
  });

  it('another verifier than the one who recorded the endorsement may submit (recorded, not forbidden)', () => {
    const events = decide(submitBatch(otherVerifier), endorsedBatch());
    const state = events.reduce(evolve, endorsedBatch());
    expect(state.acts.map((act) => [act.userId, act.capacity])).toEqual([
      [verifier.userId, 'BATCH_ENDORSER'],
      [otherVerifier.userId, 'BATCH_SUBMITTER'],
    ]);
  });

  it.each([
    ['open', openWith],
    ['closed', closedBatch],
  ])('a %s batch: NOT_ENDORSED', (_status, state) => {
    expectRejection(state(), submitBatch(), 'conflict', 'NOT_ENDORSED');
  });

  it.each([
    ['submitted', () => submittedBatch()],
    ['completed', completedBatch],
  ])('a %s batch: ALREADY_SUBMITTED', (_status, state) => {
    expectRejection(state(), submitBatch(), 'conflict', 'ALREADY_SUBMITTED');
  });

  it.each<[string, Partial<{ submittedAt: string; exportDigest: string }>, string]>([
    ['a date only', { submittedAt: '2025-03-31' }, 'INVALID_TIMESTAMP'],
    ['an impossible hour', { submittedAt: '2025-03-31T24:10:00Z' }, 'INVALID_TIMESTAMP'],
    ['a short digest', { exportDigest: `sha256:${'a'.repeat(63)}` }, 'INVALID_DIGEST'],
    [
      'a submission before the endorsement',
      { submittedAt: '2025-03-27T08:00:00+07:00' },
      'SUBMITTED_BEFORE_ENDORSEMENT',
    ],
  ])('rejects %s: %s', (_why, data, code) => {
    expectRejection(endorsedBatch(), submitBatch(verifier, data), 'invalid', code);
  });
});

describe('RecordBatchResults', () => {
  it('given a submitted batch, then BatchResultsRecorded (trimmed); partial results keep it SUBMITTED', () => {
    const events = decide(recordResults([accepted('p1', ' SK-146/HUK/2025 ')]), submittedBatch());
    expect(events).toEqual([resultsRecorded(accepted('p1'))]);
    const state = events.reduce(evolve, submittedBatch());
    expect(state.status).toBe('SUBMITTED');
    expect(awaitingResults(state)).toEqual(['p2']);
  });

  it('the last result completes the batch', () => {
    const state = submittedBatch(resultsRecorded(accepted('p1')));
    const events = decide(recordResults([rejected('p2')]), state);
    expect(events.reduce(evolve, state).status).toBe('COMPLETED');
  });

  it('all results at once complete the batch', () => {
    expect(completedBatch()).toMatchObject({
      status: 'COMPLETED',
      results: { p1: accepted('p1'), p2: rejected('p2') },
    });
  });

  it('a proposal not in the batch: NOT_IN_BATCH', () => {
    const error = expectRejection(submittedBatch(), recordResults([accepted('p9')]), 'invalid', 'NOT_IN_BATCH');
    expect(error.details).toEqual({ proposalId: 'p9' });
  });

  it('a proposal whose result is already recorded: RESULT_ALREADY_RECORDED', () => {
    expectRejection(
      submittedBatch(resultsRecorded(accepted('p1'))),
      recordResults([rejected('p1')]),
      'conflict',
      'RESULT_ALREADY_RECORDED',
    );
  });

  it('a completed batch: BATCH_COMPLETED', () => {
    expectRejection(completedBatch(), recordResults([accepted('p1')]), 'conflict', 'BATCH_COMPLETED');
  });

  it.each([
    ['open', openWith],
    ['closed', closedBatch],
    ['endorsed', endorsedBatch],
  ])('a %s batch: NOT_SUBMITTED', (_status, state) => {
    expectRejection(state(), recordResults([accepted('p1')]), 'conflict', 'NOT_SUBMITTED');
  });

  it.each<[string, readonly BatchResult[], string]>([
    ['no results', [], 'NO_RESULTS'],
    ['the same proposal twice', [accepted('p1'), rejected('p1')], 'DUPLICATE_RESULT'],
    ['an unknown outcome', [{ proposalId: 'p1', outcome: 'PENDING' } as unknown as BatchResult], 'INVALID_OUTCOME'],
    ['an accepted result without decree', [accepted('p1', ' ')], 'INVALID_DECREE_REF'],
    ['a decree over 200 characters', [accepted('p1', 'd'.repeat(201))], 'INVALID_DECREE_REF'],
    ['a rejection without reason', [rejected('p1', '')], 'INVALID_REASON'],
    ['a reason over 1000 characters', [rejected('p1', 'r'.repeat(1001))], 'INVALID_REASON'],
    ['a proposal id unfit for a stream', [accepted('p/1')], 'INVALID_ID'],
  ])('rejects %s: %s', (_why, results, code) => {
    expectRejection(submittedBatch(), recordResults(results), 'invalid', code);
  });

  it('a proposal id that is also an Object property name works like any other', () => {
    const state = given(opened, included('constructor'), closed, endorsed, submitted);
    expect(state.status).toBe('SUBMITTED');
    const events = decide(recordResults([accepted('constructor')]), state);
    expect(events.reduce(evolve, state).status).toBe('COMPLETED');
  });
});

describe('evolve', () => {
  it('folds the life of a batch', () => {
    expect(submittedBatch()).toEqual({
      status: 'SUBMITTED',
      regencyCode: REGENCY,
      period: PERIOD,
      cutoffDate: CUTOFF,
      included: ['p1', 'p2'],
      closedAt: AT,
      endorsement: {
        endorsedBy: BUPATI,
        letterNumber: '460/123/D.3/2025',
        signedDate: '2025-03-28',
        documentDigest: DIGEST,
      },
      submission: { submittedAt: '2025-03-31T08:00:00+07:00', exportDigest: EXPORT_DIGEST },
      results: {},
      acts: [
        { userId: verifier.userId, capacity: 'BATCH_ENDORSER', at: '2025-03-28' },
        { userId: verifier.userId, capacity: 'BATCH_SUBMITTER', at: '2025-03-31T08:00:00+07:00' },
      ],
    });
  });

  it('keeps the reason of an early close', () => {
    const early: BatchEvent = { type: 'BatchClosed', data: { closedAt: BEFORE_CUTOFF, early: true, reason: 'Why' } };
    expect(given(opened, early)).toMatchObject({ status: 'CLOSED', earlyCloseReason: 'Why' });
  });

  it('does not alter the state it is given', () => {
    const state = submittedBatch();
    const copy = structuredClone(state);
    evolve(state, resultsRecorded(accepted('p1')));
    evolve(state, included('p3'));
    expect(state).toEqual(copy);
  });
});

describe('stream and event names', () => {
  it('names the stream batch-<regency>-<yyyymm>', () => {
    expect(batchStreamName(REGENCY, PERIOD)).toBe('batch-1872-202503');
    expect(batchStreamName('18.72', '2025-12')).toBe('batch-1872-202512');
  });

  it.each([
    ['1872011001', PERIOD, 'INVALID_REGENCY_CODE'],
    ['9999', PERIOD, 'INVALID_REGENCY_CODE'],
    [REGENCY, '2025-13', 'INVALID_PERIOD'],
    [REGENCY, '2025-3', 'INVALID_PERIOD'],
  ])('refuses %p, %p: %s', (regencyCode, period, code) => {
    expect(() => batchStreamName(regencyCode, period)).toThrow(expect.objectContaining({ code }));
  });

  it('lists the event types', () => {
    expect(BATCH_EVENT_TYPES).toEqual([
      'BatchOpened',
      'ProposalIncluded',
      'BatchClosed',
      'BatchEndorsed',
      'BatchSubmitted',
      'BatchResultsRecorded',
    ]);
    expect(isBatchEventType('BatchClosed')).toBe(true);
    expect(isBatchEventType('MeetingOpened')).toBe(false);
  });
});

describe('property: any sequence of commands', () => {
  const actors = fc.oneof(
    { arbitrary: fc.constant(verifier), weight: 12 },
    { arbitrary: fc.constantFrom(neighbourVerifier, operator, admin, system), weight: 1 },
  );
  const proposals = fc.constantFrom('p1', 'p2', 'p3', 'constructor');
  const regencies = fc.constantFrom(REGENCY, REGENCY, REGENCY, '1871');
  const statuses = fc.constantFrom('VERIFIED', 'VERIFIED', 'VERIFIED', 'APPROVED');
  const times = fc.constantFrom(AT, AT, BEFORE_CUTOFF);
  const result = fc.oneof(
    proposals.map((p) => accepted(p)),
    proposals.map((p) => rejected(p)),
  );
  const command: fc.Arbitrary<BatchCommand> = fc.oneof(
    { weight: 1, arbitrary: actors.map((a) => openBatch(a)) },
    {
      weight: 6,
      arbitrary: fc
        .tuple(proposals, actors, regencies, statuses)
        .map(([p, a, proposalRegencyCode, proposalStatus]) => include(p, a, { proposalRegencyCode, proposalStatus })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(actors, times, fc.boolean())
        .map(([a, at, early]) => closeBatch(a, at, early ? { early, reason: 'Early' } : {})),
    },
    { weight: 2, arbitrary: actors.map((a) => endorseBatch(a)) },
    { weight: 2, arbitrary: actors.map((a) => submitBatch(a)) },
    {
      weight: 6,
      arbitrary: fc
        .tuple(fc.array(result, { minLength: 1, maxLength: 3 }), actors)
        .map(([r, a]) => recordResults(r, a)),
    },
  );

  const reached = { completed: 0, submitted: 0 };

  afterAll(() => {
    expect(reached.completed).toBeGreaterThan(0);
    expect(reached.submitted).toBeGreaterThan(0);
  });

  it('only ever rejects with a DomainError, and keeps the invariants', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(command, { minLength: 20, maxLength: 60 }), (startOpen, commands) => {
        let state = startOpen ? given(opened) : initialState();
        let everClosed = false;
        for (const candidate of commands) {
          let events: BatchEvent[] = [];
          try {
            events = decide(candidate, state);
          } catch (error) {
            expect(error).toBeInstanceOf(DomainError);
            continue;
          }
          expect(events).toHaveLength(1);
          for (const event of events) {
            // No inclusion after the batch closed.
            if (event.type === 'ProposalIncluded') expect(everClosed).toBe(false);
            if (event.type === 'BatchClosed') everClosed = true;
            // Results only for included proposals.
            if (event.type === 'BatchResultsRecorded') {
              for (const { proposalId } of event.data.results) expect(state.included).toContain(proposalId);
            }
          }
          state = events.reduce(evolve, state);
        }
        // Included proposals are unique.
        expect(new Set(state.included).size).toBe(state.included.length);
        for (const proposalId of Object.keys(state.results)) expect(state.included).toContain(proposalId);
        // COMPLETED iff submitted and every included proposal has a result.
        const everyResult = state.included.every((p) => Object.hasOwn(state.results, p));
        const pastSubmission = state.status === 'SUBMITTED' || state.status === 'COMPLETED';
        expect(state.status === 'COMPLETED').toBe(pastSubmission && everyResult);
        if (state.status === 'COMPLETED') reached.completed += 1;
        if (state.status === 'SUBMITTED') reached.submitted += 1;
      }),
      { numRuns: 500 },
    );
  });
});
