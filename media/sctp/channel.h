/* The channel record shared by channels.c (the stream table, lifecycle and the owner's
 * requests) and inbound.c (DCEP and messages from the peer). Private to the SCTP module;
 * everything here runs on the association's owner thread. */
#ifndef PRISM_MEDIA_SCTP_CHANNEL_H
#define PRISM_MEDIA_SCTP_CHANNEL_H

#include "media/sctp/internal.h"

enum sctp_channel_state {
    SCTP_CHANNEL_PENDING,    /* ours; the OPEN waits for the association to come up */
    SCTP_CHANNEL_CONNECTING, /* ours; OPEN sent, waiting for the ACK */
    SCTP_CHANNEL_OPEN,
    SCTP_CHANNEL_CLOSING, /* stream reset under way in one or both directions */
};

/* One channel, owned by the stream table. The stream id stays taken until both directions
 * are reset, so it is not reused while the peer may still send on it. */
struct sctp_channel {
    uint16_t stream_id;
    enum sctp_channel_state state;
    bool locally_opened;
    bool acked;           /* ACK or data seen: unordered sends are allowed from now on */
    bool reset_requested; /* our outgoing reset went to the transport */
    bool outgoing_reset;  /* ... and finished */
    bool incoming_reset;  /* the peer reset its outgoing stream */
    bool closed_reported;
    bool partial_overflow; /* deprecated partial pieces went over the limit: drop the rest */
    uint8_t channel_type;
    uint32_t reliability;
    uint16_t priority;
    char *label;
    char *protocol;
    GByteArray *partial; /* deprecated PPID 52/54 pieces, NULL when none */
};
struct sctp_channel *sctp_channel_lookup(const struct sctp_channels *ch, uint16_t stream_id);
/* Takes ownership of c and files it under its stream id. */
void sctp_channel_insert(struct sctp_channels *ch, struct sctp_channel *c);
/* Removes and frees the channel of a stream, if any. */
void sctp_channel_forget(struct sctp_channels *ch, uint16_t stream_id);

enum prism_sctp_reliability sctp_channel_reliability(uint8_t channel_type);

/* Events to the owner. Each returns false when the owner destroyed the association meanwhile:
 * the caller must then return without touching anything else. */
bool sctp_channel_emit_open(struct sctp_channels *ch, const struct sctp_channel *c);
bool sctp_channel_emit_message(struct sctp_channels *ch, const struct sctp_channel *c, bool binary,
                               const uint8_t *data, size_t len);

/* Sends a DCEP message (ordered and reliable, RFC 8832 section 6). */
int sctp_channel_send_dcep(struct sctp_channels *ch, uint16_t stream_id, const uint8_t *data,
                           size_t len);

#endif
