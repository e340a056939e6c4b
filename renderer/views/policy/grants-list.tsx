/** Remembered decisions ("this session", "always"), each with what it covers in words, each revocable. */
import { useEffect, useState } from 'react';
import { Badge } from '../../components/badges.tsx';
import { grantScopeText } from '../../../shared/remember-scope.ts';
import { formatDateTime } from '../../lib/format.ts';
import { usePolicyStore } from '../../state/policy-store.ts';

export function GrantsList() {
  const grants = usePolicyStore((s) => s.grants);
  const loaded = usePolicyStore((s) => s.grantsLoaded);
  const [error, setError] = useState<string | undefined>();
  useEffect(() => void usePolicyStore.getState().loadGrants(), []);

  if (!loaded) return <p className="muted">Loading…</p>;
  if (grants.length === 0) {
    return (
      <div className="empty small" role="status">
        <p className="empty-title">No remembered decisions</p>
        <p className="muted">Choose “This session” or “Always” in the approval popup and the answer is kept here.</p>
      </div>
    );
  }
  return (
    <>
      {error && (
        <p className="banner banner-error" role="alert">
          {error}
        </p>
      )}
      <table className="grants-table">
        <thead>
          <tr>
            <th scope="col">Tool</th>
            <th scope="col">Decision</th>
            <th scope="col">Covers</th>
            <th scope="col">Caller</th>
            <th scope="col">Since</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {grants.map((g) => (
            <tr key={g.id}>
              <td>
                <span className="muted">{g.server}/</span>
                {g.tool}
              </td>
              <td>
                <Badge tone={g.effect === 'allow' ? 'ok' : 'bad'}>{g.effect === 'allow' ? 'Allow' : 'Deny'}</Badge>
              </td>
              <td className="grant-scope">{grantScopeText(g)}</td>
              <td>{g.client ?? <span className="muted">every caller</span>}</td>
              <td className="nowrap">{formatDateTime(g.createdAt)}</td>
              <td className="actions">
                <button
                  type="button"
                  className="btn btn-small"
                  aria-label={`Revoke ${g.effect} for ${g.tool}`}
                  onClick={() => usePolicyStore.getState().revoke(g.id).catch((err: Error) => setError(err.message))}
                >
                  Revoke
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
