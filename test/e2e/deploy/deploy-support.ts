/** Helpers shared by the deployment suites: Prometheus text parsing and synthetic proposals. */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * The samples of a Prometheus text exposition (version 0.0.4). Hand-written because prom-client has no parser and
 * the format's sample lines are simple: `name{label="value",...} number`.
 */
export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[label[1]!] = label[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The one sample of `name` whose labels include `labels`; throws when there is none or several. */
export function sample(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value),
  );
  if (found.length !== 1) {
    throw new Error(`expected one sample ${name}${JSON.stringify(labels)}, found ${found.length}`);
  }
  return found[0]!.value;
}

let household = 0;
/** A synthetic ADD proposal in `village` (10 digits): a KK of one person, unique within the run. */
export function addProposalBody(village: string): Record<string, unknown> {
  household += 1;
  const serial = String(household).padStart(4, '0');
  return {
    kind: 'ADD',
    villageCode: village,
    channel: 'CITIZEN',
    household: {
      address: `Jl. Uji Beban ${household}`,
      rt: '001',
      rw: '002',
      kkNumber: `${village.slice(0, 6)}010109${serial}`,
      members: [
        {
          nik: `${village.slice(0, 6)}050868${serial}`,
          name: `Warga Uji ${household}`,
          sex: 'F',
          birthDate: '1968-08-05',
          relationship: 'HEAD',
        },
      ],
    },
  };
}
