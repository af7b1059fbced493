import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import Database from 'better-sqlite3';
import { searchIndexer } from '../../src/catalogue.js';
import { type Indexer, type MountProgress, RsgCatalogue, type RsgInfo } from '../../src/rsg/index.js';
import { search } from '../../src/search/index.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../../src/store/index.js';
import { aClock, mountOk, tempDir } from './helpers.js';

const SEARCH_FIXTURE = path.resolve(import.meta.dirname, '../fixtures/search');

/** Queries of every kind: free and stemmed words, phrases, prefixes, fields, addresses, dates, filters. */
const QUERIES = [
  'enron',
  'meeting',
  '"risk management"',
  'budg*',
  'subject:gas',
  'from:@enron.com',
  'to:kaminski',
  'body:contract NOT subject:re',
  'size>3KB',
  'sent:2001-10-01..2001-10-31',
  'folder:inbox price',
  'from:kaminski OR to:white',
];

function catalogue(t: TestContext, indexer: Indexer): RsgCatalogue {
  const cat = new RsgCatalogue(path.join(tempDir(t), 'rsg'), {
    clock: aClock(),
    maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
    indexer,
  });
  t.after(() => cat.close());
  return cat;
}

/** The rows of a table, in rowid order (FTS5's shadow tables included). */
function rows(db: Database.Database, table: string): unknown[] {
  return db.prepare(`SELECT * FROM "${table}" ORDER BY 1, 2`).raw().all();
}

function dbFile(cat: RsgCatalogue, info: RsgInfo): string {
  return path.join(cat.root, info.id, info.databaseDir, 'salvage.db');
}

describe('mounting a foreign source with the search index', () => {
  it('indexes the items as they are converted: the same tables and hits as a build after the conversion', async (t) => {
    // the build after the conversion: an indexer without a feed (what a backup mount uses)
    const built = catalogue(t, { build: searchIndexer.build });
    const fed = catalogue(t, searchIndexer);
    const phases: MountProgress['phase'][] = [];
    const a = await mountOk(built, { source: 'eml-tree', path: SEARCH_FIXTURE });
    const b = await fed.mount(
      { source: 'eml-tree', path: SEARCH_FIXTURE },
      { onProgress: (p) => phases.at(-1) !== p.phase && phases.push(p.phase) },
    );
    assert.equal(b.state, 'mounted', b.error?.message);
    assert.equal(b.counts.items, a.counts.items);
    assert.ok(b.counts.items > 1000);
    assert.equal(b.report.indexed, b.counts.items);
    assert.equal(b.report.indexFailed, a.report.indexFailed);
    assert.deepEqual(phases, ['converting', 'indexing', 'sealing', 'done']);
    // nothing of the side database is left
    assert.deepEqual(
      fs.readdirSync(path.dirname(dbFile(fed, b))).filter((f) => f.startsWith('search')),
      [],
    );

    const ga = built.group(a.id);
    const gb = fed.group(b.id);
    for (const table of ['search_docs', 'search_stems', 'search_meta', 'search_text_docsize']) {
      assert.deepEqual(rows(gb.sql, table), rows(ga.sql, table), table);
    }
    for (const q of QUERIES) {
      const ra = search(ga.sql, q, { all: true, now: aClock().now() });
      const rb = search(gb.sql, q, { all: true, now: aClock().now() });
      assert.ok(ra.total > 0, `${q} finds something`);
      assert.deepEqual(rb, ra, q);
    }

    // FTS5's own check of both indexes (a write statement: on a copy of the sealed file)
    const copy = path.join(tempDir(t), 'copy.db');
    fs.copyFileSync(dbFile(fed, b), copy);
    const db = new Database(copy);
    t.after(() => db.close());
    db.exec(`INSERT INTO search_text (search_text) VALUES ('integrity-check')`);
    db.exec(`INSERT INTO search_addr (search_addr) VALUES ('integrity-check')`);
  });

  it('fails the mount, leaving no database, when the index cannot be written', async (t) => {
    // a feed whose side database cannot be created: the writer fails, the conversion stops
    const cat = catalogue(t, {
      build: searchIndexer.build,
      feed: (sideFile) => searchIndexer.feed!(path.join(sideFile, 'missing', 'side.db')),
    });
    const info = await cat.mount({ source: 'eml-tree', path: SEARCH_FIXTURE });
    assert.equal(info.state, 'failed');
    assert.match(info.error?.message ?? '', /search index writer failed/);
    assert.equal(fs.existsSync(path.join(cat.root, info.id, 'db')), false);
  });
});
