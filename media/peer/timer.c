/* One timer per PeerConnection, armed for the earliest of its deadlines: DTLS
 * retransmission, the next RTCP report and the media activity check. */
#include "media/peer/peer_internal.h"

#include "core/ids.h"

#define ACTIVITY_CHECK_US 250000u

static gboolean timer_dispatch(GSource *source, GSourceFunc callback, gpointer user_data)
{
    return callback(user_data);
}

static GSourceFuncs timer_funcs = {
    .dispatch = timer_dispatch,
};

static void handle_dtls_timeout(struct prism_peer *peer, uint64_t now)
{
    if (!peer->dtls || prism_dtls_next_timeout(peer->dtls) > now)
        return;
    prism_dtls_handle_timeout(peer->dtls, now);
    peer_flush_dtls(peer);
    if (prism_dtls_state(peer->dtls) == PRISM_DTLS_STATE_FAILED)
        peer_close(peer, prism_dtls_failure_reason(peer->dtls));
}

static gboolean timer_cb(gpointer data)
{
    struct prism_peer *peer = data;
    uint64_t now = prism_now_us();
    if (!peer->closed) {
        handle_dtls_timeout(peer, now);
        if (peer->connected && now >= peer->next_rtcp_us) {
            peer_send_reports(peer, now);
            peer->next_rtcp_us = now + PEER_RTCP_INTERVAL_US;
        }
        if (peer->connected)
            peer_recovery_poll(peer, now);
        peer_media_check_activity(peer, now);
    }
    peer_timer_rearm(peer);
    return G_SOURCE_CONTINUE;
}

void peer_timer_start(struct prism_peer *peer)
{
    peer->timer = g_source_new(&timer_funcs, sizeof(GSource));
    g_source_set_callback(peer->timer, timer_cb, peer, NULL);
    g_source_set_ready_time(peer->timer, (gint64)(prism_now_us() + ACTIVITY_CHECK_US));
    g_source_attach(peer->timer, peer->context);
}

void peer_timer_stop(struct prism_peer *peer)
{
    if (!peer->timer)
        return;
    g_source_destroy(peer->timer);
    g_source_unref(peer->timer);
    peer->timer = NULL;
}

void peer_timer_rearm(struct prism_peer *peer)
{
    if (!peer->timer)
        return;
    uint64_t next = prism_now_us() + ACTIVITY_CHECK_US;
    if (peer->connected && peer->next_rtcp_us < next)
        next = peer->next_rtcp_us;
    if (peer->connected) {
        uint64_t recovery = peer_recovery_next_deadline(peer);
        if (recovery < next)
            next = recovery;
    }
    if (peer->dtls && !peer->closed) {
        uint64_t dtls = prism_dtls_next_timeout(peer->dtls);
        if (dtls < next)
            next = dtls;
    }
    /* GLib and prism_now_us both count microseconds of CLOCK_MONOTONIC. */
    g_source_set_ready_time(peer->timer, (gint64)next);
}
