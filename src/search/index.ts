/**
 * Search: the full-text index of an RSG, kept in SQLite FTS5 inside the RSG's own database,
 * and the query language that reads it (README.md in this directory).
 *
 * Owns the tables search_meta, search_docs, search_text, search_addr, search_stems.
 * Invariants:
 * - a search_docs row, its search_text entry and its search_addr entry are written in one
 *   transaction, so an item is either fully indexed or not at all, and never twice;
 * - the index is built once, on a writable handle, before the database is sealed read-only;
 *   searches only read;
 * - user text reaches SQLite only as bound parameters; an FTS5 expression is built from
 *   escaped string literals and is itself a bound parameter.
 */
export { createSearchSchema, hasSearchSchema, SEARCH_SCHEMA_VERSION } from './schema.js';
export { buildSearchIndex, type BuildOptions, type IndexReport, type IndexProblem } from './build.js';
export { SearchIndexFeed, type FeedOptions } from './feed.js';
export type { PipelineReport } from './pipeline.js';
export { LIMITS, type SearchDocument } from './document.js';
export { parseMessage } from './parse.js';
export { parseQuery } from './parser.js';
export type { QueryAst, Span, TextField, CompareOp, FlagName } from './ast.js';
export type { DateValue } from './dates.js';
export { SNIPPET_OPEN, SNIPPET_CLOSE } from './snippet.js';
export {
  compileQuery,
  type CompileOptions,
  type CompiledQuery,
  type HitRow,
  type SortKey,
  type SortOrder,
} from './compile.js';
export {
  search,
  searchIdentified,
  DEFAULT_LIMIT,
  MAX_LIMIT,
  type SearchOptions,
  type SearchResult,
  type Hit,
} from './search.js';
export { attachmentNamesOf } from './attachment-names.js';
