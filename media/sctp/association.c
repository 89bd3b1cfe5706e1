/* An association's life and its bridge between threads. usrsctp calls back on whichever thread
 * drives it (our timer thread, or the owner inside conninput and sendv); those callbacks only
 * queue packets and readability under a lock and schedule one dispatch on the owner's
 * GMainContext, which sends the packets, reads the socket and runs the channels. So the owner
 * hears everything on its own thread and never from inside usrsctp. */
#include "media/sctp/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "media/sctp/packet_check.h"

/* Beyond this, packets are dropped (SCTP retransmits): a stalled owner cannot grow memory. */
#define MAX_QUEUED_PACKETS 4096
/* Socket reads per dispatch, so one busy association cannot hold the worker. */
#define READ_BUDGET 64

/* The owner's thread runs the context: no other thread may be running it now. (Not "this
 * thread owns it": a worker drains its last jobs after its loop has stopped.) */
#ifndef NDEBUG
static void assert_owner(GMainContext *context)
{
    if (g_main_context_is_owner(context))
        return;
    g_assert_true(g_main_context_acquire(context));
    g_main_context_release(context);
}
#else
#define assert_owner(context) ((void)(context))
#endif

struct sctp_packet {
    size_t len;
    uint8_t data[];
};

struct prism_sctp_association *sctp_association_ref(struct prism_sctp_association *a)
{
    atomic_fetch_add(&a->refs, 1);
    return a;
}

static void free_association(struct prism_sctp_association *a)
{
    sctp_channels_clear(&a->channels);
    sctp_reassembly_clear(&a->rx);
    g_queue_clear_full(&a->outgoing, free);
    g_mutex_clear(&a->lock);
    free(a);
}

void sctp_association_unref(struct prism_sctp_association *a)
{
    if (atomic_fetch_sub(&a->refs, 1) == 1)
        free_association(a);
}

static void unref_cb(gpointer data)
{
    sctp_association_unref(data);
}

/* ---- the owner's side of the bridge ---- */

static void send_queued(struct prism_sctp_association *a, GQueue *packets)
{
    struct sctp_packet *packet;
    while ((packet = g_queue_pop_head(packets)) != NULL) {
        if (!a->closed)
            a->callbacks.send_cb(a->user_data, packet->data, packet->len);
        free(packet);
    }
}

static gboolean dispatch_cb(gpointer data)
{
    struct prism_sctp_association *a = data;
    g_mutex_lock(&a->lock);
    a->dispatch_scheduled = false;
    GQueue packets = a->outgoing;
    g_queue_init(&a->outgoing);
    bool readable = a->readable;
    a->readable = false;
    unsigned dropped = a->dropped_packets;
    a->dropped_packets = 0;
    g_mutex_unlock(&a->lock);

    send_queued(a, &packets);
    if (dropped && !a->closed && sctp_problem_first(&a->problems.queue_full))
        prism_warn("sctp", "association %u: %u outgoing packet(s) dropped, owner too slow",
                   (unsigned)a->id, dropped);
    if (readable && !a->closed && sctp_socket_read(a, READ_BUDGET))
        sctp_association_mark_readable(a);
    if (!a->closed)
        sctp_channels_flush_resets(&a->channels);
    return G_SOURCE_REMOVE;
}

/* ---- usrsctp's side, any thread ---- */

static void schedule_locked(struct prism_sctp_association *a)
{
    if (a->dispatch_scheduled || a->closed)
        return;
    /* An idle source, not g_main_context_invoke: on the owner's thread that would run the
     * dispatch at once, inside usrsctp. */
    GSource *source = g_idle_source_new();
    g_source_set_priority(source, G_PRIORITY_DEFAULT);
    g_source_set_callback(source, dispatch_cb, sctp_association_ref(a), unref_cb);
    g_source_attach(source, a->context);
    g_source_unref(source);
    a->dispatch_scheduled = true;
}

void sctp_association_queue_packet(struct prism_sctp_association *a, const void *data, size_t len)
{
    struct sctp_packet *packet = malloc(sizeof(*packet) + len);
    if (!packet)
        return;
    packet->len = len;
    memcpy(packet->data, data, len);
    g_mutex_lock(&a->lock);
    bool keep = !a->closed && a->outgoing.length < MAX_QUEUED_PACKETS;
    if (keep) {
        g_queue_push_tail(&a->outgoing, packet);
        schedule_locked(a);
    } else if (!a->closed) {
        a->dropped_packets++;
    }
    g_mutex_unlock(&a->lock);
    if (!keep)
        free(packet);
}

void sctp_association_mark_readable(struct prism_sctp_association *a)
{
    g_mutex_lock(&a->lock);
    a->readable = true;
    schedule_locked(a);
    g_mutex_unlock(&a->lock);
}

/* ---- public API ---- */

static bool valid_config(const struct prism_sctp_config *config)
{
    return config && config->context && config->callbacks.send_cb && config->local_port &&
           config->remote_port;
}

