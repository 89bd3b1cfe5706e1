/* Table-driven validation of JSON request members. */
#include "core/params.h"

#include <stdio.h>

static const char *type_description(const struct prism_param *param)
{
    switch (param->type) {
    case PRISM_PARAM_STRING:
        return (param->flags & PRISM_PARAM_NONEMPTY) ? "a non-empty string" : "a string";
    case PRISM_PARAM_INTEGER:
        if (param->flags & PRISM_PARAM_POSITIVE)
            return "a positive integer";
        return (param->flags & PRISM_PARAM_UNSIGNED) ? "a non-negative integer" : "an integer";
    case PRISM_PARAM_BOOLEAN:
        return "a boolean";
    case PRISM_PARAM_OBJECT:
        return "an object";
    case PRISM_PARAM_ARRAY:
        return (param->flags & PRISM_PARAM_NONEMPTY) ? "a non-empty array" : "an array";
    case PRISM_PARAM_NUMBER:
        return "a number";
    case PRISM_PARAM_STRING_OR_INT:
        return "a string or an integer";
    case PRISM_PARAM_ANY:
        break;
    }
    return "a value";
}

static bool integer_ok(const json_t *value, unsigned flags)
{
    if (!json_is_integer(value))
        return false;
    json_int_t number = json_integer_value(value);
    if ((flags & PRISM_PARAM_POSITIVE) && number <= 0)
        return false;
    if ((flags & PRISM_PARAM_UNSIGNED) && number < 0)
        return false;
    return true;
}

static bool value_ok(const json_t *value, const struct prism_param *param)
{
    bool nonempty = param->flags & PRISM_PARAM_NONEMPTY;
    switch (param->type) {
    case PRISM_PARAM_STRING:
        return json_is_string(value) && (!nonempty || json_string_length(value) > 0);
    case PRISM_PARAM_INTEGER:
        return integer_ok(value, param->flags);
    case PRISM_PARAM_BOOLEAN:
        return json_is_boolean(value);
    case PRISM_PARAM_OBJECT:
        return json_is_object(value);
    case PRISM_PARAM_ARRAY:
        return json_is_array(value) && (!nonempty || json_array_size(value) > 0);
    case PRISM_PARAM_NUMBER:
        return json_is_number(value);
    case PRISM_PARAM_STRING_OR_INT:
        return (json_is_string(value) && json_string_length(value) > 0) ||
               integer_ok(value, param->flags);
    case PRISM_PARAM_ANY:
        return true;
    }
    return false;
}

int prism_params_validate(const json_t *object, const struct prism_param *params, size_t count,
                          const struct prism_param_codes *codes, char *reason, size_t reason_size)
{
    if (!json_is_object(object)) {
        snprintf(reason, reason_size, "Invalid element type (expected an object)");
        return codes->invalid_type;
    }
    for (size_t i = 0; i < count; i++) {
        const struct prism_param *param = &params[i];
        json_t *value = json_object_get(object, param->name);
        if (!value) {
            if (!(param->flags & PRISM_PARAM_REQUIRED))
                continue;
            snprintf(reason, reason_size, "Missing mandatory element (%s)", param->name);
            return codes->missing;
        }
        if (!value_ok(value, param)) {
            snprintf(reason, reason_size, "Invalid element type (%s should be %s)", param->name,
                     type_description(param));
            return codes->invalid_type;
        }
    }
    return 0;
}
