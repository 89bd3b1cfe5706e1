/* The channel engine without usrsctp: DCEP open and acknowledgement byte by byte (RFC 8832),
 * stream parity, PPIDs including the empty and deprecated partial ones (RFC 8831), closing by
 * stream reset in both directions and its retry, association loss, and malformed DCEP. */
#include "media/sctp/dcep.h"
#include "media/sctp/internal.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

struct sent {
    uint16_t stream_id;
    uint32_t ppid;
    bool unordered;
    enum prism_sctp_reliability reliability;
    uint32_t reliability_value;
    GBytes *data;
};

struct fake {
    struct sctp_channels ch;
    struct sctp_problems problems;
    struct prism_sctp_callbacks callbacks;
    GArray *sent;   /* struct sent */
    GArray *resets; /* uint16_t stream ids asked to reset */
    int reset_result;
    GString *events; /* "up;", "open 0 chat L;", "closed 0;", "msg 0 T hello;", "lost;" */
    bool stop_on_open;
};

static int fake_send(void *ctx, const struct sctp_outgoing *m)
{
    struct fake *f = ctx;
    struct sent s = {m->stream_id,         m->ppid,
                     m->unordered,         m->reliability,
                     m->reliability_value, g_bytes_new(m->data, m->len)};
    g_array_append_val(f->sent, s);
    return 0;
}

static int fake_reset(void *ctx, const uint16_t *ids, size_t count)
{
    struct fake *f = ctx;
    if (f->reset_result < 0)
        return f->reset_result;
    g_array_append_vals(f->resets, ids, (guint)count);
    return 0;
}

static void up_cb(void *user_data)
{
    g_string_append(((struct fake *)user_data)->events, "up;");
}

static void lost_cb(void *user_data)
{
    g_string_append(((struct fake *)user_data)->events, "lost;");
}

static void open_cb(void *user_data, const struct prism_sctp_channel_info *c)
{
    struct fake *f = user_data;
    g_string_append_printf(f->events, "open %u %s %s %s %d %u %s;", c->stream_id, c->label,
                           c->protocol[0] ? c->protocol : "-", c->ordered ? "O" : "U",
                           c->reliability, c->reliability_value, c->locally_opened ? "L" : "R");
    if (f->stop_on_open)
        f->ch.stopped = true;
}

static void closed_cb(void *user_data, uint16_t stream_id, const char *label)
{
    g_string_append_printf(((struct fake *)user_data)->events, "closed %u %s;", stream_id, label);
}

static void message_cb(void *user_data, const struct prism_sctp_message *m)
{
    g_string_append_printf(((struct fake *)user_data)->events, "msg %u %s %.*s;", m->stream_id,
                           m->binary ? "B" : "T", (int)m->len,
                           m->data ? (const char *)m->data : "");
}

static void fake_init(struct fake *f, bool dtls_client)
{
    memset(f, 0, sizeof(*f));
    f->callbacks = (struct prism_sctp_callbacks){NULL,    up_cb,     lost_cb,
                                                 open_cb, closed_cb, message_cb};
    f->sent = g_array_new(FALSE, TRUE, sizeof(struct sent));
    f->resets = g_array_new(FALSE, TRUE, sizeof(uint16_t));
    f->events = g_string_new(NULL);
    struct sctp_channels_config config = {
        .dtls_client = dtls_client,
        .max_message_size = 16,
        .remote_max_message_size = 0,
        .transport = {fake_send, fake_reset, f},
        .callbacks = &f->callbacks,
        .user_data = f,
        .problems = &f->problems,
    };
    sctp_channels_init(&f->ch, &config);
}

static void fake_clear(struct fake *f)
{
    sctp_channels_clear(&f->ch);
    for (guint i = 0; i < f->sent->len; i++)
        g_bytes_unref(g_array_index(f->sent, struct sent, i).data);
    g_array_free(f->sent, TRUE);
    g_array_free(f->resets, TRUE);
    g_string_free(f->events, TRUE);
}

static const struct sent *sent_at(const struct fake *f, guint i)
{
    g_assert_cmpuint(f->sent->len, >, i);
    return &g_array_index(f->sent, struct sent, i);
}

