/** The auditor's area: timelines with audit-log proofs, and a village's registry as of a date (loaded on demand). */
import { NavLink, Route, Routes } from 'react-router';
import { t } from '../../i18n';
import { NotFoundPage } from '../not-found.page';
import { RegistryPage } from './registry.page';
import { TimelineRoute } from './timeline.page';
import './auditor.css';

export function AuditorArea() {
  return (
    <div className="audit">
      <nav className="audit-nav" aria-label={t('auditor.nav')}>
        <ul>
          <li>
            <NavLink to="/audit" end>
              {t('auditor.nav.timeline')}
            </NavLink>
          </li>
          <li>
            <NavLink to="/audit/registri">{t('auditor.nav.registry')}</NavLink>
          </li>
        </ul>
      </nav>
      <Routes>
        <Route index element={<TimelineRoute />} />
        <Route path="riwayat/:kind/:id" element={<TimelineRoute />} />
        <Route path="registri" element={<RegistryPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </div>
  );
}
