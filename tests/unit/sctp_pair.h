/* Test harness for SCTP associations: two of them in one process wired back to back (A's
 * packets are fed to B's receive and the other way round) on a GMainContext the test drives,
 * with every event recorded and the DATA chunks of each packet tapped for their PPID and
 * ordering flag. A is the DTLS client (even stream ids), B the server (odd).
 * Header-only so each test executable includes it. */
#ifndef PRISM_TESTS_SCTP_PAIR_H
#define PRISM_TESTS_SCTP_PAIR_H

#include "media/sctp/packet_check.h"
#include "media/sctp/sctp.h"

#include <glib.h>
#include <string.h>
#include <usrsctp.h>

struct seen_channel {
    uint16_t stream_id;
    char *label;
    char *protocol;
    bool ordered;
    enum prism_sctp_reliability reliability;
    uint32_t reliability_value;
    bool locally_opened;
};

struct seen_message {
    uint16_t stream_id;
    char *label;
    bool binary;
    GBytes *data;
};

/* A DATA chunk seen on the wire. */
struct seen_chunk {
    uint16_t stream_id;
    uint32_t ppid;
    bool unordered;
    uint16_t length; /* chunk length field: 16 header bytes plus the payload */
    uint32_t tsn;
};

struct sctp_peer {
    struct prism_sctp_association *assoc;
    struct sctp_peer *other;
    bool destroyed;
    bool up;
    bool lost;
    guint closed_before_lost; /* channel_closed events heard before association_lost */
    unsigned callbacks_after_destroy;
    GArray *opened;   /* struct seen_channel */
    GArray *closed;   /* uint16_t stream ids */
    GArray *messages; /* struct seen_message */
    GArray *chunks;   /* struct seen_chunk sent by this peer */
    unsigned packets_sent;
    unsigned malformed_sent; /* packets prism_sctp_packet_check() would refuse */
    size_t largest_packet;
    uint32_t peer_tag; /* verification tag of the last packet sent, as the other side expects */
    bool deliver;      /* pass packets to the other side (default true) */
    bool destroy_on_message; /* destroy the association from inside message_cb */
};

struct sctp_pair {
    GMainContext *context;
    struct sctp_peer a;
    struct sctp_peer b;
};

static inline void tap_chunks(struct sctp_peer *peer, const uint8_t *packet, size_t len)
{
    size_t pos = 12;
    while (pos + 4 <= len) {
        uint8_t type = packet[pos];
        uint16_t chunk_len = (uint16_t)(packet[pos + 2] << 8 | packet[pos + 3]);
        if (chunk_len < 4 || pos + chunk_len > len)
            return;
        if (type == 0 && chunk_len >= 16) {
            struct seen_chunk chunk = {
                .stream_id = (uint16_t)(packet[pos + 8] << 8 | packet[pos + 9]),
                .ppid = (uint32_t)packet[pos + 12] << 24 | (uint32_t)packet[pos + 13] << 16 |
                        (uint32_t)packet[pos + 14] << 8 | packet[pos + 15],
                .unordered = (packet[pos + 1] & 0x04) != 0,
                .length = chunk_len,
                .tsn = (uint32_t)packet[pos + 4] << 24 | (uint32_t)packet[pos + 5] << 16 |
                       (uint32_t)packet[pos + 6] << 8 | packet[pos + 7],
            };
            g_array_append_val(peer->chunks, chunk);
        }
        pos += (chunk_len + 3u) & ~3u;
    }
}

static inline struct sctp_peer *peer_of(void *user_data)
{
    struct sctp_peer *peer = user_data;
    if (peer->destroyed)
        peer->callbacks_after_destroy++;
    return peer;
}

static inline void pair_send_cb(void *user_data, const uint8_t *packet, size_t len)
{
    struct sctp_peer *peer = peer_of(user_data);
    peer->packets_sent++;
    if (prism_sctp_packet_check(packet, len) != PRISM_SCTP_PACKET_OK)
        peer->malformed_sent++;
    if (len > peer->largest_packet)
        peer->largest_packet = len;
    if (len >= 12)
        peer->peer_tag = (uint32_t)packet[4] << 24 | (uint32_t)packet[5] << 16 |
                         (uint32_t)packet[6] << 8 | packet[7];
    tap_chunks(peer, packet, len);
    if (peer->deliver && peer->other->assoc)
        prism_sctp_receive(peer->other->assoc, packet, len);
}

static inline void pair_up_cb(void *user_data)
{
    peer_of(user_data)->up = true;
}

