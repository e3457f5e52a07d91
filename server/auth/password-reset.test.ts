/**
 * Password reset over HTTP, with mail delivered to a real SMTP server and parsed as a client
 * would: the link works once and not after it expires, an unknown address gets the same answer and
 * no mail, the old password and every old session and JWT stop working on every instance, and
 * requests are limited per address and per account.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verification } from '../db/auth-schema';
import { captureLog } from '../test/captured-log';
import { testBackends } from '../test/databases';
import {
  apiStatus,
  getToken,
  signIn,
  signUp,
  startSecondInstance,
  startTestServer,
  type TestServer,
} from '../test/server';
import { RESET_SUBJECT, resetLink, startSmtpServer, type TestSmtpServer } from '../test/smtp';
import { waitFor } from '../test/wait';
import { RESET_MAILS_PER_HOUR } from './auth';

const PUBLIC_URL = 'http://tasks.test';
const NEW_PASSWORD = 'a brand new passphrase 42';

async function post(server: TestServer, path: string, body: unknown): Promise<Response> {
  return fetch(`${server.url}/api/auth${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: server.baseURL },
    body: JSON.stringify(body),
  });
}

const requestReset = (server: TestServer, email: string) =>
  post(server, '/request-password-reset', { email });
const resetPassword = (server: TestServer, token: string, newPassword = NEW_PASSWORD) =>
  post(server, '/reset-password', { token, newPassword });

describe.each(testBackends)('password reset on %s', (backend) => {
  let smtp: TestSmtpServer;
  let server: TestServer;
  const captured = captureLog('debug');

  beforeAll(async () => {
    smtp = await startSmtpServer();
    server = await startTestServer(backend, {
      env: { SMTP_URL: smtp.url, MAIL_FROM: 'Tasks <no-reply@tasks.test>', BETTER_AUTH_URL: PUBLIC_URL },
      log: captured.log,
    });
  });
  afterAll(async () => {
    await server?.stop();
    await smtp?.stop();
  });

  it('mails a link to the client page; it sets the password once; the old password stops working', async () => {
    const ann = await signUp(server, 'ann');
    const response = await requestReset(server, ann.email);
    expect(response.status).toBe(200);
    const mail = await smtp.mailTo(ann.email, { subject: RESET_SUBJECT });
    expect(mail.from).toMatch(/^"?Tasks"? <no-reply@tasks\.test>$/);
    expect(mail.subject).toBe('Reset your Tasks password');
    const { url, token } = resetLink(mail);
    expect(`${url.origin}${url.pathname}`).toBe(`${PUBLIC_URL}/reset-password`);
    expect(mail.html).toContain(url.href.replaceAll('&', '&amp;'));

    expect((await resetPassword(server, token)).status).toBe(200);
    // Single use: the same link again is refused and does not change the password back.
    const again = await resetPassword(server, token, 'yet another passphrase 43');
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ code: 'INVALID_TOKEN' });

    await expect(signIn(server, ann)).rejects.toThrow(/401/);
    await expect(signIn(server, { email: ann.email, password: NEW_PASSWORD })).resolves.toBeTruthy();
  });

  it('refuses an expired link, and a made-up one', async () => {
    const bob = await signUp(server, 'bob');
    await requestReset(server, bob.email);
    const { token } = resetLink(await smtp.mailTo(bob.email, { subject: RESET_SUBJECT }));
    await server.database.db
      .update(verification)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(verification.identifier, `reset-password:${token}`));
    const expired = await resetPassword(server, token);
    expect(expired.status).toBe(400);
    expect(await expired.json()).toMatchObject({ code: 'INVALID_TOKEN' });
    expect((await resetPassword(server, 'x'.repeat(24))).status).toBe(400);
    await expect(signIn(server, bob)).resolves.toBeTruthy();
  });

  it('answers an unknown address exactly as a known one, and mails nobody', async () => {
    const cy = await signUp(server, 'cy');
    const unknown = `nobody-${Date.now()}@example.com`;
    const known = await requestReset(server, cy.email);
    const other = await requestReset(server, unknown);
    expect(other.status).toBe(known.status);
    expect(await other.text()).toBe(await known.text());
    await smtp.mailTo(cy.email, { subject: RESET_SUBJECT });
    await server.app.mailer.idle();
    expect(smtp.mailsTo(unknown)).toEqual([]);
  });

  it('ends every session and refuses every earlier JWT, on another instance too', async () => {
    const second = await startSecondInstance(server, { env: { BETTER_AUTH_URL: PUBLIC_URL } });
    try {
      const dee = await signUp(server, 'dee');
      const otherDevice = await signIn(server, dee);
      const tokens = [await getToken(server, dee.cookie), await getToken(server, otherDevice)];
      for (const token of tokens) expect(await apiStatus(second, token)).toBe(200);

      await requestReset(server, dee.email);
      const { token } = resetLink(await smtp.mailTo(dee.email, { subject: RESET_SUBJECT }));
      expect((await resetPassword(server, token)).status).toBe(200);

      for (const token of tokens) {
        await waitFor(async () => (await apiStatus(second, token)) === 401, { what: 'old JWT refused' });
        expect(await apiStatus(server, token)).toBe(401);
      }
      await expect(getToken(server, dee.cookie)).rejects.toThrow(/401/);
      await expect(getToken(second, otherDevice)).rejects.toThrow(/401/);
      // A sign-in right after, with the new password, works on both.
      const fresh = await getToken(
        second,
        await signIn(second, { email: dee.email, password: NEW_PASSWORD }),
      );
      expect(await apiStatus(server, fresh)).toBe(200);
    } finally {
      await second.stop();
    }
  });

  it(`mails one account at most ${RESET_MAILS_PER_HOUR} times an hour, answering every request alike`, async () => {
    const eve = await signUp(server, 'eve');
    const answers = new Set<string>();
    for (let i = 0; i < RESET_MAILS_PER_HOUR + 2; i += 1) {
      const response = await requestReset(server, eve.email);
      expect(response.status).toBe(200);
      answers.add(await response.text());
    }
    expect(answers.size).toBe(1);
    await smtp.mailTo(eve.email, { subject: RESET_SUBJECT, n: RESET_MAILS_PER_HOUR });
    await server.app.mailer.idle();
    expect(smtp.mailsTo(eve.email, RESET_SUBJECT)).toHaveLength(RESET_MAILS_PER_HOUR);
  });

  it('logs each request and reset by user id, at debug, and never a token, link, email or password', async () => {
    const fay = await signUp(server, 'fay');
    await requestReset(server, fay.email);
    const { token } = resetLink(await smtp.mailTo(fay.email, { subject: RESET_SUBJECT }));
    expect((await resetPassword(server, token)).status).toBe(200);
    await server.app.mailer.idle();
    const log = captured.output.join('');
    expect(log).toContain('"event":"reset_requested"');
    expect(log).toContain('"event":"password_reset"');
    expect(log).toContain('"event":"mail_sent"');
    for (const secret of [token, '/reset-password?token', fay.email, NEW_PASSWORD]) {
      expect(log).not.toContain(secret);
    }
  });
});

describe.each(testBackends)('password reset rate limit per address on %s', (backend) => {
  let smtp: TestSmtpServer;
  let server: TestServer;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    server = await startTestServer(backend, { env: { SMTP_URL: smtp.url, RATE_LIMIT_ENABLED: 'true' } });
  });
  afterAll(async () => {
    await server?.stop();
    await smtp?.stop();
  });

  it('answers 429 with Retry-After after 5 requests from one address, whatever the emails', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      const response = await requestReset(server, `someone-${i}@example.com`);
      statuses.push(response.status);
      if (response.status === 429) expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      await response.body?.cancel();
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });
});
