/** The admin's area: users, their grants, status, password and API tokens (loaded on demand). */
import { Route, Routes } from 'react-router';
import { NotFoundPage } from '../not-found.page';
import { UserPage } from './user.page';
import { UsersPage } from './users.page';
import './admin.css';

export function AdminArea() {
  return (
    <div className="admin">
      <Routes>
        <Route index element={<UsersPage />} />
        <Route path="pengguna/:id" element={<UserPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </div>
  );
}
