/** /recovery-groups: mount (202 + progress), list, browse, preview, search, export and send. */
import { type Response, Router } from 'express';
import { z } from 'zod';
import { AppError } from '../src/errors.js';
import { downloadHeaders, EXPORT_FORMATS } from '../src/export/index.js';
import { resolveInside } from '../src/lib/fs.js';
import { toItemSummary } from '../src/live/index.js';
import { RSG_SOURCE_KINDS, type RsgInfo } from '../src/rsg/index.js';
import { FolderPath, RsgMailboxName } from '../src/schemas.js';
import type { Services } from '../src/services.js';
import { STAFF, guard } from './auth.js';
import { callerOf } from './context.js';
import { PageQuery, PathId, parse } from './params.js';

const RsgId = z.string().regex(/^[a-z0-9]{4,32}$/, 'a recovery group id');
const RsgParams = z.object({ id: RsgId });
const RsgMailboxParams = z.object({ id: RsgId, address: RsgMailboxName });
const RsgItemParams = z.object({ id: RsgId, itemId: PathId });
const AttachmentParams = RsgItemParams.extend({ n: z.coerce.number().int().min(0).max(100_000) });
const Until = z.union([
  z
    .string()
    .regex(/^\d+$/)
    .transform((v) => ({ lsn: Number(v) })),
  z.iso.datetime({ offset: true }).transform((v) => ({ timeMs: Date.parse(v) })),
]);
const MountBody = z.strictObject({
  source: z.enum(RSG_SOURCE_KINDS as [string, ...string[]]),
  path: z.string().min(1).max(4096),
  label: z.string().min(1).max(200).optional(),
  until: Until.optional(),
  mailbox: RsgMailboxName.optional(),
  selfService: z.boolean().optional(),
});
const ItemsQuery = PageQuery.extend({ folder: FolderPath.optional() });
const SearchQuery = PageQuery.extend({
  q: z.string().min(1).max(4096),
  mailbox: RsgMailboxName.optional(),
  sort: z.enum(['relevance', 'date']).default('relevance'),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
});
const Selection = {
  mailbox: RsgMailboxName.optional(),
  folder: FolderPath.optional(),
  q: z.string().min(1).max(4096).optional(),
  itemIds: z.array(z.number().int().min(1)).max(10_000).optional(),
};
const ExportQuery = z.object({
  mailbox: RsgMailboxName.optional(),
  folder: FolderPath.optional(),
  q: z.string().min(1).max(4096).optional(),
  item: z.coerce.number().int().min(1).optional(),
  format: z.enum(EXPORT_FORMATS),
  perFolder: z.enum(['true', 'false']).optional(),
});
const SendBody = z.strictObject({
  ...Selection,
  to: z.email(),
  subject: z.string().max(200).optional(),
  note: z.string().max(10_000).optional(),
  split: z.boolean().optional(),
});

/** A signal that aborts when the client goes away before the response has finished. */
function clientGone(res: Response): AbortSignal {
  const abort = new AbortController();
  // 'close' follows a finished response too: only an unfinished one means the client left
  res.on('close', () => {
    if (!res.writableFinished) {
      abort.abort();
    }
  });
  return abort.signal;
}

/** The JSON view of a recovery group (rsg.json, with `items` at the top). */
export function toRsgView(r: RsgInfo): RsgInfo & { items: number } {
  return { ...r, items: r.counts.items };
}

