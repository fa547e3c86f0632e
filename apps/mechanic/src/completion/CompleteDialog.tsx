import {
  COMPLETION_NOTE_MAX,
  type Completion,
  completionProblem,
  completionSchema,
  FINDING_MAX,
  OUTCOME_LABELS,
  SESSION_OUTCOMES,
  type SessionOutcome,
} from '@dispatch/domain';
import { type FormEvent, useId, useRef, useState } from 'react';
import { SESSION_TYPE_LABELS, vehicleOf } from '../alerts/describe.ts';
import type { AssignmentCard } from '../api-types.ts';
import './completion.css';
import { useDialogOpener, useModal } from './modal.ts';

const OUTCOME_HINTS: Record<SessionOutcome, string> = {
  resolved: 'The problem is fixed or the customer knows exactly what to do.',
  needs_workshop: 'The car needs hands-on work at a workshop.',
  could_not_help: 'We could not find or fix the problem this time.',
};

const FINDING_FIELDS = [
  { key: 'checked', label: 'What was checked', hint: 'Tests, readings, codes, what you looked at.' },
  { key: 'suspectedCause', label: 'Suspected cause', hint: 'What most likely causes it.' },
  { key: 'advice', label: 'Advice', hint: 'What the customer should do next, and how soon.' },
] as const;

type Field = 'outcome' | 'note' | 'findings.checked' | 'findings.suspectedCause' | 'findings.advice';
type Errors = Partial<Record<Field | 'findings', string>>;

/**
 * "Complete…" opens a confirmation dialog: how the session ended (outcome), a note for the customer
 * and, for a diagnostic session, the findings. A native modal <dialog>: focus moves in and is kept
 * there, Escape or "Keep working" closes it and focus returns to the button that opened it.
 */
export function CompleteSession({
  card,
  completing,
  onComplete,
}: {
  card: AssignmentCard;
  completing: boolean;
  /** Resolves true once the server completed it (the dialog then closes). */
  onComplete(card: AssignmentCard, completion: Completion): Promise<boolean>;
}) {
  const { open, opener, show, close } = useDialogOpener();
  return (
    <>
      <button
        ref={opener}
        type="button"
        className="button button--secondary"
        aria-haspopup="dialog"
        disabled={completing}
        onClick={show}
      >
        {completing ? 'Completing…' : 'Complete…'}
      </button>
      {open ? (
        <CompleteDialog
          card={card}
          busy={completing}
          onClose={() => close()}
          onConfirm={async (completion) => {
            if (!(await onComplete(card, completion))) return;
            close(false);
            // The card is now a finished one: its summary button takes the focus once it is drawn.
            focusWhenShown(`[data-assignment-id="${card.assignmentId}"] [data-summary-button]`);
          }}
        />
      ) : null}
    </>
  );
}

/** Focuses the element once it exists (the list re-renders a frame or two after the answer), for up to a second. */
function focusWhenShown(selector: string, framesLeft = 60): void {
  requestAnimationFrame(() => {
    const element = document.querySelector<HTMLElement>(selector);
    if (element) element.focus();
    else if (framesLeft > 0) focusWhenShown(selector, framesLeft - 1);
  });
}

