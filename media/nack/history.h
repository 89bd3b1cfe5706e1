/* Send-side retransmission history: the last N packets of one outgoing RTP stream, kept so
 * that NACKs from the receiver can be answered with plain retransmissions or RTX (RFC 4588).
 *
 * Sans-IO: the caller passes the current time (microseconds, any monotonic origin) and its
 * own output buffers; nothing here reads a clock, logs or touches a socket. */
#ifndef PRISM_MEDIA_NACK_HISTORY_H
#define PRISM_MEDIA_NACK_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "media/rtcp/feedback.h"

#define PRISM_NACK_HISTORY_DEFAULT_CAPACITY 512 /* packets; about 0.5 s of 4 Mbit/s video */
/* The ring starts this small and doubles (up to the capacity) only when it would overwrite a
 * packet younger than max_age: memory follows the stream's packet rate, not the worst case. */
#define PRISM_NACK_HISTORY_INITIAL_CAPACITY 64
#define PRISM_NACK_HISTORY_MAX_CAPACITY 32768 /* divides 65536, at most half of it */
#define PRISM_NACK_HISTORY_DEFAULT_SLOT 1500  /* bytes: a full Ethernet MTU */
#define PRISM_NACK_HISTORY_DEFAULT_MAX_AGE_US 1000000
#define PRISM_NACK_HISTORY_DEFAULT_MIN_RESEND_US 10000
#define PRISM_NACK_HISTORY_DEFAULT_MAX_PER_CALL 64
/* A NACK naming more lost packets than this is answered for its first ones only; the receiver
 * asks again for the rest. Bounds the work one hostile packet can cause. */
#define PRISM_NACK_HISTORY_MAX_SEQS_PER_NACK 512

/* RTX as negotiated (RFC 4588 section 8): its own SSRC and sequence space, and an RTX payload
 * type for each media payload type (a=fmtp:<rtx> apt=<media>). */
struct prism_nack_rtx_map {
    uint8_t media_payload_type;
    uint8_t rtx_payload_type;
};

struct prism_nack_rtx_config {
    uint32_t ssrc;
    uint16_t first_seq; /* the RTX stream's first sequence number (random, RFC 3550) */
    /* Packets whose payload type is not mapped are not resent: the receiver could not tell
     * their RTX payload type apart. At most 128 entries. */
    const struct prism_nack_rtx_map *map;
    size_t map_count;
};

struct prism_nack_history_config {
    uint32_t ssrc;       /* the stream's SSRC as sent (after rewrite); other packets refused */
    size_t capacity;     /* most packets kept: a power of two, 16..32768; 0 = default */
    size_t slot_size;    /* largest packet stored, 12..65535 bytes; 0 = default */
    uint64_t max_age_us; /* packets sent longer ago are not resent; 0 = default */
    uint64_t min_resend_interval_us; /* floor of the per-packet resend interval; 0 = default */
    size_t max_resends_per_call;     /* 0 = default */
    uint64_t max_bitrate_bps;        /* retransmission rate cap (token bucket); 0 = none */
    const struct prism_nack_rtx_config *rtx; /* NULL: plain retransmission (same SSRC/seq) */
};

/* A stored packet, as prism_nack_history_find() returns it. data points into the history and
 * stays valid until the next store. */
struct prism_nack_stored {
    const uint8_t *data;
    size_t len;
    uint64_t sent_us;
};

/* One caller-owned output buffer for a retransmission. cap must be at least
 * prism_nack_history_resend_size(); len is set to the bytes written. */
struct prism_nack_resend_buffer {
    uint8_t *data;
    size_t cap;
    size_t len;
};

/* What one call to prism_nack_history_resend() did with the sequence numbers it was given.
 * Every number ends up in exactly one field. */
