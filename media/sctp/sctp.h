/* WebRTC data channels for one PeerConnection: an SCTP association (usrsctp in AF_CONN mode)
 * whose packets travel inside DTLS application data (RFC 8261), channels opened with DCEP
 * (RFC 8832) and messages framed by payload protocol identifier (RFC 8831).
 *
 * The module sees only bytes: the owner feeds every DTLS application-data record it receives to
 * prism_sctp_receive() and gets outgoing SCTP packets through its send_cb, which encrypts them.
 *
 * Threads: an association belongs to the thread that runs its GMainContext (a worker's context,
 * see prism_worker_context()). Every function here is called on that thread, and every callback
 * is delivered there, from the context's dispatch, never from inside a call to this API.
 * usrsctp's own callbacks (from its timer thread or any caller) only queue work for that thread. */
#ifndef PRISM_MEDIA_SCTP_SCTP_H
#define PRISM_MEDIA_SCTP_SCTP_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The sctp-port of an SDP without a=sctp-port (RFC 8841 section 5). */
#define PRISM_SCTP_DEFAULT_PORT 5000
/* The a=max-message-size Prism advertises, and by default the largest message it accepts. */
#define PRISM_SCTP_DEFAULT_MAX_MESSAGE_SIZE 262144
/* The peer's limit when its SDP has no a=max-message-size (RFC 8841 section 6.1). */
#define PRISM_SCTP_SDP_DEFAULT_MAX_MESSAGE_SIZE 65536
/* Streams offered each way in INIT; channels use stream ids below this. */
#define PRISM_SCTP_MAX_STREAMS 1024

struct prism_sctp_association;

enum prism_sctp_reliability {
    PRISM_SCTP_RELIABLE = 0,
    PRISM_SCTP_MAX_RETRANSMITS, /* value: retransmissions before a message is abandoned */
    PRISM_SCTP_MAX_LIFETIME,    /* value: milliseconds before a message is abandoned */
};

/* A channel as announced by channel_open_cb. Strings are NUL-terminated UTF-8, valid during
 * the callback only. */
struct prism_sctp_channel_info {
    uint16_t stream_id;
    const char *label;
    const char *protocol;
    bool ordered;
    enum prism_sctp_reliability reliability;
    uint32_t reliability_value;
    uint16_t priority;
    bool locally_opened; /* Prism sent the DATA_CHANNEL_OPEN */
};

/* A received message, valid during message_cb only. */
struct prism_sctp_message {
    uint16_t stream_id;
    const char *label;
    bool binary;
    const uint8_t *data; /* NULL when len is 0 */
    size_t len;
};

/* What the owner hears from an association, always on the owner's thread. Every callback but
 * send_cb may be NULL. The owner may call any function of this API from a callback, including
 * prism_sctp_association_destroy(), after which no further callback comes. */
struct prism_sctp_callbacks {
    /* An SCTP packet to send as DTLS application data. */
    void (*send_cb)(void *user_data, const uint8_t *packet, size_t len);
    void (*association_up_cb)(void *user_data);
    /* The association ended (abort, shutdown, or it could not be established). Every channel
     * got its channel_closed_cb first; sends fail from now on. */
    void (*association_lost_cb)(void *user_data);
    /* A peer's channel was opened, or Prism's own was acknowledged (or received data). */
    void (*channel_open_cb)(void *user_data, const struct prism_sctp_channel_info *channel);
    /* Once per channel: the peer reset its stream (whichever side closed it), the association
     * was lost, or a channel of ours could not be opened when the association came up. */
    void (*channel_closed_cb)(void *user_data, uint16_t stream_id, const char *label);
    void (*message_cb)(void *user_data, const struct prism_sctp_message *message);
};

