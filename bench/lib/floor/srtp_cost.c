/* The SRTP share of the floor: CPU per protect with Prism's own SRTP layer, one profile at a
 * time, on a packet rewritten before each protect as a forwarder rewrites it. */
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

/* A session keyed with fixed bytes: the cipher's cost does not depend on the key. */
static int open_session(enum prism_srtp_profile profile, struct prism_srtp **out)
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
    return prism_srtp_new(out, &keys, NULL);
}

/* Rewrites the sequence number and protects, PROTECTS_PER_ROUND times. The payload is
 * whatever the previous protect left: the cost of a cipher does not depend on the bytes. */
static int protect_round(struct prism_srtp *srtp, uint8_t *packet, size_t size, uint16_t *seq)
{
    for (int i = 0; i < PROTECTS_PER_ROUND; i++) {
        packet[2] = (uint8_t)(*seq >> 8);
        packet[3] = (uint8_t)*seq;
        (*seq)++;
        size_t out_len;
        if (prism_srtp_protect_rtp(srtp, packet, size, size + PRISM_SRTP_MAX_RTP_OVERHEAD,
                                   &out_len) != PRISM_SRTP_OK)
            return -EIO;
    }
    return 0;
}

int bench_floor_srtp_cost(enum prism_srtp_profile profile, size_t packet_size, double seconds,
                          double *ns_per_packet)
{
    struct prism_srtp *srtp = NULL;
    int rc = open_session(profile, &srtp);
    if (rc < 0)
        return rc;
    uint8_t *packet = malloc(packet_size + PRISM_SRTP_MAX_RTP_OVERHEAD);
    if (!packet) {
        rc = -ENOMEM;
        goto out;
    }
    bench_floor_fill_rtp(packet, packet_size, 0);
    uint16_t seq = 0;
    /* One untimed round: libsrtp creates the stream for the SSRC on its first packet. */
    rc = protect_round(srtp, packet, packet_size, &seq);
    uint64_t deadline = bench_floor_wall_ns() + (uint64_t)(seconds * 1e9);
    uint64_t cpu_ns = 0, packets = 0;
    while (rc == 0 && (cpu_ns == 0 || bench_floor_wall_ns() < deadline)) {
        uint64_t start = bench_floor_thread_ns();
        rc = protect_round(srtp, packet, packet_size, &seq);
        cpu_ns += bench_floor_thread_ns() - start;
        packets += PROTECTS_PER_ROUND;
    }
    if (rc == 0)
        *ns_per_packet = (double)cpu_ns / (double)packets;
out:
    free(packet);
    prism_srtp_free(srtp);
    return rc;
}
