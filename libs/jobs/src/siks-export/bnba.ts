import type {
  BatchState,
  HouseholdState,
  ProposalKind,
  ProposalState,
  ProposedMember,
  Relationship,
} from '@muskel/domain';

/**
 * The by-name-by-address (BNBA) list of a batch as SIKS-NG takes it: one row per person concerned by each proposal,
 * with Indonesian column headers. `No. Usulan` numbers the proposals in the batch's inclusion order (1, 2, ...), so
 * Pusdatin's result file may name a proposal by that number instead of its id.
 */
export const BNBA_COLUMNS = [
  { key: 'noUsulan', header: 'No. Usulan' },
  { key: 'idUsulan', header: 'ID Usulan' },
  { key: 'jenisUsulan', header: 'Jenis Usulan' },
  { key: 'kodeDesa', header: 'Kode Desa/Kelurahan' },
  { key: 'idKeluarga', header: 'ID Keluarga' },
  { key: 'alamat', header: 'Alamat' },
  { key: 'rt', header: 'RT' },
  { key: 'rw', header: 'RW' },
  { key: 'noKk', header: 'No. KK' },
  { key: 'nik', header: 'NIK' },
  { key: 'nama', header: 'Nama' },
  { key: 'jenisKelamin', header: 'Jenis Kelamin' },
  { key: 'tanggalLahir', header: 'Tanggal Lahir' },
  { key: 'hubunganKeluarga', header: 'Hubungan Keluarga' },
  { key: 'keterangan', header: 'Keterangan' },
] as const;

export type BnbaKey = (typeof BNBA_COLUMNS)[number]['key'];
export type BnbaRow = Record<BnbaKey, string | number>;

export const JENIS_USULAN: Record<ProposalKind, string> = {
  ADD: 'TAMBAH',
  CORRECT: 'PERBAIKAN',
  REMOVE: 'HAPUS',
  RELOCATE: 'PINDAH',
};

const HUBUNGAN: Record<Relationship, string> = {
  HEAD: 'KEPALA KELUARGA',
  SPOUSE: 'ISTRI/SUAMI',
  CHILD: 'ANAK',
  CHILD_IN_LAW: 'MENANTU',
  GRANDCHILD: 'CUCU',
  PARENT: 'ORANG TUA',
  PARENT_IN_LAW: 'MERTUA',
  OTHER_RELATIVE: 'FAMILI LAIN',
  OTHER: 'LAINNYA',
};

type Person = Pick<ProposedMember, 'nik' | 'name' | 'sex' | 'birthDate' | 'relationship'>;

function personColumns(
  person: Person | undefined,
): Pick<BnbaRow, 'nik' | 'nama' | 'jenisKelamin' | 'tanggalLahir' | 'hubunganKeluarga'> {
  if (!person) return { nik: '', nama: '', jenisKelamin: '', tanggalLahir: '', hubunganKeluarga: '' };
  return {
    nik: person.nik,
    nama: person.name,
    jenisKelamin: person.sex === 'M' ? 'L' : 'P',
    tanggalLahir: person.birthDate,
    hubunganKeluarga: HUBUNGAN[person.relationship],
  };
}

/** Why the row is there beyond its kind: the removal reason, the target village, the corrected fields (names only). */
function keteranganOf(proposal: ProposalState): string {
  const content = proposal.content;
  switch (proposal.kind) {
    case 'REMOVE':
      return `Alasan: ${content.removal?.reason ?? '-'}${content.removal?.memberId ? ' (anggota)' : ''}`;
    case 'RELOCATE':
      return `Pindah ke desa/kelurahan ${content.targetVillageCode ?? '-'}`;
    case 'CORRECT':
      return content.memberToAdd
        ? 'Tambah anggota keluarga'
        : `Perbaikan: ${Object.keys(content.changes ?? {}).join(', ') || '-'}`;
    case 'ADD':
    case undefined:
      return '';
    default: {
      const _exhaustive: never = proposal.kind;
      return '';
    }
  }
}

/**
 * The rows of one proposal. An ADD lists the proposed household; the other kinds name a registered household, whose
 * current members come from `household` (the registry as folded from its stream): a REMOVE of one member lists that
 * member only, a CORRECT that adds a member lists the newcomer.
 */
export function bnbaRowsOf(
  noUsulan: number,
  proposalId: string,
  proposal: ProposalState,
  household: HouseholdState | undefined,
): BnbaRow[] {
  const base = {
    noUsulan,
    idUsulan: proposalId,
    jenisUsulan: proposal.kind ? JENIS_USULAN[proposal.kind] : '',
    kodeDesa: proposal.villageCode ?? '',
    keterangan: keteranganOf(proposal),
  };
  const content = proposal.content;
  if (proposal.kind === 'ADD' && content.household) {
    const h = content.household;
    const place = { idKeluarga: '', alamat: h.address, rt: h.rt, rw: h.rw, noKk: h.kkNumber };
    return h.members.map((member) => ({ ...base, ...place, ...personColumns(member) }));
  }
  const place = {
    idKeluarga: content.householdId ?? '',
    alamat: household?.location?.address ?? '',
    rt: household?.location?.rt ?? '',
    rw: household?.location?.rw ?? '',
    noKk: household?.kkNumber ?? '',
  };
  let people: Person[];
  if (proposal.kind === 'CORRECT' && content.memberToAdd) people = [content.memberToAdd];
  else {
    const members = Object.entries(household?.members ?? {});
    const memberId = proposal.kind === 'REMOVE' ? content.removal?.memberId : undefined;
    people = members
      .filter(([id, member]) => (memberId ? id === memberId : member.status === 'ACTIVE'))
      .map(([, member]) => member);
  }
  if (people.length === 0) return [{ ...base, ...place, ...personColumns(undefined) }];
  return people.map((person) => ({ ...base, ...place, ...personColumns(person) }));
}

/** The summary sheet (Ringkasan): counts only, never a name or a NIK. */
export function ringkasanOf(
  batchId: string,
  batch: BatchState,
  proposals: readonly ProposalState[],
  rows: number,
  exportedAt: Date,
): [string, string | number][] {
  const byKind = (kind: ProposalKind) => proposals.filter((p) => p.kind === kind).length;
  return [
    ['ID Batch', batchId],
    ['Kabupaten/Kota', batch.regencyCode ?? ''],
    ['Periode', batch.period ?? ''],
    ['Tanggal Tutup', batch.closedAt ?? ''],
    ['Nomor Surat Pengesahan', batch.endorsement?.letterNumber ?? ''],
    ['Jumlah Usulan', proposals.length],
    ['Usulan Tambah', byKind('ADD')],
    ['Usulan Perbaikan', byKind('CORRECT')],
    ['Usulan Hapus', byKind('REMOVE')],
    ['Usulan Pindah', byKind('RELOCATE')],
    ['Jumlah Baris BNBA', rows],
    ['Waktu Ekspor', exportedAt.toISOString()],
  ];
}
