import PDFDocument from 'pdfkit';
import * as QRCode from 'qrcode';
import type { MinutesContent } from './minutes-content';

/** Indonesian words for the codes the minutes carry (the PDF is read by the village and by Dinsos). */
const MEETING_KIND: Record<string, string> = {
  MUSKEL: 'MUSYAWARAH KELURAHAN',
  MUSDES: 'MUSYAWARAH DESA',
  MUSDESUS: 'MUSYAWARAH DESA KHUSUS',
};
const VILLAGE_KIND: Record<string, string> = { KELURAHAN: 'Kelurahan', DESA: 'Desa' };
const PROPOSAL_KIND: Record<string, string> = {
  ADD: 'Penambahan keluarga',
  CORRECT: 'Perbaikan data',
  REMOVE: 'Penghapusan',
  RELOCATE: 'Pindah domisili',
};
const DECISION: Record<string, string> = {
  APPROVED: 'DISETUJUI',
  REJECTED: 'DITOLAK',
  DEFERRED: 'DITUNDA',
};
export const ATTENDEE_ROLE_ID: Record<string, string> = {
  LURAH: 'Lurah',
  KEPALA_DESA: 'Kepala Desa',
  SECRETARY: 'Sekretaris Desa/Kelurahan',
  RT: 'Ketua RT',
  RW: 'Ketua RW',
  PSM: 'Pekerja Sosial Masyarakat',
  TKSK: 'TKSK',
  PKH_FACILITATOR: 'Pendamping PKH',
  COMMUNITY_LEADER: 'Tokoh masyarakat',
  RELIGIOUS_LEADER: 'Tokoh agama',
  BENEFICIARY_REPRESENTATIVE: 'Perwakilan KPM',
  BPD: 'Anggota BPD',
  OTHER: 'Lainnya',
};

const dateFormat = new Intl.DateTimeFormat('id-ID', {
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'Asia/Jakarta',
});
const timeFormat = new Intl.DateTimeFormat('id-ID', { hour: '2-digit', minute: '2-digit', timeZone: 'Asia/Jakarta' });

