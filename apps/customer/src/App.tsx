import { errorMessage, useTRPC } from '@dispatch/web';
import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { AuthScreen } from './auth/AuthScreen.tsx';
import { LogOutButton } from './auth/LogOutButton.tsx';
import { IntakeForm } from './intake/IntakeForm.tsx';
import { navigate, useRoute } from './routing.ts';
import { StatusPage } from './status/StatusPage.tsx';
import { Loading, Notice } from './ui/Notice.tsx';

/** Who is signed in decides the screen; for a customer, the URL hash picks the step. */
export function App() {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  const user = me.data;
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar__inner">
          <a className="brand" href="#/">
            <svg className="brand__mark" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
              <path d="M21.7 6.3a6 6 0 0 1-8 7.2l-6.6 6.6a2.2 2.2 0 0 1-3.2-3.2l6.6-6.6a6 6 0 0 1 7.2-8l-3.6 3.6.6 2.7 2.7.6z" />
            </svg>
            Mechanic on call
          </a>
          {user ? (
            <div className="topbar__user">
              <span className="topbar__name">{user.displayName}</span>
              <LogOutButton />
            </div>
          ) : null}
        </div>
      </header>
      <main id="main" className="page">
        {me.isPending ? (
          <Loading label="Loading…" />
        ) : me.isError ? (
          <Notice tone="error">
            <p>{errorMessage(me.error)}</p>
            <button type="button" className="button" onClick={() => me.refetch()}>
              Try again
            </button>
          </Notice>
        ) : !user ? (
          <AuthScreen />
        ) : user.role !== 'customer' ? (
          <Notice tone="warning">
            <h1 className="page-title">This app is for car owners</h1>
            <p>
              You are logged in as a {user.role}. Mechanics use the{' '}
              <a href="/mechanic/">mechanic dashboard</a>.
            </p>
          </Notice>
        ) : (
          <CustomerScreens displayName={user.displayName} />
        )}
      </main>
    </>
  );
}

function CustomerScreens({ displayName }: { displayName: string }) {
  const route = useRoute();
  switch (route.name) {
    case 'home':
      return <Home />;
    case 'book':
      return (
        <IntakeForm
          defaultName={displayName}
          onBooked={(sessionId) => navigate({ name: 'session', sessionId })}
        />
      );
    case 'session':
      return <StatusPage key={route.sessionId} sessionId={route.sessionId} />;
  }
}

/** A returning customer lands on their open request; everyone else on the booking form. */
function Home() {
  const trpc = useTRPC();
  const current = useQuery(trpc.session.current.queryOptions(undefined, { staleTime: 0 }));
  useEffect(() => {
    if (!current.isSuccess) return;
    navigate(current.data ? { name: 'session', sessionId: current.data.sessionId } : { name: 'book' }, {
      replace: true,
    });
  }, [current.isSuccess, current.data]);
  if (current.isError) {
    return (
      <Notice tone="error">
        <p>{errorMessage(current.error)}</p>
        <button type="button" className="button" onClick={() => current.refetch()}>
          Try again
        </button>
      </Notice>
    );
  }
  return <Loading label="Looking for your open request…" />;
}
