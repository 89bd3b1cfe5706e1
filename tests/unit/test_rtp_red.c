/* RFC 2198 RED payloads: block headers read as Chrome writes them (Opus with one or two
 * redundant blocks), the primary block found, block payload types remapped, and malformed
 * payloads refused without reading past their end. */
#include "media/rtp/red.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

/* Two redundant Opus blocks (PT 111, 960 and 1920 samples back, 3 and 2 bytes) and a 4-byte
 * primary, as RFC 2198 section 3 lays them out. */
static const uint8_t two_redundant[] = {
    0x80 | 111, 1920 >> 6, (uint8_t)((1920 & 0x3F) << 2),
    3, /* F=1, offset 1920, length 3 */
    0x80 | 111, 960 >> 6,  (uint8_t)((960 & 0x3F) << 2),
    2,                           /* F=1, offset 960, length 2 */
    111,                         /* F=0: primary */
    0xA1,       0xA2,      0xA3, /* oldest block */
    0xB1,       0xB2,            /* newer block */
    0xC1,       0xC2,      0xC3,
    0xC4, /* primary */
};

static void test_rtp_red_reads_redundant_and_primary_blocks(void)
{
    struct prism_rtp_red red;
    g_assert_cmpint(prism_rtp_red_parse(two_redundant, sizeof(two_redundant), &red), ==, 0);
    g_assert_cmpuint(red.count, ==, 3);
    g_assert_cmpuint(red.header_len, ==, 9);
    g_assert_cmpuint(red.blocks[0].timestamp_offset, ==, 1920);
    g_assert_cmpuint(red.blocks[0].offset, ==, 9);
    g_assert_cmpuint(red.blocks[0].length, ==, 3);
    g_assert_cmpuint(red.blocks[1].timestamp_offset, ==, 960);
    g_assert_cmpuint(red.blocks[1].offset, ==, 12);
    g_assert_cmpuint(red.blocks[1].length, ==, 2);
    g_assert_cmpuint(red.blocks[2].payload_type, ==, 111);
    g_assert_cmpuint(red.blocks[2].timestamp_offset, ==, 0);
    g_assert_cmpuint(red.blocks[2].offset, ==, 14);
    g_assert_cmpuint(red.blocks[2].length, ==, 4);

    uint8_t pt = 0;
    size_t offset = 0, length = 0;
    g_assert_cmpint(
        prism_rtp_red_primary(two_redundant, sizeof(two_redundant), &pt, &offset, &length), ==, 0);
    g_assert_cmpuint(pt, ==, 111);
    g_assert_cmphex(two_redundant[offset], ==, 0xC1);
    g_assert_cmpuint(length, ==, 4);
}

static void test_rtp_red_primary_only_payload(void)
{
    /* Chrome's first packets: no redundancy yet, one header byte. */
    const uint8_t only[] = {111, 0xF8, 0xFF, 0xFE};
    uint8_t pt = 0;
    size_t offset = 0, length = 0;
    g_assert_cmpint(prism_rtp_red_primary(only, sizeof(only), &pt, &offset, &length), ==, 0);
    g_assert_cmpuint(pt, ==, 111);
    g_assert_cmpuint(offset, ==, 1);
    g_assert_cmpuint(length, ==, 3);
    /* An empty primary is well formed; the caller decides what to do with it. */
    const uint8_t empty[] = {111};
    g_assert_cmpint(prism_rtp_red_primary(empty, sizeof(empty), &pt, &offset, &length), ==, 0);
    g_assert_cmpuint(length, ==, 0);
}

