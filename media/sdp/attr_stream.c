/* Stream identification attributes of an m-line: a=msid, a=ssrc, a=ssrc-group, a=rid and
 * a=simulcast. */
#include "media/sdp/internal.h"

#include <errno.h>
#include <string.h>

#define SYNTAX(err, ...) sdp_fail(err, 0, PRISM_SDP_ERR_SYNTAX, EINVAL, __VA_ARGS__)
#define LIMIT(err, ...) sdp_fail(err, 0, PRISM_SDP_ERR_LIMIT, E2BIG, __VA_ARGS__)

/* "<stream> [<track>]" (RFC 8830), shared by a=msid and a=ssrc msid:. RFC 8830 asks for
 * token characters, but deployed endpoints use others ('@', '{'), so any visible character goes. */
static int parse_msid_value(struct sdp_view v, char *stream, char *track, size_t cap,
                            struct prism_sdp_error *err)
{
    struct sdp_view stream_id, track_id = {0};
    if (!sdp_view_token(&v, &stream_id) || !sdp_view_is_visible(stream_id))
        return SYNTAX(err, "msid without a stream id");
    if (sdp_view_token(&v, &track_id) && !sdp_view_is_visible(track_id))
        return SYNTAX(err, "msid track id has invalid characters");
    if (sdp_view_copy(stream_id, stream, cap) < 0 || sdp_view_copy(track_id, track, cap) < 0)
        return LIMIT(err, "msid id longer than %d bytes", PRISM_SDP_TOKEN_LEN);
    return 0;
}

int sdp_parse_msid(struct prism_sdp_media *m, struct sdp_view value, struct prism_sdp_error *err)
{
    char stream[PRISM_SDP_TOKEN_LEN + 1] = "", track[PRISM_SDP_TOKEN_LEN + 1] = "";
    int rc = parse_msid_value(value, stream, track, sizeof(stream), err);
    if (rc < 0 || m->has_msid)
        return rc; /* a track in several streams: the first one is enough for an SFU */
    memcpy(m->stream_id, stream, sizeof(stream));
    memcpy(m->track_id, track, sizeof(track));
    m->has_msid = true;
    return 0;
}

static struct prism_sdp_ssrc *find_or_add_ssrc(struct prism_sdp_media *m, uint32_t ssrc)
{
    for (uint8_t i = 0; i < m->ssrc_count; i++) {
        if (m->ssrcs[i].ssrc == ssrc)
            return &m->ssrcs[i];
    }
    if (m->ssrc_count == PRISM_SDP_MAX_SSRCS)
        return NULL;
    struct prism_sdp_ssrc *s = &m->ssrcs[m->ssrc_count++];
    memset(s, 0, sizeof(*s));
    s->ssrc = ssrc;
    return s;
}

int sdp_parse_ssrc(struct prism_sdp_media *m, struct sdp_view value, struct prism_sdp_error *err)
{
    struct sdp_view ssrc_text, attribute, name;
    uint32_t ssrc;
    if (!sdp_view_split(&value, ' ', &ssrc_text) || !sdp_view_u32(ssrc_text, UINT32_MAX, &ssrc))
        return SYNTAX(err, "a=ssrc is not <ssrc> <attribute>");
    attribute = sdp_view_trim(value);
    if (!sdp_view_split(&attribute, ':', &name) || name.len == 0)
        return SYNTAX(err, "a=ssrc without an attribute");
    struct prism_sdp_ssrc *s = find_or_add_ssrc(m, ssrc);
    if (!s)
        return LIMIT(err, "more than %d SSRCs in one m-line", PRISM_SDP_MAX_SSRCS);
    if (sdp_view_eq(name, "cname")) {
        if (sdp_view_copy(attribute, s->cname, sizeof(s->cname)) < 0)
            return LIMIT(err, "cname longer than %d bytes", PRISM_SDP_TOKEN_LEN);
        return 0;
    }
    if (sdp_view_eq(name, "msid"))
        return parse_msid_value(attribute, s->stream_id, s->track_id, sizeof(s->stream_id), err);
    return 0;
}

int sdp_parse_ssrc_group(struct prism_sdp_media *m, struct sdp_view value,
                         struct prism_sdp_error *err)
{
    struct sdp_view semantics, ssrc_text;
    struct prism_sdp_ssrc_group g;
    memset(&g, 0, sizeof(g));
    if (!sdp_view_token(&value, &semantics) || !sdp_view_is_token(semantics))
        return SYNTAX(err, "a=ssrc-group without semantics");
    if (sdp_view_copy(semantics, g.semantics, sizeof(g.semantics)) < 0)
        return LIMIT(err, "a=ssrc-group semantics too long");
    while (sdp_view_token(&value, &ssrc_text)) {
        if (g.count == PRISM_SDP_MAX_GROUP_SSRCS)
            return LIMIT(err, "a=ssrc-group with more than %d SSRCs", PRISM_SDP_MAX_GROUP_SSRCS);
        if (!sdp_view_u32(ssrc_text, UINT32_MAX, &g.ssrcs[g.count++]))
            return SYNTAX(err, "a=ssrc-group SSRC is not a 32-bit number");
    }
    if (g.count == 0)
        return SYNTAX(err, "a=ssrc-group without SSRCs");
    if (m->ssrc_group_count == PRISM_SDP_MAX_SSRC_GROUPS)
        return LIMIT(err, "more than %d a=ssrc-group lines", PRISM_SDP_MAX_SSRC_GROUPS);
    m->ssrc_groups[m->ssrc_group_count++] = g;
    return 0;
}

