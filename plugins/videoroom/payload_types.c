/* Payload types of a subscriber's offer. Every m-line of the offer is in one BUNDLE group, where
 * a payload type must keep one meaning (RFC 8843 section 9.1): publishers pick their payload
 * types each on its own (aiortc's Opus is 96, Chromium's VP8 is 96; every RTX used to be 97), so
 * a subscriber's m-line keeps its publisher's payload type only when no other m-line of the
 * offer gives it another codec, and takes a free one otherwise. The forwarding rewrites the
 * publisher's payload type into the subscriber's. Audio RED (RFC 2198) over the codec gets one
 * too, shared only with RED over the same payload type. Room worker only. */
#include "plugins/videoroom/participant.h"

#include <glib.h>
#include <string.h>

#define NO_PAYLOAD_TYPE (-1)

static bool payload_type_in_range(int pt)
{
    return (pt >= 96 && pt <= 127) || (pt >= 35 && pt <= 63);
}

static bool same_codec(const struct prism_sdp_codec *a, const struct prism_sdp_codec *b)
{
    return g_ascii_strcasecmp(a->name, b->name) == 0 && a->clock_rate == b->clock_rate &&
           a->channels == b->channels && strcmp(a->fmtp, b->fmtp) == 0;
}

/* Whether `stream`'s m-line may use `pt` for `codec`, or with `codec` NULL for the
 * retransmissions (RTX) of its codec, given every other m-line of the subscriber's offer
 * (inactive ones included: they stay in the offer with their codec). */
static bool payload_type_free(const struct vr_subscriber *subscriber,
                              const struct vr_sub_stream *stream, int pt,
                              const struct prism_sdp_codec *codec)
{
    if (!codec && pt == stream->codec.pt)
        return false;
    for (unsigned i = 0; i < subscriber->stream_count; i++) {
        const struct vr_sub_stream *other = subscriber->streams[i];
        if (!other || other == stream || !other->codec.name[0])
            continue;
        if (other->codec.pt == pt && (!codec || !same_codec(&other->codec, codec)))
            return false;
        if (other->red_pt && other->red_pt == pt)
            return false;
        bool other_rtx = other->kind == PRISM_SDP_MEDIA_VIDEO && other->rtx_pt == pt;
        if (other_rtx && (codec || other->codec.pt != stream->codec.pt))
            return false;
    }
    return true;
}

/* Whether `stream`'s m-line may use `pt` for RED over its codec: no other m-line uses it,
 * except for RED over the same payload type (the same meaning in the BUNDLE group). */
static bool red_payload_type_free(const struct vr_subscriber *subscriber,
                                  const struct vr_sub_stream *stream, int pt)
{
    if (pt == stream->codec.pt)
        return false;
    for (unsigned i = 0; i < subscriber->stream_count; i++) {
        const struct vr_sub_stream *other = subscriber->streams[i];
        if (!other || other == stream || !other->codec.name[0])
            continue;
        bool same_red = other->red_pt == pt && other->codec.pt == stream->codec.pt;
        if (other->codec.pt == pt || (other->red_pt == pt && !same_red) ||
            (other->kind == PRISM_SDP_MEDIA_VIDEO && other->rtx_pt == pt))
            return false;
    }
    return true;
}

static uint8_t choose_red(const struct vr_subscriber *subscriber,
                          const struct vr_sub_stream *stream, int preferred)
{
    if (payload_type_in_range(preferred) && red_payload_type_free(subscriber, stream, preferred))
        return (uint8_t)preferred;
    for (int pt = 127; pt >= 35; pt--) {
        if ((pt >= 96 || pt <= 63) && red_payload_type_free(subscriber, stream, pt))
            return (uint8_t)pt;
    }
    return 0; /* no payload type left: the subscriber gets the primary blocks */
}

/* `preferred` when it is free, else the first free dynamic payload type (96-127, then 35-63,
 * RFC 3551 and RFC 5761 section 4). */
static uint8_t choose(const struct vr_subscriber *subscriber, const struct vr_sub_stream *stream,
                      int preferred, const struct prism_sdp_codec *codec)
{
    if (preferred != NO_PAYLOAD_TYPE && payload_type_free(subscriber, stream, preferred, codec))
        return (uint8_t)preferred;
    for (int pt = 96; pt <= 127; pt++) {
        if (payload_type_free(subscriber, stream, pt, codec))
            return (uint8_t)pt;
    }
    for (int pt = 35; pt <= 63; pt++) {
        if (payload_type_free(subscriber, stream, pt, codec))
            return (uint8_t)pt;
    }
    /* More codecs than payload types: only with dozens of distinct ones; keep the preferred. */
    return preferred == NO_PAYLOAD_TYPE ? 97 : (uint8_t)preferred;
}

void vr_sub_stream_set_codec(struct vr_sub_stream *stream, const struct prism_sdp_codec *source)
{
    stream->source_pt = source->pt;
    /* A switch to a source of the same codec keeps what the subscriber negotiated. */
    if (stream->active && stream->codec.name[0] && stream->codec.id == source->id &&
        stream->codec.clock_rate == source->clock_rate)
        return;
    stream->codec = *source;
    stream->red_pt = 0;
    stream->codec.pt = choose(stream->subscriber, stream, source->pt, source);
    stream->rtx_pt = 0;
    if (stream->kind == PRISM_SDP_MEDIA_VIDEO)
        stream->rtx_pt = choose(stream->subscriber, stream, stream->codec.pt == 97 ? 98 : 97, NULL);
    if (stream->kind == PRISM_SDP_MEDIA_AUDIO && stream->source_red_pt)
        stream->red_pt = choose_red(stream->subscriber, stream, stream->source_red_pt);
}
