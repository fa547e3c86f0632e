import { errorMessage, fieldErrors, useTRPC } from '@dispatch/web';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId } from 'react';

export function LogInForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const logIn = useMutation(
    trpc.auth.logIn.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.auth.me.queryKey() }),
    }),
  );
  const errors = fieldErrors(logIn.error);
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    logIn.mutate({ email: String(data.get('email') ?? ''), password: String(data.get('password') ?? '') });
  };
  return (
    <main className="auth">
      <form className="auth__card" onSubmit={onSubmit} noValidate aria-labelledby={`${id}-title`}>
        <h1 id={`${id}-title`}>Mechanic dashboard</h1>
        <p className="muted">Log in to see the requests you can take.</p>
        <div className="field">
          <label htmlFor={`${id}-email`}>Email</label>
          <input
            id={`${id}-email`}
            name="email"
            type="email"
            autoComplete="username"
            required
            aria-invalid={errors.email ? true : undefined}
            aria-describedby={errors.email ? `${id}-email-error` : undefined}
          />
          {errors.email ? (
            <p id={`${id}-email-error`} className="field__error">
              {errors.email}
            </p>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor={`${id}-password`}>Password</label>
          <input
            id={`${id}-password`}
            name="password"
            type="password"
            autoComplete="current-password"
            required
            aria-invalid={errors.password ? true : undefined}
            aria-describedby={errors.password ? `${id}-password-error` : undefined}
          />
          {errors.password ? (
            <p id={`${id}-password-error`} className="field__error">
              {errors.password}
            </p>
          ) : null}
        </div>
        {logIn.error && Object.keys(errors).length === 0 ? (
          <p className="form-error" role="alert">
            {errorMessage(logIn.error)}
          </p>
        ) : null}
        <button type="submit" className="button button--primary" disabled={logIn.isPending}>
          {logIn.isPending ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </main>
  );
}
