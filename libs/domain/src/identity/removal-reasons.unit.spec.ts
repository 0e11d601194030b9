import fc from 'fast-check';
import { DomainError } from '../domain-error';
import {
  EVIDENCE_FIELD,
  EVIDENCE_KINDS,
  REMOVAL_REASONS,
  REMOVAL_REASON_DEFINITIONS,
  assertRemovalEvidence,
  isRemovalReason,
  missingRemovalEvidence,
  parseRemovalReason,
  type EvidenceItem,
  type RemovalReason,
} from './removal-reasons';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const doc = (kind: EvidenceItem['kind']): EvidenceItem => ({ kind, digest: DIGEST });
const ref = (kind: EvidenceItem['kind'], reference = 'REF-2025-0001'): EvidenceItem => ({ kind, reference });
const visit = (date: string): EvidenceItem => ({ kind: 'FIELD_VISIT', date, note: 'Rumah kosong' });
const note = (kind: EvidenceItem['kind'], text = 'Sudah bekerja tetap, rumah permanen'): EvidenceItem => ({
  kind,
  note: text,
});

function rejection(reason: RemovalReason, evidence: readonly EvidenceItem[]): DomainError {
  try {
    assertRemovalEvidence(reason, evidence);
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error(`expected ${reason} to be refused`);
}

/** For every reason: evidence sets that suffice, and what the message names when nothing is given. */
const CASES: ReadonlyArray<[RemovalReason, EvidenceItem[][], string, string]> = [
  [
    'DECEASED',
    [[doc('DEATH_CERTIFICATE')], [ref('DUKCAPIL_DEATH_MATCH')]],
    'DEATH_CERTIFICATE|DUKCAPIL_DEATH_MATCH',
    'death certificate',
  ],
  ['MOVED', [[doc('MOVING_LETTER')]], 'MOVING_LETTER', 'moving letter'],
  ['NOT_FOUND', [[visit('2025-03-01'), visit('2025-03-08')]], 'FIELD_VISIT', 'x2 on different dates'],
  [
    'NO_LONGER_ELIGIBLE',
    [[note('VERIFICATION_NOTE')], [doc('DOCUMENT')]],
    'VERIFICATION_NOTE|DOCUMENT',
    'verification note',
  ],
  ['REFUSED_AID', [[doc('SIGNED_REFUSAL')]], 'SIGNED_REFUSAL', 'signed refusal'],
  [
    'DUPLICATE',
    [[ref('REGISTRY_ENTRY', '0b5c5a3e-8f1d-4c2a-9e57-3a1f2b4c5d6e')]],
    'REGISTRY_ENTRY',
    'other registry entry',
  ],
  ['INVALID_NIK', [[ref('DUKCAPIL_NOT_MATCHED')]], 'DUKCAPIL_NOT_MATCHED', 'Dukcapil not-matched'],
  ['CIVIL_SERVANT', [[ref('BKN_MATCH')]], 'BKN_MATCH', 'BKN match'],
  ['WAGE_ABOVE_MINIMUM', [[ref('BPJS_TK_MATCH')]], 'BPJS_TK_MATCH', 'BPJS Ketenagakerjaan match'],
  ['COMPANY_OFFICER', [[ref('AHU_MATCH')]], 'AHU_MATCH', 'AHU match'],
  ['MIGRANT_WORKER', [[doc('DOCUMENT')]], 'DOCUMENT', 'supporting document'],
  ['OTHER', [[note('WRITTEN_EXPLANATION'), doc('DOCUMENT')]], 'WRITTEN_EXPLANATION,DOCUMENT', 'written explanation'],
];

describe('removal reasons', () => {
  it('given the table of cases, then it covers every reason exactly once', () => {
    expect(CASES.map(([reason]) => reason)).toEqual([...REMOVAL_REASONS]);
  });

  it.each(REMOVAL_REASONS.map((reason) => [reason]))('%s has a definition with an Indonesian label', (reason) => {
    const definition = REMOVAL_REASON_DEFINITIONS[reason];
    expect(definition.code).toBe(reason);
    expect(definition.label.length).toBeGreaterThan(0);
    expect(definition.requires.length).toBeGreaterThan(0);
  });

  it.each([
    ['DECEASED', 'Meninggal dunia'],
    ['MOVED', 'Pindah domisili'],
    ['NOT_FOUND', 'Tidak ditemukan'],
    ['REFUSED_AID', 'Menolak bantuan'],
    ['OTHER', 'Lainnya'],
  ] as const)('%s is labelled %j', (reason, label) => {
    expect(REMOVAL_REASON_DEFINITIONS[reason].label).toBe(label);
  });

  it.each(['DECEASED', 'OTHER'])('parses %s', (input) => {
    expect(parseRemovalReason(input)).toBe(input);
    expect(isRemovalReason(input)).toBe(true);
  });

  it.each(['', 'deceased', 'DEAD', ' MOVED'])('rejects %j as INVALID_REMOVAL_REASON', (input) => {
    expect(isRemovalReason(input)).toBe(false);
    expect(() => parseRemovalReason(input)).toThrow(expect.objectContaining({ code: 'INVALID_REMOVAL_REASON' }));
  });

  it('every evidence kind names the field it needs', () => {
    for (const kind of EVIDENCE_KINDS)
      expect(['digest', 'reference', 'date', 'note']).toContain(EVIDENCE_FIELD[kind].field);
  });
});

describe('assertRemovalEvidence', () => {
  describe.each(CASES)('%s', (reason, sufficient, missing, phrase) => {
    it.each(sufficient.map((evidence) => [evidence.map((item) => item.kind).join(' + '), evidence]))(
      'given %s, when asserted, then accepted',
      (_kinds, evidence) => {
        expect(() => assertRemovalEvidence(reason, evidence)).not.toThrow();
        expect(missingRemovalEvidence(reason, evidence)).toEqual([]);
      },
    );

    it('given no evidence, when asserted, then REMOVAL_EVIDENCE_MISSING names the reason and what is missing', () => {
      const error = rejection(reason, []);
      expect(error.kind).toBe('invalid');
      expect(error.code).toBe('REMOVAL_EVIDENCE_MISSING');
      expect(error.message).toContain(`Removal reason ${reason} needs`);
      expect(error.message).toContain(phrase);
      expect(error.details).toEqual({ reason, missing });
    });

    it('given only evidence of unrelated kinds, when asserted, then refused', () => {
      const unrelated = EVIDENCE_KINDS.filter(
        (kind) => !REMOVAL_REASON_DEFINITIONS[reason].requires.some((r) => r.anyOf.some((o) => o.kind === kind)),
      ).map((kind): EvidenceItem => ({ kind, digest: DIGEST, reference: 'R-1', date: '2025-01-01', note: 'n' }));
      expect(rejection(reason, unrelated).code).toBe('REMOVAL_EVIDENCE_MISSING');
    });

    it('given its evidence plus unrelated items, when asserted, then accepted', () => {
      expect(() =>
        assertRemovalEvidence(reason, [ref('BKN_MATCH'), ...sufficient[0]!, visit('2024-12-31')]),
      ).not.toThrow();
    });
  });

  it.each<[string, RemovalReason, EvidenceItem[]]>([
    ['one field visit', 'NOT_FOUND', [visit('2025-03-01')]],
    ['two visits on the same date', 'NOT_FOUND', [visit('2025-03-01'), visit('2025-03-01')]],
    ['visits without dates', 'NOT_FOUND', [{ kind: 'FIELD_VISIT' }, { kind: 'FIELD_VISIT' }]],
    ['a visit on an impossible date', 'NOT_FOUND', [visit('2025-03-01'), visit('2025-02-30')]],
    ['a certificate without a digest', 'DECEASED', [{ kind: 'DEATH_CERTIFICATE', note: 'ada' }]],
    ['a certificate with an md5 digest', 'DECEASED', [{ kind: 'DEATH_CERTIFICATE', digest: `md5:${'a'.repeat(32)}` }]],
    ['a digest in uppercase hex', 'MOVED', [{ kind: 'MOVING_LETTER', digest: `sha256:${'AB'.repeat(32)}` }]],
    ['a digest too short', 'MOVED', [{ kind: 'MOVING_LETTER', digest: `sha256:${'a'.repeat(63)}` }]],
    ['a blank match reference', 'CIVIL_SERVANT', [ref('BKN_MATCH', '   ')]],
    ['a reference with a control character', 'COMPANY_OFFICER', [ref('AHU_MATCH', 'AHU\u0000-1')]],
    ['a reference too long', 'WAGE_ABOVE_MINIMUM', [ref('BPJS_TK_MATCH', 'x'.repeat(201))]],
    ['a blank verification note', 'NO_LONGER_ELIGIBLE', [note('VERIFICATION_NOTE', ' \n ')]],
    ['an explanation without a document', 'OTHER', [note('WRITTEN_EXPLANATION')]],
    ['a document without an explanation', 'OTHER', [doc('DOCUMENT')]],
    ['a match of the wrong system', 'CIVIL_SERVANT', [ref('AHU_MATCH')]],
  ])('given %s, when asserted for %s, then refused', (_what, reason, evidence) => {
    expect(rejection(reason, evidence).code).toBe('REMOVAL_EVIDENCE_MISSING');
  });

  it('given OTHER with an explanation only, then only the document is named as missing', () => {
    const error = rejection('OTHER', [note('WRITTEN_EXPLANATION')]);
    expect(error.details).toEqual({ reason: 'OTHER', missing: 'DOCUMENT' });
    expect(error.message).not.toContain('written explanation');
  });

  it('given a multi-line note, then it counts', () => {
    expect(() =>
      assertRemovalEvidence('NO_LONGER_ELIGIBLE', [note('VERIFICATION_NOTE', 'Baris 1\nBaris 2')]),
    ).not.toThrow();
  });

  it('property: two field visits on distinct valid dates always suffice for NOT_FOUND, one never does', () => {
    const day = fc
      .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
    fc.assert(
      fc.property(fc.uniqueArray(day, { minLength: 2, maxLength: 5 }), (dates) => {
        expect(() => assertRemovalEvidence('NOT_FOUND', dates.map(visit))).not.toThrow();
        expect(() => assertRemovalEvidence('NOT_FOUND', [visit(dates[0]!)])).toThrow(DomainError);
      }),
    );
  });

  it('property: adding items never turns an accepted set into a refused one', () => {
    const item = fc.record(
      {
        kind: fc.constantFrom(...EVIDENCE_KINDS),
        digest: fc.constantFrom(DIGEST, 'sha256:zz', ''),
        reference: fc.string(),
        date: fc.constantFrom('2025-01-01', '2025-01-02', '2025-02-30', 'x'),
        note: fc.string(),
      },
      { requiredKeys: ['kind'] },
    );
    fc.assert(
      fc.property(fc.constantFrom(...CASES), fc.array(item, { maxLength: 6 }), ([reason, sufficient], extra) => {
        expect(() => assertRemovalEvidence(reason, [...extra, ...sufficient[0]!])).not.toThrow();
      }),
    );
  });

  it('property: a random set is accepted exactly when missingRemovalEvidence is empty', () => {
    const item = fc.record({
      kind: fc.constantFrom(...EVIDENCE_KINDS),
      digest: fc.constantFrom(DIGEST, 'bad'),
      reference: fc.constantFrom('R-1', ''),
      date: fc.constantFrom('2025-01-01', '2025-01-02'),
      note: fc.constantFrom('ok', ' '),
    });
    fc.assert(
      fc.property(fc.constantFrom(...REMOVAL_REASONS), fc.array(item, { maxLength: 6 }), (reason, evidence) => {
        let accepted = true;
        try {
          assertRemovalEvidence(reason, evidence);
        } catch {
          accepted = false;
        }
        expect(accepted).toBe(missingRemovalEvidence(reason, evidence).length === 0);
      }),
    );
  });
});
