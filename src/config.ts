/**
 * Configuration: defaults < `<home>/salvage.json` < environment (`SALVAGE_*`) < flags.
 * The only module that reads process.env. Startup fails fast, listing every bad key at once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from './errors.js';
import { SmtpSettingsSchema } from './export/index.js';

export const ConfigSchema = z.object({
  home: z.string().min(1).default('./data'),
  port: z.coerce.number().int().min(0).max(65535).default(8080),
  host: z.string().default('127.0.0.1'),
  /** Seed the demo scenario when the home is empty (`npm start`). */
  demo: z
    .union([z.boolean(), z.enum(['0', '1', 'true', 'false'])])
    .transform((v) => v === true || v === '1' || v === 'true')
    .default(false),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Default dumpster retention for a new database, in days. */
  retentionDays: z.coerce.number().int().min(0).max(36_500).default(14),
  /** Largest message accepted, in bytes (default 50 MiB). */
  maxMessageBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .default(50 * 1024 * 1024),
  /** End users' self-restores per hour (items). */
  selfRestorePerHour: z.coerce.number().int().min(1).default(100),
  /** The SMTP relay for `send` (salvage.json only: host, port, secure, starttls, auth). */
  smtp: SmtpSettingsSchema.optional(),
  /** The From address of mail that Salvage sends. */
  mailFrom: z.string().min(3).default('salvage@localhost'),
  /** Largest mail `send` builds; larger selections are split or refused. */
  maxMailBytes: z.coerce
    .number()
    .int()
    .min(64 * 1024)
    .default(20 * 1024 * 1024),
});
export type Config = Readonly<z.infer<typeof ConfigSchema>>;

const ENV_KEYS: Record<string, keyof z.input<typeof ConfigSchema>> = {
  SALVAGE_HOME: 'home',
  SALVAGE_PORT: 'port',
  SALVAGE_HOST: 'host',
  SALVAGE_DEMO: 'demo',
  SALVAGE_LOG_LEVEL: 'logLevel',
  SALVAGE_RETENTION_DAYS: 'retentionDays',
  SALVAGE_MAX_MESSAGE_BYTES: 'maxMessageBytes',
  SALVAGE_SELF_RESTORE_PER_HOUR: 'selfRestorePerHour',
};

export const SETTINGS_FILE = 'salvage.json';

function readSettingsFile(home: string): Record<string, unknown> {
  const file = path.join(home, SETTINGS_FILE);
  if (!fs.existsSync(file)) {
    return {};
  }
  try {
    const v: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch (err) {
    throw new AppError(
      'VALIDATION_FAILED',
      `${SETTINGS_FILE} is not valid JSON`,
      { file: SETTINGS_FILE },
      { cause: err },
    );
  }
}

/**
 * Build the frozen Config. `flags` are the command line's values (undefined = not given).
 * @throws VALIDATION_FAILED listing every bad key
 */
export function loadConfig(
  flags: Partial<Record<keyof Config, unknown>> = {},
  env: NodeJS.ProcessEnv = process.env,
): Config {
  const fromEnv: Record<string, unknown> = {};
  for (const [k, key] of Object.entries(ENV_KEYS)) {
    if (env[k] !== undefined && env[k] !== '') {
      fromEnv[key] = env[k];
    }
  }
  const given = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  const homeGiven = given.home ?? fromEnv.home;
  const home = typeof homeGiven === 'string' && homeGiven !== '' ? homeGiven : './data';
  const merged = { ...readSettingsFile(home), ...fromEnv, ...given, home };
  const r = ConfigSchema.safeParse(merged);
  if (!r.success) {
    throw new AppError('VALIDATION_FAILED', 'The configuration is not valid', {
      errors: r.error.issues.map((i) => ({ where: 'config', path: i.path.join('.'), message: i.message })),
    });
  }
  return Object.freeze(r.data);
}

/** Where things live under a home directory (DESIGN.md "The home directory"). */
export function homePaths(home: string): { home: string; live: string; rsg: string; settings: string } {
  return {
    home,
    live: path.join(home, 'live'),
    rsg: path.join(home, 'rsg'),
    settings: path.join(home, SETTINGS_FILE),
  };
}
