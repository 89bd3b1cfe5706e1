/* SDP writer: one description to CRLF text, in the attribute order browsers produce. Each line
 * is checked for control characters so that no field can smuggle in a line of its own. */
#include "media/sdp/internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Output sink: counts what the text needs even once the buffer is full. */
struct out {
    char *buf;
    size_t size;
    size_t used;
    int error; /* first -EINVAL met */
};

__attribute__((format(printf, 2, 3))) static void line(struct out *o, const char *fmt, ...)
{
    char text[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(text)) {
        o->error = o->error ? o->error : -EINVAL;
        return;
    }
    for (int i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            o->error = o->error ? o->error : -EINVAL;
    }
    if (o->used + (size_t)n + 2 < o->size) {
        memcpy(o->buf + o->used, text, (size_t)n);
        memcpy(o->buf + o->used + n, "\r\n", 2);
    }
    o->used += (size_t)n + 2;
}

static const char *addrtype(const char *address)
{
    return strchr(address, ':') ? "IP6" : "IP4";
}

static void write_fingerprint(struct out *o, const struct prism_sdp_fingerprint *fp)
{
    char hex[3 * PRISM_SDP_FINGERPRINT_MAX_BYTES + 1] = "";
    size_t length = fp->length > PRISM_SDP_FINGERPRINT_MAX_BYTES ? 0 : fp->length;
    for (size_t i = 0; i < length; i++)
        snprintf(hex + 3 * i, 4, i + 1 < length ? "%02X:" : "%02X", fp->bytes[i]);
    if (length == 0 || !fp->algorithm[0])
        o->error = o->error ? o->error : -EINVAL;
    line(o, "a=fingerprint:%s %s", fp->algorithm, hex);
}

static bool same_fingerprints(const struct prism_sdp_transport *a,
                              const struct prism_sdp_transport *b)
{
    return a->fingerprint_count == b->fingerprint_count &&
           memcmp(a->fingerprints, b->fingerprints,
                  a->fingerprint_count * sizeof(a->fingerprints[0])) == 0;
}

/* Writes the transport lines of t that the session level (base, may be NULL) does not. */
static void write_transport(struct out *o, const struct prism_sdp_transport *t,
                            const struct prism_sdp_transport *base)
{
    if (t->ice_ufrag[0] && (!base || strcmp(t->ice_ufrag, base->ice_ufrag) != 0))
        line(o, "a=ice-ufrag:%s", t->ice_ufrag);
    if (t->ice_pwd[0] && (!base || strcmp(t->ice_pwd, base->ice_pwd) != 0))
        line(o, "a=ice-pwd:%s", t->ice_pwd);
    if (t->ice_trickle && (!base || !base->ice_trickle))
        line(o, "a=ice-options:trickle");
    if (t->fingerprint_count <= PRISM_SDP_MAX_FINGERPRINTS &&
        (!base || !same_fingerprints(t, base))) {
        for (uint8_t i = 0; i < t->fingerprint_count; i++)
            write_fingerprint(o, &t->fingerprints[i]);
    }
    if (t->setup != PRISM_SDP_SETUP_NONE && (!base || t->setup != base->setup))
        line(o, "a=setup:%s", sdp_setup_name(t->setup));
}

static void write_session(struct out *o, const struct prism_sdp *sdp)
{
    line(o, "v=0");
    line(o, "o=%s %" PRIu64 " %" PRIu64 " IN %s %s", sdp->origin_username, sdp->session_id,
         sdp->session_version, addrtype(sdp->origin_address), sdp->origin_address);
    line(o, "s=%s", sdp->session_name[0] ? sdp->session_name : "-");
    line(o, "t=0 0");
    for (uint8_t g = 0; g < sdp->group_count && g < PRISM_SDP_MAX_GROUPS; g++) {
        char mids[PRISM_SDP_MAX_MEDIA * (PRISM_SDP_MID_LEN + 1) + 1] = "";
        size_t used = 0;
        for (unsigned i = 0; i < sdp->groups[g].count && i < PRISM_SDP_MAX_MEDIA; i++)
            used += (size_t)snprintf(mids + used, sizeof(mids) - used, " %s",
                                     sdp->groups[g].mids[i]);
        line(o, "a=group:%s%s", sdp->groups[g].semantics, mids);
    }
    if (sdp->ice_lite)
        line(o, "a=ice-lite");
    write_transport(o, &sdp->transport, NULL);
    if (sdp->extmap_allow_mixed)
        line(o, "a=extmap-allow-mixed");
    if (sdp->has_msid_semantic)
        line(o, "a=msid-semantic: %s", sdp->msid_semantic);
}

