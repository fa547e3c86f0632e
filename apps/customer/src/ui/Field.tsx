import type { InputHTMLAttributes, ReactNode } from 'react';

/** Props that tie an input to its hint and error, for screen readers. */
export function describedBy(
  id: string,
  { hint, error, extra }: { hint?: ReactNode; error?: string | undefined; extra?: string },
) {
  const ids = [hint ? `${id}-hint` : null, extra ?? null, error ? `${id}-error` : null].filter(Boolean);
  return {
    'aria-describedby': ids.length > 0 ? ids.join(' ') : undefined,
    'aria-invalid': error ? true : undefined,
  } as const;
}

export function FieldHint({ id, children }: { id: string; children: ReactNode }) {
  return (
    <p id={`${id}-hint`} className="field-hint">
      {children}
    </p>
  );
}

export function FieldError({ id, error }: { id: string; error?: string | undefined }) {
  if (!error) return null;
  return (
    <p id={`${id}-error`} className="field-error">
      <span aria-hidden="true">⚠ </span>
      {error}
    </p>
  );
}

/** A labelled text input with its hint and inline error. */
export function TextField({
  id,
  label,
  hint,
  error,
  children,
}: {
  id: string;
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
  /** The input itself, given `id` and `describedBy(id, …)` by the caller. */
  children: ReactNode;
}) {
  return (
    <div className={`field${error ? ' field--invalid' : ''}`}>
      <label htmlFor={id} className="field-label">
        {label}
      </label>
      {hint ? <FieldHint id={id}>{hint}</FieldHint> : null}
      {children}
      <FieldError id={id} error={error} />
    </div>
  );
}

/** TextField with a plain controlled <input>: the common case of a form field. */
export function InputField({
  id,
  label,
  hint,
  error,
  value,
  onValue,
  ...input
}: {
  id: string;
  label: string;
  hint?: string;
  error?: string | undefined;
  value: string;
  onValue: (value: string) => void;
} & Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'value' | 'onChange'>) {
  return (
    <TextField id={id} label={label} hint={hint} error={error}>
      <input
        {...input}
        id={id}
        value={value}
        onChange={(event) => onValue(event.target.value)}
        {...describedBy(id, { hint, error })}
      />
    </TextField>
  );
}
