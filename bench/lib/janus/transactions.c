/* Transactions of the Janus API client, sans-IO: pending requests keyed by transaction and
 * kept in send order (so the oldest one is the next to time out), sessions kept in keepalive
 * order, and the queues of outputs and deliveries the glue drains. */
#include "bench/lib/janus/transactions.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>

enum request_kind { KIND_OTHER, KIND_MESSAGE, KIND_CREATE, KIND_DESTROY, KIND_KEEPALIVE };

/* A request waiting for its answer; in `pending` (by transaction) and `by_age`. */
struct pending {
    char *transaction;
    enum request_kind kind;
    bool acked; /* a message whose "ack" came: its "event" is next */
    bench_janus_reply_cb cb;
    void *owner;
    uint64_t session_id; /* of the request, to forget a destroyed session */
    uint64_t deadline_us;
    GList link;
};

/* A session this client created: in `sessions`, `keepalives` and, while a failed long-poll
 * waits to be tried again, `retries`. */
struct session {
    uint64_t id;
    uint64_t keepalive_at_us;
    uint64_t retry_at_us;
    GList keepalive_link;
    GList retry_link;
    bool retrying;
};

struct bench_janus_tx {
    bool http;
    char *base_path;
    uint64_t timeout_us, keepalive_us;
    uint64_t next_transaction;
    unsigned user_pending;
    GHashTable *pending; /* transaction -> struct pending, owned */
    GQueue by_age;
    GHashTable *sessions; /* &id -> struct session, owned */
    GQueue keepalives;
    GQueue retries;
    GQueue outputs;    /* struct bench_janus_output * */
    GQueue deliveries; /* struct bench_janus_delivery * */
};

static void pending_free(struct pending *pending)
{
    g_free(pending->transaction);
    g_free(pending);
}

int bench_janus_tx_create(struct bench_janus_tx **out, const struct bench_janus_tx_config *config)
{
    if (!out || !config)
        return -EINVAL;
    if (config->http && (!config->base_path || config->base_path[0] != '/'))
        return -EINVAL;
    struct bench_janus_tx *tx = g_try_new0(struct bench_janus_tx, 1);
    if (!tx)
        return -ENOMEM;
    tx->http = config->http;
    tx->base_path = g_strdup(config->http ? config->base_path : "");
    /* A trailing slash would double in "<base>/<session>". */
    size_t length = strlen(tx->base_path);
    while (length > 1 && tx->base_path[length - 1] == '/')
        tx->base_path[--length] = '\0';
    tx->timeout_us = config->timeout_us ? config->timeout_us : BENCH_JANUS_DEFAULT_TIMEOUT_US;
    tx->keepalive_us = config->keepalive_us ? config->keepalive_us : BENCH_JANUS_KEEPALIVE_US;
    tx->next_transaction = 1;
    tx->pending = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                        (GDestroyNotify)pending_free);
    tx->sessions = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, g_free);
    *out = tx;
    return 0;
}

void bench_janus_output_clear(struct bench_janus_output *output)
{
    g_free(output->text);
    g_free(output->transaction);
    memset(output, 0, sizeof(*output));
}

void bench_janus_delivery_clear(struct bench_janus_delivery *delivery)
{
    json_decref(delivery->message);
    memset(delivery, 0, sizeof(*delivery));
}

void bench_janus_output_free(struct bench_janus_output *output)
{
    if (!output)
        return;
    bench_janus_output_clear(output);
    g_free(output);
}

static void free_output(gpointer data)
{
    bench_janus_output_free(data);
}

static void free_delivery(gpointer data)
{
    bench_janus_delivery_clear(data);
    g_free(data);
}

void bench_janus_tx_destroy(struct bench_janus_tx *tx)
{
    if (!tx)
        return;
    g_hash_table_destroy(tx->pending);
    g_hash_table_destroy(tx->sessions);
    g_queue_clear_full(&tx->outputs, free_output);
    g_queue_clear_full(&tx->deliveries, free_delivery);
    g_free(tx->base_path);
    g_free(tx);
}

