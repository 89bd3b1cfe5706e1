/* Parts of media/srtp shared by its files. */
#ifndef PRISM_MEDIA_SRTP_INTERNAL_H
#define PRISM_MEDIA_SRTP_INTERNAL_H

#include "media/srtp/srtp.h"

#include <stdbool.h>

#include <srtp2/srtp.h>

/* Creates one libsrtp session keyed with the local (outbound) or remote (inbound) key and
 * salt, its template taking any SSRC. 0, -ENOMEM, -EIO or -ENOTSUP. */
int srtp_session_create(srtp_t *out, const struct prism_srtp_keys *keys, bool outbound,
                        unsigned window);

/* The outbound side of a transport as several libsrtp sessions with the same keys. libsrtp
 * finds a packet's stream by walking a linked list of its session's streams, one allocation
 * (one cache miss) per hop; a member of a large room sends on a hundred SSRCs (two or three
 * per publisher it receives), and that walk became the largest cost of a forwarded packet. So
 * each session takes at most SRTP_SHARD_STREAMS SSRCs, and an SSRC keeps the session it was
 * given first (its stream's rollover counter lives there): a hash table maps it. A viewer's
 * few SSRCs share one session, as before. Streams of one session share its template's cipher
 * contexts, so the cost is a template (about 2 KB) per shard. */
#define SRTP_SHARD_STREAMS 4

struct srtp_shard_slot {
    uint32_t ssrc;
    uint16_t shard;
    bool used;
};

struct srtp_shards {
    /* The first session and its SSRCs, inline: a viewer's few never reach the table, so its
     * packets touch no more memory than with one session. */
    srtp_t first;
    uint32_t first_ssrcs[SRTP_SHARD_STREAMS];
    unsigned first_count;
    /* Sessions 1 and up, for the SSRCs past the first session's, and the table that maps
     * those SSRCs to them (open addressing, a power of two; NULL until needed). */
    srtp_t *more;
    unsigned *more_streams; /* SSRCs given to each of them */
    unsigned more_count;
    struct srtp_shard_slot *map;
    unsigned map_size, map_used;
    struct prism_srtp_keys keys; /* to key the sessions added later; wiped when cleared */
    unsigned window;
};

/* The first session; 0 or what srtp_session_create returns. */
int srtp_shards_init(struct srtp_shards *shards, const struct prism_srtp_keys *keys,
                     unsigned window);
void srtp_shards_clear(struct srtp_shards *shards);
/* The session that protects this SSRC (given one on first use); NULL when out of memory. */
srtp_t srtp_shards_session(struct srtp_shards *shards, uint32_t ssrc);
/* Forgets the SSRC's stream in its session: 0, or -ENOENT. */
int srtp_shards_remove(struct srtp_shards *shards, uint32_t ssrc);

#endif
