/* A handle's PeerConnection events for the webhook (see media/peer/handle_events.h). */
#include "media/peer/handle_events.h"

#include "core/events.h"
#include "core/session.h"
#include "media/peer/peer.h"

static uint64_t stats_period_us;

void handle_events_set_stats_period(uint64_t period_us)
{
    stats_period_us = period_us;
}

uint64_t handle_events_stats_period(void)
{
    return stats_period_us;
}

static void emit(struct prism_handle *handle, enum prism_event_type type, json_t *body)
{
    prism_events_handle_body(type, prism_handle_session_id(handle), prism_handle_id(handle),
                             prism_handle_opaque_id(handle), body);
}

void handle_events_connection(struct prism_handle *handle, const char *state, const char *reason)
{
    if (!prism_events_wanted(PRISM_EVENT_WEBRTC))
        return;
    json_t *body = json_pack("{s:s}", "connection", state);
    if (reason)
        json_object_set_new(body, "reason", json_string(reason));
    emit(handle, PRISM_EVENT_WEBRTC, body);
}

void handle_events_media(struct prism_handle *handle, const char *mid, bool video, bool receiving)
{
    if (!prism_events_wanted(PRISM_EVENT_MEDIA))
        return;
    emit(handle, PRISM_EVENT_MEDIA,
         json_pack("{s:s, s:s, s:b}", "mid", mid, "media", video ? "video" : "audio", "receiving",
                   receiving));
}

void handle_events_slowlink(struct prism_handle *handle, const char *mid, bool video, bool uplink,
                            unsigned lost)
{
    if (!prism_events_wanted(PRISM_EVENT_MEDIA))
        return;
    emit(handle, PRISM_EVENT_MEDIA,
         json_pack("{s:s, s:s, s:s, s:i}", "mid", mid, "media", video ? "video" : "audio",
                   "slow_link", uplink ? "uplink" : "downlink", "lost_lastsec", (int)lost));
}

void handle_events_jsep(struct prism_handle *handle, const char *owner, const char *type,
                        const char *sdp)
{
    if (!prism_events_wanted(PRISM_EVENT_JSEP))
        return;
    prism_events_jsep(prism_handle_session_id(handle), prism_handle_id(handle),
                      prism_handle_opaque_id(handle), owner, type, sdp);
}

static json_t *describe_media(const struct prism_peer *peer)
{
    json_t *list = json_array();
    unsigned count = prism_peer_media_count(peer);
    for (unsigned i = 0; i < count; i++) {
        struct prism_peer_media_info info;
        if (prism_peer_media_info(peer, i, &info) < 0 || !info.active)
            continue;
        const char *kind = info.kind == PRISM_SDP_MEDIA_VIDEO   ? "video"
                           : info.kind == PRISM_SDP_MEDIA_AUDIO ? "audio"
                                                                : "data";
        json_t *entry = json_pack("{s:s, s:i, s:s}", "mid", info.mid ? info.mid : "", "mindex",
                                  (int)i, "media", kind);
        if (info.kind != PRISM_SDP_MEDIA_APPLICATION && info.codec.name[0])
            json_object_set_new(entry, "codec", json_string(info.codec.name));
        json_array_append_new(list, entry);
    }
    return list;
}

/* The counters are the PeerConnection's (all its m-lines together); the field names are those
 * of Janus's media statistics events. */
void handle_events_stats(struct prism_handle *handle, const struct prism_peer *peer)
{
    if (!prism_events_wanted(PRISM_EVENT_MEDIA))
        return;
    struct prism_peer_stats stats;
    prism_peer_get_stats(peer, &stats);
    json_t *body = json_pack(
        "{s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "medias",
        describe_media(peer), "rtt", (json_int_t)stats.rtt_ms, "lost",
        (json_int_t)stats.lost_packets, "jitter-local", (json_int_t)stats.jitter_ms,
        "packets-received", (json_int_t)stats.rtp_packets_in, "bytes-received",
        (json_int_t)stats.rtp_bytes_in, "packets-sent", (json_int_t)stats.rtp_packets_out,
        "bytes-sent", (json_int_t)stats.rtp_bytes_out, "nacks-received", (json_int_t)stats.nacks_in,
        "nacks-sent", (json_int_t)stats.nacks_out, "retransmissions-sent",
        (json_int_t)stats.retransmissions_out, "srtp-errors", (json_int_t)stats.srtp_errors);
    emit(handle, PRISM_EVENT_MEDIA, body);
}