static inline void pair_lost_cb(void *user_data)
{
    struct sctp_peer *peer = peer_of(user_data);
    peer->lost = true;
    peer->closed_before_lost = peer->closed->len;
}

static inline void pair_open_cb(void *user_data, const struct prism_sctp_channel_info *info)
{
    struct seen_channel seen = {
        .stream_id = info->stream_id,
        .label = g_strdup(info->label),
        .protocol = g_strdup(info->protocol),
        .ordered = info->ordered,
        .reliability = info->reliability,
        .reliability_value = info->reliability_value,
        .locally_opened = info->locally_opened,
    };
    g_array_append_val(peer_of(user_data)->opened, seen);
}

static inline void pair_closed_cb(void *user_data, uint16_t stream_id, const char *label)
{
    g_array_append_val(peer_of(user_data)->closed, stream_id);
}

static inline void pair_message_cb(void *user_data, const struct prism_sctp_message *message)
{
    struct sctp_peer *peer = peer_of(user_data);
    struct seen_message seen = {
        .stream_id = message->stream_id,
        .label = g_strdup(message->label),
        .binary = message->binary,
        .data = g_bytes_new(message->data, message->len),
    };
    g_array_append_val(peer->messages, seen);
    if (peer->destroy_on_message && !peer->destroyed) {
        peer->destroyed = true;
        prism_sctp_association_destroy(peer->assoc);
        peer->assoc = NULL;
    }
}

static inline void clear_channel(gpointer data)
{
    struct seen_channel *seen = data;
    g_free(seen->label);
    g_free(seen->protocol);
}

static inline void clear_message(gpointer data)
{
    struct seen_message *seen = data;
    g_free(seen->label);
    g_bytes_unref(seen->data);
}

static inline void peer_init(struct sctp_peer *peer, struct sctp_peer *other)
{
    memset(peer, 0, sizeof(*peer));
    peer->other = other;
    peer->deliver = true;
    peer->opened = g_array_new(FALSE, TRUE, sizeof(struct seen_channel));
    g_array_set_clear_func(peer->opened, clear_channel);
    peer->closed = g_array_new(FALSE, TRUE, sizeof(uint16_t));
    peer->messages = g_array_new(FALSE, TRUE, sizeof(struct seen_message));
    g_array_set_clear_func(peer->messages, clear_message);
    peer->chunks = g_array_new(FALSE, TRUE, sizeof(struct seen_chunk));
}

static inline struct prism_sctp_config pair_config(struct sctp_pair *pair, struct sctp_peer *peer,
                                                   bool dtls_client)
{
    struct prism_sctp_config config = {
        .context = pair->context,
        .dtls_client = dtls_client,
        .local_port = PRISM_SCTP_DEFAULT_PORT,
        .remote_port = PRISM_SCTP_DEFAULT_PORT,
        .remote_max_message_size = PRISM_SCTP_DEFAULT_MAX_MESSAGE_SIZE,
        .callbacks =
            {
                .send_cb = pair_send_cb,
                .association_up_cb = pair_up_cb,
                .association_lost_cb = pair_lost_cb,
                .channel_open_cb = pair_open_cb,
                .channel_closed_cb = pair_closed_cb,
                .message_cb = pair_message_cb,
            },
        .user_data = peer,
    };
    return config;
}

/* Sets up both peers without creating the associations, for tests that tune the configs. */
static inline void pair_prepare(struct sctp_pair *pair)
{
    pair->context = g_main_context_new();
    /* The test thread is the owner: it holds the context as a worker's loop would. */
    g_assert_true(g_main_context_acquire(pair->context));
    peer_init(&pair->a, &pair->b);
    peer_init(&pair->b, &pair->a);
}

static inline void pair_create(struct sctp_pair *pair, const struct prism_sctp_config *a,
                               const struct prism_sctp_config *b)
{
    g_assert_cmpint(prism_sctp_association_create(&pair->a.assoc, a), ==, 0);
    g_assert_cmpint(prism_sctp_association_create(&pair->b.assoc, b), ==, 0);
}

static inline void pair_start(struct sctp_pair *pair)
{
    pair_prepare(pair);
    struct prism_sctp_config a = pair_config(pair, &pair->a, true);
    struct prism_sctp_config b = pair_config(pair, &pair->b, false);
    pair_create(pair, &a, &b);
}

static inline void pair_pump_once(struct sctp_pair *pair)
{
    if (!g_main_context_iteration(pair->context, FALSE))
        g_usleep(500);
}

