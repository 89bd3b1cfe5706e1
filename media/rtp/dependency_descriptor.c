/* Dependency Descriptor parsing (AV1 RTP specification, Appendix A.8 syntax, A.9 semantics).
 * A bounded bit reader: reading past the end sets a flag checked once per section, so every
 * loop is bounded by the limits in the header and never by a count taken on trust. */
#include "media/rtp/dependency_descriptor.h"

#include <errno.h>
#include <string.h>

struct bits {
    const uint8_t *data;
    size_t total; /* bits */
    size_t pos;
    bool overrun;
};

/* f(n): n bits, most significant first; 0 past the end (and overrun set). */
static uint32_t read_bits(struct bits *b, unsigned n)
{
    uint32_t value = 0;
    for (unsigned i = 0; i < n; i++) {
        if (b->pos >= b->total) {
            b->overrun = true;
            return 0;
        }
        unsigned bit = (b->data[b->pos / 8] >> (7 - b->pos % 8)) & 1u;
        value = (value << 1) | bit;
        b->pos++;
    }
    return value;
}

/* ns(n): a non-symmetric unsigned value in 0..n-1 (section A.8.1). */
static uint32_t read_ns(struct bits *b, uint32_t n)
{
    unsigned w = 0;
    for (uint32_t x = n; x != 0; x >>= 1)
        w++;
    uint32_t m = (1u << w) - n;
    uint32_t v = read_bits(b, w - 1);
    if (v < m)
        return v;
    return (v << 1) - m + read_bits(b, 1);
}

/* Spatial and temporal id of each template, in order (A.8.3.1). */
static int read_template_layers(struct bits *b, struct prism_dd_structure *st)
{
    unsigned spatial = 0, temporal = 0, next;
    st->template_count = 0;
    st->max_temporal_id = 0;
    do {
        if (st->template_count >= PRISM_DD_MAX_TEMPLATES)
            return -EBADMSG;
        st->template_spatial_id[st->template_count] = (uint8_t)spatial;
        st->template_temporal_id[st->template_count] = (uint8_t)temporal;
        st->template_count++;
        next = read_bits(b, 2);
        if (next == 1) {
            if (++temporal >= PRISM_DD_MAX_TEMPORAL_IDS)
                return -EBADMSG;
            if (temporal > st->max_temporal_id)
                st->max_temporal_id = (uint8_t)temporal;
        } else if (next == 2) {
            temporal = 0;
            if (++spatial >= PRISM_DD_MAX_SPATIAL_IDS)
                return -EBADMSG;
        }
    } while (next != 3 && !b->overrun);
    st->max_spatial_id = (uint8_t)spatial;
    return b->overrun ? -EBADMSG : 0;
}

static int read_template_fdiffs(struct bits *b, struct prism_dd_structure *st)
{
    for (unsigned t = 0; t < st->template_count; t++) {
        unsigned count = 0;
        while (read_bits(b, 1)) {
            if (count >= PRISM_DD_MAX_FDIFFS || b->overrun)
                return -EBADMSG;
            st->template_fdiff[t][count++] = (uint8_t)(read_bits(b, 4) + 1);
        }
        st->template_fdiff_count[t] = (uint8_t)count;
    }
    return b->overrun ? -EBADMSG : 0;
}

static void read_template_chains(struct bits *b, struct prism_dd_structure *st)
{
    st->chain_count = (uint8_t)read_ns(b, st->decode_target_count + 1u);
    if (st->chain_count == 0)
        return;
    for (unsigned dt = 0; dt < st->decode_target_count; dt++)
        st->decode_target_protected_by[dt] = (uint8_t)read_ns(b, st->chain_count);
    for (unsigned t = 0; t < st->template_count; t++) {
        for (unsigned c = 0; c < st->chain_count; c++)
            st->template_chain_fdiff[t][c] = (uint8_t)read_bits(b, 4);
    }
}

/* A.8.3.4: computed from the templates, no bits. */
static void derive_decode_target_layers(struct prism_dd_structure *st)
{
    for (unsigned dt = 0; dt < st->decode_target_count; dt++) {
        uint8_t spatial = 0, temporal = 0;
        for (unsigned t = 0; t < st->template_count; t++) {
            if (st->template_dti[t][dt] == PRISM_DD_DTI_NOT_PRESENT)
                continue;
            if (st->template_spatial_id[t] > spatial)
                spatial = st->template_spatial_id[t];
            if (st->template_temporal_id[t] > temporal)
                temporal = st->template_temporal_id[t];
        }
        st->decode_target_spatial_id[dt] = spatial;
        st->decode_target_temporal_id[dt] = temporal;
    }
}

static int read_structure(struct bits *b, struct prism_dd_structure *st)
{
    memset(st, 0, sizeof(*st));
    st->template_id_offset = (uint8_t)read_bits(b, 6);
    st->decode_target_count = (uint8_t)(read_bits(b, 5) + 1);
    if (read_template_layers(b, st) < 0)
        return -EBADMSG;
    for (unsigned t = 0; t < st->template_count; t++) {
        for (unsigned dt = 0; dt < st->decode_target_count; dt++)
            st->template_dti[t][dt] = (uint8_t)read_bits(b, 2);
    }
    if (read_template_fdiffs(b, st) < 0)
        return -EBADMSG;
    read_template_chains(b, st);
    derive_decode_target_layers(st);
    st->has_resolutions = read_bits(b, 1);
    for (unsigned s = 0; st->has_resolutions && s <= st->max_spatial_id; s++) {
        st->render_width[s] = (uint16_t)(read_bits(b, 16) + 1);
        st->render_height[s] = (uint16_t)(read_bits(b, 16) + 1);
    }
    return b->overrun ? -EBADMSG : 0;
}

