/**
 * After the meeting concluded: the berita acara signed on paper is scanned, and its SHA-256 (computed here, the scan
 * is not uploaded) is recorded once on the meeting. A later check compares a scan with it.
 */
import { useId, useState, type ChangeEvent, type FormEvent } from 'react';
import { api, ApiError } from '../../api/client';
import { ErrorMessage, Notice } from '../../components/ui';
import { sha256Of } from '../../files/sha256';
import { formatDateTime, t } from '../../i18n';
import type { Meeting } from './village';

const ACCEPTED = ['application/pdf', 'image/jpeg', 'image/png'] as const;

/** When the signed copy was recorded: the time of its event in the meeting's history. */
function recordedAt(meeting: Meeting): string | undefined {
  const entry = meeting.history?.find((event) => event.type === 'SignedMinutesRecorded');
  return entry?.occurredAt ?? entry?.recordedAt;
}

export function SignedMinutesPanel({ meeting, onRecorded }: { meeting: Meeting; onRecorded: () => Promise<void> }) {
  const id = useId();
  const [digest, setDigest] = useState<string>();
  const [problem, setProblem] = useState<string>();
  const [computing, setComputing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  async function choose(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    setDigest(undefined);
    setProblem(undefined);
    setError(undefined);
    if (!file) return;
    if (!(ACCEPTED as readonly string[]).includes(file.type)) {
      setProblem(t('secretary.signed.unsupported'));
      return;
    }
    setComputing(true);
    try {
      setDigest(await sha256Of(file));
    } finally {
      setComputing(false);
    }
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!digest) {
      setProblem(t('secretary.signed.chooseFirst'));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await api.post(
        `/meetings/${meeting.meetingId}/signed-minutes`,
        { signedCopyDigest: digest },
        { headers: { 'If-Match': `"${meeting.revision}"` } },
      );
      await onRecorded();
    } catch (caught) {
      setError(caught);
      if (caught instanceof ApiError && (caught.status === 409 || caught.status === 412)) await onRecorded();
    } finally {
      setBusy(false);
    }
  }

  const at = recordedAt(meeting);
  const fieldErrors = [
    ...(problem ? [problem] : []),
    ...(error instanceof ApiError ? error.fieldMessages('signedCopyDigest') : []),
  ];
  return (
    <section aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('secretary.signed.title')}</h2>
      {/* Outside the form: a refusal (e.g. another copy already recorded) stays readable after the reload. */}
      {!(error instanceof ApiError && error.fields.length > 0) && <ErrorMessage error={error} />}
      {meeting.signedCopyDigest ? (
        <Notice>
          {t('secretary.signed.recorded', { at: at ? formatDateTime(at) : '-' })}{' '}
          <code className="hash secretary__digest">{meeting.signedCopyDigest}</code>
        </Notice>
      ) : (
        <form onSubmit={(event) => void submit(event)} noValidate>
          <p>{t('secretary.signed.intro')}</p>
          <div className={`field${fieldErrors.length ? ' field--error' : ''}`}>
            <label htmlFor={`${id}-file`}>{t('secretary.signed.file')}</label>
            <p className="field__hint" id={`${id}-hint`}>
              {t('secretary.signed.fileHint')}
            </p>
            <input
              id={`${id}-file`}
              type="file"
              accept={ACCEPTED.join(',')}
              aria-describedby={`${id}-hint ${id}-status`}
              aria-invalid={fieldErrors.length > 0}
              onChange={(event) => void choose(event)}
            />
            <div id={`${id}-status`} aria-live="polite">
              {fieldErrors.length > 0 ? (
                <ul className="field__errors">
                  {fieldErrors.map((text) => (
                    <li key={text}>{text}</li>
                  ))}
                </ul>
              ) : computing ? (
                <p className="muted">{t('secretary.signed.computing')}</p>
              ) : digest ? (
                <p>
                  {t('secretary.signed.digest')}:{' '}
                  <code className="hash secretary__digest" data-testid="signed-copy-digest">
                    {digest}
                  </code>
                </p>
              ) : null}
            </div>
          </div>
          <div className="actions">
            <button type="submit" className="button button--primary button--large" disabled={busy || computing}>
              {t('secretary.signed.record')}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
