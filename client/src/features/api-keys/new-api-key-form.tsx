import { useId, useRef, useState, type FormEvent } from 'react';
import { z } from 'zod';
import {
  API_KEY_NAME_MAX,
  API_KEY_SCOPES,
  createApiKeyFormSchema,
  type ApiKeyScope,
} from '../../../../shared/api-key';

export const SCOPE_LABELS: Record<ApiKeyScope, string> = {
  'tasks:read': 'Read tasks',
  'tasks:write': 'Add, change and delete tasks',
};

/** Expiry choices, in days (null: never). */
const EXPIRY_CHOICES: Array<{ label: string; days: number | null }> = [
  { label: '30 days', days: 30 },
  { label: '90 days', days: 90 },
  { label: '1 year', days: 365 },
  { label: 'Never', days: null },
];

export type NewApiKey = { name: string; scopes: ApiKeyScope[]; expiresInDays: number | null };

/** Name, scopes and expiry of a new key; resolves true when the key was created. */
export function NewApiKeyForm({
  onCreate,
  busy,
}: {
  onCreate: (key: NewApiKey) => Promise<boolean>;
  busy: boolean;
}) {
  const id = useId();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<ApiKeyScope[]>(['tasks:read']);
  const [expiry, setExpiry] = useState('90');
  const [errors, setErrors] = useState<{ name?: string; scopes?: string }>({});
  const nameRef = useRef<HTMLInputElement>(null);
  const scopesRef = useRef<HTMLInputElement>(null);

  function toggleScope(scope: ApiKeyScope, checked: boolean) {
    setScopes((current) => API_KEY_SCOPES.filter((s) => (s === scope ? checked : current.includes(s))));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = createApiKeyFormSchema.safeParse({
      name,
      scopes,
      expiresInDays: expiry === 'never' ? null : Number(expiry),
    });
    if (!parsed.success) {
      const fields = z.flattenError(parsed.error).fieldErrors;
      setErrors({ name: fields.name?.[0], scopes: fields.scopes?.[0] });
      (fields.name ? nameRef : scopesRef).current?.focus();
      return;
    }
    setErrors({});
    if (await onCreate(parsed.data)) setName('');
  }

  return (
    <form
      className="card api-key-form"
      onSubmit={(e) => void submit(e)}
      noValidate
      aria-labelledby={`${id}-title`}
    >
      <h2 id={`${id}-title`}>Create a key</h2>
      <div className="field">
        <label htmlFor={`${id}-name`}>Name</label>
        <input
          id={`${id}-name`}
          ref={nameRef}
          value={name}
          onChange={(e) => setName(e.target.value)}
          maxLength={API_KEY_NAME_MAX * 2}
          autoComplete="off"
          aria-invalid={errors.name ? true : undefined}
          aria-describedby={errors.name ? `${id}-name-error` : `${id}-name-hint`}
        />
        {errors.name ? (
          <p id={`${id}-name-error`} className="field-error">
            {errors.name}
          </p>
        ) : (
          <p id={`${id}-name-hint`} className="field-hint">
            Which service uses it, e.g. “nightly report”.
          </p>
        )}
      </div>
      <fieldset
        className="field api-key-scopes"
        aria-describedby={errors.scopes ? `${id}-scopes-error` : undefined}
      >
        <legend>What it may do</legend>
        {API_KEY_SCOPES.map((scope, index) => (
          <label key={scope} className="checkbox">
            <input
              type="checkbox"
              ref={index === 0 ? scopesRef : undefined}
              checked={scopes.includes(scope)}
              onChange={(e) => toggleScope(scope, e.target.checked)}
            />
            {SCOPE_LABELS[scope]} <code>{scope}</code>
          </label>
        ))}
        {errors.scopes && (
          <p id={`${id}-scopes-error`} className="field-error">
            {errors.scopes}
          </p>
        )}
      </fieldset>
      <div className="field">
        <label htmlFor={`${id}-expiry`}>Expires after</label>
        <select id={`${id}-expiry`} value={expiry} onChange={(e) => setExpiry(e.target.value)}>
          {EXPIRY_CHOICES.map((choice) => (
            <option key={choice.label} value={choice.days === null ? 'never' : String(choice.days)}>
              {choice.label}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className="button button-primary" disabled={busy}>
        {busy ? 'Creating…' : 'Create key'}
      </button>
    </form>
  );
}
