import { useRef, useState, type FormEvent } from 'react';
import type { z } from 'zod';
import type { AuthField, AuthProblem } from './auth-errors';

type FieldErrors = Partial<Record<AuthField, string>>;

/**
 * Form state for the auth and account forms (sign-in, sign-up, reset, change password, delete): validates with the shared schema on submit (and again
 * as the person fixes a field), then runs `submit` and shows its problem, if any.
 */
export function useAuthForm<S extends z.ZodType<Partial<Record<AuthField, string>>>>(
  schema: S,
  fields: readonly AuthField[],
  submit: (values: z.infer<S>) => Promise<AuthProblem | null>,
) {
  const [values, setValues] = useState<Record<AuthField, string>>({
    name: '',
    email: '',
    password: '',
    currentPassword: '',
    newPassword: '',
  });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<AuthProblem | null>(null);
  const [pending, setPending] = useState(false);
  const submitted = useRef(false);
  const inputs = useRef<Partial<Record<AuthField, HTMLInputElement | null>>>({});

  const pick = (v: Record<AuthField, string>) => Object.fromEntries(fields.map((f) => [f, v[f]]));

  function validate(
    v: Record<AuthField, string>,
  ): { ok: true; data: z.infer<S> } | { ok: false; errors: FieldErrors } {
    const result = schema.safeParse(pick(v));
    if (result.success) return { ok: true, data: result.data };
    const found: FieldErrors = {};
    for (const issue of result.error.issues) {
      const key = issue.path[0];
      if (
        typeof key === 'string' &&
        (fields as readonly string[]).includes(key) &&
        !found[key as AuthField]
      ) {
        found[key as AuthField] = issue.message;
      }
    }
    return { ok: false, errors: found };
  }

  function setValue(field: AuthField, value: string) {
    const next = { ...values, [field]: value };
    setValues(next);
    if (submitted.current) {
      const result = validate(next);
      setErrors(result.ok ? {} : result.errors);
    }
  }

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (pending) return;
    submitted.current = true;
    setProblem(null);
    const result = validate(values);
    if (!result.ok) {
      setErrors(result.errors);
      const first = fields.find((f) => result.errors[f]);
      if (first) inputs.current[first]?.focus();
      return;
    }
    setErrors({});
    setPending(true);
    try {
      const found = await submit(result.data);
      if (found) {
        setProblem(found);
        if (found.field) inputs.current[found.field]?.focus();
      }
    } catch {
      setProblem({ message: 'We couldn’t reach the server. Check your connection and try again.' });
    } finally {
      setPending(false);
    }
  }

  const register = (field: AuthField) => ({
    id: `auth-${field}`,
    name: field,
    value: values[field],
    error: errors[field],
    invalid: problem?.field === field,
    onChange: (e: { target: { value: string } }) => setValue(field, e.target.value),
    ref: (el: HTMLInputElement | null) => {
      inputs.current[field] = el;
    },
  });

  /** Empties every field (after a form did what it was for, e.g. a changed password). */
  function reset() {
    submitted.current = false;
    setValues({ name: '', email: '', password: '', currentPassword: '', newPassword: '' });
    setErrors({});
  }

  return { register, onSubmit, problem, pending, reset };
}
