/* The data channels of one association: the stream table, opening (RFC 8832) and closing by
 * stream reset (RFC 8831 section 6.7), sending, and the events the owner hears. What the peer
 * sends is handled in inbound.c. No usrsctp here: the socket is reached through struct
 * sctp_transport, so tests and the fuzzer drive the channels directly.
 *
 * Callbacks may re-enter the public API (close, send, even destroy): nothing is iterated while
 * a callback runs, channel memory is freed outside callbacks only, and `stopped` is checked
 * after each one. */
#include "media/sctp/channel.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "media/sctp/dcep.h"

bool sctp_problem_first(unsigned *counter)
{
    bool first = *counter == 0;
    if (*counter < UINT32_MAX)
        (*counter)++;
    return first;
}

static void channel_free(gpointer data)
{
    struct sctp_channel *c = data;
    g_free(c->label);
    g_free(c->protocol);
    if (c->partial)
        g_byte_array_unref(c->partial);
    g_free(c);
}

static GHashTable *table_new(void)
{
    return g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, channel_free);
}

struct sctp_channel *sctp_channel_lookup(const struct sctp_channels *ch, uint16_t stream_id)
{
    return g_hash_table_lookup(ch->by_stream, GUINT_TO_POINTER(stream_id));
}

void sctp_channel_insert(struct sctp_channels *ch, struct sctp_channel *c)
{
    g_hash_table_insert(ch->by_stream, GUINT_TO_POINTER(c->stream_id), c);
}

void sctp_channel_forget(struct sctp_channels *ch, uint16_t stream_id)
{
    g_hash_table_remove(ch->by_stream, GUINT_TO_POINTER(stream_id));
}

void sctp_channels_init(struct sctp_channels *ch, const struct sctp_channels_config *config)
{
    memset(ch, 0, sizeof(*ch));
    ch->by_stream = table_new();
    ch->dtls_client = config->dtls_client;
    ch->max_message_size = config->max_message_size;
    ch->remote_max_message_size = config->remote_max_message_size;
    ch->transport = config->transport;
    ch->callbacks = config->callbacks;
    ch->user_data = config->user_data;
    ch->log_id = config->log_id;
    ch->problems = config->problems;
}

void sctp_channels_clear(struct sctp_channels *ch)
{
    if (ch->by_stream)
        g_hash_table_destroy(ch->by_stream);
    ch->by_stream = NULL;
}

static gint compare_ids(gconstpointer a, gconstpointer b)
{
    return (gint) * (const uint16_t *)a - (gint) * (const uint16_t *)b;
}

/* Stream ids of the channels matching `pick`, sorted, so callbacks run in a stable order and
 * never while the table is being iterated. */
static GArray *collect(struct sctp_channels *ch, bool (*pick)(const struct sctp_channel *))
{
    GArray *ids = g_array_new(FALSE, FALSE, sizeof(uint16_t));
    GHashTableIter iter;
    gpointer value;
    g_hash_table_iter_init(&iter, ch->by_stream);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        const struct sctp_channel *c = value;
        if (pick(c))
            g_array_append_val(ids, c->stream_id);
    }
    g_array_sort(ids, compare_ids);
    return ids;
}

/* ---- events ---- */

enum prism_sctp_reliability sctp_channel_reliability(uint8_t channel_type)
{
    switch (channel_type & 0x7f) {
    case PRISM_DCEP_PARTIAL_RELIABLE_REXMIT:
        return PRISM_SCTP_MAX_RETRANSMITS;
    case PRISM_DCEP_PARTIAL_RELIABLE_TIMED:
        return PRISM_SCTP_MAX_LIFETIME;
    default:
        return PRISM_SCTP_RELIABLE;
    }
}

bool sctp_channel_emit_open(struct sctp_channels *ch, const struct sctp_channel *c)
{
    if (ch->stopped)
        return false;
    if (ch->callbacks->channel_open_cb) {
        struct prism_sctp_channel_info info = {
            .stream_id = c->stream_id,
            .label = c->label,
            .protocol = c->protocol,
            .ordered = prism_dcep_is_ordered(c->channel_type),
            .reliability = sctp_channel_reliability(c->channel_type),
            .reliability_value = c->reliability,
            .priority = c->priority,
            .locally_opened = c->locally_opened,
        };
        if (info.reliability == PRISM_SCTP_RELIABLE)
            info.reliability_value = 0;
        ch->callbacks->channel_open_cb(ch->user_data, &info);
    }
    return !ch->stopped;
}

