import { useEffect, useId, useRef, useState, type FocusEvent, type KeyboardEvent } from 'react';
import { Link } from 'react-router';

interface AccountMenuProps {
  email: string;
  signingOut: boolean;
  onSignOut: () => void;
}

/**
 * The signed-in account in the header: a button with the person's initial (and the email on wide
 * screens) that opens "Signed in as …", the account page, recently deleted tasks, the API keys page and Sign out. Escape
 * or leaving the menu closes it.
 */
export function AccountMenu({ email, signingOut, onSignOut }: AccountMenuProps) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const toggle = useRef<HTMLButtonElement>(null);
  const firstItem = useRef<HTMLAnchorElement>(null);

  // Opening moves focus into the menu, as a menu button does.
  useEffect(() => {
    if (open) firstItem.current?.focus();
  }, [open]);

  function onKeyDown(event: KeyboardEvent) {
    if (event.key === 'Escape' && open) {
      event.preventDefault();
      setOpen(false);
      toggle.current?.focus();
    }
  }

  function onBlur(event: FocusEvent<HTMLDivElement>) {
    if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setOpen(false);
  }

  return (
    <div className="account" onKeyDown={onKeyDown} onBlur={onBlur}>
      <button
        type="button"
        ref={toggle}
        className="button button-quiet account-toggle"
        onClick={() => setOpen(!open)}
        aria-expanded={open}
        aria-controls={`${id}-menu`}
        aria-label={`Account: ${email}`}
      >
        <span className="avatar" aria-hidden="true">
          {email.charAt(0).toUpperCase()}
        </span>
        <span className="account-email" aria-hidden="true">
          {email}
        </span>
      </button>
      <div id={`${id}-menu`} className="account-menu" hidden={!open}>
        <p className="account-menu-who">
          Signed in as <strong>{email}</strong>
        </p>
        <Link
          to="/account"
          ref={firstItem}
          className="button wide account-menu-item"
          onClick={() => setOpen(false)}
        >
          Account settings
        </Link>
        <Link to="/deleted" className="button wide account-menu-item" onClick={() => setOpen(false)}>
          Recently deleted
        </Link>
        <Link to="/api-keys" className="button wide account-menu-item" onClick={() => setOpen(false)}>
          API keys
        </Link>
        <button type="button" className="button wide" onClick={onSignOut} disabled={signingOut}>
          {signingOut ? 'Signing out…' : 'Sign out'}
        </button>
      </div>
    </div>
  );
}
