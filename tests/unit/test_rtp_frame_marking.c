/* The frame-marking header extension (draft-ietf-avtext-framemarking): the short form of a
 * non-scalable stream and the long forms of a scalable one read bit for bit, values written
 * back the same, and elements of any other length refused without reading past them. */
#include "media/rtp/extension.h"
#include "media/rtp/frame_marking.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

static void test_rtp_frame_marking_reads_the_short_form(void)
{
    struct prism_rtp_frame_marking m;
    /* S, I: the first packet of an IDR picture, base layer. */
    const uint8_t idr[] = {0xA0};
    g_assert_cmpint(prism_rtp_frame_marking_parse(idr, sizeof(idr), &m), ==, 0);
    g_assert_true(m.start && m.independent);
    g_assert_false(m.end || m.discardable || m.base_sync || m.has_lid || m.has_tl0picidx);
    g_assert_cmpuint(m.tid, ==, 0);
    /* E, D, B, TID 2: the last packet of a discardable top-layer frame that refers to the base
     * layer only (an L1T3 stream's TID 2 frame, as earlier drafts write it). */
    const uint8_t top[] = {0x40 | 0x10 | 0x08 | 2};
    g_assert_cmpint(prism_rtp_frame_marking_parse(top, sizeof(top), &m), ==, 0);
    g_assert_true(m.end && m.discardable && m.base_sync);
    g_assert_false(m.start || m.independent);
    g_assert_cmpuint(m.tid, ==, 2);
}

static void test_rtp_frame_marking_reads_the_long_forms(void)
{
    struct prism_rtp_frame_marking m;
    const uint8_t full[] = {0x80 | 0x40 | 1, 0x21, 0xFE};
    g_assert_cmpint(prism_rtp_frame_marking_parse(full, sizeof(full), &m), ==, 0);
    g_assert_true(m.start && m.end && m.has_lid && m.has_tl0picidx);
    g_assert_cmpuint(m.tid, ==, 1);
    g_assert_cmpuint(m.lid, ==, 0x21);
    g_assert_cmpuint(m.tl0picidx, ==, 0xFE);
    /* TL0PICIDX omitted (L=1). */
    const uint8_t no_index[] = {0x07, 0x03};
    g_assert_cmpint(prism_rtp_frame_marking_parse(no_index, sizeof(no_index), &m), ==, 0);
    g_assert_true(m.has_lid);
    g_assert_false(m.has_tl0picidx);
    g_assert_cmpuint(m.tid, ==, 7);
    g_assert_cmpuint(m.lid, ==, 3);
}

static void test_rtp_frame_marking_refuses_other_lengths(void)
{
    uint8_t bytes[16];
    memset(bytes, 0xFF, sizeof(bytes));
    struct prism_rtp_frame_marking m = {.tid = 5};
    g_assert_cmpint(prism_rtp_frame_marking_parse(bytes, 0, &m), ==, -EBADMSG);
    g_assert_cmpint(prism_rtp_frame_marking_parse(bytes, 4, &m), ==, -EBADMSG);
    g_assert_cmpint(prism_rtp_frame_marking_parse(bytes, 16, &m), ==, -EBADMSG);
    g_assert_cmpint(prism_rtp_frame_marking_parse(NULL, 1, &m), ==, -EINVAL);
    g_assert_cmpint(prism_rtp_frame_marking_parse(bytes, 1, NULL), ==, -EINVAL);
    g_assert_cmpuint(m.tid, ==, 5); /* untouched on failure */
    g_assert_false(m.start);
}

static void test_rtp_frame_marking_writes_what_it_reads(void)
{
    uint8_t out[3];
    struct prism_rtp_frame_marking m = {.start = true, .base_sync = true, .tid = 3};
    g_assert_cmpint(prism_rtp_frame_marking_write(&m, out, sizeof(out)), ==, 1);
    g_assert_cmphex(out[0], ==, 0x8B);
    m.has_lid = true;
    m.lid = 9;
    m.has_tl0picidx = true;
    m.tl0picidx = 200;
    g_assert_cmpint(prism_rtp_frame_marking_write(&m, out, sizeof(out)), ==, 3);
    struct prism_rtp_frame_marking back;
    g_assert_cmpint(prism_rtp_frame_marking_parse(out, 3, &back), ==, 0);
    g_assert_true(memcmp(&back, &m, sizeof(m)) == 0);
    g_assert_cmpint(prism_rtp_frame_marking_write(&m, out, 2), ==, -ENOSPC);
    m.has_lid = false; /* a TL0PICIDX needs the layer id before it */
    g_assert_cmpint(prism_rtp_frame_marking_write(&m, out, sizeof(out)), ==, -EINVAL);
    m.has_tl0picidx = false;
    m.tid = 8;
    g_assert_cmpint(prism_rtp_frame_marking_write(&m, out, sizeof(out)), ==, -EINVAL);
}

/* In a packet: a one-byte element (L=0) among others, found by its negotiated id. */
static void test_rtp_frame_marking_found_in_a_packet(void)
{
    uint8_t packet[] = {
        0x90, 102,  0x00, 0x01, 0x00, 0x00, 0x0B, 0xB8, 0x11, 0x22, 0x33, 0x44, /* X set */
        0xBE, 0xDE, 0x00, 0x02,                                                 /* 2 words */
        0x31, 0x00, 0x05,                                                       /* id 3: twcc */
        0x70, 0x82,                                                             /* id 7: S, TID 2 */
        0x00, 0x00, 0x00,                                                       /* padding */
        0x7C, 0x81,                                                             /* payload */
    };
    struct prism_rtp_header h;
    g_assert_cmpint(prism_rtp_parse(packet, sizeof(packet), &h), ==, 0);
    struct prism_rtp_ext e;
    g_assert_cmpint(prism_rtp_ext_find(&h, 7, &e), ==, 0);
    struct prism_rtp_frame_marking m;
    g_assert_cmpint(prism_rtp_frame_marking_parse(e.data, e.len, &m), ==, 0);
    g_assert_true(m.start);
    g_assert_cmpuint(m.tid, ==, 2);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rtp/frame_marking/reads_the_short_form",
                    test_rtp_frame_marking_reads_the_short_form);
    g_test_add_func("/rtp/frame_marking/reads_the_long_forms",
                    test_rtp_frame_marking_reads_the_long_forms);
    g_test_add_func("/rtp/frame_marking/refuses_other_lengths",
                    test_rtp_frame_marking_refuses_other_lengths);
    g_test_add_func("/rtp/frame_marking/writes_what_it_reads",
                    test_rtp_frame_marking_writes_what_it_reads);
    g_test_add_func("/rtp/frame_marking/found_in_a_packet",
                    test_rtp_frame_marking_found_in_a_packet);
    return g_test_run();
}
