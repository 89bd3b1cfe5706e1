/* Static files of the HTTP transport, decided without I/O: which file below the root a
 * request target names (or that it names none), its content type, its validators (ETag,
 * Last-Modified) and whether a conditional GET is answered 304 Not Modified. */
#ifndef PRISM_SIGNALING_HTTP_STATIC_RULES_H
#define PRISM_SIGNALING_HTTP_STATIC_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest relative path a target may resolve to, and longest path segment, in bytes. */
#define PRISM_HTTP_STATIC_PATH_MAX 1024u
#define PRISM_HTTP_STATIC_SEGMENT_MAX 255u
/* Buffer sizes for prism_http_static_etag and prism_http_date_format. */
#define PRISM_HTTP_ETAG_SIZE 64u
#define PRISM_HTTP_DATE_SIZE 32u

/* Turns the request target exactly as the client sent it ("/a/b.js?x=1", still
 * percent-encoded) into a path relative to the static root ("a/b.js"), written to `out`.
 * A target ending in '/' names that folder's "index.html". The query is ignored and
 * percent-escapes are decoded once. Refused with -EINVAL, so nothing outside the root and
 * nothing hidden is ever named: a target not starting with '/', a malformed escape, a byte
 * below 0x20 or 0x7f (NUL included), a backslash, a '%' left after decoding (double
 * encoding), an empty segment ("//"), a "." or ".." segment, or any segment starting with
 * '.'. -ENAMETOOLONG when the result or a segment is too long for `out_size`,
 * PRISM_HTTP_STATIC_PATH_MAX or PRISM_HTTP_STATIC_SEGMENT_MAX. `out` is written only on
 * success. */
int prism_http_static_resolve(const char *target, char *out, size_t out_size);

/* The Content-Type for a file, from its extension (ignoring case): text types carry
 * "charset=utf-8"; unknown extensions are "application/octet-stream". Static string. */
const char *prism_http_static_content_type(const char *path);

/* True when `path` (an absolute, symlink-free path, as the kernel reports for an open file)
 * lies strictly below `root` (also absolute and symlink-free, without trailing '/'). */
bool prism_http_static_path_within(const char *root, const char *path);

/* A strong entity tag for a file version, quotes included ("\"2a-1f4-17c3b2e1a0\""), made
 * from its inode, size and modification time in nanoseconds. */
void prism_http_static_etag(uint64_t inode, uint64_t size, int64_t mtime_ns,
                            char out[PRISM_HTTP_ETAG_SIZE]);

/* Writes an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT", RFC 9110 section 5.6.7). */
void prism_http_date_format(int64_t unix_seconds, char out[PRISM_HTTP_DATE_SIZE]);

/* Parses an HTTP-date in any of the three forms RFC 9110 requires recipients to accept
 * (IMF-fixdate, RFC 850, asctime). False on anything else; *unix_seconds is written only
 * on success. */
bool prism_http_date_parse(const char *text, int64_t *unix_seconds);

/* True when a conditional GET or HEAD is answered 304 (RFC 9110 section 13.2.2): when
 * If-None-Match is present, only it counts ("*" or a weakly matching tag in the list);
 * otherwise If-Modified-Since counts when it is a valid date not after `now_s` and the file
 * was not modified after it. Either header may be NULL. */
bool prism_http_static_not_modified(const char *if_none_match, const char *if_modified_since,
                                    const char *etag, int64_t mtime_s, int64_t now_s);

#endif
