import { Readable } from 'node:stream';

/**
 * Synthetic baseline files: invented people with identity numbers of valid structure, for the demo, tests and the
 * benchmark. Nobody real: names are drawn from short lists of common given names, numbers from counters.
 */
const GIVEN_M = ['Budi', 'Agus', 'Eko', 'Joko', 'Hadi', 'Slamet', 'Rudi', 'Dedi', 'Wahyu', 'Bambang'];
const GIVEN_F = ['Siti', 'Sri', 'Dewi', 'Ani', 'Wati', 'Rina', 'Yuni', 'Lestari', 'Endang', 'Tutik'];
const FAMILY = ['Santoso', 'Wibowo', 'Susanto', 'Hartono', 'Purnomo', 'Setiawan', 'Prasetyo', 'Utomo'];

const pad = (value: number, width: number) => String(value).padStart(width, '0');

export const SYNTHETIC_HEADER = 'kk_number,nik,name,sex,birth_date,relationship,address,rt,rw,village_code';

/** The KK number of the h-th household: unique for h below about 80 million. */
export function syntheticKk(district: string, h: number): string {
  const dateIndex = Math.floor(h / 9999);
  const day = (dateIndex % 28) + 1;
  const month = (Math.floor(dateIndex / 28) % 12) + 1;
  const year = 10 + Math.floor(dateIndex / 336);
  return `${district}${pad(day, 2)}${pad(month, 2)}${pad(year % 100, 2)}${pad((h % 9999) + 1, 4)}`;
}

function nik(district: string, birthDate: string, female: boolean, serial: number): string {
  const [year, month, day] = birthDate.split('-') as [string, string, string];
  return `${district}${pad(Number(day) + (female ? 40 : 0), 2)}${month}${year.slice(2)}${pad((serial % 9999) + 1, 4)}`;
}

/** The rows of the h-th household: a head, usually a spouse, 0-3 children (3.3 people on average). */
export function syntheticHousehold(villageCode: string, h: number): string[] {
  const district = villageCode.slice(0, 6);
  const kk = syntheticKk(district, h);
  const family = FAMILY[h % FAMILY.length]!;
  const headYear = 1955 + (h % 40);
  const date = (year: number, salt: number) =>
    `${year}-${pad(((h + salt) % 12) + 1, 2)}-${pad(((h * 7 + salt) % 28) + 1, 2)}`;
  const address = `Dusun ${['Krajan', 'Sumber', 'Tegal', 'Kidul'][h % 4]} No. ${(h % 200) + 1}`;
  const rt = pad((h % 12) + 1, 3);
  const rw = pad((Math.floor(h / 12) % 6) + 1, 3);
  const rows: string[] = [];
  const add = (name: string, female: boolean, birthDate: string, relationship: string, index: number) => {
    const number = nik(district, birthDate, female, h * 5 + index);
    rows.push([kk, number, name, female ? 'P' : 'L', birthDate, relationship, address, rt, rw, villageCode].join(','));
  };
  add(`${GIVEN_M[h % GIVEN_M.length]} ${family}`, false, date(headYear, 0), 'KEPALA_KELUARGA', 0);
  if (h % 5 !== 0) add(`${GIVEN_F[h % GIVEN_F.length]}`, true, date(headYear + 2, 1), 'ISTRI', 1);
  for (let child = 0; child < h % 4; child++) {
    const female = (h + child) % 2 === 0;
    const given = female ? GIVEN_F[(h + child + 3) % GIVEN_F.length] : GIVEN_M[(h + child + 3) % GIVEN_M.length];
    add(`${given} ${family}`, female, date(Math.min(headYear + 22 + child * 2, 2024), child + 2), 'ANAK', child + 2);
  }
  return rows;
}

/** A CSV of `households` synthetic households of one village, generated as it is read (memory stays flat). */
export function syntheticBaseline(options: {
  households: number;
  villageCode: string;
  firstHousehold?: number;
}): Readable {
  const first = options.firstHousehold ?? 0;
  return Readable.from(
    (function* () {
      yield `${SYNTHETIC_HEADER}\n`;
      const lines: string[] = [];
      for (let h = first; h < first + options.households; h++) {
        lines.push(...syntheticHousehold(options.villageCode, h));
        // Several households per chunk: one chunk per line would make the stream itself the bottleneck.
        if (lines.length >= 512) yield `${lines.splice(0).join('\n')}\n`;
      }
      if (lines.length > 0) yield `${lines.join('\n')}\n`;
    })(),
    { objectMode: false },
  );
}