static bool emit_closed(struct sctp_channels *ch, struct sctp_channel *c)
{
    if (ch->stopped)
        return false;
    if (c->closed_reported)
        return true;
    c->closed_reported = true;
    if (ch->callbacks->channel_closed_cb)
        ch->callbacks->channel_closed_cb(ch->user_data, c->stream_id, c->label);
    return !ch->stopped;
}

bool sctp_channel_emit_message(struct sctp_channels *ch, const struct sctp_channel *c, bool binary,
                               const uint8_t *data, size_t len)
{
    if (ch->stopped)
        return false;
    if (ch->callbacks->message_cb) {
        struct prism_sctp_message message = {
            .stream_id = c->stream_id,
            .label = c->label,
            .binary = binary,
            .data = len ? data : NULL,
            .len = len,
        };
        ch->callbacks->message_cb(ch->user_data, &message);
    }
    return !ch->stopped;
}

int sctp_channel_send_dcep(struct sctp_channels *ch, uint16_t stream_id, const uint8_t *data,
                           size_t len)
{
    struct sctp_outgoing message = {
        .stream_id = stream_id,
        .ppid = PRISM_SCTP_PPID_DCEP,
        .reliability = PRISM_SCTP_RELIABLE,
        .data = data,
        .len = len,
    };
    return ch->transport.send(ch->transport.ctx, &message);
}

static int send_open(struct sctp_channels *ch, struct sctp_channel *c)
{
    struct prism_dcep_open open = {
        .channel_type = c->channel_type,
        .priority = c->priority,
        .reliability = c->reliability,
        .label = c->label,
        .label_len = (uint16_t)strlen(c->label),
        .protocol = c->protocol,
        .protocol_len = (uint16_t)strlen(c->protocol),
    };
    size_t cap = PRISM_DCEP_OPEN_HEADER_LEN + (size_t)open.label_len + open.protocol_len;
    uint8_t *buf = g_malloc(cap);
    int rc = prism_dcep_build_open(buf, cap, &open);
    if (rc > 0)
        rc = sctp_channel_send_dcep(ch, c->stream_id, buf, (size_t)rc);
    g_free(buf);
    if (rc < 0)
        return rc;
    c->state = SCTP_CHANNEL_CONNECTING;
    return 0;
}

/* ---- lifecycle ---- */

static bool is_pending(const struct sctp_channel *c)
{
    return c->state == SCTP_CHANNEL_PENDING;
}

static bool any_channel(const struct sctp_channel *c)
{
    return true;
}

static bool needs_reset(const struct sctp_channel *c)
{
    return c->state == SCTP_CHANNEL_CLOSING && !c->reset_requested && !c->outgoing_reset;
}

static void forget_if_done(struct sctp_channels *ch, struct sctp_channel *c)
{
    if (c->incoming_reset && c->outgoing_reset)
        sctp_channel_forget(ch, c->stream_id);
}

void sctp_channels_on_up(struct sctp_channels *ch, uint16_t outbound_streams)
{
    if (ch->up || ch->lost || ch->stopped)
        return;
    ch->up = true;
    ch->outbound_streams = outbound_streams;
    if (ch->callbacks->association_up_cb)
        ch->callbacks->association_up_cb(ch->user_data);
    GArray *ids = collect(ch, is_pending);
    for (guint i = 0; i < ids->len && !ch->stopped; i++) {
        struct sctp_channel *c = sctp_channel_lookup(ch, g_array_index(ids, uint16_t, i));
        if (!c || c->state != SCTP_CHANNEL_PENDING)
            continue;
        if (c->stream_id < outbound_streams && send_open(ch, c) == 0)
            continue;
        if (sctp_problem_first(&ch->problems->send_failed))
            prism_warn("sctp", "association %u: cannot open channel on stream %u", ch->log_id,
                       c->stream_id);
        g_hash_table_steal(ch->by_stream, GUINT_TO_POINTER(c->stream_id));
        emit_closed(ch, c);
        channel_free(c);
    }
    g_array_free(ids, TRUE);
}

