/* Which RTP header extensions a subscriber is offered and how each is forwarded: the
 * publisher's value with the subscriber's id (audio level, video orientation, playout delay,
 * capture time, dependency descriptor, frame marking), or a value of the SFU's own (the
 * subscriber's mid, abs-send-time written when the packet leaves, the subscriber's own
 * transport-wide sequence number). Everything else the publisher sends (its mid, rid, its
 * transport-wide sequence numbers) is dropped.
 *
 * Another extension joins by adding a rule (and, for a value computed at send time, a kind in
 * media/rtp/ext_rewrite.h). Sans-IO; runs once per negotiation, never per packet. */
#ifndef PRISM_MEDIA_FORWARD_EXTENSIONS_H
#define PRISM_MEDIA_FORWARD_EXTENSIONS_H

#include "media/forward/forward.h"

enum prism_forward_ext_treatment {
    PRISM_FORWARD_EXT_COPY,          /* the publisher's element, id remapped */
    PRISM_FORWARD_EXT_OWN_MID,       /* the subscriber m-line's mid on every packet */
    PRISM_FORWARD_EXT_ABS_SEND_TIME, /* the time the packet is sent (prism_forward_stamp) */
    /* The subscriber PeerConnection's own transport-wide sequence number: a 2-byte element
     * reserved here, overwritten in place as the packet is sent (media/peer/congestion.c). */
    PRISM_FORWARD_EXT_TRANSPORT_SEQ,
};

struct prism_forward_ext_rule {
    const char *uri;
    uint8_t offer_id; /* the id Prism offers it with (one-byte range, unique per rule) */
    enum prism_forward_ext_treatment treatment;
};

#define PRISM_FORWARD_EXT_RULE_COUNT 9
extern const struct prism_forward_ext_rule prism_forward_ext_rules[PRISM_FORWARD_EXT_RULE_COUNT];

/* The publisher's ids of one stream for the rules' URIs (0: not negotiated), by rule index.
 * Small enough to copy into every subscriber stream, on any worker. */
struct prism_forward_ext_ids {
    uint8_t id[PRISM_FORWARD_EXT_RULE_COUNT];
};

/* Fills ids from the extmaps a publisher negotiated on an m-line. */
void prism_forward_ext_ids_from_sdp(struct prism_forward_ext_ids *ids,
                                    const struct prism_sdp_extmap *extmaps, size_t count);

/* The publisher's id of the rule with this URI, 0 when it negotiated none. */
uint8_t prism_forward_ext_id(const struct prism_forward_ext_ids *ids, const char *uri);

/* The extensions to offer a subscriber for a stream whose publisher negotiated `publisher`:
 * the own mid and abs-send-time always, the copied ones the publisher negotiated. Written to
 * out (cap entries at most) with the rules' ids; returns how many. */
size_t prism_forward_ext_offer(const struct prism_forward_ext_ids *publisher,
                               struct prism_sdp_extmap *out, size_t cap);

/* True when a publisher stream's extensions ask for two-byte headers to be offered (the
 * dependency descriptor of a keyframe rarely fits 16 bytes). */
bool prism_forward_ext_wants_two_byte(const struct prism_forward_ext_ids *publisher);

/* Sets src->extensions, src->added_extensions and src->frame_marking_id for a subscriber m-line
 * (its mid, the extmaps it negotiated, whether it negotiated a=extmap-allow-mixed) fed by a
 * publisher stream with ids `publisher`. Extensions the subscriber did not negotiate are dropped.
 */
void prism_forward_ext_configure(struct prism_forward_source *src,
                                 const struct prism_forward_ext_ids *publisher,
                                 const char *subscriber_mid,
                                 const struct prism_sdp_extmap *subscriber, size_t count,
                                 bool two_byte_allowed);

#endif