struct prism_sctp_config {
    GMainContext *context; /* the owner's; referenced until destroy */
    bool dtls_client;      /* our DTLS role: the client opens even stream ids, the server odd */
    uint16_t local_port;   /* our a=sctp-port */
    uint16_t remote_port;  /* the peer's a=sctp-port */
    /* Largest message accepted; bigger ones are dropped and logged. 0 means the default. */
    size_t max_message_size;
    /* The peer's a=max-message-size, honoured when sending: 0 means the peer set no limit
     * (RFC 8841), PRISM_SCTP_SDP_DEFAULT_MAX_MESSAGE_SIZE when its SDP has no attribute. */
    size_t remote_max_message_size;
    struct prism_sctp_callbacks callbacks;
    void *user_data;
};

struct prism_sctp_channel_options {
    const char *label;    /* UTF-8, may be NULL for "" */
    const char *protocol; /* UTF-8, may be NULL for "" */
    bool ordered;
    enum prism_sctp_reliability reliability;
    uint32_t reliability_value;
    uint16_t priority; /* 0 means PRISM_DCEP_PRIORITY_NORMAL */
};

/* Creates the association and starts connecting to the peer (both WebRTC ends connect: SCTP
 * resolves the simultaneous open). Call it when DTLS is up, before feeding received records.
 * Returns 0 or -EINVAL, -ENOMEM, or usrsctp's errno when the socket cannot be set up. */
int prism_sctp_association_create(struct prism_sctp_association **out,
                                  const struct prism_sctp_config *config);

/* Aborts the association and releases it. No callback comes after this returns; usrsctp
 * threads that still hold the association only find it closed. NULL is ignored. */
void prism_sctp_association_destroy(struct prism_sctp_association *assoc);

/* Feeds one DTLS application-data record (an SCTP packet). Its framing is checked first
 * (prism_sctp_packet_check()), then usrsctp checks the rest; malformed packets are dropped.
 * Returns 0, -EBADMSG for a record that is not a well-framed SCTP packet, or -EINVAL. */
int prism_sctp_receive(struct prism_sctp_association *assoc, const uint8_t *data, size_t len);

/* True between association_up_cb and association_lost_cb. */
bool prism_sctp_is_up(const struct prism_sctp_association *assoc);

/* Opens a channel on the lowest free stream id of our parity and writes it to *stream_id. The
 * DATA_CHANNEL_OPEN goes out now, or when the association comes up; channel_open_cb follows
 * the peer's acknowledgement. Returns 0, -EINVAL (bad options), -ENOSPC (no free stream id)
 * or -ENOTCONN when the association was lost. */
int prism_sctp_channel_open(struct prism_sctp_association *assoc,
                            const struct prism_sctp_channel_options *options, uint16_t *stream_id);

/* Closes a channel by resetting its outgoing stream (RFC 8831 section 6.7); channel_closed_cb
 * follows when the peer has reset its side. A channel whose DATA_CHANNEL_OPEN has not gone out
 * yet just ends, without callback. Returns 0 (also when already closing) or -ENOENT for an
 * unknown stream id. */
int prism_sctp_channel_close(struct prism_sctp_association *assoc, uint16_t stream_id);

/* Sends one message, as text (PPID 51) or binary (53); an empty message goes as PPID 56/57.
 * Ordering and reliability are the channel's. Returns 0, -ENOENT (no such channel),
 * -ENOTCONN (not up, or the channel's OPEN is not sent yet), -EPIPE (channel closing),
 * -EMSGSIZE (over the peer's max-message-size) or -EAGAIN (send buffer full: try later). */
int prism_sctp_send(struct prism_sctp_association *assoc, uint16_t stream_id, bool binary,
                    const uint8_t *data, size_t len);

/* usrsctp is process-wide: the first reference starts it (no raw sockets, a timer thread of
 * ours), the last one stops it and frees everything, so leak checkers see nothing. Each
 * association holds one reference; a process that creates associations often can hold one
 * for its whole life so that usrsctp is not restarted. Any thread except usrsctp's own.
 * prism_sctp_global_ref returns 0 or -errno. */
int prism_sctp_global_ref(void);
void prism_sctp_global_unref(void);

#endif
