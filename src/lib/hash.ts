import { createHash } from 'node:crypto';

/** Hex SHA-256 of some bytes. */
export function sha256Hex(...parts: Uint8Array[]): string {
  const h = createHash('sha256');
  for (const p of parts) {
    h.update(p);
  }
  return h.digest('hex');
}
