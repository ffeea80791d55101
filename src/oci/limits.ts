// How much the registry client reads, and how long a request may take. A registry that sends
// more, or sends it slower, fails with a clear error instead of exhausting memory or time.

/** A manifest (or index): distribution refuses to store larger ones (4 MiB). */
export const MAX_MANIFEST_BYTES = 4 << 20
/** A token endpoint's answer (JSON with a token, tokens are a few KiB at most). */
export const MAX_TOKEN_RESPONSE_BYTES = 256 << 10
/** What is read of an error answer; the rest is dropped. */
export const MAX_ERROR_BODY_BYTES = 64 << 10
/** What is drained of an answer we do not read, to reuse its connection; more closes it. */
export const MAX_DISCARDED_BYTES = 64 << 10
/** One page of a tag list. */
export const MAX_TAG_PAGE_BYTES = 4 << 20
/** A whole tag list, every page together... */
export const MAX_TAG_LIST_BYTES = 16 << 20
/** ...in at most this many pages... */
export const MAX_TAG_PAGES = 1000
/** ...naming at most this many tags. */
export const MAX_TAGS = 100_000
/**
 * A request's total deadline: request-timeout, plus one second for every this many bytes it
 * sends or receives (so after the first request-timeout, at least this average rate).
 */
export const MIN_BYTES_PER_SECOND = 16 << 10
