/* A bit writer for Dependency Descriptor test vectors (AV1 RTP specification, Appendix A.8),
 * and the L1T3 structure libwebrtc sends (scalability_structure_l1t3.cc): one spatial layer,
 * three temporal layers, decode targets T0, T0+T1, T0+T1+T2, one chain. */
#ifndef PRISM_TESTS_DD_WRITER_H
#define PRISM_TESTS_DD_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct dd_writer {
    uint8_t data[256];
    size_t bits;
};

static inline void dd_put(struct dd_writer *w, uint32_t value, unsigned n)
{
    for (unsigned i = n; i-- > 0;) {
        if (value >> i & 1u)
            w->data[w->bits / 8] |= (uint8_t)(0x80u >> (w->bits % 8));
        w->bits++;
    }
}

static inline size_t dd_bytes(const struct dd_writer *w)
{
    return (w->bits + 7) / 8;
}

static inline void dd_mandatory(struct dd_writer *w, bool start, bool end, unsigned template_id,
                                unsigned frame_number)
{
    memset(w, 0, sizeof(*w));
    dd_put(w, start, 1);
    dd_put(w, end, 1);
    dd_put(w, template_id, 6);
    dd_put(w, frame_number, 16);
}

/* Extended-field flags: structure, active decode targets, custom dtis, fdiffs, chains. */
static inline void dd_flags(struct dd_writer *w, bool structure, bool active, bool dtis,
                            bool fdiffs, bool chains)
{
    dd_put(w, structure, 1);
    dd_put(w, active, 1);
    dd_put(w, dtis, 1);
    dd_put(w, fdiffs, 1);
    dd_put(w, chains, 1);
}

/* L1T3 templates, in layer order: T0 key, T0, T1, T2, T2. DTIs per decode target (S = switch,
 * R = required, D = discardable, - = not present). */
#define DD_L1T3_TEMPLATES 5
static const uint8_t dd_l1t3_tid[DD_L1T3_TEMPLATES] = {0, 0, 1, 2, 2};
static const char *const dd_l1t3_dtis[DD_L1T3_TEMPLATES] = {"SSS", "SSS", "-DR", "--D", "--D"};
static const uint8_t dd_l1t3_fdiff[DD_L1T3_TEMPLATES] = {0, 4, 2, 1, 1}; /* 0: none */
static const uint8_t dd_l1t3_chain[DD_L1T3_TEMPLATES] = {0, 4, 2, 1, 3};

static inline unsigned dd_dti_value(char c)
{
    return c == 'S' ? 2 : c == 'R' ? 3 : c == 'D' ? 1 : 0;
}

/* The L1T3 structure with template_id_offset `offset` and 640x360 (resolutions: optional). */
static inline void dd_l1t3_structure(struct dd_writer *w, unsigned offset, bool resolutions)
{
    dd_put(w, offset, 6);
    dd_put(w, 3 - 1, 5); /* three decode targets */
    for (unsigned t = 0; t < DD_L1T3_TEMPLATES; t++) {
        unsigned next = t + 1 == DD_L1T3_TEMPLATES            ? 3
                        : dd_l1t3_tid[t + 1] > dd_l1t3_tid[t] ? 1
                                                              : 0;
        dd_put(w, next, 2);
    }
    for (unsigned t = 0; t < DD_L1T3_TEMPLATES; t++) {
        for (unsigned dt = 0; dt < 3; dt++)
            dd_put(w, dd_dti_value(dd_l1t3_dtis[t][dt]), 2);
    }
    for (unsigned t = 0; t < DD_L1T3_TEMPLATES; t++) {
        if (dd_l1t3_fdiff[t]) {
            dd_put(w, 1, 1);
            dd_put(w, dd_l1t3_fdiff[t] - 1u, 4);
        }
        dd_put(w, 0, 1);
    }
    /* chain_cnt = ns(4) of 1: w = 3, m = 4, so 2 bits; protected_by = ns(1): no bits. */
    dd_put(w, 1, 2);
    for (unsigned t = 0; t < DD_L1T3_TEMPLATES; t++)
        dd_put(w, dd_l1t3_chain[t], 4);
    dd_put(w, resolutions, 1);
    if (resolutions) {
        dd_put(w, 640 - 1, 16);
        dd_put(w, 360 - 1, 16);
    }
}

/* A keyframe's first packet: the L1T3 structure, template 0 (offset `offset`). */
static inline size_t dd_l1t3_keyframe(struct dd_writer *w, unsigned offset, unsigned frame)
{
    dd_mandatory(w, true, true, offset, frame);
    dd_flags(w, true, false, false, false, false);
    dd_l1t3_structure(w, offset, true);
    return dd_bytes(w);
}

/* A packet of template index `index` without extended fields. */
static inline size_t dd_l1t3_frame(struct dd_writer *w, unsigned offset, unsigned index,
                                   unsigned frame, bool start, bool end)
{
    dd_mandatory(w, start, end, (offset + index) % 64, frame);
    return dd_bytes(w);
}

#endif
