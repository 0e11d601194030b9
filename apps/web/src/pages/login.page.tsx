import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { useSession } from '../auth/session';
import { ErrorMessage, Field } from '../components/ui';
import { t } from '../i18n';

export function LoginPage() {
  const { login } = useSession();
  const navigate = useNavigate();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await login(username.trim(), password);
      await navigate('/');
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="narrow">
      <h1>{t('login.title')}</h1>
      <ErrorMessage error={error} />
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Field
          label={t('login.username')}
          name="username"
          autoComplete="username"
          required
          value={username}
          onChange={(e) => setUsername(e.target.value)}
        />
        <Field
          label={t('login.password')}
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <button type="submit" className="button button--primary" disabled={busy}>
          {t('login.submit')}
        </button>
      </form>
    </section>
  );
}
