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
    int rc = srtp_session_create(&shards->first, keys, true, window);
    if (rc < 0)
        srtp_shards_clear(shards);
    return rc;
}

void srtp_shards_clear(struct srtp_shards *shards)
{
    /* libsrtp zeroes the cipher contexts (the session keys) as it frees them. */
    if (shards->first)
        srtp_dealloc(shards->first);
    for (unsigned i = 0; i < shards->more_count; i++)
        srtp_dealloc(shards->more[i]);
    free(shards->more);
    free(shards->more_streams);
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

/* Makes room for one more SSRC in the table, kept at most half full so a search ends soon. */
static bool reserve_map(struct srtp_shards *shards)
{
    if (2 * (shards->map_used + 1) <= shards->map_size)
        return true;
    struct srtp_shard_slot *old = shards->map;
    unsigned old_size = shards->map_size;
    unsigned size = old_size ? 2 * old_size : MAP_START;
    struct srtp_shard_slot *map = calloc(size, sizeof(*map));
    if (!map)
        return false;
    shards->map = map;
    shards->map_size = size;
    for (unsigned i = 0; i < old_size; i++) {
        if (old[i].used)
            *find(shards, old[i].ssrc) = old[i];
    }
    free(old);
    return true;
}

/* The session past the first that a new SSRC goes to: the last one while it has room, else a
 * new one. Its index in `more`, or -errno. */
static int shard_for_new_ssrc(struct srtp_shards *shards)
{
    unsigned n = shards->more_count;
    if (n && shards->more_streams[n - 1] < SRTP_SHARD_STREAMS)
        return (int)n - 1;
    if (n == UINT16_MAX)
        return -ENOSPC;
    srtp_t *more = realloc(shards->more, (n + 1) * sizeof(*more));
    if (more)
        shards->more = more;
    unsigned *streams = realloc(shards->more_streams, (n + 1) * sizeof(*streams));
    if (streams)
        shards->more_streams = streams;
    if (!more || !streams)
        return -ENOMEM;
    int rc = srtp_session_create(&shards->more[n], &shards->keys, true, shards->window);
    if (rc < 0)
        return rc;
    shards->more_streams[n] = 0;
    shards->more_count = n + 1;
    return (int)n;
}

/* The session already given to this SSRC, or NULL. */
static srtp_t given_session(struct srtp_shards *shards, uint32_t ssrc)
{
    for (unsigned i = 0; i < shards->first_count; i++) {
        if (shards->first_ssrcs[i] == ssrc)
            return shards->first;
    }
    if (!shards->map)
        return NULL;
    struct srtp_shard_slot *slot = find(shards, ssrc);
    return slot->used ? shards->more[slot->shard] : NULL;
}

srtp_t srtp_shards_session(struct srtp_shards *shards, uint32_t ssrc)
{
    srtp_t given = given_session(shards, ssrc);
    if (given)
        return given;
    if (shards->first_count < SRTP_SHARD_STREAMS) {
        shards->first_ssrcs[shards->first_count++] = ssrc;
        return shards->first;
    }
    if (!reserve_map(shards))
        return NULL;
    int shard = shard_for_new_ssrc(shards);
    if (shard < 0)
        return NULL;
    *find(shards,
          ssrc) = (struct srtp_shard_slot){.ssrc = ssrc, .shard = (uint16_t)shard, .used = true};
    shards->map_used++;
    shards->more_streams[shard]++;
    return shards->more[shard];
}

int srtp_shards_remove(struct srtp_shards *shards, uint32_t ssrc)
{
    /* The SSRC keeps its session: if it comes back, libsrtp makes it a new stream there. */
    srtp_t session = given_session(shards, ssrc);
    if (!session)
        return -ENOENT;
    return srtp_remove_stream(session, htonl(ssrc)) == srtp_err_status_ok ? 0 : -ENOENT;
}
