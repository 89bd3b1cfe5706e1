/* Private to media/sdp: pointer-length views over the input, bounded token reading, error
 * reporting and the helpers shared between the parser, the writer and the negotiator. */
#ifndef PRISM_MEDIA_SDP_INTERNAL_H
#define PRISM_MEDIA_SDP_INTERNAL_H

#include "media/sdp/negotiate.h"
#include "media/sdp/sdp.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A slice of the input; never NUL-terminated, never read past len. */
struct sdp_view {
    const char *ptr;
    size_t len;
};

struct sdp_view sdp_view_of(const char *text); /* text may be NULL: an empty view */
bool sdp_view_eq(struct sdp_view v, const char *literal);
bool sdp_view_ieq(struct sdp_view v, const char *literal);
bool sdp_view_has_prefix(struct sdp_view v, const char *prefix);
struct sdp_view sdp_view_trim(struct sdp_view v);

/* Splits v at the first sep: *head gets what is before it, v what is after (empty if absent).
 * Returns false when v was empty. */
bool sdp_view_split(struct sdp_view *v, char sep, struct sdp_view *head);

/* Reads the next space-separated token (runs of spaces collapse). False at the end. */
bool sdp_view_token(struct sdp_view *v, struct sdp_view *token);

/* Strict decimal: digits only, at least one, value <= max. */
bool sdp_view_u64(struct sdp_view v, uint64_t max, uint64_t *out);
bool sdp_view_u32(struct sdp_view v, uint32_t max, uint32_t *out);

/* Copies v into dst[cap] NUL-terminated; -E2BIG if it does not fit. */
int sdp_view_copy(struct sdp_view v, char *dst, size_t cap);

/* RFC 8866 token characters, and the same for every byte of a view (non-empty). */
bool sdp_is_token_char(char c);
bool sdp_view_is_token(struct sdp_view v);
/* Visible ASCII (0x21-0x7e), non-empty: ids that endpoints fill more freely than RFCs say,
 * e.g. GStreamer's "user1@host-2" msid. */
bool sdp_view_is_visible(struct sdp_view v);
/* RFC 8839 ice-char: ALPHA / DIGIT / "+" / "/". */
bool sdp_view_is_ice_chars(struct sdp_view v);

/* Sets *err (if any) and returns -errnum. */
int sdp_fail(struct prism_sdp_error *err, unsigned line, enum prism_sdp_error_code code, int errnum,
             const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Attribute parsers for one m-line (attr_rtp.c, attr_stream.c). Each returns 0 or -EINVAL /
 * -E2BIG and leaves a message in err. */
int sdp_parse_rtpmap(struct prism_sdp_media *m, struct sdp_view value, struct prism_sdp_error *err);
int sdp_parse_fmtp(struct prism_sdp_media *m, struct sdp_view value, struct prism_sdp_error *err);
int sdp_parse_rtcp_fb(struct prism_sdp_media *m, struct sdp_view value, uint32_t *wildcard,
                      struct prism_sdp_error *err);
int sdp_parse_extmap(struct prism_sdp_extmap *list, uint8_t *count, struct sdp_view value,
                     struct prism_sdp_error *err);
int sdp_parse_ssrc(struct prism_sdp_media *m, struct sdp_view value, struct prism_sdp_error *err);
int sdp_parse_ssrc_group(struct prism_sdp_media *m, struct sdp_view value,
                         struct prism_sdp_error *err);
int sdp_parse_rid(struct prism_sdp_media *m, struct sdp_view value, struct prism_sdp_error *err);
int sdp_parse_simulcast(struct prism_sdp_media *m, struct sdp_view value,
                        struct prism_sdp_error *err);
int sdp_parse_msid(struct prism_sdp_media *m, struct sdp_view value, struct prism_sdp_error *err);

/* Transport attributes (attr_transport.c), at session or media level. */
int sdp_parse_fingerprint(struct sdp_view value, struct prism_sdp_fingerprint *out);
int sdp_parse_setup(struct sdp_view value, enum prism_sdp_setup *out);
const char *sdp_setup_name(enum prism_sdp_setup setup);
const char *sdp_direction_name(enum prism_sdp_direction dir);
bool sdp_direction_from_name(struct sdp_view name, enum prism_sdp_direction *out);
/* Hash length in bytes for a known algorithm name, 0 if unknown. */
size_t sdp_fingerprint_hash_length(const char *algorithm);

/* Codec tables (codecs.c). */
const char *sdp_codec_canonical_name(enum prism_sdp_codec_id id);
/* Fills name/clock/channels for a static payload type that RFC 3551 defines; false otherwise. */
bool sdp_static_payload(uint8_t pt, struct prism_sdp_codec *codec);
bool sdp_codec_is_media(const struct prism_sdp_codec *codec); /* not RTX/RED/FEC */

/* Builders' helpers (build.c). */
/* Appends a zeroed m-line; NULL at PRISM_SDP_MAX_MEDIA or when memory runs out. */
struct prism_sdp_media *sdp_add_media(struct prism_sdp *sdp);
int sdp_media_add_codec(struct prism_sdp_media *m, const struct prism_sdp_codec *codec);
int sdp_media_add_extmap(struct prism_sdp_media *m, const struct prism_sdp_extmap *ext);
/* The first m-line before index `before`, not rejected, that uses ext's id for another URI, or
 * NULL. The builders put every accepted m-line in one BUNDLE group, where an id must name one
 * extension (RFC 8843): endpoints such as aiortc keep a single id map per transport. */
const struct prism_sdp_media *sdp_extmap_clash(const struct prism_sdp *sdp, unsigned before,
                                               const struct prism_sdp_extmap *ext);
int sdp_copy_string(const char *src, char *dst, size_t cap); /* -EINVAL NULL, -E2BIG too long */
/* Writes our ICE credentials, fingerprint and a=setup into every m-line, rejected ones included,
 * and the candidates into the first accepted one. */
int sdp_apply_local_transport(struct prism_sdp *sdp, const struct prism_sdp_local_transport *t,
                              enum prism_sdp_setup setup, struct prism_sdp_error *err);
int sdp_add_bundle_group(struct prism_sdp *sdp);

/* The direction an answerer willing to do `local` gives to an m-line offered as `offered`. */
enum prism_sdp_direction sdp_answer_direction(enum prism_sdp_direction offered,
                                              enum prism_sdp_direction local);

#endif
