/* The Janus API error codes: clients (janus.js, janode) branch on them, so
 * the numbers and meanings are Janus's own. */
#ifndef PRISM_SIGNALING_API_ERRORS_H
#define PRISM_SIGNALING_API_ERRORS_H

#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>

enum prism_api_error {
    PRISM_API_OK = 0,
    PRISM_API_ERROR_UNAUTHORIZED = 403,
    PRISM_API_ERROR_UNAUTHORIZED_PLUGIN = 405,
    PRISM_API_ERROR_UNKNOWN = 490,
    PRISM_API_ERROR_TRANSPORT_SPECIFIC = 450,
    PRISM_API_ERROR_MISSING_REQUEST = 452,
    PRISM_API_ERROR_UNKNOWN_REQUEST = 453,
    PRISM_API_ERROR_INVALID_JSON = 454,
    PRISM_API_ERROR_INVALID_JSON_OBJECT = 455,
    PRISM_API_ERROR_MISSING_MANDATORY_ELEMENT = 456,
    PRISM_API_ERROR_INVALID_REQUEST_PATH = 457,
    PRISM_API_ERROR_SESSION_NOT_FOUND = 458,
    PRISM_API_ERROR_HANDLE_NOT_FOUND = 459,
    PRISM_API_ERROR_PLUGIN_NOT_FOUND = 460,
    PRISM_API_ERROR_PLUGIN_ATTACH = 461,
    PRISM_API_ERROR_PLUGIN_MESSAGE = 462,
    PRISM_API_ERROR_PLUGIN_DETACH = 463,
    PRISM_API_ERROR_JSEP_UNKNOWN_TYPE = 464,
    PRISM_API_ERROR_JSEP_INVALID_SDP = 465,
    PRISM_API_ERROR_TRICKLE_INVALID_STREAM = 466,
    PRISM_API_ERROR_INVALID_ELEMENT_TYPE = 467,
    PRISM_API_ERROR_SESSION_CONFLICT = 468,
    PRISM_API_ERROR_UNEXPECTED_ANSWER = 469,
    PRISM_API_ERROR_TOKEN_NOT_FOUND = 470,
    PRISM_API_ERROR_WEBRTC_STATE = 471,
    PRISM_API_ERROR_NOT_ACCEPTING_SESSIONS = 472,
    /* Prism's own (Janus has no rate limit): the client's address sent more requests than
     * general.requests_per_second allows; the same number as the HTTP status. */
    PRISM_API_ERROR_TOO_MANY_REQUESTS = 429,
};

/* The reason of the 472 a "create" gets when its client address holds
 * max_sessions_per_address sessions (Janus has no such limit), so that the WHIP module can
 * answer it with 429 rather than 503. */
#define PRISM_API_REASON_TOO_MANY_SESSIONS "Too many sessions from this address"

/* Janus's short description of a code ("Session not found"). */
const char *prism_api_error_text(int code);

/* {"janus":"error","session_id"?,"transaction"?,"error":{"code","reason"}};
 * session_id 0 and transaction NULL are left out. New reference. */
json_t *prism_api_error_reply(uint64_t session_id, const char *transaction, int code,
                              const char *reason);

/* The same with the reason formatted from `format` and `args`. */
json_t *prism_api_error_replyv(uint64_t session_id, const char *transaction, int code,
                               const char *format, va_list args)
    __attribute__((format(printf, 4, 0)));

#endif
