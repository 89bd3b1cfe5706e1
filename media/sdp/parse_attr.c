/* SDP attribute dispatch: one small handler per a= attribute that touches parser state or
 * applies at both levels; m-line-only attributes go to attr_rtp.c and attr_stream.c. */
#include "media/sdp/internal.h"
#include "media/sdp/parser.h"

#include <errno.h>
#include <string.h>

typedef int (*attr_fn)(struct sdp_parser *p, struct sdp_view value);

static int attr_group(struct sdp_parser *p, struct sdp_view v)
{
    struct prism_sdp *sdp = p->sdp;
    if (p->media)
        return 0;
    if (sdp->group_count == PRISM_SDP_MAX_GROUPS)
        return FAIL(p, PRISM_SDP_ERR_LIMIT, E2BIG, "more than %d a=group lines",
                    PRISM_SDP_MAX_GROUPS);
    struct prism_sdp_group *g = &sdp->groups[sdp->group_count];
    struct sdp_view semantics, mid;
    if (!sdp_view_token(&v, &semantics) || !sdp_view_is_token(semantics))
        return SYNTAX(p, "a=group without semantics");
    int rc = sdp_parser_copy(p, semantics, g->semantics, sizeof(g->semantics), "group semantics");
    while (rc == 0 && sdp_view_token(&v, &mid)) {
        if (!sdp_view_is_token(mid))
            return SYNTAX(p, "a=group mid is not a token");
        if (g->count == PRISM_SDP_MAX_MEDIA)
            return FAIL(p, PRISM_SDP_ERR_LIMIT, E2BIG, "a=group lists too many mids");
        rc = sdp_parser_copy(p, mid, g->mids[g->count++], sizeof(g->mids[0]), "mid");
    }
    if (rc == 0)
        sdp->group_count++;
    return rc;
}

static int attr_msid_semantic(struct sdp_parser *p, struct sdp_view v)
{
    if (p->media)
        return 0;
    p->sdp->has_msid_semantic = true;
    return sdp_parser_copy(p, sdp_view_trim(v), p->sdp->msid_semantic,
                           sizeof(p->sdp->msid_semantic), "a=msid-semantic");
}

static int attr_ice_lite(struct sdp_parser *p, struct sdp_view v)
{
    if (!p->media)
        p->sdp->ice_lite = true;
    return 0;
}

static int ice_credential(struct sdp_parser *p, struct sdp_view v, char *dst, size_t cap,
                          const char *what)
{
    if (!sdp_view_is_ice_chars(v))
        return SYNTAX(p, "%s has characters outside ALPHA / DIGIT / + /", what);
    return sdp_parser_copy(p, v, dst, cap, what);
}

static int attr_ice_ufrag(struct sdp_parser *p, struct sdp_view v)
{
    struct prism_sdp_transport *t = sdp_parser_transport(p);
    return ice_credential(p, v, t->ice_ufrag, sizeof(t->ice_ufrag), "a=ice-ufrag");
}

static int attr_ice_pwd(struct sdp_parser *p, struct sdp_view v)
{
    struct prism_sdp_transport *t = sdp_parser_transport(p);
    return ice_credential(p, v, t->ice_pwd, sizeof(t->ice_pwd), "a=ice-pwd");
}

static int attr_ice_options(struct sdp_parser *p, struct sdp_view v)
{
    struct sdp_view option;
    while (sdp_view_token(&v, &option)) {
        if (sdp_view_eq(option, "trickle"))
            sdp_parser_transport(p)->ice_trickle = true;
    }
    return 0;
}

static int attr_fingerprint(struct sdp_parser *p, struct sdp_view v)
{
    struct prism_sdp_transport *t = sdp_parser_transport(p);
    if (t->fingerprint_count == PRISM_SDP_MAX_FINGERPRINTS)
        return FAIL(p, PRISM_SDP_ERR_LIMIT, E2BIG, "more than %d fingerprints",
                    PRISM_SDP_MAX_FINGERPRINTS);
    int rc = sdp_parse_fingerprint(v, &t->fingerprints[t->fingerprint_count]);
    if (rc == -E2BIG)
        return FAIL(p, PRISM_SDP_ERR_LIMIT, E2BIG, "a=fingerprint too long");
    if (rc < 0)
        return SYNTAX(p, "a=fingerprint is not <hash> <hex:hex:...> of the hash's length");
    t->fingerprint_count++;
    return 0;
}

static int attr_setup(struct sdp_parser *p, struct sdp_view v)
{
    if (sdp_parse_setup(v, &sdp_parser_transport(p)->setup) < 0)
        return SYNTAX(p, "a=setup is not actpass, active, passive or holdconn");
    return 0;
}

