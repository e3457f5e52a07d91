/** The three transports: SMTP (a real in-process server), the development outbox, and disabled. */
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLog } from '../test/captured-log';
import { testEnv } from '../test/env';
import { startSmtpServer, type TestSmtpServer } from '../test/smtp';
import { createMailer, type Mail } from './mailer';

const mail: Mail = {
  to: 'ann@example.com',
  subject: 'Hello',
  text: 'A link: http://tasks.test/reset-password?token=secret-token-123',
  html: '<p>A link</p>',
};

describe('mailer', () => {
  let dataDir: string;
  let smtp: TestSmtpServer;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mailer-'));
    smtp = await startSmtpServer();
  });
  afterAll(async () => {
    await smtp?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('sends over SMTP_URL, in the background, logging neither body nor recipient', async () => {
    const { log, output } = captureLog('debug');
    const mailer = createMailer(testEnv({ SMTP_URL: smtp.url, DATA_DIR: dataDir }), log);
    expect(mailer.kind).toBe('smtp');
    mailer.deliver(mail, { purpose: 'test', requestId: 'req-1' });
    await mailer.idle();
    const received = await smtp.mailTo(mail.to);
    expect(received.subject).toBe('Hello');
    expect(received.text.trim()).toBe(mail.text);
    expect(output.join('')).toContain('"event":"mail_sent"');
    expect(output.join('')).not.toMatch(/secret-token|ann@example\.com/);
  });

  it('logs a failed delivery by its code only, and never throws into the request', async () => {
    const { log, output } = captureLog('debug');
    const mailer = createMailer(testEnv({ SMTP_HOST: '127.0.0.1', SMTP_PORT: '1', DATA_DIR: dataDir }), log);
    mailer.deliver(mail, { purpose: 'test', requestId: 'req-1' });
    await mailer.idle();
    const line = output.find((l) => l.includes('mail_failed')) ?? '';
    expect(JSON.parse(line)).toMatchObject({
      event: 'mail_failed',
      purpose: 'test',
      requestId: 'req-1',
      code: 'ESOCKET',
    });
    expect(line).not.toMatch(/secret-token|ann@example\.com/);
  });

  it('without SMTP, writes a private .eml file under DATA_DIR/outbox and logs where', async () => {
    const { log, output } = captureLog('info');
    const mailer = createMailer(testEnv({ DATA_DIR: dataDir }), log);
    expect(mailer.kind).toBe('outbox');
    await mailer.send(mail);
    const [file] = await readdir(join(dataDir, 'outbox'));
    expect(file).toMatch(/\.eml$/);
    const path = join(dataDir, 'outbox', file ?? '');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const parsed = await simpleParser(await readFile(path));
    expect(parsed.subject).toBe('Hello');
    expect(parsed.text?.trim()).toBe(mail.text);
    const line = JSON.parse(output.find((l) => l.includes('mail_outbox')) ?? '{}') as Record<string, unknown>;
    expect(line).toMatchObject({ subject: 'Hello', file: path });
    // The recipient only in a development server's log (NODE_ENV=development: `npm start`).
    expect(line.recipient).toBeUndefined();
    const dev = captureLog('info');
    await createMailer({ ...testEnv({ DATA_DIR: dataDir }), NODE_ENV: 'development' }, dev.log).send(mail);
    expect(dev.output.join('')).toContain(`"recipient":"${mail.to}"`);
    expect(output.join('')).not.toContain('secret-token');
  });

  it('with EMAIL_DISABLED=true, sends nothing and says so', async () => {
    const { log, output } = captureLog('info');
    const mailer = createMailer(testEnv({ EMAIL_DISABLED: 'true', SMTP_URL: smtp.url }), log);
    expect(mailer.kind).toBe('disabled');
    const before = smtp.received.length;
    mailer.deliver(mail, { purpose: 'test', requestId: 'req-1' });
    await mailer.idle();
    expect(smtp.received.length).toBe(before);
    expect(output.join('')).toContain('"event":"mail_disabled"');
  });
});
