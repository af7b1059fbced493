import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { AppError } from '../../src/errors.js';
import { sendItems } from '../../src/export/index.js';
import { anItem, loadFixtures } from './fixtures.js';
import { BASE, crlf, smtp, startServer } from './smtp-test-server.js';

describe('sendItems', () => {
  it('attaches each item as message/rfc822 with its bytes, only SMTP’s CRLF line ends imposed', async (t) => {
    const fixtures = await loadFixtures();
    const srv = await startServer(t);
    const result = await sendItems(
      fixtures.map((f) => f.item),
      { ...BASE, smtp: smtp(srv.port) },
    );

    assert.equal(srv.mails.length, 1);
    const mail = await simpleParser(srv.mails[0]!);
    assert.equal(mail.subject, BASE.subject);
    assert.equal(mail.text?.trim(), BASE.coverText);
    assert.equal(mail.attachments.length, fixtures.length);
    let exact = 0;
    for (const [i, f] of fixtures.entries()) {
      const a = mail.attachments[i]!;
      assert.equal(a.contentType, 'message/rfc822');
      assert.ok(['7bit', '8bit'].includes(a.headers.get('content-transfer-encoding') as string), f.name);
      assert.ok(a.content.equals(crlf(f.bytes)), `${f.name}: attachment differs`);
      exact += a.content.equals(f.bytes) ? 1 : 0;
    }
    assert.ok(exact >= 5, `${exact} CRLF messages arrived byte for byte`);
    const utf8 = mail.attachments[fixtures.findIndex((f) => f.name === 'ruby-mail/utf8_headers.eml')]!;
    assert.equal(utf8.headers.get('content-transfer-encoding'), '8bit');

    assert.equal(result.mails.length, 1);
    const sent = result.mails[0]!;
    assert.deepEqual(
      sent.messageIds,
      fixtures.flatMap((f) => (f.item.messageId ? [f.item.messageId] : [])),
    );
    assert.deepEqual(sent.accepted, [BASE.to]);
    assert.match(sent.smtpResponse, /^250 /u);
    assert.equal(`<${sent.mailMessageId}>`, mail.messageId);
  });

  it('splits into mails no larger than maxMailBytes, in order, numbered in the subject, when allowed', async (t) => {
    const fixtures = await loadFixtures();
    const srv = await startServer(t);
    const maxMailBytes = 25_000;
    const items = fixtures.map((f) => f.item);

    await assert.rejects(
      sendItems(items, { ...BASE, smtp: smtp(srv.port), maxMailBytes }),
      (err: unknown) => {
        assert.ok(err instanceof AppError);
        assert.equal(err.code, 'VALIDATION_FAILED');
        assert.match(err.message, /need \d+ mails/u);
        return true;
      },
    );
    assert.equal(srv.connections, 0, 'refused before connecting');

    const progress: number[] = [];
    const result = await sendItems(items, {
      ...BASE,
      smtp: smtp(srv.port),
      maxMailBytes,
      splitLarge: true,
      onProgress: (p) => progress.push(p.mailsSent),
    });
    const n = srv.mails.length;
    assert.ok(n >= 4, `${n} mails`);
    assert.equal(result.mails.length, n);
    assert.deepEqual(
      progress,
      Array.from({ length: n }, (_, i) => i + 1),
    );
    const attachments: Buffer[] = [];
    for (const [i, raw] of srv.mails.entries()) {
      assert.ok(raw.length <= maxMailBytes, `mail ${i + 1} is ${raw.length} bytes`);
      const mail = await simpleParser(raw);
      assert.equal(mail.subject, `${BASE.subject} (${i + 1}/${n})`);
      attachments.push(...mail.attachments.map((a) => a.content));
    }
    assert.deepEqual(
      attachments,
      fixtures.map((f) => crlf(f.bytes)),
    );
    assert.deepEqual(
      result.mails.flatMap((m) => m.sha256s),
      fixtures.map((f) => f.item.sha256),
    );
  });

  it('refuses with VALIDATION_FAILED, naming the number of mails needed, before connecting', async (t) => {
    const srv = await startServer(t);
    const items = [1, 2, 3].map((i) => anItem(Buffer.alloc(10_000, `line ${i}\r\n`)));
    const err = await sendItems(items, { ...BASE, smtp: smtp(srv.port), maxMailBytes: 16_000 }).catch(
      (e: unknown) => e,
    );
    assert.ok(err instanceof AppError);
    assert.equal(err.code, 'VALIDATION_FAILED');
    assert.equal(err.details.mailsNeeded, 3);
    assert.match(err.message, /need 3 mails of at most 16000 bytes/u);
    assert.equal(srv.connections, 0);
  });

  it('refuses an item that alone exceeds maxMailBytes, and an empty selection, before connecting', async (t) => {
    const srv = await startServer(t);
    const big = anItem(Buffer.alloc(50_000, 'xx\r\n'), { messageId: 'big@example.test' });
    const small = anItem(Buffer.from('Subject: s\r\n\r\nsmall\r\n'));
    const opts = { ...BASE, smtp: smtp(srv.port), maxMailBytes: 20_000, splitLarge: true };
    await assert.rejects(sendItems([small, big], opts), (err: unknown) => {
      assert.ok(err instanceof AppError);
      assert.equal(err.code, 'VALIDATION_FAILED');
      assert.match(
        err.message,
        /<big@example\.test> \(50000 bytes\) does not fit in a mail of at most 20000 bytes/u,
      );
      return true;
    });
    await assert.rejects(sendItems([], opts), { code: 'VALIDATION_FAILED', message: /nothing to send/u });
    assert.equal(srv.connections, 0);
  });

  it('stops between mails when aborted, having sent only what it reported', async (t) => {
    const srv = await startServer(t);
    const items = [1, 2, 3].map((i) => anItem(Buffer.alloc(10_000, `line ${i}\r\n`)));
    const ac = new AbortController();
    const reported: number[] = [];
    const opts = { ...BASE, smtp: smtp(srv.port), maxMailBytes: 16_000, splitLarge: true, signal: ac.signal };
    await assert.rejects(
      sendItems(items, {
        ...opts,
        onProgress: (p) => {
          reported.push(p.mailsSent);
          ac.abort();
        },
      }),
      { name: 'AbortError' },
    );
    assert.equal(srv.mails.length, 1);
    assert.deepEqual(reported, [1]);
  });

  it('cancels the mail in flight when aborted while the server is still answering', async (t) => {
    const timers: NodeJS.Timeout[] = [];
    t.after(() => timers.forEach(clearTimeout));
    const srv = await startServer(t, {
      onData(stream, _session, cb) {
        stream.resume();
        stream.on('end', () => timers.push(setTimeout(() => cb(), 10_000)));
      },
    });
    const ac = new AbortController();
    timers.push(setTimeout(() => ac.abort(), 200));
    const started = performance.now();
    const item = anItem(Buffer.from('Subject: slow\r\n\r\nbody\r\n'));
    await assert.rejects(sendItems([item], { ...BASE, smtp: smtp(srv.port), signal: ac.signal }), {
      name: 'AbortError',
    });
    assert.ok(performance.now() - started < 5000, 'did not wait for the server');
  });
});
