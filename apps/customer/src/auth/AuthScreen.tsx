import { errorMessage, fieldErrors, useTRPC } from '@dispatch/web';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type RefObject, useId, useRef, useState } from 'react';
import { InputField } from '../ui/Field.tsx';
import { Notice } from '../ui/Notice.tsx';
import { PageHeading } from '../ui/PageHeading.tsx';

type Mode = 'log-in' | 'sign-up';

/** Log in, or create a customer account; the server sets the session cookie either way. */
export function AuthScreen() {
  const [mode, setMode] = useState<Mode>('log-in');
  return mode === 'log-in' ? (
    <LogInForm onSwitch={() => setMode('sign-up')} />
  ) : (
    <SignUpForm onSwitch={() => setMode('log-in')} />
  );
}

/** After the server refuses: move to the first field it complained about, once it is marked. */
function focusFirstInvalid(form: RefObject<HTMLFormElement | null>) {
  requestAnimationFrame(() => form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
}

/** After log-in or sign-up: re-read who is signed in; the app then routes to the open session. */
function useSignedIn() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: trpc.auth.me.queryKey() });
}

function LogInForm({ onSwitch }: { onSwitch: () => void }) {
  const trpc = useTRPC();
  const signedIn = useSignedIn();
  const id = useId();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const form = useRef<HTMLFormElement>(null);
  const logIn = useMutation(
    trpc.auth.logIn.mutationOptions({ onSuccess: signedIn, onError: () => focusFirstInvalid(form) }),
  );
  const errors = fieldErrors(logIn.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!logIn.isPending) logIn.mutate({ email, password });
  };
  return (
    <section className="card auth" aria-labelledby={`${id}-title`}>
      <PageHeading id={`${id}-title`} focusKey="log-in">
        Log in
      </PageHeading>
      <p className="lead">Welcome back. Log in to book a mechanic or check on your request.</p>
      {logIn.error && Object.keys(errors).length === 0 ? (
        <Notice tone="error">{errorMessage(logIn.error)}</Notice>
      ) : null}
      <form ref={form} onSubmit={submit} noValidate>
        <InputField
          id={`${id}-email`}
          label="Email"
          error={errors.email}
          type="email"
          autoComplete="email"
          value={email}
          onValue={setEmail}
        />
        <InputField
          id={`${id}-password`}
          label="Password"
          error={errors.password}
          type="password"
          autoComplete="current-password"
          value={password}
          onValue={setPassword}
        />
        <button type="submit" className="button button--primary button--wide" disabled={logIn.isPending}>
          {logIn.isPending ? 'Logging in…' : 'Log in'}
        </button>
      </form>
      <p className="switch">
        New here?{' '}
        <button type="button" className="link-button" onClick={onSwitch}>
          Create an account
        </button>
      </p>
    </section>
  );
}

function SignUpForm({ onSwitch }: { onSwitch: () => void }) {
  const trpc = useTRPC();
  const signedIn = useSignedIn();
  const id = useId();
  const [displayName, setDisplayName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const form = useRef<HTMLFormElement>(null);
  const signUp = useMutation(
    trpc.auth.signUp.mutationOptions({ onSuccess: signedIn, onError: () => focusFirstInvalid(form) }),
  );
  const errors = fieldErrors(signUp.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!signUp.isPending) signUp.mutate({ displayName, email, password });
  };
  const passwordHint = 'At least 10 characters.';
  return (
    <section className="card auth" aria-labelledby={`${id}-title`}>
      <PageHeading id={`${id}-title`} focusKey="sign-up">
        Create your account
      </PageHeading>
      <p className="lead">It takes a minute. Then tell us what is going on with your car.</p>
      {signUp.error && Object.keys(errors).length === 0 ? (
        <Notice tone="error">{errorMessage(signUp.error)}</Notice>
      ) : null}
      <form ref={form} onSubmit={submit} noValidate>
        <InputField
          id={`${id}-name`}
          label="Name"
          error={errors.displayName}
          autoComplete="name"
          value={displayName}
          onValue={setDisplayName}
        />
        <InputField
          id={`${id}-email`}
          label="Email"
          error={errors.email}
          type="email"
          autoComplete="email"
          value={email}
          onValue={setEmail}
        />
        <InputField
          id={`${id}-password`}
          label="Password"
          hint={passwordHint}
          error={errors.password}
          type="password"
          autoComplete="new-password"
          value={password}
          onValue={setPassword}
        />
        <button type="submit" className="button button--primary button--wide" disabled={signUp.isPending}>
          {signUp.isPending ? 'Creating your account…' : 'Create account'}
        </button>
      </form>
      <p className="switch">
        Have an account?{' '}
        <button type="button" className="link-button" onClick={onSwitch}>
          I already have an account
        </button>
      </p>
    </section>
  );
}
