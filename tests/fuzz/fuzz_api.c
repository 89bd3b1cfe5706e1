/* Fuzzes the API request path: arbitrary bytes as a request body, sent with
 * or without path ids to a live session (id 1) and handle, to the Janus API
 * or the Admin API. The first byte picks the path, the ids and the API; the
 * rest is the body. */
#include "core/log.h"
#include "core/sink.h"
#include "core/worker.h"
#include "plugins/builtin.h"
#include "signaling/api/api.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void drop_push(struct prism_event_sink *sink, uint64_t session_id, json_t *event)
{
    json_decref(event);
}

static void drop_gone(struct prism_event_sink *sink, uint64_t session_id)
{
}
static void drop_destroy(struct prism_event_sink *sink)
{
}
static const struct prism_event_sink_ops drop_ops = {drop_push, drop_gone, drop_destroy};

struct counting_reply {
    struct prism_reply_target target;
    int deliveries;
};

static void counting_deliver(struct prism_reply_target *target, json_t *reply)
{
    ((struct counting_reply *)target)->deliveries++;
    json_decref(reply);
}

static struct prism_worker_pool *workers;
static struct prism_api *api;
static struct prism_event_sink sink;
static uint64_t handle_id;
static unsigned runs;

static void send_text(const char *text, struct counting_reply *reply)
{
    struct prism_api_request request = {
        .body = text, .length = strlen(text), .sink = &sink, .reply = &reply->target};
    prism_api_handle(api, &request, 1);
}

/* Captures the handle id from an attach reply. */
struct id_reply {
    struct prism_reply_target target; /* first member */
    uint64_t id;
};

static void capture_id(struct prism_reply_target *target, json_t *reply)
{
    ((struct id_reply *)target)->id = (uint64_t)json_integer_value(
        json_object_get(json_object_get(reply, "data"), "id"));
    json_decref(reply);
}

/* A fresh engine with session 1 and one echotest handle in it. */
static void start_engine(void)
{
    size_t count;
    const struct prism_plugin *const *plugins = prism_builtin_plugins(&count);
    struct prism_api_config config = {.session_timeout_s = 60, .max_sessions = 64};
    prism_api_create(&api, &config, plugins, count, workers);
    struct counting_reply created = {{counting_deliver, NULL}, 0};
    send_text("{\"janus\":\"create\",\"transaction\":\"f\",\"id\":1}", &created);
    struct id_reply attached = {{capture_id, NULL}, 0};
    const char *attach = "{\"janus\":\"attach\",\"transaction\":\"f\",\"session_id\":1,"
                         "\"plugin\":\"janus.plugin.echotest\"}";
    struct prism_api_request request = {
        .body = attach, .length = strlen(attach), .sink = &sink, .reply = &attached.target};
    prism_api_handle(api, &request, 1);
    handle_id = attached.id;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!workers) {
        prism_worker_pool_create(&workers, 0);
        prism_event_sink_init(&sink, &drop_ops, "fuzz");
        start_engine();
    }
    if (size == 0)
        return 0;
    uint8_t mode = data[0];
    const uint64_t session_choices[] = {0, 1, 2, 1};
    const uint64_t handle_choices[] = {0, handle_id, 3, 0};
    struct counting_reply reply = {{counting_deliver, NULL}, 0};
    struct prism_api_request request = {
        .body = (const char *)data + 1,
        .length = size - 1,
        .from_path = mode & 1,
        .path_session_id = session_choices[(mode >> 1) & 3],
        .path_handle_id = handle_choices[(mode >> 3) & 3],
        .sink = &sink,
        .reply = &reply.target,
    };
    if (mode & 0x20) {
        /* set_log_level must not leave the fuzzer printing every line. */
        enum prism_log_level level = prism_log_get_level();
        prism_api_handle_admin(api, &request, 1 + runs);
        prism_log_set_level(level);
    } else {
        prism_api_handle(api, &request, 1 + runs);
    }
    if (reply.deliveries != 1)
        __builtin_trap(); /* every request gets exactly one reply */
    if (++runs % 512 == 0) {
        prism_api_tick(api, 1 + runs);
        prism_api_destroy(api);
        start_engine();
    }
    return 0;
}
