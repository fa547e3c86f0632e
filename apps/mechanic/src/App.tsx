export function App() {
  return (
    <main className="page">
      <h1>Mechanic dashboard</h1>
      <p>Requests you can take appear here the moment they are queued.</p>
    </main>
  );
}
