/**
 * One evidence document as a file: the secretary picks the scan (PDF) or photo (JPEG, PNG), it is uploaded at once
 * to the village's evidence files, and the proposal's evidence item then carries the digest the server computed.
 * The file's name is shown from the browser's own File object only: it never travels to the server.
 */
import { useId, useState, type ChangeEvent } from 'react';
import type { EvidenceKind } from '@muskel/domain';
import { ApiError, call, query } from '../../api/client';
import { formatNumber, hasMessage, t } from '../../i18n';

const ACCEPTED = ['application/pdf', 'image/jpeg', 'image/png'] as const;
/** The server's default limit (EVIDENCE_MAX_BYTES); checked here too so a large photo fails before it travels. */
const MAX_BYTES = 10 * 1024 * 1024;

export interface UploadedEvidence {
  fileId: string;
  digest: string;
  size: number;
  mediaType: string;
  kind: string;
}

/** 12,3 KB or 1,4 MB (id-ID decimals). */
export function formatFileSize(bytes: number): string {
  if (bytes < 1024 * 1024)
    return t('secretary.evidenceFile.kb', { n: formatNumber(Math.max(0.1, round1(bytes / 1024))) });
  return t('secretary.evidenceFile.mb', { n: formatNumber(round1(bytes / 1024 / 1024)) });
}
const round1 = (value: number) => Math.round(value * 10) / 10;

/** The upload's errors in words about evidence files (the shared error texts speak of CSV imports). */
function uploadMessage(error: unknown): string {
  if (error instanceof ApiError) {
    const key = `secretary.evidenceFile.error.${error.code}`;
    return hasMessage(key) ? t(key) : error.userMessage;
  }
  return t('error.network');
}

export function EvidenceFileField({
  villageCode,
  kind,
  label,
  value,
  onUploaded,
}: {
  villageCode: string;
  kind: EvidenceKind;
  label: string;
  /** The evidence's digest as it stands: typed over, the upload no longer describes it. */
  value: string;
  onUploaded: (file: UploadedEvidence & { name: string }) => void;
}) {
  const id = useId();
  const [status, setStatus] = useState<{
    state: 'idle' | 'uploading' | 'done' | 'error';
    text?: string;
    digest?: string;
  }>({ state: 'idle' });

  async function choose(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    if (!file) return;
    if (!(ACCEPTED as readonly string[]).includes(file.type)) {
      setStatus({ state: 'error', text: t('secretary.evidenceFile.error.UNSUPPORTED_MEDIA_TYPE') });
      return;
    }
    if (file.size > MAX_BYTES) {
      setStatus({ state: 'error', text: t('secretary.evidenceFile.error.FILE_TOO_LARGE') });
      return;
    }
    setStatus({ state: 'uploading', text: t('secretary.evidenceFile.uploading', { name: file.name }) });
    try {
      const { body } = await call<UploadedEvidence>(`/evidence-files${query({ villageCode, kind })}`, {
        method: 'POST',
        raw: file,
        contentType: file.type,
      });
      setStatus({
        state: 'done',
        text: t('secretary.evidenceFile.uploaded', { name: file.name, size: formatFileSize(body.size) }),
        digest: body.digest,
      });
      onUploaded({ ...body, name: file.name });
    } catch (error) {
      setStatus({ state: 'error', text: uploadMessage(error) });
    }
  }

  const shown = status.state === 'done' && status.digest !== value.trim() ? undefined : status.text;
  const hintId = `${id}-hint`;
  const statusId = `${id}-status`;
  return (
    <div className={`field${status.state === 'error' ? ' field--error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <p className="field__hint" id={hintId}>
        {t('secretary.evidenceFile.hint')}
      </p>
      <input
        id={id}
        type="file"
        accept={ACCEPTED.join(',')}
        aria-describedby={`${hintId} ${statusId}`}
        aria-invalid={status.state === 'error'}
        disabled={status.state === 'uploading'}
        onChange={(event) => void choose(event)}
      />
      {/* Announced when it changes: the upload runs while the secretary may already be on the next field. */}
      <div id={statusId} aria-live="polite">
        {status.state === 'error' ? (
          <ul className="field__errors">
            <li>{status.text}</li>
          </ul>
        ) : shown ? (
          <p className={status.state === 'done' ? undefined : 'muted'}>{shown}</p>
        ) : null}
      </div>
    </div>
  );
}

export const evidenceFileLabel = (kind: EvidenceKind): string => {
  const key = `secretary.evidenceFile.${kind}`;
  return hasMessage(key) ? t(key) : t('secretary.evidenceFile.DOCUMENT');
};
