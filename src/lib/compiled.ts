/**
 * Workers started from TypeScript sources (tests, benchmarks and development under tsx) would
 * each load tsx, which costs a worker about a quarter to half a second of CPU: these helpers let
 * such a worker run its compiled copy (the build's dist/) instead, but only when that copy is
 * current, so that a stale build is never run in place of the source.
 */
import fs from 'node:fs';

/**
 * True when every `.ts` file named (a path ending in '/' stands for the `.ts` files of that
 * directory) has its compiled `.js` under `distRoot`, all at least as new as the newest source.
 */
export function isCompiledCopyCurrent(srcRoot: URL, distRoot: URL, paths: readonly string[]): boolean {
  try {
    const files = paths.flatMap((p) =>
      p.endsWith('/')
        ? fs
            .readdirSync(new URL(p, srcRoot))
            .filter((f) => f.endsWith('.ts'))
            .map((f) => p + f)
        : [p],
    );
    if (files.length === 0) {
      return false;
    }
    let newestSource = 0;
    let oldestCompiled = Infinity;
    for (const f of files) {
      newestSource = Math.max(newestSource, fs.statSync(new URL(f, srcRoot)).mtimeMs);
      const compiled = new URL(f.replace(/\.ts$/, '.js'), distRoot);
      oldestCompiled = Math.min(oldestCompiled, fs.statSync(compiled).mtimeMs);
    }
    return oldestCompiled >= newestSource;
  } catch {
    return false; // missing or unreadable: run the source
  }
}

/** Node options without the ones that load tsx (a worker inherits them otherwise). */
export function withoutTsx(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (
      (a === '--import' || a === '--loader' || a === '--require' || a === '-r') &&
      argv[i + 1]?.includes('tsx')
    ) {
      i++;
    } else if (!(/^--(import|loader|require)=/.test(a) && a.includes('tsx'))) {
      out.push(a);
    }
  }
  return out;
}
