import { randomUUID } from 'node:crypto';
import { deterministicId } from '@muskel/application';
import type { EventCodec, JsonObject, NewEvent, RecordedEvent, SqlQueryable } from '@muskel/event-store';
import { ERASED } from './erased';
import { decryptField, encryptField, isEnvelope, type FieldEnvelope } from './field-crypto';
import type { KeyRing } from './household-keys';
import { locate, personalFieldsOf, replaceAt } from './personal-fields';

const CONTENT_EVENTS = new Set(['ProposalSubmitted', 'ProposalAmended']);

/**
 * The household an ADD proposal will enrol: the registry reactor derives it from the proposal id the same way
 * (`householdIdForProposal` in `@muskel/reactors`), so the proposal's data and the household's share one key.
 */
export const householdIdForAddProposal = (proposalId: string): string => deterministicId('household', proposalId);

/** Whose data an event carries, when the stream alone does not say: the household a proposal's content names. */
function householdOfContent(proposalId: string, data: JsonObject): string {
  const named = data['householdId'];
  return typeof named === 'string' && named !== '' ? named : householdIdForAddProposal(proposalId);
}

/**
 * Encrypts the personal fields of events on append and decrypts them on read (`EventCodec` of the SQL store).
 * Subject = household: a household's events and every proposal about it share the household's data key.
 * After erasure (key deleted) a read returns `ERASED` in place of each encrypted value.
 */
export class PersonalDataCodec implements EventCodec {
  constructor(readonly keys: KeyRing) {}

  async encode(
    q: SqlQueryable,
    stream: string,
    events: readonly NewEvent[],
    stored: () => Promise<RecordedEvent[]>,
  ): Promise<NewEvent[]> {
    const out: NewEvent[] = [];
    // A proposal's household as set by earlier events of this same append.
    let proposalHousehold: string | undefined;
    for (const event of events) {
      const id = event.id ?? randomUUID();
      const withId: NewEvent = { ...event, id };
      const data = event.data as unknown;
      if (stream.startsWith('proposal-') && CONTENT_EVENTS.has(event.type) && isObject(data)) {
        proposalHousehold = householdOfContent(stream.slice('proposal-'.length), data);
      }
      const located = isObject(data) ? personalFieldsOf(event.type).flatMap((pattern) => locate(data, pattern)) : [];
      if (located.length === 0) {
        out.push(withId);
        continue;
      }
      const householdId = await this.subjectOf(stream, proposalHousehold, stored);
      const lookup = await this.keys.forWriting(q, householdId);
      let encoded: unknown = data;
      for (const { path, value } of located) {
        const fieldPath = path.join('.');
        // An erased household takes no new personal data: the value is dropped, never stored.
        const stored =
          'erased' in lookup ? ERASED : encryptField(lookup.key, value, { eventId: id, fieldPath, householdId });
        encoded = replaceAt(encoded, path, stored);
      }
      out.push({ ...withId, data: encoded as JsonObject });
    }
    return out;
  }

  private async subjectOf(
    stream: string,
    proposalHousehold: string | undefined,
    stored: () => Promise<RecordedEvent[]>,
  ): Promise<string> {
    if (stream.startsWith('household-')) return stream.slice('household-'.length);
    if (stream.startsWith('proposal-')) {
      if (proposalHousehold !== undefined) return proposalHousehold;
      // A later event of a proposal (a field visit's notes): the household its latest content names (the
      // household id is no personal field: it reads the same stored or decoded).
      const content = (await stored()).filter((event) => CONTENT_EVENTS.has(event.type)).at(-1);
      if (content) return householdOfContent(stream.slice('proposal-'.length), content.data);
    }
    // Fail closed: personal data whose household is unknown is never stored in the clear.
    throw new Error(`cannot tell whose personal data an event of stream ${stream.split('-')[0]} carries`);
  }

  async decode(q: SqlQueryable, events: RecordedEvent[]): Promise<RecordedEvent[]> {
    const found = events.map((event) => findEnvelopes(event.data));
    const kids = [...new Set(found.flatMap((list) => list.map((entry) => entry.envelope.kid)))];
    if (kids.length === 0) return events;
    const keys = await this.keys.load(q, kids);
    return events.map((event, index) => {
      const envelopes = found[index]!;
      if (envelopes.length === 0) return event;
      let data: unknown = event.data;
      for (const { path, envelope } of envelopes) {
        const key = keys.get(envelope.kid);
        const plain = key ? decryptField(key, envelope, { eventId: event.id, fieldPath: path.join('.') }) : ERASED;
        data = replaceAt(data, path, plain);
      }
      return { ...event, data: data as JsonObject };
    });
  }
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every envelope anywhere in `data`, wherever it sits (a moved one is found, and fails its AAD). */
export function findEnvelopes(data: unknown): { path: string[]; envelope: FieldEnvelope }[] {
  const found: { path: string[]; envelope: FieldEnvelope }[] = [];
  const walk = (node: unknown, path: string[]): void => {
    if (isEnvelope(node)) {
      found.push({ path, envelope: node });
    } else if (Array.isArray(node)) {
      node.forEach((item, index) => walk(item, [...path, String(index)]));
    } else if (typeof node === 'object' && node !== null) {
      for (const [key, value] of Object.entries(node)) walk(value, [...path, key]);
    }
  };
  walk(data, []);
  return found;
}