static int attr_extmap(struct sdp_parser *p, struct sdp_view v)
{
    if (p->media)
        return sdp_parse_extmap(p->media->extmaps, &p->media->extmap_count, v, p->err);
    return sdp_parse_extmap(p->session_extmaps, &p->session_extmap_count, v, p->err);
}

static int attr_extmap_allow_mixed(struct sdp_parser *p, struct sdp_view v)
{
    if (p->media)
        p->media->extmap_allow_mixed = true;
    else
        p->sdp->extmap_allow_mixed = true;
    return 0;
}

static int attr_direction(struct sdp_parser *p, struct sdp_view name)
{
    enum prism_sdp_direction dir = PRISM_SDP_SENDRECV;
    sdp_direction_from_name(name, &dir);
    if (!p->media) {
        p->session_direction = dir;
    } else {
        p->media->direction = dir;
        p->media_direction_set = true;
    }
    return 0;
}

static int attr_mid(struct sdp_parser *p, struct sdp_view v)
{
    if (!p->media)
        return 0;
    if (p->media->mid[0])
        return SYNTAX(p, "a=mid repeated in one m-line");
    if (!sdp_view_is_token(v))
        return SYNTAX(p, "a=mid is not a token");
    return sdp_parser_copy(p, v, p->media->mid, sizeof(p->media->mid), "a=mid");
}

static int attr_flag(struct sdp_parser *p, struct sdp_view name)
{
    struct prism_sdp_media *m = p->media;
    if (!m)
        return 0;
    if (sdp_view_eq(name, "rtcp-mux"))
        m->rtcp_mux = true;
    else if (sdp_view_eq(name, "rtcp-rsize"))
        m->rtcp_rsize = true;
    else if (sdp_view_eq(name, "bundle-only"))
        m->bundle_only = true;
    else if (sdp_view_eq(name, "end-of-candidates"))
        m->end_of_candidates = true;
    return 0;
}

static int attr_rtcp_fb(struct sdp_parser *p, struct sdp_view v)
{
    if (!p->media)
        return 0;
    return sdp_parse_rtcp_fb(p->media, v, &p->wildcard_feedback, p->err);
}

static int attr_candidate(struct sdp_parser *p, struct sdp_view v)
{
    struct prism_sdp_media *m = p->media;
    if (!m)
        return 0;
    if (m->candidate_count == PRISM_SDP_MAX_CANDIDATES)
        return FAIL(p, PRISM_SDP_ERR_LIMIT, E2BIG, "more than %d candidates",
                    PRISM_SDP_MAX_CANDIDATES);
    /* The parser wants the "candidate:" prefix that the attribute name consumed. */
    char buf[512];
    if (v.len + 10 >= sizeof(buf))
        return FAIL(p, PRISM_SDP_ERR_LIMIT, E2BIG, "a=candidate too long");
    memcpy(buf, "candidate:", 10);
    memcpy(buf + 10, v.ptr, v.len);
    int rc = prism_sdp_candidate_parse(buf, v.len + 10, &m->candidates[m->candidate_count]);
    if (rc == -E2BIG)
        return FAIL(p, PRISM_SDP_ERR_LIMIT, E2BIG, "a=candidate field too long");
    if (rc < 0)
        return SYNTAX(p, "malformed a=candidate");
    m->candidate_count++;
    return 0;
}

static int attr_sctp_port(struct sdp_parser *p, struct sdp_view v)
{
    uint32_t port;
    if (!p->media)
        return 0;
    if (!sdp_view_u32(v, 65535, &port))
        return SYNTAX(p, "a=sctp-port is not 0-65535");
    if (p->media->sctpmap)
        return SYNTAX(p, "a=sctp-port and a=sctpmap on one m-line");
    p->media->sctp_port = (uint16_t)port;
    return 0;
}

/* Legacy data channels (draft-ietf-mmusic-sctp-sdp-05): a=sctpmap:<port> <protocol> [<streams>],
 * where the port must be the m-line's format. Mixing it with a=sctp-port is refused, so that a
 * parsed m-line is always in exactly one syntax. */
