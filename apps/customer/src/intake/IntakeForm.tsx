import type { RouterInputs } from '@dispatch/api/client-types';
import { callbackPhoneNeeded, LAST_VEHICLE_YEAR } from '@dispatch/domain';
import {
  errorCode,
  errorMessage,
  isTransient,
  isUnreachable,
  refusalCode,
  retryDelayMs,
  useTRPC,
  useTRPCClient,
} from '@dispatch/web';
import { useForm, useStore } from '@tanstack/react-form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type InputHTMLAttributes, useEffect, useId, useRef, useState } from 'react';
import { hrefFor, navigate } from '../routing.ts';
import { describedBy, FieldError, FieldHint, TextField } from '../ui/Field.tsx';
import { firstError } from '../ui/form.ts';
import { LABELS } from '../ui/labels.ts';
import { Notice } from '../ui/Notice.tsx';
import { PageHeading } from '../ui/PageHeading.tsx';
import { clearDraft, hasContent, loadDraft, type StoredDraft, saveDraft } from './draft.ts';
import {
  CONCERN_MAX,
  emptyDraft,
  INTAKE_FIELDS,
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

/** How many times a booking is re-sent by itself (same key) while the server is unreachable or busy. */
const AUTO_RETRIES = 4;

/**
 * The booking form: intake, session type, plan. TanStack Form holds the values and checks them
 * with the shared schema as the customer types; the draft (and its booking key) is kept on this
 * device, so a reload, a sign-up in between or a failed booking loses nothing, and a booking
 * re-sent after a lost answer is booked once. Signed out, it ends at "create an account".
 */
export function IntakeForm({
  signedIn,
  defaultName,
  defaultPhone = '',
}: {
  signedIn: boolean;
  defaultName: string;
  /** The account's sign-up phone, offered as the callback number (editable). */
  defaultPhone?: string;
}) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const id = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const [initial] = useState<StoredDraft>(() => {
    const stored = loadDraft();
    if (stored) {
      return {
        ...stored,
        draft: {
          ...stored.draft,
          customerName: stored.draft.customerName || defaultName,
          callbackPhone: stored.draft.callbackPhone || defaultPhone,
        },
      };
    }
    return { draft: emptyDraft(defaultName, defaultPhone), idempotencyKey: newIdempotencyKey() };
  });
  const restored = useRef(hasContent(initial.draft));
  const [serverErrors, setServerErrors] = useState<IntakeErrors>({});
  const [secondConfirmed, setSecondConfirmed] = useState(false);
  const [secondError, setSecondError] = useState(false);

  const current = useQuery({ ...trpc.session.current.queryOptions(), enabled: signedIn, staleTime: 0 });
  const openRequest = signedIn ? (current.data ?? null) : null;

  const create = useMutation({
    mutationFn: (input: RouterInputs['session']['create']) => client.session.create.mutate(input),
    // Safe to re-send: the same idempotency key books once, however many times it arrives.
    networkMode: 'always',
    retry: (failureCount, error) => isTransient(error) && failureCount < AUTO_RETRIES,
    retryDelay: (attempt, error) => retryDelayMs(attempt, error),
    onSuccess: (session) => {
      clearDraft();
      void queryClient.invalidateQueries({ queryKey: trpc.session.current.queryKey() });
      void queryClient.invalidateQueries({ queryKey: trpc.session.listMine.queryKey() });
      // Replace the form's history entry: Back from the request never returns to this booking.
      navigate({ name: 'session', sessionId: session.sessionId }, { replace: true });
    },
    onError: (error) => {
      if (refusalCode(error) === 'open_request_exists') {
        void current.refetch();
        setSecondError(true);
        return;
      }
      const errors = serverIntakeErrors(error);
      setServerErrors(errors);
      focusField(firstInvalid(errors));
    },
  });

  const form = useForm({
    defaultValues: initial.draft,
    validators: {
      onChange: ({ value }) => {
        const result = validateIntake(value);
        return result.ok ? undefined : { fields: result.errors };
      },
    },
    onSubmit: ({ value }) => {
      const result = validateIntake(value);
      if (!result.ok) return focusField(firstInvalid(result.errors));
      if (create.isPending) return;
      if (!signedIn) {
        saveDraft({ draft: value, idempotencyKey: initial.idempotencyKey });
        navigate({ name: 'sign-up' });
        return;
      }
      if (openRequest && !secondConfirmed) {
        setSecondError(true);
        requestAnimationFrame(() => document.getElementById(`${id}-second`)?.focus());
        return;
      }
      setServerErrors({});
      const input = {
        intake: result.intake,
        idempotencyKey: initial.idempotencyKey,
        // Part of the booking contract: without it the server refuses a second open request.
        ...(openRequest && secondConfirmed ? { allowAnotherOpen: true } : {}),
      } as RouterInputs['session']['create'];
      create.mutate(input);
    },
    onSubmitInvalid: ({ value }) => {
      const result = validateIntake(value);
      if (!result.ok) focusField(firstInvalid(result.errors));
    },
  });

  // Keep the draft on this device as it is typed.
  const values = useStore(form.store, (state) => state.values);
  useEffect(() => {
    if (hasContent(values)) saveDraft({ draft: values, idempotencyKey: initial.idempotencyKey });
  }, [values, initial.idempotencyKey]);

  // The account's phone may arrive after the form (auth.me re-read after sign-up): offer it then,
  // unless the customer has typed a number of their own meanwhile.
  useEffect(() => {
    if (defaultPhone && form.getFieldValue('callbackPhone') === '') {
      form.setFieldValue('callbackPhone', defaultPhone, { dontUpdateMeta: true });
    }
  }, [defaultPhone, form]);

  const submitted = useStore(form.store, (state) => state.submissionAttempts > 0);

  function firstInvalid(errors: IntakeErrors): IntakeField | undefined {
    return INTAKE_FIELDS.find((field) => errors[field]);
  }
  function focusField(field: IntakeField | undefined) {
    if (!field) return;
    requestAnimationFrame(() =>
      formRef.current?.querySelector<HTMLElement>(`[data-field="${field}"]`)?.focus(),
    );
  }

  const fid = (field: IntakeField) => `${id}-${field}`;
  const shown = (field: IntakeField, meta: { errors: unknown[]; isBlurred: boolean }) =>
    serverErrors[field] ?? (submitted || meta.isBlurred ? firstError(meta.errors) : undefined);
  const clearServer = (field: IntakeField) =>
    setServerErrors((errors) => (errors[field] ? { ...errors, [field]: undefined } : errors));

  const allErrors = useStore(form.store, (state) => state.fieldMeta);
  const shownCount = INTAKE_FIELDS.filter((field) => {
    const meta = allErrors[field];
    return serverErrors[field] ?? (submitted && meta && firstError(meta.errors ?? []));
  }).length;

  const formError =
    create.error &&
    Object.keys(serverIntakeErrors(create.error)).length === 0 &&
    refusalCode(create.error) !== 'open_request_exists'
      ? create.error
      : null;

  const textField = (
    field: 'customerName' | 'vehicleYear' | 'vehicleMake' | 'vehicleModel',
    input: InputHTMLAttributes<HTMLInputElement> = {},
  ) => (
    <form.Field name={field}>
      {(f) => {
        const error = shown(field, f.state.meta);
        return (
          <TextField id={fid(field)} label={LABELS[field]} error={error}>
            <input
              id={fid(field)}
              data-field={field}
              value={f.state.value}
              onBlur={f.handleBlur}
              onChange={(e) => {
                clearServer(field);
                f.handleChange(e.target.value);
              }}
              {...input}
              {...describedBy(fid(field), { error })}
            />
          </TextField>
        );
      }}
    </form.Field>
  );

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <PageHeading id={`${id}-title`} focusKey="book">
        Book a mechanic
      </PageHeading>
      <p className="lead">Tell us about your car and what is happening. A mechanic will join you.</p>
      {restored.current ? (
        <Notice tone="info">
          We kept what you typed last time on this device.{' '}
          <button
            type="button"
            className="link-button"
            onClick={() => {
              clearDraft();
              restored.current = false;
              form.reset(emptyDraft(defaultName, defaultPhone));
            }}
          >
            Start over
          </button>
        </Notice>
      ) : null}
      {openRequest ? (
        <Notice tone="warning">
          You already have an open request.{' '}
          <a href={hrefFor({ name: 'session', sessionId: openRequest.sessionId })}>See its status</a>. A
          second one needs your confirmation at the end of this form.
        </Notice>
      ) : null}
      {!signedIn ? (
        <Notice tone="info">
          You can fill this in before you have an account. When you continue, you create one (or log in) and
          then send it.
        </Notice>
      ) : null}
      {submitted && shownCount > 0 ? (
        <Notice tone="error">
          {shownCount === 1
            ? 'One thing needs your attention below.'
            : `${shownCount} things need your attention below.`}
        </Notice>
      ) : null}
      <BookingProgress create={create} />
      {formError ? <BookingFailed error={formError} /> : null}

      <form
        ref={formRef}
        onSubmit={(event) => {
          event.preventDefault();
          void form.handleSubmit();
        }}
        noValidate
        className="intake"
      >
        {textField('customerName', { autoComplete: 'name' })}

        <fieldset className="group">
          <legend className="group__legend">Your vehicle</legend>
          <div className="vehicle-row">
            {textField('vehicleYear', {
              placeholder: String(LAST_VEHICLE_YEAR - 6),
              inputMode: 'numeric',
              autoComplete: 'off',
              maxLength: 4,
              className: 'input--short',
            })}
            {textField('vehicleMake', { placeholder: 'Toyota' })}
            {textField('vehicleModel', { placeholder: 'Corolla' })}
          </div>
        </fieldset>

        <form.Field name="concern">
          {(f) => {
            const error = shown('concern', f.state.meta);
            return (
              <TextField
                id={fid('concern')}
                label={LABELS.concern}
                hint="What you notice, since when, and any warning lights. At least 10 characters."
                error={error}
              >
                <textarea
                  id={fid('concern')}
                  data-field="concern"
                  rows={4}
                  value={f.state.value}
                  onBlur={f.handleBlur}
                  onChange={(e) => {
                    clearServer('concern');
                    f.handleChange(e.target.value);
                  }}
                  {...describedBy(fid('concern'), {
                    hint: 'concern',
                    error,
                    extra: `${fid('concern')}-count`,
                  })}
                />
                <CharacterCount
                  id={`${fid('concern')}-count`}
                  length={f.state.value.length}
                  max={CONCERN_MAX}
                />
              </TextField>
            );
          }}
        </form.Field>

        <form.Field name="sessionType">
          {(f) => (
            <RadioGroup
              id={fid('sessionType')}
              name="sessionType"
              legend={LABELS.sessionType}
              options={SESSION_TYPES}
              value={f.state.value}
              error={shown('sessionType', f.state.meta)}
              onChange={(value) => f.handleChange(value)}
              onBlur={f.handleBlur}
            />
          )}
        </form.Field>

        <form.Subscribe selector={(state) => state.values.sessionType}>
          {(sessionType) =>
            sessionType === 'in_person' ? (
              <form.Field name="workshopId">
                {(f) => (
                  <WorkshopSelect
                    id={fid('workshopId')}
                    field={f}
                    error={shown('workshopId', f.state.meta)}
                  />
                )}
              </form.Field>
            ) : null
          }
        </form.Subscribe>

        <form.Field name="plan">
          {(f) => (
            <RadioGroup
              id={fid('plan')}
              name="plan"
              legend={LABELS.plan}
              options={PLANS}
              value={f.state.value}
              error={shown('plan', f.state.meta)}
              onChange={(value) => f.handleChange(value)}
              onBlur={f.handleBlur}
            />
          )}
        </form.Field>

        <form.Field name="urgent">
          {(f) => (
            <div className="field field--check">
              <div className="check">
                <input
                  id={fid('urgent')}
                  data-field="urgent"
                  type="checkbox"
                  checked={f.state.value}
                  onChange={(e) => f.handleChange(e.target.checked)}
                  {...describedBy(fid('urgent'), { hint: 'urgent' })}
                />
                <label htmlFor={fid('urgent')}>{LABELS.urgent}</label>
              </div>
              <FieldHint id={fid('urgent')}>
                Stuck at the roadside or unsafe to drive? Urgent requests are seen first.
              </FieldHint>
            </div>
          )}
        </form.Field>

        <form.Subscribe
          selector={(state) =>
            callbackPhoneNeeded({ sessionType: state.values.sessionType, urgent: state.values.urgent })
          }
        >
          {(needed) =>
            needed ? (
              <form.Field name="callbackPhone">
                {(f) => {
                  // Checked on submit, not on leaving the field: it sits right above "Book session",
                  // and an error appearing on blur pushes the button away from a click in progress.
                  const error = shown('callbackPhone', { ...f.state.meta, isBlurred: false });
                  return (
                    <TextField
                      id={fid('callbackPhone')}
                      label={LABELS.callbackPhone}
                      hint="For in-person and urgent requests: your mechanic calls you on it if needed (running late, can't find you). Only your mechanic (and our support team) can see it."
                      error={error}
                    >
                      <input
                        id={fid('callbackPhone')}
                        data-field="callbackPhone"
                        type="tel"
                        autoComplete="tel"
                        inputMode="tel"
                        placeholder="+44 20 7946 0958"
                        maxLength={30}
                        value={f.state.value}
                        onBlur={f.handleBlur}
                        onChange={(e) => {
                          clearServer('callbackPhone');
                          f.handleChange(e.target.value);
                        }}
                        {...describedBy(fid('callbackPhone'), { hint: 'phone', error })}
                      />
                    </TextField>
                  );
                }}
              </form.Field>
            ) : null
          }
        </form.Subscribe>

        {openRequest ? (
          <div className={`second-request${secondError ? ' field--invalid' : ''}`}>
            <Notice tone="warning">
              <p>
                <strong>This would be your second open request.</strong> A mechanic may be about to take your
                first one. Check on it instead, unless this is about something else.
              </p>
            </Notice>
            <div className="check">
              <input
                id={`${id}-second`}
                type="checkbox"
                checked={secondConfirmed}
                onChange={(e) => {
                  setSecondConfirmed(e.target.checked);
                  if (e.target.checked) setSecondError(false);
                }}
                {...describedBy(`${id}-second`, {
                  error: secondError && !secondConfirmed ? 'confirm' : undefined,
                })}
              />
              <label htmlFor={`${id}-second`}>Yes, I want a second, separate request</label>
            </div>
            <FieldError
              id={`${id}-second`}
              error={
                secondError && !secondConfirmed
                  ? 'Tick the box to book a second request, or go to the one you have.'
                  : undefined
              }
            />
          </div>
        ) : null}

        <button type="submit" className="button button--primary button--wide" disabled={create.isPending}>
          {create.isPending
            ? 'Booking…'
            : !signedIn
              ? 'Continue'
              : create.isError
                ? 'Try booking again'
                : openRequest
                  ? 'Book a second session'
                  : 'Book session'}
        </button>
      </form>
    </section>
  );
}

