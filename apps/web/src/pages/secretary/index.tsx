/** The secretary's area (operator desa/kelurahan): its own routes below `/desa` (loaded on demand). */
import { Link, NavLink, Route, Routes } from 'react-router';
import { useSession } from '../../auth/session';
import { Loading, Notice } from '../../components/ui';
import { t } from '../../i18n';
import { NotFoundPage } from '../not-found.page';
import { MeetingPage } from './meeting.page';
import { MeetingsPage } from './meetings.page';
import { MonthPage } from './month.page';
import { ProposalPage } from './proposal.page';
import { useVillage } from './village';
import './secretary.css';

export function SecretaryArea() {
  const { loading, hasRole } = useSession();
  const village = useVillage();
  if (loading) return <Loading />;
  if (!hasRole('VILLAGE_OPERATOR')) {
    return (
      <div className="narrow">
        <h1>{t('nav.secretary')}</h1>
        <Notice>
          {t('secretary.needVillage')} <Link to="/masuk">{t('secretary.signIn')}</Link>
        </Notice>
      </div>
    );
  }
  if (!village) {
    return (
      <div className="narrow">
        <h1>{t('nav.secretary')}</h1>
        <Notice>{t('secretary.noVillageScope')}</Notice>
      </div>
    );
  }
  return (
    <div className="secretary">
      <nav aria-label={t('secretary.nav')} className="secretary__nav">
        <ul>
          <li>
            <NavLink end to="/desa">
              {t('secretary.nav.month')}
            </NavLink>
          </li>
          <li>
            <NavLink to="/desa/usulan/baru">{t('secretary.nav.newProposal')}</NavLink>
          </li>
          <li>
            <NavLink to="/desa/musyawarah">{t('secretary.nav.meetings')}</NavLink>
          </li>
        </ul>
      </nav>
      <Routes>
        <Route index element={<MonthPage village={village} />} />
        <Route path="usulan/baru" element={<ProposalPage village={village} />} />
        <Route path="musyawarah" element={<MeetingsPage village={village} />} />
        <Route path="musyawarah/:id" element={<MeetingPage village={village} />} />
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </div>
  );
}
