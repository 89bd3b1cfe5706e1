/* janus.plugin.echotest: request handling and per-handle settings. Every
 * function runs on the handle's worker. */
#include "plugins/echotest/echotest_internal.h"

#include "core/log.h"
#include "core/params.h"
#include "core/session.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

static int echotest_init(const struct prism_config *config, struct prism_worker_pool *workers)
{
    return 0;
}

static void echotest_destroy(void)
{
}

static int echotest_create_session(struct prism_handle *handle)
{
    struct echotest_state *state = calloc(1, sizeof(*state));
    if (!state)
        return -ENOMEM;
    *state = (struct echotest_state){true, true, true, 0, -1, -1};
    prism_handle_set_plugin_data(handle, state);
    return 0;
}

static void echotest_destroy_session(struct prism_handle *handle)
{
    free(prism_handle_plugin_data(handle));
    prism_handle_set_plugin_data(handle, NULL);
}

static const struct prism_param request_params[] = {
    {"audio", PRISM_PARAM_BOOLEAN, 0},
    {"video", PRISM_PARAM_BOOLEAN, 0},
    {"data", PRISM_PARAM_BOOLEAN, 0},
    {"bitrate", PRISM_PARAM_INTEGER, PRISM_PARAM_UNSIGNED},
    {"keyframe", PRISM_PARAM_BOOLEAN, 0},
    {"record", PRISM_PARAM_BOOLEAN, 0},
    {"filename", PRISM_PARAM_STRING, 0},
    {"substream", PRISM_PARAM_INTEGER, PRISM_PARAM_UNSIGNED},
    {"temporal", PRISM_PARAM_INTEGER, PRISM_PARAM_UNSIGNED},
};

/* Janus's EchoTest refuses a message that sets nothing it knows. */
static bool has_known_attribute(json_t *body)
{
    for (size_t i = 0; i < PRISM_PARAMS_COUNT(request_params); i++) {
        if (json_object_get(body, request_params[i].name))
            return true;
    }
    return false;
}

static json_t *error_event(int code, const char *reason)
{
    return json_pack("{s:s, s:i, s:s}", "echotest", "event", "error_code", code, "error", reason);
}

/* Applies the request's settings; returns an error event or NULL. */
static json_t *apply_settings(struct echotest_state *state, json_t *body)
{
    static const struct prism_param_codes codes = {PRISM_ECHOTEST_ERROR_INVALID_ELEMENT,
                                                   PRISM_ECHOTEST_ERROR_INVALID_ELEMENT};
    char reason[256];
    int code = prism_params_validate(body, request_params, PRISM_PARAMS_COUNT(request_params),
                                     &codes, reason, sizeof(reason));
    if (code)
        return error_event(code, reason);
    if (json_is_true(json_object_get(body, "record")))
        return error_event(PRISM_ECHOTEST_ERROR_INVALID_ELEMENT,
                           "Recording is not supported by this server");
    json_t *value;
    if ((value = json_object_get(body, "audio")))
        state->audio = json_is_true(value);
    if ((value = json_object_get(body, "video")))
        state->video = json_is_true(value);
    if ((value = json_object_get(body, "data")))
        state->data = json_is_true(value);
    if ((value = json_object_get(body, "bitrate")))
        state->bitrate = (uint32_t)json_integer_value(value);
    if ((value = json_object_get(body, "substream")))
        state->substream = (int)json_integer_value(value);
    if ((value = json_object_get(body, "temporal")))
        state->temporal = (int)json_integer_value(value);
    return NULL;
}

static struct prism_plugin_result echotest_handle_message(struct prism_handle *handle,
                                                          const char *transaction, json_t *body,
                                                          json_t *jsep)
{
    struct echotest_state *state = prism_handle_plugin_data(handle);
    json_t *event = apply_settings(state, body);
    if (!event && !jsep && !has_known_attribute(body))
        event = error_event(PRISM_ECHOTEST_ERROR_INVALID_ELEMENT,
                            "No supported attribute in the message");
    json_t *answer = NULL;
    if (!event && jsep) {
        char reason[256];
        answer = echotest_answer(handle, reason, sizeof(reason));
        if (!answer)
            event = error_event(PRISM_ECHOTEST_ERROR_INVALID_SDP, reason);
    }
    if (!event) {
        echotest_apply_media_settings(handle, json_is_true(json_object_get(body, "keyframe")));
        event = json_pack("{s:s, s:s}", "echotest", "event", "result", "ok");
    }
    prism_handle_push_event(handle, transaction, event, answer);
    return prism_plugin_ok_wait(NULL);
}

static json_t *echotest_query_session(struct prism_handle *handle)
{
    struct echotest_state *state = prism_handle_plugin_data(handle);
    return json_pack("{s:b, s:b, s:b, s:I}", "audio_active", state->audio, "video_active",
                     state->video, "data_active", state->data, "bitrate",
                     (json_int_t)state->bitrate);
}

const struct prism_plugin prism_echotest_plugin = {
    .abi_version = PRISM_PLUGIN_ABI_VERSION,
    .package = "janus.plugin.echotest",
    .name = "Prism EchoTest plugin",
    .description = "Sends your own audio, video and data back to you, as Janus's EchoTest does.",
    .author = "The Prism developers",
    .version = 1,
    .version_string = "0.0.1",
    .init = echotest_init,
    .destroy = echotest_destroy,
    .create_session = echotest_create_session,
    .handle_message = echotest_handle_message,
    .setup_media = echotest_setup_media,
    .hangup_media = echotest_hangup_media,
    .incoming_rtp = echotest_incoming_rtp,
    .incoming_rtcp = echotest_incoming_rtcp,
    .incoming_data = echotest_incoming_data,
    .destroy_session = echotest_destroy_session,
    .query_session = echotest_query_session,
};
