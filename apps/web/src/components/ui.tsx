/**
 * Small building blocks every page shares: labelled fields with their error next to them, an error summary that
 * takes focus, a progress bar, a loading line. Accessible by construction (labels, aria-describedby, roles).
 */
import { useEffect, useId, useRef, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from 'react';
import { ApiError } from '../api/client';
import { t } from '../i18n';

interface FieldProps extends InputHTMLAttributes<HTMLInputElement> {
  label: string;
  /** Blocking errors: the field is invalid. */
  errors?: readonly string[];
  /** Soft warnings: shown, but the input may be submitted. */
  warnings?: readonly string[];
  hint?: string;
}

export function Field({ label, errors = [], warnings = [], hint, id, ...input }: FieldProps) {
  const generated = useId();
  const inputId = id ?? generated;
  const describedBy = [
    hint ? `${inputId}-hint` : '',
    errors.length ? `${inputId}-errors` : '',
    warnings.length ? `${inputId}-warnings` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <div className={`field${errors.length ? ' field--error' : ''}${warnings.length ? ' field--warning' : ''}`}>
      <label htmlFor={inputId}>{label}</label>
      {hint && (
        <p className="field__hint" id={`${inputId}-hint`}>
          {hint}
        </p>
      )}
      <input id={inputId} aria-invalid={errors.length > 0} aria-describedby={describedBy || undefined} {...input} />
      {errors.length > 0 && (
        <ul className="field__errors" id={`${inputId}-errors`}>
          {errors.map((error) => (
            <li key={error}>{error}</li>
          ))}
        </ul>
      )}
      {warnings.length > 0 && (
        <ul className="field__warnings" id={`${inputId}-warnings`}>
          {warnings.map((warning) => (
            <li key={warning}>{warning}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

interface SelectProps extends SelectHTMLAttributes<HTMLSelectElement> {
  label: string;
  options: readonly { value: string; label: string }[];
  errors?: readonly string[];
}

export function SelectField({ label, options, errors = [], id, ...select }: SelectProps) {
  const generated = useId();
  const selectId = id ?? generated;
  return (
    <div className={`field${errors.length ? ' field--error' : ''}`}>
      <label htmlFor={selectId}>{label}</label>
      <select
        id={selectId}
        aria-invalid={errors.length > 0}
        aria-describedby={errors.length ? `${selectId}-errors` : undefined}
        {...select}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      {errors.length > 0 && (
        <ul className="field__errors" id={`${selectId}-errors`}>
          {errors.map((error) => (
            <li key={error}>{error}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** An error from the API (or anything thrown), in plain Indonesian, announced and focused. */
export function ErrorMessage({ error }: { error: unknown }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.focus(), [error]);
  if (!error) return null;
  const text = error instanceof ApiError ? error.userMessage : t('common.error');
  return (
    <div className="alert alert--error" role="alert" tabIndex={-1} ref={ref}>
      {text}
    </div>
  );
}

export function Notice({ children }: { children: ReactNode }) {
  return (
    <div className="alert alert--info" role="status">
      {children}
    </div>
  );
}

export function Loading() {
  return (
    <p className="loading" role="status">
      {t('common.loading')}
    </p>
  );
}

/** Progress of a long job, 0-100. */
export function ProgressBar({ value, label }: { value: number; label: string }) {
  const clamped = Math.max(0, Math.min(100, Math.round(value)));
  return (
    <div className="progress">
      <progress max={100} value={clamped} aria-label={label}>
        {clamped}%
      </progress>
      <span aria-hidden="true">{clamped}%</span>
    </div>
  );
}

/** A horizontal bar chart of counts, drawn with plain elements (no chart library: the first load stays small). */
export function BarChart({ title, data }: { title: string; data: readonly { label: string; value: number }[] }) {
  const max = Math.max(1, ...data.map((d) => d.value));
  return (
    <figure className="bar-chart">
      <figcaption>{title}</figcaption>
      {data.length === 0 ? (
        <p>{t('common.none')}</p>
      ) : (
        <ul>
          {data.map((d) => (
            <li key={d.label}>
              <span className="bar-chart__label">{d.label}</span>
              <span className="bar-chart__bar" style={{ width: `${(d.value / max) * 100}%` }} aria-hidden="true" />
              <span className="bar-chart__value">{d.value}</span>
            </li>
          ))}
        </ul>
      )}
    </figure>
  );
}
