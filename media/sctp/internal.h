/* Private parts of the SCTP module: message reassembly and the channel engine (both free of
 * usrsctp, so tests and the fuzzer drive them directly), and the association shared by the
 * usrsctp glue files (global.c, association.c, socket.c). */
#ifndef PRISM_MEDIA_SCTP_INTERNAL_H
#define PRISM_MEDIA_SCTP_INTERNAL_H

#include "media/sctp/sctp.h"

#include <stdatomic.h>

/* ---- reassembly.c: user messages out of the pieces a socket read returns ---- */

/* Notifications are bounded separately from user messages: a stream reset event lists up to
 * 65535 stream ids whatever the message limit. */
#define SCTP_NOTIFICATION_LIMIT (16 + 2 * 65536)

/* One read: the bytes and what usrsctp said about them. */
struct sctp_piece_info {
    uint16_t stream_id;
    uint32_t ppid;
    bool notification;
    bool end_of_record;
};

/* A complete message; data points into the reassembly buffer (or is NULL when len is 0) and
 * stays valid until the next call on the reassembly. */
struct sctp_user_message {
    const uint8_t *data;
    size_t len;
    uint16_t stream_id;
    uint32_t ppid;
    bool notification;
};

/* One message at a time: the socket does not interleave partial deliveries
 * (SCTP_FRAGMENT_INTERLEAVE 0). Owned by one association, one thread. */
struct sctp_reassembly {
    uint8_t *buf;
    size_t len;      /* bytes of the message in progress */
    size_t cap;      /* grows to what the messages need, shrinks after big ones */
    size_t limit;    /* largest user message accepted */
    bool active;     /* a message began and has not ended */
    bool discarding; /* the message in progress went over the limit */
    struct sctp_piece_info current;
    unsigned interrupted; /* partial messages dropped because another began */
};

void sctp_reassembly_init(struct sctp_reassembly *r, size_t limit);
void sctp_reassembly_clear(struct sctp_reassembly *r);

/* Where the next read goes and how many bytes fit (at least one). NULL when out of memory. */
uint8_t *sctp_reassembly_space(struct sctp_reassembly *r, size_t *space);

/* Accounts for n bytes written at the last space. Returns 1 with *out set when a message is
 * complete, 0 when more is needed, -EMSGSIZE when an over-limit message ended (it is dropped). */
int sctp_reassembly_commit(struct sctp_reassembly *r, size_t n, const struct sctp_piece_info *info,
                           struct sctp_user_message *out);

/* The copying form of space + commit, for pieces that are already in memory. */
int sctp_reassembly_push(struct sctp_reassembly *r, const uint8_t *data, size_t len,
                         const struct sctp_piece_info *info, struct sctp_user_message *out);

/* ---- channels.c: DCEP, the stream table and the owner's events ---- */

/* A message for the wire, as the channel engine asks the transport to send it. */
struct sctp_outgoing {
    uint16_t stream_id;
    uint32_t ppid;
    bool unordered;
    enum prism_sctp_reliability reliability;
    uint32_t reliability_value;
    const uint8_t *data;
    size_t len;
};

/* What the engine needs from the SCTP socket. Both return 0 or -errno; reset_streams returns
 * -EAGAIN when a reset is already in progress (the engine retries later). */
struct sctp_transport {
    int (*send)(void *ctx, const struct sctp_outgoing *message);
    int (*reset_streams)(void *ctx, const uint16_t *stream_ids, size_t count);
    void *ctx;
};

/* Counts of bad input or failures; the first of each kind is logged, the rest only counted. */
struct sctp_problems {
    unsigned malformed_packet; /* refused by prism_sctp_packet_check() */
    unsigned bad_dcep;
    unsigned unexpected_dcep;
    unsigned unknown_stream;
    unsigned unknown_ppid;
    unsigned oversized;
    unsigned interrupted;
    unsigned send_failed;
    unsigned reset_failed;
    unsigned read_failed;
    unsigned queue_full;
};

/* True the first time a kind of problem happens (and counts every time). */
bool sctp_problem_first(unsigned *counter);

/* The channels of one association. Owner thread only. */
struct sctp_channels {
    GHashTable *by_stream; /* stream id -> struct sctp_channel, owned */
    bool dtls_client;
    bool up;
    bool lost;
    bool resets_wanted; /* some closing channel still needs its outgoing stream reset */
    uint16_t outbound_streams;
    size_t max_message_size;        /* bound for deprecated partial messages */
    size_t remote_max_message_size; /* 0: no limit */
    struct sctp_transport transport;
    const struct prism_sctp_callbacks *callbacks;
    void *user_data;
    bool stopped; /* the owner destroyed the association from a callback: emit nothing more */
    unsigned log_id;
    struct sctp_problems *problems;
};