/* RFC 8851 rid-id: letters, digits, '-' and '_'. */
static bool is_rid_id(struct sdp_view v)
{
    if (v.len == 0)
        return false;
    for (size_t i = 0; i < v.len; i++) {
        char c = v.ptr[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

int sdp_parse_rid(struct prism_sdp_media *m, struct sdp_view value, struct prism_sdp_error *err)
{
    struct sdp_view id, direction;
    struct prism_sdp_rid rid;
    memset(&rid, 0, sizeof(rid));
    if (!sdp_view_token(&value, &id) || !sdp_view_token(&value, &direction) || !is_rid_id(id))
        return SYNTAX(err, "a=rid is not <id> send|recv [<restrictions>]");
    if (sdp_view_eq(direction, "send"))
        rid.send = true;
    else if (!sdp_view_eq(direction, "recv"))
        return SYNTAX(err, "a=rid direction is not send or recv");
    if (sdp_view_copy(id, rid.id, sizeof(rid.id)) < 0 ||
        sdp_view_copy(sdp_view_trim(value), rid.restrictions, sizeof(rid.restrictions)) < 0)
        return LIMIT(err, "a=rid id or restrictions too long");
    for (uint8_t i = 0; i < m->rid_count; i++) {
        if (strcmp(m->rids[i].id, rid.id) == 0)
            return SYNTAX(err, "a=rid %s repeated", rid.id);
    }
    if (m->rid_count == PRISM_SDP_MAX_RIDS)
        return LIMIT(err, "more than %d a=rid lines", PRISM_SDP_MAX_RIDS);
    m->rids[m->rid_count++] = rid;
    return 0;
}

/* "a;b,~c": streams separated by ';', alternatives by ',', '~' marks a paused one. */
static int parse_simulcast_list(struct sdp_view v, struct prism_sdp_simulcast_list *list,
                                struct prism_sdp_error *err)
{
    struct sdp_view stream_text, alt_text;
    if (sdp_view_has_prefix(v, "rid=")) { /* the draft syntax some endpoints still send */
        v.ptr += 4;
        v.len -= 4;
    }
    if (v.len == 0)
        return SYNTAX(err, "a=simulcast with an empty stream list");
    while (sdp_view_split(&v, ';', &stream_text)) {
        if (list->count == PRISM_SDP_MAX_SIMULCAST_STREAMS)
            return LIMIT(err, "more than %d simulcast streams", PRISM_SDP_MAX_SIMULCAST_STREAMS);
        struct prism_sdp_simulcast_stream *s = &list->streams[list->count++];
        if (stream_text.len == 0)
            return SYNTAX(err, "a=simulcast with an empty stream");
        while (sdp_view_split(&stream_text, ',', &alt_text)) {
            if (s->count == PRISM_SDP_MAX_SIMULCAST_ALTERNATIVES)
                return LIMIT(err, "too many simulcast alternatives");
            bool paused = alt_text.len > 0 && alt_text.ptr[0] == '~';
            if (paused) {
                alt_text.ptr++;
                alt_text.len--;
            }
            if (!is_rid_id(alt_text))
                return SYNTAX(err, "a=simulcast rid invalid");
            if (sdp_view_copy(alt_text, s->alternatives[s->count].rid, PRISM_SDP_RID_LEN + 1) < 0)
                return LIMIT(err, "a=simulcast rid too long");
            s->alternatives[s->count++].paused = paused;
        }
    }
    return 0;
}

int sdp_parse_simulcast(struct prism_sdp_media *m, struct sdp_view value,
                        struct prism_sdp_error *err)
{
    struct sdp_view direction, list_text;
    struct prism_sdp_simulcast_list send, recv;
    bool has_send = false, has_recv = false;
    memset(&send, 0, sizeof(send));
    memset(&recv, 0, sizeof(recv));
    while (sdp_view_token(&value, &direction)) {
        bool is_send = sdp_view_eq(direction, "send");
        if ((!is_send && !sdp_view_eq(direction, "recv")) || !sdp_view_token(&value, &list_text))
            return SYNTAX(err, "a=simulcast is not send|recv <list> [send|recv <list>]");
        if (is_send ? has_send : has_recv)
            return SYNTAX(err, "a=simulcast direction repeated");
        int rc = parse_simulcast_list(list_text, is_send ? &send : &recv, err);
        if (rc < 0)
            return rc;
        *(is_send ? &has_send : &has_recv) = true;
    }
    if (!has_send && !has_recv)
        return SYNTAX(err, "a=simulcast without a direction");
    m->simulcast_send = send;
    m->simulcast_recv = recv;
    return 0;
}