static int attr_sctpmap(struct sdp_parser *p, struct sdp_view v)
{
    struct prism_sdp_media *m = p->media;
    struct sdp_view port_text, protocol, streams_text, extra;
    uint32_t port, format, streams = 0;
    if (!m)
        return 0;
    if (m->sctpmap || m->sctp_port)
        return SYNTAX(p, "a=sctpmap repeated or next to a=sctp-port");
    if (!sdp_view_token(&v, &port_text) || !sdp_view_token(&v, &protocol))
        return SYNTAX(p, "a=sctpmap is not <port> <protocol> [<streams>]");
    if (!sdp_view_u32(port_text, 65535, &port) || port == 0)
        return SYNTAX(p, "a=sctpmap port is not 1-65535");
    if (!sdp_view_u32(sdp_view_of(m->formats), 65535, &format) || format != port)
        return SYNTAX(p, "a=sctpmap port %u is not the m-line's format", port);
    if (!sdp_view_is_token(protocol))
        return SYNTAX(p, "a=sctpmap protocol is not a token");
    if (sdp_view_token(&v, &streams_text) &&
        (!sdp_view_u32(streams_text, 65535, &streams) || streams == 0))
        return SYNTAX(p, "a=sctpmap streams is not 1-65535");
    if (sdp_view_token(&v, &extra))
        return SYNTAX(p, "a=sctpmap has fields after <streams>");
    int rc = sdp_parser_copy(p, protocol, m->sctpmap_protocol, sizeof(m->sctpmap_protocol),
                             "a=sctpmap protocol");
    if (rc < 0)
        return rc;
    m->sctpmap = true;
    m->sctp_port = (uint16_t)port;
    m->sctpmap_streams = (uint16_t)streams;
    return 0;
}

static int attr_max_message_size(struct sdp_parser *p, struct sdp_view v)
{
    if (!p->media)
        return 0;
    if (!sdp_view_u64(v, UINT64_MAX, &p->media->max_message_size))
        return SYNTAX(p, "a=max-message-size is not a number");
    return 0;
}

typedef int (*media_attr_fn)(struct prism_sdp_media *m, struct sdp_view value,
                             struct prism_sdp_error *err);

/* One handler is set: `any` sees both levels, `media` only m-line attributes. Property
 * attributes (by_name) are handed their name, since they have no value. Attributes not listed
 * are ignored, as RFC 8866 asks of unknown ones. */
static const struct attr_entry {
    const char *name;
    attr_fn any;
    media_attr_fn media;
    bool by_name;
} attributes[] = {
    {.name = "group", .any = attr_group},
    {.name = "msid-semantic", .any = attr_msid_semantic},
    {.name = "ice-lite", .any = attr_ice_lite},
    {.name = "ice-ufrag", .any = attr_ice_ufrag},
    {.name = "ice-pwd", .any = attr_ice_pwd},
    {.name = "ice-options", .any = attr_ice_options},
    {.name = "fingerprint", .any = attr_fingerprint},
    {.name = "setup", .any = attr_setup},
    {.name = "extmap", .any = attr_extmap},
    {.name = "extmap-allow-mixed", .any = attr_extmap_allow_mixed},
    {.name = "sendrecv", .any = attr_direction, .by_name = true},
    {.name = "sendonly", .any = attr_direction, .by_name = true},
    {.name = "recvonly", .any = attr_direction, .by_name = true},
    {.name = "inactive", .any = attr_direction, .by_name = true},
    {.name = "mid", .any = attr_mid},
    {.name = "rtcp-mux", .any = attr_flag, .by_name = true},
    {.name = "rtcp-rsize", .any = attr_flag, .by_name = true},
    {.name = "bundle-only", .any = attr_flag, .by_name = true},
    {.name = "end-of-candidates", .any = attr_flag, .by_name = true},
    {.name = "rtcp-fb", .any = attr_rtcp_fb},
    {.name = "candidate", .any = attr_candidate},
    {.name = "sctp-port", .any = attr_sctp_port},
    {.name = "sctpmap", .any = attr_sctpmap},
    {.name = "max-message-size", .any = attr_max_message_size},
    {.name = "msid", .media = sdp_parse_msid},
    {.name = "ssrc", .media = sdp_parse_ssrc},
    {.name = "ssrc-group", .media = sdp_parse_ssrc_group},
    {.name = "rid", .media = sdp_parse_rid},
    {.name = "simulcast", .media = sdp_parse_simulcast},
    {.name = "rtpmap", .media = sdp_parse_rtpmap},
    {.name = "fmtp", .media = sdp_parse_fmtp},
};

int sdp_parse_attribute(struct sdp_parser *p, struct sdp_view v)
{
    struct sdp_view name;
    if (!sdp_view_split(&v, ':', &name) || name.len == 0)
        return SYNTAX(p, "a= without a name");
    for (size_t i = 0; i < sizeof(attributes) / sizeof(attributes[0]); i++) {
        const struct attr_entry *a = &attributes[i];
        if (!sdp_view_eq(name, a->name))
            continue;
        if (a->any)
            return a->any(p, a->by_name ? name : v);
        return p->media ? a->media(p->media, v, p->err) : 0;
    }
    return 0;
}
