/* The Dependency Descriptor RTP header extension (AV1 RTP payload specification, Appendix A,
 * https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension):
 * which spatial and temporal layer a packet's frame belongs to and which decode targets need
 * it, for any codec (Chrome sends it with AV1, VP9 and VP8). Keyframes carry a template
 * dependency structure; later packets name a template by id, so a receiver keeps the last
 * structure per publisher stream (struct prism_dd_state).
 *
 * Sans-IO, no allocation: the state is the caller's (about 5 KB, so keep it off the stack and
 * only where the extension was negotiated). Errors: -EINVAL (bad arguments), -EBADMSG
 * (truncated, or a count or value out of range), -ENOENT (a template id with no structure
 * known yet, or not in the structure known). A failed parse never changes the state. */
#ifndef PRISM_MEDIA_RTP_DEPENDENCY_DESCRIPTOR_H
#define PRISM_MEDIA_RTP_DEPENDENCY_DESCRIPTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits as libwebrtc's (dependency_descriptor.h): a structure beyond them is refused. */
#define PRISM_DD_MAX_TEMPLATES 64      /* template ids are 6 bits */
#define PRISM_DD_MAX_DECODE_TARGETS 32 /* dt_cnt_minus_one is 5 bits */
#define PRISM_DD_MAX_SPATIAL_IDS 4     /* spatial ids 0-3 */
#define PRISM_DD_MAX_TEMPORAL_IDS 8    /* temporal ids 0-7 */
#define PRISM_DD_MAX_FDIFFS 16         /* frame diffs per template or frame */
#define PRISM_DD_MAX_CHAINS PRISM_DD_MAX_DECODE_TARGETS

/* Decode target indication (Table A.1): how a frame matters to a decode target. */
enum prism_dd_dti {
    PRISM_DD_DTI_NOT_PRESENT = 0, /* not part of the decode target */
    PRISM_DD_DTI_DISCARDABLE = 1, /* part of it, nothing later depends on it */
    PRISM_DD_DTI_SWITCH = 2,      /* a decoder may start (switch to the target) here */
    PRISM_DD_DTI_REQUIRED = 3,    /* part of it, needed by later frames */
};

/* The template dependency structure (section A.8.3), with the values derived from it. */
struct prism_dd_structure {
    uint8_t template_id_offset;
    uint8_t decode_target_count; /* DtCnt, 1-32 */
    uint8_t template_count;      /* 1-64 */
    uint8_t chain_count;         /* 0-DtCnt */
    uint8_t max_spatial_id;
    uint8_t max_temporal_id;
    uint8_t template_spatial_id[PRISM_DD_MAX_TEMPLATES];
    uint8_t template_temporal_id[PRISM_DD_MAX_TEMPLATES];
    uint8_t template_dti[PRISM_DD_MAX_TEMPLATES][PRISM_DD_MAX_DECODE_TARGETS];
    uint8_t template_fdiff_count[PRISM_DD_MAX_TEMPLATES];
    uint8_t template_fdiff[PRISM_DD_MAX_TEMPLATES][PRISM_DD_MAX_FDIFFS]; /* 1-16 */
    uint8_t decode_target_protected_by[PRISM_DD_MAX_DECODE_TARGETS];     /* chain index */
    uint8_t template_chain_fdiff[PRISM_DD_MAX_TEMPLATES][PRISM_DD_MAX_CHAINS];
    /* Highest spatial and temporal id of the frames a decode target needs (A.8.3.4). */
    uint8_t decode_target_spatial_id[PRISM_DD_MAX_DECODE_TARGETS];
    uint8_t decode_target_temporal_id[PRISM_DD_MAX_DECODE_TARGETS];
    bool has_resolutions;
    uint16_t render_width[PRISM_DD_MAX_SPATIAL_IDS]; /* by spatial id, when has_resolutions */
    uint16_t render_height[PRISM_DD_MAX_SPATIAL_IDS];
};

/* What a receiver remembers between packets of one publisher stream. Zero-initialise it. */
struct prism_dd_state {
    bool has_structure;
    uint32_t active_decode_targets; /* bit per decode target */
    struct prism_dd_structure structure;
};

/* One packet's descriptor, resolved through the structure. */
struct prism_dd_frame {
    bool start_of_frame;
    bool end_of_frame;
    uint8_t template_id;
    uint16_t frame_number;
    bool new_structure; /* this packet carried the structure (a keyframe's first packet) */
    uint8_t spatial_id;
    uint8_t temporal_id;
    uint8_t decode_target_count;
    uint32_t active_decode_targets;
    uint8_t dti[PRISM_DD_MAX_DECODE_TARGETS]; /* enum prism_dd_dti, by decode target */
    /* The structure's layers of each decode target, so that layer choice needs only this. */
    uint8_t decode_target_spatial_id[PRISM_DD_MAX_DECODE_TARGETS];
    uint8_t decode_target_temporal_id[PRISM_DD_MAX_DECODE_TARGETS];
    uint8_t fdiff_count;
    uint16_t fdiff[PRISM_DD_MAX_FDIFFS];
    uint8_t chain_count;
    uint8_t chain_fdiff[PRISM_DD_MAX_CHAINS];
};

/* Parses the extension element's data (len bytes) of one packet: takes a structure it carries
 * into state, and writes the frame's description to *out. 0, -EINVAL, -EBADMSG or -ENOENT. */
int prism_dd_parse(struct prism_dd_state *state, const uint8_t *data, size_t len,
                   struct prism_dd_frame *out);

/* True when the frame is part of decode target dt (its indication is not "not present"). */
bool prism_dd_frame_in_decode_target(const struct prism_dd_frame *frame, unsigned dt);

/* True when a decoder of decode target dt may start at this frame (indication "switch"). */
bool prism_dd_frame_is_switch(const struct prism_dd_frame *frame, unsigned dt);

#endif
