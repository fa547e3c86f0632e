import { LAST_VEHICLE_YEAR } from '@dispatch/domain';
import { errorMessage, useTRPC } from '@dispatch/web';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useMemo, useRef, useState } from 'react';
import { hrefFor } from '../routing.ts';
import { describedBy, FieldError, FieldHint, TextField } from '../ui/Field.tsx';
import { Notice } from '../ui/Notice.tsx';
import { PageHeading } from '../ui/PageHeading.tsx';
import {
  emptyDraft,
  INTAKE_FIELDS,
  type IntakeDraft,
  type IntakeErrors,
  type IntakeField,
  newIdempotencyKey,
  serverIntakeErrors,
  validateIntake,
} from './intake-form.ts';

const SESSION_TYPES = [
  { value: 'video', label: 'Video call', hint: 'Show the mechanic the problem on your phone camera.' },
  { value: 'chat', label: 'Chat', hint: 'Type back and forth, send photos.' },
  { value: 'diagnostic', label: 'Diagnostic', hint: 'Walk through warning lights and error codes.' },
  { value: 'in_person', label: 'In person at a workshop', hint: 'Bring the car to a workshop.' },
] as const;

const PLANS = [
  { value: 'free', label: 'Free', hint: '$0. Sign a short liability waiver, then join the queue.' },
  { value: 'paid', label: 'Paid', hint: '$29 per session. No waiver: you join the queue right away.' },
] as const;

/** The booking form: intake, session type, plan. Checked field by field with the shared schema. */
export function IntakeForm({
  defaultName,
  onBooked,
}: {
  defaultName: string;
  onBooked: (sessionId: string) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const [draft, setDraft] = useState<IntakeDraft>(() => emptyDraft(defaultName));
  const [touched, setTouched] = useState<ReadonlySet<IntakeField>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<IntakeErrors>({});
  const [idempotencyKey] = useState(newIdempotencyKey);
  const formRef = useRef<HTMLFormElement>(null);

  const workshops = useQuery({
    ...trpc.workshop.list.queryOptions(),
    enabled: draft.sessionType === 'in_person',
  });
  const current = useQuery(trpc.session.current.queryOptions());
  const create = useMutation(
    trpc.session.create.mutationOptions({
      onSuccess: (session) => {
        void queryClient.invalidateQueries({ queryKey: trpc.session.current.queryKey() });
        onBooked(session.sessionId);
      },
      onError: (error) => {
        const errors = serverIntakeErrors(error);
        setServerErrors(errors);
        focusFirstInvalid(errors);
      },
    }),
  );

  const validation = useMemo(() => validateIntake(draft), [draft]);
  const clientErrors: IntakeErrors = validation.ok ? {} : validation.errors;
  const errorFor = (field: IntakeField): string | undefined =>
    serverErrors[field] ?? (submitted || touched.has(field) ? clientErrors[field] : undefined);
  const shownErrors = INTAKE_FIELDS.filter((field) => errorFor(field));
  const formError =
    create.error && Object.keys(serverIntakeErrors(create.error)).length === 0 ? create.error : null;

  const set = <K extends IntakeField>(field: K, value: IntakeDraft[K]) => {
    setDraft((d) => ({ ...d, [field]: value }));
    setServerErrors((errors) => (errors[field] ? { ...errors, [field]: undefined } : errors));
  };
  const touch = (field: IntakeField) => setTouched((t) => (t.has(field) ? t : new Set([...t, field])));

  function focusFirstInvalid(errors: IntakeErrors) {
    const first = INTAKE_FIELDS.find((field) => errors[field]);
    if (!first) return;
    const target = formRef.current?.querySelector<HTMLElement>(`[data-field="${first}"]`);
    target?.focus();
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (create.isPending) return;
    if (!validation.ok) {
      focusFirstInvalid(validation.errors);
      return;
    }
    setServerErrors({});
    create.mutate({ intake: validation.intake, idempotencyKey });
  };

  const fid = (field: IntakeField) => `${id}-${field}`;
  const textInput = (field: IntakeField, extra: { hint?: string } = {}) => ({
    id: fid(field),
    'data-field': field,
    value: draft[field] as string,
    onBlur: () => touch(field),
    ...describedBy(fid(field), { hint: extra.hint, error: errorFor(field) }),
  });

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <PageHeading id={`${id}-title`} focusKey="book">
        Book a mechanic
      </PageHeading>
      <p className="lead">Tell us about your car and what is happening. A mechanic will join you.</p>
      {current.data ? (
        <Notice tone="info">
          You already have an open request.{' '}
          <a href={hrefFor({ name: 'session', ...current.data })}>See its status</a>
        </Notice>
      ) : null}
      {submitted && shownErrors.length > 0 ? (
        <Notice tone="error">
          {shownErrors.length === 1
            ? 'One thing needs your attention below.'
            : `${shownErrors.length} things need your attention below.`}
        </Notice>
      ) : null}
      {formError ? <Notice tone="error">{errorMessage(formError)}</Notice> : null}

      <form ref={formRef} onSubmit={submit} noValidate className="intake">
        <TextField id={fid('customerName')} label="Your name" error={errorFor('customerName')}>
          <input
            {...textInput('customerName')}
            autoComplete="name"
            onChange={(e) => set('customerName', e.target.value)}
          />
        </TextField>

        <fieldset className="group">
          <legend className="group__legend">Your vehicle</legend>
          <div className="vehicle-row">
            <TextField id={fid('vehicleYear')} label="Vehicle year" error={errorFor('vehicleYear')}>
              <input
                {...textInput('vehicleYear')}
                placeholder={String(LAST_VEHICLE_YEAR - 6)}
                inputMode="numeric"
                autoComplete="off"
                maxLength={4}
                className="input--short"
                onChange={(e) => set('vehicleYear', e.target.value)}
              />
            </TextField>
            <TextField id={fid('vehicleMake')} label="Make" error={errorFor('vehicleMake')}>
              <input
                {...textInput('vehicleMake')}
                placeholder="Toyota"
                onChange={(e) => set('vehicleMake', e.target.value)}
              />
            </TextField>
            <TextField id={fid('vehicleModel')} label="Model" error={errorFor('vehicleModel')}>
              <input
                {...textInput('vehicleModel')}
                placeholder="Corolla"
                onChange={(e) => set('vehicleModel', e.target.value)}
              />
            </TextField>
          </div>
        </fieldset>

        <TextField
          id={fid('concern')}
          label="What's going on?"
          hint="What you notice, since when, and any warning lights. At least 10 characters."
          error={errorFor('concern')}
        >
          <textarea
            {...textInput('concern', { hint: 'concern' })}
            rows={4}
            onChange={(e) => set('concern', e.target.value)}
          />
        </TextField>

        <RadioGroup
          id={fid('sessionType')}
          name="sessionType"
          legend="Session type"
          options={SESSION_TYPES}
          value={draft.sessionType}
          error={errorFor('sessionType')}
          onChange={(value) => set('sessionType', value)}
          onBlur={() => touch('sessionType')}
        />

        {draft.sessionType === 'in_person' ? (
          <TextField
            id={fid('workshopId')}
            label="Workshop"
            hint="Pick one you can get to, or let the first free mechanic at any workshop take it."
            error={errorFor('workshopId')}
          >
            <select
              id={fid('workshopId')}
              data-field="workshopId"
              value={draft.workshopId}
              onChange={(e) => set('workshopId', e.target.value)}
              onBlur={() => touch('workshopId')}
              {...describedBy(fid('workshopId'), { hint: 'workshop', error: errorFor('workshopId') })}
            >
              <option value="">Any workshop</option>
              {workshops.data?.map((w) => (
                <option key={w.id} value={w.id}>
                  {w.name}
                  {w.address ? ` — ${w.address}` : ''}
                </option>
              ))}
            </select>
            {workshops.isPending ? <p className="field-hint">Loading workshops…</p> : null}
            {workshops.isError ? (
              <p className="field-error">Could not load the workshops; “Any workshop” still works.</p>
            ) : null}
          </TextField>
        ) : null}

        <RadioGroup
          id={fid('plan')}
          name="plan"
          legend="Plan"
          options={PLANS}
          value={draft.plan}
          error={errorFor('plan')}
          onChange={(value) => set('plan', value)}
          onBlur={() => touch('plan')}
        />

        <div className="field field--check">
          <div className="check">
            <input
              id={fid('urgent')}
              data-field="urgent"
              type="checkbox"
              checked={draft.urgent}
              onChange={(e) => set('urgent', e.target.checked)}
              {...describedBy(fid('urgent'), { hint: 'urgent' })}
            />
            <label htmlFor={fid('urgent')}>Urgent</label>
          </div>
          <FieldHint id={fid('urgent')}>
            Stuck at the roadside or unsafe to drive? Urgent requests are seen first.
          </FieldHint>
        </div>

        <button type="submit" className="button button--primary button--wide" disabled={create.isPending}>
          {create.isPending ? 'Booking…' : 'Book session'}
        </button>
      </form>
    </section>
  );
}

