import type { RouterOutputs } from '@dispatch/api/client-types';
import { waiverSignatureSchema } from '@dispatch/domain';
import { errorCode, errorMessage, fieldErrors, isTransient, retryDelayMs, useTRPC } from '@dispatch/web';
import { useForm, useStore } from '@tanstack/react-form';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useId, useRef } from 'react';
import { describedBy, FieldError, TextField } from '../ui/Field.tsx';
import { firstError, focusFirstInvalid } from '../ui/form.ts';
import { LABELS, labelled, messagesByField } from '../ui/labels.ts';
import { Loading, Notice } from '../ui/Notice.tsx';
import { waiverParagraphs } from './paragraphs.ts';

const WAIVER_FIELDS = ['signerName', 'consent'] as const;
type WaiverField = (typeof WAIVER_FIELDS)[number];

/**
 * The free plan's liability waiver: its exact text and version, a typed-name signature and an
 * explicit consent box, held by TanStack Form and checked with the shared schema. The server
 * stores the signature and queues the request in one transaction.
 */
export function WaiverForm({
  sessionId,
  onSigned,
}: {
  sessionId: string;
  onSigned: (session: RouterOutputs['waiver']['sign']) => void;
}) {
  const trpc = useTRPC();
  const id = useId();
  const waiver = useQuery(trpc.waiver.current.queryOptions());
  const formRef = useRef<HTMLFormElement>(null);
  const sign = useMutation(
    trpc.waiver.sign.mutationOptions({
      // Signing twice is refused, never doubled: safe to re-send while the server is unreachable.
      retry: (failureCount, error) => isTransient(error) && failureCount < 3,
      retryDelay: (attempt, error) => retryDelayMs(attempt, error),
      onSuccess: onSigned,
      onError: (error) => {
        // The text changed while it was open: show the new one, ask to sign again.
        if (errorCode(error) === 'CONFLICT') void waiver.refetch();
        focusFirstInvalid(formRef);
      },
    }),
  );
  const version = waiver.data?.version ?? '';
  const form = useForm({
    defaultValues: { signerName: '', consent: false },
    validators: {
      onChange: ({ value }) => {
        const parsed = waiverSignatureSchema.safeParse({
          sessionId,
          waiverVersion: version || 'unknown',
          ...value,
        });
        if (parsed.success) return undefined;
        return { fields: messagesByField(WAIVER_FIELDS, parsed.error.issues) };
      },
    },
    onSubmit: ({ value }) => {
      if (sign.isPending || !version) return;
      const parsed = waiverSignatureSchema.safeParse({ sessionId, waiverVersion: version, ...value });
      if (parsed.success) sign.mutate(parsed.data);
    },
    onSubmitInvalid: () => focusFirstInvalid(formRef),
  });
  const submitted = useStore(form.store, (state) => state.submissionAttempts > 0);

  if (waiver.data === undefined) {
    return waiver.error && !isTransient(waiver.error) ? (
      <Notice tone="error">
        <p>We could not load the waiver. {errorMessage(waiver.error)}</p>
        <button type="button" className="button" onClick={() => waiver.refetch()}>
          Try again
        </button>
      </Notice>
    ) : (
      <Loading label="Loading the waiver…" />
    );
  }

  const server = fieldErrors(sign.error);
  const formError = sign.error && !server.signerName && !server.consent ? sign.error : null;
  const shown = (field: WaiverField, meta: { errors: unknown[]; isBlurred: boolean }) =>
    (server[field] ? labelled(field, server[field]) : undefined) ??
    (submitted ? firstError(meta.errors) : undefined);

  return (
    <section className="waiver" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{waiver.data.title}</h2>
      <p className="muted">
        Version {waiver.data.version}. Free sessions need this before a mechanic can see your request.
      </p>
      {/* Scrollable, so it is focusable: keyboard users can scroll it too. */}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard */}
      <section className="waiver__text" aria-label="Waiver text" tabIndex={0}>
        {/* The words whose SHA-256 is stored with the signature, every one of them in order: its
            paragraphs as paragraphs, its hard line breaks reflowed to the screen's width. */}
        {waiverParagraphs(waiver.data.text).map((paragraph, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a fixed text's paragraphs never reorder
          <p key={index} className="waiver__words">
            {paragraph}
          </p>
        ))}
      </section>
      {sign.isPending && sign.failureCount > 0 ? (
        <Notice tone="warning">
          <p role="status">We cannot reach our server yet, so the waiver is not signed yet. Still trying…</p>
        </Notice>
      ) : null}
      {formError ? (
        <Notice tone="error">
          <p>
            <strong>Not signed yet.</strong> {errorMessage(formError)}
          </p>
        </Notice>
      ) : null}
      <form
        ref={formRef}
        onSubmit={(event) => {
          event.preventDefault();
          void form.handleSubmit();
        }}
        noValidate
      >
        <form.Field name="signerName">
          {(field) => {
            const error = shown('signerName', field.state.meta);
            return (
              <TextField id={`${id}-name`} label={LABELS.signerName} error={error}>
                <input
                  id={`${id}-name`}
                  autoComplete="name"
                  className="signature"
                  value={field.state.value}
                  onBlur={field.handleBlur}
                  onChange={(e) => field.handleChange(e.target.value)}
                  {...describedBy(`${id}-name`, { error })}
                />
              </TextField>
            );
          }}
        </form.Field>
        <form.Field name="consent">
          {(field) => {
            const error = shown('consent', field.state.meta);
            return (
              <div className={`field field--check${error ? ' field--invalid' : ''}`}>
                <div className="check">
                  <input
                    id={`${id}-consent`}
                    type="checkbox"
                    checked={field.state.value}
                    onBlur={field.handleBlur}
                    onChange={(e) => field.handleChange(e.target.checked)}
                    {...describedBy(`${id}-consent`, { error })}
                  />
                  <label htmlFor={`${id}-consent`}>{LABELS.consent}</label>
                </div>
                <FieldError id={`${id}-consent`} error={error} />
              </div>
            );
          }}
        </form.Field>
        <button type="submit" className="button button--primary button--wide" disabled={sign.isPending}>
          {sign.isPending ? 'Signing…' : 'Sign and join the queue'}
        </button>
      </form>
    </section>
  );
}
