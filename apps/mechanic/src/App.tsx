import { errorMessage } from '@dispatch/web';
import { LogInForm } from './auth/LogInForm.tsx';
import { useMe } from './auth/useMe.ts';
import { Dashboard } from './layout/Dashboard.tsx';
import { NoticesProvider } from './notices/notices.tsx';

export function App() {
  const me = useMe();
  if (me.isPending) {
    return (
      <main className="auth" aria-busy="true">
        <p className="muted">Loading…</p>
      </main>
    );
  }
  if (me.isError && !me.data) {
    return (
      <main className="auth">
        <div className="auth__card" role="alert">
          <h1>Mechanic dashboard</h1>
          <p>Cannot reach the server: {errorMessage(me.error)}</p>
          <button type="button" className="button button--primary" onClick={() => void me.refetch()}>
            Try again
          </button>
        </div>
      </main>
    );
  }
  const user = me.data;
  if (!user) return <LogInForm />;
  if (user.role === 'customer') {
    return (
      <main className="auth">
        <div className="auth__card">
          <h1>Mechanic dashboard</h1>
          <p>This dashboard is for mechanics and admins. Customers book help in the customer app.</p>
          <a className="button button--secondary" href="/">
            Go to the customer app
          </a>
        </div>
      </main>
    );
  }
  return (
    <NoticesProvider>
      <Dashboard me={user} />
    </NoticesProvider>
  );
}
