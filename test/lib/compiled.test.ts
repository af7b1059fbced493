import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it, type TestContext } from 'node:test';
import { isCompiledCopyCurrent, withoutTsx } from '../../src/lib/compiled.js';

/** src/{a.ts, d/b.ts, d/c.ts} and their dist/ copies, every file dated `secs` (epoch seconds). */
function aBuild(t: TestContext): { src: URL; dist: URL; touch: (file: string, secs: number) => void } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'salvage-compiled-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  for (const f of ['src/a.ts', 'src/d/b.ts', 'src/d/c.ts', 'dist/a.js', 'dist/d/b.js', 'dist/d/c.js']) {
    fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    fs.writeFileSync(path.join(root, f), '');
    fs.utimesSync(path.join(root, f), f.startsWith('src') ? 1000 : 2000, f.startsWith('src') ? 1000 : 2000);
  }
  return {
    src: pathToFileURL(path.join(root, 'src') + '/'),
    dist: pathToFileURL(path.join(root, 'dist') + '/'),
    touch: (file, secs) => fs.utimesSync(path.join(root, file), secs, secs),
  };
}

describe('isCompiledCopyCurrent', () => {
  it('is true when every named source and every .ts of a named directory has a compiled copy no older than the newest source', (t) => {
    const b = aBuild(t);
    assert.equal(isCompiledCopyCurrent(b.src, b.dist, ['a.ts', 'd/']), true);
  });

  it('is false when a source of a named directory is newer than a compiled file', (t) => {
    const b = aBuild(t);
    b.touch('src/d/c.ts', 3000);
    assert.equal(isCompiledCopyCurrent(b.src, b.dist, ['a.ts', 'd/']), false);
    assert.equal(isCompiledCopyCurrent(b.src, b.dist, ['a.ts']), true);
  });

  it('is false when a compiled copy is missing, or when nothing is named', (t) => {
    const b = aBuild(t);
    fs.rmSync(new URL('d/b.js', b.dist));
    assert.equal(isCompiledCopyCurrent(b.src, b.dist, ['d/']), false);
    assert.equal(isCompiledCopyCurrent(b.src, b.dist, ['a.ts']), true);
    assert.equal(isCompiledCopyCurrent(b.src, b.dist, []), false);
    assert.equal(isCompiledCopyCurrent(b.src, b.dist, ['none/']), false);
  });
});

describe('withoutTsx', () => {
  it('drops the options that load tsx and keeps the others', () => {
    assert.deepEqual(
      withoutTsx([
        '--import',
        'tsx',
        '--cpu-prof',
        '--import=tsx/esm',
        '--require',
        './x.cjs',
        '--loader',
        'tsx',
      ]),
      ['--cpu-prof', '--require', './x.cjs'],
    );
  });
});
