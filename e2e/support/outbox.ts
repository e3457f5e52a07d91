/** The development outbox (`$DATA_DIR/outbox/*.eml`) read as a mail client would, for browser tests. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { waitFor } from '../../server/test/wait';

export interface OutboxMail {
  subject: string;
  text: string;
}

async function mailsIn(dir: string, to: string, subject: string): Promise<OutboxMail[]> {
  const files = await readdir(join(dir, 'outbox')).catch(() => []);
  const found: OutboxMail[] = [];
  for (const file of files.sort()) {
    const parsed = await simpleParser(await readFile(join(dir, 'outbox', file)));
    const recipients = [parsed.to ?? []].flat().flatMap((a) => a.value.map((v) => v.address));
    if (parsed.subject === subject && recipients.includes(to)) {
      found.push({ subject: parsed.subject, text: parsed.text ?? '' });
    }
  }
  return found;
}

/** Waits (bounded) for the `n`th mail (1-based) to `to` with `subject` in the outbox under `dataDir`. */
export async function outboxMail(dataDir: string, to: string, subject: string, n = 1): Promise<OutboxMail> {
  let mails: OutboxMail[] = [];
  await waitFor(
    async () => {
      mails = await mailsIn(dataDir, to, subject);
      return mails.length >= n;
    },
    { timeoutMs: 10_000, intervalMs: 100, what: `mail "${subject}" #${n} to ${to}` },
  );
  const mail = mails[n - 1];
  if (!mail) throw new Error('no mail');
  return mail;
}

/** The first link in a mail's text that contains `path`. */
export function linkIn(mail: OutboxMail, path: string): string {
  const link = mail.text.split(/\s+/).find((word) => word.startsWith('http') && word.includes(path));
  if (!link) throw new Error(`no ${path} link in the mail`);
  return link;
}