static void write_media_line(struct out *o, const struct prism_sdp_media *m)
{
    char formats[PRISM_SDP_MAX_CODECS * 4 + 1] = "";
    size_t used = 0;
    bool rtp = strstr(m->proto, "RTP/") != NULL;
    for (uint8_t i = 0; rtp && i < m->codec_count && i < PRISM_SDP_MAX_CODECS; i++)
        used += (size_t)snprintf(formats + used, sizeof(formats) - used, " %u", m->codecs[i].pt);
    if (!rtp && m->formats[0])
        snprintf(formats, sizeof(formats), " %s", m->formats);
    if (!formats[0] || !m->kind_name[0] || !m->proto[0])
        o->error = o->error ? o->error : -EINVAL; /* an m-line needs at least one format */
    line(o, "m=%s %u %s%s", m->kind_name, m->port, m->proto, formats);
    const char *address = m->connection_address[0] ? m->connection_address : "0.0.0.0";
    line(o, "c=IN %s %s", addrtype(address), address);
    if (m->bandwidth_as)
        line(o, "b=AS:%" PRIu32, m->bandwidth_as);
    if (m->bandwidth_tias)
        line(o, "b=TIAS:%" PRIu32, m->bandwidth_tias);
}

static void write_codecs(struct out *o, const struct prism_sdp_media *m)
{
    static const struct {
        uint32_t bit;
        const char *text;
    } feedback[] = {
        {PRISM_SDP_FB_GOOG_REMB, "goog-remb"}, {PRISM_SDP_FB_TRANSPORT_CC, "transport-cc"},
        {PRISM_SDP_FB_CCM_FIR, "ccm fir"},     {PRISM_SDP_FB_NACK, "nack"},
        {PRISM_SDP_FB_NACK_PLI, "nack pli"},
    };
    for (uint8_t i = 0; i < m->codec_count && i < PRISM_SDP_MAX_CODECS; i++) {
        const struct prism_sdp_codec *c = &m->codecs[i];
        if (c->name[0] && c->channels)
            line(o, "a=rtpmap:%u %s/%" PRIu32 "/%u", c->pt, c->name, c->clock_rate, c->channels);
        else if (c->name[0])
            line(o, "a=rtpmap:%u %s/%" PRIu32, c->pt, c->name, c->clock_rate);
        for (size_t f = 0; f < sizeof(feedback) / sizeof(feedback[0]); f++) {
            if (c->feedback & feedback[f].bit)
                line(o, "a=rtcp-fb:%u %s", c->pt, feedback[f].text);
        }
        if (c->fmtp[0])
            line(o, "a=fmtp:%u %s", c->pt, c->fmtp);
    }
}

static void write_simulcast_list(char *text, size_t size, const char *direction,
                                 const struct prism_sdp_simulcast_list *list)
{
    size_t used = strlen(text);
    used += (size_t)snprintf(text + used, size - used, "%s%s ", used ? " " : "", direction);
    for (uint8_t s = 0; s < list->count && s < PRISM_SDP_MAX_SIMULCAST_STREAMS; s++) {
        const struct prism_sdp_simulcast_stream *stream = &list->streams[s];
        for (uint8_t a = 0; a < stream->count && a < PRISM_SDP_MAX_SIMULCAST_ALTERNATIVES; a++) {
            used += (size_t)snprintf(text + used, size - used, "%s%s%s", a ? "," : (s ? ";" : ""),
                                     stream->alternatives[a].paused ? "~" : "",
                                     stream->alternatives[a].rid);
        }
    }
}

static void write_streams(struct out *o, const struct prism_sdp_media *m)
{
    for (uint8_t i = 0; i < m->rid_count && i < PRISM_SDP_MAX_RIDS; i++) {
        const struct prism_sdp_rid *r = &m->rids[i];
        line(o, "a=rid:%s %s%s%s", r->id, r->send ? "send" : "recv", r->restrictions[0] ? " " : "",
             r->restrictions);
    }
    if (m->simulcast_send.count || m->simulcast_recv.count) {
        char text[1024] = "";
        if (m->simulcast_send.count)
            write_simulcast_list(text, sizeof(text), "send", &m->simulcast_send);
        if (m->simulcast_recv.count)
            write_simulcast_list(text, sizeof(text), "recv", &m->simulcast_recv);
        line(o, "a=simulcast:%s", text);
    }
    for (uint8_t i = 0; i < m->ssrc_group_count && i < PRISM_SDP_MAX_SSRC_GROUPS; i++) {
        const struct prism_sdp_ssrc_group *g = &m->ssrc_groups[i];
        char ssrcs[PRISM_SDP_MAX_GROUP_SSRCS * 11 + 1] = "";
        size_t used = 0;
        for (uint8_t s = 0; s < g->count && s < PRISM_SDP_MAX_GROUP_SSRCS; s++)
            used += (size_t)snprintf(ssrcs + used, sizeof(ssrcs) - used, " %" PRIu32, g->ssrcs[s]);
        line(o, "a=ssrc-group:%s%s", g->semantics, ssrcs);
    }
    for (uint8_t i = 0; i < m->ssrc_count && i < PRISM_SDP_MAX_SSRCS; i++) {
        const struct prism_sdp_ssrc *s = &m->ssrcs[i];
        if (s->cname[0])
            line(o, "a=ssrc:%" PRIu32 " cname:%s", s->ssrc, s->cname);
        if (s->stream_id[0])
            line(o, "a=ssrc:%" PRIu32 " msid:%s%s%s", s->ssrc, s->stream_id,
                 s->track_id[0] ? " " : "", s->track_id);
    }
}

