/** A labelled multi-line field with its errors under it, like the shared Field (which is a one-line input). */
import { useId, type TextareaHTMLAttributes } from 'react';

interface TextAreaProps extends TextareaHTMLAttributes<HTMLTextAreaElement> {
  label: string;
  errors?: readonly string[];
}

export function TextArea({ label, errors = [], id, ...textarea }: TextAreaProps) {
  const generated = useId();
  const areaId = id ?? generated;
  return (
    <div className={`field${errors.length ? ' field--error' : ''}`}>
      <label htmlFor={areaId}>{label}</label>
      <textarea
        id={areaId}
        rows={3}
        aria-invalid={errors.length > 0}
        aria-describedby={errors.length ? `${areaId}-errors` : undefined}
        {...textarea}
      />
      {errors.length > 0 && (
        <ul className="field__errors" id={`${areaId}-errors`}>
          {errors.map((error) => (
            <li key={error}>{error}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
