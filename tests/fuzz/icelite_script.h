/* The script that fuzz_icelite plays against an ICE-lite engine, shared with the unit test that
 * writes and checks its seed corpus (test_icelite_fuzz_seeds). Three peers are registered with
 * the credentials below; the input is first fed whole as one datagram (so a raw STUN message is
 * a seed too), then read as records:
 *
 *   op (1 byte) | length (2 bytes, big-endian) | datagram (length bytes, cut at the input's end)
 *
 *   op bits 0-1: the source address (two IPv4, one IPv6, one IPv4-mapped IPv6 = source 0)
 *   op bit 2:    virtual time moves 10 s on before the datagram
 *   op bit 3:    prism_icelite_timeout() runs before the datagram
 *   op bits 4-5: 1 = ICE restart of peer 0 (the two generations alternate), 2 = unregister peer
 *                1 and register it again, 3 = set peer 2's remote ufrag to "other"
 *
 * After every step the events are drained and the engine's promises checked; a broken promise
 * traps. */
#ifndef PRISM_TESTS_FUZZ_ICELITE_SCRIPT_H
#define PRISM_TESTS_FUZZ_ICELITE_SCRIPT_H

#include "media/icelite/icelite.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#define ICELITE_SCRIPT_PEERS 3
#define ICELITE_SCRIPT_STEP_US 10000000ull

struct icelite_script_credentials {
    const char *ufrag, *pwd, *remote;
};

/* Peers 0 to 2, then the second generation of peer 0 (after a restart). */
static const struct icelite_script_credentials icelite_script_credentials[] = {
    {"fuzzA", "fuzzpasswordAAAAAAAAAAAA", "remA"},
    {"fuzzB", "fuzzpasswordBBBBBBBBBBBB", "remB"},
    {"fuzzC", "fuzzpasswordCCCCCCCCCCCC", NULL},
    {"fuzzA2", "fuzzpasswordAAAAAAAAAAA2", "remA2"},
};

struct icelite_script {
    struct prism_icelite *engine;
    int owners[ICELITE_SCRIPT_PEERS];
    bool restarted;
    uint64_t now_us;
    struct sockaddr_storage sources[4];
    socklen_t source_lengths[4];
    bool selected[ICELITE_SCRIPT_PEERS]; /* what the events said so far */
    struct sockaddr_storage selected_address[ICELITE_SCRIPT_PEERS];
};

static inline void icelite_script_source(struct icelite_script *s, int i, int family,
                                         const char *ip, uint16_t port)
{
    memset(&s->sources[i], 0, sizeof(s->sources[i]));
    if (family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)&s->sources[i];
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        inet_pton(AF_INET, ip, &in->sin_addr);
        s->source_lengths[i] = sizeof(*in);
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&s->sources[i];
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        inet_pton(AF_INET6, ip, &in6->sin6_addr);
        s->source_lengths[i] = sizeof(*in6);
    }
}

static inline void icelite_script_register(struct icelite_script *s, int peer, int generation)
{
    const struct icelite_script_credentials *c = &icelite_script_credentials[generation];
    struct prism_icelite_credentials credentials = {c->ufrag, c->pwd, c->remote};
    if (prism_icelite_register(s->engine, &s->owners[peer], &credentials) != 0)
        __builtin_trap();
}

static inline bool icelite_script_start(struct icelite_script *s)
{
    memset(s, 0, sizeof(*s));
    if (prism_icelite_create(&s->engine, NULL) != 0)
        return false;
    for (int i = 0; i < ICELITE_SCRIPT_PEERS; i++)
        icelite_script_register(s, i, i);
    icelite_script_source(s, 0, AF_INET, "192.0.2.1", 5000);
    icelite_script_source(s, 1, AF_INET, "198.51.100.7", 6000);
    icelite_script_source(s, 2, AF_INET6, "2001:db8::5", 7000);
    icelite_script_source(s, 3, AF_INET6, "::ffff:192.0.2.1", 5000); /* = source 0 */
    return true;
}

