/* libcurl on a thread pool, answers posted back to the asking worker. */
#include "bench/lib/whip/http.h"

#include <curl/curl.h>
#include <errno.h>
#include <glib.h>
#include <string.h>

#define POOL_THREADS 4
#define TIMEOUT_MS 15000
#define MAX_BODY (1024 * 1024)

struct exchange {
    struct bench_worker *worker;
    bench_http_cb cb;
    void *owner;
    char *method, *url, *content_type, *bearer, *if_match, *body;
    /* Filled by the pool thread. */
    int status;
    GString *answer;
    char *location, *etag;
    char error[CURL_ERROR_SIZE];
};

static GThreadPool *pool;
static GMutex pool_lock;

static void exchange_free(struct exchange *exchange)
{
    g_free(exchange->method);
    g_free(exchange->url);
    g_free(exchange->content_type);
    g_free(exchange->bearer);
    g_free(exchange->if_match);
    g_free(exchange->body);
    g_string_free(exchange->answer, TRUE);
    g_free(exchange->location);
    g_free(exchange->etag);
    g_free(exchange);
}

char *bench_http_header_value(const char *line, size_t length, const char *name)
{
    size_t name_length = strlen(name);
    if (length <= name_length || line[name_length] != ':' ||
        g_ascii_strncasecmp(line, name, name_length) != 0)
        return NULL;
    char *value = g_strndup(line + name_length + 1, length - name_length - 1);
    return g_strstrip(value);
}

static size_t header_cb(char *data, size_t size, size_t count, void *user)
{
    struct exchange *exchange = user;
    size_t length = size * count;
    char *value;
    if ((value = bench_http_header_value(data, length, "Location"))) {
        g_free(exchange->location);
        exchange->location = value;
    } else if ((value = bench_http_header_value(data, length, "ETag"))) {
        g_free(exchange->etag);
        exchange->etag = value;
    }
    return length;
}

static size_t body_cb(char *data, size_t size, size_t count, void *user)
{
    struct exchange *exchange = user;
    size_t length = size * count;
    if (exchange->answer->len + length > MAX_BODY)
        return 0; /* makes curl fail the transfer */
    g_string_append_len(exchange->answer, data, (gssize)length);
    return length;
}

static struct curl_slist *headers_of(const struct exchange *exchange)
{
    struct curl_slist *headers = curl_slist_append(NULL, "Expect:");
    char *line;
    if (exchange->content_type) {
        line = g_strdup_printf("Content-Type: %s", exchange->content_type);
        headers = curl_slist_append(headers, line);
        g_free(line);
    }
    if (exchange->bearer) {
        line = g_strdup_printf("Authorization: Bearer %s", exchange->bearer);
        headers = curl_slist_append(headers, line);
        g_free(line);
    }
    if (exchange->if_match) {
        line = g_strdup_printf("If-Match: %s", exchange->if_match);
        headers = curl_slist_append(headers, line);
        g_free(line);
    }
    return headers;
}

static void perform(struct exchange *exchange)
{
    CURL *curl = curl_easy_init();
    if (!curl) {
        g_strlcpy(exchange->error, "curl_easy_init failed", sizeof(exchange->error));
        return;
    }
    struct curl_slist *headers = headers_of(exchange);
    curl_easy_setopt(curl, CURLOPT_URL, exchange->url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, exchange->method);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    if (exchange->body) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, exchange->body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(exchange->body));
    }
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, header_cb);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, exchange);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, body_cb);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, exchange);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, exchange->error);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)TIMEOUT_MS);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_PROXY, "");
    if (curl_easy_perform(curl) == CURLE_OK) {
        long status = 0;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        exchange->status = (int)status;
    } else if (!exchange->error[0]) {
        g_strlcpy(exchange->error, "the request failed", sizeof(exchange->error));
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
}

/* On the asking worker. */
static void deliver_job(void *data)
{
    struct exchange *exchange = data;
    struct bench_http_reply reply = {.status = exchange->status,
                                     .body = exchange->answer->str,
                                     .location = exchange->location,
                                     .etag = exchange->etag,
                                     .error = exchange->status ? "" : exchange->error};
    exchange->cb(exchange->owner, &reply);
    exchange_free(exchange);
}

static void pool_cb(gpointer data, gpointer user)
{
    struct exchange *exchange = data;
    perform(exchange);
    bench_worker_post(exchange->worker, deliver_job, exchange);
}

static GThreadPool *get_pool(void)
{
    g_mutex_lock(&pool_lock);
    if (!pool) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        pool = g_thread_pool_new(pool_cb, NULL, POOL_THREADS, FALSE, NULL);
    }
    GThreadPool *current = pool;
    g_mutex_unlock(&pool_lock);
    return current;
}

int bench_http_send(struct bench_worker *worker, const struct bench_http_request *request,
                    bench_http_cb cb, void *owner)
{
    GThreadPool *threads = get_pool();
    if (!threads)
        return -ENOMEM;
    struct exchange *exchange = g_new0(struct exchange, 1);
    exchange->worker = worker;
    exchange->cb = cb;
    exchange->owner = owner;
    exchange->method = g_strdup(request->method);
    exchange->url = g_strdup(request->url);
    exchange->content_type = g_strdup(request->content_type);
    exchange->bearer = g_strdup(request->bearer);
    exchange->if_match = g_strdup(request->if_match);
    exchange->body = g_strdup(request->body);
    exchange->answer = g_string_new("");
    g_thread_pool_push(threads, exchange, NULL);
    return 0;
}

void bench_http_shutdown(void)
{
    g_mutex_lock(&pool_lock);
    GThreadPool *threads = pool;
    pool = NULL;
    g_mutex_unlock(&pool_lock);
    if (!threads)
        return;
    g_thread_pool_free(threads, FALSE, TRUE);
    curl_global_cleanup();
}
