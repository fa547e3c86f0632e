import type { RefObject } from 'react';
import type { z } from 'zod';
import { type LabelledField, messagesByField } from './labels.ts';

/**
 * A TanStack Form form-level validator from a shared zod schema: one message per field, named by
 * the field's label. Returns undefined when valid (TanStack Form's "no error").
 */
export function schemaValidator<F extends LabelledField, V>(
  schema: z.ZodType,
  fields: readonly F[],
  toInput: (value: V) => unknown = (value) => value,
) {
  return ({ value }: { value: V }) => {
    const result = schema.safeParse(toInput(value));
    if (result.success) return undefined;
    const fieldsErrors = messagesByField(fields, result.error.issues);
    return Object.keys(fieldsErrors).length > 0 ? { fields: fieldsErrors } : undefined;
  };
}

/** The first error TanStack Form holds for a field, as a string. */
export function firstError(errors: readonly unknown[]): string | undefined {
  for (const error of errors) {
    if (typeof error === 'string' && error) return error;
    if (error && typeof error === 'object' && 'message' in error) return String(error.message);
  }
  return undefined;
}

/** Moves focus to the first field marked invalid, once React has marked it. */
export function focusFirstInvalid(form: RefObject<HTMLFormElement | null>) {
  requestAnimationFrame(() => form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
}

/** Moves focus to the first of `fields` (in form order) that has an error: `#${idPrefix}-${field}`. */
export function focusFirstOf<F extends string>(
  idPrefix: string,
  fields: readonly F[],
  errors: Partial<Record<F, unknown>> | undefined,
) {
  const first = fields.find((field) => errors?.[field]);
  if (first) requestAnimationFrame(() => document.getElementById(`${idPrefix}-${first}`)?.focus());
}

/** The per-field errors a schemaValidator gives for `value` (for focusing the first one). */
export function errorsOf<V>(
  validate: (arg: { value: V }) => { fields: Record<string, string> } | undefined,
  value: V,
) {
  return validate({ value })?.fields;
}