int bench_janus_http_path(const char *base_path, const json_t *request, char *out, size_t size)
{
    json_int_t session = json_integer_value(json_object_get(request, "session_id"));
    json_int_t handle = json_integer_value(json_object_get(request, "handle_id"));
    int written;
    if (session > 0 && handle > 0)
        written = snprintf(out, size, "%s/%" JSON_INTEGER_FORMAT "/%" JSON_INTEGER_FORMAT,
                           base_path, session, handle);
    else if (session > 0)
        written = snprintf(out, size, "%s/%" JSON_INTEGER_FORMAT, base_path, session);
    else
        written = snprintf(out, size, "%s", base_path);
    return written >= 0 && (size_t)written < size ? 0 : -ENOSPC;
}

static void push_output(struct bench_janus_tx *tx, struct bench_janus_output *output)
{
    g_queue_push_tail(&tx->outputs, g_memdup2(output, sizeof(*output)));
}

static void push_delivery(struct bench_janus_tx *tx, bench_janus_reply_cb cb, void *owner,
                          json_t *message)
{
    struct bench_janus_delivery delivery = {cb, owner, json_incref(message)};
    g_queue_push_tail(&tx->deliveries, g_memdup2(&delivery, sizeof(delivery)));
}

static void queue_poll(struct bench_janus_tx *tx, uint64_t session_id)
{
    struct bench_janus_output output = {.poll_session = session_id};
    snprintf(output.path, sizeof(output.path), "%s/%" G_GUINT64_FORMAT "?maxev=%d", tx->base_path,
             session_id, BENCH_JANUS_POLL_MAX_EVENTS);
    push_output(tx, &output);
}

static void add_session(struct bench_janus_tx *tx, uint64_t id, uint64_t now_us)
{
    if (id == 0 || g_hash_table_contains(tx->sessions, &id))
        return;
    struct session *session = g_new0(struct session, 1);
    session->id = id;
    session->keepalive_at_us = now_us + tx->keepalive_us;
    session->keepalive_link.data = session;
    session->retry_link.data = session;
    g_hash_table_insert(tx->sessions, &session->id, session);
    g_queue_push_tail_link(&tx->keepalives, &session->keepalive_link);
    if (tx->http)
        queue_poll(tx, id);
}

static void forget_session(struct bench_janus_tx *tx, uint64_t id)
{
    struct session *session = g_hash_table_lookup(tx->sessions, &id);
    if (!session)
        return;
    g_queue_unlink(&tx->keepalives, &session->keepalive_link);
    if (session->retrying)
        g_queue_unlink(&tx->retries, &session->retry_link);
    g_hash_table_remove(tx->sessions, &id);
}

static bool is_kind(const json_t *message, const char *kind)
{
    const char *value = json_string_value(json_object_get(message, "janus"));
    return value && strcmp(value, kind) == 0;
}

/* Answers `pending` with `message` (NULL: timed out or failed) and removes it. */
static void complete(struct bench_janus_tx *tx, struct pending *pending, json_t *message,
                     uint64_t now_us)
{
    if (message && is_kind(message, "success")) {
        if (pending->kind == KIND_CREATE) {
            json_t *id = json_object_get(json_object_get(message, "data"), "id");
            add_session(tx, (uint64_t)json_integer_value(id), now_us);
        } else if (pending->kind == KIND_DESTROY) {
            forget_session(tx, pending->session_id);
        }
    }
    if (pending->kind != KIND_KEEPALIVE)
        tx->user_pending--;
    if (pending->cb)
        push_delivery(tx, pending->cb, pending->owner, message);
    g_queue_unlink(&tx->by_age, &pending->link);
    g_hash_table_remove(tx->pending, pending->transaction);
}

static enum request_kind kind_of(const char *janus)
{
    if (strcmp(janus, "message") == 0)
        return KIND_MESSAGE;
    if (strcmp(janus, "create") == 0)
        return KIND_CREATE;
    if (strcmp(janus, "destroy") == 0)
        return KIND_DESTROY;
    if (strcmp(janus, "keepalive") == 0)
        return KIND_KEEPALIVE;
    return KIND_OTHER;
}

