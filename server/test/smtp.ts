/**
 * A real SMTP server in this process (smtp-server), whose messages are parsed by mailparser as a
 * mail client would: tests see what a person would receive, not what we meant to send.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { waitFor } from './wait';

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
}

export interface TestSmtpServer {
  /** SMTP_URL for the app under test. */
  url: string;
  received: ReceivedMail[];
  /** Waits (bounded) for the `n`th mail to `to` (1-based) with this subject, if given, and returns it. */
  mailTo(to: string, opts?: { subject?: string; n?: number }): Promise<ReceivedMail>;
  mailsTo(to: string, subject?: string): ReceivedMail[];
  stop(): Promise<void>;
}

export async function startSmtpServer(): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          received.push({
            from: parsed.from?.text ?? '',
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
          });
          callback();
        })
        .catch((error: unknown) => callback(error instanceof Error ? error : new Error('parse failed')));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  const mailsTo = (to: string, subject?: string) =>
    received.filter((m) => m.to.includes(to) && (subject === undefined || m.subject === subject));
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    mailsTo,
    async mailTo(to, { subject, n = 1 } = {}) {
      await waitFor(async () => mailsTo(to, subject).length >= n, { what: `mail #${n} to ${to}` });
      const mail = mailsTo(to, subject)[n - 1];
      if (!mail) throw new Error('no mail');
      return mail;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export const RESET_SUBJECT = 'Reset your Tasks password';
export const VERIFY_SUBJECT = 'Confirm your email for Tasks';

/** The reset link in a mail's text, and its token. */
export function resetLink(mail: ReceivedMail): { url: URL; token: string } {
  const match = /https?:\/\/\S+\/reset-password\?token=\S+/.exec(mail.text);
  if (!match) throw new Error('no reset link in the mail');
  const url = new URL(match[0]);
  return { url, token: url.searchParams.get('token') ?? '' };
}

/** The verification link in a mail's text (Better Auth's /api/auth/verify-email). */
export function verifyLink(mail: ReceivedMail): URL {
  const match = /https?:\/\/\S+\/api\/auth\/verify-email\?token=\S+/.exec(mail.text);
  if (!match) throw new Error('no verification link in the mail');
  return new URL(match[0]);
}
