import {
  initialBatchState,
  initialHouseholdState,
  initialProposalState,
  type HouseholdState,
  type MemberRecord,
  type ProposalState,
} from '@muskel/domain';
import { bnbaRowsOf, ringkasanOf } from './bnba';

const member = (memberId: string, name: string, status: 'ACTIVE' | 'REMOVED' = 'ACTIVE'): MemberRecord => ({
  memberId,
  nik: `35151405086800${memberId.slice(-2)}`,
  name,
  sex: 'F',
  birthDate: '1970-01-01',
  relationship: 'SPOUSE',
  status,
  addedBy: { importId: 'i-1' },
});

const household: HouseholdState = {
  ...initialHouseholdState(),
  status: 'ACTIVE',
  householdId: 'h-1',
  location: { villageCode: '3515142001', address: 'Jl. Mawar 2', rt: '004', rw: '001' },
  kkNumber: '3515140101100011',
  members: { m01: member('m01', 'Sri'), m02: member('m02', 'Ani'), m03: member('m03', 'Lama', 'REMOVED') },
};

const proposal = (overrides: Partial<ProposalState>): ProposalState => ({
  ...initialProposalState(),
  status: 'BATCHED',
  villageCode: '3515142001',
  ...overrides,
});

describe('BNBA rows', () => {
  it("lists a REMOVE of a whole household with the registered household's active members", () => {
    const rows = bnbaRowsOf(
      3,
      'p-1',
      proposal({ kind: 'REMOVE', content: { householdId: 'h-1', removal: { reason: 'DECEASED', evidence: [] } } }),
      household,
    );
    expect(rows.map((row) => row.nama)).toEqual(['Sri', 'Ani']);
    expect(rows[0]).toMatchObject({
      noUsulan: 3,
      idUsulan: 'p-1',
      jenisUsulan: 'HAPUS',
      idKeluarga: 'h-1',
      alamat: 'Jl. Mawar 2',
      noKk: '3515140101100011',
      jenisKelamin: 'P',
      hubunganKeluarga: 'ISTRI/SUAMI',
      keterangan: 'Alasan: DECEASED',
    });
  });

  it('lists a REMOVE of one member with that member only', () => {
    const rows = bnbaRowsOf(
      1,
      'p-2',
      proposal({
        kind: 'REMOVE',
        content: { householdId: 'h-1', removal: { reason: 'MOVED', evidence: [], memberId: 'm02' } },
      }),
      household,
    );
    expect(rows.map((row) => [row.nama, row.keterangan])).toEqual([['Ani', 'Alasan: MOVED (anggota)']]);
  });

  it('lists a CORRECT that adds a member with the newcomer, and a plain CORRECT with the corrected fields', () => {
    const newcomer = {
      nik: '3515145005200001',
      name: 'Bayi',
      sex: 'F' as const,
      birthDate: '2020-05-10',
      relationship: 'CHILD' as const,
    };
    const adds = bnbaRowsOf(
      1,
      'p-3',
      proposal({ kind: 'CORRECT', content: { householdId: 'h-1', memberToAdd: newcomer, changes: { member: 'add' } } }),
      household,
    );
    expect(adds).toEqual([
      expect.objectContaining({ nama: 'Bayi', hubunganKeluarga: 'ANAK', keterangan: 'Tambah anggota keluarga' }),
    ]);
    const fixes = bnbaRowsOf(
      2,
      'p-4',
      proposal({ kind: 'CORRECT', content: { householdId: 'h-1', changes: { address: 'Jl. Baru', rt: '005' } } }),
      household,
    );
    expect(fixes.map((row) => row.keterangan)).toEqual(['Perbaikan: address, rt', 'Perbaikan: address, rt']);
  });

  it('keeps one row for a proposal whose household is not found, and describes a RELOCATE', () => {
    const rows = bnbaRowsOf(
      1,
      'p-5',
      proposal({ kind: 'RELOCATE', content: { householdId: 'h-9', targetVillageCode: '3515142002' } }),
      undefined,
    );
    expect(rows).toEqual([
      expect.objectContaining({
        jenisUsulan: 'PINDAH',
        idKeluarga: 'h-9',
        nik: '',
        nama: '',
        keterangan: 'Pindah ke desa/kelurahan 3515142002',
      }),
    ]);
  });

  it('summarises counts only', () => {
    const batch = { ...initialBatchState(), status: 'CLOSED' as const, regencyCode: '3515', period: '2040-01' };
    const summary = ringkasanOf(
      '3515-204001',
      batch,
      [proposal({ kind: 'ADD' }), proposal({ kind: 'REMOVE' })],
      5,
      new Date('2040-01-21T00:00:00Z'),
    );
    expect(summary).toContainEqual(['Jumlah Usulan', 2]);
    expect(summary).toContainEqual(['Usulan Tambah', 1]);
    expect(summary).toContainEqual(['Usulan Hapus', 1]);
    expect(summary).toContainEqual(['Jumlah Baris BNBA', 5]);
  });
});
