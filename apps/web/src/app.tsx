/**
 * The application shell: skip link, header with the navigation of the roles the user holds, and the routes.
 * Hash routes (`/#/papan/...`) keep every client path apart from the JSON API's paths on the same origin. Each
 * role's area is loaded on demand, so the first load carries only the shell, sign-in and the public board.
 */
import { createHashRouter, Link, NavLink, Outlet, RouterProvider, useNavigate } from 'react-router';
import { SessionProvider, useSession } from './auth/session';
import { t, type MessageKey } from './i18n';
import { HomePage } from './pages/home.page';
import { LoginPage } from './pages/login.page';
import { NotFoundPage } from './pages/not-found.page';
import { PublicBoardPage } from './pages/public/board.page';

const AREAS: readonly { path: string; label: MessageKey; role?: string }[] = [
  { path: '/desa', label: 'nav.secretary', role: 'VILLAGE_OPERATOR' },
  { path: '/dinsos', label: 'nav.verifier', role: 'VERIFIER' },
  { path: '/audit', label: 'nav.auditor', role: 'AUDITOR' },
  { path: '/admin', label: 'nav.admin', role: 'ADMIN' },
];

function Layout() {
  const { me, hasRole, logout } = useSession();
  const navigate = useNavigate();
  return (
    <>
      <a
        className="skip-link"
        href="#main"
        onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}
      >
        {t('nav.skip')}
      </a>
      <header className="app-header">
        <Link to="/" className="app-header__brand">
          {t('app.name')}
        </Link>
        <nav aria-label={t('nav.main')}>
          <ul>
            {AREAS.filter((area) => area.role && hasRole(area.role)).map((area) => (
              <li key={area.path}>
                <NavLink to={area.path}>{t(area.label)}</NavLink>
              </li>
            ))}
            <li>
              <NavLink to="/papan">{t('nav.board')}</NavLink>
            </li>
            <li>
              <NavLink to="/verifikasi">{t('nav.verify')}</NavLink>
            </li>
            <li>
              {me ? (
                <button type="button" className="link-button" onClick={() => void logout().then(() => navigate('/'))}>
                  {t('nav.logout')}
                </button>
              ) : (
                <NavLink to="/masuk">{t('nav.login')}</NavLink>
              )}
            </li>
          </ul>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}

const router = createHashRouter([
  {
    path: '/',
    element: <Layout />,
    children: [
      { index: true, element: <HomePage /> },
      { path: 'masuk', element: <LoginPage /> },
      { path: 'papan', element: <PublicBoardPage /> },
      { path: 'papan/:village', element: <PublicBoardPage /> },
      { path: 'papan/:village/:period', element: <PublicBoardPage /> },
      {
        path: 'verifikasi/*',
        lazy: async () => ({ Component: (await import('./pages/public/verify.area')).VerifyArea }),
      },
      { path: 'desa/*', lazy: async () => ({ Component: (await import('./pages/secretary')).SecretaryArea }) },
      { path: 'dinsos/*', lazy: async () => ({ Component: (await import('./pages/verifier')).VerifierArea }) },
      { path: 'audit/*', lazy: async () => ({ Component: (await import('./pages/auditor')).AuditorArea }) },
      { path: 'admin/*', lazy: async () => ({ Component: (await import('./pages/admin')).AdminArea }) },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]);

export function App() {
  return (
    <SessionProvider>
      <RouterProvider router={router} />
    </SessionProvider>
  );
}
