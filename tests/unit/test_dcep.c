/* DCEP (RFC 8832) DATA_CHANNEL_OPEN / ACK parsing and building, and RFC 8831 PPIDs. */
#include "media/sctp/dcep.h"

#include <errno.h>
#include <string.h>

#include <glib.h>

/* DATA_CHANNEL_OPEN, reliable ordered, priority 256, label "chat", protocol "json". */
/* clang-format off */
static const uint8_t sample_open[] = {
    0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x04,
    'c',  'h',  'a',  't',  'j',  's',  'o',  'n',
};
/* clang-format on */

static void test_dcep_parses_open(void)
{
    struct prism_dcep_open open;
    g_assert_cmpint(prism_dcep_message_type(sample_open, sizeof(sample_open)), ==,
                    PRISM_DCEP_DATA_CHANNEL_OPEN);
    g_assert_cmpint(prism_dcep_open_parse(sample_open, sizeof(sample_open), &open), ==, 0);
    g_assert_cmpuint(open.channel_type, ==, PRISM_DCEP_RELIABLE);
    g_assert_true(prism_dcep_is_ordered(open.channel_type));
    g_assert_cmpuint(open.priority, ==, PRISM_DCEP_PRIORITY_NORMAL);
    g_assert_cmpuint(open.reliability, ==, 0);
    g_assert_cmpmem(open.label, open.label_len, "chat", 4);
    g_assert_cmpmem(open.protocol, open.protocol_len, "json", 4);
}

static void test_dcep_open_round_trips_partial_reliability(void)
{
    const struct prism_dcep_open in = {
        .channel_type = PRISM_DCEP_PARTIAL_RELIABLE_TIMED_UNORDERED,
        .priority = PRISM_DCEP_PRIORITY_HIGH,
        .reliability = 1500,
        .label = "caf\xC3\xA9", /* UTF-8 */
        .label_len = 5,
    };
    uint8_t buf[64];
    int len = prism_dcep_build_open(buf, sizeof(buf), &in);
    g_assert_cmpint(len, ==, 17);
    g_assert_cmpint(prism_dcep_build_open(buf, 16, &in), ==, -ENOSPC);
    struct prism_dcep_open out;
    g_assert_cmpint(prism_dcep_open_parse(buf, (size_t)len, &out), ==, 0);
    g_assert_cmpuint(out.channel_type, ==, 0x82);
    g_assert_false(prism_dcep_is_ordered(out.channel_type));
    g_assert_cmpuint(out.priority, ==, 512);
    g_assert_cmpuint(out.reliability, ==, 1500);
    g_assert_cmpmem(out.label, out.label_len, "caf\xC3\xA9", 5);
    g_assert_cmpuint(out.protocol_len, ==, 0);

    const struct prism_dcep_open same = {.channel_type = 0x00,
                                         .priority = 256,
                                         .label = "chat",
                                         .label_len = 4,
                                         .protocol = "json",
                                         .protocol_len = 4};
    g_assert_cmpint(prism_dcep_build_open(buf, sizeof(buf), &same), ==, (int)sizeof(sample_open));
    g_assert_cmpmem(buf, sizeof(sample_open), sample_open, sizeof(sample_open));
}

static void test_dcep_rejects_label_length_past_end(void)
{
    uint8_t msg[sizeof(sample_open)];
    struct prism_dcep_open open;
    memcpy(msg, sample_open, sizeof(msg));
    msg[9] = 5; /* label 5 + protocol 4 > 8 bytes present */
    g_assert_cmpint(prism_dcep_open_parse(msg, sizeof(msg), &open), ==, -EBADMSG);
    msg[8] = 0xFF;
    msg[9] = 0xFF;
    g_assert_cmpint(prism_dcep_open_parse(msg, sizeof(msg), &open), ==, -EBADMSG);
    memcpy(msg, sample_open, sizeof(msg));
    msg[11] = 5; /* protocol too long */
    g_assert_cmpint(prism_dcep_open_parse(msg, sizeof(msg), &open), ==, -EBADMSG);
    /* Every truncation of a valid message fails. */
    for (size_t len = 0; len < sizeof(sample_open); len++)
        g_assert_cmpint(prism_dcep_open_parse(sample_open, len, &open), ==, -EBADMSG);
}

static void test_dcep_rejects_bad_type_and_text(void)
{
    uint8_t msg[sizeof(sample_open)];
    struct prism_dcep_open open;
    memcpy(msg, sample_open, sizeof(msg));
    msg[1] = 0x03; /* unknown channel type */
    g_assert_cmpint(prism_dcep_open_parse(msg, sizeof(msg), &open), ==, -EBADMSG);
    memcpy(msg, sample_open, sizeof(msg));
    msg[0] = PRISM_DCEP_DATA_CHANNEL_ACK;
    g_assert_cmpint(prism_dcep_open_parse(msg, sizeof(msg), &open), ==, -EBADMSG);
    memcpy(msg, sample_open, sizeof(msg));
    msg[13] = 0xFF; /* not UTF-8 */
    g_assert_cmpint(prism_dcep_open_parse(msg, sizeof(msg), &open), ==, -EBADMSG);
    memcpy(msg, sample_open, sizeof(msg));
    msg[17] = 0x00; /* NUL inside the protocol */
    g_assert_cmpint(prism_dcep_open_parse(msg, sizeof(msg), &open), ==, -EBADMSG);
    const struct prism_dcep_open bad = {.channel_type = 0x7F};
    uint8_t buf[32];
    g_assert_cmpint(prism_dcep_build_open(buf, sizeof(buf), &bad), ==, -EINVAL);
}

static void test_dcep_ack_round_trips(void)
{
    uint8_t buf[4] = {0};
    g_assert_cmpint(prism_dcep_build_ack(buf, 0), ==, -ENOSPC);
    g_assert_cmpint(prism_dcep_build_ack(buf, sizeof(buf)), ==, 1);
    g_assert_true(prism_dcep_is_ack(buf, 1));
    g_assert_false(prism_dcep_is_ack(buf, 2));
    g_assert_false(prism_dcep_is_ack(sample_open, 1));
    g_assert_cmpint(prism_dcep_message_type(buf, 1), ==, PRISM_DCEP_DATA_CHANNEL_ACK);
    g_assert_cmpint(prism_dcep_message_type(buf, 0), ==, -EBADMSG);
}

static void test_dcep_ppids_match_rfc_8831(void)
{
    g_assert_cmpint(PRISM_SCTP_PPID_DCEP, ==, 50);
    g_assert_cmpint(PRISM_SCTP_PPID_STRING, ==, 51);
    g_assert_cmpint(PRISM_SCTP_PPID_BINARY, ==, 53);
    g_assert_cmpint(PRISM_SCTP_PPID_STRING_EMPTY, ==, 56);
    g_assert_cmpint(PRISM_SCTP_PPID_BINARY_EMPTY, ==, 57);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/dcep/parses-open", test_dcep_parses_open);
    g_test_add_func("/dcep/open-round-trips-partial-reliability",
                    test_dcep_open_round_trips_partial_reliability);
    g_test_add_func("/dcep/rejects-label-length-past-end", test_dcep_rejects_label_length_past_end);
    g_test_add_func("/dcep/rejects-bad-type-and-text", test_dcep_rejects_bad_type_and_text);
    g_test_add_func("/dcep/ack-round-trips", test_dcep_ack_round_trips);
    g_test_add_func("/dcep/ppids-match-rfc-8831", test_dcep_ppids_match_rfc_8831);
    return g_test_run();
}
