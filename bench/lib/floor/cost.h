/* Internal to bench/lib/floor: the measured operations behind bench_floor_measure, each timed
 * in thread CPU time on the calling thread for about `seconds` of wall time. */
#ifndef PRISM_BENCH_FLOOR_COST_H
#define PRISM_BENCH_FLOOR_COST_H

#include "media/srtp/srtp.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Packets sent per sendmmsg call, and per drain of the receiver with sendto. */
#define BENCH_FLOOR_UDP_BATCH 32

/* CPU time consumed by the calling thread (CLOCK_THREAD_CPUTIME_ID), in ns. */
uint64_t bench_floor_thread_ns(void);
/* Monotonic wall time in ns, for budgets only. */
uint64_t bench_floor_wall_ns(void);

/* Writes an RTP header (version 2, PT 96, the given sequence number) and a payload pattern
 * into packet[0..size). size is at least 12. */
void bench_floor_fill_rtp(uint8_t *packet, size_t size, uint16_t seq);

/* ns of CPU per SRTP protect of a packet_size-byte RTP packet whose sequence number is
 * rewritten before each protect, as forwarding does, over `sessions` sessions (each with its
 * own key) taken round robin, as a forwarder protects one packet for each subscriber in turn.
 * Returns 0, -ENOTSUP when the profile is not built into libsrtp, -EINVAL (no sessions),
 * -ENOMEM or -EIO. */
int bench_floor_srtp_cost(enum prism_srtp_profile profile, size_t packet_size, size_t sessions,
                          double seconds, double *ns_per_packet);

/* ns of CPU per UDP datagram sent to a receiving socket on 127.0.0.1, with one sendto per
 * packet or sendmmsg batches of BENCH_FLOOR_UDP_BATCH. The receiver is drained outside the
 * timed part. Returns 0 or -errno (-EIO: nothing arrived). */
int bench_floor_udp_cost(size_t packet_size, double seconds, bool batched, double *ns_per_packet);

#endif
