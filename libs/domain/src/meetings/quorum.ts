import type { DomainErrorDetail } from '../domain-error';

/** Who attends a meeting (musyawarah), in the capacity they attend in. */
export const ATTENDEE_ROLES = [
  /** Lurah: head of a kelurahan. */
  'LURAH',
  /** Kepala desa: head of a desa. */
  'KEPALA_DESA',
  /** Sekretaris kelurahan/desa. */
  'SECRETARY',
  /** Rukun tetangga (neighbourhood head). */
  'RT',
  /** Rukun warga (hamlet/community unit head). */
  'RW',
  /** Pekerja sosial masyarakat (community social worker). */
  'PSM',
  /** Tenaga kesejahteraan sosial kecamatan (district social-welfare worker). */
  'TKSK',
  /** Pendamping PKH (Program Keluarga Harapan facilitator). */
  'PKH_FACILITATOR',
  /** Tokoh masyarakat. */
  'COMMUNITY_LEADER',
  /** Tokoh agama. */
  'RELIGIOUS_LEADER',
  /** Perwakilan KPM (beneficiary representative). */
  'BENEFICIARY_REPRESENTATIVE',
  /** Badan Permusyawaratan Desa (village consultative body). */
  'BPD',
  'OTHER',
] as const;
export type AttendeeRole = (typeof ATTENDEE_ROLES)[number];

export function isAttendeeRole(input: string): input is AttendeeRole {
  return (ATTENDEE_ROLES as readonly string[]).includes(input);
}

/** A person at a meeting (peserta musyawarah) or signing its minutes (penanda tangan berita acara). */
export type Attendee = {
  readonly name: string;
  readonly role: AttendeeRole;
};

/**
 * A regency's quorum rule for a musyawarah (kuorum), checked when the meeting opens: how many attendees at
 * least, which roles must be present, and whether the chair (pimpinan musyawarah) must be among them.
 */
export type QuorumPolicy = {
  readonly minimumAttendees: number;
  readonly requiredRoles: readonly AttendeeRole[];
  readonly chairMustAttend: boolean;
};

/** The policy applied when a regency has set none of its own. */
export const DEFAULT_QUORUM_POLICY: QuorumPolicy = {
  minimumAttendees: 5,
  requiredRoles: [],
  chairMustAttend: true,
};

/** One way in which a quorum is not met. Holds no personal data (the chair is never named). */
export type QuorumShortfall =
  | { readonly missing: 'ATTENDEES'; readonly required: number; readonly present: number }
  | { readonly missing: 'ROLE'; readonly role: AttendeeRole }
  | { readonly missing: 'CHAIR' };

/** Names compare trimmed, with inner spaces collapsed, case-insensitive. */
export function sameAttendeeName(a: string, b: string): boolean {
  return attendeeNameKey(a) === attendeeNameKey(b);
}

export function attendeeNameKey(name: string): string {
  return name.trim().replace(/\s+/gu, ' ').toLocaleLowerCase('id');
}

/**
 * Every way in which `attendees` fall short of `policy` for a meeting chaired by `chair`; empty when the quorum is
 * met. Order: the head count, then each required role in the policy's order, then the chair.
 */
export function quorumShortfalls(
  policy: QuorumPolicy,
  chair: string,
  attendees: readonly Attendee[],
): QuorumShortfall[] {
  const shortfalls: QuorumShortfall[] = [];
  if (attendees.length < policy.minimumAttendees) {
    shortfalls.push({ missing: 'ATTENDEES', required: policy.minimumAttendees, present: attendees.length });
  }
  for (const role of policy.requiredRoles) {
    if (!attendees.some((attendee) => attendee.role === role)) shortfalls.push({ missing: 'ROLE', role });
  }
  if (policy.chairMustAttend && !attendees.some((attendee) => sameAttendeeName(attendee.name, chair))) {
    shortfalls.push({ missing: 'CHAIR' });
  }
  return shortfalls;
}

/** A shortfall as DomainError details. */
export function shortfallDetails(shortfall: QuorumShortfall): Record<string, DomainErrorDetail> {
  return { ...shortfall };
}
