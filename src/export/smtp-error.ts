import { AppError } from '../errors.js';

/** What the caller learns about each mail the server accepted. */
export interface SentMail {
  /** Message-IDs (without <>) of the items attached to this mail, where they have one. */
  messageIds: string[];
  /** sha256 of every item attached to this mail, in order (items without a Message-ID included). */
  sha256s: string[];
  /** The Message-ID of the mail itself, without <>. */
  mailMessageId: string;
  /** The server's final reply to the message, e.g. `250 2.0.0 Ok: queued as 4F3A2`. */
  smtpResponse: string;
  /** Recipients the server accepted. */
  accepted: string[];
  /** Recipients the server refused while accepting others. */
  rejected: string[];
  /** Size of the mail as sent, in bytes. */
  bytes: number;
}

/** The fields of nodemailer's errors that say what the server answered. */
interface NodemailerErrorFields {
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
  command?: unknown;
  message?: unknown;
}

function field(err: unknown, key: keyof NodemailerErrorFields): unknown {
  return typeof err === 'object' && err !== null ? (err as NodemailerErrorFields)[key] : undefined;
}

/** What the server refused, from nodemailer's error code and the command it answered. */
function refusedWhat(code: unknown, command: unknown): string {
  if (code === 'EAUTH') {
    return 'the login';
  }
  if (command === 'MAIL FROM') {
    return 'the sender';
  }
  if (command === 'RCPT TO' || code === 'EENVELOPE') {
    return 'the recipient';
  }
  if (code === 'EMESSAGE' || command === 'DATA') {
    return 'the message';
  }
  return 'the session';
}

export interface SmtpFailureContext {
  host: string;
  port: number;
  sentMails: SentMail[];
  /** 1-based number of the mail that failed. */
  failedMail: number;
  mailsTotal: number;
}

/**
 * Turn a nodemailer failure into SMTP_FAILED. The message names the server's reply code and
 * text when there is one (a refused login, sender, recipient or message), else what went
 * wrong on the way (connection refused, timeout, TLS). `details.sentMails` lists the mails
 * accepted before this one; the failed mail and the ones after it were not sent.
 */
export function smtpFailed(err: unknown, ctx: SmtpFailureContext): AppError {
  const code = field(err, 'code');
  const command = field(err, 'command');
  const responseCode = field(err, 'responseCode');
  const rawResponse = field(err, 'response');
  const response = typeof rawResponse === 'string' ? rawResponse.trim() : undefined;
  const server = `${ctx.host}:${ctx.port}`;
  const part = ctx.mailsTotal > 1 ? ` (mail ${ctx.failedMail} of ${ctx.mailsTotal})` : '';
  const afterCommand = typeof command === 'string' ? ` in reply to ${command}` : '';
  const cause = field(err, 'message');
  const message =
    response !== undefined && response !== ''
      ? `SMTP server ${server} refused ${refusedWhat(code, command)}${part}: ${response}${afterCommand}`
      : `Could not send through SMTP server ${server}${part}: ${typeof cause === 'string' ? cause : String(err)}`;
  return new AppError(
    'SMTP_FAILED',
    message,
    {
      smtpCode: typeof responseCode === 'number' ? responseCode : null,
      smtpResponse: response ?? null,
      smtpCommand: typeof command === 'string' ? command : null,
      errorCode: typeof code === 'string' ? code : null,
      sentMails: ctx.sentMails,
      failedMail: ctx.failedMail,
      mailsTotal: ctx.mailsTotal,
    },
    { cause: err },
  );
}