/** "1,234 / 2,000", announced politely only near the limit; past it, how much to remove. */
function CharacterCount({ id, length, max }: { id: string; length: number; max: number }) {
  const near = length >= max * 0.9;
  const over = length - max;
  return (
    <p
      id={id}
      className={`char-count${over > 0 ? ' char-count--over' : near ? ' char-count--near' : ''}`}
      aria-live={near ? 'polite' : 'off'}
    >
      {length.toLocaleString('en-US')} / {max.toLocaleString('en-US')} characters
      {over > 0 ? ` · ${over.toLocaleString('en-US')} over the limit, please shorten it` : ''}
    </p>
  );
}

/** While the booking is sent (and re-sent with the same key), say so plainly. */
function BookingProgress({
  create,
}: {
  create: { isPending: boolean; failureCount: number; failureReason: unknown };
}) {
  if (!create.isPending || create.failureCount === 0) return null;
  const busy =
    errorCode(create.failureReason) === 'SERVICE_UNAVAILABLE' ||
    errorCode(create.failureReason) === 'TOO_MANY_REQUESTS';
  return (
    <Notice tone="warning">
      <p role="status">
        {busy ? 'Busy, retrying…' : 'We cannot reach our server yet; retrying…'} Your booking is sent with the
        same booking key each time, so it is never booked twice.
      </p>
    </Notice>
  );
}

