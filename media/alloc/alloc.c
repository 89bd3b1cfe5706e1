/* Automatic simulcast layer choice for one subscriber: the highest layers whose summed bitrate
 * fits the bandwidth estimate with headroom, screen shares first, down at once and up only
 * after the estimate kept room for the next layer a while. The idea is LiveKit's and
 * mediasoup's (a per-subscriber allocation over the send-side estimate); Janus has none. */
#include "media/alloc/alloc.h"

#include <stdlib.h>
#include <string.h>

void prism_alloc_init(struct prism_alloc *alloc, const struct prism_alloc_config *config)
{
    memset(alloc, 0, sizeof(*alloc));
    if (config)
        alloc->config = *config;
    if (!alloc->config.headroom_percent || alloc->config.headroom_percent > 100)
        alloc->config.headroom_percent = PRISM_ALLOC_DEFAULT_HEADROOM_PERCENT;
    if (!alloc->config.up_hold_us)
        alloc->config.up_hold_us = PRISM_ALLOC_DEFAULT_UP_HOLD_US;
    alloc->probe_hold_us = alloc->config.up_hold_us;
}

void prism_alloc_clear(struct prism_alloc *alloc)
{
    free(alloc->streams);
    alloc->streams = NULL;
    alloc->stream_capacity = 0;
}

void prism_alloc_reset_stream(struct prism_alloc *alloc, unsigned i)
{
    if (i >= alloc->stream_capacity)
        return;
    alloc->streams[i].target = -1;
    alloc->streams[i].pending = -1;
    alloc->streams[i].pending_us = 0;
}

/* The lowest measured layer above `layer` (-1: the lowest of all), or -1. */
static int next_layer(const struct prism_alloc_stream *s, int layer)
{
    for (int l = layer + 1; l < PRISM_ALLOC_MAX_LAYERS; l++) {
        if (s->layer_bps[l])
            return l;
    }
    return -1;
}

static int best_layer(const struct prism_alloc_stream *s)
{
    for (int l = PRISM_ALLOC_MAX_LAYERS - 1; l >= 0; l--) {
        if (s->layer_bps[l])
            return l;
    }
    return -1;
}

static bool automatic(const struct prism_alloc_stream *s)
{
    return s->simulcast && s->manual < 0 && best_layer(s) >= 0;
}

/* What a stream the allocator does not choose for costs anyway. */
static uint64_t fixed_cost(const struct prism_alloc_stream *s)
{
    if (!s->simulcast)
        return s->layer_bps[0];
    if (s->manual >= 0 && s->manual < PRISM_ALLOC_MAX_LAYERS)
        return s->layer_bps[s->manual];
    return 0;
}

/* Raises the streams of one class (screen or not) a layer at a time, in turn, while the next
 * layer's extra bitrate fits the budget. */
static void raise_class(const struct prism_alloc_stream *streams, unsigned count, bool screen,
                        int *desired, int64_t *budget)
{
    bool progress = true;
    while (progress) {
        progress = false;
        for (unsigned i = 0; i < count; i++) {
            if (!automatic(&streams[i]) || streams[i].screen != screen)
                continue;
            int next = next_layer(&streams[i], desired[i]);
            if (next < 0)
                continue;
            int64_t extra = (int64_t)streams[i].layer_bps[next] -
                            (int64_t)streams[i].layer_bps[desired[i]];
            if (extra > *budget)
                continue;
            *budget -= extra;
            desired[i] = next;
            progress = true;
        }
    }
}

/* The layers that fit now (estimate_bps 0: no limit), without hysteresis; every automatic stream
 * gets at least its lowest layer (there is nothing lower to fall back to). */
static void fit_layers(uint64_t estimate_bps, unsigned headroom_percent, uint64_t audio_bps,
                       const struct prism_alloc_stream *streams, unsigned count, int *desired)
{
    /* No limit: a budget no layers reach. */
    int64_t budget = estimate_bps
                         ? (int64_t)(estimate_bps / 100u * headroom_percent) - (int64_t)audio_bps
                         : INT64_MAX / 2;
    for (unsigned i = 0; i < count; i++) {
        desired[i] = -1;
        budget -= (int64_t)fixed_cost(&streams[i]);
        if (!automatic(&streams[i]))
            continue;
        desired[i] = next_layer(&streams[i], -1);
        budget -= (int64_t)streams[i].layer_bps[desired[i]];
    }
    raise_class(streams, count, true, desired, &budget);
    raise_class(streams, count, false, desired, &budget);
}

/* What the subscriber gets now: audio, fixed costs and each automatic stream's layer. */
static uint64_t sent_bps(const struct prism_alloc *alloc, uint64_t audio_bps,
                         const struct prism_alloc_stream *streams, unsigned count)
{
    uint64_t sum = audio_bps;
    for (unsigned i = 0; i < count; i++) {
        sum += fixed_cost(&streams[i]);
        int target = alloc->streams[i].target;
        if (automatic(&streams[i]) && target >= 0 && target < PRISM_ALLOC_MAX_LAYERS)
            sum += streams[i].layer_bps[target];
    }
    return sum;
}

/* Congestion: the estimate does not cover what is sent (with the headroom), and it fell by 5 %
 * since the last tick or has not grown by 5 % in the 2 s it has been below (a start ramp grows
 * 8 % a second; an estimate sitting at its cap above what is sent jitters with what the
 * receiver acknowledged, which says nothing). */
