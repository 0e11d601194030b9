import { createHash } from 'node:crypto';
import { canonicalize } from '@muskel/audit';
import {
  initialMeetingState,
  initialProposalState,
  type HouseholdState,
  type MeetingState,
  type ProposalState,
} from '@muskel/domain';
import { bnbaRows } from './bnba';
import { minutesContent, minutesDigest } from './minutes-content';
import { renderMinutesPdf } from './minutes-pdf';
import { pdfText } from '../../../../../../test/support/pdf-text';

const MEETING = '7f0c7a52-3d7e-4b7e-9a55-0b4d6e2b9c11';
const P1 = '0d7f3c2a-1111-4a4a-8b8b-000000000001';
const P2 = '0d7f3c2a-2222-4a4a-8b8b-000000000002';

const decided = (overrides: Partial<MeetingState> = {}): MeetingState => ({
  ...initialMeetingState(),
  status: 'open',
  meetingId: MEETING,
  villageCode: '3515142001',
  kind: 'MUSDES',
  scheduledAt: '2026-11-25T09:00:00+07:00',
  venue: 'Balai Desa Sukamaju',
  chair: 'H. Ahmad Fauzi',
  agenda: [P1, P2],
  attendees: [
    { name: 'H. Ahmad Fauzi', role: 'KEPALA_DESA' },
    { name: 'Slamet Riyadi', role: 'SECRETARY' },
  ],
  openedAt: '2026-11-25T09:10:00+07:00',
  decisions: {
    [P1]: { decision: 'APPROVED', reason: 'Memenuhi kriteria' },
    [P2]: { decision: 'REJECTED', reason: 'Masih mampu' },
  },
  ...overrides,
});
const KINDS = { [P1]: 'ADD', [P2]: 'REMOVE' };

