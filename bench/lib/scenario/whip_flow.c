/* The HTTP roles of a broadcast: a WHIP publisher (--ingest whip) and WHEP viewers (--viewers
 * whep), each a PeerConnection that makes the offer (as OBS or a WHEP player does) and a
 * bench_whip_client for the POST, trickle PATCHes and the final DELETE. No Janus API
 * connection: the server's WHIP/WHEP endpoints put the publisher into the room and the viewers
 * onto the room's publisher or the mountpoint. */
#include "bench/lib/scenario/participant.h"

#include "bench/lib/whip/client.h"

#include <glib.h>

bool participant_uses_whip(const struct bench_participant *participant)
{
    const struct bench_options *options = participant->scenario->options;
    return (participant->role == BENCH_ROLE_BROADCASTER && options->ingest == BENCH_INGEST_WHIP) ||
           (participant->role == BENCH_ROLE_VIEWER && options->viewers == BENCH_VIEWERS_WHEP);
}

/* .../whip/endpoint/{room}, .../whep/endpoint/{room} or .../whep/mountpoint/{id}. */
static char *endpoint_url(const struct bench_participant *participant)
{
    const struct bench_scenario *scenario = participant->scenario;
    if (participant->role == BENCH_ROLE_BROADCASTER)
        return g_strdup_printf("%s/whip/endpoint/%" G_GUINT64_FORMAT "?display=bench-%u",
                               scenario->http_base, scenario->room_id, participant->index);
    if (scenario->options->ingest == BENCH_INGEST_RTP)
        return g_strdup_printf("%s/whep/mountpoint/%" G_GUINT64_FORMAT, scenario->http_base,
                               scenario->mountpoint_id);
    return g_strdup_printf("%s/whep/endpoint/%" G_GUINT64_FORMAT, scenario->http_base,
                           scenario->room_id);
}

static struct bench_endpoint *whip_endpoint(struct bench_participant *participant)
{
    return participant->role == BENCH_ROLE_BROADCASTER ? participant->main_endpoint
                                                       : participant->sub_endpoint;
}

static void answered_cb(void *owner, const char *answer, const char *error)
{
    struct bench_participant *participant = owner;
    if (!answer) {
        participant_fail(participant, error);
        return;
    }
    if (bench_endpoint_apply_answer(whip_endpoint(participant), answer) < 0)
        participant_fail(participant, "the WHIP/WHEP answer is unusable");
}

void participant_start_whip(struct bench_participant *participant)
{
    bool publisher = participant->role == BENCH_ROLE_BROADCASTER;
    /* Viewers: a few measure keyframe delay, as the Janus API subscribers do. */
    struct bench_endpoint **endpoint = publisher ? &participant->main_endpoint
                                                 : &participant->sub_endpoint;
    char *sdp = NULL;
    if (participant_create_endpoint(participant, true, !publisher,
                                    !publisher && participant->index < 2, endpoint) < 0 ||
        bench_endpoint_offer(*endpoint, publisher ? PRISM_SDP_SENDONLY : PRISM_SDP_RECVONLY, false,
                             &sdp) < 0) {
        participant_fail(participant, "cannot make a WHIP/WHEP offer");
        return;
    }
    char *url = endpoint_url(participant);
    participant->whip = bench_whip_client_new(participant->worker, url,
                                              participant->scenario->options->token, participant);
    g_free(url);
    if (bench_whip_client_post(participant->whip, sdp, answered_cb) < 0)
        participant_fail(participant, "cannot send the WHIP/WHEP POST");
    g_free(sdp);
}

void participant_whip_candidate(struct bench_participant *participant, const char *candidate)
{
    bench_whip_client_candidate(participant->whip, candidate);
}

void participant_close_whip(struct bench_participant *participant, void (*done)(void *participant))
{
    struct bench_whip_client *client = participant->whip;
    participant->whip = NULL;
    bench_whip_client_close(client, done);
}
