/** Wiring of the recovery side of a home, for src/services.ts. */
import type { AuditService } from '../audit/index.js';
import { openRsgCatalogue } from '../catalogue.js';
import type { Config } from '../config.js';
import type { Clock } from '../lib/clock.js';
import type { SelfRestoreBudget } from '../live/index.js';
import type { Database } from '../store/index.js';
import { MergeService } from './merge-service.js';
import { RecoveryService } from './recovery-service.js';

/** Wire the recovery side of a home over its live database. */
export function buildRecovery(
  config: Config,
  live: Database,
  audit: AuditService,
  clock: Clock,
  selfRestores: SelfRestoreBudget,
): { recovery: RecoveryService; merges: MergeService; settled(): Promise<void>; close(): Promise<void> } {
  const catalogue = openRsgCatalogue(config, clock);
  const recovery = new RecoveryService(live, catalogue, audit, {
    smtp: config.smtp,
    from: config.mailFrom,
    maxMailBytes: config.maxMailBytes,
  });
  const merges = new MergeService(live, catalogue, audit, clock, selfRestores);
  const settled = async (): Promise<void> => {
    await recovery.settled();
    await merges.settled();
  };
  return {
    recovery,
    merges,
    settled,
    close: async () => {
      await settled();
      recovery.close();
    },
  };
}
