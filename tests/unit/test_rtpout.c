/* RTP out (media/rtpout), what a VideoRoom forwarder puts on the wire: the packet with the
 * configured SSRC and payload type, SRTP that the recipient authenticates and decrypts with the
 * configured key (AES_CM_128_HMAC_SHA1_80 and _32), its first RTCP and the keyframe requests it
 * reads back (sans-IO), then the same through a real socket on loopback: datagrams sent, the
 * RTCP hello, and a PLI from the recipient (not from anyone else) calling back. */
#include "core/loop.h"
#include "media/rtcp/feedback.h"
#include "media/rtcp/rtcp.h"
#include "media/rtp/header.h"
#include "media/rtpout/rtpout.h"
#include "media/srtp/srtp.h"

#include <arpa/inet.h>
#include <glib.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ssrc 0xdeadbeef, payload type 96, to 127.0.0.1:6004 (RTCP 6005), keyed with bytes 0..29
 * when `profile` is not 0. */
static struct prism_rtpout *make_sender(enum prism_srtp_profile profile)
{
    struct prism_rtpout_config config = {
        .port = 6004,
        .rtcp_port = 6005,
        .ssrc = 3735928559u,
        .set_payload_type = true,
        .payload_type = 96,
        .srtp_profile = profile,
    };
    g_assert_cmpint(prism_ip_parse("127.0.0.1", 9, &config.ip), ==, 0);
    for (unsigned i = 0; i < 16; i++)
        config.srtp_key[i] = (uint8_t)i;
    for (unsigned i = 0; i < 14; i++)
        config.srtp_salt[i] = (uint8_t)(16 + i);
    struct prism_rtpout *sender = NULL;
    g_assert_cmpint(prism_rtpout_new(&config, &sender), ==, 0);
    return sender;
}

/* A publisher's VP8 packet: marker set, pt 120, seq 1000, ts 90000, ssrc 0x11223344. */
static size_t publisher_packet(uint8_t *out)
{
    struct prism_rtp_header_fields fields = {
        .marker = true, .payload_type = 120, .seq = 1000, .timestamp = 90000, .ssrc = 0x11223344};
    int header = prism_rtp_build_header(out, 1500, &fields);
    g_assert_cmpint(header, ==, 12);
    for (int i = 0; i < 100; i++)
        out[12 + i] = (uint8_t)(i * 7);
    return 112;
}

static void assert_rewritten(const uint8_t *original, const uint8_t *sent, size_t len)
{
    struct prism_rtp_header header;
    g_assert_cmpint(prism_rtp_parse(sent, len, &header), ==, 0);
    g_assert_cmpuint(header.ssrc, ==, 3735928559u);
    g_assert_cmpuint(header.payload_type, ==, 96);
    g_assert_true(header.marker);
    g_assert_cmpuint(header.seq, ==, 1000);
    g_assert_cmpuint(header.timestamp, ==, 90000);
    g_assert_cmpmem(sent + 12, len - 12, original + 12, 100);
}

static void test_rtpout_rewrites_ssrc_and_payload_type(void)
{
    struct prism_rtpout *sender = make_sender(0);
    uint8_t packet[1500], out[1600];
    size_t len = publisher_packet(packet), out_len = 0;
    g_assert_cmpint(prism_rtpout_rewrite(sender, packet, len, out, sizeof(out), &out_len), ==, 0);
    g_assert_cmpuint(out_len, ==, len);
    assert_rewritten(packet, out, out_len);
    prism_rtpout_free(sender);

    /* Without ssrc and payload type the packet goes on as the publisher sent it. */
    sender = make_sender(0);
    sender->ssrc = 0;
    sender->set_payload_type = false;
    g_assert_cmpint(prism_rtpout_rewrite(sender, packet, len, out, sizeof(out), &out_len), ==, 0);
    g_assert_cmpmem(out, out_len, packet, len);
    prism_rtpout_free(sender);
}

