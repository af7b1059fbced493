/** /merges: plan (dry run) or apply a merge from a recovery group; progress, report, resume, undo. */
import { Router } from 'express';
import { z } from 'zod';
import type { MergeRequest } from '../src/merge/index.js';
import { FolderPath, MailboxAddress, RsgMailboxName } from '../src/schemas.js';
import type { Services } from '../src/services.js';
import { ANY_TOKEN, STAFF, guard } from './auth.js';
import { callerOf } from './context.js';
import { IdParams, parse } from './params.js';

const FolderName = z.string().min(1).max(1024);

export const MergeBody = z.strictObject({
  rsg: z.string().regex(/^[a-z0-9]{4,32}$/, 'a recovery group id'),
  target: MailboxAddress,
  selection: z.strictObject({
    itemIds: z.array(z.number().int().min(1)).min(1).max(100_000).optional(),
    mailbox: RsgMailboxName.optional(),
    folder: FolderPath.optional(),
    subfolders: z.boolean().optional(),
    query: z.string().min(1).max(4096).optional(),
    includeFolders: z.array(FolderName).max(100).optional(),
    excludeFolders: z.array(FolderName).max(100).optional(),
    attachmentNames: z.array(z.string().min(1).max(200)).max(100).optional(),
  }),
  folders: z.enum(['original', 'recovered']).default('original'),
  conflict: z.enum(['skip', 'keep-both', 'update']).default('skip'),
  overrides: z
    .strictObject({
      expired: z.boolean().optional(),
      deletedSinceBackup: z.boolean().optional(),
      purged: z.boolean().optional(),
    })
    .default({}),
  badItemLimit: z.number().int().min(0).max(1_000_000).default(0),
  dryRun: z.boolean().default(false),
});

export function mergesRouter(services: Services): Router {
  const r = Router();
  const { merges } = services;

  r.post('/merges', guard(services, 'createMerge', ANY_TOKEN), async (req, res) => {
    const { dryRun, ...body } = parse(MergeBody, req.body, 'body');
    const request: MergeRequest = body;
    if (dryRun) {
      res.json({ report: await merges.dryRun(callerOf(res), request) });
      return;
    }
    const report = await merges.start(callerOf(res), request);
    res.status(202).location(`${req.baseUrl}/merges/${report.id}`).json(report);
  });

  r.get('/merges/:id', guard(services, 'getMerge', ANY_TOKEN), (req, res) => {
    const { id } = parse(IdParams, req.params, 'params');
    res.json(merges.getFor(callerOf(res), id));
  });

  r.post('/merges/:id/apply', guard(services, 'applyMerge', STAFF), (req, res) => {
    const { id } = parse(IdParams, req.params, 'params');
    res.status(202).json(merges.apply(callerOf(res), id));
  });

  r.post('/merges/:id/undo', guard(services, 'undoMerge', STAFF), async (req, res) => {
    const { id } = parse(IdParams, req.params, 'params');
    res.json(await merges.undo(callerOf(res), id));
  });

  return r;
}
