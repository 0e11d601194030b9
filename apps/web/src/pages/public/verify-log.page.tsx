import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, api } from '../../api/client';
import { checkBundle, parseCheckpointBody, type BundleCheck, type ProofBundle } from '../../audit/merkle';
import { checkNoteSignature, type NoteCheck } from '../../audit/note';
import { ErrorMessage, Field, Loading } from '../../components/ui';
import { formatDateTime, formatNumber, t } from '../../i18n';
import '../auditor/auditor.css';

interface Checkpoint {
  size: number;
  rootHash: string;
  signedAt: string;
  note: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Shell commands of the offline walk-through (README, auditor section): code, not prose, so not translated.
const policyCommand = (origin = '<origin>', key = '<kunci>') =>
  `echo '${JSON.stringify({ origin, verifierKeys: [key] })}' > policy.json`;
const EXPORT_COMMAND = [
  `curl -s -o log.tar "${location.origin}/audit/v1/export"`,
  `curl -s -o log.tar -H "authorization: Bearer <token>" "${location.origin}/audit/v1/export?events=true"`,
].join('\n');
const VERIFY_COMMAND = 'npm run cli -- audit verify-export log.tar --policy policy.json --checkpoint lama.json';

/** What a proof check found, in words. */
function resultText(result: BundleCheck): string {
  const params = { index: formatNumber(result.index) };
  switch (result.status) {
    case 'verified':
      return t('verifyLog.result.verified', { ...params, size: formatNumber(result.size) });
    case 'pending':
      return t('verifyLog.result.pending', params);
    default:
      return t(`verifyLog.result.failed.${result.reason}`, params);
  }
}

function isBundle(value: unknown): value is ProofBundle {
  const bundle = value as Partial<ProofBundle> | null;
  return (
    typeof bundle === 'object' &&
    bundle !== null &&
    typeof bundle.index === 'number' &&
    typeof bundle.record === 'string' &&
    typeof bundle.leafHash === 'string'
  );
}

/** The audit log's latest checkpoint and an inclusion proof, checked in the browser. */
export function VerifyLogPage() {
  const [checkpoint, setCheckpoint] = useState<Checkpoint | null | undefined>();
  const [verifierKey, setVerifierKey] = useState<string>();
  const [signature, setSignature] = useState<NoteCheck>();
  const [loadError, setLoadError] = useState<unknown>();
  const [eventId, setEventId] = useState('');
  const [bundleText, setBundleText] = useState('');
  const [inputError, setInputError] = useState<string>();
  const [bundleError, setBundleError] = useState<string>();
  const [checkError, setCheckError] = useState<unknown>();
  const [checking, setChecking] = useState(false);
  const [checked, setChecked] = useState<{ bundle: ProofBundle; result: BundleCheck }>();

  useEffect(() => {
    const controller = new AbortController();
    const options = { anonymous: true, signal: controller.signal };
    Promise.all([
      api.get<Checkpoint>('/audit/v1/checkpoint', options).catch((error: unknown) => {
        if (error instanceof ApiError && error.code === 'NO_CHECKPOINT') return null;
        throw error;
      }),
      api.get<{ verifierKey: string }>('/audit/v1/verifier-key', options),
    ])
      .then(async ([latest, key]) => {
        setCheckpoint(latest);
        setVerifierKey(key.verifierKey);
        if (latest) setSignature(await checkNoteSignature(latest.note, key.verifierKey));
      })
      .catch((error: unknown) => {
        if (!controller.signal.aborted) setLoadError(error);
      });
    return () => controller.abort();
  }, []);

  async function onCheck(event: FormEvent) {
    event.preventDefault();
    setInputError(undefined);
    setBundleError(undefined);
    setCheckError(undefined);
    setChecked(undefined);
    let bundle: ProofBundle;
    if (bundleText.trim()) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(bundleText);
      } catch {
        parsed = undefined;
      }
      if (!isBundle(parsed)) return setBundleError(t('verifyLog.invalidBundle'));
      bundle = parsed;
    } else {
      if (!UUID.test(eventId.trim())) return setInputError(t('verifyLog.invalidEventId'));
      setChecking(true);
      try {
        bundle = await api.get<ProofBundle>(`/audit/v1/events/${eventId.trim()}/bundle`, { anonymous: true });
      } catch (error) {
        setChecking(false);
        return setCheckError(error);
      }
    }
    setChecking(true);
    const result = await checkBundle(bundle, checkpoint ?? undefined);
    setChecking(false);
    setChecked({ bundle, result });
  }

  return (
    <div className="verify-log">
      <h1>{t('verify.title')}</h1>
      <p>{t('verifyLog.intro')}</p>

      <section aria-labelledby="verify-checkpoint">
        <h2 id="verify-checkpoint">{t('verifyLog.checkpoint')}</h2>
        <ErrorMessage error={loadError} />
        {checkpoint === undefined && !loadError && <Loading />}
        {checkpoint === null && <p>{t('verifyLog.checkpoint.none')}</p>}
        {checkpoint && (
          <>
            <p>
              {t('verifyLog.checkpoint.summary', {
                size: formatNumber(checkpoint.size),
                signedAt: formatDateTime(checkpoint.signedAt),
              })}
            </p>
            <h3>{t('verifyLog.checkpoint.note')}</h3>
            <pre className="verify-log__note" tabIndex={0} aria-label={t('verifyLog.checkpoint.note')}>
              {checkpoint.note}
            </pre>
            {signature && (
              <p
                className={`alert ${signature === 'valid' ? 'alert--info' : 'alert--warning'}`}
                role="status"
                data-signature={signature}
              >
                {t(`verifyLog.signature.${signature}`)}
              </p>
            )}
          </>
        )}
        {verifierKey && (
          <>
            <h3>{t('verifyLog.verifierKey')}</h3>
            <p className="hash">{verifierKey}</p>
          </>
        )}
      </section>

      <section aria-labelledby="verify-form">
        <h2 id="verify-form">{t('verifyLog.form')}</h2>
        <p>{t('verifyLog.form.help')}</p>
        <form onSubmit={(e) => void onCheck(e)} noValidate className="narrow">
          <Field
            label={t('verifyLog.eventId')}
            hint={t('verifyLog.eventId.hint')}
            value={eventId}
            onChange={(e) => setEventId(e.target.value)}
            autoComplete="off"
            spellCheck={false}
            errors={inputError ? [inputError] : []}
          />
          <div className={`field${bundleError ? ' field--error' : ''}`}>
            <label htmlFor="verify-bundle">{t('verifyLog.bundle')}</label>
            <textarea
              id="verify-bundle"
              rows={5}
              value={bundleText}
              onChange={(e) => setBundleText(e.target.value)}
              spellCheck={false}
              aria-invalid={bundleError !== undefined}
              aria-describedby={bundleError ? 'verify-bundle-errors' : undefined}
            />
            {bundleError && (
              <ul className="field__errors" id="verify-bundle-errors">
                <li>{bundleError}</li>
              </ul>
            )}
          </div>
          <div className="actions">
            <button type="submit" className="button button--primary button--large" disabled={checking}>
              {t('verifyLog.check')}
            </button>
          </div>
        </form>
        <ErrorMessage error={checkError} />
        {checking && <Loading />}
        {checked && (
          <div
            className={`alert ${checked.result.status === 'verified' ? 'alert--info' : checked.result.status === 'pending' ? 'alert--warning' : 'alert--error'}`}
            role="status"
            data-result={checked.result.status}
          >
            {resultText(checked.result)}
          </div>
        )}
        {checked && (
          <details>
            <summary>{t('verifyLog.details')}</summary>
            <h3>{t('verifyLog.details.record')}</h3>
            <pre className="verify-log__note" tabIndex={0} aria-label={t('verifyLog.details.record')}>
              {checked.bundle.record}
            </pre>
          </details>
        )}
      </section>

      <section aria-labelledby="verify-offline">
        <h2 id="verify-offline">{t('verifyLog.offline')}</h2>
        <p>{t('verifyLog.offline.intro')}</p>
        <ol className="verify-log__steps">
          <li>
            {t('verifyLog.offline.step1')}
            <pre tabIndex={0} aria-label={t('verifyLog.offline.step1')}>
              {policyCommand(checkpoint ? parseCheckpointBody(checkpoint.note)?.origin : undefined, verifierKey)}
            </pre>
          </li>
          <li>
            {t('verifyLog.offline.step2')}
            <pre tabIndex={0} aria-label={t('verifyLog.offline.step2')}>
              {EXPORT_COMMAND}
            </pre>
          </li>
          <li>
            {t('verifyLog.offline.step3')}
            <pre tabIndex={0} aria-label={t('verifyLog.offline.step3')}>
              {VERIFY_COMMAND}
            </pre>
          </li>
          <li>{t('verifyLog.offline.step4')}</li>
        </ol>
      </section>
    </div>
  );
}
