/**
 * Export throughput (issue 9): mbox and zip of the Enron sample (40,960 messages, read from
 * ../shared/corpus), streamed from a mounted RSG to a file, beside a plain copy of the same
 * message bytes into one file in the same run; peak RSS sampled during each export.
 * Run alone: `node --import tsx bench/export.bench.ts`; or through bench/run.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ExportFormat, writeExport } from '../src/export/index.js';
import { rsgExportItems } from '../src/export-items.js';
import { systemClock } from '../src/lib/clock.js';
import { asAsyncIterable } from '../src/lib/iter.js';
import { RsgCatalogue } from '../src/rsg/index.js';
import { enronTree, median } from './lib.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const log = (s: string): void => void process.stderr.write(`  export: ${s}\n`);

/**
 * Time `fn` and sample the RSS every 50 ms: the peak, and its growth over the RSS at the start
 * (the mounted RSG and the loaded modules are already in the start figure, so the growth is
 * what the export itself holds — flat means streamed).
 */
async function sampled<T>(
  fn: () => Promise<T>,
): Promise<{ value: T; ms: number; peakRssMiB: number; growthMiB: number }> {
  global.gc?.();
  const start = process.memoryUsage().rss;
  let peak = start;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const t0 = performance.now();
  try {
    const value = await fn();
    return {
      value,
      ms: performance.now() - t0,
      peakRssMiB: Math.round(peak / 2 ** 20),
      growthMiB: Math.round((peak - start) / 2 ** 20),
    };
  } finally {
    clearInterval(timer);
  }
}

export default async function exportBench(): Promise<Record<string, unknown>> {
  const tree = path.join(enronTree(), 'maildir');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'salvage-export-bench-'));
  try {
    const cat = new RsgCatalogue(path.join(work, 'rsg'), {
      clock: systemClock,
      maxMessageBytes: 50 * 2 ** 20,
    });
    log('mounting the Enron sample (no search index)…');
    const info = await cat.mount({ source: 'eml-tree', path: tree, mailbox: 'enron' });
    const group = cat.group(info.id);
    const items = rsgExportItems(group, { mailbox: 'enron' }, Date.now());
    const bytes = info.counts.bytes;
    const results: Record<string, { mbPerSecond: number[]; peakRssMiB: number[]; rssGrowthMiB: number[] }> =
      {};
    const add = (k: string, r: { ms: number; peakRssMiB: number; growthMiB: number }): void => {
      results[k] ??= { mbPerSecond: [], peakRssMiB: [], rssGrowthMiB: [] };
      results[k].mbPerSecond.push(Math.round((bytes / 2 ** 20 / (r.ms / 1000)) * 10) / 10);
      results[k].peakRssMiB.push(r.peakRssMiB);
      results[k].rssGrowthMiB.push(r.growthMiB);
    };
    for (let run = 0; run < RUNS; run++) {
      const copy = await sampled(async () => {
        const out = fs.createWriteStream(path.join(work, 'plain.bin'));
        for (const it of items) {
          if (!out.write(await it.bytes())) {
            await new Promise<void>((r) => out.once('drain', () => r()));
          }
        }
        await new Promise<void>((r) => out.end(() => r()));
      });
      add('plainCopy', copy);
      for (const format of ['mbox', 'zip'] as ExportFormat[]) {
        const r = await sampled(() =>
          writeExport(asAsyncIterable(items), format, fs.createWriteStream(path.join(work, `out.${format}`))),
        );
        add(format, r);
      }
      log(
        `run ${run + 1}: ${JSON.stringify(Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.mbPerSecond.at(-1)])))}`,
      );
    }
    cat.close();
    const summary = Object.fromEntries(
      Object.entries(results).map(([k, v]) => [
        k,
        {
          medianMBperSecond: median(v.mbPerSecond),
          medianPeakRssMiB: median(v.peakRssMiB),
          medianRssGrowthMiB: median(v.rssGrowthMiB),
          runs: v,
        },
      ]),
    );
    return {
      messages: info.counts.items,
      bytes,
      corpus: 'enron-maildir-sample (../shared/corpus)',
      ...summary,
      mboxVsCopy:
        Math.round((median(results.mbox!.mbPerSecond) / median(results.plainCopy!.mbPerSecond)) * 100) / 100,
      zipVsCopy:
        Math.round((median(results.zip!.mbPerSecond) / median(results.plainCopy!.mbPerSecond)) * 100) / 100,
    };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  console.log(JSON.stringify(await exportBench(), null, 2));
}
