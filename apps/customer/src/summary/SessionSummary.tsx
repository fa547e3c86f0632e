import type { RouterOutputs } from '@dispatch/api/client-types';
import { OUTCOME_LABELS, RATING_COMMENT_MAX, ratingSchema } from '@dispatch/domain';
import { dayAndTime, errorMessage, refusalCode, useTRPC, useTRPCClient } from '@dispatch/web';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useRef, useState } from 'react';
import { describedBy, FieldError, FieldHint } from '../ui/Field.tsx';
import { Loading, Notice } from '../ui/Notice.tsx';
import { formatDuration } from '../ui/time.ts';
import './summary.css';

type Summary = RouterOutputs['session']['summary'];

function when(iso: string | null): string {
  return iso ? dayAndTime(iso) : '—';
}

/**
 * A completed session as the customer reopens it: how it ended, the mechanic's note (and findings
 * for a diagnostic session), who and when, and the one rating they may give.
 */
export function CompletedSummary({ sessionId }: { sessionId: string }) {
  const trpc = useTRPC();
  const id = useId();
  const summary = useQuery(trpc.session.summary.queryOptions({ sessionId }));
  const data = summary.data;
  if (!data) {
    return summary.error ? (
      <Notice tone="error">
        <p>{errorMessage(summary.error)}</p>
        <button type="button" className="button" onClick={() => summary.refetch()}>
          Try again
        </button>
      </Notice>
    ) : (
      <Loading label="Loading the summary…" />
    );
  }
  const took =
    data.acceptedAt && data.completedAt ? Date.parse(data.completedAt) - Date.parse(data.acceptedAt) : null;
  return (
    <section className="outcome" aria-labelledby={`${id}-title`} data-outcome={data.outcome ?? ''}>
      <h2 id={`${id}-title`} className="outcome__title">
        Summary
      </h2>
      <dl className="outcome__list">
        <div>
          <dt>Outcome</dt>
          <dd>
            <span className={`outcome__badge outcome__badge--${data.outcome ?? 'none'}`}>
              {data.outcome ? OUTCOME_LABELS[data.outcome] : 'Completed'}
            </span>
          </dd>
        </div>
        <div>
          <dt>Mechanic</dt>
          <dd>{data.mechanicName ?? 'Your mechanic'}</dd>
        </div>
        {data.note ? (
          <div className="outcome__wide">
            <dt>Note from {data.mechanicName ?? 'your mechanic'}</dt>
            <dd className="outcome__text">{data.note}</dd>
          </div>
        ) : null}
        {data.findings ? (
          <>
            <div className="outcome__wide">
              <dt>What was checked</dt>
              <dd className="outcome__text">{data.findings.checked}</dd>
            </div>
            <div className="outcome__wide">
              <dt>Suspected cause</dt>
              <dd className="outcome__text">{data.findings.suspectedCause}</dd>
            </div>
            <div className="outcome__wide">
              <dt>Advice</dt>
              <dd className="outcome__text">{data.findings.advice}</dd>
            </div>
          </>
        ) : null}
        <div>
          <dt>Started</dt>
          <dd>{when(data.acceptedAt)}</dd>
        </div>
        <div>
          <dt>Finished</dt>
          <dd>
            {when(data.completedAt)}
            {took !== null ? ` (${formatDuration(took)})` : ''}
          </dd>
        </div>
      </dl>
      <RatingPart summary={data} />
    </section>
  );
}

function RatingPart({ summary }: { summary: Summary }) {
  if (summary.rating) {
    return (
      <div className="rated" data-rated={summary.rating.stars}>
        <p>
          <strong>Your rating:</strong> <Stars stars={summary.rating.stars} />
        </p>
        {summary.rating.comment ? <p className="outcome__text">“{summary.rating.comment}”</p> : null}
        <p className="muted">Thank you. Your mechanic sees this on their dashboard.</p>
      </div>
    );
  }
  return summary.canRate ? <RateForm sessionId={summary.sessionId} /> : null;
}

function Stars({ stars }: { stars: number }) {
  return (
    <span className="stars" role="img" aria-label={`${stars} out of 5 stars`}>
      {'★'.repeat(stars)}
      <span className="stars__empty">{'★'.repeat(5 - stars)}</span>
    </span>
  );
}

const STAR_WORDS = ['', 'Poor', 'Fair', 'Good', 'Very good', 'Excellent'] as const;

