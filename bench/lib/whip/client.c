/* A WHIP/WHEP client session: the HTTP exchanges around one PeerConnection. */
#include "bench/lib/whip/client.h"

#include "bench/lib/whip/fragment.h"
#include "bench/lib/whip/http.h"
#include "core/log.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

struct bench_whip_client {
    struct bench_worker *worker;
    void *owner;
    char *endpoint_url, *bearer;
    char *offer;        /* ours, for the fragments' credentials */
    char *resource_url; /* from the 201's Location; NULL until then */
    bench_whip_answer_cb answer_cb;
    GPtrArray *candidates; /* char *, ours, in order */
    unsigned candidates_sent;
    bool gathered, end_sent;
    unsigned in_flight; /* requests whose callback has not run */
    bool patching;
    bool closing, deleted;
    void (*closed_cb)(void *owner);
};

struct bench_whip_client *bench_whip_client_new(struct bench_worker *worker,
                                                const char *endpoint_url, const char *bearer,
                                                void *owner)
{
    struct bench_whip_client *client = g_new0(struct bench_whip_client, 1);
    client->worker = worker;
    client->owner = owner;
    client->endpoint_url = g_strdup(endpoint_url);
    client->bearer = g_strdup(bearer);
    client->candidates = g_ptr_array_new_with_free_func(g_free);
    return client;
}

static void client_free(struct bench_whip_client *client)
{
    g_free(client->endpoint_url);
    g_free(client->bearer);
    g_free(client->offer);
    g_free(client->resource_url);
    g_ptr_array_free(client->candidates, TRUE);
    g_free(client);
}

static void send_delete(struct bench_whip_client *client);

/* After every answer: a closing client deletes its resource, then goes once idle. */
static void settle(struct bench_whip_client *client)
{
    if (!client->closing)
        return;
    if (client->resource_url && !client->deleted) {
        send_delete(client);
        return;
    }
    if (client->in_flight == 0) {
        void (*closed_cb)(void *owner) = client->closed_cb;
        void *owner = client->owner;
        client_free(client);
        if (closed_cb)
            closed_cb(owner);
    }
}

static int send_request(struct bench_whip_client *client, const char *method, const char *url,
                        const char *content_type, const char *body, bench_http_cb cb)
{
    struct bench_http_request request = {.method = method,
                                         .url = url,
                                         .content_type = content_type,
                                         .bearer = client->bearer,
                                         .body = body};
    int rc = bench_http_send(client->worker, &request, cb, client);
    if (rc == 0)
        client->in_flight++;
    return rc;
}

static void deleted_cb(void *owner, const struct bench_http_reply *reply)
{
    struct bench_whip_client *client = owner;
    client->in_flight--;
    if (reply->status != 200 && reply->status != 204)
        prism_warn("bench", "DELETE %s: %d %s", client->resource_url, reply->status,
                   reply->status ? reply->body : reply->error);
    settle(client);
}

static void send_delete(struct bench_whip_client *client)
{
    client->deleted = true;
    if (send_request(client, "DELETE", client->resource_url, NULL, NULL, deleted_cb) < 0)
        settle(client);
}

static void patch_pending(struct bench_whip_client *client);

static void patched_cb(void *owner, const struct bench_http_reply *reply)
{
    struct bench_whip_client *client = owner;
    client->in_flight--;
    client->patching = false;
    /* A server may not support trickle (405, 501): ICE still works from the candidates it
     * learns from our checks (peer-reflexive), so this is a warning, not a failure. */
    if (reply->status != 204 && reply->status != 200 && !client->closing)
        prism_warn("bench", "PATCH %s: %d %s", client->resource_url, reply->status,
                   reply->status ? reply->body : reply->error);
    if (client->closing)
        settle(client);
    else
        patch_pending(client);
}

/* One PATCH at a time, with every candidate not sent yet (and the end once gathered). */
static void patch_pending(struct bench_whip_client *client)
{
    bool end_due = client->gathered && !client->end_sent;
    unsigned total = client->candidates->len;
    if (client->closing || client->patching || !client->resource_url ||
        (client->candidates_sent == total && !end_due))
        return;
    char *fragment = bench_whip_trickle_fragment(
        client->offer, (const char *const *)client->candidates->pdata + client->candidates_sent,
        total - client->candidates_sent, client->gathered);
    if (!fragment)
        return;
    client->candidates_sent = total;
    client->end_sent = client->gathered;
    client->patching = send_request(client, "PATCH", client->resource_url,
                                    "application/trickle-ice-sdpfrag", fragment, patched_cb) == 0;
    g_free(fragment);
}

static void posted_cb(void *owner, const struct bench_http_reply *reply)
{
    struct bench_whip_client *client = owner;
    client->in_flight--;
    if (reply->status == 201 && reply->location)
        client->resource_url = bench_whip_resource_url(client->endpoint_url, reply->location);
    if (client->closing) {
        settle(client);
        return;
    }
    if (reply->status == 201 && client->resource_url && reply->body[0]) {
        client->answer_cb(client->owner, reply->body, NULL);
        patch_pending(client);
        return;
    }
    char *error = reply->status
                      ? g_strdup_printf("POST %s: %d %s", client->endpoint_url, reply->status,
                                        reply->body)
                      : g_strdup_printf("POST %s: %s", client->endpoint_url, reply->error);
    client->answer_cb(client->owner, NULL, error);
    g_free(error);
}

int bench_whip_client_post(struct bench_whip_client *client, const char *offer,
                           bench_whip_answer_cb answer_cb)
{
    if (client->offer || client->closing)
        return -EALREADY;
    client->offer = g_strdup(offer);
    client->answer_cb = answer_cb;
    return send_request(client, "POST", client->endpoint_url, "application/sdp", offer, posted_cb);
}

void bench_whip_client_candidate(struct bench_whip_client *client, const char *candidate)
{
    if (client->closing)
        return;
    if (candidate)
        g_ptr_array_add(client->candidates, g_strdup(candidate));
    else
        client->gathered = true;
    patch_pending(client);
}

void bench_whip_client_close(struct bench_whip_client *client, void (*closed_cb)(void *owner))
{
    client->closing = true;
    client->closed_cb = closed_cb;
    settle(client);
}
