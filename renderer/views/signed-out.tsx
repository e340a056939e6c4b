/** Shown when this tab has no admin token: how to get a login link. */
export function SignedOut({ problem }: { problem?: string | undefined }) {
  return (
    <main className="signed-out">
      <div className="signed-out-card">
        <h1>Sign in to Airlock</h1>
        {problem && (
          <p className="notice notice-error" role="alert">
            {problem}
          </p>
        )}
        <p>
          Open the link that <code>airlock serve</code> printed, or run <code>airlock open</code> for a new one. Each link works once and
          only in the browser on this machine.
        </p>
      </div>
    </main>
  );
}
