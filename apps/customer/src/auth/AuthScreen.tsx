import type { RouterInputs } from '@dispatch/api/client-types';
import { errorMessage, fieldErrors, useTRPC } from '@dispatch/web';
import { type AnyFieldApi, useForm, useStore } from '@tanstack/react-form';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, type RefObject, useId, useRef, useState } from 'react';
import { loadDraft } from '../intake/draft.ts';
import { hrefFor, navigate } from '../routing.ts';
import { InputField } from '../ui/Field.tsx';
import { errorsOf, firstError, focusFirstInvalid, focusFirstOf, schemaValidator } from '../ui/form.ts';
import { LABELS, labelled } from '../ui/labels.ts';
import { Notice } from '../ui/Notice.tsx';
import { PageHeading } from '../ui/PageHeading.tsx';
import { useAfterSignIn } from './after-sign-in.ts';
import { logInFormSchema, signUpFormSchema } from './auth-schemas.ts';

type ServerErrors = Record<string, string>;

/** The server's field messages, named by the labels the form shows. */
function serverFieldErrors(error: unknown): ServerErrors {
  const out: ServerErrors = {};
  for (const [field, message] of Object.entries(fieldErrors(error))) {
    out[field] = field in LABELS ? labelled(field as keyof typeof LABELS, message) : message;
  }
  return out;
}

/**
 * The server's answer to a credentials form: its field messages (focus goes to the first), each
 * cleared as soon as that field is edited, and a form-level error only when no field is named.
 */
function useServerErrors(formRef: RefObject<HTMLFormElement | null>) {
  const [server, setServer] = useState<ServerErrors>({});
  return {
    server,
    onError: (error: unknown) => {
      setServer(serverFieldErrors(error));
      focusFirstInvalid(formRef);
    },
    clear: (name: string) => setServer(({ [name]: _, ...rest }) => rest),
    formError: (error: unknown) => (error && Object.keys(server).length === 0 ? error : null),
  };
}

interface InputSpec {
  type: string;
  autoComplete: string;
  hint?: string;
  inputMode?: 'tel' | 'email';
}

/** One input of a credentials form, tied to its TanStack Form field and the server's message for it. */
function CredentialInput({
  field,
  id,
  name,
  spec,
  serverError,
  submitted,
  onEdited,
}: {
  field: AnyFieldApi;
  id: string;
  name: keyof typeof LABELS;
  spec: InputSpec;
  serverError: string | undefined;
  submitted: boolean;
  onEdited(): void;
}) {
  return (
    <InputField
      id={`${id}-${name}`}
      label={LABELS[name]}
      hint={spec.hint}
      error={
        serverError ??
        // After a submit only: a message appearing on blur would move the button under the pointer.
        (submitted ? firstError(field.state.meta.errors) : undefined)
      }
      type={spec.type}
      autoComplete={spec.autoComplete}
      inputMode={spec.inputMode}
      value={String(field.state.value ?? '')}
      onBlur={field.handleBlur}
      onValue={(value) => {
        onEdited();
        field.handleChange(value);
      }}
    />
  );
}

/** What the credentials form needs of a TanStack Form instance with string fields `F`. */
interface CredentialsFormApi<F extends string> {
  Field: (props: { name: F; children: (field: AnyFieldApi) => ReactNode }) => ReactNode | Promise<ReactNode>;
  handleSubmit(): Promise<unknown>;
}

/**
 * A credentials form's body: the server's form-level error, one input per field (submitted through
 * TanStack Form, its validators first; the browser's own validation stays off) and the button.
 */
function CredentialsForm<F extends keyof typeof LABELS>({
  form,
  fields,
  inputs,
  id,
  formRef,
  serverErrors,
  submitted,
  error,
  pending,
  label,
  pendingLabel,
}: {
  form: CredentialsFormApi<F>;
  fields: readonly F[];
  inputs: Record<F, InputSpec>;
  id: string;
  formRef: RefObject<HTMLFormElement | null>;
  serverErrors: ReturnType<typeof useServerErrors>;
  submitted: boolean;
  error: unknown;
  pending: boolean;
  label: string;
  pendingLabel: string;
}) {
  const formError = serverErrors.formError(error);
  return (
    <>
      {formError ? <Notice tone="error">{errorMessage(formError)}</Notice> : null}
      <form
        ref={formRef}
        onSubmit={(event: FormEvent<HTMLFormElement>) => {
          event.preventDefault();
          void form.handleSubmit();
        }}
        noValidate
      >
        {fields.map((name) => (
          <form.Field key={name} name={name}>
            {(field) => (
              <CredentialInput
                field={field}
                id={id}
                name={name}
                spec={inputs[name]}
                serverError={serverErrors.server[name]}
                submitted={submitted}
                onEdited={() => serverErrors.clear(name)}
              />
            )}
          </form.Field>
        ))}
        <button type="submit" className="button button--primary button--wide" disabled={pending}>
          {pending ? pendingLabel : label}
        </button>
      </form>
    </>
  );
}

/** A sentence above the form when a booking is waiting for this log-in or sign-up. */
function DraftWaiting() {
  const stored = loadDraft();
  if (!stored?.draft.concern && !stored?.draft.vehicleMake) return null;
  return (
    <Notice tone="info">
      Your booking details are saved on this device. Log in or create an account, then send them with one tap.
    </Notice>
  );
}