function CompleteDialog({
  card,
  busy,
  onClose,
  onConfirm,
}: {
  card: AssignmentCard;
  busy: boolean;
  onClose(): void;
  onConfirm(completion: Completion): Promise<void>;
}) {
  const id = useId();
  const dialog = useModal('input[type="radio"]');
  const form = useRef<HTMLFormElement>(null);
  const diagnostic = card.sessionType === 'diagnostic';
  const [outcome, setOutcome] = useState<SessionOutcome | ''>('');
  const [note, setNote] = useState('');
  const [findings, setFindings] = useState({ checked: '', suspectedCause: '', advice: '' });
  const [errors, setErrors] = useState<Errors>({});

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const parsed = completionSchema.safeParse({ outcome, note, findings: diagnostic ? findings : null });
    const next: Errors = {};
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const key = issue.path.join('.') as Field;
        next[key] ??= issue.message;
      }
    } else {
      const problem = completionProblem(card.sessionType, parsed.data);
      if (problem) next.findings = problem.message;
    }
    setErrors(next);
    const first = Object.keys(next)[0];
    if (first || !parsed.success) {
      requestAnimationFrame(() =>
        form.current?.querySelector<HTMLElement>(`[data-field="${first ?? 'outcome'}"]`)?.focus(),
      );
      return;
    }
    await onConfirm(parsed.data);
  };

  const fid = (field: string) => `${id}-${field.replace('.', '-')}`;
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: a click on the backdrop is a mouse-only extra; Escape closes it for keyboards.
    <dialog
      ref={dialog}
      className="complete-dialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-lead`}
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onClose();
      }}
      onClick={(event) => {
        if (event.target === dialog.current && !busy) onClose();
      }}
    >
      <form ref={form} className="complete-dialog__form" onSubmit={submit} noValidate>
        <h2 id={`${id}-title`}>Complete this session?</h2>
        <p id={`${id}-lead`} className="muted">
          {SESSION_TYPE_LABELS[card.sessionType]} · {vehicleOf(card)} · {card.customerName}. The customer sees
          the outcome and your note, and may then rate the session. This cannot be undone.
        </p>

        <fieldset
          className={`complete-dialog__group${errors.outcome ? ' complete-dialog__group--invalid' : ''}`}
          aria-describedby={errors.outcome ? `${fid('outcome')}-error` : undefined}
        >
          <legend>How did it end?</legend>
          {SESSION_OUTCOMES.map((value, index) => (
            <label key={value} className="complete-dialog__choice">
              <input
                type="radio"
                name={`${id}-outcome`}
                value={value}
                checked={outcome === value}
                data-field={index === 0 ? 'outcome' : undefined}
                onChange={() => {
                  setOutcome(value);
                  setErrors((e) => ({ ...e, outcome: undefined }));
                }}
              />
              <span>
                <strong>{OUTCOME_LABELS[value]}</strong>
                <span className="complete-dialog__hint">{OUTCOME_HINTS[value]}</span>
              </span>
            </label>
          ))}
          <ErrorText id={fid('outcome')} error={errors.outcome} />
        </fieldset>

        <TextArea
          id={fid('note')}
          field="note"
          label="Note for the customer"
          hint="What you did or found, in plain words. At least 3 characters."
          value={note}
          max={COMPLETION_NOTE_MAX}
          rows={3}
          error={errors.note}
          onValue={(value) => {
            setNote(value);
            setErrors((e) => ({ ...e, note: undefined }));
          }}
        />

        {diagnostic ? (
          <fieldset className="complete-dialog__group">
            <legend>Findings</legend>
            <ErrorText id={fid('findings')} error={errors.findings} />
            {FINDING_FIELDS.map(({ key, label, hint }) => (
              <TextArea
                key={key}
                id={fid(`findings.${key}`)}
                field={`findings.${key}`}
                label={label}
                hint={hint}
                value={findings[key]}
                max={FINDING_MAX}
                rows={2}
                error={errors[`findings.${key}`]}
                onValue={(value) => {
                  setFindings((f) => ({ ...f, [key]: value }));
                  setErrors((e) => ({ ...e, [`findings.${key}`]: undefined, findings: undefined }));
                }}
              />
            ))}
          </fieldset>
        ) : null}

        <div className="complete-dialog__actions">
          <button type="submit" className="button button--primary" disabled={busy}>
            {busy ? 'Completing…' : 'Complete session'}
          </button>
          <button type="button" className="button button--quiet" disabled={busy} onClick={onClose}>
            Keep working
          </button>
        </div>
      </form>
    </dialog>
  );
}

function TextArea({
  id,
  field,
  label,
  hint,
  value,
  max,
  rows,
  error,
  onValue,
}: {
  id: string;
  field: string;
  label: string;
  hint: string;
  value: string;
  max: number;
  rows: number;
  error: string | undefined;
  onValue(value: string): void;
}) {
  const over = value.length > max;
  return (
    <div className={`field complete-dialog__field${error ? ' field--invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <p id={`${id}-hint`} className="complete-dialog__hint">
        {hint}
      </p>
      <textarea
        id={id}
        data-field={field}
        rows={rows}
        value={value}
        onChange={(event) => onValue(event.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={[`${id}-hint`, `${id}-count`, error ? `${id}-error` : ''].filter(Boolean).join(' ')}
      />
      <p
        id={`${id}-count`}
        className={`complete-dialog__count${over ? ' complete-dialog__count--over' : ''}`}
      >
        {value.length} / {max}
      </p>
      <ErrorText id={id} error={error} />
    </div>
  );
}

function ErrorText({ id, error }: { id: string; error: string | undefined }) {
  if (!error) return null;
  return (
    <p id={`${id}-error`} className="field__error">
      {error}
    </p>
  );
}