void sctp_channels_on_lost(struct sctp_channels *ch)
{
    if (ch->lost)
        return;
    ch->lost = true;
    ch->up = false;
    /* Callbacks below see an empty table; the old one is freed afterwards. */
    GHashTable *old = ch->by_stream;
    GArray *ids = collect(ch, any_channel);
    ch->by_stream = table_new();
    for (guint i = 0; i < ids->len && !ch->stopped; i++) {
        struct sctp_channel *c = g_hash_table_lookup(
            old, GUINT_TO_POINTER(g_array_index(ids, uint16_t, i)));
        emit_closed(ch, c);
    }
    g_array_free(ids, TRUE);
    g_hash_table_destroy(old);
    if (!ch->stopped && ch->callbacks->association_lost_cb)
        ch->callbacks->association_lost_cb(ch->user_data);
}

void sctp_channels_on_stream_change(struct sctp_channels *ch, uint16_t outbound_streams)
{
    ch->outbound_streams = outbound_streams;
}

void sctp_channels_flush_resets(struct sctp_channels *ch)
{
    if (!ch->resets_wanted || !ch->up || ch->stopped)
        return;
    GArray *ids = collect(ch, needs_reset);
    int rc = ids->len ? ch->transport.reset_streams(ch->transport.ctx,
                                                    (const uint16_t *)(void *)ids->data, ids->len)
                      : 0;
    if (rc == -EAGAIN) {
        /* A reset is in flight; the next reset event or read retries. */
        g_array_free(ids, TRUE);
        return;
    }
    ch->resets_wanted = false;
    if (rc < 0 && sctp_problem_first(&ch->problems->reset_failed))
        prism_warn("sctp", "association %u: cannot reset %u stream(s): %s", ch->log_id, ids->len,
                   g_strerror(-rc));
    for (guint i = 0; i < ids->len; i++) {
        struct sctp_channel *c = sctp_channel_lookup(ch, g_array_index(ids, uint16_t, i));
        c->reset_requested = true;
        if (rc < 0) {
            /* Nothing will finish this reset: count it done so the stream can be freed. */
            c->outgoing_reset = true;
            forget_if_done(ch, c);
        }
    }
    g_array_free(ids, TRUE);
}

void sctp_channels_on_incoming_reset(struct sctp_channels *ch, uint16_t stream_id)
{
    struct sctp_channel *c = sctp_channel_lookup(ch, stream_id);
    if (!c || ch->stopped)
        return;
    c->incoming_reset = true;
    if (c->state != SCTP_CHANNEL_CLOSING) {
        /* The peer closed the channel: reset our side too (RFC 8831 section 6.7). */
        c->state = SCTP_CHANNEL_CLOSING;
        ch->resets_wanted = true;
    }
    if (c->partial) {
        g_byte_array_unref(c->partial);
        c->partial = NULL;
    }
    if (!emit_closed(ch, c))
        return;
    c = sctp_channel_lookup(ch, stream_id);
    if (c)
        forget_if_done(ch, c);
    sctp_channels_flush_resets(ch);
}

void sctp_channels_on_outgoing_reset(struct sctp_channels *ch, uint16_t stream_id, bool failed)
{
    struct sctp_channel *c = sctp_channel_lookup(ch, stream_id);
    if (!c || !c->reset_requested || c->outgoing_reset || ch->stopped)
        return;
    c->outgoing_reset = true;
    if (failed) {
        /* The peer refused: it will not close its side either, so the channel ends here. */
        if (sctp_problem_first(&ch->problems->reset_failed))
            prism_warn("sctp", "association %u: peer refused to reset stream %u", ch->log_id,
                       stream_id);
        c->incoming_reset = true;
        if (!emit_closed(ch, c))
            return;
        c = sctp_channel_lookup(ch, stream_id);
        if (!c)
            return;
    }
    forget_if_done(ch, c);
}

/* ---- the owner's requests ---- */

static int free_stream_id(const struct sctp_channels *ch)
{
    unsigned limit = PRISM_SCTP_MAX_STREAMS;
    if (ch->up && ch->outbound_streams < limit)
        limit = ch->outbound_streams;
    /* RFC 8832 section 6: the DTLS client uses even stream ids, the server odd ones. */
    for (unsigned id = ch->dtls_client ? 0 : 1; id < limit; id += 2) {
        if (!sctp_channel_lookup(ch, (uint16_t)id))
            return (int)id;
    }
    return -ENOSPC;
}

