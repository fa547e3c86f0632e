export function App() {
  return (
    <main className="page">
      <h1>Get live help from a mechanic</h1>
      <p>Tell us about your vehicle and a mechanic will join you.</p>
    </main>
  );
}
