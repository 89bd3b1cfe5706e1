/* The header extension rules of the SFU (see extensions.h). */
#include "media/forward/extensions.h"

#include "media/sdp/negotiate.h"

#include <string.h>

/* Ids 9, 10 and 11 are left free for rid and repaired-rid. */
const struct prism_forward_ext_rule prism_forward_ext_rules[PRISM_FORWARD_EXT_RULE_COUNT] = {
    {PRISM_SDP_EXT_AUDIO_LEVEL, 1, PRISM_FORWARD_EXT_COPY},
    {PRISM_SDP_EXT_ABS_SEND_TIME, 2, PRISM_FORWARD_EXT_ABS_SEND_TIME},
    {PRISM_SDP_EXT_TWCC, 3, PRISM_FORWARD_EXT_TRANSPORT_SEQ},
    {PRISM_SDP_EXT_MID, 4, PRISM_FORWARD_EXT_OWN_MID},
    {PRISM_SDP_EXT_ABS_CAPTURE_TIME, 5, PRISM_FORWARD_EXT_COPY},
    {PRISM_SDP_EXT_PLAYOUT_DELAY, 6, PRISM_FORWARD_EXT_COPY},
    {PRISM_SDP_EXT_DEPENDENCY_DESCRIPTOR, 8, PRISM_FORWARD_EXT_COPY},
    {PRISM_SDP_EXT_VIDEO_ORIENTATION, 13, PRISM_FORWARD_EXT_COPY},
    {PRISM_SDP_EXT_FRAME_MARKING, 7, PRISM_FORWARD_EXT_COPY},
};

static uint8_t find_id(const struct prism_sdp_extmap *extmaps, size_t count, const char *uri)
{
    for (size_t i = 0; extmaps && i < count; i++) {
        if (strcmp(extmaps[i].uri, uri) == 0)
            return extmaps[i].id;
    }
    return 0;
}

void prism_forward_ext_ids_from_sdp(struct prism_forward_ext_ids *ids,
                                    const struct prism_sdp_extmap *extmaps, size_t count)
{
    for (size_t r = 0; r < PRISM_FORWARD_EXT_RULE_COUNT; r++)
        ids->id[r] = find_id(extmaps, count, prism_forward_ext_rules[r].uri);
}

uint8_t prism_forward_ext_id(const struct prism_forward_ext_ids *ids, const char *uri)
{
    for (size_t r = 0; ids && uri && r < PRISM_FORWARD_EXT_RULE_COUNT; r++) {
        if (strcmp(prism_forward_ext_rules[r].uri, uri) == 0)
            return ids->id[r];
    }
    return 0;
}

size_t prism_forward_ext_offer(const struct prism_forward_ext_ids *publisher,
                               struct prism_sdp_extmap *out, size_t cap)
{
    size_t n = 0;
    for (size_t r = 0; r < PRISM_FORWARD_EXT_RULE_COUNT && n < cap; r++) {
        const struct prism_forward_ext_rule *rule = &prism_forward_ext_rules[r];
        if (rule->treatment == PRISM_FORWARD_EXT_COPY && (!publisher || !publisher->id[r]))
            continue;
        memset(&out[n], 0, sizeof(out[n]));
        out[n].id = rule->offer_id;
        strcpy(out[n].uri, rule->uri); /* rule URIs are far shorter than PRISM_SDP_URI_LEN */
        n++;
    }
    return n;
}

bool prism_forward_ext_wants_two_byte(const struct prism_forward_ext_ids *publisher)
{
    for (size_t r = 0; publisher && r < PRISM_FORWARD_EXT_RULE_COUNT; r++) {
        if (publisher->id[r] &&
            strcmp(prism_forward_ext_rules[r].uri, PRISM_SDP_EXT_DEPENDENCY_DESCRIPTOR) == 0)
            return true;
    }
    return false;
}

void prism_forward_ext_configure(struct prism_forward_source *src,
                                 const struct prism_forward_ext_ids *publisher,
                                 const char *subscriber_mid,
                                 const struct prism_sdp_extmap *subscriber, size_t count,
                                 bool two_byte_allowed)
{
    memset(&src->extensions, 0, sizeof(src->extensions));
    memset(&src->added_extensions, 0, sizeof(src->added_extensions));
    src->added_extensions.two_byte_allowed = two_byte_allowed;
    /* Read for temporal layers whether or not the subscriber gets the element itself. */
    src->frame_marking_id = prism_forward_ext_id(publisher, PRISM_SDP_EXT_FRAME_MARKING);
    size_t mid_len = subscriber_mid ? strlen(subscriber_mid) : 0;
    for (size_t r = 0; r < PRISM_FORWARD_EXT_RULE_COUNT; r++) {
        const struct prism_forward_ext_rule *rule = &prism_forward_ext_rules[r];
        uint8_t to = find_id(subscriber, count, rule->uri);
        if (!to)
            continue;
        switch (rule->treatment) {
        case PRISM_FORWARD_EXT_COPY:
            if (publisher && publisher->id[r])
                src->extensions.id[publisher->id[r]] = to;
            break;
        case PRISM_FORWARD_EXT_OWN_MID:
            if (mid_len) /* a mid over 16 bytes cannot travel as an element: left out */
                (void)prism_rtp_ext_added_push(&src->added_extensions, to, PRISM_RTP_EXT_STAMP_NONE,
                                               subscriber_mid, mid_len);
            break;
        case PRISM_FORWARD_EXT_ABS_SEND_TIME:
            (void)prism_rtp_ext_added_push(&src->added_extensions, to,
                                           PRISM_RTP_EXT_STAMP_ABS_SEND_TIME, NULL, 3);
            break;
        case PRISM_FORWARD_EXT_TRANSPORT_SEQ: {
            static const uint8_t placeholder[2];
            (void)prism_rtp_ext_added_push(&src->added_extensions, to, PRISM_RTP_EXT_STAMP_NONE,
                                           placeholder, sizeof(placeholder));
            break;
        }
        }
    }
}
