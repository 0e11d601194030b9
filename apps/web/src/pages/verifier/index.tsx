/**
 * The verifier's (Dinsos) area, loaded on demand below `/dinsos`: the work queue, one proposal, the monthly batches
 * and one batch. A small sub-navigation links the two lists.
 */
import { NavLink, Route, Routes } from 'react-router';
import { t } from '../../i18n';
import { NotFoundPage } from '../not-found.page';
import { BatchPage } from './batch.page';
import { BatchesPage } from './batches.page';
import { ProposalPage } from './proposal.page';
import { QueuePage } from './queue.page';
import './verifier.css';

export function VerifierArea() {
  return (
    <>
      <nav className="verifier-subnav" aria-label={t('verifier.nav')}>
        <ul>
          <li>
            <NavLink to="/dinsos" end>
              {t('verifier.nav.queue')}
            </NavLink>
          </li>
          <li>
            <NavLink to="/dinsos/batch">{t('verifier.nav.batches')}</NavLink>
          </li>
        </ul>
      </nav>
      <Routes>
        <Route index element={<QueuePage />} />
        <Route path="usulan/:id" element={<ProposalPage />} />
        <Route path="batch" element={<BatchesPage />} />
        <Route path="batch/:id" element={<BatchPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </>
  );
}