/* The recipient's side of an SDES-keyed link: the request's key protects what it receives. */
static struct prism_srtp *recipient(enum prism_srtp_profile profile, uint8_t first_key_byte)
{
    struct prism_srtp_keys keys = {.profile = profile, .key_len = 16, .salt_len = 14};
    for (unsigned i = 0; i < 16; i++)
        keys.remote_key[i] = keys.local_key[i] = (uint8_t)i;
    for (unsigned i = 0; i < 14; i++)
        keys.remote_salt[i] = keys.local_salt[i] = (uint8_t)(16 + i);
    keys.remote_key[0] = first_key_byte;
    struct prism_srtp *srtp = NULL;
    g_assert_cmpint(prism_srtp_new(&srtp, &keys, NULL), ==, 0);
    return srtp;
}

static void check_srtp_profile(enum prism_srtp_profile profile, size_t tag)
{
    struct prism_rtpout *sender = make_sender(profile);
    uint8_t packet[1500], out[1600], copy[1600];
    size_t len = publisher_packet(packet), out_len = 0, plain_len = 0;
    g_assert_cmpint(prism_rtpout_rewrite(sender, packet, len, out, sizeof(out), &out_len), ==, 0);
    g_assert_cmpuint(out_len, ==, len + tag);
    g_assert_true(memcmp(out + 12, packet + 12, 100) != 0); /* the payload is encrypted */

    /* With a wrong key the tag does not check out. */
    struct prism_srtp *wrong = recipient(profile, 0xff);
    memcpy(copy, out, out_len);
    g_assert_cmpint(prism_srtp_unprotect_rtp(wrong, copy, out_len, &plain_len), ==,
                    PRISM_SRTP_ERR_AUTH);
    prism_srtp_free(wrong);

    struct prism_srtp *right = recipient(profile, 0);
    g_assert_cmpint(prism_srtp_unprotect_rtp(right, out, out_len, &plain_len), ==, PRISM_SRTP_OK);
    g_assert_cmpuint(plain_len, ==, len);
    assert_rewritten(packet, out, plain_len);

    /* The next packet is protected too, each in its own index. */
    prism_rtp_set_seq(packet, 1001);
    g_assert_cmpint(prism_rtpout_rewrite(sender, packet, len, out, sizeof(out), &out_len), ==, 0);
    g_assert_cmpint(prism_srtp_unprotect_rtp(right, out, out_len, &plain_len), ==, PRISM_SRTP_OK);
    prism_srtp_free(right);
    prism_rtpout_free(sender);
}

static void test_rtpout_protects_with_its_key_sha1_80(void)
{
    check_srtp_profile(PRISM_SRTP_AES128_CM_SHA1_80, 10);
}

static void test_rtpout_protects_with_its_key_sha1_32(void)
{
    check_srtp_profile(PRISM_SRTP_AES128_CM_SHA1_32, 4);
}

static void test_rtpout_refuses_packets_it_cannot_hold(void)
{
    struct prism_rtpout *sender = make_sender(PRISM_SRTP_AES128_CM_SHA1_80);
    uint8_t packet[1500], out[1600];
    size_t len = publisher_packet(packet), out_len = 0;
    g_assert_cmpint(prism_rtpout_rewrite(sender, packet, 11, out, sizeof(out), &out_len), ==,
                    -EBADMSG);
    /* Room for the packet but not for its tag. */
    g_assert_cmpint(prism_rtpout_rewrite(sender, packet, len, out, len + 9, &out_len), ==,
                    -EMSGSIZE);
    g_assert_cmpint(prism_rtpout_rewrite(sender, packet, len, out, len + 10, &out_len), ==, 0);
    prism_rtpout_free(sender);
}

