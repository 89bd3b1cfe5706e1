/* Private to the parser files: the state of one parse, shared by the line-level parser
 * (parse.c) and the attribute dispatcher (parse_attr.c). */
#ifndef PRISM_MEDIA_SDP_PARSER_H
#define PRISM_MEDIA_SDP_PARSER_H

#include "media/sdp/internal.h"

struct sdp_parser {
    struct prism_sdp *sdp;
    struct prism_sdp_media *media; /* the current m-line, NULL at session level */
    struct prism_sdp_error *err;
    unsigned line;
    bool seen_version, seen_origin;
    bool media_direction_set;
    uint32_t wildcard_feedback; /* a=rtcp-fb:* of the current m-line */
    enum prism_sdp_direction session_direction;
    uint8_t session_extmap_count;
    struct prism_sdp_extmap session_extmaps[PRISM_SDP_MAX_EXTMAPS];
};

#define FAIL(p, code, errnum, ...) sdp_fail((p)->err, (p)->line, code, errnum, __VA_ARGS__)
#define SYNTAX(p, ...) FAIL(p, PRISM_SDP_ERR_SYNTAX, EINVAL, __VA_ARGS__)

/* The transport block the current level writes to: the m-line's, or the session's. */
struct prism_sdp_transport *sdp_parser_transport(struct sdp_parser *p);

/* Copies a field, failing with PRISM_SDP_ERR_LIMIT if it does not fit. */
int sdp_parser_copy(struct sdp_parser *p, struct sdp_view v, char *dst, size_t cap,
                    const char *what);

/* Parses the value of an a= line (after "a="). */
int sdp_parse_attribute(struct sdp_parser *p, struct sdp_view value);

#endif