static void assert_sent_bytes(const struct sent *s, const void *expected, size_t len)
{
    size_t size;
    const void *data = g_bytes_get_data(s->data, &size);
    g_assert_cmpmem(data, size, expected, len);
}

static void feed(struct fake *f, uint16_t stream, uint32_t ppid, const void *data, size_t len)
{
    sctp_channels_on_message(&f->ch, stream, ppid, data, len);
}

/* DATA_CHANNEL_OPEN, RFC 8832 section 5.1: unordered, 3 retransmissions, priority 256,
 * label "game", protocol "v1". */
static const uint8_t open_game[] = {0x03, 0x81, 0x01, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00,
                                    0x04, 0x00, 0x02, 'g',  'a',  'm',  'e',  'v',  '1'};

static void test_channels_acknowledge_and_announce_a_peer_open(void)
{
    struct fake f;
    fake_init(&f, false);
    sctp_channels_on_up(&f.ch, 1024);
    feed(&f, 0, PRISM_SCTP_PPID_DCEP, open_game, sizeof(open_game));
    g_assert_cmpstr(f.events->str, ==, "up;open 0 game v1 U 1 3 R;");
    const struct sent *ack = sent_at(&f, 0);
    g_assert_cmpuint(ack->stream_id, ==, 0);
    g_assert_cmpuint(ack->ppid, ==, 50);
    g_assert_false(ack->unordered); /* DCEP goes ordered and reliable */
    g_assert_cmpint(ack->reliability, ==, PRISM_SCTP_RELIABLE);
    assert_sent_bytes(ack, "\x02", 1);
    fake_clear(&f);
}

static void test_channels_send_open_with_role_parity_and_go_ordered_until_acked(void)
{
    struct fake f;
    fake_init(&f, true);
    sctp_channels_on_up(&f.ch, 1024);
    struct prism_sctp_channel_options options = {
        .label = "game",
        .protocol = "v1",
        .ordered = false,
        .reliability = PRISM_SCTP_MAX_RETRANSMITS,
        .reliability_value = 3,
    };
    uint16_t first = 99, second = 99;
    g_assert_cmpint(sctp_channels_open(&f.ch, &options, &first), ==, 0);
    g_assert_cmpint(sctp_channels_open(&f.ch, &options, &second), ==, 0);
    g_assert_cmpuint(first, ==, 0);
    g_assert_cmpuint(second, ==, 2);
    assert_sent_bytes(sent_at(&f, 0), open_game, sizeof(open_game));
    g_assert_cmpint(sctp_channels_send(&f.ch, first, false, (const uint8_t *)"a", 1), ==, 0);
    g_assert_false(sent_at(&f, 2)->unordered);
    g_assert_cmpint(sent_at(&f, 2)->reliability, ==, PRISM_SCTP_MAX_RETRANSMITS);
    g_assert_cmpuint(sent_at(&f, 2)->reliability_value, ==, 3);
    feed(&f, first, PRISM_SCTP_PPID_DCEP, "\x02", 1);
    g_assert_cmpstr(f.events->str, ==, "up;open 0 game v1 U 1 3 L;");
    g_assert_cmpint(sctp_channels_send(&f.ch, first, false, (const uint8_t *)"b", 1), ==, 0);
    g_assert_true(sent_at(&f, 3)->unordered);
    fake_clear(&f);
}

static void test_channels_data_before_ack_opens_a_local_channel(void)
{
    struct fake f;
    fake_init(&f, false);
    sctp_channels_on_up(&f.ch, 1024);
    struct prism_sctp_channel_options options = {.label = "c", .ordered = true};
    uint16_t id = 0;
    g_assert_cmpint(sctp_channels_open(&f.ch, &options, &id), ==, 0);
    g_assert_cmpuint(id, ==, 1); /* DTLS server: odd */
    feed(&f, id, PRISM_SCTP_PPID_STRING, "hi", 2);
    feed(&f, id, PRISM_SCTP_PPID_DCEP, "\x02", 1); /* the late ACK changes nothing */
    g_assert_cmpstr(f.events->str, ==, "up;open 1 c - O 0 0 L;msg 1 T hi;");
    fake_clear(&f);
}

