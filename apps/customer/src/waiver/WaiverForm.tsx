import type { RouterOutputs } from '@dispatch/api/client-types';
import { waiverSignatureSchema } from '@dispatch/domain';
import { errorCode, errorMessage, fieldErrors, useTRPC } from '@dispatch/web';
import { useMutation, useQuery } from '@tanstack/react-query';
import { type FormEvent, useId, useRef, useState } from 'react';
import { describedBy, FieldError, TextField } from '../ui/Field.tsx';
import { Loading, Notice } from '../ui/Notice.tsx';

type WaiverField = 'signerName' | 'consent';

/**
 * The free plan's liability waiver: its exact text and version, a typed-name signature and an
 * explicit consent box. The server stores the signature and queues the request in one transaction.
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
  const [signerName, setSignerName] = useState('');
  const [consent, setConsent] = useState(false);
  const [submitted, setSubmitted] = useState(false);
  const nameRef = useRef<HTMLInputElement>(null);
  const consentRef = useRef<HTMLInputElement>(null);
  const sign = useMutation(
    trpc.waiver.sign.mutationOptions({
      onSuccess: onSigned,
      onError: (error) => {
        // The text changed while it was open: show the new one, ask to sign again.
        if (errorCode(error) === 'CONFLICT') void waiver.refetch();
      },
    }),
  );

  if (waiver.isPending) return <Loading label="Loading the waiver…" />;
  if (waiver.isError) {
    return (
      <Notice tone="error">
        <p>We could not load the waiver. {errorMessage(waiver.error)}</p>
        <button type="button" className="button" onClick={() => waiver.refetch()}>
          Try again
        </button>
      </Notice>
    );
  }

  const parsed = waiverSignatureSchema.safeParse({
    sessionId,
    signerName,
    consent,
    waiverVersion: waiver.data.version,
  });
  const clientErrors: Partial<Record<WaiverField, string>> = {};
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = issue.path[0];
      if ((key === 'signerName' || key === 'consent') && !clientErrors[key])
        clientErrors[key] = issue.message;
    }
  }
  const server = fieldErrors(sign.error);
  const errors = {
    signerName: server.signerName ?? (submitted ? clientErrors.signerName : undefined),
    consent: server.consent ?? (submitted ? clientErrors.consent : undefined),
  };
  const formError = sign.error && !server.signerName && !server.consent ? sign.error : null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (sign.isPending) return;
    if (!parsed.success) {
      (clientErrors.signerName ? nameRef : consentRef).current?.focus();
      return;
    }
    sign.mutate(parsed.data);
  };

  return (
    <section className="waiver" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{waiver.data.title}</h2>
      <p className="muted">
        Version {waiver.data.version}. Free sessions need this before a mechanic can see your request.
      </p>
      {/* Scrollable, so it is focusable: keyboard users can scroll it too. */}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard */}
      <section className="waiver__text" aria-label="Waiver text" tabIndex={0}>
        <p>{waiver.data.text.replace(/\n/g, ' ')}</p>
      </section>
      {formError ? <Notice tone="error">{errorMessage(formError)}</Notice> : null}
      <form onSubmit={submit} noValidate>
        <TextField id={`${id}-name`} label="Type your full name to sign" error={errors.signerName}>
          <input
            ref={nameRef}
            id={`${id}-name`}
            autoComplete="name"
            className="signature"
            value={signerName}
            onChange={(e) => setSignerName(e.target.value)}
            {...describedBy(`${id}-name`, { error: errors.signerName })}
          />
        </TextField>
        <div className={`field field--check${errors.consent ? ' field--invalid' : ''}`}>
          <div className="check">
            <input
              ref={consentRef}
              id={`${id}-consent`}
              type="checkbox"
              checked={consent}
              onChange={(e) => setConsent(e.target.checked)}
              {...describedBy(`${id}-consent`, { error: errors.consent })}
            />
            <label htmlFor={`${id}-consent`}>I have read and agree to this waiver</label>
          </div>
          <FieldError id={`${id}-consent`} error={errors.consent} />
        </div>
        <button type="submit" className="button button--primary button--wide" disabled={sign.isPending}>
          {sign.isPending ? 'Signing…' : 'Sign and join the queue'}
        </button>
      </form>
    </section>
  );
}