function BookingFailed({ error }: { error: unknown }) {
  return (
    <Notice tone="error">
      <p>
        <strong>Not booked yet.</strong>{' '}
        {isUnreachable(error)
          ? 'We could not reach our server. Your details are kept here: press “Try booking again” when you are back online. It will not be booked twice.'
          : errorMessage(error)}
      </p>
    </Notice>
  );
}

function WorkshopSelect({
  id,
  field,
  error,
}: {
  id: string;
  field: { state: { value: string }; handleChange: (value: string) => void; handleBlur: () => void };
  error: string | undefined;
}) {
  const trpc = useTRPC();
  const workshops = useQuery(trpc.workshop.list.queryOptions());
  return (
    <TextField
      id={id}
      label={LABELS.workshopId}
      hint="Pick one you can get to, or let the first free mechanic at any workshop take it."
      error={error}
    >
      <select
        id={id}
        data-field="workshopId"
        value={field.state.value}
        onChange={(e) => field.handleChange(e.target.value)}
        onBlur={field.handleBlur}
        {...describedBy(id, { hint: 'workshop', error })}
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
      {workshops.data === undefined && workshops.failureCount > 0 ? (
        <p className="field-error">Could not load the workshops; “Any workshop” still works.</p>
      ) : null}
    </TextField>
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