/* a=sctp-port, or the legacy a=sctpmap whose port the m= line already carries as its format. */
static void write_sctp(struct out *o, const struct prism_sdp_media *m)
{
    if (!m->sctpmap) {
        if (m->sctp_port)
            line(o, "a=sctp-port:%u", m->sctp_port);
        return;
    }
    if (!m->sctp_port || !m->sctpmap_protocol[0])
        o->error = o->error ? o->error : -EINVAL;
    if (m->sctpmap_streams)
        line(o, "a=sctpmap:%u %s %u", m->sctp_port, m->sctpmap_protocol, m->sctpmap_streams);
    else
        line(o, "a=sctpmap:%u %s", m->sctp_port, m->sctpmap_protocol);
}

static void write_media(struct out *o, const struct prism_sdp *sdp, const struct prism_sdp_media *m)
{
    write_media_line(o, m);
    for (uint8_t i = 0; i < m->candidate_count && i < PRISM_SDP_MAX_CANDIDATES; i++) {
        char cand[256];
        int n = prism_sdp_candidate_write(&m->candidates[i], cand, sizeof(cand));
        if (n < 0)
            o->error = o->error ? o->error : -EINVAL;
        else
            line(o, "a=%s", cand);
    }
    if (m->end_of_candidates)
        line(o, "a=end-of-candidates");
    write_transport(o, &m->transport, &sdp->transport);
    if (m->mid[0])
        line(o, "a=mid:%s", m->mid);
    if (m->bundle_only)
        line(o, "a=bundle-only");
    for (uint8_t i = 0; i < m->extmap_count && i < PRISM_SDP_MAX_EXTMAPS; i++) {
        const struct prism_sdp_extmap *e = &m->extmaps[i];
        line(o, "a=extmap:%u%s%s %s", e->id, e->has_direction ? "/" : "",
             e->has_direction ? sdp_direction_name(e->direction) : "", e->uri);
    }
    if (m->extmap_allow_mixed && !sdp->extmap_allow_mixed)
        line(o, "a=extmap-allow-mixed");
    if (strstr(m->proto, "RTP/")) /* data channels have no direction */
        line(o, "a=%s", sdp_direction_name(m->direction));
    if (m->has_msid)
        line(o, "a=msid:%s%s%s", m->stream_id, m->track_id[0] ? " " : "", m->track_id);
    if (m->rtcp_mux)
        line(o, "a=rtcp-mux");
    if (m->rtcp_rsize)
        line(o, "a=rtcp-rsize");
    write_codecs(o, m);
    write_streams(o, m);
    write_sctp(o, m);
    if (m->max_message_size)
        line(o, "a=max-message-size:%" PRIu64, m->max_message_size);
}

static int write_all(const struct prism_sdp *sdp, struct out *o)
{
    if (sdp->media_count > PRISM_SDP_MAX_MEDIA)
        return -EINVAL;
    write_session(o, sdp);
    for (unsigned i = 0; i < sdp->media_count; i++)
        write_media(o, sdp, &sdp->media[i]);
    return o->error;
}

int prism_sdp_write(const struct prism_sdp *sdp, char *buf, size_t size, size_t *length)
{
    if (!sdp || !buf || size == 0)
        return -EINVAL;
    struct out o = {buf, size, 0, 0};
    int rc = write_all(sdp, &o);
    if (rc < 0)
        return rc;
    if (o.used >= size)
        return -ENOSPC;
    buf[o.used] = '\0';
    if (length)
        *length = o.used;
    return 0;
}

int prism_sdp_write_alloc(const struct prism_sdp *sdp, char **text, size_t *length)
{
    if (!sdp || !text)
        return -EINVAL;
    struct out measure = {NULL, 0, 0, 0};
    int rc = write_all(sdp, &measure);
    if (rc < 0)
        return rc;
    char *buf = malloc(measure.used + 1);
    if (!buf)
        return -ENOMEM;
    rc = prism_sdp_write(sdp, buf, measure.used + 1, length);
    if (rc < 0) {
        free(buf);
        return rc;
    }
    *text = buf;
    return 0;
}