static void test_rtpout_reads_keyframe_requests_from_its_recipient(void)
{
    struct prism_rtpout *plain = make_sender(0);
    uint8_t rtcp[256];
    int len = prism_rtcp_build_pli(rtcp, sizeof(rtcp), 1, 3735928559u);
    g_assert_cmpint(len, >, 0);
    g_assert_true(prism_rtpout_rtcp_wants_keyframe(plain, rtcp, (size_t)len));
    len = prism_rtcp_build_rr(rtcp, sizeof(rtcp), 1, NULL, 0);
    g_assert_false(prism_rtpout_rtcp_wants_keyframe(plain, rtcp, (size_t)len));
    memset(rtcp, 0xab, 40);
    g_assert_false(prism_rtpout_rtcp_wants_keyframe(plain, rtcp, 40));
    g_assert_false(prism_rtpout_rtcp_wants_keyframe(plain, rtcp, 0));

    /* The first RTCP packet is an empty receiver report. */
    len = prism_rtpout_hello_rtcp(plain, rtcp, sizeof(rtcp));
    g_assert_cmpint(len, ==, 8);
    g_assert_cmpuint(rtcp[1], ==, PRISM_RTCP_RR);
    prism_rtpout_free(plain);

    /* Keyed: a PLI protected with the key counts, a clear one does not. */
    struct prism_rtpout *keyed = make_sender(PRISM_SRTP_AES128_CM_SHA1_80);
    struct prism_srtp *other_end = recipient(PRISM_SRTP_AES128_CM_SHA1_80, 0);
    len = prism_rtcp_build_pli(rtcp, sizeof(rtcp), 1, 3735928559u);
    g_assert_false(prism_rtpout_rtcp_wants_keyframe(keyed, rtcp, (size_t)len));
    size_t protected_len = 0;
    g_assert_cmpint(
        prism_srtp_protect_rtcp(other_end, rtcp, (size_t)len, sizeof(rtcp), &protected_len), ==,
        PRISM_SRTP_OK);
    g_assert_true(prism_rtpout_rtcp_wants_keyframe(keyed, rtcp, protected_len));
    len = prism_rtpout_hello_rtcp(keyed, rtcp, sizeof(rtcp));
    g_assert_cmpint(len, ==, 8 + 14);
    size_t plain_len = 0;
    g_assert_cmpint(prism_srtp_unprotect_rtcp(other_end, rtcp, (size_t)len, &plain_len), ==,
                    PRISM_SRTP_OK);
    g_assert_cmpuint(plain_len, ==, 8);
    prism_srtp_free(other_end);
    prism_rtpout_free(keyed);
}

static void test_rtpout_refuses_bad_configs(void)
{
    struct prism_rtpout_config config = {.port = 5000};
    struct prism_rtpout *sender = NULL;
    g_assert_cmpint(prism_rtpout_new(&config, &sender), ==, -EINVAL); /* no address */
    g_assert_cmpint(prism_ip_parse("::1", 3, &config.ip), ==, 0);
    config.port = 0;
    g_assert_cmpint(prism_rtpout_new(&config, &sender), ==, -EINVAL);
    config.port = 5000;
    config.payload_type = 128;
    g_assert_cmpint(prism_rtpout_new(&config, &sender), ==, -EINVAL);
    config.payload_type = 0;
    config.srtp_profile = PRISM_SRTP_AEAD_AES_128_GCM; /* needs a 12-byte salt: not SDES here */
    g_assert_cmpint(prism_rtpout_new(&config, &sender), ==, -EINVAL);
    g_assert_null(sender);
    config.srtp_profile = 0;
    config.rtcp_port = 5001;
    g_assert_cmpint(prism_rtpout_new(&config, &sender), ==, 0);
    g_assert_cmpint(prism_rtpout_open(sender, NULL, NULL, NULL), ==, -EINVAL); /* rtcp: no loop */
    prism_rtpout_free(sender);
    prism_rtpout_free(NULL);
}

static int bound_socket(const char *address, uint16_t *port)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in in = {.sin_family = AF_INET};
    inet_pton(AF_INET, address, &in.sin_addr);
    socklen_t len = sizeof(in);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&in, len), ==, 0);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *)&in, &len), ==, 0);
    *port = ntohs(in.sin_port);
    struct timeval timeout = {.tv_sec = 10};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    return fd;
}