static inline int icelite_script_peer_of(const struct icelite_script *s, const void *owner)
{
    for (int i = 0; i < ICELITE_SCRIPT_PEERS; i++)
        if (owner == &s->owners[i])
            return i;
    __builtin_trap(); /* an owner that was never registered */
}

/* The events, in order, are the whole story of each owner's selected address: after draining
 * them, the engine's answer must agree. */
static inline void icelite_script_drain(struct icelite_script *s)
{
    struct prism_icelite_event event;
    while (prism_icelite_poll_event(s->engine, &event)) {
        int peer = icelite_script_peer_of(s, event.owner);
        if (event.type == PRISM_ICELITE_EVENT_SELECTED) {
            s->selected[peer] = true;
            s->selected_address[peer] = event.address;
        } else if (event.type == PRISM_ICELITE_EVENT_EXPIRED) {
            s->selected[peer] = false;
        } else {
            __builtin_trap();
        }
    }
    for (int i = 0; i < ICELITE_SCRIPT_PEERS; i++) {
        struct sockaddr_storage address;
        socklen_t length;
        bool selected = prism_icelite_selected_address(s->engine, &s->owners[i], &address, &length);
        if (selected != s->selected[i] ||
            (selected && memcmp(&address, &s->selected_address[i], length) != 0))
            __builtin_trap();
    }
}

static inline void icelite_script_feed(struct icelite_script *s, const uint8_t *data, size_t len,
                                       int source)
{
    uint8_t reply[PRISM_ICELITE_REPLY_MAX];
    struct prism_icelite_output out = {.reply = reply, .reply_capacity = sizeof(reply)};
    prism_icelite_receive(s->engine, data, len, (const struct sockaddr *)&s->sources[source],
                          s->source_lengths[source], s->now_us, &out);
    if (out.reply_len > sizeof(reply) || (out.reply_len && out.verdict != PRISM_ICELITE_STUN))
        __builtin_trap();
    if (out.verdict == PRISM_ICELITE_MEDIA)
        (void)icelite_script_peer_of(s, out.owner);
    icelite_script_drain(s);
}

static inline void icelite_script_act(struct icelite_script *s, uint8_t op)
{
    if (op & 0x04)
        s->now_us += ICELITE_SCRIPT_STEP_US;
    if (op & 0x08) {
        prism_icelite_timeout(s->engine, s->now_us);
        if (prism_icelite_next_deadline(s->engine) <= s->now_us)
            __builtin_trap();
    }
    switch ((op >> 4) & 3) {
    case 1: {
        /* Back to the first generation is refused while it still answers as the previous one. */
        const struct icelite_script_credentials
            *c = &icelite_script_credentials[s->restarted ? 0 : 3];
        struct prism_icelite_credentials credentials = {c->ufrag, c->pwd, c->remote};
        int result = prism_icelite_register(s->engine, &s->owners[0], &credentials);
        if (result == 0)
            s->restarted = !s->restarted;
        else if (result != -EEXIST)
            __builtin_trap();
        break;
    }
    case 2:
        prism_icelite_unregister(s->engine, &s->owners[1]);
        s->selected[1] = false;
        icelite_script_register(s, 1, 1);
        break;
    case 3:
        prism_icelite_set_remote_ufrag(s->engine, &s->owners[2], "other");
        break;
    }
    icelite_script_drain(s);
}

/* Plays one input; returns the engine's counters at the end. */
static inline struct prism_icelite_stats icelite_script_play(const uint8_t *data, size_t size)
{
    struct icelite_script s;
    struct prism_icelite_stats stats = {0};
    if (!icelite_script_start(&s))
        __builtin_trap();
    icelite_script_feed(&s, data, size, 0);
    size_t pos = 0;
    while (pos + 3 <= size) {
        uint8_t op = data[pos];
        size_t len = (size_t)data[pos + 1] << 8 | data[pos + 2];
        pos += 3;
        if (len > size - pos)
            len = size - pos;
        icelite_script_act(&s, op);
        icelite_script_feed(&s, data + pos, len, op & 3);
        pos += len;
    }
    prism_icelite_get_stats(s.engine, &stats);
    prism_icelite_destroy(s.engine);
    return stats;
}

#endif
