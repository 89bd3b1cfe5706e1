/* One PeerConnection of a simulated participant, in the role a browser plays: a publisher
 * (offers, ICE controlling, DTLS client, sends synthetic Opus + VP8), an echo caller (offers
 * sendrecv, sends and receives) or a subscriber (answers the server's offer and receives).
 * Everything received is measured into its worker's meter: packets, bytes, loss/reordering/
 * jitter per m-line from the clear RTP header of every packet, one-way latency from the send
 * stamp of the packets it decrypts (options->decrypt_every, decrypt_sampler.h), first media
 * (join time), and keyframe delay after the PLIs it sends. Worker thread only. */
#ifndef PRISM_BENCH_PEER_ENDPOINT_H
#define PRISM_BENCH_PEER_ENDPOINT_H

#include "bench/lib/peer/env.h"
#include "bench/lib/run/workers.h"
#include "bench/lib/scenario/options.h"

#include <stdbool.h>
#include <stdint.h>

struct bench_endpoint;

struct bench_endpoint_events {
    void (*connected_cb)(void *owner, struct bench_endpoint *endpoint);
    /* The PeerConnection ended by itself. Do not destroy the endpoint from here. */
    void (*closed_cb)(void *owner, struct bench_endpoint *endpoint, const char *reason);
    /* A local candidate to trickle, or NULL when gathering completed. */
    void (*candidate_cb)(void *owner, struct bench_endpoint *endpoint, const char *candidate);
    /* The first media packet arrived (after `started_us`: join time already recorded). */
    void (*first_media_cb)(void *owner, struct bench_endpoint *endpoint);
};

struct bench_endpoint_params {
    const struct bench_env *env;
    struct bench_worker *worker;
    const struct bench_options *options; /* media sizes and rates */
    const struct bench_endpoint_events *events;
    void *owner;
    uint32_t tag;        /* written into the stamps of what it sends */
    uint64_t started_us; /* when the participant started joining, for the join time */
    bool measure_join;   /* record start-to-first-media in the meter */
    bool send_plis;      /* ask for keyframes every options->pli_interval_s */
    bool offers;         /* we make the offer (ICE controlling); else we answer the server's */
};

int bench_endpoint_create(struct bench_endpoint **out, const struct bench_endpoint_params *params);
/* Folds its statistics into the meter and closes the PeerConnection. Not from its callbacks. */
void bench_endpoint_destroy(struct bench_endpoint *endpoint);

/* Our offer: audio and/or video (options) with `direction`, plus a data channel if asked. */
int bench_endpoint_offer(struct bench_endpoint *endpoint, enum prism_sdp_direction direction,
                         bool data_channel, char **sdp_out);
int bench_endpoint_apply_answer(struct bench_endpoint *endpoint, const char *sdp);
/* Applies the server's offer (first or renegotiated) and answers receive-only. */
int bench_endpoint_answer(struct bench_endpoint *endpoint, const char *offer, char **sdp_out);
int bench_endpoint_add_candidate(struct bench_endpoint *endpoint, const char *candidate);

/* The media tick: sends what is due and the periodic PLI. */
void bench_endpoint_tick(struct bench_endpoint *endpoint, uint64_t now_us);
/* Restarts the stream statistics (measured interval). */
void bench_endpoint_reset_interval(struct bench_endpoint *endpoint);
/* Adds the live stream statistics to a meter. */
void bench_endpoint_collect(const struct bench_endpoint *endpoint, struct bench_meter *into);

bool bench_endpoint_connected(const struct bench_endpoint *endpoint);

/* Simulcast (options->simulcast): a publisher sends BENCH_SIMULCAST_LAYERS layers on its video
 * m-line, layer 0 the lowest, each with its own SSRC, rid (l, m, h) and keyframe width. */
#define BENCH_SIMULCAST_LAYERS 3
uint16_t bench_endpoint_layer_width(unsigned layer);

/* A subscriber asked the server (configure) for the layer of this keyframe width on its video
 * streams at now_us: each stream not at that width waits for its first keyframe of that width,
 * recorded as the switch's keyframe delay; from then on keyframes of another width count as
 * arriving at another layer. */
void bench_endpoint_ask_layer(struct bench_endpoint *endpoint, uint16_t width, uint64_t now_us);

#endif
