/**
 * Outgoing mail. Three transports, chosen once from the environment (server/env.ts):
 * - `smtp`: nodemailer over SMTP_URL, or SMTP_HOST/SMTP_PORT/SMTP_USER/SMTP_PASSWORD;
 * - `outbox` (no SMTP configured, development and tests): each message is written as an `.eml` file
 *   under `$DATA_DIR/outbox/`, and a log line names the file, subject and recipient;
 * - `disabled` (EMAIL_DISABLED=true): nothing is sent; features that need mail are turned off.
 * Mail is sent in the background (`deliver`): a request never waits for, or reveals, delivery.
 * Bodies hold links with tokens, so neither a body nor a transport error message is ever logged.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { Env } from '../env';
import type { Logger } from '../logger';

export interface Mail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** What the log says about a mail: its purpose and the request that caused it. */
export interface DeliveryLabel {
  purpose: string;
  requestId?: string | null | undefined;
}

export type MailTransportKind = 'smtp' | 'outbox' | 'disabled';

export interface Mailer {
  kind: MailTransportKind;
  /** Sends now; rejects when the transport fails (callers in a request use `deliver`). */
  send(mail: Mail, about?: DeliveryLabel): Promise<void>;
  /** Sends in the background: returns at once, logs the outcome, never throws. */
  deliver(mail: Mail, about: DeliveryLabel): void;
  /**
   * Resolves once every background delivery started so far has finished (tests, shutdown), or
   * after `timeoutMs` if given (a stalled mail server must not hold a shutdown for minutes).
   */
  idle(timeoutMs?: number): Promise<void>;
}

type MailEnv = Pick<
  Env,
  | 'SMTP_URL'
  | 'SMTP_HOST'
  | 'SMTP_PORT'
  | 'SMTP_SECURE'
  | 'SMTP_USER'
  | 'SMTP_PASSWORD'
  | 'MAIL_FROM'
  | 'EMAIL_DISABLED'
  | 'DATA_DIR'
  | 'NODE_ENV'
>;

/** A transport error's code only (EAUTH, ECONNECTION, …): its message may quote the recipient. */
function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return error instanceof Error ? error.name : 'unknown';
}

export function createMailer(env: MailEnv, log: Logger): Mailer {
  const kind: MailTransportKind = env.EMAIL_DISABLED
    ? 'disabled'
    : env.SMTP_URL || env.SMTP_HOST
      ? 'smtp'
      : 'outbox';
  const smtp =
    kind !== 'smtp'
      ? undefined
      : env.SMTP_URL
        ? nodemailer.createTransport(env.SMTP_URL)
        : nodemailer.createTransport({
            host: env.SMTP_HOST,
            port: env.SMTP_PORT,
            secure: env.SMTP_SECURE ?? env.SMTP_PORT === 465,
            ...(env.SMTP_USER && env.SMTP_PASSWORD
              ? { auth: { user: env.SMTP_USER, pass: env.SMTP_PASSWORD } }
              : {}),
          });
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  const outboxDir = join(env.DATA_DIR, 'outbox');
  const pending = new Set<Promise<void>>();

  async function send(mail: Mail, about?: DeliveryLabel): Promise<void> {
    const message = { from: env.MAIL_FROM, ...mail };
    if (kind === 'disabled') return;
    if (smtp) {
      await smtp.sendMail(message);
      return;
    }
    const info = await composer.sendMail(message);
    await mkdir(outboxDir, { recursive: true, mode: 0o700 });
    const file = join(outboxDir, `${new Date().toISOString().replaceAll(':', '-')}-${randomUUID()}.eml`);
    // 0600: the file holds a live link; only the server's user may read it.
    await writeFile(file, info.message, { mode: 0o600 });
    // The recipient is logged only by the outbox of a development server (`npm start` without
    // SMTP), so a developer can find the mail; production has no outbox (server/env.ts), and tests
    // hold the log to "no email in it" (log-privacy.test.ts).
    const recipient = env.NODE_ENV === 'development' ? mail.to : undefined;
    log.info(
      { event: 'mail_outbox', file, subject: mail.subject, recipient, ...about },
      `mail written to the outbox: "${mail.subject}"${recipient ? ` to ${recipient}` : ''} (${file})`,
    );
  }

  return {
    kind,
    send,
    deliver(mail, about) {
      if (kind === 'disabled') {
        log.warn({ event: 'mail_disabled', ...about }, 'mail not sent: EMAIL_DISABLED=true');
        return;
      }
      const delivery = send(mail, about).then(
        () => {
          if (kind === 'smtp') log.info({ event: 'mail_sent', ...about }, 'mail sent');
        },
        (error: unknown) => {
          log.error({ event: 'mail_failed', ...about, code: errorCode(error) }, 'mail could not be sent');
        },
      );
      pending.add(delivery);
      void delivery.finally(() => pending.delete(delivery));
    },
    async idle(timeoutMs) {
      const all = Promise.all(pending).then(() => undefined);
      if (timeoutMs === undefined) return all;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      });
      await Promise.race([all, timeout]);
      clearTimeout(timer);
    },
  };
}
