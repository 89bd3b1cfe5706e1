/* The HTTP side of the Janus client on the service thread: each queued output becomes one
 * exchange on its own connection (a POST of a request, a long-poll GET, or the GET of
 * <base>/info that checks the server at open), and its status and body go back to the link's
 * context. Connections are closed after their answer: a long-poll must never queue a POST
 * behind it, which is what HTTP/1.1 reuse would risk. */
#include "bench/lib/janus/internal.h"

#include <errno.h>
#include <string.h>

enum exchange_purpose { EXCHANGE_POST, EXCHANGE_POLL, EXCHANGE_PROBE };

/* One HTTP request in flight; service thread only. Held by its socket (until
 * LWS_CALLBACK_WSI_DESTROY) and by the code starting it, and listed in its link's
 * `exchanges` so closing the connection can kill the socket. */
struct janus_exchange {
    uint32_t socket_owner;   /* JANUS_SOCKET_EXCHANGE */
    struct janus_link *link; /* a reference */
    struct bench_janus_output *output;
    enum exchange_purpose purpose;
    struct lws *wsi;
    GString *body;
    int status;
    int refs;
    bool socket_ref;
    bool sent;
    bool finished;
    GList node;
};

static void exchange_release(struct janus_exchange *exchange)
{
    if (--exchange->refs > 0)
        return;
    g_queue_unlink(&exchange->link->exchanges, &exchange->node);
    janus_link_unref(exchange->link);
    bench_janus_output_free(exchange->output);
    if (exchange->body)
        g_string_free(exchange->body, TRUE);
    g_free(exchange);
}

static void release_socket(struct janus_exchange *exchange)
{
    exchange->wsi = NULL;
    if (!exchange->socket_ref)
        return;
    exchange->socket_ref = false;
    exchange_release(exchange);
}

/* The answer (or its absence: status 0) goes to the context, once. */
static void finish(struct janus_exchange *exchange)
{
    if (exchange->finished)
        return;
    exchange->finished = true;
    struct janus_input *input = g_new0(struct janus_input, 1);
    bool answered = exchange->status > 0;
    if (answered && exchange->body) {
        input->length = exchange->body->len;
        input->text = g_string_free(exchange->body, FALSE);
        exchange->body = NULL;
    }
    input->status = exchange->status;
    switch (exchange->purpose) {
    case EXCHANGE_POST:
        input->kind = INPUT_POST_DONE;
        input->transaction = exchange->output->transaction;
        exchange->output->transaction = NULL;
        break;
    case EXCHANGE_POLL:
        input->kind = INPUT_POLL_DONE;
        input->poll_session = exchange->output->poll_session;
        break;
    case EXCHANGE_PROBE:
        input->kind = INPUT_OPENED;
        input->error = exchange->status == 200 ? 0 : answered ? -EPROTO : -ECONNREFUSED;
        break;
    }
    janus_link_push(exchange->link, input);
}

static void start_exchange(struct lws_context *context, struct janus_link *link,
                           struct bench_janus_output *output)
{
    struct janus_exchange *exchange = g_new0(struct janus_exchange, 1);
    exchange->socket_owner = JANUS_SOCKET_EXCHANGE;
    exchange->link = janus_link_ref(link);
    exchange->output = output;
    exchange->purpose = output->text           ? EXCHANGE_POST
                        : output->poll_session ? EXCHANGE_POLL
                                               : EXCHANGE_PROBE;
    exchange->refs = 2;
    exchange->socket_ref = true;
    exchange->node.data = exchange;
    g_queue_push_tail_link(&link->exchanges, &exchange->node);

    struct lws_client_connect_info info;
    memset(&info, 0, sizeof(info));
    info.context = context;
    info.address = link->host;
    info.port = link->port;
    info.path = output->path;
    info.host = link->host_header;
    info.origin = link->host_header;
    info.method = output->text ? "POST" : "GET";
    info.local_protocol_name = "bench-janus-http";
    info.ssl_connection = LCCSCF_HTTP_NO_FOLLOW_REDIRECT;
    info.alpn = "http/1.1";
    info.userdata = exchange;
    info.pwsi = &exchange->wsi;
    if (!lws_client_connect_via_info(&info)) {
        /* Failed at once; lws may or may not have called back already. */
        finish(exchange);
        release_socket(exchange);
    }
    exchange_release(exchange);
}

