/**
 * The items of an index build handed out (read, parsed, in transit, waiting in the writer) and
 * not yet written, in number and in bytes of their messages. The build reads a new batch only
 * while the window is open, so what it holds in memory stays bounded however far the writer
 * lags and however large the messages are; the window always admits a batch when nothing is
 * outstanding, so a message larger than the window is still indexed.
 */
export class WriteWindow {
  private readonly bytesOf = new Map<number, number>();
  private bytesOut = 0;

  constructor(
    private readonly maxItems: number,
    private readonly maxBytes: number,
  ) {}

  /** An item handed out, with the size of its message. */
  add(itemId: number, bytes: number): void {
    this.bytesOut += bytes - (this.bytesOf.get(itemId) ?? 0);
    this.bytesOf.set(itemId, bytes);
  }

  /** Items written (one already written, or never added, is ignored). */
  written(itemIds: Iterable<number>): void {
    for (const id of itemIds) {
      this.bytesOut -= this.bytesOf.get(id) ?? 0;
      this.bytesOf.delete(id);
    }
  }

  get items(): number {
    return this.bytesOf.size;
  }

  get bytes(): number {
    return this.bytesOut;
  }

  /** True when no further batch may be handed out until more is written. */
  get isFull(): boolean {
    return this.bytesOf.size >= this.maxItems || this.bytesOut >= this.maxBytes;
  }
}
