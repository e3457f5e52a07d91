/**
 * Email verification over HTTP with a real SMTP server: a mail at sign-up whose link verifies the
 * address; an unverified account can still use the API (D32); resends are capped per account and
 * answer alike for an unknown address.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { user as userTable } from '../db/auth-schema';
import { testBackends } from '../test/databases';
import { apiStatus, getToken, signUp, startTestServer, type TestServer } from '../test/server';
import { startSmtpServer, type TestSmtpServer, VERIFY_SUBJECT, verifyLink } from '../test/smtp';
import { VERIFY_MAILS_PER_HOUR } from './auth';

describe.each(testBackends)('email verification on %s', (backend) => {
  let smtp: TestSmtpServer;
  let server: TestServer;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    server = await startTestServer(backend, { env: { SMTP_URL: smtp.url } });
  });
  afterAll(async () => {
    await server?.stop();
    await smtp?.stop();
  });

  const verified = async (id: string) => {
    const [row] = await server.database.db
      .select({ emailVerified: userTable.emailVerified })
      .from(userTable)
      .where(eq(userTable.id, id));
    return row?.emailVerified;
  };
  const resend = (email: string, cookie = '') =>
    fetch(`${server.url}/api/auth/send-verification-email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.baseURL, ...(cookie ? { cookie } : {}) },
      body: JSON.stringify({ email }),
    });

  it('mails a link at sign-up; the unverified account works meanwhile; the link verifies and opens the app', async () => {
    const ann = await signUp(server, 'ann');
    expect(await verified(ann.id)).toBe(false);
    expect(await apiStatus(server, await getToken(server, ann.cookie))).toBe(200);

    const link = verifyLink(await smtp.mailTo(ann.email, { subject: VERIFY_SUBJECT }));
    expect(link.origin).toBe(server.baseURL);
    const response = await fetch(`${server.url}${link.pathname}${link.search}`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(new URL(response.headers.get('location') ?? '', server.baseURL).pathname).toBe('/');
    expect(await verified(ann.id)).toBe(true);
  });

  it('refuses a tampered link and leaves the address unverified', async () => {
    const bob = await signUp(server, 'bob');
    const link = verifyLink(await smtp.mailTo(bob.email, { subject: VERIFY_SUBJECT }));
    link.searchParams.set('token', `${link.searchParams.get('token') ?? ''}x`);
    const response = await fetch(`${server.url}${link.pathname}${link.search}`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toMatch(/error=INVALID_TOKEN/i);
    expect(await verified(bob.id)).toBe(false);
  });

  it(`sends one account at most ${VERIFY_MAILS_PER_HOUR} verification mails an hour, answering every resend alike`, async () => {
    const cy = await signUp(server, 'cy');
    await smtp.mailTo(cy.email, { subject: VERIFY_SUBJECT });
    for (let i = 0; i < VERIFY_MAILS_PER_HOUR + 1; i += 1) {
      const response = await resend(cy.email, cy.cookie);
      expect(response.status).toBe(200);
      await response.body?.cancel();
    }
    await smtp.mailTo(cy.email, { subject: VERIFY_SUBJECT, n: VERIFY_MAILS_PER_HOUR });
    await server.app.mailer.idle();
    expect(smtp.mailsTo(cy.email, VERIFY_SUBJECT)).toHaveLength(VERIFY_MAILS_PER_HOUR);
  });

  it('answers a resend for an unknown address like one for a real one, and mails nobody', async () => {
    const dee = await signUp(server, 'dee');
    const unknown = `nobody-${Date.now()}@example.com`;
    const known = await resend(dee.email);
    const other = await resend(unknown);
    expect(other.status).toBe(known.status);
    expect(await other.text()).toBe(await known.text());
    await server.app.mailer.idle();
    expect(smtp.mailsTo(unknown)).toEqual([]);
  });
});
