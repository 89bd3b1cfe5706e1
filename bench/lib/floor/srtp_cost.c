/* The SRTP share of the floor: CPU per protect with Prism's own SRTP layer, one profile at a
 * time, on a packet rewritten before each protect as a forwarder rewrites it, over one or many
 * sessions taken round robin (a single hot key hides what many sessions cost). */
#include "bench/lib/floor/cost.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RTP_HEADER_LEN 12
/* Protects per timed round: enough to make clock reads negligible, few enough to stop close
 * to the budget. */
#define PROTECTS_PER_ROUND 256

uint64_t bench_floor_thread_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

uint64_t bench_floor_wall_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

void bench_floor_fill_rtp(uint8_t *packet, size_t size, uint16_t seq)
{
    static const uint8_t header[RTP_HEADER_LEN] = {0x80, 96,   0,    0,    0x00, 0x01,
                                                   0x5f, 0x90, 0x12, 0x34, 0x56, 0x78};
    memcpy(packet, header, RTP_HEADER_LEN);
    packet[2] = (uint8_t)(seq >> 8);
    packet[3] = (uint8_t)seq;
    for (size_t i = RTP_HEADER_LEN; i < size; i++)
        packet[i] = (uint8_t)(i * 31u);
}

/* Sessions protected round robin: one per simulated subscriber, each with its own key and its
 * own sequence numbers. */
struct session_ring {
    struct prism_srtp **sessions;
    uint16_t *seq; /* next sequence number of each session */
    size_t count;
    size_t next; /* the session the next protect goes to */
};

/* A session keyed from its index: every session has a key of its own, as every subscriber has,
 * so a crypto engine that caches per key shows what that costs. */
static int open_session(enum prism_srtp_profile profile, size_t index, struct prism_srtp **out)
{
    struct prism_srtp_keys keys;
    memset(&keys, 0, sizeof(keys));
    keys.profile = profile;
    int rc = prism_srtp_profile_lengths(profile, &keys.key_len, &keys.salt_len);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < keys.key_len; i++)
        keys.local_key[i] = keys.remote_key[i] = (uint8_t)(0xa0 + i);
    for (size_t i = 0; i < keys.salt_len; i++)
        keys.local_salt[i] = keys.remote_salt[i] = (uint8_t)(0x50 + i);
    /* The index in the first four bytes: no two sessions share a key. */
    for (size_t i = 0; i < sizeof(uint32_t); i++) {
        keys.local_key[i] ^= (uint8_t)(index >> (8 * i));
        keys.remote_key[i] = keys.local_key[i];
    }
    return prism_srtp_new(out, &keys, NULL);
}

static void close_ring(struct session_ring *ring)
{
    for (size_t i = 0; ring->sessions && i < ring->count; i++)
        prism_srtp_free(ring->sessions[i]);
    free(ring->sessions);
    free(ring->seq);
    memset(ring, 0, sizeof(*ring));
}

static int open_ring(struct session_ring *ring, enum prism_srtp_profile profile, size_t count)
{
    memset(ring, 0, sizeof(*ring));
    ring->sessions = calloc(count, sizeof(*ring->sessions));
    ring->seq = calloc(count, sizeof(*ring->seq));
    if (!ring->sessions || !ring->seq) {
        close_ring(ring);
        return -ENOMEM;
    }
    for (; ring->count < count; ring->count++) {
        int rc = open_session(profile, ring->count, &ring->sessions[ring->count]);
        if (rc < 0) {
            close_ring(ring);
            return rc;
        }
    }
    return 0;
}

/* Protects `protects` times, each time in the next session of the ring with that session's next
 * sequence number. The payload is whatever the previous protect left: the cost of a cipher does
 * not depend on the bytes. */
static int protect_round(struct session_ring *ring, uint8_t *packet, size_t size, size_t protects)
{
    for (size_t i = 0; i < protects; i++) {
        uint16_t seq = ring->seq[ring->next]++;
        packet[2] = (uint8_t)(seq >> 8);
        packet[3] = (uint8_t)seq;
        size_t out_len;
        if (prism_srtp_protect_rtp(ring->sessions[ring->next], packet, size,
                                   size + PRISM_SRTP_MAX_RTP_OVERHEAD, &out_len) != PRISM_SRTP_OK)
            return -EIO;
        ring->next = (ring->next + 1) % ring->count;
    }
    return 0;
}

int bench_floor_srtp_cost(enum prism_srtp_profile profile, size_t packet_size, size_t sessions,
                          double seconds, double *ns_per_packet)
{
    if (sessions == 0)
        return -EINVAL;
    struct session_ring ring;
    int rc = open_ring(&ring, profile, sessions);
    if (rc < 0)
        return rc;
    uint8_t *packet = malloc(packet_size + PRISM_SRTP_MAX_RTP_OVERHEAD);
    if (!packet) {
        rc = -ENOMEM;
        goto out;
    }
    bench_floor_fill_rtp(packet, packet_size, 0);
    /* One untimed pass over every session: libsrtp creates the stream for the SSRC on its first
     * packet. */
    rc = protect_round(&ring, packet, packet_size, sessions + PROTECTS_PER_ROUND);
    uint64_t deadline = bench_floor_wall_ns() + (uint64_t)(seconds * 1e9);
    uint64_t cpu_ns = 0, packets = 0;
    while (rc == 0 && (cpu_ns == 0 || bench_floor_wall_ns() < deadline)) {
        uint64_t start = bench_floor_thread_ns();
        rc = protect_round(&ring, packet, packet_size, PROTECTS_PER_ROUND);
        cpu_ns += bench_floor_thread_ns() - start;
        packets += PROTECTS_PER_ROUND;
    }
    if (rc == 0)
        *ns_per_packet = (double)cpu_ns / (double)packets;
out:
    free(packet);
    close_ring(&ring);
    return rc;
}
