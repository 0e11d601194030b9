const MONTHS = [
  'Januari',
  'Februari',
  'Maret',
  'April',
  'Mei',
  'Juni',
  'Juli',
  'Agustus',
  'September',
  'Oktober',
  'November',
  'Desember',
] as const;

/** `2026-11-25` → `25 November 2026`. */
export function tanggal(date: string): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return `${day} ${MONTHS[month - 1]} ${year}`;
}

/** `2026-11` → `November 2026`. */
export function periode(period: string): string {
  const [year, month] = period.split('-').map(Number) as [number, number];
  return `${MONTHS[month - 1]} ${year}`;
}

/** The reminder as the village operator reads it (Bahasa Indonesia); codes and counts only, no personal data. */
export function reminderMessage(input: {
  proposalCount: number;
  period: string;
  cutoffDate: string;
  meetingDays: { from: number; to: number };
}): string {
  const { from, to } = input.meetingDays;
  return (
    `Masih ada ${input.proposalCount} usulan yang belum dimusyawarahkan. ` +
    `Musyawarah desa/kelurahan diadakan pada tanggal ${from}-${to} setiap bulan. ` +
    `Batas akhir usulan periode ${periode(input.period)} adalah ${tanggal(input.cutoffDate)}; ` +
    'usulan yang belum diverifikasi sampai tanggal itu masuk ke periode bulan berikutnya.'
  );
}
