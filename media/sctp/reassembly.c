/* Reassembles the pieces of one SCTP user message (or notification) that partial socket reads
 * return, bounded by a size limit: over-limit messages are read to their end and dropped. */
#include "media/sctp/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define INITIAL_CAP 4096
/* After a bigger message the buffer shrinks back, so idle associations stay small. */
#define SHRINK_ABOVE (64 * 1024)

void sctp_reassembly_init(struct sctp_reassembly *r, size_t limit)
{
    memset(r, 0, sizeof(*r));
    r->limit = limit;
}

void sctp_reassembly_clear(struct sctp_reassembly *r)
{
    free(r->buf);
    r->buf = NULL;
    r->len = 0;
    r->cap = 0;
    r->active = false;
    r->discarding = false;
}

static size_t limit_for(const struct sctp_reassembly *r, bool notification)
{
    return notification ? SCTP_NOTIFICATION_LIMIT : r->limit;
}

/* The largest buffer ever needed: one byte past the biggest limit, to see a message go over. */
static size_t hard_cap(const struct sctp_reassembly *r)
{
    size_t biggest = r->limit > SCTP_NOTIFICATION_LIMIT ? r->limit : SCTP_NOTIFICATION_LIMIT;
    return biggest + 1;
}

static bool resize(struct sctp_reassembly *r, size_t cap)
{
    uint8_t *grown = realloc(r->buf, cap);
    if (!grown)
        return false;
    r->buf = grown;
    r->cap = cap;
    return true;
}

uint8_t *sctp_reassembly_space(struct sctp_reassembly *r, size_t *space)
{
    if (!r->active && r->cap > SHRINK_ABOVE && !resize(r, INITIAL_CAP))
        return NULL;
    if (!r->active || r->discarding)
        r->len = 0;
    if (r->cap == 0 && !resize(r, INITIAL_CAP))
        return NULL;
    if (r->len == r->cap) {
        size_t cap = r->cap * 2;
        if (cap > hard_cap(r))
            cap = hard_cap(r);
        if (cap <= r->len) {
            /* Cannot happen: commit turns a message this big into discarding. */
            return NULL;
        }
        if (!resize(r, cap))
            return NULL;
    }
    *space = r->cap - r->len;
    return r->buf + r->len;
}

static bool continues(const struct sctp_reassembly *r, const struct sctp_piece_info *info)
{
    return r->current.notification == info->notification &&
           r->current.stream_id == info->stream_id && r->current.ppid == info->ppid;
}

int sctp_reassembly_commit(struct sctp_reassembly *r, size_t n, const struct sctp_piece_info *info,
                           struct sctp_user_message *out)
{
    if (r->active && !continues(r, info)) {
        /* A message began before the previous one ended (an aborted partial delivery): the
         * new bytes sit after the old ones, move them to the front and forget the old. */
        if (!r->discarding && r->len > 0)
            memmove(r->buf, r->buf + r->len, n);
        r->interrupted++;
        r->active = false;
        r->discarding = false;
        r->len = 0;
    }
    if (!r->active) {
        r->current = *info;
        r->active = true;
    }
    r->len += n;
    if (!r->discarding && r->len > limit_for(r, info->notification))
        r->discarding = true;
    if (!info->end_of_record)
        return 0;
    r->active = false;
    if (r->discarding) {
        r->discarding = false;
        r->len = 0;
        return -EMSGSIZE;
    }
    out->data = r->len ? r->buf : NULL;
    out->len = r->len;
    out->stream_id = r->current.stream_id;
    out->ppid = r->current.ppid;
    out->notification = r->current.notification;
    return 1;
}

int sctp_reassembly_push(struct sctp_reassembly *r, const uint8_t *data, size_t len,
                         const struct sctp_piece_info *info, struct sctp_user_message *out)
{
    struct sctp_piece_info piece = *info;
    do {
        size_t space;
        uint8_t *where = sctp_reassembly_space(r, &space);
        if (!where)
            return -ENOMEM;
        size_t n = len < space ? len : space;
        if (n > 0) {
            memcpy(where, data, n);
            data += n;
            len -= n;
        }
        piece.end_of_record = info->end_of_record && len == 0;
        int rc = sctp_reassembly_commit(r, n, &piece, out);
        if (rc != 0 || len == 0)
            return rc;
    } while (len > 0);
    return 0;
}