static void test_channels_frame_messages_by_ppid(void)
{
    struct fake f;
    fake_init(&f, false);
    sctp_channels_on_up(&f.ch, 1024);
    feed(&f, 0, PRISM_SCTP_PPID_DCEP, open_game, sizeof(open_game));
    g_string_truncate(f.events, 0);
    feed(&f, 0, PRISM_SCTP_PPID_BINARY, "bin", 3);
    feed(&f, 0, PRISM_SCTP_PPID_STRING_EMPTY, "\0", 1);
    feed(&f, 0, PRISM_SCTP_PPID_BINARY_EMPTY, "\0", 1);
    /* Deprecated partial PPIDs: pieces joined up to the final one. */
    feed(&f, 0, PRISM_SCTP_PPID_STRING_PARTIAL, "hel", 3);
    feed(&f, 0, PRISM_SCTP_PPID_STRING_PARTIAL, "lo ", 3);
    feed(&f, 0, PRISM_SCTP_PPID_STRING, "you", 3);
    /* Over the 16-byte limit: the pieces and their final one are dropped, the next is fine. */
    feed(&f, 0, PRISM_SCTP_PPID_BINARY_PARTIAL, "0123456789", 10);
    feed(&f, 0, PRISM_SCTP_PPID_BINARY_PARTIAL, "0123456789", 10);
    feed(&f, 0, PRISM_SCTP_PPID_BINARY, "end", 3);
    feed(&f, 0, PRISM_SCTP_PPID_BINARY, "next", 4);
    feed(&f, 0, 1234, "odd", 3);
    g_assert_cmpstr(f.events->str, ==,
                    "msg 0 B bin;msg 0 T ;msg 0 B ;msg 0 T hello you;"
                    "msg 0 B next;");
    g_assert_cmpuint(f.problems.oversized, ==, 1);
    g_assert_cmpuint(f.problems.unknown_ppid, ==, 1);
    fake_clear(&f);
}

static void test_channels_send_empty_messages_with_one_byte(void)
{
    struct fake f;
    fake_init(&f, false);
    sctp_channels_on_up(&f.ch, 1024);
    feed(&f, 0, PRISM_SCTP_PPID_DCEP, open_game, sizeof(open_game));
    g_assert_cmpint(sctp_channels_send(&f.ch, 0, false, NULL, 0), ==, 0);
    g_assert_cmpint(sctp_channels_send(&f.ch, 0, true, NULL, 0), ==, 0);
    g_assert_cmpuint(sent_at(&f, 1)->ppid, ==, 56);
    assert_sent_bytes(sent_at(&f, 1), "\0", 1);
    g_assert_cmpuint(sent_at(&f, 2)->ppid, ==, 57);
    g_assert_cmpint(sctp_channels_send(&f.ch, 0, true, NULL, 3), ==, -EINVAL);
    fake_clear(&f);
}