static bool congested(struct prism_alloc *alloc, uint64_t estimate_bps, uint64_t last,
                      uint64_t sent, uint64_t now_us)
{
    if (estimate_bps / 100u * alloc->config.headroom_percent >= sent) {
        alloc->below_since_us = 0;
        return false;
    }
    if (last && estimate_bps < last / 100u * 95u)
        return true;
    if (!alloc->below_since_us || now_us < alloc->below_since_us) {
        alloc->below_since_us = now_us ? now_us : 1;
        alloc->below_from_bps = estimate_bps;
        return false;
    }
    if (now_us - alloc->below_since_us < PRISM_ALLOC_STALL_US)
        return false;
    bool stalled = estimate_bps < alloc->below_from_bps / 100u * 105u;
    alloc->below_since_us = now_us ? now_us : 1;
    alloc->below_from_bps = estimate_bps;
    return stalled;
}

/* Whether the estimate limits the layers at this tick (alloc.h). */
static void update_limiting(struct prism_alloc *alloc, uint64_t estimate_bps, uint64_t sent,
                            uint64_t now_us)
{
    uint64_t last = alloc->estimate_bps;
    alloc->estimate_bps = estimate_bps;
    if (!estimate_bps) {
        alloc->limiting = false;
        alloc->app_limited_since_us = 0;
        return;
    }
    if (congested(alloc, estimate_bps, last, sent, now_us)) {
        if (alloc->probe_at_us && now_us - alloc->probe_at_us < PRISM_ALLOC_PROBE_WINDOW_US) {
            alloc->probe_hold_us *= 2;
            if (alloc->probe_hold_us > PRISM_ALLOC_MAX_PROBE_HOLD_US)
                alloc->probe_hold_us = PRISM_ALLOC_MAX_PROBE_HOLD_US;
        }
        alloc->probe_at_us = 0;
        alloc->limiting = true;
    }
    if (alloc->probe_at_us && now_us - alloc->probe_at_us >= PRISM_ALLOC_PROBE_WINDOW_US) {
        alloc->probe_at_us = 0; /* it held: the link carries it */
        alloc->probe_hold_us = alloc->config.up_hold_us;
    }
    bool app_limited = estimate_bps / 100u >= sent / 100u * PRISM_ALLOC_APP_LIMITED_PERCENT / 100u;
    if (!alloc->limiting || !app_limited) {
        alloc->app_limited_since_us = 0;
        return;
    }
    if (!alloc->app_limited_since_us)
        alloc->app_limited_since_us = now_us ? now_us : 1;
    else if (now_us - alloc->app_limited_since_us >= alloc->probe_hold_us) {
        alloc->limiting = false;
        alloc->probe_at_us = now_us ? now_us : 1;
        alloc->app_limited_since_us = 0;
    }
}

/* Hysteresis of one stream: down at once, up one layer after the higher one kept fitting. */
static int settle(struct prism_alloc_stream_state *st, const struct prism_alloc_stream *s,
                  int desired, uint64_t hold_us, uint64_t now_us)
{
    if (st->target < 0 || desired <= st->target) {
        st->target = (int8_t)desired;
        st->pending = -1;
        return desired;
    }
    int next = next_layer(s, st->target);
    if (st->pending != next) {
        st->pending = (int8_t)next;
        st->pending_us = now_us;
    } else if (now_us >= st->pending_us && now_us - st->pending_us >= hold_us) {
        st->target = (int8_t)next;
        st->pending = -1;
    }
    return st->target;
}

/* alloc.h's wanted_bps: what the best layers need, when `desired` holds a stream below its best. */
static uint64_t wanted_bps(const struct prism_alloc *alloc, uint64_t audio_bps,
                           const struct prism_alloc_stream *streams, unsigned count,
                           const int *desired)
{
    bool below = false;
    uint64_t need = audio_bps;
    for (unsigned i = 0; i < count; i++) {
        need += fixed_cost(&streams[i]);
        if (!automatic(&streams[i]))
            continue;
        int best = best_layer(&streams[i]);
        if (best < 0)
            continue;
        need += streams[i].layer_bps[best];
        below |= desired[i] >= 0 && desired[i] < best;
    }
    return below ? need / alloc->config.headroom_percent * 100u : 0;
}

/* Makes room for the state of `count` streams; the count there is room for. */
static unsigned reserve_streams(struct prism_alloc *alloc, unsigned count)
{
    if (count <= alloc->stream_capacity)
        return count;
    struct prism_alloc_stream_state *grown = realloc(alloc->streams, count * sizeof(*grown));
    if (!grown)
        return alloc->stream_capacity;
    alloc->streams = grown;
    unsigned old = alloc->stream_capacity;
    alloc->stream_capacity = count;
    for (unsigned i = old; i < count; i++)
        prism_alloc_reset_stream(alloc, i);
    return count;
}

void prism_alloc_tick(struct prism_alloc *alloc, uint64_t estimate_bps, uint64_t audio_bps,
                      const struct prism_alloc_stream *streams, unsigned count, int *targets,
                      uint64_t now_us)
{
    if (count > PRISM_ALLOC_MAX_STREAMS)
        count = PRISM_ALLOC_MAX_STREAMS;
    unsigned asked = count;
    count = reserve_streams(alloc, count);
    for (unsigned i = count; i < asked; i++)
        targets[i] = -1; /* no memory for their state: left as they are */
    update_limiting(alloc, estimate_bps, sent_bps(alloc, audio_bps, streams, count), now_us);
    int desired[PRISM_ALLOC_MAX_STREAMS];
    fit_layers(alloc->limiting ? estimate_bps : 0, alloc->config.headroom_percent, audio_bps,
               streams, count, desired);
    alloc->wanted_bps = wanted_bps(alloc, audio_bps, streams, count, desired);
    for (unsigned i = 0; i < count; i++) {
        if (desired[i] < 0) {
            prism_alloc_reset_stream(alloc, i);
            targets[i] = -1;
        } else {
            targets[i] = settle(&alloc->streams[i], &streams[i], desired[i],
                                alloc->config.up_hold_us, now_us);
        }
    }
}
