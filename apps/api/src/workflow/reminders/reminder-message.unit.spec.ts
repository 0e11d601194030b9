import { periode, reminderMessage, tanggal } from './reminder-message';

describe('reminder text (Bahasa Indonesia)', () => {
  it('writes dates and months the Indonesian way', () => {
    expect(tanggal('2026-11-25')).toBe('25 November 2026');
    expect(tanggal('2027-02-01')).toBe('1 Februari 2027');
    expect(periode('2026-03')).toBe('Maret 2026');
    expect(periode('2026-12')).toBe('Desember 2026');
  });

  it('names the count, the meeting days and the cut-off, and no personal data', () => {
    expect(
      reminderMessage({
        proposalCount: 3,
        period: '2026-08',
        cutoffDate: '2026-08-25',
        meetingDays: { from: 2, to: 12 },
      }),
    ).toBe(
      'Masih ada 3 usulan yang belum dimusyawarahkan. Musyawarah desa/kelurahan diadakan pada tanggal 2-12 setiap ' +
        'bulan. Batas akhir usulan periode Agustus 2026 adalah 25 Agustus 2026; usulan yang belum diverifikasi ' +
        'sampai tanggal itu masuk ke periode bulan berikutnya.',
    );
  });
});
