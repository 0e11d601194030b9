/**
 * Meetings: the musyawarah kelurahan/desa (MUSKEL, MUSDES, MUSDESUS) that deliberates proposals, stream
 * `meeting-<uuid>` (DESIGN.md section 4). `decide`, `evolve` and `initialState` are exported as `meetingDecider`
 * and under meeting-specific names, so that they do not clash with the user decider's in `@muskel/domain`.
 */
export * from './meeting.commands';
export * from './meeting.events';
export * from './quorum';
export {
  decide as decideMeeting,
  evolve as evolveMeeting,
  initialState as initialMeetingState,
  isAgendaItemDecided,
  meetingDecider,
  undecidedItems,
  type AgendaDecision,
  type MeetingState,
  type MeetingStatus,
} from './meeting.decider';
export {
  MAX_PEOPLE_LISTED,
  MEETING_REASON_MAX_LENGTH,
  PERSON_NAME_MAX_LENGTH,
  VENUE_MAX_LENGTH,
  parseMinutesDigest,
  parseQuorumPolicy,
  parseSignedCopyDigest,
} from './meeting.validation';
export * from './quorum-policy.decider';