void janus_http_turn(struct lws_context *context, struct janus_link *link)
{
    GQueue outputs = G_QUEUE_INIT;
    g_mutex_lock(&link->lock);
    bool closing = link->close_requested;
    outputs = link->outbox;
    g_queue_init(&link->outbox);
    g_mutex_unlock(&link->lock);
    if (closing) {
        g_queue_clear_full(&outputs, (GDestroyNotify)bench_janus_output_free);
        for (GList *node = link->exchanges.head; node; node = node->next) {
            struct janus_exchange *exchange = node->data;
            if (exchange->wsi)
                lws_set_timeout(exchange->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
        }
        return;
    }
    struct bench_janus_output *output;
    while ((output = g_queue_pop_head(&outputs)))
        start_exchange(context, link, output);
}

static int append_headers(struct lws *wsi, struct janus_exchange *exchange, unsigned char **p,
                          size_t len)
{
    if (exchange->purpose != EXCHANGE_POST)
        return 0;
    unsigned char *end = *p + len;
    static const char type[] = "application/json";
    if (lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE, (const unsigned char *)type,
                                     (int)strlen(type), p, end) ||
        lws_add_http_header_content_length(wsi, exchange->output->length, p, end))
        return -1;
    lws_client_http_body_pending(wsi, 1);
    lws_callback_on_writable(wsi);
    return 0;
}

static int write_body(struct lws *wsi, struct janus_exchange *exchange)
{
    if (exchange->purpose != EXCHANGE_POST || exchange->sent)
        return 0;
    exchange->sent = true;
    size_t length = exchange->output->length;
    unsigned char *buffer = g_malloc(LWS_PRE + length);
    memcpy(buffer + LWS_PRE, exchange->output->text, length);
    int written = lws_write(wsi, buffer + LWS_PRE, length, LWS_WRITE_HTTP_FINAL);
    g_free(buffer);
    lws_client_http_body_pending(wsi, 0);
    return written < 0 ? -1 : 0;
}

static int read_body(struct lws *wsi)
{
    char buffer[LWS_PRE + 16384];
    char *start = buffer + LWS_PRE;
    int length = (int)sizeof(buffer) - LWS_PRE;
    return lws_http_client_read(wsi, &start, &length) < 0 ? -1 : 0;
}

static int append_body(struct janus_exchange *exchange, const void *in, size_t len)
{
    if (!exchange->body)
        exchange->body = g_string_sized_new(MAX(len + 1, 1024));
    if (exchange->body->len + len > JANUS_MAX_MESSAGE)
        return -1;
    g_string_append_len(exchange->body, in, (gssize)len);
    return 0;
}

int janus_http_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                  size_t len)
{
    struct janus_exchange *exchange = user;
    switch (reason) {
    case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
        return append_headers(wsi, exchange, in, len);
    case LWS_CALLBACK_CLIENT_HTTP_WRITEABLE:
        return write_body(wsi, exchange);
    case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP:
        exchange->status = (int)lws_http_client_http_response(wsi);
        return 0;
    case LWS_CALLBACK_RECEIVE_CLIENT_HTTP:
        return read_body(wsi);
    case LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ:
        return append_body(exchange, in, len);
    case LWS_CALLBACK_COMPLETED_CLIENT_HTTP:
        finish(exchange);
        return -1; /* no reuse: close the connection */
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
    case LWS_CALLBACK_CLOSED_CLIENT_HTTP:
        exchange->status = exchange->finished ? exchange->status : 0;
        finish(exchange);
        return 0;
    case LWS_CALLBACK_WSI_DESTROY:
        finish(exchange);
        release_socket(exchange);
        return 0;
    default:
        return 0;
    }
}