static void test_rtp_red_remaps_block_payload_types(void)
{
    uint8_t copy[sizeof(two_redundant)];
    memcpy(copy, two_redundant, sizeof(copy));
    g_assert_cmpint(prism_rtp_red_remap(copy, sizeof(copy), 111, 96), ==, 3);
    struct prism_rtp_red red;
    g_assert_cmpint(prism_rtp_red_parse(copy, sizeof(copy), &red), ==, 0);
    for (unsigned i = 0; i < red.count; i++)
        g_assert_cmpuint(red.blocks[i].payload_type, ==, 96);
    /* The F bits, offsets, lengths and data are what they were. */
    g_assert_cmphex(copy[0], ==, 0x80 | 96);
    g_assert_cmphex(copy[8], ==, 96);
    g_assert_cmpmem(copy + 1, 3, two_redundant + 1, 3);
    g_assert_cmpmem(copy + 9, sizeof(copy) - 9, two_redundant + 9, sizeof(copy) - 9);
    /* Blocks of another payload type keep it. */
    g_assert_cmpint(prism_rtp_red_remap(copy, sizeof(copy), 111, 100), ==, 0);
    g_assert_cmphex(copy[4], ==, 0x80 | 96);
}

static void test_rtp_red_refuses_malformed_payloads(void)
{
    struct prism_rtp_red red;
    memset(&red, 0x5A, sizeof(red));
    g_assert_cmpint(prism_rtp_red_parse(two_redundant, 0, &red), ==, -EINVAL);
    /* A redundant header cut short. */
    g_assert_cmpint(prism_rtp_red_parse(two_redundant, 3, &red), ==, -EINVAL);
    /* Redundant headers with no primary header after them. */
    g_assert_cmpint(prism_rtp_red_parse(two_redundant, 8, &red), ==, -EINVAL);
    /* Redundant blocks longer than what follows the headers. */
    g_assert_cmpint(prism_rtp_red_parse(two_redundant, 12, &red), ==, -EINVAL);
    const uint8_t too_long[] = {0x80 | 111, 0, 0x03, 0xFF, 111, 1, 2, 3};
    g_assert_cmpint(prism_rtp_red_parse(too_long, sizeof(too_long), &red), ==, -EINVAL);
    /* Nothing was written on failure. */
    g_assert_cmphex(((uint8_t *)&red)[0], ==, 0x5A);
    uint8_t copy[sizeof(too_long)];
    memcpy(copy, too_long, sizeof(copy));
    g_assert_cmpint(prism_rtp_red_remap(copy, sizeof(copy), 111, 96), ==, -EINVAL);
    g_assert_cmpmem(copy, sizeof(copy), too_long, sizeof(too_long));
    g_assert_cmpint(prism_rtp_red_parse(NULL, 4, &red), ==, -EINVAL);
}

static void test_rtp_red_refuses_too_many_blocks(void)
{
    /* PRISM_RTP_RED_MAX_BLOCKS + 1 empty redundant blocks, then a primary. */
    uint8_t payload[4 * (PRISM_RTP_RED_MAX_BLOCKS + 1) + 2] = {0};
    for (unsigned i = 0; i <= PRISM_RTP_RED_MAX_BLOCKS; i++)
        payload[4 * i] = 0x80 | 111;
    payload[4 * (PRISM_RTP_RED_MAX_BLOCKS + 1)] = 111;
    struct prism_rtp_red red;
    g_assert_cmpint(prism_rtp_red_parse(payload, sizeof(payload), &red), ==, -E2BIG);
    /* Exactly the maximum is read. */
    size_t at = 4 * PRISM_RTP_RED_MAX_BLOCKS;
    payload[at] = 111;
    g_assert_cmpint(prism_rtp_red_parse(payload, at + 2, &red), ==, 0);
    g_assert_cmpuint(red.count, ==, PRISM_RTP_RED_MAX_BLOCKS + 1);
    g_assert_cmpuint(red.blocks[red.count - 1].length, ==, 1);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rtp-red/reads-redundant-and-primary-blocks",
                    test_rtp_red_reads_redundant_and_primary_blocks);
    g_test_add_func("/rtp-red/primary-only-payload", test_rtp_red_primary_only_payload);
    g_test_add_func("/rtp-red/remaps-block-payload-types", test_rtp_red_remaps_block_payload_types);
    g_test_add_func("/rtp-red/refuses-malformed-payloads", test_rtp_red_refuses_malformed_payloads);
    g_test_add_func("/rtp-red/refuses-too-many-blocks", test_rtp_red_refuses_too_many_blocks);
    return g_test_run();
}