struct prism_nack_resend_report {
    size_t sent;        /* written to a buffer (plain or RTX) */
    size_t unknown;     /* never stored, overwritten, or not sent yet */
    size_t too_old;     /* older than the age limit */
    size_t throttled;   /* this packet was resent less than max(RTT, floor) ago */
    size_t over_budget; /* cut by the per-call cap, the buffers given, or the bitrate cap */
    size_t unusable;    /* no RTX payload type for it, or it does not parse as RTP */
};

/* Lifetime counters of one history. */
struct prism_nack_history_stats {
    uint64_t stored;
    uint64_t refused; /* store() errors */
    uint64_t resent_packets;
    uint64_t resent_bytes;
};

/* One outgoing stream's history. Owned by the worker thread that sends the stream; not
 * thread-safe. Memory: capacity * slot_size bytes of packet storage plus 32 bytes of bookkeeping
 * per slot, all allocated by prism_nack_history_create(): 512 slots of 1500 bytes take about
 * 784 KB per video stream. Keep the capacity small for audio (e.g. 128 slots of 300 bytes). */
struct prism_nack_history;

/* Creates a history from cfg (which need not outlive the call). Returns 0 and *out, -EINVAL for
 * a bad configuration or -ENOMEM. */
int prism_nack_history_create(const struct prism_nack_history_config *cfg,
                              struct prism_nack_history **out);

void prism_nack_history_destroy(struct prism_nack_history *h);

/* Changes RTX after a renegotiation (NULL turns it off). While RTX stays on with the same SSRC
 * its sequence numbers go on from where they were and first_seq is ignored. 0 or -EINVAL. */
int prism_nack_history_set_rtx(struct prism_nack_history *h,
                               const struct prism_nack_rtx_config *rtx);

/* The round-trip time to the receiver, which sets how soon one packet may be resent again. */
void prism_nack_history_set_rtt(struct prism_nack_history *h, uint64_t rtt_us);

/* Stores a packet as it goes on the wire (header rewritten, before SRTP protect), keyed by the
 * sequence number in its header: one copy, no search. Returns 0, -EBADMSG when it is not an RTP
 * packet of this stream's SSRC, -EMSGSIZE when it is bigger than a slot (never truncated), or
 * -ESTALE when its sequence number is older than the whole window. */
int prism_nack_history_store(struct prism_nack_history *h, const uint8_t *packet, size_t len,
                             uint64_t now_us);

/* Looks up a stored packet: 0 and *out, -ENOENT (never stored, overwritten, or a sequence number
 * not sent yet) or -ESTALE (sent more than the age limit ago). */
int prism_nack_history_find(const struct prism_nack_history *h, uint16_t seq, uint64_t now_us,
                            struct prism_nack_stored *out);

/* The buffer size a retransmission may need: slot_size + 2 (RTX prepends the OSN). */
size_t prism_nack_history_resend_size(const struct prism_nack_history *h);

/* Writes retransmissions of the count sequence numbers seqs into buffers[0..nbuffers), in order,
 * applying the age limit, the per-packet resend interval, the per-call cap and the bitrate cap.
 * Work is O(count). Returns the number of buffers filled (each gets its len) and fills *report
 * when report is not NULL; -EINVAL for bad arguments or a buffer smaller than resend_size. */
int prism_nack_history_resend(struct prism_nack_history *h, const uint16_t *seqs, size_t count,
                              uint64_t now_us, struct prism_nack_resend_buffer *buffers,
                              size_t nbuffers, struct prism_nack_resend_report *report);

/* The same for a parsed generic NACK. Only its first PRISM_NACK_HISTORY_MAX_SEQS_PER_NACK
 * sequence numbers are looked at; the rest count as over_budget. The caller has already matched
 * nack->media_ssrc to this stream. */
int prism_nack_history_answer(struct prism_nack_history *h, const struct prism_rtcp_nack *nack,
                              uint64_t now_us, struct prism_nack_resend_buffer *buffers,
                              size_t nbuffers, struct prism_nack_resend_report *report);

void prism_nack_history_get_stats(const struct prism_nack_history *h,
                                  struct prism_nack_history_stats *out);

#endif
