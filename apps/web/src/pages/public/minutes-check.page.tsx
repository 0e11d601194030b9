/**
 * Opened from a berita acara's QR code: the meeting's recorded minutes digest (no personal data), compared with the
 * digest printed on the paper when the QR code carried it (`?digest=`), and the digest of the signed, scanned copy
 * once the village recorded it.
 */
import { useEffect, useState } from 'react';
import { useParams, useSearchParams } from 'react-router';
import { api } from '../../api/client';
import { ErrorMessage, Loading } from '../../components/ui';
import { formatDateTime, t, type MessageKey } from '../../i18n';

interface MinutesCheck {
  meetingId: string;
  villageCode: string | null;
  kind: string | null;
  scheduledAt: string | null;
  status: string;
  minutesDigest: string | null;
  /** The scanned, signed paper copy's digest, once the village recorded it. */
  signedCopyDigest: string | null;
}

export function MinutesCheckPage() {
  const { meetingId = '' } = useParams();
  const [search] = useSearchParams();
  const printed = search.get('digest')?.trim().toLowerCase() || undefined;
  const [check, setCheck] = useState<MinutesCheck>();
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    api
      .get<MinutesCheck>(`/public/meetings/${encodeURIComponent(meetingId)}/minutes`, { anonymous: true })
      .then(setCheck, setError);
  }, [meetingId]);

  const matches = printed !== undefined && check?.minutesDigest === printed;
  return (
    <div className="narrow">
      <h1>{t('secretary.check.title')}</h1>
      <p>{t('secretary.check.intro')}</p>
      <ErrorMessage error={error} />
      {!check && !error && <Loading />}
      {check && (
        <>
          <dl className="minutes-check">
            <dt>{t('secretary.check.meeting')}</dt>
            <dd className="hash">{check.meetingId}</dd>
            <dt>{t('secretary.check.village')}</dt>
            <dd>{check.villageCode ?? '-'}</dd>
            <dt>{t('secretary.check.kind')}</dt>
            <dd>{check.kind ? t(`meetingKind.${check.kind}` as MessageKey) : '-'}</dd>
            <dt>{t('secretary.check.date')}</dt>
            <dd>{check.scheduledAt ? formatDateTime(check.scheduledAt) : '-'}</dd>
            <dt>{t('secretary.check.status')}</dt>
            <dd>{t(`secretary.check.status.${check.status}` as MessageKey)}</dd>
            <dt>{t('secretary.check.recorded')}</dt>
            <dd className="hash" style={{ overflowWrap: 'anywhere' }}>
              {check.minutesDigest ?? t('secretary.check.notRecorded')}
            </dd>
            {check.status === 'CONCLUDED' && (
              <>
                <dt>{t('secretary.check.signedCopy')}</dt>
                <dd className="hash" style={{ overflowWrap: 'anywhere' }}>
                  {check.signedCopyDigest ?? t('secretary.check.signedCopyNone')}
                </dd>
              </>
            )}
            {printed !== undefined && (
              <>
                <dt>{t('secretary.check.printed')}</dt>
                <dd className="hash" style={{ overflowWrap: 'anywhere' }}>
                  {printed}
                </dd>
              </>
            )}
          </dl>
          {printed !== undefined && check.minutesDigest !== null && (
            <div className={`alert ${matches ? 'alert--info' : 'alert--error'}`} role="status">
              <strong>{matches ? t('secretary.check.match') : t('secretary.check.mismatch')}</strong>
            </div>
          )}
        </>
      )}
    </div>
  );
}
