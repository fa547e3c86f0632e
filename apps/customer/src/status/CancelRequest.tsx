import {
  errorMessage,
  isTransient,
  isUnreachable,
  retryDelayMs,
  useConnection,
  useTRPCClient,
} from '@dispatch/web';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { Notice } from '../ui/Notice.tsx';
import type { SessionDetails } from './headline.ts';

const REASONS = [
  'I no longer need help',
  'I fixed the problem myself',
  'It is taking too long',
  'I booked by mistake',
] as const;

/**
 * The cancel action's state, held by the status page rather than the form, so a failed cancel is
 * never forgotten when the form re-renders or the page re-reads the session after a reconnect.
 * When the server cannot be reached (or the browser is offline) it is retried for a few seconds,
 * then shown plainly as not done, with a retry. It is never queued to fire later by itself: a
 * customer who meanwhile sees a mechanic accept must not be cancelled behind their back.
 */
export function useCancelRequest(
  sessionId: string,
  onCancelled: (session: Omit<SessionDetails, 'position'>) => void,
) {
  const client = useTRPCClient();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState<string>(REASONS[0]);
  const mutation = useMutation({
    mutationFn: (input: { sessionId: string; reason: string }) => client.session.cancel.mutate(input),
    networkMode: 'always',
    retry: (failureCount, error) => isTransient(error) && failureCount < 3,
    retryDelay: (attempt, error) => retryDelayMs(attempt, error),
    onSuccess: (details) => {
      setOpen(false);
      onCancelled(details);
    },
  });
  return {
    open,
    setOpen,
    reason,
    setReason,
    submit: () => {
      if (!mutation.isPending) mutation.mutate({ sessionId, reason });
    },
    pending: mutation.isPending,
    /** Retrying after the server did not answer. */
    retrying: mutation.isPending && mutation.failureCount > 0,
    /** It did not go through: say so until the customer retries or gives up. */
    notDone: mutation.isError,
    error: mutation.error,
    unreachable: mutation.isError && isUnreachable(mutation.error),
    reset: () => mutation.reset(),
  };
}

/** "Cancel request", then a reason and a confirmation, inline (no modal to get lost in on a phone). */
export function CancelRequest({
  cancel,
  canCancel,
  acceptedBy,
}: {
  cancel: ReturnType<typeof useCancelRequest>;
  /** The domain still allows cancelling (false for a moment while the page re-reads). */
  canCancel: boolean;
  /** Who has accepted the request meanwhile, if anyone: what "not cancelled" now means. */
  acceptedBy: string | null;
}) {
  const id = useId();
  const selectRef = useRef<HTMLSelectElement>(null);
  const openerRef = useRef<HTMLButtonElement>(null);
  const live = useConnection().status === 'live';
  const { open } = cancel;

  useEffect(() => {
    if (open) selectRef.current?.focus();
  }, [open]);

  if (!open && !cancel.notDone) {
    return (
      <button
        ref={openerRef}
        type="button"
        className="button button--danger-quiet"
        onClick={() => cancel.setOpen(true)}
        disabled={!canCancel}
      >
        Cancel request
      </button>
    );
  }

  const close = () => {
    cancel.setOpen(false);
    cancel.reset();
    requestAnimationFrame(() => openerRef.current?.focus());
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    cancel.submit();
  };
  const busy = cancel.pending;
  return (
    <form
      className="cancel"
      onSubmit={submit}
      onKeyDown={(event) => {
        if (event.key === 'Escape' && !busy) close();
      }}
      aria-labelledby={`${id}-title`}
    >
      <h2 id={`${id}-title`} className="cancel__title">
        Cancel this request?
      </h2>
      <p className="muted">
        {acceptedBy
          ? `${acceptedBy} is told at once and the session ends; your chat stays here to read. You can book again at any time.`
          : 'Mechanics will no longer see it. You can book again at any time.'}
      </p>
      <div className="field">
        <label htmlFor={`${id}-reason`} className="field-label">
          Reason
        </label>
        <select
          ref={selectRef}
          id={`${id}-reason`}
          value={cancel.reason}
          onChange={(e) => cancel.setReason(e.target.value)}
          disabled={busy}
        >
          {REASONS.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
      </div>
      {cancel.retrying ? (
        <Notice tone="warning">
          <p>We cannot reach our server yet, so your request is not cancelled yet. Still trying…</p>
        </Notice>
      ) : cancel.notDone ? (
        <Notice tone="error">
          <p>
            <strong>Your request is not cancelled.</strong>{' '}
            {cancel.unreachable
              ? acceptedBy
                ? `We could not reach our server, and ${acceptedBy} has accepted your request since.`
                : 'We could not reach our server. Your request is still open, and a mechanic may still accept it.'
              : errorMessage(cancel.error)}
            {cancel.unreachable && live ? ' You are back online now: you can try again.' : ''}
          </p>
        </Notice>
      ) : null}
      <div className="button-row">
        <button type="submit" className="button button--danger" disabled={busy}>
          {busy ? 'Cancelling…' : cancel.notDone ? 'Try cancelling again' : 'Yes, cancel my request'}
        </button>
        <button type="button" className="button" onClick={close} disabled={cancel.pending}>
          Keep my request
        </button>
      </div>
    </form>
  );
}
