/**
 * A resource a verifier changes step by step (a proposal, a batch): loaded from `path`, and each change sent on the
 * revision shown (If-Match). When someone else changed it meanwhile, the page says so and shows the new state; any
 * other refusal stays next to the action that caused it.
 */
import { useCallback, useEffect, useState } from 'react';
import { api } from '../../api/client';
import { t, type MessageKey } from '../../i18n';
import { ifMatch, isConflict } from './verifier-api';

export type Outcome = { kind: 'ok' | 'conflict'; text: string };

export function useRevisioned<T extends { revision: number }>(path: string) {
  const [resource, setResource] = useState<T>();
  const [loadError, setLoadError] = useState<unknown>();
  const [outcome, setOutcome] = useState<Outcome>();
  const [busy, setBusy] = useState<string>();
  const [errors, setErrors] = useState<Record<string, unknown>>({});

  const reload = useCallback(async () => {
    try {
      setResource(await api.get<T>(path));
      setLoadError(undefined);
    } catch (error) {
      setLoadError(error);
    }
  }, [path]);

  useEffect(() => {
    void reload();
  }, [reload]);

  /** Posts one change to `<path>/<action>` on the revision shown; true when it was applied. */
  const act = async (name: string, action: string, body: unknown, done: MessageKey): Promise<boolean> => {
    if (!resource) return false;
    setBusy(name);
    setOutcome(undefined);
    setErrors((all) => ({ ...all, [name]: undefined }));
    try {
      await api.post(`${path}/${action}`, body, ifMatch(resource.revision));
      setOutcome({ kind: 'ok', text: t(done) });
      await reload();
      return true;
    } catch (error) {
      if (isConflict(error)) {
        setOutcome({ kind: 'conflict', text: t('verifier.conflict') });
        await reload();
      } else {
        setErrors((all) => ({ ...all, [name]: error }));
      }
      return false;
    } finally {
      setBusy(undefined);
    }
  };

  return { resource, loadError, outcome, busy, errors, reload, act };
}
