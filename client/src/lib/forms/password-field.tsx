import { useState } from 'react';
import { TextField, type TextFieldProps } from './text-field';

/** A password input with a button that shows or hides what was typed. */
export function PasswordField(props: Omit<TextFieldProps, 'type' | 'addon'>) {
  const [revealed, setRevealed] = useState(false);
  return (
    <TextField
      {...props}
      type={revealed ? 'text' : 'password'}
      spellCheck={false}
      autoCapitalize="off"
      addon={
        <button
          type="button"
          className="button button-quiet reveal"
          aria-label={revealed ? 'Hide password' : 'Show password'}
          aria-controls={props.id}
          onClick={() => setRevealed((r) => !r)}
        >
          {revealed ? 'Hide' : 'Show'}
        </button>
      }
    />
  );
}
