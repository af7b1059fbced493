/** An array as an async iterable, for APIs that stream from one (the items are already at hand). */
// eslint-disable-next-line @typescript-eslint/require-await -- nothing to wait for: the items are in memory
export async function* asAsyncIterable<T>(items: Iterable<T>): AsyncIterable<T> {
  yield* items;
}
