/**
 * Public verification pages (no sign-in): the audit log's checkpoint and inclusion proofs checked in the browser,
 * and the page a berita acara's QR code opens, comparing the printed minutes digest with the recorded one.
 */
import { lazy, Suspense } from 'react';
import { Route, Routes } from 'react-router';
import { Loading } from '../../components/ui';

const MinutesCheckPage = lazy(() => import('./minutes-check.page').then((m) => ({ default: m.MinutesCheckPage })));
const VerifyLogPage = lazy(() => import('./verify-log.page').then((m) => ({ default: m.VerifyLogPage })));

export function VerifyArea() {
  return (
    <Suspense fallback={<Loading />}>
      <Routes>
        <Route path="berita-acara/:meetingId" element={<MinutesCheckPage />} />
        <Route path="*" element={<VerifyLogPage />} />
      </Routes>
    </Suspense>
  );
}
