import { errorMessage, useTRPC } from '@dispatch/web';
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

/** "Cancel request", then a reason and a confirmation, inline (no modal to get lost in on a phone). */
export function CancelRequest({
  sessionId,
  onCancelled,
}: {
  sessionId: string;
  onCancelled: (session: Omit<SessionDetails, 'position'>) => void;
}) {
  const trpc = useTRPC();
  const id = useId();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState<string>(REASONS[0]);
  const selectRef = useRef<HTMLSelectElement>(null);
  const openerRef = useRef<HTMLButtonElement>(null);
  const cancel = useMutation(trpc.session.cancel.mutationOptions({ onSuccess: onCancelled }));

  useEffect(() => {
    if (open) selectRef.current?.focus();
  }, [open]);

  if (!open) {
    return (
      <button
        ref={openerRef}
        type="button"
        className="button button--danger-quiet"
        onClick={() => setOpen(true)}
      >
        Cancel request
      </button>
    );
  }

  const close = () => {
    setOpen(false);
    cancel.reset();
    requestAnimationFrame(() => openerRef.current?.focus());
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!cancel.isPending) cancel.mutate({ sessionId, reason });
  };
  return (
    <form className="cancel" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="cancel__title">
        Cancel this request?
      </h2>
      <p className="muted">A mechanic will no longer see it. You can book again at any time.</p>
      <div className="field">
        <label htmlFor={`${id}-reason`} className="field-label">
          Reason
        </label>
        <select
          ref={selectRef}
          id={`${id}-reason`}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        >
          {REASONS.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
      </div>
      {cancel.error ? <Notice tone="error">{errorMessage(cancel.error)}</Notice> : null}
      <div className="button-row">
        <button type="submit" className="button button--danger" disabled={cancel.isPending}>
          {cancel.isPending ? 'Cancelling…' : 'Yes, cancel my request'}
        </button>
        <button type="button" className="button" onClick={close} disabled={cancel.isPending}>
          Keep my request
        </button>
      </div>
    </form>
  );
}
