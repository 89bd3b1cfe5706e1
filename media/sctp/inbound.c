/* What the peer sends on a channel: DCEP OPEN and ACK (RFC 8832 section 5), and user messages
 * told apart by payload protocol identifier (RFC 8831 section 8), including the empty-message
 * PPIDs and the deprecated partial ones. Malformed input is counted and logged once. */
#include "media/sctp/channel.h"

#include <errno.h>
#include <string.h>

#include "core/log.h"
#include "media/sctp/dcep.h"

static void send_ack(struct sctp_channels *ch, uint16_t stream_id)
{
    uint8_t ack[1];
    int rc = prism_dcep_build_ack(ack, sizeof(ack));
    if (rc > 0)
        rc = sctp_channel_send_dcep(ch, stream_id, ack, (size_t)rc);
    /* Without the ACK the peer still opens the channel on our first message. */
    if (rc < 0 && sctp_problem_first(&ch->problems->send_failed))
        prism_warn("sctp", "association %u: cannot acknowledge channel on stream %u: %s",
                   ch->log_id, stream_id, g_strerror(-rc));
}

/* A local channel is usable: the ACK came, or data did (RFC 8832 section 6). */
static bool mark_open(struct sctp_channels *ch, struct sctp_channel *c)
{
    c->state = SCTP_CHANNEL_OPEN;
    c->acked = true;
    return sctp_channel_emit_open(ch, c);
}

static void on_dcep_open(struct sctp_channels *ch, uint16_t stream_id, const uint8_t *data,
                         size_t len)
{
    struct prism_dcep_open open;
    if (prism_dcep_open_parse(data, len, &open) < 0) {
        if (sctp_problem_first(&ch->problems->bad_dcep))
            prism_warn("sctp", "association %u: malformed DATA_CHANNEL_OPEN on stream %u",
                       ch->log_id, stream_id);
        return;
    }
    struct sctp_channel *c = sctp_channel_lookup(ch, stream_id);
    if (c && c->state == SCTP_CHANNEL_CLOSING && c->incoming_reset) {
        /* The peer reused the stream before our reset finished; its close was reported. */
        sctp_channel_forget(ch, stream_id);
    } else if (c) {
        if (sctp_problem_first(&ch->problems->unexpected_dcep))
            prism_warn("sctp", "association %u: DATA_CHANNEL_OPEN on stream %u already in use",
                       ch->log_id, stream_id);
        return;
    }
    c = g_new0(struct sctp_channel, 1);
    c->stream_id = stream_id;
    c->state = SCTP_CHANNEL_OPEN;
    c->acked = true;
    c->channel_type = open.channel_type;
    c->reliability = open.reliability;
    c->priority = open.priority;
    c->label = g_strndup(open.label ? open.label : "", open.label_len);
    c->protocol = g_strndup(open.protocol ? open.protocol : "", open.protocol_len);
    sctp_channel_insert(ch, c);
    send_ack(ch, stream_id);
    sctp_channel_emit_open(ch, c);
}

static void on_dcep(struct sctp_channels *ch, uint16_t stream_id, const uint8_t *data, size_t len)
{
    if (prism_dcep_message_type(data, len) == PRISM_DCEP_DATA_CHANNEL_OPEN) {
        on_dcep_open(ch, stream_id, data, len);
        return;
    }
    struct sctp_channel *c = sctp_channel_lookup(ch, stream_id);
    if (prism_dcep_is_ack(data, len) && c && c->locally_opened) {
        /* A late ACK (data already implied it) or one racing our close is harmless. */
        if (c->state == SCTP_CHANNEL_CONNECTING)
            mark_open(ch, c);
        return;
    }
    if (sctp_problem_first(&ch->problems->bad_dcep))
        prism_warn("sctp", "association %u: unexpected DCEP message (%zu bytes) on stream %u",
                   ch->log_id, len, stream_id);
}

/* ---- messages ---- */

/* Deprecated PPIDs 52 and 54 mark a piece of a longer message that ends with 53 or 51. */
static bool append_partial(struct sctp_channels *ch, struct sctp_channel *c, const uint8_t *data,
                           size_t len)
{
    if (c->partial_overflow)
        return false;
    if (!c->partial)
        c->partial = g_byte_array_new();
    if (c->partial->len + len > ch->max_message_size) {
        g_byte_array_set_size(c->partial, 0);
        c->partial_overflow = true;
        if (sctp_problem_first(&ch->problems->oversized))
            prism_warn("sctp", "association %u: message over %zu bytes on stream %u dropped",
                       ch->log_id, ch->max_message_size, c->stream_id);
        return false;
    }
    g_byte_array_append(c->partial, data, (guint)len);
    return true;
}

static void deliver_final(struct sctp_channels *ch, struct sctp_channel *c, bool binary,
                          const uint8_t *data, size_t len)
{
    if (c->partial_overflow) {
        c->partial_overflow = false;
        return;
    }
    if (!c->partial || c->partial->len == 0) {
        sctp_channel_emit_message(ch, c, binary, data, len);
        return;
    }
    if (!append_partial(ch, c, data, len))
        return;
    GByteArray *whole = c->partial;
    c->partial = NULL;
    sctp_channel_emit_message(ch, c, binary, whole->data, whole->len);
    g_byte_array_unref(whole);
}

static void deliver(struct sctp_channels *ch, struct sctp_channel *c, uint32_t ppid,
                    const uint8_t *data, size_t len)
{
    switch (ppid) {
    case PRISM_SCTP_PPID_STRING:
    case PRISM_SCTP_PPID_BINARY:
        deliver_final(ch, c, ppid == PRISM_SCTP_PPID_BINARY, data, len);
        return;
    case PRISM_SCTP_PPID_STRING_EMPTY:
    case PRISM_SCTP_PPID_BINARY_EMPTY:
        /* The one byte that carries an empty message is not part of it. */
        sctp_channel_emit_message(ch, c, ppid == PRISM_SCTP_PPID_BINARY_EMPTY, NULL, 0);
        return;
    case PRISM_SCTP_PPID_STRING_PARTIAL:
    case PRISM_SCTP_PPID_BINARY_PARTIAL:
        append_partial(ch, c, data, len);
        return;
    default:
        if (sctp_problem_first(&ch->problems->unknown_ppid))
            prism_warn("sctp", "association %u: message with unknown PPID %u on stream %u",
                       ch->log_id, ppid, c->stream_id);
    }
}

void sctp_channels_on_message(struct sctp_channels *ch, uint16_t stream_id, uint32_t ppid,
                              const uint8_t *data, size_t len)
{
    if (ch->stopped || ch->lost)
        return;
    if (ppid == PRISM_SCTP_PPID_DCEP) {
        on_dcep(ch, stream_id, data, len);
        return;
    }
    struct sctp_channel *c = sctp_channel_lookup(ch, stream_id);
    if (!c || c->state == SCTP_CHANNEL_PENDING) {
        if (sctp_problem_first(&ch->problems->unknown_stream))
            prism_warn("sctp", "association %u: message on stream %u without a channel", ch->log_id,
                       stream_id);
        return;
    }
    if (c->state == SCTP_CHANNEL_CONNECTING && !mark_open(ch, c))
        return;
    deliver(ch, c, ppid, data, len);
}
