/**
 * A stream's whole history (GET /proposals/:id or /batches/:id): when, what, in which role, and a short detail.
 * The detail is picked per event type (reasons, outcomes, codes); submitted household data is never dumped here.
 */
import { formatDate, formatDateTime, t } from '../../i18n';
import { ScrollRegion } from './scroll-region';
import { label, type HistoryEntry } from './verifier-api';

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

function detailOf(entry: HistoryEntry): string {
  const d = entry.data;
  switch (entry.type) {
    case 'ProposalDeliberated':
      return [label('decisionValue', text(d.decision)), text(d.reason)].filter(Boolean).join(': ');
    case 'FlagRaised':
      return `${label('flag', text(d.code))} (${label('severity', text(d.severity))})`;
    case 'FlagResolved':
      return `${label('flag', text(d.code))}: ${text(d.justification)}`;
    case 'FieldVisitRecorded':
      return `${label('outcome', text(d.outcome))}: ${text(d.notes)}`;
    case 'ProposalReturned':
    case 'ProposalRejected':
    case 'ProposalWithdrawn':
    case 'ProposalUntabled':
      return text(d.reason);
    case 'ProposalBatched':
    case 'ProposalSentToPusdatin':
      return text(d.batchId);
    case 'ProposalAccepted':
      return text(d.decreeRef);
    case 'BatchClosed':
      return text(d.reason);
    case 'BatchEndorsed':
      return t('verifier.batch.endorsement.text', {
        letter: text(d.letterNumber),
        date: d.signedDate ? formatDate(text(d.signedDate)) : '',
        name: text(d.endorsedBy),
      });
    case 'ProposalIncluded':
      return text(d.proposalId).slice(0, 8);
    default:
      return '';
  }
}

export function HistoryTable({ entries, title }: { entries: readonly HistoryEntry[]; title: string }) {
  return (
    <ScrollRegion label={title}>
      <table>
        <caption className="verifier-sr-only">{title}</caption>
        <thead>
          <tr>
            <th scope="col">{t('verifier.history.when')}</th>
            <th scope="col">{t('verifier.history.what')}</th>
            <th scope="col">{t('verifier.history.who')}</th>
            <th scope="col">{t('verifier.history.detail')}</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={entry.revision}>
              <td>{formatDateTime(entry.occurredAt ?? entry.recordedAt)}</td>
              <td>{label('event', entry.type)}</td>
              <td>{entry.actor ? label('role', entry.actor.role) : t('verifier.history.system')}</td>
              <td>{detailOf(entry)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollRegion>
  );
}
