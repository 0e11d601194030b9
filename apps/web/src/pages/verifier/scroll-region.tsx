/**
 * A table that may scroll sideways on a phone: a named, focusable region, so keyboard users can scroll it too
 * (axe: scrollable-region-focusable).
 */
import type { ReactNode } from 'react';

export function ScrollRegion({
  label,
  className,
  children,
}: {
  label: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className={`table-scroll${className ? ` ${className}` : ''}`} role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
