/* The ICE-lite engine's life cycle and its one entry point for received datagrams: classify by
 * first byte (RFC 7983), then STUN goes to the STUN path and everything else is routed by its
 * source address. */
#include "media/icelite/internal.h"

#include <errno.h>
#include <string.h>

/* Comprehension-required attributes a Binding request may carry (RFC 8445 section 7.1,
 * RFC 5389 section 15); any other one below 0x8000 is answered with 420. Optional ones
 * (FINGERPRINT, ICE-CONTROLLED/-CONTROLLING, SOFTWARE, NOMINATION, vendor attributes) are
 * not checked by libnice. Zero-terminated, as stun_agent_init wants. */
static const uint16_t known_attributes[] = {
    STUN_ATTRIBUTE_USERNAME, STUN_ATTRIBUTE_MESSAGE_INTEGRITY, STUN_ATTRIBUTE_PRIORITY,
    STUN_ATTRIBUTE_USE_CANDIDATE, 0};

int prism_icelite_create(struct prism_icelite **out, const struct prism_icelite_config *config)
{
    struct prism_icelite_config defaults = {0};
    if (!out)
        return -EINVAL;
    if (!config)
        config = &defaults;
    if (config->max_addresses_per_peer == 1)
        return -EINVAL;
    struct prism_icelite *engine = g_new0(struct prism_icelite, 1);
    engine->consent_timeout_us = config->consent_timeout_us
                                     ? config->consent_timeout_us
                                     : PRISM_ICELITE_DEFAULT_CONSENT_TIMEOUT_US;
    engine->max_addresses = config->max_addresses_per_peer ? config->max_addresses_per_peer
                                                           : PRISM_ICELITE_DEFAULT_MAX_ADDRESSES;
    stun_agent_init(&engine->agent, known_attributes, STUN_COMPATIBILITY_RFC5389,
                    STUN_AGENT_USAGE_SHORT_TERM_CREDENTIALS | STUN_AGENT_USAGE_USE_FINGERPRINT);
    icelite_registry_init(engine);
    icelite_addresses_init(engine);
    icelite_events_init(engine);
    *out = engine;
    return 0;
}

void prism_icelite_destroy(struct prism_icelite *engine)
{
    if (!engine)
        return;
    icelite_registry_free(engine); /* frees every address too */
    g_hash_table_destroy(engine->by_address);
    g_array_free(engine->events, TRUE);
    g_free(engine);
}

/* DTLS, RTP and RTCP go to the owner of their source address; nothing else is for a peer. */
static void route_media(struct prism_icelite *engine, const struct icelite_endpoint *from,
                        struct prism_icelite_output *out)
{
    bool routable = out->kind == PRISM_DEMUX_DTLS || out->kind == PRISM_DEMUX_RTP ||
                    out->kind == PRISM_DEMUX_RTCP;
    struct icelite_address *address = routable ? icelite_address_find(engine, from) : NULL;
    if (!address) {
        engine->stats.media_unknown++;
        return;
    }
    engine->stats.media_routed++;
    out->verdict = PRISM_ICELITE_MEDIA;
    out->owner = address->peer->owner;
}

void prism_icelite_receive(struct prism_icelite *engine, const uint8_t *data, size_t len,
                           const struct sockaddr *from, socklen_t from_len, uint64_t now_us,
                           struct prism_icelite_output *out)
{
    if (!engine || !out)
        return;
    out->reply_len = 0;
    out->verdict = PRISM_ICELITE_DROP;
    out->owner = NULL;
    out->kind = prism_demux_classify(data, len);
    struct icelite_endpoint source;
    if (!icelite_endpoint_from_sockaddr(from, from_len, &source)) {
        engine->stats.bad_source++;
        return;
    }
    if (out->kind == PRISM_DEMUX_STUN)
        icelite_stun_receive(engine, data, len, &source, now_us, out);
    else
        route_media(engine, &source, out);
}

void prism_icelite_get_stats(const struct prism_icelite *engine, struct prism_icelite_stats *out)
{
    if (engine && out)
        *out = engine->stats;
}
