/* SDP parser: splits the text into lines, handles the session and m-line structure and hands
 * each attribute to its parser. Session-level transport attributes are inherited by m-lines. */
#include "media/sdp/internal.h"
#include "media/sdp/parser.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct prism_sdp_transport *sdp_parser_transport(struct sdp_parser *p)
{
    return p->media ? &p->media->transport : &p->sdp->transport;
}

int sdp_parser_copy(struct sdp_parser *p, struct sdp_view v, char *dst, size_t cap,
                    const char *what)
{
    if (sdp_view_copy(v, dst, cap) < 0)
        return FAIL(p, PRISM_SDP_ERR_LIMIT, E2BIG, "%s longer than %zu bytes", what, cap - 1);
    return 0;
}

static int parse_origin(struct sdp_parser *p, struct sdp_view v)
{
    struct sdp_view user, id, version, nettype, addrtype, address;
    if (!sdp_view_token(&v, &user) || !sdp_view_token(&v, &id) || !sdp_view_token(&v, &version) ||
        !sdp_view_token(&v, &nettype) || !sdp_view_token(&v, &addrtype) ||
        !sdp_view_token(&v, &address))
        return SYNTAX(p, "o= needs six fields");
    struct prism_sdp *sdp = p->sdp;
    if (!sdp_view_u64(id, UINT64_MAX, &sdp->session_id) ||
        !sdp_view_u64(version, UINT64_MAX, &sdp->session_version))
        return SYNTAX(p, "o= session id or version is not a 64-bit number");
    int rc = sdp_parser_copy(p, user, sdp->origin_username, sizeof(sdp->origin_username),
                             "username");
    if (rc == 0)
        rc = sdp_parser_copy(p, address, sdp->origin_address, sizeof(sdp->origin_address),
                             "origin address");
    p->seen_origin = true;
    return rc;
}

static int parse_connection(struct sdp_parser *p, struct sdp_view v)
{
    struct sdp_view nettype, addrtype, address;
    if (!sdp_view_token(&v, &nettype) || !sdp_view_token(&v, &addrtype) ||
        !sdp_view_token(&v, &address))
        return SYNTAX(p, "c= needs three fields");
    if (!p->media)
        return 0;
    return sdp_parser_copy(p, address, p->media->connection_address,
                           sizeof(p->media->connection_address), "connection address");
}

static int parse_bandwidth(struct sdp_parser *p, struct sdp_view v)
{
    struct sdp_view type;
    uint32_t value;
    if (!sdp_view_split(&v, ':', &type) || !sdp_view_u32(v, UINT32_MAX, &value))
        return SYNTAX(p, "b= is not <type>:<number>");
    if (!p->media)
        return 0;
    if (sdp_view_eq(type, "AS"))
        p->media->bandwidth_as = value;
    else if (sdp_view_eq(type, "TIAS"))
        p->media->bandwidth_tias = value;
    return 0;
}

/* Gives the finished m-line what it inherits from the session level. */
static void finish_media(struct sdp_parser *p)
{
    struct prism_sdp_media *m = p->media;
    if (!m)
        return;
    const struct prism_sdp_transport *s = &p->sdp->transport;
    if (!m->transport.ice_ufrag[0])
        memcpy(m->transport.ice_ufrag, s->ice_ufrag, sizeof(s->ice_ufrag));
    if (!m->transport.ice_pwd[0])
        memcpy(m->transport.ice_pwd, s->ice_pwd, sizeof(s->ice_pwd));
    m->transport.ice_trickle |= s->ice_trickle;
    if (m->transport.fingerprint_count == 0) {
        m->transport.fingerprint_count = s->fingerprint_count;
        memcpy(m->transport.fingerprints, s->fingerprints, sizeof(s->fingerprints));
    }
    if (m->transport.setup == PRISM_SDP_SETUP_NONE)
        m->transport.setup = s->setup;
    if (!p->media_direction_set)
        m->direction = p->session_direction;
    m->extmap_allow_mixed |= p->sdp->extmap_allow_mixed;
    for (uint8_t i = 0; i < m->codec_count; i++)
        m->codecs[i].feedback |= p->wildcard_feedback;
    /* Session-level extmaps apply where the m-line does not use that id itself (RFC 8285). */
    for (uint8_t i = 0; i < p->session_extmap_count; i++) {
        if (m->extmap_count < PRISM_SDP_MAX_EXTMAPS &&
            !prism_sdp_media_extmap_id(m, p->session_extmaps[i].uri)) {
            bool id_used = false;
            for (uint8_t j = 0; j < m->extmap_count; j++)
                id_used |= m->extmaps[j].id == p->session_extmaps[i].id;
            if (!id_used)
                m->extmaps[m->extmap_count++] = p->session_extmaps[i];
        }
    }
    p->media = NULL;
}

static int parse_rtp_formats(struct sdp_parser *p, struct sdp_view v)
{
    struct prism_sdp_media *m = p->media;
    struct sdp_view fmt;
    while (sdp_view_token(&v, &fmt)) {
        uint32_t pt;
        if (!sdp_view_u32(fmt, 127, &pt))
            return SYNTAX(p, "m= payload type '%.*s' is not 0-127", (int)fmt.len, fmt.ptr);
        if (prism_sdp_media_codec(m, (uint8_t)pt))
            return SYNTAX(p, "m= payload type %u listed twice", pt);
        if (m->codec_count == PRISM_SDP_MAX_CODECS)
            return FAIL(p, PRISM_SDP_ERR_LIMIT, E2BIG, "more than %d payload types",
                        PRISM_SDP_MAX_CODECS);
        struct prism_sdp_codec *c = &m->codecs[m->codec_count++];
        c->pt = (uint8_t)pt;
        if (sdp_static_payload(c->pt, c))
            c->id = prism_sdp_codec_id_from_name(c->name);
    }
    return 0;
}