describe('berita acara digest', () => {
  it('is sha256 of the RFC 8785 canonical JSON of the content', () => {
    const content = minutesContent(MEETING, decided(), KINDS);
    const expected = createHash('sha256').update(canonicalize(content)).digest('hex');
    expect(minutesDigest(content)).toBe(`sha256:${expected}`);
    expect(minutesDigest(content)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('gives the same digest for the same content, whatever the key order or the meeting status', () => {
    const first = minutesDigest(minutesContent(MEETING, decided(), KINDS));
    const reordered = decided({ decisions: { [P2]: decided().decisions[P2]!, [P1]: decided().decisions[P1]! } });
    expect(minutesDigest(minutesContent(MEETING, reordered, { [P2]: 'REMOVE', [P1]: 'ADD' }))).toBe(first);
    // Concluding records the digest and the signatories; the content they signed stays the same.
    const concluded = decided({
      status: 'concluded',
      minutesDigest: first,
      signatories: [{ name: 'H. Ahmad Fauzi', role: 'KEPALA_DESA' }],
    });
    expect(minutesDigest(minutesContent(MEETING, concluded, KINDS))).toBe(first);
  });

  it('changes when a decision or its reason changes', () => {
    const first = minutesDigest(minutesContent(MEETING, decided(), KINDS));
    const deferred = decided({
      decisions: { ...decided().decisions, [P2]: { decision: 'DEFERRED', reason: 'Masih mampu' } },
    });
    const reworded = decided({
      decisions: { ...decided().decisions, [P1]: { decision: 'APPROVED', reason: 'Memenuhi kriteria.' } },
    });
    expect(minutesDigest(minutesContent(MEETING, deferred, KINDS))).not.toBe(first);
    expect(minutesDigest(minutesContent(MEETING, reworded, KINDS))).not.toBe(first);
  });

  it('lists the agenda in order with undecided items as null', () => {
    const content = minutesContent(MEETING, decided({ decisions: {} }), KINDS);
    expect(content.items).toEqual([
      { number: 1, proposalId: P1, proposalKind: 'ADD', decision: null, reason: null },
      { number: 2, proposalId: P2, proposalKind: 'REMOVE', decision: null, reason: null },
    ]);
    expect(content.villageKind).toBe('DESA');
  });

  it('renders an A4 PDF', async () => {
    const content = minutesContent(MEETING, decided(), KINDS);
    const pdf = await renderMinutesPdf({
      content,
      digest: minutesDigest(content),
      checkUrl: `https://muskel.example.go.id/#/verifikasi/berita-acara/${MEETING}`,
    });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.toString('latin1')).toMatch(/\/MediaBox \[0 0 595\.28 841\.89\]/);
  });
});

describe('berita acara PDF', () => {
  it('prints the minutes in Indonesian with the digest in full and the check address', async () => {
    const content = minutesContent(MEETING, decided(), KINDS);
    const digest = minutesDigest(content);
    const pdf = await renderMinutesPdf({
      content,
      digest,
      checkUrl: `https://muskel.example.go.id/#/verifikasi/berita-acara/${MEETING}`,
    });
    const { spaced: text, joined } = await pdfText(pdf);
    expect(text).toContain('BERITA ACARA MUSYAWARAH DESA');
    expect(text).toContain('Rabu, 25 November 2026 pukul 09.10 WIB');
    expect(text).toContain('Balai Desa Sukamaju');
    expect(text).toContain('Slamet Riyadi - Sekretaris Desa/Kelurahan');
    expect(text).toContain('DISETUJUI');
    expect(text).toContain('Alasan: Masih mampu');
    expect(text).toContain('Penghapusan');
    expect(joined).toContain(digest);
    expect(text).toContain(`/#/verifikasi/berita-acara/${MEETING}`);
  });
});

describe('BNBA list', () => {
  const proposal = (kind: string, content: object) =>
    ({ ...initialProposalState(), status: 'TABLED', kind, content }) as unknown as ProposalState;
  const HOUSEHOLD = '5a5a5a5a-0000-4000-8000-000000000001';

  it('lists only approved proposals, by RW, RT and address, naming the head of each household', () => {
    const p3 = '0d7f3c2a-3333-4a4a-8b8b-000000000003';
    const state = decided({
      agenda: [P1, P2, p3],
      decisions: {
        [P1]: { decision: 'APPROVED', reason: 'Layak' },
        [P2]: { decision: 'APPROVED', reason: 'Meninggal' },
        [p3]: { decision: 'DEFERRED', reason: 'Ditunda' },
      },
    });
    const proposals = {
      [P1]: proposal('ADD', {
        household: {
          address: 'Jl. Flamboyan 2',
          rt: '4',
          rw: '002',
          kkNumber: '3515140101100005',
          members: [
            { nik: '3515146006780002', name: 'Anak', sex: 'F', birthDate: '2010-01-01', relationship: 'CHILD' },
            { nik: '3515145504900006', name: 'Sri Wahyuni', sex: 'F', birthDate: '1990-04-15', relationship: 'HEAD' },
          ],
        },
      }),
      [P2]: proposal('REMOVE', { householdId: HOUSEHOLD, removal: { reason: 'DECEASED', evidence: [] } }),
      [p3]: proposal('ADD', { household: { address: 'X', rt: '1', rw: '1', kkNumber: '1', members: [] } }),
    };
    const households = {
      [HOUSEHOLD]: {
        status: 'ACTIVE',
        location: { villageCode: '3515142001', address: 'Jl. Kenanga 1', rt: '003', rw: '001' },
        members: {
          m1: { memberId: 'm1', name: 'Karto', relationship: 'HEAD', status: 'ACTIVE' },
          m2: { memberId: 'm2', name: 'Lama', relationship: 'SPOUSE', status: 'REMOVED' },
        },
      },
    } as unknown as Record<string, HouseholdState>;
    const content = minutesContent(MEETING, state, { [P1]: 'ADD', [P2]: 'REMOVE', [p3]: 'ADD' });
    expect(bnbaRows(content, proposals, households)).toEqual([
      {
        proposalId: P2,
        proposalKind: 'REMOVE',
        name: 'Karto',
        members: 1,
        address: 'Jl. Kenanga 1',
        rt: '003',
        rw: '001',
        note: 'Alasan: Meninggal dunia',
      },
      {
        proposalId: P1,
        proposalKind: 'ADD',
        name: 'Sri Wahyuni',
        members: 2,
        address: 'Jl. Flamboyan 2',
        rt: '4',
        rw: '002',
        note: 'Keluarga baru',
      },
    ]);
  });
});