/* Registers and queues a request; `internal` ones (keepalives) are not the caller's. */
static int send_request(struct bench_janus_tx *tx, json_t *request, bench_janus_reply_cb cb,
                        void *owner, bool internal, uint64_t now_us)
{
    const char *janus = json_string_value(json_object_get(request, "janus"));
    if (!json_is_object(request) || !janus) {
        json_decref(request);
        return -EINVAL;
    }
    struct pending *pending = g_new0(struct pending, 1);
    pending->transaction = g_strdup_printf("b%" G_GUINT64_FORMAT, tx->next_transaction++);
    pending->kind = internal ? KIND_KEEPALIVE : kind_of(janus);
    pending->cb = cb;
    pending->owner = owner;
    pending->session_id = (uint64_t)json_integer_value(json_object_get(request, "session_id"));
    pending->deadline_us = now_us + tx->timeout_us;
    pending->link.data = pending;
    json_object_set_new(request, "transaction", json_string(pending->transaction));

    struct bench_janus_output output = {0};
    if (tx->http &&
        bench_janus_http_path(tx->base_path, request, output.path, sizeof(output.path)) < 0) {
        pending_free(pending);
        json_decref(request);
        return -EINVAL;
    }
    output.text = json_dumps(request, JSON_COMPACT);
    json_decref(request);
    output.length = output.text ? strlen(output.text) : 0;
    output.transaction = g_strdup(pending->transaction);
    push_output(tx, &output);
    g_hash_table_insert(tx->pending, pending->transaction, pending);
    g_queue_push_tail_link(&tx->by_age, &pending->link);
    if (!internal)
        tx->user_pending++;
    return 0;
}

int bench_janus_tx_send(struct bench_janus_tx *tx, json_t *request, bench_janus_reply_cb cb,
                        void *owner, uint64_t now_us)
{
    return send_request(tx, request, cb, owner, false, now_us);
}

/* Answers that are never events: an "ack", "success" or "error" whose request is gone (timed
 * out, or answered by its event first over HTTP), and a long-poll's empty "keepalive". */
static bool is_stray_answer(const json_t *message)
{
    return is_kind(message, "ack") || is_kind(message, "success") || is_kind(message, "error") ||
           is_kind(message, "keepalive");
}

static void receive_message(struct bench_janus_tx *tx, json_t *message, uint64_t now_us)
{
    if (!json_string_value(json_object_get(message, "janus")))
        return;
    const char *transaction = json_string_value(json_object_get(message, "transaction"));
    struct pending *pending = transaction ? g_hash_table_lookup(tx->pending, transaction) : NULL;
    if (pending) {
        if (pending->kind == KIND_MESSAGE && is_kind(message, "ack"))
            pending->acked = true;
        else
            complete(tx, pending, message, now_us);
        return;
    }
    if (is_stray_answer(message))
        return;
    if (is_kind(message, "timeout"))
        forget_session(tx, (uint64_t)json_integer_value(json_object_get(message, "session_id")));
    push_delivery(tx, NULL, NULL, message);
}

int bench_janus_tx_receive(struct bench_janus_tx *tx, const char *text, size_t length,
                           uint64_t now_us)
{
    json_t *root = text ? json_loadb(text, length, JSON_REJECT_DUPLICATES, NULL) : NULL;
    int count = 0;
    if (json_is_object(root)) {
        receive_message(tx, root, now_us);
        count = 1;
    } else if (json_is_array(root)) {
        size_t index;
        json_t *element;
        json_array_foreach(root, index, element)
        {
            if (!json_is_object(element))
                continue;
            receive_message(tx, element, now_us);
            count++;
        }
    } else {
        count = -EBADMSG;
    }
    json_decref(root);
    return count;
}

void bench_janus_tx_post_done(struct bench_janus_tx *tx, const char *transaction, int status,
                              const char *body, size_t length, uint64_t now_us)
{
    if (body && length > 0)
        bench_janus_tx_receive(tx, body, length, now_us);
    struct pending *pending = transaction ? g_hash_table_lookup(tx->pending, transaction) : NULL;
    if (pending && !(pending->kind == KIND_MESSAGE && pending->acked))
        complete(tx, pending, NULL, now_us);
}

/* A long-poll answered 404 (Janus's and Prism's answer for an unknown session) or error 458. */
static bool session_gone(int status, const char *body, size_t length)
{
    if (status == 404)
        return true;
    if (!body || length == 0)
        return false;
    json_t *root = json_loadb(body, length, 0, NULL);
    json_t *code = json_object_get(json_object_get(root, "error"), "code");
    bool gone = is_kind(root, "error") && json_integer_value(code) == 458;
    json_decref(root);
    return gone;
}