static bool valid_text(const char *text)
{
    return strlen(text) <= UINT16_MAX && g_utf8_validate(text, -1, NULL);
}

static uint8_t channel_type_of(const struct prism_sctp_channel_options *options)
{
    uint8_t type = PRISM_DCEP_RELIABLE;
    if (options->reliability == PRISM_SCTP_MAX_RETRANSMITS)
        type = PRISM_DCEP_PARTIAL_RELIABLE_REXMIT;
    else if (options->reliability == PRISM_SCTP_MAX_LIFETIME)
        type = PRISM_DCEP_PARTIAL_RELIABLE_TIMED;
    return options->ordered ? type : (uint8_t)(type | 0x80);
}

int sctp_channels_open(struct sctp_channels *ch, const struct prism_sctp_channel_options *options,
                       uint16_t *stream_id)
{
    if (!options || !stream_id || options->reliability > PRISM_SCTP_MAX_LIFETIME)
        return -EINVAL;
    const char *label = options->label ? options->label : "";
    const char *protocol = options->protocol ? options->protocol : "";
    if (!valid_text(label) || !valid_text(protocol))
        return -EINVAL;
    if (ch->lost)
        return -ENOTCONN;
    int id = free_stream_id(ch);
    if (id < 0)
        return id;
    struct sctp_channel *c = g_new0(struct sctp_channel, 1);
    c->stream_id = (uint16_t)id;
    c->state = SCTP_CHANNEL_PENDING;
    c->locally_opened = true;
    c->channel_type = channel_type_of(options);
    c->reliability = options->reliability == PRISM_SCTP_RELIABLE ? 0 : options->reliability_value;
    c->priority = options->priority ? options->priority : PRISM_DCEP_PRIORITY_NORMAL;
    c->label = g_strdup(label);
    c->protocol = g_strdup(protocol);
    sctp_channel_insert(ch, c);
    if (ch->up) {
        int rc = send_open(ch, c);
        if (rc < 0) {
            sctp_channel_forget(ch, (uint16_t)id);
            return rc;
        }
    }
    *stream_id = (uint16_t)id;
    return 0;
}

int sctp_channels_close(struct sctp_channels *ch, uint16_t stream_id)
{
    struct sctp_channel *c = sctp_channel_lookup(ch, stream_id);
    if (!c)
        return -ENOENT;
    switch (c->state) {
    case SCTP_CHANNEL_PENDING:
        /* The peer never heard of it: nothing to reset. */
        sctp_channel_forget(ch, stream_id);
        return 0;
    case SCTP_CHANNEL_CLOSING:
        return 0;
    default:
        c->state = SCTP_CHANNEL_CLOSING;
        ch->resets_wanted = true;
        sctp_channels_flush_resets(ch);
        return 0;
    }
}

int sctp_channels_send(struct sctp_channels *ch, uint16_t stream_id, bool binary,
                       const uint8_t *data, size_t len)
{
    static const uint8_t empty_payload[1] = {0};
    if (!data && len > 0)
        return -EINVAL;
    struct sctp_channel *c = sctp_channel_lookup(ch, stream_id);
    if (!c)
        return -ENOENT;
    if (!ch->up || c->state == SCTP_CHANNEL_PENDING)
        return -ENOTCONN;
    if (c->state == SCTP_CHANNEL_CLOSING)
        return -EPIPE;
    if (ch->remote_max_message_size && len > ch->remote_max_message_size)
        return -EMSGSIZE;
    struct sctp_outgoing message = {
        .stream_id = stream_id,
        .ppid = binary ? PRISM_SCTP_PPID_BINARY : PRISM_SCTP_PPID_STRING,
        /* Before the ACK, messages go ordered so that none overtakes the OPEN. */
        .unordered = !prism_dcep_is_ordered(c->channel_type) && c->acked,
        .reliability = sctp_channel_reliability(c->channel_type),
        .reliability_value = c->reliability,
        .data = data,
        .len = len,
    };
    if (len == 0) {
        /* SCTP cannot carry an empty message: one byte under the "empty" PPID. */
        message.ppid = binary ? PRISM_SCTP_PPID_BINARY_EMPTY : PRISM_SCTP_PPID_STRING_EMPTY;
        message.data = empty_payload;
        message.len = sizeof(empty_payload);
    }
    return ch->transport.send(ch->transport.ctx, &message);
}