struct sctp_channels_config {
    bool dtls_client;
    size_t max_message_size;
    size_t remote_max_message_size;
    struct sctp_transport transport;
    const struct prism_sctp_callbacks *callbacks;
    void *user_data;
    unsigned log_id;
    struct sctp_problems *problems;
};

void sctp_channels_init(struct sctp_channels *ch, const struct sctp_channels_config *config);
void sctp_channels_clear(struct sctp_channels *ch);

/* The association came up with this many outbound streams: announces it, sends pending OPENs. */
void sctp_channels_on_up(struct sctp_channels *ch, uint16_t outbound_streams);
/* The association ended: closes every channel, then announces the loss. */
void sctp_channels_on_lost(struct sctp_channels *ch);
void sctp_channels_on_stream_change(struct sctp_channels *ch, uint16_t outbound_streams);
/* A complete user message arrived on a stream. */
void sctp_channels_on_message(struct sctp_channels *ch, uint16_t stream_id, uint32_t ppid,
                              const uint8_t *data, size_t len);
/* The peer reset its outgoing stream (our incoming one). */
void sctp_channels_on_incoming_reset(struct sctp_channels *ch, uint16_t stream_id);
/* Our outgoing stream reset finished (or failed, which ends it too). */
void sctp_channels_on_outgoing_reset(struct sctp_channels *ch, uint16_t stream_id, bool failed);
/* Asks the transport for the outgoing resets still wanted. */
void sctp_channels_flush_resets(struct sctp_channels *ch);

int sctp_channels_open(struct sctp_channels *ch, const struct prism_sctp_channel_options *options,
                       uint16_t *stream_id);
int sctp_channels_close(struct sctp_channels *ch, uint16_t stream_id);
int sctp_channels_send(struct sctp_channels *ch, uint16_t stream_id, bool binary,
                       const uint8_t *data, size_t len);

/* ---- the association (association.c, socket.c, global.c) ---- */

struct socket;

/* Shared between the owner's thread and whichever thread usrsctp calls back on. The fields
 * under "owner" are touched on the owner's thread only; those under lock by anyone holding it.
 * Freed when the last reference goes: the owner's, the registry lookups in flight, and one per
 * scheduled dispatch. Freeing touches memory only, so it may happen on any thread. */
struct prism_sctp_association {
    atomic_int refs;
    uintptr_t id; /* the address usrsctp knows us by, and our registry key */

    /* owner */
    GMainContext *context; /* referenced until destroy */
    struct socket *sock;   /* NULL once destroyed */
    bool registered;       /* id is registered with usrsctp as an AF_CONN address */
    struct prism_sctp_callbacks callbacks;
    void *user_data;
    uint16_t local_port;
    uint16_t remote_port;
    struct sctp_channels channels;
    struct sctp_reassembly rx;
    struct sctp_problems problems;

    GMutex lock;
    GQueue outgoing; /* struct sctp_packet, in the order usrsctp produced them */
    bool readable;   /* usrsctp signalled the socket since the last read */
    bool dispatch_scheduled;
    unsigned dropped_packets; /* outgoing packets dropped on a full queue, not yet logged */
    bool closed; /* destroy ran: usrsctp callbacks drop everything (owner reads it unlocked) */
};

struct prism_sctp_association *sctp_association_ref(struct prism_sctp_association *a);
void sctp_association_unref(struct prism_sctp_association *a);
/* From usrsctp, any thread: a packet to hand to send_cb on the owner's thread. */
void sctp_association_queue_packet(struct prism_sctp_association *a, const void *data, size_t len);
/* From usrsctp, any thread: the socket has something to read (or changed state). */
void sctp_association_mark_readable(struct prism_sctp_association *a);

/* global.c: the registry that turns usrsctp's addresses into live associations. */
uintptr_t sctp_registry_add(struct prism_sctp_association *a);
void sctp_registry_remove(uintptr_t id);
/* The live association of an id, referenced, or NULL once it was destroyed. */
struct prism_sctp_association *sctp_registry_ref(uintptr_t id);
/* Test and fuzz hook: when true (before the first reference), no timer thread runs and the
 * caller drives usrsctp's clock with sctp_global_advance(). */
void sctp_global_set_manual_timers(bool manual);
void sctp_global_advance(uint32_t elapsed_ms);

/* socket.c: the usrsctp socket of an association, owner thread. */
int sctp_socket_open(struct prism_sctp_association *a);
void sctp_socket_close(struct prism_sctp_association *a);
void sctp_socket_input(struct prism_sctp_association *a, const uint8_t *data, size_t len);
/* Reads until the socket is empty or the budget is spent; returns true if more may remain. */
bool sctp_socket_read(struct prism_sctp_association *a, unsigned budget);
struct sctp_transport sctp_socket_transport(struct prism_sctp_association *a);

#endif