void bench_janus_tx_poll_done(struct bench_janus_tx *tx, uint64_t session_id, int status,
                              const char *body, size_t length, uint64_t now_us)
{
    if (session_gone(status, body, length)) {
        forget_session(tx, session_id);
        return;
    }
    if (status == 200 && body && length > 0)
        bench_janus_tx_receive(tx, body, length, now_us);
    /* The events may have ended it ("timeout"), and a destroy may have gone by. */
    struct session *session = g_hash_table_lookup(tx->sessions, &session_id);
    if (!session || session->retrying)
        return;
    if (status == 200) {
        queue_poll(tx, session_id);
        return;
    }
    session->retrying = true;
    session->retry_at_us = now_us + BENCH_JANUS_POLL_RETRY_US;
    g_queue_push_tail_link(&tx->retries, &session->retry_link);
}

void bench_janus_tx_fail_all(struct bench_janus_tx *tx)
{
    GList *head;
    while ((head = g_queue_peek_head_link(&tx->by_age)))
        complete(tx, head->data, NULL, 0);
    g_queue_init(&tx->keepalives);
    g_queue_init(&tx->retries);
    g_hash_table_remove_all(tx->sessions);
}

static void send_keepalive(struct bench_janus_tx *tx, struct session *session, uint64_t now_us)
{
    json_t *request = json_pack("{s:s, s:I}", "janus", "keepalive", "session_id",
                                (json_int_t)session->id);
    send_request(tx, request, NULL, NULL, true, now_us);
    session->keepalive_at_us = now_us + tx->keepalive_us;
    g_queue_unlink(&tx->keepalives, &session->keepalive_link);
    g_queue_push_tail_link(&tx->keepalives, &session->keepalive_link);
}

void bench_janus_tx_tick(struct bench_janus_tx *tx, uint64_t now_us)
{
    GList *head;
    while ((head = g_queue_peek_head_link(&tx->by_age)) &&
           ((struct pending *)head->data)->deadline_us <= now_us)
        complete(tx, head->data, NULL, now_us);
    while ((head = g_queue_peek_head_link(&tx->keepalives)) &&
           ((struct session *)head->data)->keepalive_at_us <= now_us)
        send_keepalive(tx, head->data, now_us);
    while ((head = g_queue_peek_head_link(&tx->retries)) &&
           ((struct session *)head->data)->retry_at_us <= now_us) {
        struct session *session = head->data;
        g_queue_unlink(&tx->retries, head);
        session->retrying = false;
        queue_poll(tx, session->id);
    }
}

uint64_t bench_janus_tx_deadline(const struct bench_janus_tx *tx)
{
    uint64_t deadline = UINT64_MAX;
    GList *head = g_queue_peek_head_link((GQueue *)&tx->by_age);
    if (head)
        deadline = MIN(deadline, ((struct pending *)head->data)->deadline_us);
    head = g_queue_peek_head_link((GQueue *)&tx->keepalives);
    if (head)
        deadline = MIN(deadline, ((struct session *)head->data)->keepalive_at_us);
    head = g_queue_peek_head_link((GQueue *)&tx->retries);
    if (head)
        deadline = MIN(deadline, ((struct session *)head->data)->retry_at_us);
    return deadline;
}

unsigned bench_janus_tx_pending(const struct bench_janus_tx *tx)
{
    return tx->user_pending;
}

unsigned bench_janus_tx_sessions(const struct bench_janus_tx *tx)
{
    return g_hash_table_size(tx->sessions);
}

bool bench_janus_tx_next_output(struct bench_janus_tx *tx, struct bench_janus_output *out)
{
    struct bench_janus_output *output = g_queue_pop_head(&tx->outputs);
    if (!output)
        return false;
    *out = *output;
    g_free(output);
    return true;
}

bool bench_janus_tx_next_delivery(struct bench_janus_tx *tx, struct bench_janus_delivery *out)
{
    struct bench_janus_delivery *delivery = g_queue_pop_head(&tx->deliveries);
    if (!delivery)
        return false;
    *out = *delivery;
    g_free(delivery);
    return true;
}
