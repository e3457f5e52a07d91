import { useEffect, useRef, useState } from 'react';
import { useDocumentTitle } from '../../lib/use-document-title';
import { NewApiKeyForm, SCOPE_LABELS, type NewApiKey } from './new-api-key-form';
import { useApiKeys, type ApiKeyView } from './use-api-keys';

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/**
 * API keys for other services: create one (its secret is shown once, with a copy button), see
 * each key's scopes, age, last use and expiry, and revoke one after confirming.
 */
export function ApiKeysPage() {
  useDocumentTitle('API keys');
  const { list, create, revoke } = useApiKeys();
  const [secret, setSecret] = useState<{ name: string; value: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const secretHeading = useRef<HTMLHeadingElement>(null);
  const returnFocusTo = useRef<string | null>(null);

  // The secret panel takes focus when it appears, so a screen reader hears it first.
  useEffect(() => {
    if (secret) secretHeading.current?.focus();
  }, [secret]);

  // Cancelling a revoke puts focus back on that key's Revoke button.
  useEffect(() => {
    if (confirming === null && returnFocusTo.current) {
      document.querySelector<HTMLButtonElement>(`[data-revoke="${returnFocusTo.current}"]`)?.focus();
      returnFocusTo.current = null;
    }
  }, [confirming]);

  async function onCreate(input: NewApiKey): Promise<boolean> {
    setMessage(null);
    try {
      const created = await create.mutateAsync(input);
      setCopied(false);
      setSecret({ name: created.key.name, value: created.secret });
      return true;
    } catch (error) {
      setMessage(error instanceof Error ? error.message : 'Could not create the key');
      return false;
    }
  }

  async function copy() {
    if (!secret) return;
    try {
      await navigator.clipboard.writeText(secret.value);
      setCopied(true);
      setAnnouncement('Key copied to the clipboard');
    } catch {
      setAnnouncement('Copying failed: select the key and copy it yourself');
    }
  }

  async function onRevoke(key: ApiKeyView) {
    setConfirming(null);
    setMessage(null);
    try {
      await revoke.mutateAsync(key.id);
      setAnnouncement(`Key “${key.name}” revoked`);
      document.querySelector<HTMLHeadingElement>('#api-keys-title')?.focus();
    } catch (error) {
      setMessage(error instanceof Error ? error.message : 'Could not revoke the key');
    }
  }

  function cancelRevoke(key: ApiKeyView) {
    returnFocusTo.current = key.id;
    setConfirming(null);
  }

  const keys = list.data ?? [];

  return (
    <section className="api-keys" aria-labelledby="api-keys-title">
      <h1 id="api-keys-title" className="tasks-heading" tabIndex={-1}>
        API keys
      </h1>
      <p className="lead">
        A key lets another service read or change your tasks without your password. It exchanges the key at{' '}
        <code>/api/auth/api-key/token</code> for a token valid 15 minutes. Revoking a key stops it within
        seconds.
      </p>
      <div className="visually-hidden" aria-live="polite" aria-atomic="true">
        {announcement}
      </div>
      {message && (
        <p className="notice notice-error" role="alert">
          {message}
        </p>
      )}

      {secret && (
        <section className="card api-key-secret" aria-labelledby="api-key-secret-title">
          <h2 id="api-key-secret-title" ref={secretHeading} tabIndex={-1}>
            Your new key “{secret.name}”
          </h2>
          <p>Copy it now and keep it somewhere safe: it will not be shown again.</p>
          <div className="api-key-secret-row">
            <input
              className="api-key-secret-value"
              readOnly
              value={secret.value}
              aria-label="New API key"
              onFocus={(e) => e.currentTarget.select()}
            />
            <button type="button" className="button button-primary" onClick={() => void copy()}>
              {copied ? 'Copied' : 'Copy'}
            </button>
          </div>
          <button type="button" className="button button-link" onClick={() => setSecret(null)}>
            I have saved it, hide the key
          </button>
        </section>
      )}

      <NewApiKeyForm onCreate={onCreate} busy={create.isPending} />

      <section className="card api-key-list" aria-labelledby="api-key-list-title">
        <h2 id="api-key-list-title">Your keys</h2>
        {list.isPending ? (
          <div className="list-status" role="status">
            <span className="spinner" aria-hidden="true" /> Loading your keys…
          </div>
        ) : list.isError ? (
          <div className="list-status" role="alert">
            <p>Your keys couldn’t be loaded.</p>
            <button type="button" className="button" onClick={() => void list.refetch()}>
              Try again
            </button>
          </div>
        ) : keys.length === 0 ? (
          <p className="list-status empty">No keys yet.</p>
        ) : (
          <table className="api-key-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Scopes</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.map((key) => (
                <tr key={key.id}>
                  <th scope="row">
                    {key.name}
                    {key.start && <span className="api-key-start"> {key.start}…</span>}
                  </th>
                  <td>
                    {key.scopes.map((scope) => (
                      <span key={scope} className="api-key-scope" title={SCOPE_LABELS[scope]}>
                        {scope}
                      </span>
                    ))}
                  </td>
                  <td>{dateFormat.format(key.createdAt)}</td>
                  <td>{key.lastUsedAt ? dateTimeFormat.format(key.lastUsedAt) : 'Never'}</td>
                  <td>{key.expiresAt ? dateFormat.format(key.expiresAt) : 'Never'}</td>
                  <td>
                    {confirming === key.id ? (
                      <span
                        className="confirm"
                        role="group"
                        aria-label={`Confirm revoking ${key.name}`}
                        onKeyDown={(e) => {
                          if (e.key === 'Escape') {
                            e.preventDefault();
                            cancelRevoke(key);
                          }
                        }}
                      >
                        <span>Revoke? Services using it stop working.</span>
                        <button
                          type="button"
                          className="button button-danger"
                          onClick={() => void onRevoke(key)}
                          autoFocus
                        >
                          Revoke
                        </button>
                        <button type="button" className="button" onClick={() => cancelRevoke(key)}>
                          Cancel
                        </button>
                      </span>
                    ) : (
                      <button
                        type="button"
                        className="button button-quiet"
                        data-revoke={key.id}
                        onClick={() => setConfirming(key.id)}
                        disabled={revoke.isPending && revoke.variables === key.id}
                        aria-label={`Revoke ${key.name}`}
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </section>
  );
}
