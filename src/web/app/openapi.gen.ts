/* Generated from openapi.yaml by `npm run gen:api-types` (openapi-typescript). Do not edit. */

export interface paths {
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Is the service up
         * @description Answers 200 when the service and its live database respond. Needs no token.
         */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/stats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Storage figures of the live database
         * @description Mailboxes, items, blobs and the single-instance figures: logical bytes (as users see
         *     them), physical bytes (stored) and their ratio.
         */
        get: operations["getStats"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/mailboxes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List live mailboxes
         * @description Every live mailbox with its item counts and bytes, by address, paged.
         */
        get: operations["listMailboxes"];
        put?: never;
        /**
         * Create a live mailbox
         * @description Creates a mailbox with the default folders (Inbox, Sent Items, …). Audited.
         */
        post: operations["createMailbox"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/mailboxes/{address}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The mailbox's address (compared without case). */
                address: components["parameters"]["Address"];
            };
            cookie?: never;
        };
        /**
         * One mailbox
         * @description The mailbox's settings (retention, hold) and counts.
         */
        get: operations["getMailbox"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/mailboxes/{address}/hold": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The mailbox's address (compared without case). */
                address: components["parameters"]["Address"];
            };
            cookie?: never;
        };
        get?: never;
        /**
         * Put a mailbox on hold, or take it off
         * @description While a mailbox is on hold its dumpster is never purged (litigation hold). Audited.
         */
        put: operations["setHold"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/mailboxes/{address}/folders": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The mailbox's address (compared without case). */
                address: components["parameters"]["Address"];
            };
            cookie?: never;
        };
        /**
         * Folders of a mailbox
         * @description Every folder with its live item count, unread count and bytes (items directly in it).
         */
        get: operations["listFolders"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/mailboxes/{address}/items": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The mailbox's address (compared without case). */
                address: components["parameters"]["Address"];
            };
            cookie?: never;
        };
        /**
         * Items of a mailbox
         * @description Live items (not in the dumpster), newest arrival first, paged. With `folder`, only that
         *     folder and its subfolders.
         */
        get: operations["listItems"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/mailboxes/{address}/items/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The mailbox's address (compared without case). */
                address: components["parameters"]["Address"];
                /** @description An item id (digits only). */
                id: components["parameters"]["ItemId"];
            };
            cookie?: never;
        };
        /**
         * Read one item
         * @description The item (live or in the dumpster) with its decoded headers, text, html and attachment
         *     list. The html is sanitised: no scripts, styles, frames, forms or event handlers, and no
         *     remote content (images keep only inline `data:`/`cid:` sources). A read by `admin` or
         *     `helpdesk` is audited.
         */
        get: operations["getItem"];
        put?: never;
        post?: never;
        /**
         * Delete an item (to the dumpster)
         * @description Moves a live item to the mailbox's dumpster, where it stays restorable for the retention
         *     window. Audited.
         */
        delete: operations["deleteItem"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/mailboxes/{address}/items/{id}/raw": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The mailbox's address (compared without case). */
                address: components["parameters"]["Address"];
                /** @description An item id (digits only). */
                id: components["parameters"]["ItemId"];
            };
            cookie?: never;
        };
        /**
         * Download an item's exact bytes
         * @description The message as stored (RFC 5322), as an attachment `item-{id}.eml`. Audited like getItem.
         */
        get: operations["getItemRaw"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/mailboxes/{address}/dumpster": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The mailbox's address (compared without case). */
                address: components["parameters"]["Address"];
            };
            cookie?: never;
        };
        /**
         * A mailbox's dumpster
         * @description Deleted items, most recently deleted first, each with its deletion time, original folder,
         *     purge time and whole days left (null while the mailbox is on hold).
         */
        get: operations["listDumpster"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/mailboxes/{address}/dumpster/{id}/restore": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The mailbox's address (compared without case). */
                address: components["parameters"]["Address"];
                /** @description An item id (digits only). */
                id: components["parameters"]["ItemId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Restore a dumpster item
         * @description Puts the item back into the folder it was deleted from (recreated if it is gone). A
         *     `user` is held to the self-restore limit (`selfRestorePerHour` items per hour). Audited.
         */
        post: operations["restoreDumpsterItem"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/mailboxes/{address}/dumpster/purge": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The mailbox's address (compared without case). */
                address: components["parameters"]["Address"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Purge a dumpster
         * @description Without a body, removes the items past the mailbox's retention window; with `ids`, removes
         *     those dumpster items now. A mailbox on hold is never purged (it is listed in `onHold`).
         *     Each purged item leaves a tombstone so that a later merge does not bring it back. Audited.
         */
        post: operations["purgeDumpster"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Who am I
         * @description The caller's token (id, name, role) and, for a `user`, their mailbox.
         */
        get: operations["getMe"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/me/dumpster": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * My recently deleted items
         * @description The dumpster of the caller's own mailbox (user tokens only), as listDumpster.
         */
        get: operations["listMyDumpster"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/me/dumpster/{id}/restore": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description An item id (digits only). */
                id: components["parameters"]["ItemId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Restore one of my deleted items
         * @description Puts an item of the caller's own dumpster back into its original folder. Limited to
         *     `selfRestorePerHour` items per hour, shared with restores from self-service recovery
         *     groups (429 with `Retry-After` beyond). Audited.
         */
        post: operations["restoreMyDumpsterItem"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List tokens
         * @description Every token, newest first, revoked ones included. Secrets are never shown again.
         */
        get: operations["listTokens"];
        put?: never;
        /**
         * Create a token
         * @description Creates a bearer token and returns its secret in `token` — this once; only its SHA-256 is
         *     stored. A `user` token needs `mailbox` (an existing mailbox); other roles must not have
         *     one. Audited.
         */
        post: operations["createToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/tokens/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A token id (digits only). */
                id: components["parameters"]["TokenId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Revoke a token
         * @description The token stops working at once; it stays listed, with its revocation time. Audited.
         */
        delete: operations["revokeToken"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Query the audit log
         * @description Audit entries, newest first, paged. Recorded: every change (mailbox creation, hold,
         *     delete, restore, purge, token creation and revocation), every read of a message body by
         *     `admin` or `helpdesk`, and every refusal (401, 403, 404 by scope, 429) — who (token id,
         *     name, role), what (`action` = the operationId), on what (`target`, an API path), the
         *     outcome, the time and the request id.
         */
        get: operations["listAudit"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/recovery-groups": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List recovery groups
         * @description Every recovery group (RSG) of this instance, newest first, whatever its state:
         *     `mounting` (with `progress`), `mounted`, or `failed` (with `error`). A mount whose process
         *     died is shown as `failed`.
         */
        get: operations["listRecoveryGroups"];
        put?: never;
        /**
         * Mount a source as a recovery group
         * @description Starts mounting a restored database, a backup set or a foreign mail dump read-only and
         *     answers at once with `202` and the new group in state `mounting`; `Location` is the group,
         *     to poll until `state` is `mounted` or `failed`. While it mounts, `progress` says the phase
         *     (`restoring` or `converting`, then `indexing`, `sealing`), the items and bytes done, the
         *     estimated totals, the rate and the seconds left.
         *
         *     Sources (`source`): `backup` (a backup set, restored and its logs replayed, up to `until`
         *     — an ISO time with offset, or a log sequence number — if given), `database` (a restored
         *     database directory, opened in place), `maildir`, `eml-tree` (directories are folders),
         *     `mbox` (a file or a directory of them), `pst`. `path` is resolved against the Salvage home
         *     and must stay inside it. For `maildir` and `eml-tree` without `mailbox`, each top-level
         *     directory is one mailbox named after it; with `mailbox`, the whole tree is that mailbox.
         *     A foreign source is converted into a native database inside the group; the source itself
         *     is only ever read. The search index is built during the mount. Messages that cannot be
         *     read are counted and listed under `report.problems`, never fatal; a source that cannot
         *     be read at all ends in state `failed` with `error`.
         *
         *     `selfService: true` lets end users browse and restore their own mailbox from the group
         *     (`/me/recovery-groups`). Audited when it starts and when it ends.
         */
        post: operations["mountRecoveryGroup"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/recovery-groups/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A recovery group id (4–32 lower-case letters and digits). */
                id: components["parameters"]["RsgId"];
            };
            cookie?: never;
        };
        /**
         * One recovery group
         * @description The group's source, state, counts (mailboxes, folders, items, dumpster items, bytes) and
         *     mount report; while mounting, its `progress`; after a failed mount, its `error`.
         */
        get: operations["getRecoveryGroup"];
        put?: never;
        post?: never;
        /**
         * Unmount a recovery group
         * @description Removes what the mount created (the converted or restored database and its search index)
         *     — never the source. A group that is still mounting cannot be unmounted (409
         *     `RSG_NOT_MOUNTED`). Answers with the group as it was. Audited.
         */
        delete: operations["unmountRecoveryGroup"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/recovery-groups/{id}/mailboxes": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A recovery group id (4–32 lower-case letters and digits). */
                id: components["parameters"]["RsgId"];
            };
            cookie?: never;
        };
        /**
         * Mailboxes of a recovery group
         * @description Every mailbox of the mounted group, by address, with its item and dumpster counts and bytes.
         */
        get: operations["listRecoveryMailboxes"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/recovery-groups/{id}/mailboxes/{address}/folders": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A recovery group id (4–32 lower-case letters and digits). */
                id: components["parameters"]["RsgId"];
                /** @description The address (or name, for a dump) of a mailbox of the recovery group. */
                address: components["parameters"]["RsgAddress"];
            };
            cookie?: never;
        };
        /**
         * Folders of a mailbox in a recovery group
         * @description Every folder of the mailbox in the group, by path, with the number and bytes of the items
         *     directly in it (live and dumpster items; subfolders not included).
         */
        get: operations["listRecoveryFolders"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/recovery-groups/{id}/mailboxes/{address}/items": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A recovery group id (4–32 lower-case letters and digits). */
                id: components["parameters"]["RsgId"];
                /** @description The address (or name, for a dump) of a mailbox of the recovery group. */
                address: components["parameters"]["RsgAddress"];
            };
            cookie?: never;
        };
        /**
         * Items of a mailbox in a recovery group
         * @description The mailbox's items in the group — live ones and those that were in its dumpster when the
         *     backup was taken (`deleted` set) — newest arrival first, paged. With `folder`, only that
         *     folder and its subfolders.
         */
        get: operations["listRecoveryItems"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/recovery-groups/{id}/items/{itemId}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A recovery group id (4–32 lower-case letters and digits). */
                id: components["parameters"]["RsgId"];
                /** @description An item id of the recovery group (digits only). */
                itemId: components["parameters"]["RsgItemId"];
            };
            cookie?: never;
        };
        /**
         * Preview an item of a recovery group
         * @description The item with its mailbox, decoded headers, text, sanitised html and attachment list, as
         *     getItem shows a live item (no scripts, styles, frames, forms, event handlers or remote
         *     content). Audited.
         */
        get: operations["getRecoveryItem"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/recovery-groups/{id}/items/{itemId}/raw": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A recovery group id (4–32 lower-case letters and digits). */
                id: components["parameters"]["RsgId"];
                /** @description An item id of the recovery group (digits only). */
                itemId: components["parameters"]["RsgItemId"];
            };
            cookie?: never;
        };
        /**
         * Download an item's exact bytes
         * @description The message exactly as it was in the source (RFC 5322), as an attachment `item-{itemId}.eml`. Audited.
         */
        get: operations["getRecoveryItemRaw"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/recovery-groups/{id}/items/{itemId}/attachments/{n}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A recovery group id (4–32 lower-case letters and digits). */
                id: components["parameters"]["RsgId"];
                /** @description An item id of the recovery group (digits only). */
                itemId: components["parameters"]["RsgItemId"];
                /** @description The attachment's position (0-based) in the item's `attachments` list. */
                n: number;
            };
            cookie?: never;
        };
        /**
         * Download an attachment of an item
         * @description The n-th attachment of the item (0-based, in the order of getRecoveryItem's
         *     `attachments`), decoded, with its own content type, as a download named after its file
         *     name (`attachment-{n}` when it has none). 404 `NOT_FOUND` when the item has no such
         *     attachment. Audited (as a read of the item's bytes).
         */
        get: operations["getRecoveryAttachment"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/recovery-groups/{id}/search": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A recovery group id (4–32 lower-case letters and digits). */
                id: components["parameters"]["RsgId"];
            };
            cookie?: never;
        };
        /**
         * Search a recovery group
         * @description Full-text search over every item of the group (its FTS5 index, built at mount time),
         *     paged, each hit with a snippet and its **`live` status**: where the same message (same
         *     normalised Message-ID, or the same content when it has none) stands today in the live
         *     mailbox of the same address —
         *     `present` (in `folder`, as live item `itemId`), `in-dumpster` (deleted from `folder`;
         *     `daysLeft` before the purge, null on hold), `purged` (a purge left a tombstone at
         *     `purgedAt`; a merge will not bring it back without an override), or `missing` (not
         *     there: what a merge would create; `mailbox` is null when there is no such live mailbox).
         *     Searches are audited with the query and the number of hits.
         *
         *     **Query language** (KQL-like; `q`, at most 2,048 characters, 64 terms, 16 levels of
         *     parentheses):
         *
         *     - *Free words* search every text field (subject, from, to, cc, bcc, body, attachment
         *       names) and match their English word forms: `meeting` finds *meet*, *meets*,
         *       *meeting* (Porter2 stemming). Case and accents do not matter.
         *     - *Phrases* in double quotes match those exact words in that order, not stemmed:
         *       `"east power meeting"`.
         *     - *Wildcards*: a trailing `*` matches words that start with what precedes it: `budg*`.
         *       Only at the end of a word.
         *     - *Property restrictions* `name:value` (value a word, a `"phrase"` or a parenthesised
         *       group: `subject:(budget OR forecast)`):
         *       `from:`, `to:` (any recipient: To, Cc or Bcc), `cc:`, `bcc:`, `participants:` (sender
         *       or any recipient), `subject:`, `body:`, `attachment:` (attachment file names).
         *       An address value (`from:alice@example.com`, `to:enron.com`) matches the address
         *       itself; other values match words. `body:` and `attachment:` words are stemmed;
         *       `subject:` and address words match exactly, as written.
         *       `folder:inbox` — the folder, a folder path (`folder:inbox/projects`) or any folder of
         *       that name at any depth, with its subfolders. `mailbox:alice` — the mailbox
         *       `alice` or `alice@…`.
         *     - *Dates*: `sent:` (alias `date:`; the Date header — a message without one never
         *       matches) and `received:` (arrival in the mailbox), with `:` or a comparison
         *       `=` `<` `<=` `>` `>=`. A value is a period: `2001` (a year), `2001-12` (a month),
         *       `2001-12-28` (a day), an ISO time `2001-12-28T09:00Z`, or a relative period —
         *       `today`, `yesterday`, `thisweek`, `lastweek` (ISO weeks from Monday), `thismonth`,
         *       `lastmonth`, `thisyear`, `lastyear`, `last7days` (today and the days before it). All
         *       in UTC. `sent:2001-12` is the whole month; `sent>=2001-12-01` starts at its start,
         *       `sent<=2001-12-31` ends at its end, `sent>2001-12-30` starts after it.
         *       *Ranges* `a..b` include both ends whole: `sent:2001-12-01..2001-12-31`; an open end
         *       is allowed: `sent:2001-12-30..`, `received:..2001`.
         *     - *Size* in bytes, or with a unit `B`, `KB`, `MB`, `GB` (powers of 1,024):
         *       `size>10KB`, `size<=2MB`, `size:100KB..1MB`.
         *     - *Flags* take `true`/`false` (or `yes`/`no`): `hasattachment:` (alias
         *       `hasattachments:`), `isread:` (`\Seen`), `isflagged:` (`\Flagged`), `isdeleted:` (the
         *       item was in the mailbox's dumpster when the backup was taken).
         *     - *Boolean operators*, in capitals only (in lower case they are words): terms side by
         *       side mean `AND`; `OR`; `NOT term` or `-term`; parentheses group. `NOT` binds tightest,
         *       then `AND`, then `OR`: `from:alice subject:"budget 2001" sent>=2001-01-01 NOT body:draft`,
         *       `(meeting OR agenda) -folder:deleted_items`.
         *
         *     A query that does not parse is refused with 400 `QUERY_INVALID`, whose `position` is the
         *     0-based offset of the offending character in `query`, and `detail` says what is wrong
         *     there (unknown property, unclosed quote or parenthesis, bad date or size, an operator
         *     without a term …).
         *
         *     Hits are sorted by relevance (BM25, then newest first) or, with `sort=date` — and
         *     always for a query without words — newest first (by the Date header, or the arrival
         *     when there is none).
         */
        get: operations["searchRecoveryGroup"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/recovery-groups/{id}/export": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A recovery group id (4–32 lower-case letters and digits). */
                id: components["parameters"]["RsgId"];
            };
            cookie?: never;
        };
        /**
         * Download items of a recovery group
         * @description Streams a selection of the group's items as one download, message bytes never altered:
         *     - `format=eml`: one message, its exact bytes (`message/rfc822`); the selection must hold
         *       exactly one item (400 otherwise) — use `item`;
         *     - `format=mbox`: one mboxrd file (`application/mbox`, RFC 4155): each message after a
         *       `From ` line, lines starting with `>*From ` quoted with one more `>`, an empty line
         *       after each; with `perFolder=true`, a zip of one `<folder path>.mbox` per folder plus
         *       `manifest.csv` (`application/zip`);
         *     - `format=zip`: `<folder path>/<NNNNN> <subject>.eml` entries plus `manifest.csv`
         *       (`application/zip`).
         *
         *     The selection is one item (`item`), the hits of a query (`q`, in the search language,
         *     optionally within `mailbox`), or a mailbox (`mailbox`, optionally only `folder` and its
         *     subfolders); items are ordered by folder, then arrival. The file is named after the
         *     mailbox (or `rsg-{id}`). Errors found before the first byte (an empty or ambiguous
         *     selection, a bad query) are problem documents; every item's bytes are checked against
         *     its SHA-256 before they are written (`SOURCE_CORRUPT`). Audited with the format and the
         *     counts.
         */
        get: operations["exportRecoveryGroup"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/recovery-groups/{id}/send": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A recovery group id (4–32 lower-case letters and digits). */
                id: components["parameters"]["RsgId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Mail items of a recovery group
         * @description Sends the selected items (as in exportRecoveryGroup: `itemIds`, `q` within `mailbox`, or
         *     `mailbox` with `folder`) to `to` through the configured SMTP relay (`smtp` in
         *     salvage.json), each attached unchanged as `message/rfc822`, with a cover text (`note`).
         *     A selection larger than `maxMailBytes` is refused unless `split` allows several mails.
         *     400 `VALIDATION_FAILED` when no relay is configured or the selection is empty; 502
         *     `SMTP_FAILED` when the relay refuses (`sentMails` lists what it accepted before).
         *     Audited with the recipient and the Message-IDs.
         */
        post: operations["sendRecoveryItems"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/merges": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Plan or start a merge
         * @description Merges selected items of a recovery group (`rsg`) into a live mailbox (`target`).
         *
         *     The selection (`selection`): `itemIds` (with a `mailbox`, items of that mailbox only: an
         *     item of another is 404 MESSAGE_NOT_FOUND); or a source `mailbox`, optionally narrowed to a
         *     `folder` (with its subfolders unless `subfolders: false`) or to the hits of a `query` in
         *     the search language; `includeFolders`/`excludeFolders` (paths or the well-known names
         *     `#inbox#`, `#sent#`, `#drafts#`, `#deleted#`, `#junk#`, `#archive#`, with subfolders) and
         *     `attachmentNames` (file-name globs such as `*.xlsx`) filter further.
         *     `folders`: `original` (the same path, top folder mapped by role — the source's `inbox`
         *     lands in the target's `Inbox` — created when missing) or `recovered` (under
         *     `Recovered Items/<group label> <date>/`). `conflict` for a message the target already
         *     has (same normalised Message-ID, or the same content): `skip` (default), `keep-both`, or
         *     `update` (keep the target's copy, take the source's flags).
         *
         *     Dumpster rules, each outcome counted: an item that was in the source's dumpster goes back
         *     into the target's dumpster with its deletion time while that is inside the target's
         *     retention (`recoverable`), else it is `expired`; an item the user deleted after the
         *     backup is not brought back (`deletedSinceBackup`); an item whose purge left a tombstone
         *     is never brought back (`purged`). The `overrides` (`expired`, `deletedSinceBackup`,
         *     `purged`) bring them back anyway: administrators only (403 otherwise), audited on their
         *     own.
         *
         *     With `dryRun: true`, answers 200 with the `report` of what would happen — counts, bytes
         *     that would be copied or shared (single-instance), and the first 200 planned items —
         *     writing nothing. Otherwise answers 202 with the merge (`running`) and runs it in the
         *     background: poll `Location` (getMerge) for progress (`done` of `total`) and the report.
         *     A merge is idempotent: every handled source item is recorded, so applying it again
         *     adds nothing. `badItemLimit` failures are tolerated before it stops (`failed`).
         *
         *     A `user` may merge only their own items: from their own mailbox (`selection.mailbox`)
         *     in a group with self-service on, into their own mailbox (404 `MAILBOX_NOT_FOUND` for
         *     another target, 404 `MESSAGE_NOT_FOUND` for another mailbox's item, 403 otherwise).
         *     Refusals are audited; merges are audited when created and when they end.
         */
        post: operations["createMerge"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/merges/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A merge id (digits only). */
                id: components["parameters"]["MergeId"];
            };
            cookie?: never;
        };
        /**
         * A merge's progress and report
         * @description The merge's state (`running`, `stopped`, `done`, `failed`, `undone`), progress (`done` of
         *     `total` items) and report: counts per outcome, bytes copied and shared, failures with
         *     their reasons. A `user` sees only merges into their own mailbox (404 for others).
         */
        get: operations["getMerge"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/merges/{id}/apply": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A merge id (digits only). */
                id: components["parameters"]["MergeId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Resume or re-run a merge
         * @description Runs the merge again in the background (202, the merge as it stood): a stopped or
         *     interrupted merge resumes where it stopped; a finished one adds nothing (every source
         *     item it handled is recorded). 409 `MERGE_CONFLICT` while it runs or once it is undone.
         *     Audited.
         */
        post: operations["applyMerge"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/merges/{id}/undo": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A merge id (digits only). */
                id: components["parameters"]["MergeId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Undo a merge
         * @description What the merge created goes to the target's dumpster (recoverable, not destroyed) and
         *     flags it updated are set back — except items the user has touched since (moved,
         *     re-flagged, restored), which are left alone and counted as `touched`; items already
         *     gone are counted as `gone`. The merge becomes `undone`. 409 `MERGE_CONFLICT` while it
         *     runs, before it has finished, or when it is undone already. Audited.
         */
        post: operations["undoMerge"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/jobs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Run a bulk merge job
         * @description Runs an ExMerge-style job document (as `salvage job run` does with a job file) in the
         *     background: the source (`{rsg}`, a mounted group, or `{mount}`, mounted first), the
         *     mailbox mappings (`mailboxes`: a list of `{from, to}`, or `all`; and/or
         *     `mailboxListFile`), filters (dates, subject keywords, senders, recipients, attachment
         *     names, folders, a query), folder mode, conflict policy, overrides, bad-item limit,
         *     concurrency and a `report` directory (summary.json, summary.csv, items.csv). Each
         *     mapping runs as one merge.
         *
         *     The document is validated whole before anything is written: 400 `JOB_INVALID` with
         *     every problem in `errors` (`where: job`, `path` in the document), e.g. a source mailbox
         *     the group does not have or a target mailbox that does not exist (unless
         *     `createMissingMailboxes`). Every path in it (`report`, `mailboxListFile`,
         *     `source.mount.path`) is resolved against the Salvage home and must stay inside it (400
         *     `VALIDATION_FAILED`). Answers 202 with the job's status once it has its id; poll
         *     `Location` (getJob). Audited when it ends, with its totals.
         */
        post: operations["createJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/jobs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A bulk job id (digits only). */
                id: components["parameters"]["JobId"];
            };
            cookie?: never;
        };
        /**
         * A bulk job's progress
         * @description The job's state (`running`, `stopped`, `done`, `partial` — some items failed —, `failed`)
         *     and, per mailbox mapping, its merge's id, state, progress (`done` of `total`) and counts.
         */
        get: operations["getJob"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/me/recovery-groups": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Backups I can restore from
         * @description "Older items from backup": the mounted recovery groups open to self-service that hold
         *     the caller's own mailbox (user tokens only).
         */
        get: operations["listMyRecoveryGroups"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/me/recovery-groups/{id}/items": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A recovery group id (4–32 lower-case letters and digits). */
                id: components["parameters"]["RsgId"];
            };
            cookie?: never;
        };
        /**
         * My items in a backup
         * @description The items of the caller's own mailbox in a self-service recovery group, as
         *     listRecoveryItems. A group without self-service, or without the caller's mailbox, is
         *     answered as one that does not exist (404 `RSG_NOT_FOUND`).
         */
        get: operations["listMyRecoveryItems"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/me/recovery-groups/{id}/restore": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A recovery group id (4–32 lower-case letters and digits). */
                id: components["parameters"]["RsgId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Restore my items from a backup
         * @description Merges the given items of the caller's own mailbox in a self-service recovery group back
         *     into that mailbox — original folders, conflicts skipped, dumpster rules applied, no
         *     overrides — as a merge that runs in the background (202; poll `Location`, getMerge).
         *     An item of another mailbox is answered as one that does not exist (404
         *     `MESSAGE_NOT_FOUND`); a group without self-service or without the caller's mailbox as
         *     one that does not exist (404 `RSG_NOT_FOUND`). Each requested item takes one unit of
         *     the caller's self-restore budget, `selfRestorePerHour` items per hour shared with
         *     dumpster restores: beyond it 429 with `Retry-After`; more items in one request than the
         *     whole budget is 400 `VALIDATION_FAILED`. Audited.
         */
        post: operations["restoreMyRecoveryItems"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @description RFC 9457 problem details, with Salvage's `code` and `requestId` and per-code extension members. */
        Problem: {
            /** @description tag:salvage,2026:problem/ followed by the code in kebab-case. */
            type: string;
            /** @description Fixed per code. */
            title: string;
            status: number;
            /** @description This occurrence. */
            detail: string;
            /** @description The request path. */
            instance: string;
            code: components["schemas"]["ErrorCode"];
            /** @description Matches the X-Request-Id header and the server log. */
            requestId: string;
            /** @description For VALIDATION_FAILED, every issue. */
            errors?: {
                /**
                 * @description `job`: a path inside a bulk job document (JOB_INVALID).
                 * @enum {unknown}
                 */
                where: "params" | "query" | "body" | "job";
                /** @description Dotted path of the field, e.g. `ids.0`; empty for the whole input. */
                path: string;
                message: string;
            }[];
            /** @description For RATE_LIMITED. */
            retryAfterSeconds?: number;
            /** @description For METHOD_NOT_ALLOWED. */
            allow?: string[];
        } & {
            [key: string]: unknown;
        };
        /**
         * @description Every code; each is described under components.x-problem-types.
         * @enum {unknown}
         */
        ErrorCode: "VALIDATION_FAILED" | "UNAUTHORIZED" | "FORBIDDEN" | "RATE_LIMITED" | "NOT_FOUND" | "MAILBOX_NOT_FOUND" | "MAILBOX_EXISTS" | "FOLDER_NOT_FOUND" | "MESSAGE_NOT_FOUND" | "MESSAGE_INVALID" | "MESSAGE_TOO_LARGE" | "RSG_NOT_FOUND" | "RSG_NOT_MOUNTED" | "RSG_READ_ONLY" | "MERGE_NOT_FOUND" | "MERGE_CONFLICT" | "JOB_NOT_FOUND" | "JOB_INVALID" | "BLOB_MISSING" | "SOURCE_CORRUPT" | "SOURCE_NOT_FOUND" | "DATABASE_NOT_FOUND" | "DATABASE_EXISTS" | "DATABASE_LOCKED" | "DATABASE_VERSION_UNSUPPORTED" | "LOG_CORRUPT" | "BACKUP_CORRUPT" | "BACKUP_NOT_FOUND" | "BACKUP_EXISTS" | "QUERY_INVALID" | "SMTP_FAILED" | "INTERNAL" | "TOKEN_NOT_FOUND" | "PAYLOAD_TOO_LARGE" | "METHOD_NOT_ALLOWED";
        Health: {
            /** @constant */
            status: "ok";
        };
        Stats: {
            mailboxes: number;
            /** @description Live items. */
            items: number;
            dumpsterItems: number;
            /** @description Distinct contents stored. */
            blobs: number;
            inlineBlobs?: number;
            fileBlobs?: number;
            /** @description Bytes of every item as users see it. */
            logicalBytes: number;
            /** @description Bytes stored (contents once, plus trace prefixes). */
            physicalBytes: number;
            /** @description logicalBytes / physicalBytes. */
            ratio: number;
            tombstones: number;
            appliedLsn: number;
        };
        MailboxAddress: string;
        /** @description A mailbox of a recovery group, named as its source named it: an address, or a directory or file name of a dump (`beck-s`, `Local Folders`) — printable, without `/` or `\`, not `.` or `..`. */
        RsgMailboxName: string;
        Mailbox: {
            address: components["schemas"]["MailboxAddress"];
            name: string;
            /** @description This mailbox's own retention; null for the database default. */
            retentionDays: number | null;
            effectiveRetentionDays: number;
            /** @description On hold, the dumpster is never purged. */
            hold: boolean;
            /** Format: date-time */
            created: string;
            /** @description Live items. */
            items: number;
            dumpsterItems: number;
            bytes: number;
        };
        NewMailbox: {
            address: components["schemas"]["MailboxAddress"];
            name?: string;
            retentionDays?: number | null;
            hold?: boolean;
        };
        HoldRequest: {
            hold: boolean;
        };
        MailboxPage: {
            mailboxes: components["schemas"]["Mailbox"][];
            nextCursor: components["schemas"]["NextCursor"];
        };
        /** @description Pass as `cursor` for the next page; null on the last page. */
        NextCursor: string | null;
        Folder: {
            path: string;
            name: string;
            parent: string | null;
            /** @description Special use (RFC 6154): inbox, sent, drafts, deleted, junk, archive, recoverable. */
            role: string | null;
            items: number;
            unread: number;
            bytes: number;
        };
        FolderList: {
            folders: components["schemas"]["Folder"][];
        };
        /** @description The fields every item view has. */
        ItemFields: {
            id: number;
            /** @description Its folder (for a dumpster item, the one it was deleted from). */
            folder: string;
            messageId: string | null;
            subject: string;
            from: string;
            to: string;
            cc: string;
            /**
             * Format: date-time
             * @description The Date header.
             */
            date: string | null;
            /**
             * Format: date-time
             * @description Arrival in the mailbox; lists sort by it.
             */
            received: string;
            size: number;
            sha256: string;
            flags: string[];
            /**
             * Format: date-time
             * @description When it was moved to the dumpster.
             */
            deleted: string | null;
        };
        ItemSummary: components["schemas"]["ItemFields"];
        ItemPage: {
            items: components["schemas"]["ItemSummary"][];
            nextCursor: components["schemas"]["NextCursor"];
        };
        ItemDetail: {
            /** @description Header fields in order, values unfolded and decoded (RFC 2047). */
            headers: {
                name: string;
                value: string;
            }[];
            text: string | null;
            /** @description Sanitised html (no scripts, styles, frames, event handlers or remote content), or null. */
            html: string | null;
            attachments: {
                name: string | null;
                contentType: string;
                size: number;
            }[];
        } & components["schemas"]["ItemFields"];
        DumpsterItem: {
            /** Format: date-time */
            deleted?: string;
            /**
             * Format: date-time
             * @description When the purge pass removes it; null while on hold.
             */
            purgeAt: string | null;
            /** @description Whole days left before the purge; null while on hold. */
            daysLeft: number | null;
        } & components["schemas"]["ItemFields"];
        DumpsterPage: {
            items: components["schemas"]["DumpsterItem"][];
            nextCursor: components["schemas"]["NextCursor"];
        };
        RestoreResult: {
            id: number;
            /** @description The folder it is back in. */
            folder: string;
        };
        PurgeRequest: {
            /** @description Purge these dumpster items now (default: what is past the retention window). */
            ids?: number[];
        };
        PurgeResult: {
            purged: number;
            /** @description Mailboxes not purged because they are on hold. */
            onHold: string[];
            bytesReleased: number;
        };
        /** @enum {unknown} */
        Role: "admin" | "helpdesk" | "user";
        Me: {
            tokenId: number | null;
            name: string;
            role: components["schemas"]["Role"];
            /** @description A user's own mailbox; null for other roles. */
            mailbox: components["schemas"]["Mailbox"] | null;
        };
        TokenFields: {
            id: number;
            name: string;
            role: components["schemas"]["Role"];
            /** @description The mailbox a user token is bound to. */
            mailbox: string | null;
            /** Format: date-time */
            created: string;
            /** @description The actor that created it (`cli` or a token's name). */
            createdBy: string;
            /** Format: date-time */
            revoked: string | null;
        };
        Token: components["schemas"]["TokenFields"];
        CreatedToken: {
            /** @description The secret. Shown only in this response; use it as `Authorization: Bearer <token>`. */
            token: string;
        } & components["schemas"]["TokenFields"];
        NewToken: {
            role: components["schemas"]["Role"];
            mailbox?: components["schemas"]["MailboxAddress"];
            name?: string;
        };
        TokenList: {
            tokens: components["schemas"]["Token"][];
        };
        /** @enum {unknown} */
        AuditOutcome: "ok" | "denied" | "failed";
        AuditEntry: {
            id: number;
            /** Format: date-time */
            time: string;
            actor: {
                tokenId: number | null;
                /** @description A token's name, `cli` or `anonymous`. */
                name: string;
                role: string | null;
            };
            /** @description The operationId (or CLI command) attempted. */
            action: string;
            /** @description What it aimed at, as an API path. */
            target: string;
            outcome: components["schemas"]["AuditOutcome"];
            /** @description The error code of a denial or failure. */
            code: components["schemas"]["ErrorCode"] | null;
            requestId: string | null;
            detail: {
                [key: string]: unknown;
            } | null;
        };
        AuditPage: {
            entries: components["schemas"]["AuditEntry"][];
            nextCursor: components["schemas"]["NextCursor"];
        };
        /**
         * @description What a recovery group is mounted from.
         * @enum {unknown}
         */
        SourceKind: "backup" | "database" | "maildir" | "eml-tree" | "mbox" | "pst";
        MountRequest: {
            source: components["schemas"]["SourceKind"];
            /** @description The source, relative to the Salvage home (or absolute); it must stay inside the home. */
            path: string;
            /** @description Default: `<source> <file name>`. */
            label?: string;
            /** @description `backup` only: restore up to this ISO time (with offset) or log sequence number (digits). */
            until?: string;
            /** @description `maildir`/`eml-tree`: the whole tree is this one mailbox; `mbox`/`pst`: the mailbox's name. */
            mailbox?: components["schemas"]["RsgMailboxName"];
            /**
             * @description Let users restore their own mailbox from it.
             * @default false
             */
            selfService: boolean;
        };
        MountProgress: {
            /** @enum {unknown} */
            phase: "restoring" | "converting" | "indexing" | "sealing" | "done";
            /** @description Items done in this phase. */
            items: number;
            bytes: number;
            /** @description Estimated, when the source allows it. */
            totalItems?: number;
            /** @description Estimated, when the source allows it. */
            totalBytes?: number;
            itemsPerSecond: number;
            /** @description Seconds left, estimated. */
            etaSeconds?: number;
        };
        RecoveryGroup: {
            id: string;
            label: string;
            source: {
                kind: components["schemas"]["SourceKind"];
                /** @description The source, as an absolute path on the server (only ever read). */
                path: string;
                mailbox?: components["schemas"]["RsgMailboxName"];
                /** @description Restored up to this ISO time or log sequence number. */
                until?: string;
            };
            /**
             * @description `mounting` (see `progress`), `mounted` (browse, search, merge), `failed` (see `error`).
             * @enum {unknown}
             */
            state: "mounting" | "mounted" | "failed";
            /** @description Why the mount failed. */
            error?: {
                /** @description An ErrorCode, e.g. SOURCE_CORRUPT. */
                code: string;
                message: string;
            };
            /** @description Users may browse and restore their own mailbox from it. */
            selfService: boolean;
            /** @description When the mount began (ms since the epoch). */
            createdMs: number;
            /** @description When the mount finished (ms since the epoch). */
            mountedMs?: number;
            /** @description Its database directory (`db` inside the group, or the source itself for `database`). */
            databaseDir: string;
            counts: {
                mailboxes: number;
                folders: number;
                /** @description Every item, dumpster items included. */
                items: number;
                dumpsterItems: number;
                bytes: number;
            };
            /** @description Where a running mount stands; absent once it has finished. */
            progress?: components["schemas"]["MountProgress"];
            report: {
                /** @description Source entries that could not be read (the first 1,000). */
                problems: {
                    /** @description Where in the source (file, offset, PST node). */
                    origin: string;
                    reason: string;
                }[];
                problemCount: number;
                /** @description Items in the search index. */
                indexed?: number;
                /** @description Items indexed by their headers only. */
                indexFailed?: number;
                /** @description How long the mount took. */
                ms?: number;
            };
            /** @description Same as counts.items. */
            items: number;
        };
        RecoveryGroupList: {
            recoveryGroups: components["schemas"]["RecoveryGroup"][];
        };
        RsgMailboxList: {
            mailboxes: {
                address: components["schemas"]["MailboxAddress"];
                name: string;
                /** @description Live items when the backup was taken. */
                items: number;
                dumpsterItems: number;
                bytes: number;
            }[];
        };
        RsgFolderList: {
            folders: {
                path: string;
                name: string;
                /** @description Special use (RFC 6154): inbox, sent, drafts, deleted, junk, archive, recoverable. */
                role: string | null;
                /** @description Items directly in it, dumpster items included. */
                items: number;
                bytes: number;
            }[];
        };
        /** @description A message as a reader sees it. */
        MessageParts: {
            /** @description Header fields in order, values unfolded and decoded (RFC 2047). */
            headers: {
                name: string;
                value: string;
            }[];
            text: string | null;
            /** @description Sanitised html (no scripts, styles, frames, event handlers or remote content), or null. */
            html: string | null;
            /** @description In order; the position is the `n` of getRecoveryAttachment. */
            attachments: {
                name: string | null;
                contentType: string;
                size: number;
            }[];
        };
        RsgItemDetail: {
            mailbox: components["schemas"]["RsgMailboxName"];
        } & (components["schemas"]["ItemFields"] & components["schemas"]["MessageParts"]);
        /** @description Where the same message stands today in the live mailbox of the same address. */
        LiveStatus: {
            /** @constant */
            status: "present";
            mailbox: string;
            folder: string;
            /** @description The live item. */
            itemId: number;
        } | {
            /** @constant */
            status: "in-dumpster";
            mailbox: string;
            /** @description The folder it was deleted from. */
            folder: string;
            itemId: number;
            /** @description Null while the mailbox is on hold. */
            daysLeft: number | null;
        } | {
            /** @constant */
            status: "purged";
            mailbox: string;
            /** Format: date-time */
            purgedAt: string;
        } | {
            /** @constant */
            status: "missing";
            /** @description Null when there is no live mailbox of that address. */
            mailbox: string | null;
        };
        SearchHit: {
            /** @description The item of the recovery group. */
            itemId: number;
            /** @description Without angle brackets. */
            messageId: string | null;
            mailbox: string;
            /** @description For a dumpster item, the folder it was deleted from. */
            folder: string;
            /**
             * Format: date-time
             * @description The Date header, or the arrival without one.
             */
            date: string;
            from: string;
            subject: string;
            size: number;
            hasAttachment: boolean;
            /** @description Text around the matches, each match marked «like this». */
            snippet: string;
            live: components["schemas"]["LiveStatus"];
        };
        SearchResult: {
            /** @description All hits of the query, every page. */
            total: number;
            hits: components["schemas"]["SearchHit"][];
            /** @description Present when there are more hits: pass it as `cursor` with the same `q`, `mailbox` and `sort` (a cursor of another search is refused with 400). */
            nextCursor?: string;
        };
        SendRequest: {
            /**
             * Format: email
             * @description The recipient.
             */
            to: string;
            itemIds?: number[];
            mailbox?: components["schemas"]["RsgMailboxName"];
            folder?: string;
            /** @description A query in the search language. */
            q?: string;
            /** @description Default: "Recovered messages". */
            subject?: string;
            /** @description The cover text. */
            note?: string;
            /**
             * @description Allow several mails when one would be too large.
             * @default false
             */
            split: boolean;
        };
        SendResult: {
            mails: {
                /** @description Message-IDs of the attached items. */
                messageIds: string[];
                /** @description Every attached item, in order. */
                sha256s: string[];
                /** @description The Message-ID of the mail sent. */
                mailMessageId: string;
                /** @description The relay's final reply. */
                smtpResponse: string;
                accepted: string[];
                rejected: string[];
                bytes: number;
            }[];
        };
        MergeRequest: {
            /** @description The source recovery group. */
            rsg: string;
            target: components["schemas"]["MailboxAddress"];
            /** @description Which items; at least item ids, a mailbox, a folder or a query. */
            selection: {
                itemIds?: number[];
                mailbox?: components["schemas"]["RsgMailboxName"];
                folder?: string;
                /** @default true */
                subfolders: boolean;
                /** @description In the search language. */
                query?: string;
                /** @description Folder paths or well-known names (`#inbox#` …), with subfolders. */
                includeFolders?: string[];
                excludeFolders?: string[];
                /** @description File-name globs (`*.xlsx`); only items with a matching attachment. */
                attachmentNames?: string[];
            };
            /**
             * @default original
             * @enum {unknown}
             */
            folders: "original" | "recovered";
            /**
             * @default skip
             * @enum {unknown}
             */
            conflict: "skip" | "keep-both" | "update";
            /** @description Administrators only; audited. */
            overrides?: {
                /** @description Bring back source-dumpster items past the retention. */
                expired?: boolean;
                /** @description Bring back items the user deleted after the backup. */
                deletedSinceBackup?: boolean;
                /** @description Bring back items whose purge left a tombstone. */
                purged?: boolean;
            };
            /** @default 0 */
            badItemLimit: number;
            /** @default false */
            dryRun: boolean;
        };
        /** @description Items by outcome (a class — identical, changed, … — and an action — created, updated, skipped …). */
        MergeCounts: {
            selected: number;
            /** @description New live items. */
            created: number;
            /** @description Already in the target with the same flags. */
            identical: number;
            /** @description In the target with other flags. */
            changed: number;
            /** @description Flags taken from the source (`conflict: update`). */
            updated: number;
            keptBoth: number;
            deletedSinceBackup: number;
            purged: number;
            /** @description Restored into the target's dumpster. */
            recoverable: number;
            expired: number;
            failed: number;
            skipped: number;
        };
        MergeReportFields: {
            /** @description Null for a dry run. */
            id: number | null;
            rsg: string;
            target: string;
            dryRun: boolean;
            /** @enum {unknown} */
            state: "planned" | "running" | "stopped" | "done" | "failed" | "undone";
            counts: components["schemas"]["MergeCounts"];
            /** @description Content bytes newly stored. */
            bytesCopied: number;
            /** @description Content bytes the target database had already (single-instance). */
            bytesShared: number;
            /** @description Items selected. */
            total: number;
            /** @description Items handled so far. */
            done: number;
            /** @description Why it stopped or failed. */
            error: string | null;
            failures: {
                sourceItemId: number;
                reason: string;
            }[];
            createdMs: number;
            updatedMs: number;
        };
        MergeReport: components["schemas"]["MergeReportFields"];
        PlannedItem: {
            sourceItemId: number;
            sourceMailbox: string;
            sourceFolder: string;
            messageId: string | null;
            /** @description Normalised Message-ID, or the content hash. */
            identity: string;
            subject: string;
            size: number;
            blobHash: string;
            flags: string[];
            internalMs: number;
            deletedMs: number | null;
            /** @enum {unknown} */
            class: "missing" | "identical" | "changed" | "deleted-since-backup" | "purged" | "recoverable" | "expired" | "failed";
            /** @enum {unknown} */
            action: "create" | "create-in-dumpster" | "keep-both" | "update" | "skip" | "fail";
            /** @description Where a created item goes. */
            targetFolder: string | null;
            /** @description The target's item, when it has one. */
            targetItemId: number | null;
            reason: string | null;
        };
        MergePlan: {
            report: {
                /** @description The first 200 planned items. */
                items: components["schemas"]["PlannedItem"][];
            } & components["schemas"]["MergeReportFields"];
        };
        UndoReport: {
            id: number;
            /** @description Created items moved to the dumpster. */
            removed: number;
            flagsRestored: number;
            /** @description Left alone: the user changed them after the merge. */
            touched: number;
            /** @description Deleted or purged since. */
            gone: number;
        };
        /**
         * @description A bulk merge job (the format of `salvage job run` job files; see samples/jobs/dial-tone.yaml).
         *     Relative paths resolve against the Salvage home.
         */
        JobDocument: {
            source: {
                /** @description A mounted recovery group. */
                rsg: string;
            } | {
                /** @description Mounted first, as mountRecoveryGroup does. */
                mount: {
                    source: components["schemas"]["SourceKind"];
                    path: string;
                    label?: string;
                    mailbox?: components["schemas"]["RsgMailboxName"];
                    until?: string;
                };
            };
            /** @description Source → target mappings, or `all` (every mailbox of the source to the same address). */
            mailboxes?: "all" | {
                from: components["schemas"]["RsgMailboxName"];
                to: components["schemas"]["MailboxAddress"];
            }[];
            /** @description A file of "from to" lines. */
            mailboxListFile?: string;
            /** @default false */
            createMissingMailboxes: boolean;
            filters?: {
                received?: components["schemas"]["DayRange"];
                sent?: components["schemas"]["DayRange"];
                subjectKeywords?: string[];
                senders?: string[];
                recipients?: string[];
                attachmentNames?: string[];
                includeFolders?: string[];
                excludeFolders?: string[];
                /** @description In the search language. */
                query?: string;
            };
            /**
             * @default original
             * @enum {unknown}
             */
            folders: "original" | "recovered";
            /**
             * @default skip
             * @enum {unknown}
             */
            conflict: "skip" | "keep-both" | "update";
            overrides?: {
                expired?: boolean;
                deletedSinceBackup?: boolean;
                purged?: boolean;
            };
            /** @default 0 */
            badItemLimit: number;
            /** @description Mailboxes merged at a time. */
            concurrency?: number;
            /** @description A directory for summary.json, summary.csv, items.csv. */
            report?: string;
        };
        DayRange: {
            /**
             * Format: date
             * @description From this day (UTC) on.
             */
            from?: string;
            /**
             * Format: date
             * @description Up to this day (UTC), inclusive.
             */
            to?: string;
        };
        JobRequest: {
            document: components["schemas"]["JobDocument"];
        };
        JobStatus: {
            id: number;
            /** @description `api` for jobs submitted here; the file name for `salvage job run`. */
            name: string;
            /** @description The source recovery group. */
            rsg: string | null;
            /** @enum {unknown} */
            state: "running" | "stopped" | "done" | "partial" | "failed";
            createdMs: number;
            updatedMs: number;
            /** @description One entry per mapping whose merge has been created. */
            mailboxes: {
                from: string;
                to: string;
                /** @description See getMerge. */
                mergeId: number;
                /** @enum {unknown} */
                state: "planned" | "running" | "stopped" | "done" | "failed" | "undone";
                done: number;
                total: number;
                counts: components["schemas"]["MergeCounts"];
            }[];
        };
        SelfRestoreRequest: {
            /** @description Items of the caller's own mailbox in the recovery group. */
            itemIds: number[];
        };
    };
    responses: {
        /** @description The request is not valid (`VALIDATION_FAILED`, every issue in `errors`). */
        BadRequest: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description No bearer token, or one that is unknown, revoked or malformed (`UNAUTHORIZED`). */
        Unauthorized: {
            headers: {
                "WWW-Authenticate": components["headers"]["WwwAuthenticate"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The token's role may not do this (`FORBIDDEN`). */
        Forbidden: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /**
         * @description What the path names does not exist (`MAILBOX_NOT_FOUND`, `FOLDER_NOT_FOUND`,
         *     `MESSAGE_NOT_FOUND`, `TOKEN_NOT_FOUND`) — or, for a `user`, belongs to another mailbox.
         */
        NotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description It exists already (`MAILBOX_EXISTS`). */
        Conflict: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The JSON body is larger than 1 MB (`PAYLOAD_TOO_LARGE`). */
        PayloadTooLarge: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The self-restore limit is reached (`RATE_LIMITED`); `retryAfterSeconds` as in the header. */
        RateLimited: {
            headers: {
                "Retry-After": components["headers"]["RetryAfter"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /**
         * @description An unexpected error (`INTERNAL`, or a storage fault such as `BLOB_MISSING`). The detail is
         *     generic; the request id finds the full error in the server log.
         */
        InternalError: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /**
         * @description The request is not valid (`VALIDATION_FAILED`, every issue in `errors`), or its search
         *     query does not parse (`QUERY_INVALID`, with `position` and `query`).
         */
        BadQuery: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /**
         * @description The job document is not valid (`JOB_INVALID`, every problem in `errors` with
         *     `where: job`), or the request is not (`VALIDATION_FAILED`, e.g. a path leaving the home).
         */
        BadJob: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The source path does not exist, or is not what `source` says (`SOURCE_NOT_FOUND`, `path`). */
        SourceNotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description Stored or source bytes do not match what was recorded of them (`SOURCE_CORRUPT`). */
        SourceCorrupt: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /**
         * @description No such recovery group (`RSG_NOT_FOUND`, `rsg`), or what the path names is not in it
         *     (`MAILBOX_NOT_FOUND`, `MESSAGE_NOT_FOUND`, `NOT_FOUND` for an attachment).
         */
        RsgNotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The recovery group is still mounting, or its mount failed (`RSG_NOT_MOUNTED`, `rsg`, `state`). */
        RsgNotMounted: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /**
         * @description What the merge names does not exist (`RSG_NOT_FOUND`, `MAILBOX_NOT_FOUND`,
         *     `MESSAGE_NOT_FOUND`) — or, for a `user`, belongs to another mailbox.
         */
        MergeInputNotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description No such merge (`MERGE_NOT_FOUND`, `mergeId`) — or, for a `user`, one into another mailbox. */
        MergeNotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The merge is running, has not finished, or is undone (`MERGE_CONFLICT`, `mergeId`). */
        MergeConflict: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description No such bulk job (`JOB_NOT_FOUND`, `jobId`). */
        JobNotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The SMTP relay refused or could not be reached (`SMTP_FAILED`; `sentMails` were accepted before). */
        SmtpFailed: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
    };
    parameters: {
        /** @description The mailbox's address (compared without case). */
        Address: components["schemas"]["MailboxAddress"];
        /** @description An item id (digits only). */
        ItemId: number;
        /** @description A token id (digits only). */
        TokenId: number;
        /** @description A folder path ('/'-separated, e.g. `Inbox/Projects`); includes its subfolders. */
        Folder: string;
        /** @description The previous page's `nextCursor` (opaque). */
        Cursor: string;
        /** @description Page size. */
        Limit: number;
        /** @description A recovery group id (4–32 lower-case letters and digits). */
        RsgId: string;
        /** @description The address (or name, for a dump) of a mailbox of the recovery group. */
        RsgAddress: components["schemas"]["RsgMailboxName"];
        /** @description An item id of the recovery group (digits only). */
        RsgItemId: number;
        /** @description A merge id (digits only). */
        MergeId: number;
        /** @description A bulk job id (digits only). */
        JobId: number;
    };
    requestBodies: never;
    headers: {
        /** @description The URL of the created resource. */
        Location: string;
        /** @description Seconds to wait before trying again (RFC 9110 §10.2.3). */
        RetryAfter: number;
        /** @description `Bearer realm="salvage"`, with `error="invalid_token"` for a bad token (RFC 6750). */
        WwwAuthenticate: string;
    };
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The service is up. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
            default: components["responses"]["InternalError"];
        };
    };
    getStats: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The figures. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Stats"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            default: components["responses"]["InternalError"];
        };
    };
    listMailboxes: {
        parameters: {
            query?: {
                /** @description The previous page's `nextCursor` (opaque). */
                cursor?: components["parameters"]["Cursor"];
                /** @description Page size. */
                limit?: components["parameters"]["Limit"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of mailboxes. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MailboxPage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            default: components["responses"]["InternalError"];
        };
    };
    createMailbox: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewMailbox"];
            };
        };
        responses: {
            /** @description Created. */
            201: {
                headers: {
                    Location: components["headers"]["Location"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Mailbox"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            default: components["responses"]["InternalError"];
        };
    };
    getMailbox: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The mailbox's address (compared without case). */
                address: components["parameters"]["Address"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The mailbox. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Mailbox"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            default: components["responses"]["InternalError"];
        };
    };
    setHold: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The mailbox's address (compared without case). */
                address: components["parameters"]["Address"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["HoldRequest"];
            };
        };
        responses: {
            /** @description The mailbox after the change. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Mailbox"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            default: components["responses"]["InternalError"];
        };
    };
    listFolders: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The mailbox's address (compared without case). */
                address: components["parameters"]["Address"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The folders, by path. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FolderList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            default: components["responses"]["InternalError"];
        };
    };
    listItems: {
        parameters: {
            query?: {
                /** @description A folder path ('/'-separated, e.g. `Inbox/Projects`); includes its subfolders. */
                folder?: components["parameters"]["Folder"];
                /** @description The previous page's `nextCursor` (opaque). */
                cursor?: components["parameters"]["Cursor"];
                /** @description Page size. */
                limit?: components["parameters"]["Limit"];
            };
            header?: never;
            path: {
                /** @description The mailbox's address (compared without case). */
                address: components["parameters"]["Address"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of items. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ItemPage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            default: components["responses"]["InternalError"];
        };
    };
    getItem: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The mailbox's address (compared without case). */
                address: components["parameters"]["Address"];
                /** @description An item id (digits only). */
                id: components["parameters"]["ItemId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The item. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ItemDetail"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            default: components["responses"]["InternalError"];
        };
    };
    deleteItem: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The mailbox's address (compared without case). */
                address: components["parameters"]["Address"];
                /** @description An item id (digits only). */
                id: components["parameters"]["ItemId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The item as it now sits in the dumpster. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DumpsterItem"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            default: components["responses"]["InternalError"];
        };
    };
    getItemRaw: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The mailbox's address (compared without case). */
                address: components["parameters"]["Address"];
                /** @description An item id (digits only). */
                id: components["parameters"]["ItemId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The message. */
            200: {
                headers: {
                    /** @description `attachment; filename=item-{id}.eml` */
                    "Content-Disposition"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "message/rfc822": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            default: components["responses"]["InternalError"];
        };
    };
    listDumpster: {
        parameters: {
            query?: {
                /** @description The previous page's `nextCursor` (opaque). */
                cursor?: components["parameters"]["Cursor"];
                /** @description Page size. */
                limit?: components["parameters"]["Limit"];
            };
            header?: never;
            path: {
                /** @description The mailbox's address (compared without case). */
                address: components["parameters"]["Address"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of dumpster items. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DumpsterPage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            default: components["responses"]["InternalError"];
        };
    };
    restoreDumpsterItem: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The mailbox's address (compared without case). */
                address: components["parameters"]["Address"];
                /** @description An item id (digits only). */
                id: components["parameters"]["ItemId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Restored. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RestoreResult"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["RateLimited"];
            default: components["responses"]["InternalError"];
        };
    };
    purgeDumpster: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The mailbox's address (compared without case). */
                address: components["parameters"]["Address"];
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["PurgeRequest"];
            };
        };
        responses: {
            /** @description What was purged. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PurgeResult"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            default: components["responses"]["InternalError"];
        };
    };
    getMe: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The caller. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Me"];
                };
            };
            401: components["responses"]["Unauthorized"];
            default: components["responses"]["InternalError"];
        };
    };
    listMyDumpster: {
        parameters: {
            query?: {
                /** @description The previous page's `nextCursor` (opaque). */
                cursor?: components["parameters"]["Cursor"];
                /** @description Page size. */
                limit?: components["parameters"]["Limit"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of dumpster items. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DumpsterPage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            default: components["responses"]["InternalError"];
        };
    };
    restoreMyDumpsterItem: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description An item id (digits only). */
                id: components["parameters"]["ItemId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Restored. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RestoreResult"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["RateLimited"];
            default: components["responses"]["InternalError"];
        };
    };
    listTokens: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The tokens. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TokenList"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            default: components["responses"]["InternalError"];
        };
    };
    createToken: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewToken"];
            };
        };
        responses: {
            /** @description Created. */
            201: {
                headers: {
                    Location: components["headers"]["Location"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedToken"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            default: components["responses"]["InternalError"];
        };
    };
    revokeToken: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A token id (digits only). */
                id: components["parameters"]["TokenId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The revoked token. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Token"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            default: components["responses"]["InternalError"];
        };
    };
    listAudit: {
        parameters: {
            query?: {
                /** @description A token id or an actor name (`cli`, `anonymous`, a token's name). */
                actor?: string;
                /** @description An operationId, e.g. `restoreDumpsterItem`. */
                action?: string;
                /** @description A target prefix, e.g. `/mailboxes/alice@example.com`. */
                target?: string;
                outcome?: components["schemas"]["AuditOutcome"];
                /** @description From this time on (ISO date or date-time with offset). */
                since?: string;
                /** @description Before this time (ISO date or date-time with offset). */
                until?: string;
                /** @description The previous page's `nextCursor` (opaque). */
                cursor?: components["parameters"]["Cursor"];
                /** @description Page size. */
                limit?: components["parameters"]["Limit"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of entries. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditPage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            default: components["responses"]["InternalError"];
        };
    };
    listRecoveryGroups: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The recovery groups. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RecoveryGroupList"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            default: components["responses"]["InternalError"];
        };
    };
    mountRecoveryGroup: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MountRequest"];
            };
        };
        responses: {
            /** @description The mount has started; the group is `mounting`. */
            202: {
                headers: {
                    Location: components["headers"]["Location"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RecoveryGroup"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["SourceNotFound"];
            413: components["responses"]["PayloadTooLarge"];
            default: components["responses"]["InternalError"];
        };
    };
    getRecoveryGroup: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A recovery group id (4–32 lower-case letters and digits). */
                id: components["parameters"]["RsgId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The recovery group. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RecoveryGroup"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["RsgNotFound"];
            default: components["responses"]["InternalError"];
        };
    };
    unmountRecoveryGroup: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A recovery group id (4–32 lower-case letters and digits). */
                id: components["parameters"]["RsgId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Unmounted; the group as it was. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RecoveryGroup"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["RsgNotFound"];
            409: components["responses"]["RsgNotMounted"];
            default: components["responses"]["InternalError"];
        };
    };
    listRecoveryMailboxes: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A recovery group id (4–32 lower-case letters and digits). */
                id: components["parameters"]["RsgId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The mailboxes. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RsgMailboxList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["RsgNotFound"];
            409: components["responses"]["RsgNotMounted"];
            default: components["responses"]["InternalError"];
        };
    };
    listRecoveryFolders: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A recovery group id (4–32 lower-case letters and digits). */
                id: components["parameters"]["RsgId"];
                /** @description The address (or name, for a dump) of a mailbox of the recovery group. */
                address: components["parameters"]["RsgAddress"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The folders. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RsgFolderList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["RsgNotFound"];
            409: components["responses"]["RsgNotMounted"];
            default: components["responses"]["InternalError"];
        };
    };
    listRecoveryItems: {
        parameters: {
            query?: {
                /** @description A folder path ('/'-separated, e.g. `Inbox/Projects`); includes its subfolders. */
                folder?: components["parameters"]["Folder"];
                /** @description The previous page's `nextCursor` (opaque). */
                cursor?: components["parameters"]["Cursor"];
                /** @description Page size. */
                limit?: components["parameters"]["Limit"];
            };
            header?: never;
            path: {
                /** @description A recovery group id (4–32 lower-case letters and digits). */
                id: components["parameters"]["RsgId"];
                /** @description The address (or name, for a dump) of a mailbox of the recovery group. */
                address: components["parameters"]["RsgAddress"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of items. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ItemPage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["RsgNotFound"];
            409: components["responses"]["RsgNotMounted"];
            default: components["responses"]["InternalError"];
        };
    };
    getRecoveryItem: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A recovery group id (4–32 lower-case letters and digits). */
                id: components["parameters"]["RsgId"];
                /** @description An item id of the recovery group (digits only). */
                itemId: components["parameters"]["RsgItemId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The item. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RsgItemDetail"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["RsgNotFound"];
            409: components["responses"]["RsgNotMounted"];
            default: components["responses"]["InternalError"];
        };
    };
    getRecoveryItemRaw: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A recovery group id (4–32 lower-case letters and digits). */
                id: components["parameters"]["RsgId"];
                /** @description An item id of the recovery group (digits only). */
                itemId: components["parameters"]["RsgItemId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The message. */
            200: {
                headers: {
                    /** @description `attachment; filename=item-{itemId}.eml` */
                    "Content-Disposition"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "message/rfc822": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["RsgNotFound"];
            409: components["responses"]["RsgNotMounted"];
            default: components["responses"]["InternalError"];
        };
    };
    getRecoveryAttachment: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A recovery group id (4–32 lower-case letters and digits). */
                id: components["parameters"]["RsgId"];
                /** @description An item id of the recovery group (digits only). */
                itemId: components["parameters"]["RsgItemId"];
                /** @description The attachment's position (0-based) in the item's `attachments` list. */
                n: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The attachment's bytes. */
            200: {
                headers: {
                    /** @description `attachment; filename="<its file name>"` */
                    "Content-Disposition"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "*/*": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["RsgNotFound"];
            409: components["responses"]["RsgNotMounted"];
            default: components["responses"]["InternalError"];
        };
    };
    searchRecoveryGroup: {
        parameters: {
            query: {
                /** @description The query (see above). */
                q: string;
                /** @description Only the items of this mailbox of the group (404 `MAILBOX_NOT_FOUND` when it has none). */
                mailbox?: components["schemas"]["RsgMailboxName"];
                /** @description The order of the hits. */
                sort?: "relevance" | "date";
                /** @description The previous page's `nextCursor` (opaque). */
                cursor?: components["parameters"]["Cursor"];
                /** @description Hits per page. */
                limit?: number;
            };
            header?: never;
            path: {
                /** @description A recovery group id (4–32 lower-case letters and digits). */
                id: components["parameters"]["RsgId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of hits. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SearchResult"];
                };
            };
            400: components["responses"]["BadQuery"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["RsgNotFound"];
            409: components["responses"]["RsgNotMounted"];
            default: components["responses"]["InternalError"];
        };
    };
    exportRecoveryGroup: {
        parameters: {
            query: {
                format: "eml" | "mbox" | "zip";
                /** @description The mailbox to export (or to search within, with `q`). */
                mailbox?: components["schemas"]["RsgMailboxName"];
                /** @description A folder path ('/'-separated, e.g. `Inbox/Projects`); includes its subfolders. */
                folder?: components["parameters"]["Folder"];
                /** @description A query in the search language (see searchRecoveryGroup). */
                q?: string;
                /** @description One item id of the group. */
                item?: number;
                /** @description With `format=mbox`, a zip of one mbox per folder. */
                perFolder?: "true" | "false";
            };
            header?: never;
            path: {
                /** @description A recovery group id (4–32 lower-case letters and digits). */
                id: components["parameters"]["RsgId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The download. */
            200: {
                headers: {
                    /**
                     * @description `attachment; filename="<mailbox>.<ext>"`, with a UTF-8 `filename*` (RFC 8187)
                     *     when the name is not plain ASCII.
                     */
                    "Content-Disposition"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "message/rfc822": string;
                    "application/mbox": string;
                    "application/zip": string;
                };
            };
            400: components["responses"]["BadQuery"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["RsgNotFound"];
            409: components["responses"]["RsgNotMounted"];
            422: components["responses"]["SourceCorrupt"];
            default: components["responses"]["InternalError"];
        };
    };
    sendRecoveryItems: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A recovery group id (4–32 lower-case letters and digits). */
                id: components["parameters"]["RsgId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SendRequest"];
            };
        };
        responses: {
            /** @description Sent; one entry per mail the relay accepted. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SendResult"];
                };
            };
            400: components["responses"]["BadQuery"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["RsgNotFound"];
            409: components["responses"]["RsgNotMounted"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["SourceCorrupt"];
            502: components["responses"]["SmtpFailed"];
            default: components["responses"]["InternalError"];
        };
    };
    createMerge: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MergeRequest"];
            };
        };
        responses: {
            /** @description A dry run's report (nothing was written). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MergePlan"];
                };
            };
            /** @description The merge was created and runs in the background. */
            202: {
                headers: {
                    Location: components["headers"]["Location"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MergeReport"];
                };
            };
            400: components["responses"]["BadQuery"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["MergeInputNotFound"];
            409: components["responses"]["RsgNotMounted"];
            413: components["responses"]["PayloadTooLarge"];
            default: components["responses"]["InternalError"];
        };
    };
    getMerge: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A merge id (digits only). */
                id: components["parameters"]["MergeId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The merge. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MergeReport"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["MergeNotFound"];
            default: components["responses"]["InternalError"];
        };
    };
    applyMerge: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A merge id (digits only). */
                id: components["parameters"]["MergeId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The merge runs again; poll getMerge. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MergeReport"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["MergeNotFound"];
            409: components["responses"]["MergeConflict"];
            default: components["responses"]["InternalError"];
        };
    };
    undoMerge: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A merge id (digits only). */
                id: components["parameters"]["MergeId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Undone. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UndoReport"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["MergeNotFound"];
            409: components["responses"]["MergeConflict"];
            default: components["responses"]["InternalError"];
        };
    };
    createJob: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["JobRequest"];
            };
        };
        responses: {
            /** @description The job runs in the background. */
            202: {
                headers: {
                    Location: components["headers"]["Location"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobStatus"];
                };
            };
            400: components["responses"]["BadJob"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["RsgNotFound"];
            409: components["responses"]["RsgNotMounted"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["SourceCorrupt"];
            default: components["responses"]["InternalError"];
        };
    };
    getJob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A bulk job id (digits only). */
                id: components["parameters"]["JobId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The job. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobStatus"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["JobNotFound"];
            default: components["responses"]["InternalError"];
        };
    };
    listMyRecoveryGroups: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The recovery groups. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RecoveryGroupList"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            default: components["responses"]["InternalError"];
        };
    };
    listMyRecoveryItems: {
        parameters: {
            query?: {
                /** @description The previous page's `nextCursor` (opaque). */
                cursor?: components["parameters"]["Cursor"];
                /** @description Page size. */
                limit?: components["parameters"]["Limit"];
            };
            header?: never;
            path: {
                /** @description A recovery group id (4–32 lower-case letters and digits). */
                id: components["parameters"]["RsgId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of items. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ItemPage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["RsgNotFound"];
            default: components["responses"]["InternalError"];
        };
    };
    restoreMyRecoveryItems: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A recovery group id (4–32 lower-case letters and digits). */
                id: components["parameters"]["RsgId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SelfRestoreRequest"];
            };
        };
        responses: {
            /** @description The restore runs in the background. */
            202: {
                headers: {
                    Location: components["headers"]["Location"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MergeReport"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["RsgNotFound"];
            413: components["responses"]["PayloadTooLarge"];
            429: components["responses"]["RateLimited"];
            default: components["responses"]["InternalError"];
        };
    };
}
