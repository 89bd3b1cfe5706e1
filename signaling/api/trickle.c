/* Trickle request validation (see trickle.h). The texts are janus.c's and ice.c's
 * (janus_ice_trickle_parse), so clients see what Janus would have said. */
#include "signaling/api/trickle.h"

#include "signaling/api/errors.h"

#include <stddef.h>

int prism_api_trickle_check_candidate(const json_t *candidate, const char **reason)
{
    if (!json_is_object(candidate)) {
        *reason = "Invalid element type (candidate should be an object)";
        return PRISM_API_ERROR_INVALID_ELEMENT_TYPE;
    }
    if (json_object_get(candidate, "completed"))
        return 0;
    const json_t *mid = json_object_get(candidate, "sdpMid");
    if (mid && !json_is_string(mid)) {
        *reason = "Trickle error: invalid element type (sdpMid should be a string)";
        return PRISM_API_ERROR_INVALID_ELEMENT_TYPE;
    }
    const json_t *mline = json_object_get(candidate, "sdpMLineIndex");
    if (mline && (!json_is_integer(mline) || json_integer_value(mline) < 0)) {
        *reason = "Trickle error: invalid element type (sdpMLineIndex should be a positive "
                  "integer)";
        return PRISM_API_ERROR_INVALID_ELEMENT_TYPE;
    }
    if (!mid && !mline) {
        *reason = "Trickle error: missing mandatory element (sdpMid or sdpMLineIndex)";
        return PRISM_API_ERROR_MISSING_MANDATORY_ELEMENT;
    }
    const json_t *text = json_object_get(candidate, "candidate");
    if (!text) {
        *reason = "Trickle error: missing mandatory element (candidate)";
        return PRISM_API_ERROR_MISSING_MANDATORY_ELEMENT;
    }
    if (!json_is_string(text)) {
        *reason = "Trickle error: invalid element type (candidate should be a string)";
        return PRISM_API_ERROR_INVALID_ELEMENT_TYPE;
    }
    return 0;
}

int prism_api_trickle_check(const json_t *request, const char **reason)
{
    const json_t *candidate = json_object_get(request, "candidate");
    const json_t *candidates = json_object_get(request, "candidates");
    if (!candidate && !candidates) {
        *reason = "Missing mandatory element (candidate|candidates)";
        return PRISM_API_ERROR_MISSING_MANDATORY_ELEMENT;
    }
    if (candidate && candidates) {
        *reason = "Can't have both candidate and candidates";
        return PRISM_API_ERROR_INVALID_JSON;
    }
    if (candidate)
        return prism_api_trickle_check_candidate(candidate, reason);
    if (!json_is_array(candidates)) {
        *reason = "candidates is not an array";
        return PRISM_API_ERROR_INVALID_ELEMENT_TYPE;
    }
    for (size_t i = 0; i < json_array_size(candidates); i++) {
        int code = prism_api_trickle_check_candidate(json_array_get(candidates, i), reason);
        if (code)
            return code;
    }
    return 0;
}
