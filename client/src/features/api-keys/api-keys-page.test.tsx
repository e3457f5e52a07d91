import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, test, vi } from 'vitest';
import { renderApp } from '../../test/render-app';
import { useTestApi } from '../../test/test-api';

const api = useTestApi();

async function signedIn() {
  const me = await api.addUser({ name: 'Me', email: 'me@example.com', password: 'correct horse battery' });
  api.signInAs(me);
  return me;
}

describe('API keys page', () => {
  test('is reached from the account menu by keyboard', async () => {
    await signedIn();
    const { user } = renderApp(api, '/');
    const account = await screen.findByRole('button', { name: 'Account: me@example.com' });
    account.focus();
    await user.keyboard('{Enter}');
    // The menu opens on its first item, the account page; then recently deleted, then API keys.
    expect(screen.getByRole('link', { name: 'Account settings' })).toHaveFocus();
    await user.tab();
    expect(document.activeElement).toHaveTextContent('Recently deleted');
    expect(document.activeElement?.closest('.account-menu')).not.toBeNull();
    await user.tab();
    expect(screen.getByRole('link', { name: 'API keys' })).toHaveFocus();
    await user.keyboard('{Enter}');
    expect(await screen.findByRole('heading', { level: 1, name: 'API keys' })).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent('/api-keys');
    expect(document.title).toBe('API keys · Tasks');
    expect(await screen.findByText('No keys yet.')).toBeInTheDocument();
  });

  test('creates a key with chosen scopes and expiry, shows the secret once with a copy button, and lists it', async () => {
    await signedIn();
    const { user } = renderApp(api, '/api-keys');
    // After user-event's setup, which installs a clipboard of its own.
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    await screen.findByText('No keys yet.');

    // Validation: a name and at least one scope.
    await user.click(screen.getByRole('checkbox', { name: /Read tasks/ }));
    await user.click(screen.getByRole('button', { name: 'Create key' }));
    expect(screen.getByLabelText('Name')).toHaveAccessibleDescription('Name is required');
    expect(screen.getByLabelText('Name')).toHaveFocus();
    await user.type(screen.getByLabelText('Name'), 'nightly report');
    await user.click(screen.getByRole('button', { name: 'Create key' }));
    expect(await screen.findByText('Choose at least one scope')).toBeInTheDocument();

    await user.click(screen.getByRole('checkbox', { name: /Read tasks/ }));
    await user.click(screen.getByRole('checkbox', { name: /Add, change and delete tasks/ }));
    await user.selectOptions(screen.getByLabelText('Expires after'), '30 days');
    await user.click(screen.getByRole('button', { name: 'Create key' }));

    const heading = await screen.findByRole('heading', { name: 'Your new key “nightly report”' });
    expect(heading).toHaveFocus();
    const [stored] = api.apiKeys();
    expect(stored).toMatchObject({ name: 'nightly report', permissions: { tasks: ['read', 'write'] } });
    const secret = screen.getByLabelText('New API key');
    expect((secret as HTMLInputElement).value).toMatch(/^tm_/);
    await user.click(screen.getByRole('button', { name: 'Copy' }));
    expect(writeText).toHaveBeenCalledWith((secret as HTMLInputElement).value);
    expect(screen.getByRole('button', { name: 'Copied' })).toBeInTheDocument();

    const row = (await screen.findByRole('rowheader', { name: /nightly report/ })).closest('tr');
    if (!row) throw new Error('no row');
    expect(within(row).getByText('tasks:read')).toBeInTheDocument();
    expect(within(row).getByText('tasks:write')).toBeInTheDocument();
    expect(within(row).getAllByText('Never')).toHaveLength(1); // last used; it expires in 30 days
    expect(row).not.toHaveTextContent((secret as HTMLInputElement).value);

    // Hidden, the secret is gone for good: the list never had it.
    await user.click(screen.getByRole('button', { name: 'I have saved it, hide the key' }));
    expect(screen.queryByLabelText('New API key')).not.toBeInTheDocument();
    expect(document.body).not.toHaveTextContent(/tm_[0-9a-f]{20}/);
  });

  test('shows the last use, and revokes only after confirming; Escape cancels back to the button', async () => {
    await signedIn();
    const { user } = renderApp(api, '/api-keys');
    await screen.findByText('No keys yet.');
    await user.type(screen.getByLabelText('Name'), 'reporting');
    await user.click(screen.getByRole('button', { name: 'Create key' }));
    await screen.findByRole('heading', { name: 'Your new key “reporting”' });
    const [stored] = api.apiKeys();
    if (!stored) throw new Error('no key');
    api.useApiKey(stored.id);
    await user.click(screen.getByRole('button', { name: 'I have saved it, hide the key' }));
    screen.getByLabelText('Name').focus();
    await user.type(screen.getByLabelText('Name'), 'second');
    await user.click(screen.getByRole('button', { name: 'Create key' }));
    await screen.findByRole('heading', { name: 'Your new key “second”' });
    const reportingRow = (await screen.findByRole('rowheader', { name: /reporting/ })).closest('tr');
    if (!reportingRow) throw new Error('no row');
    await waitFor(() => expect(within(reportingRow).queryByText('Never')).toBeNull()); // used just now, and it expires in 90 days (the default)
    expect(within(reportingRow).getByText('tasks:read')).toBeInTheDocument();

    const revoke = screen.getByRole('button', { name: 'Revoke reporting' });
    await user.click(revoke);
    const confirm = screen.getByRole('group', { name: 'Confirm revoking reporting' });
    expect(within(confirm).getByRole('button', { name: 'Revoke' })).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('group', { name: 'Confirm revoking reporting' })).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Revoke reporting' })).toHaveFocus();
    expect(api.apiKeys()).toHaveLength(2);

    await user.keyboard('{Enter}');
    await user.keyboard('{Enter}'); // the confirm button has focus
    await waitFor(() =>
      expect(screen.queryByRole('rowheader', { name: /reporting/ })).not.toBeInTheDocument(),
    );
    expect(api.apiKeys().map((k) => k.name)).toEqual(['second']);
    expect(screen.getByRole('rowheader', { name: /second/ })).toBeInTheDocument();
  });

  test('sends a signed-out visitor to sign-in and back', async () => {
    renderApp(api, '/api-keys');
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent('/sign-in?next=%2Fapi-keys');
  });
});