export function recoveryRouter(services: Services): Router {
  const r = Router();
  const { recovery } = services;

  r.get('/recovery-groups', guard(services, 'listRecoveryGroups', STAFF), (_req, res) => {
    res.json({ recoveryGroups: recovery.list().map(toRsgView) });
  });

  r.post('/recovery-groups', guard(services, 'mountRecoveryGroup', STAFF), async (req, res) => {
    const body = parse(MountBody, req.body, 'body');
    const path = resolveInside(services.config.home, body.path);
    if (path === undefined) {
      throw new AppError('VALIDATION_FAILED', 'The source path must be inside the Salvage home', {
        errors: [{ where: 'body', path: 'path', message: 'must stay inside the Salvage home' }],
      });
    }
    const info = await recovery.mount(callerOf(res), {
      ...body,
      path,
      source: body.source as RsgInfo['source']['kind'],
    });
    res.status(202).location(`${req.baseUrl}/recovery-groups/${info.id}`).json(toRsgView(info));
  });

  r.get('/recovery-groups/:id', guard(services, 'getRecoveryGroup', STAFF), (req, res) => {
    const { id } = parse(RsgParams, req.params, 'params');
    res.json(toRsgView(recovery.get(id)));
  });

  r.delete('/recovery-groups/:id', guard(services, 'unmountRecoveryGroup', STAFF), async (req, res) => {
    const { id } = parse(RsgParams, req.params, 'params');
    res.json(toRsgView(await recovery.unmount(callerOf(res), id)));
  });

  r.get('/recovery-groups/:id/mailboxes', guard(services, 'listRecoveryMailboxes', STAFF), (req, res) => {
    const { id } = parse(RsgParams, req.params, 'params');
    res.json({
      mailboxes: recovery.mailboxes(id).map((m) => ({
        address: m.address,
        name: m.name,
        items: m.items,
        dumpsterItems: m.dumpsterItems,
        bytes: m.bytes,
      })),
    });
  });

  r.get(
    '/recovery-groups/:id/mailboxes/:address/folders',
    guard(services, 'listRecoveryFolders', STAFF),
    (req, res) => {
      const { id, address } = parse(RsgMailboxParams, req.params, 'params');
      res.json({
        folders: recovery
          .folders(id, address)
          .map((f) => ({ path: f.path, name: f.name, role: f.role, items: f.items, bytes: f.bytes })),
      });
    },
  );

  r.get(
    '/recovery-groups/:id/mailboxes/:address/items',
    guard(services, 'listRecoveryItems', STAFF),
    (req, res) => {
      const { id, address } = parse(RsgMailboxParams, req.params, 'params');
      const page = recovery.items(id, address, parse(ItemsQuery, req.query, 'query'));
      res.json({ items: page.items.map(toItemSummary), nextCursor: page.nextCursor });
    },
  );

  r.get('/recovery-groups/:id/items/:itemId', guard(services, 'getRecoveryItem', STAFF), async (req, res) => {
    const { id, itemId } = parse(RsgItemParams, req.params, 'params');
    const { item, mailbox, message } = await recovery.read(callerOf(res), id, itemId);
    res.json({ ...toItemSummary(item), mailbox, ...message });
  });

  r.get(
    '/recovery-groups/:id/items/:itemId/raw',
    guard(services, 'getRecoveryItemRaw', STAFF),
    async (req, res) => {
      const { id, itemId } = parse(RsgItemParams, req.params, 'params');
      const bytes = await recovery.raw(callerOf(res), id, itemId);
      res.attachment(`item-${itemId}.eml`).type('message/rfc822').send(bytes);
    },
  );

  r.get(
    '/recovery-groups/:id/items/:itemId/attachments/:n',
    guard(services, 'getRecoveryAttachment', STAFF),
    async (req, res) => {
      const { id, itemId, n } = parse(AttachmentParams, req.params, 'params');
      const a = await recovery.attachment(callerOf(res), id, itemId, n);
      res.attachment(a.filename).type(a.contentType).send(a.content);
    },
  );

  r.get('/recovery-groups/:id/search', guard(services, 'searchRecoveryGroup', STAFF), async (req, res) => {
    const { id } = parse(RsgParams, req.params, 'params');
    const q = parse(SearchQuery, req.query, 'query');
    res.json(await recovery.search(callerOf(res), id, q.q, q));
  });

  r.get('/recovery-groups/:id/export', guard(services, 'exportRecoveryGroup', STAFF), async (req, res) => {
    const { id } = parse(RsgParams, req.params, 'params');
    const q = parse(ExportQuery, req.query, 'query');
    const sel = { mailbox: q.mailbox, folder: q.folder, query: q.q, itemIds: q.item ? [q.item] : undefined };
    recovery.exportItems(id, sel); // resolve the selection first: its errors are still a problem+json answer
    const mboxPerFolder = q.perFolder === 'true';
    const h = downloadHeaders(q.format, q.mailbox ?? `rsg-${id}`, { mboxPerFolder });
    res.set('Content-Type', h.contentType).set('Content-Disposition', h.contentDisposition);
    try {
      await recovery.export(callerOf(res), id, sel, q.format, res, {
        signal: clientGone(res),
        mboxPerFolder,
      });
    } catch (err) {
      if (!res.headersSent) {
        res.removeHeader('Content-Disposition'); // the answer is a problem document, not a download
      }
      throw err;
    }
  });

  r.post('/recovery-groups/:id/send', guard(services, 'sendRecoveryItems', STAFF), async (req, res) => {
    const { id } = parse(RsgParams, req.params, 'params');
    const b = parse(SendBody, req.body, 'body');
    res.json(await recovery.send(callerOf(res), id, { ...b, query: b.q }));
  });

  return r;
}
