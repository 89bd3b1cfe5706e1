/* Fuzzes the data channel stack. The first byte picks the mode:
 *
 * even: deterministic, no usrsctp. The rest is a list of records driving the channel engine
 *   and the reassembly directly: socket read pieces (DCEP and user messages through the
 *   reassembly), association up and loss, stream resets, local open, close and send.
 *
 * odd: the rest is one SCTP packet fed to a live association (B) whose peer (A) is another
 *   association in this process. usrsctp runs without threads (manual timers) so every
 *   callback happens here. Ports and CRC32c are fixed up so usrsctp parses the chunks, and
 *   unless the mode byte says otherwise the verification tag is B's and a leading DATA chunk
 *   gets the TSN B expects next, so the fuzzer reaches DCEP and the reassembly through
 *   usrsctp. Once the pair is up, B's packets no longer reach A (its acknowledgements of
 *   injected DATA would make A abort). A pair that died is rebuilt on the next input. */
#include "core/log.h"
#include "media/sctp/dcep.h"
#include "media/sctp/internal.h"
#include "tests/unit/sctp_pair.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- even: the engine alone ---- */

#define ENGINE_LIMIT 2048

struct engine {
    struct sctp_channels ch;
    struct sctp_reassembly rx;
    struct sctp_problems problems;
    struct prism_sctp_callbacks callbacks;
    int reset_result;
};

static int engine_send(void *ctx, const struct sctp_outgoing *m)
{
    if (m->len == 0 || !m->data)
        abort(); /* SCTP cannot carry an empty message */
    return 0;
}

static int engine_reset(void *ctx, const uint16_t *ids, size_t count)
{
    return ((struct engine *)ctx)->reset_result;
}

static void engine_open_cb(void *user_data, const struct prism_sctp_channel_info *info)
{
    if (!g_utf8_validate(info->label, -1, NULL) || !g_utf8_validate(info->protocol, -1, NULL))
        abort();
}

static void engine_message_cb(void *user_data, const struct prism_sctp_message *m)
{
    if (m->len > ENGINE_LIMIT || (m->len > 0 && !m->data))
        abort();
}

static const uint32_t ppids[8] = {50, 51, 52, 53, 54, 56, 57, 0};

static void engine_piece(struct engine *e, uint8_t a, uint8_t b, const uint8_t *p, size_t len)
{
    struct sctp_piece_info info = {
        .stream_id = a,
        .ppid = ppids[b & 7] ? ppids[b & 7] : a,
        .end_of_record = (b & 0x10) != 0,
        .notification = (b & 0x20) != 0,
    };
    struct sctp_user_message m;
    if (sctp_reassembly_push(&e->rx, p, len, &info, &m) == 1 && !m.notification)
        sctp_channels_on_message(&e->ch, m.stream_id, m.ppid, m.data, m.len);
}

static void engine_record(struct engine *e, uint8_t op, uint8_t a, uint8_t b, const uint8_t *p,
                          size_t len)
{
    char *label = g_strndup((const char *)p, len);
    struct prism_sctp_channel_options options = {
        .label = label,
        .ordered = b & 1,
        .reliability = (enum prism_sctp_reliability)((b >> 1) & 3),
        .reliability_value = a,
    };
    uint16_t id;
    switch (op & 7) {
    case 0:
        engine_piece(e, a, b, p, len);
        break;
    case 1:
        sctp_channels_on_up(&e->ch, (uint16_t)(a * 4 + (b & 3)));
        break;
    case 2:
        sctp_channels_on_incoming_reset(&e->ch, a);
        break;
    case 3:
        sctp_channels_on_outgoing_reset(&e->ch, a, b & 1);
        break;
    case 4:
        sctp_channels_open(&e->ch, &options, &id);
        break;
    case 5:
        sctp_channels_close(&e->ch, a);
        break;
    case 6:
        sctp_channels_send(&e->ch, a, b & 1, p, len);
        break;
    default:
        e->reset_result = (b & 2) ? -EAGAIN : 0;
        if (b & 1)
            sctp_channels_on_lost(&e->ch);
        else
            sctp_channels_flush_resets(&e->ch);
    }
    g_free(label);
}