/* The extended fields' flags (A.8.2). */
struct extended {
    bool structure_present;
    bool active_present;
    bool custom_dtis;
    bool custom_fdiffs;
    bool custom_chains;
};

/* Frame-level overrides of the template's values (A.8.4, A.8.5). */
static int read_overrides(struct bits *b, const struct extended *ext,
                          const struct prism_dd_structure *st, struct prism_dd_frame *out)
{
    if (ext->custom_dtis) {
        for (unsigned dt = 0; dt < st->decode_target_count; dt++)
            out->dti[dt] = (uint8_t)read_bits(b, 2);
    }
    if (ext->custom_fdiffs) {
        out->fdiff_count = 0;
        for (unsigned size = read_bits(b, 2); size != 0 && !b->overrun; size = read_bits(b, 2)) {
            if (out->fdiff_count >= PRISM_DD_MAX_FDIFFS)
                return -EBADMSG;
            out->fdiff[out->fdiff_count++] = (uint16_t)(read_bits(b, 4 * size) + 1);
        }
    }
    if (ext->custom_chains) {
        for (unsigned c = 0; c < st->chain_count; c++)
            out->chain_fdiff[c] = (uint8_t)read_bits(b, 8);
    }
    return b->overrun ? -EBADMSG : 0;
}

/* The frame's values from its template (A.8.5 frame_dependency_definition). */
static int apply_template(const struct prism_dd_structure *st, struct prism_dd_frame *out)
{
    unsigned index = (out->template_id + 64u - st->template_id_offset) % 64u;
    if (index >= st->template_count)
        return -ENOENT;
    out->spatial_id = st->template_spatial_id[index];
    out->temporal_id = st->template_temporal_id[index];
    out->decode_target_count = st->decode_target_count;
    memcpy(out->dti, st->template_dti[index], sizeof(out->dti));
    memcpy(out->decode_target_spatial_id, st->decode_target_spatial_id,
           sizeof(out->decode_target_spatial_id));
    memcpy(out->decode_target_temporal_id, st->decode_target_temporal_id,
           sizeof(out->decode_target_temporal_id));
    out->fdiff_count = st->template_fdiff_count[index];
    for (unsigned i = 0; i < out->fdiff_count; i++)
        out->fdiff[i] = st->template_fdiff[index][i];
    out->chain_count = st->chain_count;
    memcpy(out->chain_fdiff, st->template_chain_fdiff[index], sizeof(out->chain_fdiff));
    return 0;
}

static uint32_t all_targets(unsigned count)
{
    return count >= 32 ? UINT32_MAX : (1u << count) - 1u;
}

/* The extended part: a new structure (parsed aside, into *fresh) and the active targets. */
static int read_extended(struct bits *b, struct extended *ext, const struct prism_dd_structure **st,
                         struct prism_dd_structure *fresh, uint32_t *active)
{
    ext->structure_present = read_bits(b, 1);
    ext->active_present = read_bits(b, 1);
    ext->custom_dtis = read_bits(b, 1);
    ext->custom_fdiffs = read_bits(b, 1);
    ext->custom_chains = read_bits(b, 1);
    if (ext->structure_present) {
        if (read_structure(b, fresh) < 0)
            return -EBADMSG;
        *st = fresh;
        *active = all_targets(fresh->decode_target_count);
    }
    if (!*st)
        return -ENOENT;
    if (ext->active_present)
        *active = read_bits(b, (*st)->decode_target_count);
    return b->overrun ? -EBADMSG : 0;
}

int prism_dd_parse(struct prism_dd_state *state, const uint8_t *data, size_t len,
                   struct prism_dd_frame *out)
{
    if (!state || !data || !out)
        return -EINVAL;
    if (len < 3)
        return -EBADMSG;
    struct bits b = {.data = data, .total = len * 8};
    struct prism_dd_frame frame;
    memset(&frame, 0, sizeof(frame));
    frame.start_of_frame = read_bits(&b, 1);
    frame.end_of_frame = read_bits(&b, 1);
    frame.template_id = (uint8_t)read_bits(&b, 6);
    frame.frame_number = (uint16_t)read_bits(&b, 16);

    /* Parsed aside so that a bad packet leaves the known structure alone. Static to keep
     * 5 KB off the stack: one per thread, used only within this call. */
    static _Thread_local struct prism_dd_structure fresh;
    const struct prism_dd_structure *st = state->has_structure ? &state->structure : NULL;
    uint32_t active = state->active_decode_targets;
    struct extended ext = {0};
    if (len > 3) {
        int rc = read_extended(&b, &ext, &st, &fresh, &active);
        if (rc < 0)
            return rc;
    } else if (!st) {
        return -ENOENT;
    }
    int rc = apply_template(st, &frame);
    if (rc < 0)
        return rc;
    if (read_overrides(&b, &ext, st, &frame) < 0)
        return -EBADMSG;
    if (ext.structure_present) {
        state->structure = fresh;
        state->has_structure = true;
        frame.new_structure = true;
    }
    state->active_decode_targets = active;
    frame.active_decode_targets = active;
    *out = frame;
    return 0;
}

bool prism_dd_frame_in_decode_target(const struct prism_dd_frame *frame, unsigned dt)
{
    return frame && dt < frame->decode_target_count && frame->dti[dt] != PRISM_DD_DTI_NOT_PRESENT;
}

bool prism_dd_frame_is_switch(const struct prism_dd_frame *frame, unsigned dt)
{
    return frame && dt < frame->decode_target_count && frame->dti[dt] == PRISM_DD_DTI_SWITCH;
}