/* Runs the context until cond holds, failing the test after 5 s. */
#define PUMP_UNTIL(pair, cond)                                              \
    do {                                                                    \
        gint64 deadline_ = g_get_monotonic_time() + 5 * G_TIME_SPAN_SECOND; \
        while (!(cond) && g_get_monotonic_time() < deadline_)               \
            pair_pump_once(pair);                                           \
        g_assert_true(cond);                                                \
    } while (0)

/* Runs the context for a while, for checks that something does not happen. */
static inline void pair_pump_for(struct sctp_pair *pair, unsigned ms)
{
    gint64 deadline = g_get_monotonic_time() + ms * G_TIME_SPAN_MILLISECOND;
    while (g_get_monotonic_time() < deadline)
        pair_pump_once(pair);
}

static inline void pair_destroy_peer(struct sctp_peer *peer)
{
    if (!peer->destroyed) {
        peer->destroyed = true;
        prism_sctp_association_destroy(peer->assoc);
        peer->assoc = NULL;
    }
}

static inline void peer_clear(struct sctp_peer *peer)
{
    g_array_free(peer->opened, TRUE);
    g_array_free(peer->closed, TRUE);
    g_array_free(peer->messages, TRUE);
    g_array_free(peer->chunks, TRUE);
}

static inline void pair_finish(struct sctp_pair *pair)
{
    pair_destroy_peer(&pair->a);
    pair_destroy_peer(&pair->b);
    /* Dispatches scheduled before the destroys still hold references: let them run. */
    while (g_main_context_iteration(pair->context, FALSE))
        ;
    g_assert_cmpuint(pair->a.callbacks_after_destroy, ==, 0);
    g_assert_cmpuint(pair->b.callbacks_after_destroy, ==, 0);
    peer_clear(&pair->a);
    peer_clear(&pair->b);
    g_main_context_release(pair->context);
    g_main_context_unref(pair->context);
}

static inline void pair_connect(struct sctp_pair *pair)
{
    pair_start(pair);
    PUMP_UNTIL(pair, pair->a.up && pair->b.up);
}

static inline const struct seen_channel *last_opened(const struct sctp_peer *peer)
{
    g_assert_cmpuint(peer->opened->len, >, 0);
    return &g_array_index(peer->opened, struct seen_channel, peer->opened->len - 1);
}

static inline const struct seen_message *message_at(const struct sctp_peer *peer, guint i)
{
    g_assert_cmpuint(peer->messages->len, >, i);
    return &g_array_index(peer->messages, struct seen_message, i);
}

/* Opens a channel from `from` and waits until both sides announced it. */
static inline uint16_t pair_open(struct sctp_pair *pair, struct sctp_peer *from,
                                 const struct prism_sctp_channel_options *options)
{
    guint from_before = from->opened->len, to_before = from->other->opened->len;
    uint16_t id = 0xffff;
    g_assert_cmpint(prism_sctp_channel_open(from->assoc, options, &id), ==, 0);
    PUMP_UNTIL(pair, from->opened->len > from_before && from->other->opened->len > to_before);
    g_assert_cmpuint(last_opened(from)->stream_id, ==, id);
    g_assert_cmpuint(last_opened(from->other)->stream_id, ==, id);
    return id;
}

static inline void assert_bytes(GBytes *bytes, const void *expected, size_t len)
{
    size_t size = 0;
    const void *data = g_bytes_get_data(bytes, &size);
    g_assert_cmpuint(size, ==, len);
    if (len)
        g_assert_cmpmem(data, size, expected, len);
}

/* Feeds `to` an SCTP packet made of the given chunks, between the default ports, with the
 * verification tag `to` expects and a valid CRC32c, so usrsctp processes it. */
static inline int pair_inject(struct sctp_peer *to, const uint8_t *chunks, size_t len)
{
    uint8_t *packet = g_malloc0(12 + len);
    uint32_t tag = to->other->peer_tag;
    packet[0] = packet[2] = PRISM_SCTP_DEFAULT_PORT >> 8;
    packet[1] = packet[3] = PRISM_SCTP_DEFAULT_PORT & 0xff;
    packet[4] = (uint8_t)(tag >> 24);
    packet[5] = (uint8_t)(tag >> 16);
    packet[6] = (uint8_t)(tag >> 8);
    packet[7] = (uint8_t)tag;
    memcpy(packet + 12, chunks, len);
    uint32_t crc = usrsctp_crc32c(packet, 12 + len);
    memcpy(packet + 8, &crc, sizeof(crc)); /* stored as usrsctp stores it */
    int rc = prism_sctp_receive(to->assoc, packet, 12 + len);
    g_free(packet);
    return rc;
}

#endif
