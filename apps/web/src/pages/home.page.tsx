import { Link } from 'react-router';
import { useSession } from '../auth/session';
import { Loading } from '../components/ui';
import { hasMessage, t } from '../i18n';

const AREA_OF_ROLE: Record<string, string> = {
  VILLAGE_OPERATOR: '/desa',
  VERIFIER: '/dinsos',
  AUDITOR: '/audit',
  ADMIN: '/admin',
};

/** Signed in: the user's roles with a link to each area. Anonymous: what Muskel is, sign-in and the public board. */
export function HomePage() {
  const { me, loading } = useSession();
  if (loading) return <Loading />;
  if (!me) {
    return (
      <section>
        <h1>{t('app.name')}</h1>
        <p>{t('app.tagline')}</p>
        <p>{t('home.anonymous')}</p>
        <p className="actions">
          <Link className="button button--primary" to="/masuk">
            {t('nav.login')}
          </Link>
          <Link className="button" to="/papan">
            {t('nav.board')}
          </Link>
        </p>
      </section>
    );
  }
  return (
    <section>
      <h1>{t('home.title', { name: me.displayName })}</h1>
      <h2>{t('home.roles')}</h2>
      <ul className="cards">
        {me.grants.map((grant) => {
          const roleKey = `role.${grant.role}`;
          const area = AREA_OF_ROLE[grant.role];
          return (
            <li key={`${grant.role}-${grant.scope}`} className="card">
              {area ? <Link to={area}>{hasMessage(roleKey) ? t(roleKey) : grant.role}</Link> : grant.role}
              <span className="muted"> · {grant.scope}</span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