/** 1 to 5 stars (radio buttons: arrow keys move, Space picks) and an optional comment; sent once. */
function RateForm({ sessionId }: { sessionId: string }) {
  const id = useId();
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const formRef = useRef<HTMLFormElement>(null);
  const [stars, setStars] = useState(0);
  const [comment, setComment] = useState('');
  const [errors, setErrors] = useState<{ stars?: string; comment?: string }>({});
  const rate = useMutation({
    mutationFn: (input: { sessionId: string; stars: number; comment: string }) =>
      client.session.rate.mutate(input),
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: trpc.session.summary.queryKey({ sessionId }) });
      void queryClient.invalidateQueries({ queryKey: trpc.session.listMine.queryKey() });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (rate.isPending) return;
    const parsed = ratingSchema.safeParse({ stars: stars || undefined, comment });
    if (!parsed.success) {
      const next: { stars?: string; comment?: string } = {};
      for (const issue of parsed.error.issues) {
        const key = issue.path[0] === 'comment' ? 'comment' : 'stars';
        next[key] ??= issue.message;
      }
      setErrors(next);
      requestAnimationFrame(() =>
        formRef.current?.querySelector<HTMLElement>(next.stars ? 'input[type="radio"]' : 'textarea')?.focus(),
      );
      return;
    }
    setErrors({});
    rate.mutate({ sessionId, stars: parsed.data.stars, comment: parsed.data.comment ?? '' });
  };
  const already = refusalCode(rate.error) === 'already_rated';
  return (
    <form ref={formRef} className="rate" onSubmit={submit} noValidate aria-labelledby={`${id}-legend`}>
      <div
        className={`group${errors.stars ? ' field--invalid' : ''}`}
        role="radiogroup"
        aria-labelledby={`${id}-legend`}
        aria-describedby={errors.stars ? `${id}-stars-error` : undefined}
      >
        <div id={`${id}-legend`} className="group__legend">
          How was your session?
        </div>
        <div className="rate__stars">
          {[1, 2, 3, 4, 5].map((value) => (
            <label key={value} className={`rate__star${value <= stars ? ' rate__star--on' : ''}`}>
              <input
                type="radio"
                name={`${id}-stars`}
                value={value}
                checked={stars === value}
                onChange={() => {
                  setStars(value);
                  setErrors((e) => ({ ...e, stars: undefined }));
                }}
                className="visually-hidden"
              />
              <span aria-hidden="true">★</span>
              <span className="visually-hidden">
                {value} {value === 1 ? 'star' : 'stars'}: {STAR_WORDS[value]}
              </span>
            </label>
          ))}
          <span className="rate__word" aria-hidden="true">
            {stars ? STAR_WORDS[stars] : ''}
          </span>
        </div>
        <FieldError id={`${id}-stars`} error={errors.stars} />
      </div>
      <div className={`field${errors.comment ? ' field--invalid' : ''}`}>
        <label htmlFor={`${id}-comment`} className="field-label">
          Comment (optional)
        </label>
        <FieldHint id={`${id}-comment`}>What went well, or what could be better.</FieldHint>
        <textarea
          id={`${id}-comment`}
          rows={3}
          value={comment}
          onChange={(event) => {
            setComment(event.target.value);
            setErrors((e) => ({ ...e, comment: undefined }));
          }}
          {...describedBy(`${id}-comment`, { hint: 'hint', error: errors.comment, extra: `${id}-count` })}
        />
        <p id={`${id}-count`} className="char-count">
          {comment.length} / {RATING_COMMENT_MAX} characters
        </p>
        <FieldError id={`${id}-comment`} error={errors.comment} />
      </div>
      {rate.error ? (
        <Notice tone={already ? 'info' : 'error'}>
          <p>{errorMessage(rate.error)}</p>
        </Notice>
      ) : null}
      <button type="submit" className="button button--primary" disabled={rate.isPending}>
        {rate.isPending ? 'Sending…' : 'Send rating'}
      </button>
    </form>
  );
}

/**
 * Where to go and whom to call for an in-person visit, shown once a mechanic accepted it (only then
 * is the workshop known for an "any workshop" request). The map link needs no account or key.
 */
export function VisitDetails({ sessionId }: { sessionId: string }) {
  const trpc = useTRPC();
  const id = useId();
  const contacts = useQuery(trpc.session.contacts.queryOptions({ sessionId }));
  const visit = contacts.data?.visit;
  if (!visit) {
    if (contacts.error) return <Notice tone="error">{errorMessage(contacts.error)}</Notice>;
    return contacts.isPending ? <Loading label="Loading the workshop's address…" /> : null;
  }
  return (
    <section className="visit" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="visit__title">
        Where to go
      </h2>
      <p className="visit__name">{visit.workshopName}</p>
      <p className="visit__address">{visit.address}</p>
      <div className="visit__actions">
        <a className="button button--primary" href={visit.mapUrl} target="_blank" rel="noopener noreferrer">
          Open map<span className="visually-hidden"> (opens in a new tab)</span>
        </a>
        {visit.phone ? (
          <a className="button visit__call" href={`tel:${visit.phone.replace(/[^+\d]/g, '')}`}>
            Call {visit.phone}
          </a>
        ) : null}
      </div>
      <p className="muted">Your mechanic can call you on the number you gave when booking.</p>
    </section>
  );
}
