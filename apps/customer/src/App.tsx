import { errorMessage, isTransient, useTRPC, useUnreachableSince } from '@dispatch/web';
import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { LogInForm, SignUpForm } from './auth/AuthScreen.tsx';
import { LogOutButton } from './auth/LogOutButton.tsx';
import { IntakeForm } from './intake/IntakeForm.tsx';
import { Landing } from './landing/Landing.tsx';
import { MyRequests } from './requests/MyRequests.tsx';
import { hrefFor, navigate, type Route, useRoute } from './routing.ts';
import { StatusPage } from './status/StatusPage.tsx';
import { Loading, Notice } from './ui/Notice.tsx';
import { OutageNote } from './ui/OutageNote.tsx';
import { PageHeading } from './ui/PageHeading.tsx';

const ROLE_NAMES: Record<string, string> = {
  admin: 'an admin',
  mechanic: 'a mechanic',
  customer: 'a customer',
};

/** Who is signed in decides what each URL shows; every screen has its own URL (hash). */
export function App() {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  const unreachableSince = useUnreachableSince(me);
  const route = useRoute();
  const user = me.data;
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className={user ? 'topbar topbar--signed-in' : 'topbar'}>
        <div className="topbar__inner">
          <a className="brand" href={hrefFor({ name: 'home' })}>
            <svg className="brand__mark" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
              <path d="M21.7 6.3a6 6 0 0 1-8 7.2l-6.6 6.6a2.2 2.2 0 0 1-3.2-3.2l6.6-6.6a6 6 0 0 1 7.2-8l-3.6 3.6.6 2.7 2.7.6z" />
            </svg>
            <span className="brand__text">Mechanic on call</span>
          </a>
          {user ? (
            <div className="topbar__user">
              {user.role === 'customer' ? (
                <a className="topbar__link" href={hrefFor({ name: 'home' })}>
                  My requests
                </a>
              ) : null}
              <span className="topbar__name">{user.displayName}</span>
              <LogOutButton />
            </div>
          ) : user === null && route.name !== 'log-in' ? (
            <div className="topbar__user">
              <a className="topbar__link" href={hrefFor({ name: 'log-in' })}>
                Log in
              </a>
            </div>
          ) : null}
        </div>
      </header>
      <main id="main" className="page">
        {user === undefined ? (
          me.error && !isTransient(me.error) ? (
            <Notice tone="error">
              <p>{errorMessage(me.error)}</p>
              <button type="button" className="button" onClick={() => me.refetch()}>
                Try again
              </button>
            </Notice>
          ) : (
            // Retrying by itself while the server does not answer: this page recovers on its own.
            <section className="card" aria-busy="true">
              <PageHeading focusKey="loading">Mechanic on call</PageHeading>
              <Loading label="Loading…" />
              <OutageNote unreachableSince={unreachableSince} updatedAt={0} />
            </section>
          )
        ) : user === null ? (
          <SignedOutScreens route={route} />
        ) : user.role !== 'customer' ? (
          <Notice tone="warning">
            <h1 className="page-title">This app is for car owners</h1>
            <p>
              You are logged in as {ROLE_NAMES[user.role] ?? user.role}. Mechanics and admins use the{' '}
              <a href="/mechanic/">mechanic dashboard</a>.
            </p>
          </Notice>
        ) : (
          <CustomerScreens route={route} displayName={user.displayName} phone={user.phone ?? ''} />
        )}
      </main>
    </>
  );
}

function SignedOutScreens({ route }: { route: Route }) {
  switch (route.name) {
    case 'home':
      return <Landing />;
    case 'book':
      return <IntakeForm signedIn={false} defaultName="" />;
    case 'sign-up':
      return <SignUpForm />;
    case 'log-in':
    case 'session':
      // A request link opened while signed out: log in, and the same URL shows the request.
      return <LogInForm />;
  }
}

function CustomerScreens({
  route,
  displayName,
  phone,
}: {
  route: Route;
  displayName: string;
  phone: string;
}) {
  switch (route.name) {
    case 'home':
      return <MyRequests />;
    case 'book':
      return <IntakeForm signedIn defaultName={displayName} defaultPhone={phone} />;
    case 'session':
      return <StatusPage key={route.sessionId} sessionId={route.sessionId} />;
    case 'log-in':
    case 'sign-up':
      return <Redirect to={{ name: 'home' }} />;
  }
}

/** Back to a log-in page while signed in lands on "My requests" instead (without a history entry). */
function Redirect({ to }: { to: Route }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return <Loading label="Loading…" />;
}