static void run_engine(const uint8_t *data, size_t size)
{
    struct engine e;
    memset(&e, 0, sizeof(e));
    e.callbacks.channel_open_cb = engine_open_cb;
    e.callbacks.message_cb = engine_message_cb;
    struct sctp_channels_config config = {
        .dtls_client = size > 0 && (data[0] & 2),
        .max_message_size = ENGINE_LIMIT,
        .remote_max_message_size = ENGINE_LIMIT,
        .transport = {engine_send, engine_reset, &e},
        .callbacks = &e.callbacks,
        .problems = &e.problems,
    };
    sctp_channels_init(&e.ch, &config);
    sctp_reassembly_init(&e.rx, ENGINE_LIMIT);
    size_t pos = 1;
    while (pos + 5 <= size) {
        size_t len = (size_t)data[pos + 3] << 8 | data[pos + 4];
        if (len > size - pos - 5)
            len = size - pos - 5;
        engine_record(&e, data[pos], data[pos + 1], data[pos + 2], data + pos + 5, len);
        pos += 5 + len;
    }
    sctp_channels_clear(&e.ch);
    sctp_reassembly_clear(&e.rx);
}

/* ---- odd: a live association ---- */

static struct sctp_pair pair;
static bool pair_live;
static uint32_t next_tsn; /* the TSN B expects from A next */

static void drain(void)
{
    for (int i = 0; i < 256 && g_main_context_iteration(pair.context, FALSE); i++)
        ;
}

static void forget_taps(void)
{
    if (pair.a.chunks->len > 0) {
        const struct seen_chunk *last = &g_array_index(pair.a.chunks, struct seen_chunk,
                                                       pair.a.chunks->len - 1);
        next_tsn = last->tsn + 1;
    }
    g_array_set_size(pair.a.chunks, 0);
    g_array_set_size(pair.b.chunks, 0);
    g_array_set_size(pair.a.messages, 0);
    g_array_set_size(pair.b.messages, 0);
}

static void stop_pair(void)
{
    if (pair_live)
        pair_finish(&pair);
    pair_live = false;
}

static void start_pair(void)
{
    static const struct prism_sctp_channel_options chat = {.label = "chat", .ordered = true};
    pair_connect(&pair);
    pair_open(&pair, &pair.a, &chat);
    pair_live = true;
    forget_taps();
    /* B's acknowledgements of injected DATA would make A abort: A no longer hears B. */
    pair.b.deliver = false;
}

static void fix_up(uint8_t *packet, size_t len, uint8_t mode)
{
    packet[0] = packet[2] = PRISM_SCTP_DEFAULT_PORT >> 8;
    packet[1] = packet[3] = PRISM_SCTP_DEFAULT_PORT & 0xff;
    if (!(mode & 0x02)) {
        uint32_t tag = pair.a.peer_tag;
        for (int i = 0; i < 4; i++)
            packet[4 + i] = (uint8_t)(tag >> (24 - 8 * i));
    }
    if (!(mode & 0x04) && len >= 12 + 16 && packet[12] == 0) {
        for (int i = 0; i < 4; i++)
            packet[16 + i] = (uint8_t)(next_tsn >> (24 - 8 * i));
        next_tsn++;
    }
    if (!(mode & 0x08)) {
        memset(packet + 8, 0, 4);
        uint32_t crc = usrsctp_crc32c(packet, len);
        memcpy(packet + 8, &crc, sizeof(crc));
    }
}

static void run_association(const uint8_t *data, size_t size)
{
    if (pair_live && (pair.a.lost || pair.b.lost))
        stop_pair();
    if (!pair_live)
        start_pair();
    size_t len = size - 1;
    uint8_t *packet = g_malloc(len + 1);
    memcpy(packet, data + 1, len);
    if (len >= 12)
        fix_up(packet, len, data[0]);
    prism_sctp_receive(pair.b.assoc, packet, len);
    g_free(packet);
    drain();
    sctp_global_advance(250); /* delayed SACKs and retransmissions */
    drain();
    forget_taps();
}

static void cleanup(void)
{
    stop_pair();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool initialized;
    if (!initialized) {
        initialized = true;
        prism_log_configure(PRISM_LOG_ERROR, false);
        sctp_global_set_manual_timers(true);
        atexit(cleanup);
    }
    if (size == 0)
        return 0;
    if (data[0] & 1)
        run_association(data, size);
    else
        run_engine(data, size);
    return 0;
}
