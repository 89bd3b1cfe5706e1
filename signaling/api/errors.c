/* Janus API error texts and the error reply shape. */
#include "signaling/api/errors.h"

#include <stdio.h>

const char *prism_api_error_text(int code)
{
    switch (code) {
    case PRISM_API_OK:
        return "Success";
    case PRISM_API_ERROR_UNAUTHORIZED:
        return "Unauthorized request (wrong or missing secret/token)";
    case PRISM_API_ERROR_UNAUTHORIZED_PLUGIN:
        return "Unauthorized access to plugin (token is not allowed to)";
    case PRISM_API_ERROR_TRANSPORT_SPECIFIC:
        return "Transport specific error";
    case PRISM_API_ERROR_MISSING_REQUEST:
        return "Missing request";
    case PRISM_API_ERROR_UNKNOWN_REQUEST:
        return "Unknown request";
    case PRISM_API_ERROR_INVALID_JSON:
        return "Invalid JSON";
    case PRISM_API_ERROR_INVALID_JSON_OBJECT:
        return "Invalid JSON Object";
    case PRISM_API_ERROR_MISSING_MANDATORY_ELEMENT:
        return "Missing mandatory element";
    case PRISM_API_ERROR_INVALID_REQUEST_PATH:
        return "Invalid path for this request";
    case PRISM_API_ERROR_SESSION_NOT_FOUND:
        return "Session not found";
    case PRISM_API_ERROR_HANDLE_NOT_FOUND:
        return "Handle not found";
    case PRISM_API_ERROR_PLUGIN_NOT_FOUND:
        return "Plugin not found";
    case PRISM_API_ERROR_PLUGIN_ATTACH:
        return "Error attaching plugin";
    case PRISM_API_ERROR_PLUGIN_MESSAGE:
        return "Error sending message to plugin";
    case PRISM_API_ERROR_PLUGIN_DETACH:
        return "Error detaching from plugin";
    case PRISM_API_ERROR_JSEP_UNKNOWN_TYPE:
        return "Unsupported JSEP type";
    case PRISM_API_ERROR_JSEP_INVALID_SDP:
        return "Invalid SDP";
    case PRISM_API_ERROR_TRICKLE_INVALID_STREAM:
        return "Invalid stream";
    case PRISM_API_ERROR_INVALID_ELEMENT_TYPE:
        return "Invalid element type";
    case PRISM_API_ERROR_SESSION_CONFLICT:
        return "Session ID already in use";
    case PRISM_API_ERROR_TOO_MANY_REQUESTS:
        return "Too many requests";
    case PRISM_API_ERROR_UNEXPECTED_ANSWER:
        return "Unexpected ANSWER (no OFFER)";
    case PRISM_API_ERROR_TOKEN_NOT_FOUND:
        return "Token not found";
    case PRISM_API_ERROR_WEBRTC_STATE:
        return "Wrong WebRTC state";
    case PRISM_API_ERROR_NOT_ACCEPTING_SESSIONS:
        return "Currently not accepting new sessions";
    default:
        return "Unknown error";
    }
}

json_t *prism_api_error_reply(uint64_t session_id, const char *transaction, int code,
                              const char *reason)
{
    json_t *reply = json_pack("{s:s}", "janus", "error");
    if (session_id)
        json_object_set_new(reply, "session_id", json_integer((json_int_t)session_id));
    if (transaction)
        json_object_set_new(reply, "transaction", json_string(transaction));
    json_object_set_new(reply, "error",
                        json_pack("{s:i, s:s}", "code", code, "reason",
                                  reason ? reason : prism_api_error_text(code)));
    return reply;
}

json_t *prism_api_error_replyv(uint64_t session_id, const char *transaction, int code,
                               const char *format, va_list args)
{
    char reason[512];
    vsnprintf(reason, sizeof(reason), format, args);
    return prism_api_error_reply(session_id, transaction, code, reason);
}
