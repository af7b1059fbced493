import type { SMTPTransportOptions } from 'nodemailer/lib/smtp-transport';
import { z } from 'zod';

/**
 * The outgoing mail server, as written in the config file. Defaults are the safe ones:
 * STARTTLS required, 30 s timeouts.
 */
export const SmtpSettingsSchema = z.strictObject({
  host: z.string().min(1),
  port: z.coerce.number().int().min(1).max(65535),
  /** Implicit TLS from the first byte (usually port 465). */
  secure: z.boolean().default(false),
  /**
   * Without implicit TLS: `required` fails unless the server offers STARTTLS and the upgrade
   * works; `opportunistic` upgrades when offered (a failed upgrade is still an error);
   * `never` stays in clear text even when offered.
   */
  starttls: z.enum(['required', 'opportunistic', 'never']).default('required'),
  auth: z.strictObject({ user: z.string().min(1), pass: z.string() }).optional(),
  /** Applies to connecting, the greeting, each command and DNS, in milliseconds. */
  timeoutMs: z.coerce.number().int().min(1).max(600_000).default(30_000),
});

/** Validated SMTP settings. */
export type SmtpSettings = z.output<typeof SmtpSettingsSchema>;

/** nodemailer SMTP transport options for `settings`; one connection per mail, no pool. */
export function smtpTransportOptions(settings: SmtpSettings): SMTPTransportOptions {
  return {
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    requireTLS: !settings.secure && settings.starttls === 'required',
    ignoreTLS: !settings.secure && settings.starttls === 'never',
    ...(settings.auth ? { auth: { user: settings.auth.user, pass: settings.auth.pass } } : {}),
    connectionTimeout: settings.timeoutMs,
    greetingTimeout: settings.timeoutMs,
    socketTimeout: settings.timeoutMs,
    dnsTimeout: settings.timeoutMs,
    // Attachments are always Buffers we hand over: never let a mail option read a file or a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
  };
}
