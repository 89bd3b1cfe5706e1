/* Declarative validation of JSON request parameters: a table says which
 * members exist, their type and constraints; one call checks an object
 * against it and produces the Janus-style error code and text. Used by the
 * core API and by every plugin, so no handler validates by hand. */
#ifndef PRISM_CORE_PARAMS_H
#define PRISM_CORE_PARAMS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum prism_param_type {
    PRISM_PARAM_STRING,
    PRISM_PARAM_INTEGER,
    PRISM_PARAM_BOOLEAN,
    PRISM_PARAM_OBJECT,
    PRISM_PARAM_ARRAY,
    PRISM_PARAM_NUMBER,        /* integer or real */
    PRISM_PARAM_STRING_OR_INT, /* ids that clients send either way */
    PRISM_PARAM_ANY,
};

enum prism_param_flags {
    PRISM_PARAM_REQUIRED = 1 << 0,
    PRISM_PARAM_POSITIVE = 1 << 1, /* integers: > 0 (ids); else >= 0 is not implied */
    PRISM_PARAM_NONEMPTY = 1 << 2, /* strings and arrays: not empty */
    PRISM_PARAM_UNSIGNED = 1 << 3, /* integers: >= 0 */
};

struct prism_param {
    const char *name;
    enum prism_param_type type;
    unsigned flags;
};

/* Codes to report: Janus core uses 456/467, each plugin has its own pair. */
struct prism_param_codes {
    int missing;      /* a required member is absent */
    int invalid_type; /* a member has the wrong type or value */
};

/* Checks `object` against `params`. Unknown members are allowed (clients send
 * extra fields). Returns 0 when valid; otherwise the code, with a reason like
 * "Missing mandatory element (room)" or "Invalid element type (room should be
 * a positive integer)" written to `reason`. */
int prism_params_validate(const json_t *object, const struct prism_param *params, size_t count,
                          const struct prism_param_codes *codes, char *reason, size_t reason_size);

#define PRISM_PARAMS_COUNT(table) (sizeof(table) / sizeof((table)[0]))

#endif
