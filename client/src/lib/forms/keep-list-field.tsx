import { useId } from 'react';

/** The words of the choice, the same on the sign-in form and the account page (D38). */
export const KEEP_LIST_LABEL = 'Keep my list on this device for offline use';
export const KEEP_LIST_HINT =
  'Your tasks and the changes you make offline stay in this browser until you sign out, so a reload without a connection still shows them. Leave this off on a shared or public computer.';

/** "Keep my list on this device": a checkbox with what it means, off unless the person ticks it. */
export function KeepListField({
  checked,
  onChange,
  disabled,
}: {
  checked: boolean;
  onChange: (checked: boolean) => void;
  disabled?: boolean;
}) {
  const id = useId();
  return (
    <div className="checkbox-field keep-list-field">
      <input
        id={id}
        type="checkbox"
        checked={checked}
        disabled={disabled}
        aria-describedby={`${id}-hint`}
        onChange={(e) => onChange(e.target.checked)}
      />
      <div>
        <label htmlFor={id}>{KEEP_LIST_LABEL}</label>
        <p id={`${id}-hint`} className="field-hint">
          {KEEP_LIST_HINT}
        </p>
      </div>
    </div>
  );
}