static void send_pli(int fd, uint16_t port)
{
    uint8_t pli[64];
    int len = prism_rtcp_build_pli(pli, sizeof(pli), 1, 3735928559u);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    g_assert_cmpint(sendto(fd, pli, (size_t)len, 0, (struct sockaddr *)&to, sizeof(to)), ==, len);
}

struct keyframe_count {
    struct prism_loop *loop;
    unsigned calls;
};

static void count_keyframe_cb(void *user, uint64_t now_us)
{
    struct keyframe_count *count = user;
    count->calls++;
    prism_loop_stop(count->loop);
}

static void test_rtpout_sends_over_udp_and_hears_its_recipient(void)
{
    uint16_t media_port, rtcp_port, stranger_port;
    int media = bound_socket("127.0.0.1", &media_port);
    int rtcp = bound_socket("127.0.0.1", &rtcp_port);
    int stranger = bound_socket("127.0.0.2", &stranger_port);
    struct prism_rtpout *sender = make_sender(0);
    sender->port = media_port;
    sender->rtcp_port = rtcp_port;
    struct keyframe_count count = {0};
    g_assert_cmpint(prism_loop_create(&count.loop), ==, 0);
    g_assert_cmpint(prism_rtpout_open(sender, count.loop, count_keyframe_cb, &count), ==, 0);
    g_assert_cmpuint(sender->local_rtcp_port, >, 0);

    /* The hello reaches the recipient's RTCP port from the local RTCP port. */
    uint8_t buffer[1600];
    struct sockaddr_in from;
    socklen_t from_len = sizeof(from);
    g_assert_cmpint(recvfrom(rtcp, buffer, sizeof(buffer), 0, (struct sockaddr *)&from, &from_len),
                    ==, 8);
    g_assert_cmpuint(buffer[1], ==, PRISM_RTCP_RR);
    g_assert_cmpuint(ntohs(from.sin_port), ==, sender->local_rtcp_port);

    uint8_t packet[1500];
    size_t len = publisher_packet(packet);
    prism_rtpout_send_rtp(sender, packet, len);
    prism_rtpout_send_datagram(sender, (const uint8_t *)"hello", 5);
    g_assert_cmpint(recv(media, buffer, sizeof(buffer), 0), ==, (ssize_t)len);
    assert_rewritten(packet, buffer, len);
    g_assert_cmpint(recv(media, buffer, sizeof(buffer), 0), ==, 5);
    g_assert_cmpmem(buffer, 5, "hello", 5);
    g_assert_cmpuint(sender->packets, ==, 3);
    prism_rtpout_send_rtp(sender, packet, 5); /* not RTP: counted, not sent */
    g_assert_cmpuint(sender->send_errors, ==, 1);

    /* A PLI from another address is ignored; the recipient's calls back once. */
    send_pli(stranger, sender->local_rtcp_port);
    send_pli(rtcp, sender->local_rtcp_port);
    g_assert_cmpint(prism_loop_run(count.loop), ==, 0);
    g_assert_cmpuint(count.calls, ==, 1);

    prism_rtpout_free(sender);
    prism_loop_destroy(count.loop);
    close(media);
    close(rtcp);
    close(stranger);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rtpout/rewrites_ssrc_and_payload_type",
                    test_rtpout_rewrites_ssrc_and_payload_type);
    g_test_add_func("/rtpout/protects_with_its_key_sha1_80",
                    test_rtpout_protects_with_its_key_sha1_80);
    g_test_add_func("/rtpout/protects_with_its_key_sha1_32",
                    test_rtpout_protects_with_its_key_sha1_32);
    g_test_add_func("/rtpout/refuses_packets_it_cannot_hold",
                    test_rtpout_refuses_packets_it_cannot_hold);
    g_test_add_func("/rtpout/reads_keyframe_requests_from_its_recipient",
                    test_rtpout_reads_keyframe_requests_from_its_recipient);
    g_test_add_func("/rtpout/refuses_bad_configs", test_rtpout_refuses_bad_configs);
    g_test_add_func("/rtpout/sends_over_udp_and_hears_its_recipient",
                    test_rtpout_sends_over_udp_and_hears_its_recipient);
    return g_test_run();
}
