/* RTP into a mountpoint: one UDP socket per stream, read on the plugin's worker loop. Each
 * datagram is checked (size, RTP, payload type), kept in the NACK history and, when it belongs
 * to a keyframe, in the stream's kept keyframe, then handed to the viewers on this worker and
 * relayed once to each group of viewers on another (relay.c). Garbage is counted and dropped,
 * never logged per packet. */
#include "plugins/streaming/mountpoint.h"

#include "core/ids.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/netaddr.h"
#include "core/worker.h"
#include "media/rtp/header.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Datagrams read per wake-up and socket, so one busy stream cannot starve the others. */
#define READ_BATCH 32
/* How long packets stay in the history for viewers' NACKs. */
#define HISTORY_MAX_AGE_US 2000000u

static struct in_addr rtp_interface = {INADDR_ANY};

void st_set_rtp_interface(const char *address)
{
    struct in_addr parsed;
    rtp_interface.s_addr = (address && inet_pton(AF_INET, address, &parsed) == 1)
                               ? parsed.s_addr
                               : htonl(INADDR_ANY);
}

static _Thread_local uint8_t datagram[ST_MAX_RTP_SIZE + 1];

/* Keeps the packet for NACKs; a new SSRC starts a new history. */
static void remember(struct st_feed *feed, const uint8_t *packet, size_t len,
                     const struct prism_rtp_header *h, uint64_t now)
{
    if (feed->history && prism_nack_history_store(feed->history, packet, len, now) != -EBADMSG)
        return;
    prism_nack_history_destroy(feed->history);
    feed->history = NULL;
    struct prism_nack_history_config config = {
        .ssrc = h->ssrc,
        .slot_size = ST_MAX_RTP_SIZE,
        .max_age_us = HISTORY_MAX_AGE_US,
    };
    if (prism_nack_history_create(&config, &feed->history) == 0)
        prism_nack_history_store(feed->history, packet, len, now);
}

static void handle_datagram(struct st_stream *stream, size_t len, uint64_t now)
{
    struct st_ingest_counters *counters = &stream->counters;
    if (len > ST_MAX_RTP_SIZE) {
        counters->dropped_oversize++;
        return;
    }
    if (stream->spec.kind == PRISM_SDP_MEDIA_APPLICATION) {
        counters->packets++;
        counters->bytes += len;
        stream->last_received_us = now;
        if (stream->mountpoint->enabled) {
            st_feed_forward_data(&stream->feed, datagram, len);
            st_relay_fanout(stream, datagram, len, now);
        }
        return;
    }
    struct prism_rtp_header h;
    if (prism_rtp_parse(datagram, len, &h) < 0 || h.payload_type != stream->spec.codec.pt ||
        h.payload_len == 0) {
        counters->dropped_invalid++;
        return;
    }
    counters->packets++;
    counters->bytes += len;
    stream->last_received_us = now;
    if (!stream->mountpoint->enabled)
        return;
    if (stream->spec.kind == PRISM_SDP_MEDIA_VIDEO) {
        counters->frames += h.marker;
        remember(&stream->feed, datagram, len, &h, now);
    }
    if (st_feed_take(&stream->feed, datagram, len, &h))
        counters->keyframes++;
    st_relay_fanout(stream, datagram, len, now);
    st_feed_forward(&stream->feed, datagram, len, &h, now);
    st_feed_advance(&stream->feed, &h);
}

static void readable_cb(struct prism_loop *loop, int fd, uint32_t events, uint64_t now_us,
                        void *data)
{
    struct st_stream *stream = data;
    for (int i = 0; i < READ_BATCH; i++) {
        /* MSG_TRUNC: the datagram's real length, so an oversized one is seen as such. */
        ssize_t n = recv(fd, datagram, sizeof(datagram), MSG_TRUNC);
        if (n < 0)
            return; /* EAGAIN: drained; other errors (ICMP) are retried next turn */
        handle_datagram(stream, (size_t)n, now_us);
    }
}

int st_stream_open(struct st_stream *stream, char *reason, size_t reason_size)
{
    struct prism_loop *loop = st_worker() ? prism_worker_loop(st_worker()) : NULL;
    if (!loop) {
        snprintf(reason, reason_size, "No worker loop to read RTP on");
        return -EINVAL;
    }
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(reason, reason_size, "Cannot open a socket: %s", strerror(errno));
        return -errno;
    }
    int size = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
    struct sockaddr_in address = {
        .sin_family = AF_INET, .sin_port = htons(stream->spec.port), .sin_addr = rtp_interface};
    socklen_t address_len = sizeof(address);
    int rc = 0;
    if (bind(fd, (struct sockaddr *)&address, sizeof(address)) < 0 ||
        getsockname(fd, (struct sockaddr *)&address, &address_len) < 0) {
        rc = -errno;
        snprintf(reason, reason_size, "Cannot bind RTP port %u of stream %s: %s", stream->spec.port,
                 stream->spec.mid, strerror(errno));
    }
    if (rc == 0 && (rc = prism_loop_add_fd(loop, fd, EPOLLIN, readable_cb, stream)) < 0)
        snprintf(reason, reason_size, "Cannot watch the RTP socket: %s", strerror(-rc));
    if (rc < 0) {
        close(fd);
        return rc;
    }
    stream->fd = fd;
    stream->spec.port = ntohs(address.sin_port);
    return 0;
}

void st_stream_close(struct st_stream *stream)
{
    if (stream->fd < 0)
        return;
    struct prism_loop *loop = st_worker() ? prism_worker_loop(st_worker()) : NULL;
    if (loop)
        prism_loop_remove_fd(loop, stream->fd);
    close(stream->fd);
    stream->fd = -1;
}