const LOG_IN_FIELDS = ['email', 'password'] as const;
const LOG_IN_INPUTS: Record<(typeof LOG_IN_FIELDS)[number], InputSpec> = {
  email: { type: 'email', autoComplete: 'email' },
  password: { type: 'password', autoComplete: 'current-password' },
};

/**
 * Log in with email and password. On the landing page it sits under the service description
 * (`embedded`, an h2); at #/log-in it is the page (an h1).
 */
export function LogInForm({ embedded = false }: { embedded?: boolean }) {
  const trpc = useTRPC();
  const afterSignIn = useAfterSignIn();
  const id = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const serverErrors = useServerErrors(formRef);
  const logIn = useMutation(
    trpc.auth.logIn.mutationOptions({ onSuccess: afterSignIn, onError: serverErrors.onError }),
  );
  const validate = schemaValidator(logInFormSchema, LOG_IN_FIELDS);
  const form = useForm({
    defaultValues: { email: '', password: '' },
    validators: { onChange: validate },
    onSubmit: ({ value }) => {
      const errors = errorsOf(validate, value);
      if (errors) return focusFirstOf(id, LOG_IN_FIELDS, errors);
      if (!logIn.isPending) logIn.mutate(value);
    },
    onSubmitInvalid: ({ value }) => focusFirstOf(id, LOG_IN_FIELDS, errorsOf(validate, value)),
  });
  const submitted = useStore(form.store, (state) => state.submissionAttempts > 0);
  const title = `${id}-title`;
  return (
    <section className={embedded ? 'card auth auth--embedded' : 'card auth'} aria-labelledby={title}>
      {embedded ? (
        <h2 id={title} className="section-title">
          Log in
        </h2>
      ) : (
        <PageHeading id={title} focusKey="log-in">
          Log in
        </PageHeading>
      )}
      {embedded ? null : (
        <p className="lead">Welcome back. Log in to book a mechanic or check on your requests.</p>
      )}
      <DraftWaiting />
      <CredentialsForm
        form={form}
        fields={LOG_IN_FIELDS}
        inputs={LOG_IN_INPUTS}
        id={id}
        formRef={formRef}
        serverErrors={serverErrors}
        submitted={submitted}
        error={logIn.error}
        pending={logIn.isPending}
        label="Log in"
        pendingLabel="Logging in…"
      />
      <p className="switch">
        New here?{' '}
        <button type="button" className="link-button" onClick={() => navigate({ name: 'sign-up' })}>
          Create an account
        </button>
      </p>
    </section>
  );
}

const SIGN_UP_FIELDS = ['displayName', 'email', 'password', 'phone'] as const;
type SignUpField = (typeof SIGN_UP_FIELDS)[number];

const SIGN_UP_INPUTS: Record<SignUpField, InputSpec> = {
  displayName: { type: 'text', autoComplete: 'name' },
  email: { type: 'email', autoComplete: 'email', inputMode: 'email' },
  password: { type: 'password', autoComplete: 'new-password', hint: 'At least 10 characters.' },
  phone: {
    type: 'tel',
    autoComplete: 'tel',
    inputMode: 'tel',
    hint: 'So a mechanic can call you back if the line drops, e.g. +1 415 555 0100.',
  },
};

/** Create a customer account: name, email, password and an optional callback phone. */
export function SignUpForm() {
  const trpc = useTRPC();
  const afterSignIn = useAfterSignIn();
  const id = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const serverErrors = useServerErrors(formRef);
  const signUp = useMutation(
    trpc.auth.signUp.mutationOptions({ onSuccess: afterSignIn, onError: serverErrors.onError }),
  );
  const validate = schemaValidator(signUpFormSchema, SIGN_UP_FIELDS);
  const form = useForm({
    defaultValues: { displayName: '', email: '', password: '', phone: '' },
    validators: { onChange: validate },
    onSubmit: ({ value }) => {
      const errors = errorsOf(validate, value);
      if (errors) return focusFirstOf(id, SIGN_UP_FIELDS, errors);
      if (signUp.isPending) return;
      const parsed = signUpFormSchema.parse(value);
      // `phone` is part of the sign-up contract; a server that does not know it yet ignores it.
      const input = parsed as RouterInputs['auth']['signUp'];
      signUp.mutate(input);
    },
    onSubmitInvalid: ({ value }) => focusFirstOf(id, SIGN_UP_FIELDS, errorsOf(validate, value)),
  });
  const submitted = useStore(form.store, (state) => state.submissionAttempts > 0);
  return (
    <section className="card auth" aria-labelledby={`${id}-title`}>
      <PageHeading id={`${id}-title`} focusKey="sign-up">
        Create your account
      </PageHeading>
      <p className="lead">It takes a minute. Then tell us what is going on with your car.</p>
      <DraftWaiting />
      <CredentialsForm
        form={form}
        fields={SIGN_UP_FIELDS}
        inputs={SIGN_UP_INPUTS}
        id={id}
        formRef={formRef}
        serverErrors={serverErrors}
        submitted={submitted}
        error={signUp.error}
        pending={signUp.isPending}
        label="Create account"
        pendingLabel="Creating your account…"
      />
      <p className="switch">
        Have an account? <a href={hrefFor({ name: 'log-in' })}>Log in</a>
      </p>
    </section>
  );
}
