/* `prism-bench floor`: this machine's per-packet floor for forwarding, the parts no SFU can
 * avoid: SRTP protect of a video-sized packet with each profile Prism negotiates, over 1, 100
 * and 1,000 sessions taken round robin (some crypto engines slow down as sessions add up), and
 * a UDP send on loopback with sendto and with sendmmsg. Results let forwarding figures be quoted
 * as a fraction of the physical limit. */
#ifndef PRISM_BENCH_FLOOR_FLOOR_H
#define PRISM_BENCH_FLOOR_FLOOR_H

#include <stdio.h>
#include <stddef.h>

/* SRTP sessions protected round robin for each profile; the last (largest) is the one the
 * forward floor uses, since a server holds many. */
#define BENCH_FLOOR_SESSION_STEPS 3
extern const unsigned bench_floor_session_counts[BENCH_FLOOR_SESSION_STEPS]; /* 1, 100, 1000 */

struct bench_floor_item {
    char name[48];        /* "srtp AEAD_AES_128_GCM", "udp sendto", "udp sendmmsg x32" ... */
    unsigned sessions;    /* SRTP: sessions protected round robin; 0 for the UDP items */
    double ns_per_packet; /* CPU time (thread) per packet */
    double packets_per_s; /* 1e9 / ns_per_packet: one core's limit */
};

struct bench_floor {
    size_t packet_size; /* bytes of RTP per packet (default 1200) */
    /* "libsrtp2 2.5.0 (OpenSSL, built from Debian's source package 2.5.0-3)" */
    char srtp_library[160];
    struct bench_floor_item items[16];
    size_t count;
    /* protect with the fastest profile over the most sessions + sendto: the floor a forwarded
     * packet costs on a server holding many sessions. */
    unsigned forward_floor_sessions;
    double forward_floor_ns;
    double forward_floor_pps;
};

/* Measures for about `seconds` in all (default 3), on the calling thread, to 127.0.0.1 only.
 * Returns 0 or -errno. */
int bench_floor_measure(struct bench_floor *floor, size_t packet_size, double seconds);
void bench_floor_print(FILE *out, const struct bench_floor *floor);
/* Writes the floor as JSON (with the machine description). Returns 0 or -errno. */
int bench_floor_write_json(const struct bench_floor *floor, const char *path);

#endif