int prism_sctp_association_create(struct prism_sctp_association **out,
                                  const struct prism_sctp_config *config)
{
    if (!out || !valid_config(config))
        return -EINVAL;
    assert_owner(config->context);
    int rc = prism_sctp_global_ref();
    if (rc < 0)
        return rc;
    struct prism_sctp_association *a = calloc(1, sizeof(*a));
    if (!a) {
        prism_sctp_global_unref();
        return -ENOMEM;
    }
    atomic_init(&a->refs, 1);
    g_mutex_init(&a->lock);
    g_queue_init(&a->outgoing);
    a->context = g_main_context_ref(config->context);
    a->callbacks = config->callbacks;
    a->user_data = config->user_data;
    a->local_port = config->local_port;
    a->remote_port = config->remote_port;
    size_t limit = config->max_message_size ? config->max_message_size
                                            : PRISM_SCTP_DEFAULT_MAX_MESSAGE_SIZE;
    sctp_reassembly_init(&a->rx, limit);
    a->id = sctp_registry_add(a);
    struct sctp_channels_config channels = {
        .dtls_client = config->dtls_client,
        .max_message_size = limit,
        .remote_max_message_size = config->remote_max_message_size,
        .transport = sctp_socket_transport(a),
        .callbacks = &a->callbacks,
        .user_data = config->user_data,
        .log_id = (unsigned)a->id,
        .problems = &a->problems,
    };
    sctp_channels_init(&a->channels, &channels);
    rc = sctp_socket_open(a);
    if (rc < 0) {
        prism_warn("sctp", "association %u: cannot set up the SCTP socket: %s", (unsigned)a->id,
                   g_strerror(-rc));
        prism_sctp_association_destroy(a);
        return rc;
    }
    *out = a;
    return 0;
}

static void log_summary(const struct prism_sctp_association *a)
{
    const struct sctp_problems *p = &a->problems;
    unsigned bad = p->malformed_packet + p->bad_dcep + p->unexpected_dcep + p->unknown_stream +
                   p->unknown_ppid + p->oversized + p->interrupted;
    unsigned failed = p->send_failed + p->reset_failed + p->read_failed + p->queue_full;
    if (bad > 1 || failed > 1)
        prism_info("sctp", "association %u closed after %u bad input(s) and %u failure(s)",
                   (unsigned)a->id, bad, failed);
}

void prism_sctp_association_destroy(struct prism_sctp_association *a)
{
    if (!a)
        return;
    assert_owner(a->context);
    g_mutex_lock(&a->lock);
    a->closed = true;
    GQueue packets = a->outgoing;
    g_queue_init(&a->outgoing);
    g_mutex_unlock(&a->lock);
    g_queue_clear_full(&packets, free);
    a->channels.stopped = true;
    /* From here usrsctp's callbacks find nothing; close may still call them (the ABORT). */
    sctp_registry_remove(a->id);
    sctp_socket_close(a);
    log_summary(a);
    g_main_context_unref(a->context);
    a->context = NULL;
    prism_sctp_global_unref();
    sctp_association_unref(a);
}

int prism_sctp_receive(struct prism_sctp_association *a, const uint8_t *data, size_t len)
{
    if (!a || (!data && len > 0))
        return -EINVAL;
    if (a->closed)
        return -EPIPE;
    assert_owner(a->context);
    /* usrsctp loops forever on some malformed lengths: it sees only well-framed packets. */
    enum prism_sctp_packet_verdict verdict = prism_sctp_packet_check(data, len);
    if (verdict != PRISM_SCTP_PACKET_OK) {
        if (sctp_problem_first(&a->problems.malformed_packet))
            prism_warn("sctp",
                       "association %u: dropped a %zu-byte SCTP packet (%s); later ones "
                       "are only counted",
                       (unsigned)a->id, len, prism_sctp_packet_verdict_name(verdict));
        return -EBADMSG;
    }
    sctp_socket_input(a, data, len);
    return 0;
}

bool prism_sctp_is_up(const struct prism_sctp_association *a)
{
    return a && !a->closed && a->channels.up;
}

int prism_sctp_channel_open(struct prism_sctp_association *a,
                            const struct prism_sctp_channel_options *options, uint16_t *stream_id)
{
    if (!a)
        return -EINVAL;
    if (a->closed)
        return -ENOTCONN;
    assert_owner(a->context);
    return sctp_channels_open(&a->channels, options, stream_id);
}

int prism_sctp_channel_close(struct prism_sctp_association *a, uint16_t stream_id)
{
    if (!a)
        return -EINVAL;
    if (a->closed)
        return -ENOENT;
    assert_owner(a->context);
    return sctp_channels_close(&a->channels, stream_id);
}

int prism_sctp_send(struct prism_sctp_association *a, uint16_t stream_id, bool binary,
                    const uint8_t *data, size_t len)
{
    if (!a)
        return -EINVAL;
    if (a->closed)
        return -ENOTCONN;
    assert_owner(a->context);
    return sctp_channels_send(&a->channels, stream_id, binary, data, len);
}