static int parse_media_line(struct sdp_parser *p, struct sdp_view v)
{
    finish_media(p);
    struct prism_sdp *sdp = p->sdp;
    if (sdp->media_count == PRISM_SDP_MAX_MEDIA)
        return FAIL(p, PRISM_SDP_ERR_LIMIT, E2BIG, "more than %d m-lines", PRISM_SDP_MAX_MEDIA);
    struct prism_sdp_media *m = sdp_add_media(sdp);
    if (!m)
        return FAIL(p, PRISM_SDP_ERR_LIMIT, ENOMEM, "no memory for another m-line");
    p->media = m;
    p->media_direction_set = false;
    p->wildcard_feedback = 0;

    struct sdp_view kind, port, proto, port_count;
    if (!sdp_view_token(&v, &kind) || !sdp_view_token(&v, &port) || !sdp_view_token(&v, &proto) ||
        sdp_view_trim(v).len == 0)
        return SYNTAX(p, "m= needs media, port, proto and formats");
    uint32_t port_number;
    sdp_view_split(&port, '/', &port_count);
    if (!sdp_view_u32(port_count, 65535, &port_number))
        return SYNTAX(p, "m= port is not 0-65535");
    m->port = (uint16_t)port_number;
    int rc = sdp_parser_copy(p, kind, m->kind_name, sizeof(m->kind_name), "media type");
    if (rc == 0)
        rc = sdp_parser_copy(p, proto, m->proto, sizeof(m->proto), "proto");
    if (rc < 0)
        return rc;
    if (sdp_view_eq(kind, "audio"))
        m->kind = PRISM_SDP_MEDIA_AUDIO;
    else if (sdp_view_eq(kind, "video"))
        m->kind = PRISM_SDP_MEDIA_VIDEO;
    else if (sdp_view_eq(kind, "application"))
        m->kind = PRISM_SDP_MEDIA_APPLICATION;
    else
        m->kind = PRISM_SDP_MEDIA_OTHER;
    if (strstr(m->proto, "RTP/"))
        return parse_rtp_formats(p, v);
    return sdp_parser_copy(p, sdp_view_trim(v), m->formats, sizeof(m->formats), "m= formats");
}

/* Rejects bytes that never belong in SDP text: NUL, other controls and DEL. */
static bool line_is_clean(struct sdp_view line)
{
    for (size_t i = 0; i < line.len; i++) {
        unsigned char c = (unsigned char)line.ptr[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return false;
    }
    return true;
}

static int parse_line(struct sdp_parser *p, struct sdp_view line)
{
    if (!line_is_clean(line))
        return SYNTAX(p, "control character in line");
    if (line.len < 2 || line.ptr[1] != '=' || line.ptr[0] < 'a' || line.ptr[0] > 'z')
        return SYNTAX(p, "line is not <letter>=<value>");
    struct sdp_view value = {line.ptr + 2, line.len - 2};
    if (!p->seen_version) {
        if (!sdp_view_eq(line, "v=0"))
            return SYNTAX(p, "first line is not v=0");
        p->seen_version = true;
        return 0;
    }
    switch (line.ptr[0]) {
    case 'v':
        return SYNTAX(p, "v= repeated");
    case 'o':
        return p->seen_origin || p->media ? SYNTAX(p, "o= out of place") : parse_origin(p, value);
    case 's':
        return p->media ? 0
                        : sdp_parser_copy(p, value, p->sdp->session_name,
                                          sizeof(p->sdp->session_name), "s=");
    case 'c':
        return parse_connection(p, value);
    case 'b':
        return parse_bandwidth(p, value);
    case 'm':
        return parse_media_line(p, value);
    case 'a':
        return sdp_parse_attribute(p, value);
    default:
        return 0; /* t=, i=, u=, e=, p=, z=, k=, r=: nothing an SFU needs */
    }
}

static int parse_lines(struct sdp_parser *p, const char *text, size_t length)
{
    struct sdp_view rest = {text, length};
    struct sdp_view line;
    while (sdp_view_split(&rest, '\n', &line)) {
        p->line++;
        if (line.len > 0 && line.ptr[line.len - 1] == '\r')
            line.len--;
        if (line.len == 0) /* tolerated: stray blank lines, e.g. at the end */
            continue;
        int rc = parse_line(p, line);
        if (rc < 0) {
            if (p->err && p->err->line == 0)
                p->err->line = p->line;
            return rc;
        }
    }
    finish_media(p);
    if (!p->seen_version)
        return SYNTAX(p, "empty description");
    if (!p->seen_origin)
        return SYNTAX(p, "missing o= line");
    return 0;
}

int prism_sdp_parse(const char *text, size_t length, struct prism_sdp **out,
                    struct prism_sdp_error *err)
{
    if (err)
        memset(err, 0, sizeof(*err));
    if (!out || (!text && length > 0))
        return sdp_fail(err, 0, PRISM_SDP_ERR_INVALID_ARGUMENT, EINVAL, "no text");
    if (length == 0)
        return sdp_fail(err, 0, PRISM_SDP_ERR_SYNTAX, EINVAL, "empty description");
    struct sdp_parser *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    int rc = prism_sdp_new(&p->sdp);
    if (rc < 0)
        goto out;
    p->err = err;
    rc = parse_lines(p, text, length);
    if (rc == 0) {
        *out = p->sdp;
        p->sdp = NULL;
    }
out:
    prism_sdp_free(p->sdp);
    free(p);
    return rc;
}