function RadioGroup<V extends string>({
  id,
  name,
  legend,
  options,
  value,
  error,
  onChange,
  onBlur,
}: {
  id: string;
  name: string;
  legend: string;
  options: readonly { value: V; label: string; hint: string }[];
  value: V | '';
  error: string | undefined;
  onChange: (value: V) => void;
  onBlur: () => void;
}) {
  return (
    <div
      className={`group choices${error ? ' field--invalid' : ''}`}
      role="radiogroup"
      aria-labelledby={`${id}-legend`}
      aria-describedby={error ? `${id}-error` : undefined}
      aria-invalid={error ? true : undefined}
    >
      <div id={`${id}-legend`} className="group__legend">
        {legend}
      </div>
      <div className="choices__list">
        {options.map((option, index) => {
          const optionId = `${id}-${option.value}`;
          return (
            <div key={option.value} className={`choice${value === option.value ? ' choice--selected' : ''}`}>
              <input
                id={optionId}
                type="radio"
                name={name}
                value={option.value}
                checked={value === option.value}
                data-field={index === 0 ? name : undefined}
                onChange={() => onChange(option.value)}
                onBlur={onBlur}
                aria-describedby={`${optionId}-hint`}
              />
              <label htmlFor={optionId}>
                <span className="choice__label">{option.label}</span>
                {/* Hidden from the name (which stays exactly the label), read as the description. */}
                <span id={`${optionId}-hint`} className="choice__hint" aria-hidden="true">
                  {option.hint}
                </span>
              </label>
            </div>
          );
        })}
      </div>
      <FieldError id={id} error={error} />
    </div>
  );
}
