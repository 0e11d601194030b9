import type { ReactNode } from 'react';

/** A table that may scroll sideways on a phone: a named region that takes focus, so keyboards can scroll it too. */
export function ScrollTable({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-scroll" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
