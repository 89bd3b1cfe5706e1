/* Source-to-output sequence number mapping of one segment: offsets that keep real losses as
 * gaps, close up over packets skipped on purpose, and detect a source restarting its numbers
 * (RFC 3550 appendix A.1: two packets in a row far outside the window). */
#include "media/forward/forward_internal.h"

/* How far behind the newest a late packet (reordering, a publisher retransmission) may come,
 * and how far ahead a jump still counts as loss rather than a restart. */
#define MAX_MISORDER 1000
#define MAX_DROPOUT 3000

/* Distance back from the newest source sequence number. The floor and the skips are kept
 * within MAX_MISORDER + MAX_DROPOUT of it, so this never wraps for them. */
static uint16_t age(const struct prism_forward_seqmap *m, uint16_t seq)
{
    return (uint16_t)(m->highest - seq);
}

static uint16_t skip_at(const struct prism_forward_seqmap *m, unsigned i)
{
    return m->skips[(m->skip_first + i) % PRISM_FORWARD_SKIP_HISTORY];
}

static bool is_skip(const struct prism_forward_seqmap *m, uint16_t seq)
{
    for (unsigned i = 0; i < m->skip_count; i++) {
        if (skip_at(m, i) == seq)
            return true;
    }
    return false;
}

static void pop_skip(struct prism_forward_seqmap *m)
{
    m->skip_first = (uint8_t)((m->skip_first + 1) % PRISM_FORWARD_SKIP_HISTORY);
    m->skip_count--;
}

/* Moves the newest mark to in; what falls out of the misorder window is forgotten. */
static void advance(struct prism_forward_seqmap *m, uint16_t in)
{
    m->highest = in;
    if (age(m, m->floor) > MAX_MISORDER)
        m->floor = (uint16_t)(in - MAX_MISORDER - 1);
    while (m->skip_count > 0 && age(m, skip_at(m, 0)) > MAX_MISORDER)
        pop_skip(m);
}

void forward_seqmap_rebase(struct prism_forward_seqmap *m, uint16_t in, uint16_t out)
{
    m->based = true;
    m->has_candidate = false;
    m->offset = (uint16_t)(out - in);
    m->highest = in;
    m->floor = (uint16_t)(in - 1);
    m->skip_first = 0;
    m->skip_count = 0;
}

enum forward_seq_check forward_seqmap_check(struct prism_forward_seqmap *m, uint16_t in)
{
    int delta = prism_rtp_seq_diff(in, m->highest);
    if (delta > 0 && delta <= MAX_DROPOUT) {
        m->has_candidate = false;
        return FORWARD_SEQ_MAP;
    }
    if (delta <= 0 && delta >= -MAX_MISORDER) {
        /* A skipped packet's number went to no one: a packet carrying it again (a duplicate
         * with a payload) has no place either, or it would reuse its predecessor's number. */
        if (age(m, in) >= age(m, m->floor) || is_skip(m, in))
            return FORWARD_SEQ_OLD;
        return FORWARD_SEQ_MAP;
    }
    if (m->has_candidate && in == (uint16_t)(m->candidate + 1)) {
        m->has_candidate = false;
        return FORWARD_SEQ_RESTART;
    }
    m->has_candidate = true;
    m->candidate = in;
    return FORWARD_SEQ_JUMP;
}

uint16_t forward_seqmap_map(struct prism_forward_seqmap *m, uint16_t in)
{
    if (prism_rtp_seq_newer(in, m->highest)) {
        advance(m, in);
        return (uint16_t)(in + m->offset);
    }
    /* A late packet: the skips after it had not shrunk the offset yet when it was sent. */
    uint16_t later_skips = 0;
    for (unsigned i = 0; i < m->skip_count; i++) {
        if (age(m, skip_at(m, i)) < age(m, in))
            later_skips++;
    }
    return (uint16_t)(in + m->offset + later_skips);
}

void forward_seqmap_skip(struct prism_forward_seqmap *m, uint16_t in)
{
    /* A late packet's number was already given away: skipping it just leaves the gap. */
    if (!prism_rtp_seq_newer(in, m->highest))
        return;
    advance(m, in);
    m->offset--;
    if (m->skip_count == PRISM_FORWARD_SKIP_HISTORY) {
        /* Late packets from before the forgotten skip could no longer be placed. */
        m->floor = skip_at(m, 0);
        pop_skip(m);
    }
    m->skips[(m->skip_first + m->skip_count) % PRISM_FORWARD_SKIP_HISTORY] = in;
    m->skip_count++;
}

bool forward_seqmap_unmap(const struct prism_forward_seqmap *m, uint16_t out, uint16_t *in)
{
    if (!m->based)
        return false;
    /* out = in + offset + (skips newer than in): try each count of later skips; the map is
     * one-to-one, so at most one candidate is consistent with its own count. */
    for (unsigned later = 0; later <= m->skip_count; later++) {
        uint16_t candidate = (uint16_t)(out - m->offset - later);
        /* Newer than the newest mapped, or at/before the floor: never sent in this segment. */
        if (age(m, candidate) >= age(m, m->floor))
            continue;
        unsigned newer_skips = 0;
        for (unsigned i = 0; i < m->skip_count; i++) {
            if (age(m, skip_at(m, i)) < age(m, candidate))
                newer_skips++;
        }
        if (!is_skip(m, candidate) && newer_skips == later) {
            *in = candidate;
            return true;
        }
    }
    return false;
}
