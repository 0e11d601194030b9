import { useEffect, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { ApiError, api, query } from '../../api/client';
import { ErrorMessage, Field, Loading, Notice, SelectField } from '../../components/ui';
import { formatNumber, t } from '../../i18n';
import { grantText, ROLES, statusText, type UserSummary } from './admin-api';

interface Page {
  items: UserSummary[];
  nextCursor: string | null;
}

function CreateUserForm({ onCreated }: { onCreated: (username: string) => void }) {
  const [form, setForm] = useState({
    username: '',
    displayName: '',
    homeRegion: '',
    password: '',
    role: '',
    scope: '',
  });
  const [missing, setMissing] = useState<string[]>([]);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const set = (name: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((current) => ({ ...current, [name]: e.target.value }));
  const apiError = error instanceof ApiError ? error : undefined;
  const errorsOf = (name: string) => [
    ...(missing.includes(name) ? [t('admin.required')] : []),
    ...(apiError?.fieldMessages(name) ?? []),
    ...(name === 'scope' ? (apiError?.fieldMessages('grants') ?? []) : []),
  ];

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const required: (keyof typeof form)[] = ['username', 'displayName', 'homeRegion', 'password'];
    if (form.role) required.push('scope');
    const empty = required.filter((name) => !form[name].trim());
    setMissing(empty);
    setError(undefined);
    if (empty.length > 0) return;
    setBusy(true);
    try {
      await api.post('/users', {
        username: form.username.trim(),
        displayName: form.displayName.trim(),
        homeRegion: form.homeRegion.trim(),
        password: form.password,
        grants: form.role ? [{ role: form.role, scope: form.scope.trim() }] : [],
      });
      onCreated(form.username.trim());
      setForm({ username: '', displayName: '', homeRegion: '', password: '', role: '', scope: '' });
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={(e) => void onSubmit(e)} noValidate className="narrow" aria-labelledby="admin-create">
      <ErrorMessage error={error} />
      <Field
        label={t('admin.users.username')}
        hint={t('admin.create.username.hint')}
        value={form.username}
        onChange={set('username')}
        autoComplete="off"
        autoCapitalize="none"
        spellCheck={false}
        errors={errorsOf('username')}
      />
      <Field
        label={t('admin.users.displayName')}
        value={form.displayName}
        onChange={set('displayName')}
        autoComplete="off"
        errors={errorsOf('displayName')}
      />
      <Field
        label={t('admin.users.homeRegion')}
        hint={t('admin.create.homeRegion.hint')}
        value={form.homeRegion}
        onChange={set('homeRegion')}
        autoComplete="off"
        errors={errorsOf('homeRegion')}
      />
      <Field
        label={t('admin.create.password')}
        hint={t('admin.create.password.hint')}
        type="password"
        value={form.password}
        onChange={set('password')}
        autoComplete="new-password"
        errors={errorsOf('password')}
      />
      <SelectField
        label={t('admin.create.role')}
        value={form.role}
        onChange={set('role')}
        options={[
          { value: '', label: t('admin.create.role.none') },
          ...ROLES.map((role) => ({ value: role, label: t(`role.${role}`) })),
        ]}
      />
      {form.role && (
        <Field
          label={t('admin.create.scope')}
          hint={t('admin.scope.hint')}
          value={form.scope}
          onChange={set('scope')}
          autoComplete="off"
          errors={errorsOf('scope')}
        />
      )}
      <div className="actions">
        <button type="submit" className="button button--primary button--large" disabled={busy}>
          {t('admin.create.submit')}
        </button>
      </div>
    </form>
  );
}

/** Users in the administrator's regions (filtered by region and by text), and a form to add one. */
export function UsersPage() {
  const [region, setRegion] = useState('');
  const [text, setText] = useState('');
  // The query that was sent, and the pages it answered; `reload` refetches after a change.
  const [request, setRequest] = useState({ region: '', reload: 0 });
  const [pages, setPages] = useState<{ request: typeof request; items: UserSummary[]; next: string | null }>();
  const [error, setError] = useState<unknown>();
  const [created, setCreated] = useState<string>();
  const loading = pages?.request !== request && !error;

  useEffect(() => {
    let live = true;
    api
      .get<Page>(`/users${query({ region: request.region || undefined, limit: 50 })}`)
      .then((page) => live && setPages({ request, items: page.items, next: page.nextCursor }))
      .catch((caught: unknown) => live && setError(caught));
    return () => {
      live = false;
    };
  }, [request]);

  async function more() {
    if (!pages?.next) return;
    try {
      const page = await api.get<Page>(
        `/users${query({ region: request.region || undefined, cursor: pages.next, limit: 50 })}`,
      );
      setPages({ request, items: [...pages.items, ...page.items], next: page.nextCursor });
    } catch (caught) {
      setError(caught);
    }
  }

  const needle = text.trim().toLowerCase();
  const shown = (pages?.items ?? []).filter(
    (user) =>
      !needle || user.username.toLowerCase().includes(needle) || user.displayName.toLowerCase().includes(needle),
  );

  return (
    <>
      <h1>{t('admin.title')}</h1>
      <section aria-labelledby="admin-users">
        <h2 id="admin-users">{t('admin.users')}</h2>
        <form
          className="inline-form"
          aria-label={t('admin.users.filter')}
          onSubmit={(e) => {
            e.preventDefault();
            setError(undefined);
            setRequest({ region: region.trim(), reload: request.reload + 1 });
          }}
        >
          <Field
            label={t('admin.users.region')}
            hint={t('admin.users.region.hint')}
            value={region}
            onChange={(e) => setRegion(e.target.value)}
          />
          <Field label={t('admin.users.text')} value={text} onChange={(e) => setText(e.target.value)} type="search" />
          <button type="submit" className="button">
            {t('admin.users.show')}
          </button>
        </form>
        <ErrorMessage error={error} />
        {loading && <Loading />}
        {pages && (
          <>
            <p role="status">{t('admin.users.count', { count: formatNumber(shown.length) })}</p>
            <div className="table-scroll">
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('admin.users.username')}</th>
                    <th scope="col">{t('admin.users.displayName')}</th>
                    <th scope="col">{t('admin.users.homeRegion')}</th>
                    <th scope="col">{t('admin.users.status')}</th>
                    <th scope="col">{t('admin.users.grants')}</th>
                  </tr>
                </thead>
                <tbody>
                  {shown.map((user) => (
                    <tr key={user.userId}>
                      <th scope="row">
                        <Link to={`/admin/pengguna/${user.userId}`}>{user.username}</Link>
                      </th>
                      <td>{user.displayName}</td>
                      <td>{user.homeRegion}</td>
                      <td>
                        <span className={`badge${user.status === 'active' ? '' : ' badge--warning'}`}>
                          {statusText(user.status)}
                        </span>
                      </td>
                      <td>{user.grants.map(grantText).join('; ')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {pages.next && (
              <div className="actions">
                <button type="button" className="button" onClick={() => void more()}>
                  {t('admin.users.more')}
                </button>
              </div>
            )}
          </>
        )}
      </section>
      <section aria-labelledby="admin-create">
        <h2 id="admin-create">{t('admin.create')}</h2>
        {created && <Notice>{t('admin.create.done', { username: created })}</Notice>}
        <CreateUserForm
          onCreated={(username) => {
            setCreated(username);
            setRequest((current) => ({ ...current, reload: current.reload + 1 }));
          }}
        />
      </section>
    </>
  );
}
