/* The outbound SRTP sessions of one transport, at most SRTP_SHARD_STREAMS SSRCs each (see
 * internal.h for why), and the table that says which session protects an SSRC. */
#include "media/srtp/internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAP_START 8

int srtp_shards_init(struct srtp_shards *shards, const struct prism_srtp_keys *keys,
                     unsigned window)
{
    memset(shards, 0, sizeof(*shards));
    shards->keys = *keys;
    shards->window = window;
    shards->sessions = calloc(1, sizeof(*shards->sessions));
    shards->streams = calloc(1, sizeof(*shards->streams));
    shards->map = calloc(MAP_START, sizeof(*shards->map));
    if (!shards->sessions || !shards->streams || !shards->map) {
        srtp_shards_clear(shards);
        return -ENOMEM;
    }
    shards->map_size = MAP_START;
    int rc = srtp_session_create(&shards->sessions[0], keys, true, window);
    if (rc < 0) {
        srtp_shards_clear(shards);
        return rc;
    }
    shards->count = 1;
    return 0;
}

void srtp_shards_clear(struct srtp_shards *shards)
{
    /* libsrtp zeroes the cipher contexts (the session keys) as it frees them. */
    for (unsigned i = 0; i < shards->count; i++)
        srtp_dealloc(shards->sessions[i]);
    free(shards->sessions);
    free(shards->streams);
    free(shards->map);
    explicit_bzero(&shards->keys, sizeof(shards->keys));
    memset(shards, 0, sizeof(*shards));
}

/* SSRCs are random (RFC 3550 section 8.1), ours and the clients' alike; the multiplier only
 * spreads sequential ones a test might choose. */
static unsigned slot_of(const struct srtp_shards *shards, uint32_t ssrc)
{
    return (ssrc * 2654435761u) & (shards->map_size - 1);
}

static struct srtp_shard_slot *find(struct srtp_shards *shards, uint32_t ssrc)
{
    for (unsigned i = slot_of(shards, ssrc);; i = (i + 1) & (shards->map_size - 1)) {
        struct srtp_shard_slot *slot = &shards->map[i];
        if (!slot->used || slot->ssrc == ssrc)
            return slot;
    }
}

/* Doubles the table: it is kept at most half full, so a search ends soon. */
static bool grow_map(struct srtp_shards *shards)
{
    struct srtp_shard_slot *old = shards->map;
    unsigned old_size = shards->map_size;
    struct srtp_shard_slot *map = calloc(old_size * 2, sizeof(*map));
    if (!map)
        return false;
    shards->map = map;
    shards->map_size = old_size * 2;
    for (unsigned i = 0; i < old_size; i++) {
        if (old[i].used)
            *find(shards, old[i].ssrc) = old[i];
    }
    free(old);
    return true;
}

/* The session a new SSRC goes to: the last one while it has room, else a new one. */
static int shard_for_new_ssrc(struct srtp_shards *shards)
{
    unsigned last = shards->count - 1;
    if (shards->streams[last] < SRTP_SHARD_STREAMS)
        return (int)last;
    if (shards->count == UINT16_MAX)
        return -ENOSPC;
    srtp_t *sessions = realloc(shards->sessions, (shards->count + 1) * sizeof(*sessions));
    if (sessions)
        shards->sessions = sessions;
    unsigned *streams = realloc(shards->streams, (shards->count + 1) * sizeof(*streams));
    if (streams)
        shards->streams = streams;
    if (!sessions || !streams)
        return -ENOMEM;
    int rc = srtp_session_create(&shards->sessions[shards->count], &shards->keys, true,
                                 shards->window);
    if (rc < 0)
        return rc;
    shards->streams[shards->count] = 0;
    return (int)shards->count++;
}

srtp_t srtp_shards_session(struct srtp_shards *shards, uint32_t ssrc)
{
    struct srtp_shard_slot *slot = find(shards, ssrc);
    if (slot->used)
        return shards->sessions[slot->shard];
    if (2 * (shards->map_used + 1) > shards->map_size) {
        if (!grow_map(shards))
            return NULL;
        slot = find(shards, ssrc);
    }
    int shard = shard_for_new_ssrc(shards);
    if (shard < 0)
        return NULL;
    *slot = (struct srtp_shard_slot){.ssrc = ssrc, .shard = (uint16_t)shard, .used = true};
    shards->map_used++;
    shards->streams[shard]++;
    return shards->sessions[shard];
}

int srtp_shards_remove(struct srtp_shards *shards, uint32_t ssrc)
{
    struct srtp_shard_slot *slot = find(shards, ssrc);
    if (!slot->used)
        return -ENOENT;
    /* The SSRC keeps its session: if it comes back, libsrtp makes it a new stream there. */
    srtp_t session = shards->sessions[slot->shard];
    return srtp_remove_stream(session, htonl(ssrc)) == srtp_err_status_ok ? 0 : -ENOENT;
}
