/* One timer per PeerConnection, armed for the earliest of its deadlines: DTLS
 * retransmission, the next RTCP report, loss recovery, transport-wide CC feedback and the media
 * activity check. On a
 * worker it lives in the loop's timer heap; without a loop (tests that drive a bare
 * GMainContext) it is a GSource with a ready time. */
#include "media/peer/peer_internal.h"

#include "core/ids.h"

#define ACTIVITY_CHECK_US 250000u

static void handle_dtls_timeout(struct prism_peer *peer, uint64_t now)
{
    if (!peer->dtls || prism_dtls_next_timeout(peer->dtls) > now)
        return;
    prism_dtls_handle_timeout(peer->dtls, now);
    peer_flush_dtls(peer);
    if (prism_dtls_state(peer->dtls) == PRISM_DTLS_STATE_FAILED)
        peer_close(peer, prism_dtls_failure_reason(peer->dtls));
}

static void run_due(struct prism_peer *peer, uint64_t now)
{
    if (!peer->closed) {
        handle_dtls_timeout(peer, now);
        if (peer->connected && now >= peer->next_rtcp_us) {
            peer_send_reports(peer, now);
            peer->next_rtcp_us = now + PEER_RTCP_INTERVAL_US;
        }
        if (peer->connected) {
            peer_recovery_poll(peer, now);
            peer_congestion_poll(peer, now);
        }
        peer_media_check_activity(peer, now);
    }
    peer_timer_rearm(peer);
}

static void loop_timer_cb(struct prism_timer *timer, uint64_t now_us, void *data)
{
    run_due(data, now_us);
}

static gboolean source_dispatch(GSource *source, GSourceFunc callback, gpointer user_data)
{
    return callback(user_data);
}

static GSourceFuncs source_funcs = {
    .dispatch = source_dispatch,
};

static gboolean source_cb(gpointer data)
{
    run_due(data, prism_now_us());
    return G_SOURCE_CONTINUE;
}

uint64_t peer_now(const struct prism_peer *peer)
{
    return peer->loop ? prism_loop_now_us(peer->loop) : prism_now_us();
}

static void arm(struct prism_peer *peer, uint64_t deadline)
{
    if (!peer->timer_running)
        return;
    if (peer->loop)
        prism_loop_timer_arm(peer->loop, &peer->timer, deadline);
    else if (peer->timer_source)
        /* GLib and prism_now_us both count microseconds of CLOCK_MONOTONIC. */
        g_source_set_ready_time(peer->timer_source, (gint64)deadline);
}

void peer_timer_start(struct prism_peer *peer)
{
    prism_timer_init(&peer->timer, loop_timer_cb, peer);
    peer->timer_running = true;
    if (!peer->loop) {
        peer->timer_source = g_source_new(&source_funcs, sizeof(GSource));
        g_source_set_callback(peer->timer_source, source_cb, peer, NULL);
        g_source_attach(peer->timer_source, peer->context);
    }
    arm(peer, peer_now(peer) + ACTIVITY_CHECK_US);
}

void peer_timer_stop(struct prism_peer *peer)
{
    peer->timer_running = false;
    if (peer->loop) {
        prism_loop_timer_cancel(peer->loop, &peer->timer);
        return;
    }
    if (!peer->timer_source)
        return;
    g_source_destroy(peer->timer_source);
    g_source_unref(peer->timer_source);
    peer->timer_source = NULL;
}

void peer_timer_rearm(struct prism_peer *peer)
{
    uint64_t next = peer_now(peer) + ACTIVITY_CHECK_US;
    if (peer->connected && peer->next_rtcp_us < next)
        next = peer->next_rtcp_us;
    if (peer->connected) {
        uint64_t recovery = peer_recovery_next_deadline(peer);
        if (recovery < next)
            next = recovery;
        uint64_t congestion = peer_congestion_next_deadline(peer);
        if (congestion < next)
            next = congestion;
    }
    if (peer->dtls && !peer->closed) {
        uint64_t dtls = prism_dtls_next_timeout(peer->dtls);
        if (dtls < next)
            next = dtls;
    }
    arm(peer, next);
}
