import PDFDocument from 'pdfkit';
import type { HouseholdState, ProposalState } from '@muskel/domain';
import { indonesianDateTime } from './minutes-pdf';
import type { MinutesContent } from './minutes-content';

/** One approved proposal as the by-name-by-address list (BNBA) shows it. */
export interface BnbaRow {
  proposalId: string;
  proposalKind: string;
  /** The head of the household (kepala keluarga), or its first member. */
  name: string;
  members: number;
  address: string;
  rt: string;
  rw: string;
  /** What changes: corrected fields, the removal reason, the village moved to. */
  note: string;
}

const PROPOSAL_KIND: Record<string, string> = {
  ADD: 'Penambahan',
  CORRECT: 'Perbaikan data',
  REMOVE: 'Penghapusan',
  RELOCATE: 'Pindah domisili',
};
const REMOVAL_REASON: Record<string, string> = {
  DECEASED: 'Meninggal dunia',
  MOVED: 'Pindah domisili',
  NOT_FOUND: 'Tidak ditemukan',
  NO_LONGER_ELIGIBLE: 'Tidak lagi memenuhi syarat',
  REFUSED_AID: 'Menolak bantuan',
  DUPLICATE: 'Data ganda',
  INVALID_NIK: 'NIK tidak valid',
  CIVIL_SERVANT: 'ASN/TNI/Polri',
  WAGE_ABOVE_MINIMUM: 'Upah di atas UMK',
  COMPANY_OFFICER: 'Pengurus perusahaan',
  MIGRANT_WORKER: 'Pekerja migran',
  OTHER: 'Lainnya',
};
const CHANGE_FIELD: Record<string, string> = { address: 'alamat', rt: 'RT', rw: 'RW', kkNumber: 'nomor KK' };

function note(proposal: ProposalState): string {
  const { content } = proposal;
  if (content.removal) return `Alasan: ${REMOVAL_REASON[content.removal.reason] ?? content.removal.reason}`;
  if (content.targetVillageCode) return `Pindah ke ${content.targetVillageCode}`;
  if (content.memberToAdd) return `Anggota baru: ${content.memberToAdd.name}`;
  if (content.changes) {
    return `Diperbaiki: ${Object.keys(content.changes)
      .map((field) => CHANGE_FIELD[field] ?? field)
      .join(', ')}`;
  }
  return 'Keluarga baru';
}

/**
 * The rows of the meeting's approved proposals, ordered by address (RW, RT, street) then name, as a village
 * checks a list door to door. An ADD names the household it proposes; the others the registered household.
 */
export function bnbaRows(
  content: MinutesContent,
  proposals: Readonly<Record<string, ProposalState>>,
  households: Readonly<Record<string, HouseholdState>>,
): BnbaRow[] {
  const rows: BnbaRow[] = [];
  for (const item of content.items) {
    const proposal = proposals[item.proposalId];
    if (item.decision !== 'APPROVED' || !proposal) continue;
    const kind = proposal.kind ?? '';
    const proposed = proposal.content.household;
    if (proposed) {
      const head = proposed.members.find((m) => m.relationship === 'HEAD') ?? proposed.members[0];
      rows.push({
        proposalId: item.proposalId,
        proposalKind: kind,
        name: head?.name ?? '-',
        members: proposed.members.length,
        address: proposed.address,
        rt: proposed.rt,
        rw: proposed.rw,
        note: note(proposal),
      });
      continue;
    }
    const household = proposal.content.householdId ? households[proposal.content.householdId] : undefined;
    const members = Object.values(household?.members ?? {}).filter((m) => m.status === 'ACTIVE');
    const head = members.find((m) => m.relationship === 'HEAD') ?? members[0];
    rows.push({
      proposalId: item.proposalId,
      proposalKind: kind,
      name: head?.name ?? '-',
      members: members.length,
      address: household?.location?.address ?? '-',
      rt: household?.location?.rt ?? '-',
      rw: household?.location?.rw ?? '-',
      note: note(proposal),
    });
  }
  const pad = (value: string) => value.padStart(3, '0');
  return rows.sort(
    (a, b) =>
      pad(a.rw).localeCompare(pad(b.rw)) ||
      pad(a.rt).localeCompare(pad(b.rt)) ||
      a.address.localeCompare(b.address, 'id') ||
      a.name.localeCompare(b.name, 'id'),
  );
}

const MARGIN = 40;
const COLUMNS = [
  { title: 'No', width: 28 },
  { title: 'Nama kepala keluarga', width: 160 },
  { title: 'Alamat', width: 190 },
  { title: 'RT/RW', width: 55 },
  { title: 'Anggota', width: 50 },
  { title: 'Jenis usulan', width: 90 },
  { title: 'Keterangan', width: 189 },
] as const;

/** The BNBA list as a landscape A4 PDF, signed off by the chair like the minutes. */
export async function renderBnbaPdf(content: MinutesContent, rows: readonly BnbaRow[]): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margin: MARGIN,
    info: { Title: 'DAFTAR BNBA USULAN YANG DISETUJUI', Subject: `Musyawarah ${content.meetingId}`, Creator: 'Muskel' },
    lang: 'id-ID',
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const village = `${content.villageKind === 'KELURAHAN' ? 'Kelurahan' : 'Desa'} ${content.villageCode}`;
  doc.font('Helvetica-Bold').fontSize(13).text('DAFTAR BY NAME BY ADDRESS (BNBA) USULAN YANG DISETUJUI', {
    align: 'center',
  });
  doc
    .font('Helvetica')
    .fontSize(10)
    .text(`${village}, musyawarah ${indonesianDateTime(content.openedAt ?? content.scheduledAt)}`, {
      align: 'center',
    });
  doc.fontSize(8).text(`Nomor musyawarah: ${content.meetingId}`, { align: 'center' });
  doc.moveDown(1);

  const header = () => {
    let x = MARGIN;
    const y = doc.y;
    doc.font('Helvetica-Bold').fontSize(9);
    for (const column of COLUMNS) {
      doc.text(column.title, x + 2, y, { width: column.width - 4 });
      x += column.width;
    }
    doc
      .moveTo(MARGIN, y + 14)
      .lineTo(x, y + 14)
      .stroke();
    doc.y = y + 18;
    doc.font('Helvetica').fontSize(9);
  };
  header();
  if (rows.length === 0) doc.text('Tidak ada usulan yang disetujui.', MARGIN);
  rows.forEach((row, index) => {
    const cells = [
      String(index + 1),
      row.name,
      row.address,
      `${row.rt}/${row.rw}`,
      String(row.members),
      PROPOSAL_KIND[row.proposalKind] ?? row.proposalKind,
      row.note,
    ];
    const height = Math.max(...cells.map((cell, i) => doc.heightOfString(cell, { width: COLUMNS[i]!.width - 4 })));
    if (doc.y + height > doc.page.height - MARGIN - 20) {
      doc.addPage();
      header();
    }
    const y = doc.y;
    let x = MARGIN;
    cells.forEach((cell, i) => {
      doc.text(cell, x + 2, y, { width: COLUMNS[i]!.width - 4 });
      x += COLUMNS[i]!.width;
    });
    doc.y = y + height + 6;
  });
  doc.moveDown(1.5);
  if (doc.y > doc.page.height - MARGIN - 80) doc.addPage();
  doc.text('Pimpinan musyawarah', MARGIN);
  const line = doc.y + 40;
  doc
    .moveTo(MARGIN, line)
    .lineTo(MARGIN + 200, line)
    .stroke();
  doc.text(content.chair, MARGIN, line + 4);
  doc.end();
  return finished;
}
