/**
 * A real SMTP server for the send tests (smtp-server on 127.0.0.1, ephemeral port, no TLS)
 * and the settings and assertions those tests share.
 */
import assert from 'node:assert/strict';
import type net from 'node:net';
import type { TestContext } from 'node:test';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { AppError } from '../../src/errors.js';
import type { SmtpSettings } from '../../src/export/index.js';

export interface TestServer {
  port: number;
  /** Raw mails received, as the client sent them (dot-stuffing undone). */
  mails: Buffer[];
  connections: number;
}

/** A real SMTP server on 127.0.0.1, ephemeral port, no TLS; `over` replaces any handler. */
export async function startServer(
  t: TestContext,
  over: Partial<SMTPServerOptions> = {},
): Promise<TestServer> {
  const srv: TestServer = { port: 0, mails: [], connections: 0 };
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    logger: false,
    onConnect(_session, cb) {
      srv.connections++;
      cb();
    },
    onData(stream, _session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        srv.mails.push(Buffer.concat(chunks));
        cb();
      });
    },
    ...over,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  srv.port = (server.server.address() as net.AddressInfo).port;
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return srv;
}

export function smtp(port: number, over: Partial<SmtpSettings> = {}): SmtpSettings {
  return { host: '127.0.0.1', port, secure: false, starttls: 'never', timeoutMs: 5000, ...over };
}

export const BASE = {
  from: 'Salvage <salvage@example.test>',
  to: 'helpdesk@example.test',
  coverText: 'The messages you asked for are attached.',
  subject: 'Recovered messages',
  splitLarge: false,
};

/** Reference for SMTP's canonical line ends, written independently of the module's toCrlf. */
export function crlf(bytes: Buffer): Buffer {
  return Buffer.from(bytes.toString('latin1').replace(/\r\n|\r|\n/gu, '\r\n'), 'latin1');
}

export function smtpError(err: unknown): AppError {
  assert.ok(err instanceof AppError, String(err));
  assert.equal(err.code, 'SMTP_FAILED');
  return err;
}

/** A reply with a chosen SMTP code, as smtp-server handlers give it. */
export function reply(code: number, text: string): Error {
  return Object.assign(new Error(text), { responseCode: code });
}
