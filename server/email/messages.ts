/** The text of every mail the app sends, as plain text and a minimal HTML twin. */
import type { Mail } from './mailer';

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function paragraphs(lines: string[], link: { url: string; label: string }): string {
  const body = lines.map((line) => `<p>${escapeHtml(line)}</p>`).join('\n');
  return `<!doctype html>\n<html><body>\n${body}\n<p><a href="${escapeHtml(link.url)}">${escapeHtml(link.label)}</a></p>\n</body></html>\n`;
}

/** The password-reset mail: a single-use link valid for `minutes`. */
export function resetPasswordMail(to: { name: string; email: string }, url: string, minutes: number): Mail {
  const lines = [
    `Hello ${to.name},`,
    `Someone (hopefully you) asked to reset the password of your Tasks account. The link below works once, for ${minutes} minutes.`,
    'If you did not ask for this, ignore this mail: your password stays as it is.',
  ];
  return {
    to: to.email,
    subject: 'Reset your Tasks password',
    text: `${lines.join('\n\n')}\n\n${url}\n`,
    html: paragraphs(lines, { url, label: 'Choose a new password' }),
  };
}

/** The address-verification mail sent at sign-up (and on "resend"). */
export function verifyEmailMail(to: { name: string; email: string }, url: string, hours: number): Mail {
  const lines = [
    `Hello ${to.name},`,
    `Please confirm that this is your email address for Tasks: it is where we send a link if you ever forget your password. The link works for ${hours} hours.`,
    'If you did not create a Tasks account, ignore this mail.',
  ];
  return {
    to: to.email,
    subject: 'Confirm your email for Tasks',
    text: `${lines.join('\n\n')}\n\n${url}\n`,
    html: paragraphs(lines, { url, label: 'Confirm my email' }),
  };
}
