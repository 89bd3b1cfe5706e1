/* Fuzzes RTCP: compound iteration, every parser (TWCC included) and the forwarding rewrites,
 * checking that translating in place and into another buffer agree. */
#include <stdlib.h>
#include <string.h>

#include "media/rtcp/feedback.h"
#include "media/rtcp/rtcp.h"
#include "twcc_walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void parse_reports(const struct prism_rtcp_reports *reports)
{
    struct prism_rtcp_report_block rb;
    for (unsigned i = 0; i < reports->count; i++)
        (void)prism_rtcp_report_get(reports, i, &rb);
}

static void parse_sdes_and_bye(const struct prism_rtcp_packet *p)
{
    struct prism_rtcp_sdes_iter it;
    struct prism_rtcp_sdes_item item;
    struct prism_rtcp_bye bye;
    if (prism_rtcp_sdes_iter_init(&it, p) == 0) {
        while (prism_rtcp_sdes_next(&it, &item) > 0)
            ;
        (void)prism_rtcp_sdes_find_cname(p, &item);
    }
    if (prism_rtcp_bye_parse(p, &bye) == 0) {
        for (unsigned i = 0; i < bye.count; i++)
            (void)prism_rtcp_bye_ssrc(&bye, i);
    }
}

static void parse_feedback(const struct prism_rtcp_packet *p)
{
    struct prism_rtcp_fb fb;
    struct prism_rtcp_nack nack;
    struct prism_rtcp_fir fir;
    struct prism_rtcp_fir_entry entry;
    struct prism_rtcp_remb remb;
    struct prism_rtcp_twcc twcc;
    uint16_t lost[512];
    (void)prism_rtcp_fb_parse(p, &fb);
    (void)prism_rtcp_pli_parse(p, &fb);
    if (prism_rtcp_nack_parse(p, &nack) == 0 &&
        prism_rtcp_nack_lost(&nack, lost, sizeof(lost) / sizeof(lost[0])) == 0)
        __builtin_trap(); /* every FCI names at least its PID */
    if (prism_rtcp_fir_parse(p, &fir) == 0) {
        for (size_t i = 0; i < fir.count; i++)
            (void)prism_rtcp_fir_get(&fir, i, &entry);
    }
    if (prism_rtcp_remb_parse(p, &remb) == 0) {
        for (unsigned i = 0; i < remb.count; i++)
            (void)prism_rtcp_remb_ssrc(&remb, i);
    }
    if (prism_rtcp_twcc_parse(p, &twcc) == 0)
        fuzz_twcc_walk(&twcc);
}

static bool odd_ssrcs_cb(void *user, uint32_t ssrc, uint32_t *mapped)
{
    (void)user;
    *mapped = ssrc ^ 0xFFFF0000u;
    return ssrc & 1;
}

static void check_translate(const uint8_t *data, size_t size)
{
    uint8_t *out = malloc(size + 1);
    uint8_t *in_place = malloc(size + 1);
    if (!out || !in_place)
        goto done;
    memcpy(in_place, data, size);
    int a = prism_rtcp_translate(data, size, out, size, 0xABCD, odd_ssrcs_cb, NULL);
    int b = prism_rtcp_translate(in_place, size, in_place, size, 0xABCD, odd_ssrcs_cb, NULL);
    if (a != b || (a > 0 && memcmp(out, in_place, (size_t)a) != 0))
        __builtin_trap();
    if (a > 0 && prism_rtcp_validate(out, (size_t)a) != 0)
        __builtin_trap();
done:
    free(out);
    free(in_place);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct prism_rtcp_iter it;
    struct prism_rtcp_packet p;
    uint8_t *copy = malloc(size + 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    (void)prism_rtcp_validate(data, size);
    prism_rtcp_iter_init(&it, data, size);
    while (prism_rtcp_next(&it, &p) > 0) {
        struct prism_rtcp_sr sr;
        struct prism_rtcp_rr rr;
        if (prism_rtcp_sr_parse(&p, &sr) == 0) {
            parse_reports(&sr.reports);
            (void)prism_rtcp_sr_rewrite(copy + p.offset, p.len, 0x1234, 90000);
        }
        if (prism_rtcp_rr_parse(&p, &rr) == 0)
            parse_reports(&rr.reports);
        parse_sdes_and_bye(&p);
        parse_feedback(&p);
    }
    free(copy);
    check_translate(data, size);
    return 0;
}
