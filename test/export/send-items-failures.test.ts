import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { type SentMail, SmtpSettingsSchema, sendItems } from '../../src/export/index.js';
import { anItem } from './fixtures.js';
import { BASE, reply, smtp, smtpError, startServer } from './smtp-test-server.js';

describe('sendItems failures', () => {
  const item = anItem(Buffer.from('Subject: s\r\n\r\nbody\r\n'), { messageId: 'one@example.test' });

  it('refuses an item whose bytes do not match its sha256 with SOURCE_CORRUPT, before connecting', async (t) => {
    const srv = await startServer(t);
    const tampered = { ...item, bytes: () => Promise.resolve(Buffer.from('Subject: s\r\n\r\nother\r\n')) };
    await assert.rejects(sendItems([item, tampered], { ...BASE, smtp: smtp(srv.port) }), {
      code: 'SOURCE_CORRUPT',
      message: /<one@example\.test>/u,
    });
    assert.equal(srv.connections, 0);
  });

  it('reports a closed port as SMTP_FAILED naming the refused connection, with nothing sent', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const err = smtpError(await sendItems([item], { ...BASE, smtp: smtp(port) }).catch((e: unknown) => e));
    assert.match(
      err.message,
      new RegExp(`^Could not send through SMTP server 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`, 'u'),
    );
    assert.equal(err.details.smtpCode, null);
    assert.deepEqual(err.details.sentMails, []);
  });

  it('reports a refused login as SMTP_FAILED naming the 535 reply', async (t) => {
    const srv = await startServer(t, {
      allowInsecureAuth: true,
      authOptional: false,
      onAuth: (_auth, _session, cb) => cb(reply(535, 'Authentication credentials invalid')),
    });
    const settings = smtp(srv.port, { auth: { user: 'alice', pass: 'wrong-password' } });
    const err = smtpError(await sendItems([item], { ...BASE, smtp: settings }).catch((e: unknown) => e));
    assert.match(err.message, /refused the login: 535 Authentication credentials invalid/u);
    assert.equal(err.details.smtpCode, 535);
    assert.doesNotMatch(JSON.stringify({ m: err.message, d: err.details }), /wrong-password/u);
    assert.equal(srv.mails.length, 0);
  });

  it('reports a rejected recipient as SMTP_FAILED naming the 550 reply', async (t) => {
    const srv = await startServer(t, {
      onRcptTo: (address, _session, cb) => cb(reply(550, `5.1.1 <${address.address}>: mailbox unavailable`)),
    });
    const err = smtpError(
      await sendItems([item], { ...BASE, smtp: smtp(srv.port) }).catch((e: unknown) => e),
    );
    assert.match(
      err.message,
      /refused the recipient: 550 5\.1\.1 <helpdesk@example\.test>: mailbox unavailable/u,
    );
    assert.equal(err.details.smtpCode, 550);
    assert.equal(err.details.smtpCommand, 'RCPT TO');
    assert.deepEqual(err.details.sentMails, []);
  });

  it('lists exactly the mails accepted before a message was refused', async (t) => {
    let n = 0;
    const srv = await startServer(t, {
      onData(stream, _session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          n++;
          if (n === 2) {
            cb(reply(552, '5.3.4 Message too big for this mailbox'));
            return;
          }
          srv.mails.push(Buffer.concat(chunks));
          cb();
        });
      },
    });
    const items = [1, 2, 3].map((i) =>
      anItem(Buffer.alloc(10_000, `line ${i}\r\n`), { messageId: `m${i}@x` }),
    );
    const opts = { ...BASE, smtp: smtp(srv.port), maxMailBytes: 16_000, splitLarge: true };
    const err = smtpError(await sendItems(items, opts).catch((e: unknown) => e));
    assert.match(
      err.message,
      /refused the message \(mail 2 of 3\): 552 5\.3\.4 Message too big for this mailbox/u,
    );
    const sent = err.details.sentMails as SentMail[];
    assert.deepEqual(
      sent.map((m) => m.messageIds),
      [['m1@x']],
    );
    assert.equal(err.details.failedMail, 2);
    assert.equal(n, 2, 'the third mail was not attempted');
  });

  it('refuses to send in clear text when STARTTLS is required and the server does not offer it', async (t) => {
    const srv = await startServer(t);
    const err = smtpError(
      await sendItems([item], { ...BASE, smtp: smtp(srv.port, { starttls: 'required' }) }).catch(
        (e: unknown) => e,
      ),
    );
    assert.match(err.message, /STARTTLS/iu);
    assert.equal(srv.mails.length, 0);
  });

  it('gives up on a silent server after timeoutMs with SMTP_FAILED', async (t) => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    t.after(() => {
      sockets.forEach((s) => s.destroy());
      silent.close();
    });
    const port = (silent.address() as net.AddressInfo).port;
    const started = performance.now();
    const err = smtpError(
      await sendItems([item], { ...BASE, smtp: smtp(port, { timeoutMs: 300 }) }).catch((e: unknown) => e),
    );
    assert.ok(performance.now() - started < 3000);
    assert.equal(err.details.errorCode, 'ETIMEDOUT');
    assert.match(err.message, /Greeting never received|timeout/iu);
  });
});

describe('SmtpSettingsSchema', () => {
  it('fills the safe defaults and refuses unknown keys and bad values', () => {
    assert.deepEqual(SmtpSettingsSchema.parse({ host: 'smtp.example.test', port: '587' }), {
      host: 'smtp.example.test',
      port: 587,
      secure: false,
      starttls: 'required',
      timeoutMs: 30_000,
    });
    const bad = SmtpSettingsSchema.safeParse({ host: '', port: 0, starttls: 'yes', tls: true });
    assert.equal(bad.success, false);
    assert.deepEqual(bad.error.issues.map((i) => i.path.join('.') || i.code).sort(), [
      'host',
      'port',
      'starttls',
      'unrecognized_keys',
    ]);
  });
});