/** "Rabu, 25 November 2026 pukul 09.00 WIB" (Jakarta has kept UTC+7 since 1964). */
export function indonesianDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${dateFormat.format(date)} pukul ${timeFormat.format(date)} WIB`;
}

export function minutesTitle(content: MinutesContent): string {
  return `BERITA ACARA ${MEETING_KIND[content.meetingKind] ?? 'MUSYAWARAH'}`;
}

export interface MinutesPdfInput {
  content: MinutesContent;
  digest: string;
  /** Where the QR code leads: the public check page of this meeting's minutes. */
  checkUrl: string;
}

const MARGIN = 56;

/** The berita acara as a printable A4 PDF (Helvetica: every character the minutes use is in WinAnsi). */
export async function renderMinutesPdf({ content, digest, checkUrl }: MinutesPdfInput): Promise<Buffer> {
  const qr = await QRCode.toBuffer(`${checkUrl}?digest=${digest}`, { type: 'png', margin: 1, width: 240 });
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    info: { Title: minutesTitle(content), Subject: `Musyawarah ${content.meetingId}`, Creator: 'Muskel' },
    lang: 'id-ID',
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const width = doc.page.width - 2 * MARGIN;
  const village = `${VILLAGE_KIND[content.villageKind] ?? 'Desa/Kelurahan'} ${content.villageCode}`;
  const kindText = (MEETING_KIND[content.meetingKind] ?? 'MUSYAWARAH').toLowerCase();

  doc.font('Helvetica-Bold').fontSize(14).text(minutesTitle(content), { align: 'center' });
  doc.font('Helvetica').fontSize(11).text('PEMUTAKHIRAN DATA KESEJAHTERAAN SOSIAL', { align: 'center' });
  doc.text(village.toUpperCase(), { align: 'center' });
  doc.moveDown(0.3);
  doc.fontSize(8).fillColor('#444').text(`Nomor musyawarah: ${content.meetingId}`, { align: 'center' });
  doc.fillColor('black').moveDown(1);

  const held = content.openedAt ?? content.scheduledAt;
  doc
    .fontSize(10.5)
    .text(
      `Pada hari ini, ${indonesianDateTime(held)}, bertempat di ${content.venue}, telah dilaksanakan ` +
        `${kindText} di ${village} yang dipimpin oleh ${content.chair}, untuk membahas ${content.items.length} ` +
        'usulan pemutakhiran data kesejahteraan sosial, dengan hasil sebagai berikut.',
    );
  doc.moveDown(0.8);

  heading(doc, 'A. Daftar hadir');
  if (content.attendees.length === 0) doc.text('Musyawarah belum dibuka: daftar hadir belum dicatat.');
  content.attendees.forEach((attendee, index) => {
    doc.text(`${index + 1}. ${attendee.name} - ${ATTENDEE_ROLE_ID[attendee.role] ?? attendee.role}`);
  });
  doc.moveDown(0.8);

  heading(doc, 'B. Keputusan atas usulan');
  for (const item of content.items) {
    const kind = item.proposalKind ? (PROPOSAL_KIND[item.proposalKind] ?? item.proposalKind) : 'Usulan';
    doc.font('Helvetica-Bold').text(`${item.number}. ${kind} (usulan ${item.proposalId.slice(0, 8)}): `, {
      continued: true,
    });
    doc.text(item.decision ? (DECISION[item.decision] ?? item.decision) : 'BELUM DIPUTUSKAN');
    doc.font('Helvetica').text(`Alasan: ${item.reason ?? '-'}`, { indent: 14 });
    doc.fontSize(8).fillColor('#444').text(`Nomor usulan: ${item.proposalId}`, { indent: 14 });
    doc.fontSize(10.5).fillColor('black').moveDown(0.4);
  }
  doc.moveDown(0.4);

  heading(doc, 'C. Tanda tangan');
  doc.text('Demikian berita acara ini dibuat dengan sebenarnya untuk dipergunakan sebagaimana mestinya.');
  doc.moveDown(0.6);
  const signers = [
    { name: content.chair, role: 'Pimpinan musyawarah' },
    ...content.attendees
      .filter((attendee) => attendee.name.trim().toLowerCase() !== content.chair.trim().toLowerCase())
      .slice(0, 5)
      .map((attendee) => ({ name: attendee.name, role: ATTENDEE_ROLE_ID[attendee.role] ?? attendee.role })),
  ];
  const column = width / 2;
  signers.forEach((signer, index) => {
    if (doc.y > doc.page.height - MARGIN - 90) doc.addPage();
    const x = MARGIN + (index % 2) * column;
    const y = doc.y;
    doc.fontSize(9).text(signer.role, x, y, { width: column - 12 });
    doc
      .moveTo(x, y + 44)
      .lineTo(x + column - 24, y + 44)
      .stroke();
    doc.text(signer.name, x, y + 48, { width: column - 12 });
    doc.x = MARGIN;
    doc.y = index % 2 === 0 && index < signers.length - 1 ? y : y + 70;
  });

  if (doc.y > doc.page.height - MARGIN - 130) doc.addPage();
  doc.moveDown(1);
  heading(doc, 'D. Sidik berita acara');
  const top = doc.y;
  doc.image(qr, MARGIN + width - 100, top, { width: 100 });
  doc
    .fontSize(9)
    .text(
      'Sidik (SHA-256 atas isi berita acara dalam JSON kanonik RFC 8785), dicatat saat musyawarah ditutup:',
      MARGIN,
      top,
      {
        width: width - 112,
      },
    );
  doc.moveDown(0.3);
  doc
    .font('Courier')
    .fontSize(7.5)
    .text(digest, { width: width - 112 });
  doc.font('Helvetica').fontSize(9).moveDown(0.3);
  doc.text('Pindai kode QR atau buka alamat di bawah untuk memeriksa sidik yang tercatat.', { width: width - 112 });
  // The address on a line of its own, full width, so that a reader (or a text extraction) gets it unbroken.
  doc.y = Math.max(doc.y, top + 106);
  doc.font('Courier').fontSize(6.5).text(checkUrl, MARGIN, doc.y, { width, lineBreak: false });
  doc.end();
  return finished;
}

function heading(doc: PDFKit.PDFDocument, text: string): void {
  doc.font('Helvetica-Bold').fontSize(11).text(text, MARGIN);
  doc.font('Helvetica').fontSize(10.5).moveDown(0.2);
}
