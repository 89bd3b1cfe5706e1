/* The event webhook sender (see signaling/webhook/webhook.h). */
#include "signaling/webhook/webhook.h"

#include "core/events.h"
#include "core/log.h"
#include "core/log_limit.h"

#include <curl/curl.h>
#include <errno.h>
#include <glib.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_BATCH 100
#define DEFAULT_BACKOFF_US 100000u
#define DEFAULT_TIMEOUT_US 5000000u
#define POP_WAIT_US 500000u

struct prism_webhook {
    struct prism_webhook_config config;
    char *url;
    struct prism_event_queue *queue;
    GThread *thread;
    GMutex lock; /* guards `stopping` for the back-off wait */
    GCond stop_signal;
    bool stopping;
    atomic_uint_fast64_t batches_sent;
    struct prism_log_limit failure_log; /* sender thread only */
};

static size_t discard_cb(char *data, size_t size, size_t count, void *user)
{
    (void)data;
    (void)user;
    return size * count;
}

/* One POST; returns 0 on a 2xx answer, else -EIO with a reason in `error`. */
static int post(struct prism_webhook *webhook, CURL *curl, const char *body, char *error,
                size_t error_size)
{
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_URL, webhook->url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)(webhook->config.timeout_us / 1000));
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard_cb);
    CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK) {
        snprintf(error, error_size, "%s", curl_easy_strerror(rc));
        return -EIO;
    }
    if (status < 200 || status > 299) {
        snprintf(error, error_size, "HTTP status %ld", status);
        return -EIO;
    }
    return 0;
}

/* Waits before a retry; false when the webhook is stopping (no more retries then). */
static bool back_off(struct prism_webhook *webhook, uint64_t wait_us)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)wait_us;
    g_mutex_lock(&webhook->lock);
    while (!webhook->stopping && g_cond_wait_until(&webhook->stop_signal, &webhook->lock, deadline))
        ;
    bool go_on = !webhook->stopping;
    g_mutex_unlock(&webhook->lock);
    return go_on;
}

static void send_batch(struct prism_webhook *webhook, CURL *curl, json_t **events, size_t count)
{
    json_t *array = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(array, events[i]);
    char *body = json_dumps(array, JSON_COMPACT);
    json_decref(array);
    char error[128] = "out of memory";
    int rc = body ? post(webhook, curl, body, error, sizeof(error)) : -ENOMEM;
    uint64_t wait_us = webhook->config.backoff_us;
    for (unsigned attempt = 0; rc != 0 && body && attempt < webhook->config.retries; attempt++) {
        if (!back_off(webhook, wait_us))
            break;
        wait_us *= 2;
        rc = post(webhook, curl, body, error, sizeof(error));
    }
    free(body);
    if (rc == 0) {
        atomic_fetch_add(&webhook->batches_sent, 1);
        return;
    }
    prism_event_queue_count_dropped(webhook->queue, count);
    uint64_t suppressed = 0;
    if (prism_log_limit_allow(&webhook->failure_log, (uint64_t)g_get_monotonic_time(), &suppressed))
        prism_warn("webhook", "%zu events dropped: the event webhook failed (%s)%s", count, error,
                   suppressed ? " (and earlier failures not logged)" : "");
}

static gpointer sender_main(gpointer data)
{
    struct prism_webhook *webhook = data;
    CURL *curl = curl_easy_init();
    json_t **events = calloc(webhook->config.max_batch, sizeof(*events));
    for (;;) {
        size_t count = prism_event_queue_pop(webhook->queue, events, webhook->config.max_batch,
                                             POP_WAIT_US);
        if (count && curl && events) {
            send_batch(webhook, curl, events, count);
            continue;
        }
        for (size_t i = 0; i < count; i++)
            json_decref(events[i]);
        g_mutex_lock(&webhook->lock);
        bool stopping = webhook->stopping;
        g_mutex_unlock(&webhook->lock);
        if (stopping && !count)
            break;
    }
    free(events);
    if (curl)
        curl_easy_cleanup(curl);
    return NULL;
}

int prism_webhook_start(struct prism_webhook **out, const struct prism_webhook_config *config,
                        struct prism_event_queue *queue)
{
    if (!prism_event_url_valid(config->url) || !queue) {
        prism_event_queue_destroy(queue);
        return -EINVAL;
    }
    struct prism_webhook *webhook = NULL;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
        !(webhook = calloc(1, sizeof(*webhook)))) {
        prism_event_queue_destroy(queue);
        return -ENOMEM;
    }
    webhook->config = *config;
    webhook->url = g_strdup(config->url);
    webhook->config.url = webhook->url;
    if (!webhook->config.max_batch)
        webhook->config.max_batch = DEFAULT_MAX_BATCH;
    if (!webhook->config.backoff_us)
        webhook->config.backoff_us = DEFAULT_BACKOFF_US;
    if (!webhook->config.timeout_us)
        webhook->config.timeout_us = DEFAULT_TIMEOUT_US;
    webhook->queue = queue;
    g_mutex_init(&webhook->lock);
    g_cond_init(&webhook->stop_signal);
    webhook->thread = g_thread_new("prism-webhook", sender_main, webhook);
    *out = webhook;
    return 0;
}

void prism_webhook_stop(struct prism_webhook *webhook)
{
    if (!webhook)
        return;
    g_mutex_lock(&webhook->lock);
    webhook->stopping = true;
    g_cond_broadcast(&webhook->stop_signal);
    g_mutex_unlock(&webhook->lock);
    prism_event_queue_close(webhook->queue);
    g_thread_join(webhook->thread);
    prism_event_queue_destroy(webhook->queue);
    g_mutex_clear(&webhook->lock);
    g_cond_clear(&webhook->stop_signal);
    g_free(webhook->url);
    free(webhook);
    curl_global_cleanup();
}

uint64_t prism_webhook_batches_sent(const struct prism_webhook *webhook)
{
    return atomic_load(&((struct prism_webhook *)webhook)->batches_sent);
}

uint64_t prism_webhook_events_dropped(const struct prism_webhook *webhook)
{
    return prism_event_queue_dropped(webhook->queue);
}
