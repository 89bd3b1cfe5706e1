/* Continuity across segments: where the output sequence numbers and timestamps of a new
 * segment (after a switch, resume, SSRC change or restart) start, so the subscriber sees one
 * unbroken stream whose clock advanced by the wall-clock time that passed. */
#include "media/forward/forward_internal.h"

/* Longer pauses advance the clock as if they had lasted this long (35 minutes), which keeps
 * the 32.32 multiplication below 2^63 for every allowed clock rate. */
#define MAX_ELAPSED_US (1ull << 31)
/* And never by half the timestamp circle or more, which would read as going backwards. */
#define MAX_TICKS (1u << 30)

uint32_t forward_ticks_since(const struct prism_forward_stream *s, uint64_t now_us)
{
    uint64_t elapsed = now_us > s->out.time_us ? now_us - s->out.time_us : 0;
    if (elapsed > MAX_ELAPSED_US)
        elapsed = MAX_ELAPSED_US;
    uint64_t ticks = (elapsed * s->ticks_per_us_q32) >> 32;
    if (ticks > MAX_TICKS)
        ticks = MAX_TICKS;
    /* Two frames of different sources must not share a timestamp. */
    return ticks > 0 ? (uint32_t)ticks : 1;
}

void forward_rebase(struct prism_forward_stream *s, const struct prism_rtp_header *in,
                    uint64_t now_us)
{
    uint16_t seq;
    uint32_t timestamp;
    if (s->out.started) {
        seq = (uint16_t)(s->out.seq + 1 + s->pending_gap);
        timestamp = s->out.timestamp + forward_ticks_since(s, now_us);
    } else {
        seq = s->initial_seq;
        timestamp = s->initial_timestamp;
    }
    forward_seqmap_rebase(&s->seq, in->seq, seq);
    s->timestamp_offset = timestamp - in->timestamp;
    s->pending_gap = 0;
    /* Picture ids re-base on the first packet that carries one (rewrite.c). */
    s->picture_id_based = false;
    s->tl0picidx_based = false;
    s->waiting_keyframe = false;
    s->keyframe_asked = false;
}
