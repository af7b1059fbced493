import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { upToDateCompiledDir } from '../../src/search/pool.js';
import { tempDir } from './helpers.js';

/** A source dir with a.ts and b.ts and a dist dir with the given .js files, at the given mtimes (s). */
function dirs(dir: string, sources: Record<string, number>, compiled: Record<string, number>): [URL, URL] {
  const src = path.join(dir, 'src');
  const dist = path.join(dir, 'dist');
  fs.mkdirSync(src);
  fs.mkdirSync(dist);
  for (const [files, root] of [
    [sources, src],
    [compiled, dist],
  ] as const) {
    for (const [name, mtime] of Object.entries(files)) {
      const f = path.join(root, name);
      fs.writeFileSync(f, '');
      fs.utimesSync(f, mtime, mtime);
    }
  }
  return [pathToFileURL(`${src}/`), pathToFileURL(`${dist}/`)];
}

describe('upToDateCompiledDir (which parse and writer workers run from source)', () => {
  it('is the compiled dir when every source has a compiled copy at least as new', (t) => {
    const [src, dist] = dirs(tempDir(t), { 'a.ts': 1000, 'b.ts': 2000 }, { 'a.js': 2000, 'b.js': 2001 });
    assert.equal(upToDateCompiledDir(src, dist)?.href, dist.href);
  });

  it('is undefined when one compiled file is older than a source (a stale build)', (t) => {
    const [src, dist] = dirs(tempDir(t), { 'a.ts': 1000, 'b.ts': 2000 }, { 'a.js': 1500, 'b.js': 2001 });
    assert.equal(upToDateCompiledDir(src, dist), undefined);
  });

  it('is undefined when a source has no compiled copy, or there is no compiled dir', (t) => {
    const dir = tempDir(t);
    const [src, dist] = dirs(dir, { 'a.ts': 1000, 'b.ts': 1000 }, { 'a.js': 2000 });
    assert.equal(upToDateCompiledDir(src, dist), undefined);
    assert.equal(upToDateCompiledDir(src, pathToFileURL(path.join(dir, 'none/'))), undefined);
  });
});
