/**
 * Which fields of which events carry personal data (DESIGN.md section 7: NIK, KK number, names, birth dates,
 * disability, and free text that may name people), as dotted paths where `*` stands for every array index.
 * Only these are encrypted; ids, codes, regions and dates of acts stay readable for the workflow and the audit.
 */
const MEMBER_FIELDS = ['nik', 'name', 'birthDate', 'disability'] as const;
const memberPaths = (prefix: string): string[] => MEMBER_FIELDS.map((field) => `${prefix}.${field}`);

const PROPOSAL_CONTENT = [
  'household.kkNumber',
  ...memberPaths('household.members.*'),
  ...memberPaths('memberToAdd'),
  'changes.kkNumber',
  'removal.evidence.*.note',
];

export const PERSONAL_FIELDS: Readonly<Record<string, readonly string[]>> = {
  ProposalSubmitted: PROPOSAL_CONTENT,
  ProposalAmended: PROPOSAL_CONTENT,
  FieldVisitRecorded: ['notes'],
  HouseholdEnrolled: ['kkNumber', ...memberPaths('members.*')],
  HouseholdCorrected: ['changes.kkNumber'],
  MemberAdded: memberPaths('member'),
};

export function personalFieldsOf(eventType: string): readonly string[] {
  return PERSONAL_FIELDS[eventType] ?? [];
}

type Json = unknown;

/** Every concrete location of `pattern` in `data` that holds a value: `[path segments, value]`. */
export function locate(data: Json, pattern: string): { path: string[]; value: Json }[] {
  const found: { path: string[]; value: Json }[] = [];
  const walk = (node: Json, rest: readonly string[], path: string[]): void => {
    if (rest.length === 0) {
      if (node !== undefined && node !== null) found.push({ path, value: node });
      return;
    }
    const [head, ...tail] = rest as [string, ...string[]];
    if (head === '*') {
      if (Array.isArray(node)) node.forEach((item, index) => walk(item, tail, [...path, String(index)]));
      return;
    }
    if (typeof node === 'object' && node !== null && !Array.isArray(node) && head in node) {
      walk((node as Record<string, Json>)[head], tail, [...path, head]);
    }
  };
  walk(data, pattern.split('.'), []);
  return found;
}

/** A copy of `data` with the value at `path` replaced. */
export function replaceAt(data: Json, path: readonly string[], value: Json): Json {
  if (path.length === 0) return value;
  const [head, ...tail] = path as [string, ...string[]];
  if (Array.isArray(data)) {
    const copy: Json[] = [...(data as Json[])];
    copy[Number(head)] = replaceAt(copy[Number(head)], tail, value);
    return copy;
  }
  const object = data as Record<string, Json>;
  return { ...object, [head]: replaceAt(object[head], tail, value) };
}
