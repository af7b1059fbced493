/**
 * Parse worker: receives a batch of raw messages packed in one transferred ArrayBuffer and
 * parses them all concurrently (which keeps mailparser's stream pipeline busy: about twice
 * the rate of one at a time). The documents go to the writer thread's port when one was
 * connected, else back with the answer; the answer always carries a summary per message.
 */
import { parentPort, type MessagePort } from 'node:worker_threads';
import { parseMessage } from './parse.js';
import type { ParseRequest, ParseResponse, WorkerCommand } from './pool.js';

let docPort: MessagePort | undefined;

async function handle(req: ParseRequest): Promise<ParseResponse> {
  try {
    const docs = await Promise.all(
      req.items.map((it) => parseMessage(it.itemId, Buffer.from(req.buffer, it.offset, it.length))),
    );
    const summary = docs.map((d) => ({ itemId: d.itemId, status: d.status, reason: d.reason }));
    if (docPort) {
      docPort.postMessage({ type: 'docs', docs });
      return { batch: req.batch, summary };
    }
    return { batch: req.batch, summary, docs };
  } catch (err) {
    // parseMessage does not throw; this is a bug or a resource failure: the pool retries
    return { batch: req.batch, error: err instanceof Error ? err.message : String(err) };
  }
}

parentPort?.on('message', (cmd: WorkerCommand) => {
  if (cmd.type === 'connect') {
    docPort = cmd.port;
  } else {
    void handle(cmd).then((res) => parentPort?.postMessage(res));
  }
});
