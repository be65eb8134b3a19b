/** Placeholder shell shown until the real features land. No business logic. */
export function App() {
  return (
    <main>
      <h1>unibus</h1>
      <p>End-to-end encrypted rooms and files on a bus you own.</p>
    </main>
  );
}