static void test_channels_ignore_malformed_dcep_and_stray_data(void)
{
    struct fake f;
    fake_init(&f, false);
    sctp_channels_on_up(&f.ch, 1024);
    static const uint8_t truncated[] = {0x03, 0x00, 0x01, 0x00};
    static const uint8_t bad_type[] = {0x03, 0x05, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    static const uint8_t bad_utf8[] = {0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0xc3, 0x28};
    static const uint8_t label_past_end[] = {0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 'a'};
    feed(&f, 0, PRISM_SCTP_PPID_DCEP, truncated, sizeof(truncated));
    feed(&f, 0, PRISM_SCTP_PPID_DCEP, bad_type, sizeof(bad_type));
    feed(&f, 0, PRISM_SCTP_PPID_DCEP, bad_utf8, sizeof(bad_utf8));
    feed(&f, 0, PRISM_SCTP_PPID_DCEP, label_past_end, sizeof(label_past_end));
    feed(&f, 0, PRISM_SCTP_PPID_DCEP, NULL, 0);
    feed(&f, 0, PRISM_SCTP_PPID_DCEP, "\x02", 1); /* ACK for nothing */
    feed(&f, 0, PRISM_SCTP_PPID_STRING, "stray", 5);
    g_assert_cmpstr(f.events->str, ==, "up;");
    g_assert_cmpuint(f.sent->len, ==, 0);
    g_assert_cmpuint(f.problems.bad_dcep, ==, 6);
    g_assert_cmpuint(f.problems.unknown_stream, ==, 1);
    /* A second OPEN on a stream in use is refused. */
    feed(&f, 0, PRISM_SCTP_PPID_DCEP, open_game, sizeof(open_game));
    feed(&f, 0, PRISM_SCTP_PPID_DCEP, open_game, sizeof(open_game));
    g_assert_cmpuint(f.problems.unexpected_dcep, ==, 1);
    g_assert_cmpuint(f.sent->len, ==, 1);
    fake_clear(&f);
}

static void test_channels_close_frees_the_stream_after_both_resets(void)
{
    struct fake f;
    fake_init(&f, true);
    sctp_channels_on_up(&f.ch, 1024);
    struct prism_sctp_channel_options options = {.label = "c", .ordered = true};
    uint16_t id = 0, other = 0;
    g_assert_cmpint(sctp_channels_open(&f.ch, &options, &id), ==, 0);
    g_assert_cmpint(sctp_channels_close(&f.ch, id), ==, 0);
    g_assert_cmpuint(f.resets->len, ==, 1);
    g_assert_cmpuint(g_array_index(f.resets, uint16_t, 0), ==, id);
    g_assert_cmpint(sctp_channels_send(&f.ch, id, false, (const uint8_t *)"x", 1), ==, -EPIPE);
    g_assert_cmpint(sctp_channels_close(&f.ch, id), ==, 0);
    sctp_channels_on_outgoing_reset(&f.ch, id, false);
    /* Still taken until the peer resets its side. */
    g_assert_cmpint(sctp_channels_open(&f.ch, &options, &other), ==, 0);
    g_assert_cmpuint(other, ==, 2);
    sctp_channels_on_incoming_reset(&f.ch, id);
    g_assert_cmpstr(f.events->str, ==, "up;closed 0 c;");
    g_assert_cmpint(sctp_channels_close(&f.ch, id), ==, -ENOENT);
    g_assert_cmpint(sctp_channels_open(&f.ch, &options, &other), ==, 0);
    g_assert_cmpuint(other, ==, 0);
    fake_clear(&f);
}

static void test_channels_answer_a_peer_reset_with_their_own(void)
{
    struct fake f;
    fake_init(&f, false);
    sctp_channels_on_up(&f.ch, 1024);
    feed(&f, 4, PRISM_SCTP_PPID_DCEP, open_game, sizeof(open_game));
    f.reset_result = -EAGAIN; /* another reset is in flight: retried later */
    sctp_channels_on_incoming_reset(&f.ch, 4);
    g_assert_cmpstr(f.events->str, ==, "up;open 4 game v1 U 1 3 R;closed 4 game;");
    g_assert_cmpuint(f.resets->len, ==, 0);
    g_assert_true(f.ch.resets_wanted);
    f.reset_result = 0;
    sctp_channels_flush_resets(&f.ch);
    g_assert_cmpuint(f.resets->len, ==, 1);
    g_assert_cmpuint(g_array_index(f.resets, uint16_t, 0), ==, 4);
    sctp_channels_on_outgoing_reset(&f.ch, 4, false);
    /* The stream is free: the peer may open it again. */
    feed(&f, 4, PRISM_SCTP_PPID_DCEP, open_game, sizeof(open_game));
    g_assert_true(g_str_has_suffix(f.events->str, "closed 4 game;open 4 game v1 U 1 3 R;"));
    fake_clear(&f);
}

static void test_channels_open_pending_until_up_and_within_outbound_streams(void)
{
    struct fake f;
    fake_init(&f, true);
    struct prism_sctp_channel_options options = {.label = "p", .ordered = true};
    uint16_t first = 9, second = 9, dropped = 9;
    g_assert_cmpint(sctp_channels_open(&f.ch, &options, &first), ==, 0);
    g_assert_cmpint(sctp_channels_open(&f.ch, &options, &second), ==, 0);
    g_assert_cmpint(sctp_channels_open(&f.ch, &options, &dropped), ==, 0);
    g_assert_cmpint(sctp_channels_close(&f.ch, dropped), ==, 0); /* never sent: just gone */
    g_assert_cmpuint(f.sent->len, ==, 0);
    g_assert_cmpint(sctp_channels_send(&f.ch, first, false, (const uint8_t *)"x", 1), ==,
                    -ENOTCONN);
    sctp_channels_on_up(&f.ch, 2); /* only streams 0 and 1 go out */
    g_assert_cmpuint(f.sent->len, ==, 1);
    g_assert_cmpuint(sent_at(&f, 0)->stream_id, ==, first);
    g_assert_cmpstr(f.events->str, ==, "up;closed 2 p;");
    /* With 2 outbound streams, stream 0 taken, a client has no even id left. */
    g_assert_cmpint(sctp_channels_open(&f.ch, &options, &second), ==, -ENOSPC);
    fake_clear(&f);
}

static void test_channels_lost_closes_every_channel_then_reports(void)
{
    struct fake f;
    fake_init(&f, false);
    sctp_channels_on_up(&f.ch, 1024);
    feed(&f, 2, PRISM_SCTP_PPID_DCEP, open_game, sizeof(open_game));
    feed(&f, 0, PRISM_SCTP_PPID_DCEP, open_game, sizeof(open_game));
    g_string_truncate(f.events, 0);
    sctp_channels_on_lost(&f.ch);
    g_assert_cmpstr(f.events->str, ==, "closed 0 game;closed 2 game;lost;");
    uint16_t id;
    struct prism_sctp_channel_options options = {.label = "late"};
    g_assert_cmpint(sctp_channels_open(&f.ch, &options, &id), ==, -ENOTCONN);
    g_assert_cmpint(sctp_channels_send(&f.ch, 0, false, (const uint8_t *)"x", 1), ==, -ENOENT);
    fake_clear(&f);
}

static void test_channels_emit_nothing_once_stopped_in_a_callback(void)
{
    struct fake f;
    fake_init(&f, false);
    sctp_channels_on_up(&f.ch, 1024);
    f.stop_on_open = true;
    feed(&f, 0, PRISM_SCTP_PPID_DCEP, open_game, sizeof(open_game));
    feed(&f, 0, PRISM_SCTP_PPID_STRING, "ignored", 7);
    sctp_channels_on_incoming_reset(&f.ch, 0);
    sctp_channels_on_lost(&f.ch);
    g_assert_cmpstr(f.events->str, ==, "up;open 0 game v1 U 1 3 R;");
    fake_clear(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sctp/channels/peer_open", test_channels_acknowledge_and_announce_a_peer_open);
    g_test_add_func("/sctp/channels/local_open",
                    test_channels_send_open_with_role_parity_and_go_ordered_until_acked);
    g_test_add_func("/sctp/channels/data_implies_ack",
                    test_channels_data_before_ack_opens_a_local_channel);
    g_test_add_func("/sctp/channels/ppids", test_channels_frame_messages_by_ppid);
    g_test_add_func("/sctp/channels/empty", test_channels_send_empty_messages_with_one_byte);
    g_test_add_func("/sctp/channels/malformed", test_channels_ignore_malformed_dcep_and_stray_data);
    g_test_add_func("/sctp/channels/close", test_channels_close_frees_the_stream_after_both_resets);
    g_test_add_func("/sctp/channels/peer_reset", test_channels_answer_a_peer_reset_with_their_own);
    g_test_add_func("/sctp/channels/pending",
                    test_channels_open_pending_until_up_and_within_outbound_streams);
    g_test_add_func("/sctp/channels/lost", test_channels_lost_closes_every_channel_then_reports);
    g_test_add_func("/sctp/channels/stopped",
                    test_channels_emit_nothing_once_stopped_in_a_callback);
    return g_test_run();
}
