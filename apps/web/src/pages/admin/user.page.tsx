import { useEffect, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError, api, call } from '../../api/client';
import { ErrorMessage, Field, Loading, Notice, SelectField } from '../../components/ui';
import { formatDateTime, t, type MessageKey } from '../../i18n';
import { grantText, ROLES, roleText, statusText, type ApiToken, type UserDetail } from './admin-api';

/** One user's account: grants, status, password, API tokens. Every change reloads the user from the API. */
export function UserPage() {
  const { id = '' } = useParams();
  const [user, setUser] = useState<UserDetail>();
  const [tokens, setTokens] = useState<ApiToken[]>([]);
  const [reload, setReload] = useState(0);
  const [loadError, setLoadError] = useState<unknown>();
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<MessageKey>();
  const [busy, setBusy] = useState(false);
  const [reason, setReason] = useState('');
  const [reasonMissing, setReasonMissing] = useState(false);
  const [role, setRole] = useState<string>(ROLES[0]);
  const [scope, setScope] = useState('');
  const [scopeMissing, setScopeMissing] = useState(false);
  const [password, setPassword] = useState('');
  const [passwordMissing, setPasswordMissing] = useState(false);
  const [tokenName, setTokenName] = useState('');
  const [tokenNameMissing, setTokenNameMissing] = useState(false);
  const [secret, setSecret] = useState<{ name: string; token: string }>();

  useEffect(() => {
    let live = true;
    Promise.all([api.get<UserDetail>(`/users/${id}`), api.get<ApiToken[]>(`/users/${id}/api-tokens`)])
      .then(([found, list]) => {
        if (!live) return;
        setUser(found);
        setTokens(list);
      })
      .catch((caught: unknown) => live && setLoadError(caught));
    return () => {
      live = false;
    };
  }, [id, reload]);

  /** Runs one change; on success shows `message` and reloads. */
  async function change(work: () => Promise<unknown>, message: MessageKey): Promise<boolean> {
    setError(undefined);
    setDone(undefined);
    setBusy(true);
    try {
      await work();
      setDone(message);
      setReload((n) => n + 1);
      return true;
    } catch (caught) {
      setError(caught);
      return false;
    } finally {
      setBusy(false);
    }
  }

  function needReason(): boolean {
    setReasonMissing(!reason.trim());
    return reason.trim() !== '';
  }

  async function onGrant(event: FormEvent) {
    event.preventDefault();
    setScopeMissing(!scope.trim());
    if (!scope.trim()) return;
    if (await change(() => api.post(`/users/${id}/grants`, { role, scope: scope.trim() }), 'admin.user.granted')) {
      setScope('');
    }
  }

  async function onPassword(event: FormEvent) {
    event.preventDefault();
    setPasswordMissing(!password);
    if (!password) return;
    if (await change(() => api.post(`/users/${id}/password`, { password }), 'admin.user.password.done')) {
      setPassword('');
    }
  }

  async function onCreateToken(event: FormEvent) {
    event.preventDefault();
    setTokenNameMissing(!tokenName.trim());
    if (!tokenName.trim()) return;
    const name = tokenName.trim();
    setSecret(undefined);
    await change(async () => {
      const created = await api.post<{ token: string }>(`/users/${id}/api-tokens`, { name });
      // Shown once, from memory only: never stored, never logged.
      setSecret({ name, token: created.token });
      setTokenName('');
    }, 'admin.tokens.created');
  }

  if (loadError) return <ErrorMessage error={loadError} />;
  if (!user) return <Loading />;
  const apiError = error instanceof ApiError ? error : undefined;
  const active = user.status === 'active';

  return (
    <>
      <p>
        <Link to="/admin">{t('admin.user.back')}</Link>
      </p>
      <h1>{t('admin.user.title', { username: user.username })}</h1>
      <ErrorMessage error={error} />
      {done && <Notice>{t(done)}</Notice>}

      <section aria-labelledby="admin-user-details">
        <h2 id="admin-user-details">{t('admin.user.details')}</h2>
        <dl>
          <dt>{t('admin.users.displayName')}</dt>
          <dd>{user.displayName}</dd>
          <dt>{t('admin.users.homeRegion')}</dt>
          <dd>{user.homeRegion}</dd>
          <dt>{t('admin.users.status')}</dt>
          <dd data-status={user.status}>{statusText(user.status)}</dd>
        </dl>
      </section>

      <section aria-labelledby="admin-user-grants">
        <h2 id="admin-user-grants">{t('admin.user.grants')}</h2>
        <Field
          label={t('admin.user.reason')}
          hint={t('admin.user.reason.hint')}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          errors={[...(reasonMissing ? [t('admin.required')] : []), ...(apiError?.fieldMessages('reason') ?? [])]}
        />
        {user.grants.length === 0 ? (
          <p>{t('admin.user.grants.none')}</p>
        ) : (
          <ul className="cards">
            {user.grants.map((grant) => (
              <li className="card" key={grant.grantId}>
                <span>{grantText(grant)}</span>{' '}
                <button
                  type="button"
                  className="button button--danger"
                  disabled={busy}
                  aria-label={t('admin.user.revokeLabel', { grant: grantText(grant) })}
                  onClick={() =>
                    needReason() &&
                    void change(
                      () => api.post(`/users/${id}/grants/${grant.grantId}/revoke`, { reason: reason.trim() }),
                      'admin.user.revoked',
                    )
                  }
                >
                  {t('admin.user.revoke')}
                </button>
              </li>
            ))}
          </ul>
        )}
        <h3>{t('admin.user.grant')}</h3>
        <form className="inline-form" onSubmit={(e) => void onGrant(e)} noValidate aria-label={t('admin.user.grant')}>
          <SelectField
            label={t('admin.user.grant.role')}
            value={role}
            onChange={(e) => setRole(e.target.value)}
            options={ROLES.map((value) => ({ value, label: roleText(value) }))}
            errors={apiError?.fieldMessages('role') ?? []}
          />
          <Field
            label={t('admin.user.grant.scope')}
            hint={t('admin.scope.hint')}
            value={scope}
            onChange={(e) => setScope(e.target.value)}
            autoComplete="off"
            errors={[...(scopeMissing ? [t('admin.required')] : []), ...(apiError?.fieldMessages('scope') ?? [])]}
          />
          <button type="submit" className="button button--primary" disabled={busy}>
            {t('admin.user.grant.submit')}
          </button>
        </form>
      </section>

      <section aria-labelledby="admin-user-status">
        <h2 id="admin-user-status">{t('admin.user.status')}</h2>
        <p>{statusText(user.status)}</p>
        <div className="actions">
          {active ? (
            <button
              type="button"
              className="button button--danger"
              disabled={busy}
              onClick={() =>
                needReason() &&
                void change(() => api.post(`/users/${id}/disable`, { reason: reason.trim() }), 'admin.user.disabled')
              }
            >
              {t('admin.user.disable')}
            </button>
          ) : (
            <button
              type="button"
              className="button"
              disabled={busy}
              onClick={() => void change(() => api.post(`/users/${id}/enable`), 'admin.user.enabled')}
            >
              {t('admin.user.enable')}
            </button>
          )}
        </div>
      </section>

      <section aria-labelledby="admin-user-password">
        <h2 id="admin-user-password">{t('admin.user.password')}</h2>
        <form onSubmit={(e) => void onPassword(e)} noValidate className="narrow" aria-label={t('admin.user.password')}>
          <Field
            label={t('admin.user.password.new')}
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            errors={[...(passwordMissing ? [t('admin.required')] : []), ...(apiError?.fieldMessages('password') ?? [])]}
          />
          <button type="submit" className="button" disabled={busy}>
            {t('admin.user.password.submit')}
          </button>
        </form>
      </section>

      <section aria-labelledby="admin-user-tokens">
        <h2 id="admin-user-tokens">{t('admin.tokens')}</h2>
        <p>{t('admin.tokens.intro')}</p>
        {secret && (
          <div className="alert alert--warning" role="status">
            <p>{t('admin.tokens.secret')}</p>
            <p className="hash">
              <code data-token-name={secret.name}>{secret.token}</code>
            </p>
          </div>
        )}
        <form
          className="inline-form"
          onSubmit={(e) => void onCreateToken(e)}
          noValidate
          aria-label={t('admin.tokens.create')}
        >
          <Field
            label={t('admin.tokens.name')}
            hint={t('admin.tokens.name.hint')}
            value={tokenName}
            onChange={(e) => setTokenName(e.target.value)}
            autoComplete="off"
            errors={[...(tokenNameMissing ? [t('admin.required')] : []), ...(apiError?.fieldMessages('name') ?? [])]}
          />
          <button type="submit" className="button button--primary" disabled={busy}>
            {t('admin.tokens.create')}
          </button>
        </form>
        {tokens.length === 0 ? (
          <p>{t('admin.tokens.none')}</p>
        ) : (
          <div className="table-scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('admin.tokens.name')}</th>
                  <th scope="col">{t('admin.tokens.createdAt')}</th>
                  <th scope="col">{t('admin.tokens.lastUsedAt')}</th>
                  <th scope="col">{t('admin.tokens.state')}</th>
                </tr>
              </thead>
              <tbody>
                {tokens.map((token) => (
                  <tr key={token.tokenId}>
                    <th scope="row">{token.name}</th>
                    <td>{formatDateTime(token.createdAt)}</td>
                    <td>{token.lastUsedAt ? formatDateTime(token.lastUsedAt) : t('admin.tokens.never')}</td>
                    <td>
                      {token.revokedAt ? (
                        t('admin.tokens.revokedAt', { date: formatDateTime(token.revokedAt) })
                      ) : (
                        <>
                          {t('admin.tokens.active')}{' '}
                          <button
                            type="button"
                            className="button button--danger"
                            disabled={busy}
                            aria-label={t('admin.tokens.revokeLabel', { name: token.name })}
                            onClick={() =>
                              void change(
                                () => call(`/users/${id}/api-tokens/${token.tokenId}/revoke`, { method: 'POST' }),
                                'admin.tokens.revoked',
                              )
                            }
                          >
                            {t('admin.tokens.revoke')}
                          </button>
                        </>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
