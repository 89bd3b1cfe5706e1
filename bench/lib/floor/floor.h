/* `prism-bench floor`: this machine's per-packet floor for forwarding, the parts no SFU can
 * avoid: SRTP protect of a video-sized packet with each profile Prism negotiates, and a UDP
 * send on loopback with sendto and with sendmmsg. Results let forwarding figures be quoted as
 * a fraction of the physical limit. */
#ifndef PRISM_BENCH_FLOOR_FLOOR_H
#define PRISM_BENCH_FLOOR_FLOOR_H

#include <stdio.h>
#include <stddef.h>

struct bench_floor_item {
    char name[48];        /* "srtp AEAD_AES_128_GCM", "udp sendto", "udp sendmmsg x32" ... */
    double ns_per_packet; /* CPU time (thread) per packet */
    double packets_per_s; /* 1e9 / ns_per_packet: one core's limit */
};

struct bench_floor {
    size_t packet_size; /* bytes of RTP per packet (default 1200) */
    struct bench_floor_item items[12];
    size_t count;
    /* protect with the fastest profile + sendto: the floor a forwarded packet costs. */
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
