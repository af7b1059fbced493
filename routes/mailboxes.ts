/** /mailboxes: live mailboxes, their folders and items (detail, raw download, delete) and hold. */
import { Router } from 'express';
import { z } from 'zod';
import { toDumpsterItemView, toItemSummary, toMailboxView } from '../src/live/index.js';
import { FolderPath, MailboxAddress } from '../src/schemas.js';
import type { Services } from '../src/services.js';
import { ADMIN, MAILBOX_ADMIN, MAILBOX_OWNER, MAILBOX_READER, STAFF, guard } from './auth.js';
import { callerOf } from './context.js';
import { ItemParams, MailboxParams, PageQuery, parse } from './params.js';

const NewMailbox = z.strictObject({
  address: MailboxAddress,
  name: z.string().max(200).optional(),
  // a JSON number, not coerced: "7" is a wrong type here
  retentionDays: z.number().int().min(0).max(36_500).nullable().optional(),
  hold: z.boolean().optional(),
});
const ItemsQuery = PageQuery.extend({ folder: FolderPath.optional() });
const HoldBody = z.strictObject({ hold: z.boolean() });

export function mailboxesRouter(services: Services): Router {
  const r = Router();
  const { mailboxes } = services;

  r.get('/mailboxes', guard(services, 'listMailboxes', STAFF), (req, res) => {
    const page = mailboxes.list(parse(PageQuery, req.query, 'query'));
    res.json({ mailboxes: page.items.map(toMailboxView), nextCursor: page.nextCursor });
  });

  r.post('/mailboxes', guard(services, 'createMailbox', ADMIN), async (req, res) => {
    const body = parse(NewMailbox, req.body, 'body');
    const m = await mailboxes.create(callerOf(res), body);
    res
      .status(201)
      .location(`${req.baseUrl}/mailboxes/${encodeURIComponent(m.address)}`)
      .json(toMailboxView(m));
  });

  r.get('/mailboxes/:address', guard(services, 'getMailbox', MAILBOX_READER), (req, res) => {
    const { address } = parse(MailboxParams, req.params, 'params');
    res.json(toMailboxView(mailboxes.get(address)));
  });

  r.put('/mailboxes/:address/hold', guard(services, 'setHold', MAILBOX_ADMIN), async (req, res) => {
    const { address } = parse(MailboxParams, req.params, 'params');
    const { hold } = parse(HoldBody, req.body, 'body');
    res.json(toMailboxView(await mailboxes.setHold(callerOf(res), address, hold)));
  });

  r.get('/mailboxes/:address/folders', guard(services, 'listFolders', MAILBOX_READER), (req, res) => {
    const { address } = parse(MailboxParams, req.params, 'params');
    res.json({ folders: mailboxes.folders(address) });
  });

  r.get('/mailboxes/:address/items', guard(services, 'listItems', MAILBOX_READER), (req, res) => {
    const { address } = parse(MailboxParams, req.params, 'params');
    const page = mailboxes.items(address, parse(ItemsQuery, req.query, 'query'));
    res.json({ items: page.items.map(toItemSummary), nextCursor: page.nextCursor });
  });

  r.get('/mailboxes/:address/items/:id', guard(services, 'getItem', MAILBOX_READER), async (req, res) => {
    const { address, id } = parse(ItemParams, req.params, 'params');
    const { item, message } = await mailboxes.read(callerOf(res), address, id);
    res.json({ ...toItemSummary(item), ...message });
  });

  r.delete(
    '/mailboxes/:address/items/:id',
    guard(services, 'deleteItem', MAILBOX_OWNER),
    async (req, res) => {
      const { address, id } = parse(ItemParams, req.params, 'params');
      res.json(toDumpsterItemView(await mailboxes.delete(callerOf(res), address, id)));
    },
  );

  r.get(
    '/mailboxes/:address/items/:id/raw',
    guard(services, 'getItemRaw', MAILBOX_READER),
    async (req, res) => {
      const { address, id } = parse(ItemParams, req.params, 'params');
      const { bytes } = await mailboxes.raw(callerOf(res), address, id);
      res.attachment(`item-${id}.eml`).type('message/rfc822').send(bytes);
    },
  );

  return r;
}
