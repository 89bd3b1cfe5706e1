/* The WebSocket side of the Janus client on the service thread: connects a link
 * (subprotocol "janus-protocol"), writes its queued messages one per writable callback,
 * reassembles fragmented messages and hands them, and the connection's state, to the link's
 * context. */
#include "bench/lib/janus/internal.h"

#include <errno.h>
#include <string.h>

/* The socket holds a reference on its link from connect to LWS_CALLBACK_WSI_DESTROY. */
static void release_socket(struct janus_link *link)
{
    if (!link->socket_ref)
        return;
    link->socket_ref = false;
    janus_link_unref(link);
}

/* The connection failed or ended: tell the context once. */
static void mark_dead(struct janus_link *link)
{
    link->wsi = NULL;
    link->connecting = false;
    if (link->dead)
        return;
    link->dead = true;
    struct janus_input *input = g_new0(struct janus_input, 1);
    input->kind = link->established ? INPUT_CLOSED : INPUT_OPENED;
    input->error = link->established ? -ECONNRESET : -ECONNREFUSED;
    janus_link_push(link, input);
}

static void connect_link(struct lws_context *context, struct janus_link *link)
{
    struct lws_client_connect_info info;
    memset(&info, 0, sizeof(info));
    info.context = context;
    info.address = link->host;
    info.port = link->port;
    info.path = link->path;
    info.host = link->host_header;
    info.origin = link->host_header;
    info.protocol = "janus-protocol";
    info.userdata = link;
    info.pwsi = &link->wsi;
    link->connecting = true;
    link->socket_ref = true;
    janus_link_ref(link);
    if (!lws_client_connect_via_info(&info)) {
        /* Failed at once; lws may or may not have called back already. */
        mark_dead(link);
        release_socket(link);
    }
}

void janus_ws_turn(struct lws_context *context, struct janus_link *link)
{
    g_mutex_lock(&link->lock);
    bool closing = link->close_requested;
    bool output = link->outbox.length > 0;
    g_mutex_unlock(&link->lock);
    if (closing) {
        if (link->wsi)
            lws_set_timeout(link->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
        return;
    }
    if (link->dead)
        return;
    if (!link->wsi && !link->connecting)
        connect_link(context, link);
    else if (link->established && output)
        lws_callback_on_writable(link->wsi);
}

static int on_writeable(struct lws *wsi, struct janus_link *link)
{
    g_mutex_lock(&link->lock);
    bool closing = link->close_requested;
    struct bench_janus_output *output = closing ? NULL : g_queue_pop_head(&link->outbox);
    bool more = link->outbox.length > 0;
    g_mutex_unlock(&link->lock);
    if (closing)
        return -1;
    if (!output)
        return 0;
    unsigned char *buffer = g_malloc(LWS_PRE + output->length);
    memcpy(buffer + LWS_PRE, output->text, output->length);
    /* A short write is kept by lws, which holds the next writable callback until it is out. */
    int written = lws_write(wsi, buffer + LWS_PRE, output->length, LWS_WRITE_TEXT);
    g_free(buffer);
    bench_janus_output_free(output);
    if (written < 0)
        return -1;
    if (more)
        lws_callback_on_writable(wsi);
    return 0;
}

static int on_receive(struct lws *wsi, struct janus_link *link, const void *in, size_t len)
{
    if (!link->partial)
        link->partial = g_string_sized_new(MAX(len + 1, 1024));
    if (link->partial->len + len > JANUS_MAX_MESSAGE)
        return -1;
    g_string_append_len(link->partial, in, (gssize)len);
    if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi) > 0)
        return 0;
    struct janus_input *input = g_new0(struct janus_input, 1);
    input->kind = INPUT_MESSAGE;
    input->length = link->partial->len;
    input->text = g_string_free(link->partial, FALSE);
    link->partial = NULL;
    janus_link_push(link, input);
    return 0;
}

static void on_established(struct lws *wsi, struct janus_link *link)
{
    link->connecting = false;
    link->established = true;
    struct janus_input *input = g_new0(struct janus_input, 1);
    input->kind = INPUT_OPENED;
    janus_link_push(link, input);
    g_mutex_lock(&link->lock);
    bool output = link->outbox.length > 0;
    g_mutex_unlock(&link->lock);
    if (output)
        lws_callback_on_writable(wsi);
}

int janus_ws_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
    struct janus_link *link = user;
    switch (reason) {
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        on_established(wsi, link);
        return 0;
    case LWS_CALLBACK_CLIENT_RECEIVE:
        return on_receive(wsi, link, in, len);
    case LWS_CALLBACK_CLIENT_WRITEABLE:
        return on_writeable(wsi, link);
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
    case LWS_CALLBACK_CLIENT_CLOSED:
        mark_dead(link);
        return 0;
    case LWS_CALLBACK_WSI_DESTROY:
        mark_dead(link);
        release_socket(link);
        return 0;
    default:
        return 0;
    }
}
