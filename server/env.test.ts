import { describe, expect, it } from 'vitest';
import { EnvError, parseEnv } from './env';

describe('parseEnv', () => {
  it('needs nothing to run in development', () => {
    expect(parseEnv({})).toMatchObject({
      NODE_ENV: 'development',
      PORT: 3000,
      DATA_DIR: '.data',
      JWT_TTL_SECONDS: 900,
    });
  });

  it('treats empty values as unset, as .env files write them', () => {
    expect(parseEnv({ PORT: '', DATABASE_URL: '', JWT_TTL_SECONDS: '' })).toMatchObject({
      PORT: 3000,
      JWT_TTL_SECONDS: 900,
    });
  });

  it('stops production without a secret or public URL, naming both', () => {
    expect(() => parseEnv({ NODE_ENV: 'production' })).toThrow(EnvError);
    expect(() => parseEnv({ NODE_ENV: 'production' })).toThrow(/BETTER_AUTH_SECRET[\s\S]*BETTER_AUTH_URL/);
  });

  describe('mail', () => {
    const production = {
      NODE_ENV: 'production',
      BETTER_AUTH_SECRET: 'x'.repeat(32),
      BETTER_AUTH_URL: 'https://tasks.example.com',
    };

    it('stops production without SMTP, naming SMTP_URL and the way to run without mail', () => {
      expect(() => parseEnv(production)).toThrow(/SMTP_URL: .*EMAIL_DISABLED=true/);
      expect(parseEnv({ ...production, EMAIL_DISABLED: 'true' })).toMatchObject({ EMAIL_DISABLED: true });
      expect(
        parseEnv({
          ...production,
          SMTP_URL: 'smtps://u:p@smtp.example.com',
          MAIL_FROM: 'Tasks <t@example.com>',
        }),
      ).toMatchObject({ SMTP_URL: 'smtps://u:p@smtp.example.com' });
    });

    it('needs MAIL_FROM with SMTP in production', () => {
      expect(() => parseEnv({ ...production, SMTP_HOST: 'smtp.example.com' })).toThrow(/MAIL_FROM/);
    });

    it('refuses a non-SMTP URL, both SMTP_URL and SMTP_HOST, and a user without a password', () => {
      expect(() => parseEnv({ SMTP_URL: 'https://smtp.example.com' })).toThrow(/SMTP_URL/);
      expect(() => parseEnv({ SMTP_URL: 'smtp://a', SMTP_HOST: 'b' })).toThrow(/SMTP_HOST/);
      expect(() => parseEnv({ SMTP_HOST: 'b', SMTP_USER: 'u' })).toThrow(/SMTP_PASSWORD/);
    });

    it('needs no mail setting in development (the outbox)', () => {
      expect(parseEnv({})).toMatchObject({ EMAIL_DISABLED: false, SMTP_PORT: 587 });
    });
  });

  it('refuses a generated secret on a non-loopback HOST unless NODE_ENV says which environment it is', () => {
    for (const HOST of ['0.0.0.0', '::', '192.0.2.10', 'tasks.example.com']) {
      expect(() => parseEnv({ HOST })).toThrow(
        /BETTER_AUTH_SECRET: .*NODE_ENV=production.*NODE_ENV=development/,
      );
      expect(parseEnv({ HOST, NODE_ENV: 'development' })).toMatchObject({ HOST, NODE_ENV: 'development' });
      expect(parseEnv({ HOST, BETTER_AUTH_SECRET: 'a'.repeat(32) })).toMatchObject({
        NODE_ENV: 'development',
      });
    }
    for (const HOST of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) {
      expect(parseEnv({ HOST })).toMatchObject({ HOST, NODE_ENV: 'development' });
    }
  });

  it('refuses a short secret and names bad variables', () => {
    expect(() => parseEnv({ BETTER_AUTH_SECRET: 'short' })).toThrow(/BETTER_AUTH_SECRET: .*at least 32/);
    expect(() => parseEnv({ PORT: 'http' })).toThrow(/PORT/);
    expect(() => parseEnv({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL: must be a postgres/);
    expect(() => parseEnv({ JWT_TTL_SECONDS: '86400' })).toThrow(/JWT_TTL_SECONDS/);
  });

  it('takes a direct URL and prepared statements off for a transaction-mode pooler, and only with DATABASE_URL', () => {
    expect(parseEnv({})).toMatchObject({ DATABASE_PREPARED_STATEMENTS: true });
    expect(parseEnv({ DATABASE_DIRECT_URL: '' }).DATABASE_DIRECT_URL).toBeUndefined();
    expect(
      parseEnv({
        DATABASE_URL: 'postgres://app@pgbouncer:6432/tasks',
        DATABASE_DIRECT_URL: 'postgres://app@db:5432/tasks',
        DATABASE_PREPARED_STATEMENTS: 'false',
      }),
    ).toMatchObject({
      DATABASE_DIRECT_URL: 'postgres://app@db:5432/tasks',
      DATABASE_PREPARED_STATEMENTS: false,
    });
    expect(() => parseEnv({ DATABASE_DIRECT_URL: 'postgres://app@db:5432/tasks' })).toThrow(
      /DATABASE_DIRECT_URL: DATABASE_DIRECT_URL goes with DATABASE_URL/,
    );
    expect(() => parseEnv({ DATABASE_URL: 'postgres://x', DATABASE_DIRECT_URL: 'http://x' })).toThrow(
      /DATABASE_DIRECT_URL: must be a postgres/,
    );
    expect(() => parseEnv({ DATABASE_PREPARED_STATEMENTS: 'no' })).toThrow(/DATABASE_PREPARED_STATEMENTS/);
  });

  it('never echoes a secret in its error', () => {
    expect.assertions(1);
    const secret = 'too-short-secret';
    try {
      parseEnv({ BETTER_AUTH_SECRET: secret });
    } catch (error) {
      expect(String(error)).not.toContain(secret);
    }
  });
});
