/**
 * The evidence a proposal carries, for the verifier: each item with its kind and value, and for a document (a digest)
 * the uploaded file found by that digest, with a download button. Finding the file reads no personal data; the
 * download does, and the API records it.
 */
import { useEffect, useId, useState } from 'react';
import { api, downloadFile, query } from '../../api/client';
import { ErrorMessage } from '../../components/ui';
import { formatDate, formatNumber, hasMessage, t } from '../../i18n';

export interface EvidenceView {
  kind: string;
  digest?: string;
  reference?: string;
  date?: string;
  note?: string;
}

interface FoundFile {
  fileId: string;
  digest: string;
  size: number;
  mediaType: string;
}

const EXTENSIONS: Record<string, string> = { 'application/pdf': 'pdf', 'image/jpeg': 'jpg', 'image/png': 'png' };

const kindLabel = (kind: string) => {
  const key = `verifier.evidence.${kind}`;
  return hasMessage(key) ? t(key) : kind;
};

function sizeText(bytes: number): string {
  const kb = bytes / 1024;
  return kb < 1024
    ? t('verifier.evidence.kb', { n: formatNumber(Math.max(0.1, Math.round(kb * 10) / 10)) })
    : t('verifier.evidence.mb', { n: formatNumber(Math.round((kb / 1024) * 10) / 10) });
}

/** A document's digest and, once found, its file with an "Unduh" button. */
function DocumentFile({ kind, digest }: { kind: string; digest: string }) {
  const describedBy = useId();
  const [file, setFile] = useState<FoundFile | null>();
  const [lookupFailed, setLookupFailed] = useState(false);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    api
      .get<{ items: FoundFile[] }>(`/evidence-files${query({ digest })}`)
      .then((found) => live && setFile(found.items[0] ?? null))
      .catch(() => live && setLookupFailed(true));
    return () => {
      live = false;
    };
  }, [digest]);

  async function download() {
    if (!file) return;
    setBusy(true);
    setError(undefined);
    try {
      const name = `bukti-${kind.toLowerCase().replace(/_/g, '-')}-${digest.slice(7, 15)}.${EXTENSIONS[file.mediaType] ?? 'bin'}`;
      await downloadFile(`/evidence-files/${file.fileId}`, name, file.mediaType);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <p>
        <strong id={describedBy}>{kindLabel(kind)}</strong>
      </p>
      <p>
        <code className="hash">{digest}</code>
      </p>
      {file === undefined && !lookupFailed && <p className="muted">{t('verifier.evidence.looking')}</p>}
      {lookupFailed && <p className="muted">{t('verifier.evidence.lookupFailed')}</p>}
      {file === null && <p className="muted">{t('verifier.evidence.noFile')}</p>}
      {file && (
        <p>
          {t('verifier.evidence.file', {
            type: (EXTENSIONS[file.mediaType] ?? '').toUpperCase(),
            size: sizeText(file.size),
          })}{' '}
          <button
            type="button"
            className="button"
            aria-describedby={describedBy}
            disabled={busy}
            onClick={() => void download()}
          >
            {t('verifier.evidence.download')}
          </button>
        </p>
      )}
      <ErrorMessage error={error} />
    </>
  );
}

export function EvidenceList({ items }: { items: readonly EvidenceView[] }) {
  if (items.length === 0) return <p>{t('verifier.evidence.none')}</p>;
  return (
    <ul className="cards">
      {items.map((item, index) => (
        <li key={`${item.kind}-${index}`} className="card">
          {item.digest ? (
            <DocumentFile kind={item.kind} digest={item.digest} />
          ) : (
            <>
              <p>
                <strong>{kindLabel(item.kind)}</strong>
              </p>
              {item.date && <p>{formatDate(item.date)}</p>}
              {item.reference && (
                <p>
                  <code>{item.reference}</code>
                </p>
              )}
              {item.note && <p>{item.note}</p>}
            </>
          )}
        </li>
      ))}
    </ul>
  );
}
