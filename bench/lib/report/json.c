/* Runs as JSON files ("format": "prism-bench-1"): one table of fields drives both the writer
 * and the validating reader, so the two cannot drift apart. */
#include "bench/lib/report/report.h"

#include <errno.h>
#include <glib.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#define FORMAT_NAME "prism-bench-1"

/* json_int_t is long long or long; both are 64 bits on the platforms Prism builds on. */
#define JSON_INT_MAX ((json_int_t)INT64_MAX)

enum field_type { FIELD_U64, FIELD_UNSIGNED, FIELD_INT, FIELD_DOUBLE, FIELD_BOOL, FIELD_STRING };

/* One member of a struct: its JSON key, its C type, where it is and (strings) its capacity. */
struct field {
    const char *name;
    enum field_type type;
    size_t offset;
    size_t size;
};

/* clang-format off */
#define PCT(type, member) {#member, type, offsetof(struct bench_percentiles, member), 0}
/* clang-format on */
static const struct field percentile_fields[] = {
    PCT(FIELD_U64, count),     PCT(FIELD_DOUBLE, p50_ms), PCT(FIELD_DOUBLE, p95_ms),
    PCT(FIELD_DOUBLE, p99_ms), PCT(FIELD_DOUBLE, max_ms), PCT(FIELD_DOUBLE, mean_ms),
};

/* The percentile members of a step are nested objects, listed apart from the scalars. */
/* clang-format off */
#define STEP(type, member) {#member, type, offsetof(struct bench_step_result, member), 0}
/* clang-format on */
static const struct field step_fields[] = {
    STEP(FIELD_UNSIGNED, load),
    STEP(FIELD_DOUBLE, duration_s),
    STEP(FIELD_U64, packets_sent),
    STEP(FIELD_U64, bytes_sent),
    STEP(FIELD_U64, packets_received),
    STEP(FIELD_U64, bytes_received),
    STEP(FIELD_DOUBLE, send_pps),
    STEP(FIELD_DOUBLE, send_bps),
    STEP(FIELD_DOUBLE, recv_pps),
    STEP(FIELD_DOUBLE, recv_bps),
    STEP(FIELD_U64, expected),
    STEP(FIELD_U64, lost),
    STEP(FIELD_U64, reordered),
    STEP(FIELD_U64, duplicates),
    STEP(FIELD_DOUBLE, loss_pct),
    STEP(FIELD_DOUBLE, jitter_ms),
    STEP(FIELD_UNSIGNED, joined),
    STEP(FIELD_UNSIGNED, join_failures),
    STEP(FIELD_UNSIGNED, errors),
    STEP(FIELD_UNSIGNED, layer_switches),
    STEP(FIELD_UNSIGNED, layer_keyframes_asked),
    STEP(FIELD_UNSIGNED, layer_keyframes_other),
    STEP(FIELD_U64, requests),
    STEP(FIELD_DOUBLE, requests_per_s),
    STEP(FIELD_DOUBLE, server_cpu),
    STEP(FIELD_DOUBLE, bench_cpu),
    STEP(FIELD_DOUBLE, server_rss_mb),
    STEP(FIELD_DOUBLE, bench_rss_mb),
    STEP(FIELD_DOUBLE, server_pps_per_cpu),
    STEP(FIELD_BOOL, bench_saturated),
    STEP(FIELD_BOOL, held),
    STEP(FIELD_UNSIGNED, server_workers),
    STEP(FIELD_DOUBLE, worker_share_max_pct),
};

static const struct {
    const char *name;
    size_t offset;
} step_percentiles[] = {
    {"latency", offsetof(struct bench_step_result, latency)},
    {"join", offsetof(struct bench_step_result, join)},
    {"keyframe", offsetof(struct bench_step_result, keyframe)},
    {"layer_switch", offsetof(struct bench_step_result, layer_switch)},
    {"request_latency", offsetof(struct bench_step_result, request_latency)},
};

/* clang-format off */
#define RUN(type, member) \
    {#member, type, offsetof(struct bench_run, member), sizeof(((struct bench_run *)0)->member)}
/* clang-format on */
static const struct field run_fields[] = {
    RUN(FIELD_STRING, scenario),   RUN(FIELD_STRING, target),       RUN(FIELD_STRING, url),
    RUN(FIELD_STRING, command),    RUN(FIELD_STRING, commit),       RUN(FIELD_STRING, machine),
    RUN(FIELD_STRING, started_at), RUN(FIELD_DOUBLE, max_loss_pct), RUN(FIELD_DOUBLE, max_p99_ms),
    RUN(FIELD_INT, max_held_step),
};

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

/* ---- writing ---- */

static json_t *field_to_json(const void *base, const struct field *field)
{
    const char *at = (const char *)base + field->offset;
    switch (field->type) {
    case FIELD_U64: {
        uint64_t value = *(const uint64_t *)at;
        /* JSON integers are signed 64-bit in jansson; no counter gets near the limit. */
        return json_integer(value > (uint64_t)JSON_INT_MAX ? JSON_INT_MAX : (json_int_t)value);
    }
    case FIELD_UNSIGNED:
        return json_integer(*(const unsigned *)at);
    case FIELD_INT:
        return json_integer(*(const int *)at);
    case FIELD_DOUBLE: {
        double value = *(const double *)at;
        /* JSON has no NaN or infinity: those are written as null and read back as NaN. */
        return isfinite(value) ? json_real(value) : json_null();
    }
    case FIELD_BOOL:
        return json_boolean(*(const bool *)at);
    case FIELD_STRING: {
        /* Text such as the CPU model comes from outside; JSON needs it as valid UTF-8. */
        char *valid = g_utf8_make_valid(at, (gssize)strnlen(at, field->size));
        json_t *string = json_string(valid);
        g_free(valid);
        return string;
    }
    }
    return NULL;
}

static int fields_to_object(json_t *object, const void *base, const struct field *fields,
                            size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (json_object_set_new(object, fields[i].name, field_to_json(base, &fields[i])) != 0)
            return -ENOMEM;
    }
    return 0;
}

static json_t *step_to_json(const struct bench_step_result *step)
{
    json_t *object = json_object();
    if (!object || fields_to_object(object, step, step_fields, COUNT(step_fields)) != 0)
        goto fail;
    for (size_t i = 0; i < COUNT(step_percentiles); i++) {
        json_t *nested = json_object();
        const char *at = (const char *)step + step_percentiles[i].offset;
        if (json_object_set_new(object, step_percentiles[i].name, nested) != 0 ||
            fields_to_object(nested, at, percentile_fields, COUNT(percentile_fields)) != 0)
            goto fail;
    }
    return object;
fail:
    json_decref(object);
    return NULL;
}

static json_t *run_to_json(const struct bench_run *run)
{
    json_t *object = json_object();
    json_t *steps = json_array();
    if (!object || !steps || json_object_set_new(object, "format", json_string(FORMAT_NAME)) != 0 ||
        fields_to_object(object, run, run_fields, COUNT(run_fields)) != 0)
        goto fail;
    for (size_t i = 0; i < run->step_count; i++) {
        if (json_array_append_new(steps, step_to_json(&run->steps[i])) != 0)
            goto fail;
    }
    if (json_object_set_new(object, "steps", steps) != 0) {
        steps = NULL; /* set_new consumed it even on failure */
        goto fail;
    }
    return object;
fail:
    json_decref(steps);
    json_decref(object);
    return NULL;
}

/* GLib reports file errors as GFileError; the callers want the errno behind it. */
static int errno_from_gerror(const GError *gerror)
{
    if (gerror->domain != G_FILE_ERROR)
        return -EIO;
    switch (gerror->code) {
    case G_FILE_ERROR_NOENT:
        return -ENOENT;
    case G_FILE_ERROR_ACCES:
    case G_FILE_ERROR_PERM:
        return -EACCES;
    case G_FILE_ERROR_NOSPC:
        return -ENOSPC;
    case G_FILE_ERROR_ISDIR:
        return -EISDIR;
    case G_FILE_ERROR_NOTDIR:
        return -ENOTDIR;
    case G_FILE_ERROR_ROFS:
        return -EROFS;
    case G_FILE_ERROR_NOMEM:
        return -ENOMEM;
    case G_FILE_ERROR_NAMETOOLONG:
        return -ENAMETOOLONG;
    default:
        return -EIO;
    }
}

int bench_report_write_json(const struct bench_run *run, const char *path)
{
    int result = 0;
    json_t *root = run_to_json(run);
    char *text = root ? json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(root);
    char *directory = g_path_get_dirname(path);
    if (g_mkdir_with_parents(directory, 0755) != 0) {
        result = -errno;
        goto out;
    }
    if (!text) {
        result = -ENOMEM;
        goto out;
    }
    /* g_file_set_contents writes a temporary file beside path and renames it over path, so a
     * reader never sees half a file. */
    GError *gerror = NULL;
    if (!g_file_set_contents(path, text, (gssize)strlen(text), &gerror)) {
        result = errno_from_gerror(gerror);
        g_error_free(gerror);
    }
out:
    free(text);
    g_free(directory);
    return result;
}

/* ---- reading ---- */

/* Writes "path: message" into error and returns -EINVAL. */
G_GNUC_PRINTF(4, 5)
static int fail(char *error, size_t size, const char *path, const char *format, ...)
{
    if (size == 0)
        return -EINVAL;
    char message[160];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof(message), format, args);
    va_end(args);
    snprintf(error, size, "%s%s%s", path, path[0] ? ": " : "", message);
    return -EINVAL;
}

/* Copies a UTF-8 string into a fixed buffer, cut at a character boundary if it does not fit
 * (text fields are descriptive: a long one is shortened, not refused). */
static void copy_truncated(char *to, size_t capacity, const char *from, size_t length)
{
    if (length >= capacity) {
        length = capacity - 1;
        while (length > 0 && ((unsigned char)from[length] & 0xC0) == 0x80)
            length--;
    }
    memcpy(to, from, length);
    to[length] = '\0';
}

static int read_integer(const json_t *value, json_int_t min, json_int_t max, json_int_t *out)
{
    if (!json_is_integer(value))
        return -1;
    json_int_t number = json_integer_value(value);
    if (number < min || number > max)
        return -2;
    *out = number;
    return 0;
}

static int field_from_json(void *base, const struct field *field, const json_t *value,
                           const char *path, char *error, size_t size)
{
    char *at = (char *)base + field->offset;
    json_int_t number = 0;
    int status = 0;
    switch (field->type) {
    case FIELD_U64:
        status = read_integer(value, 0, JSON_INT_MAX, &number);
        if (status == 0)
            *(uint64_t *)at = (uint64_t)number;
        break;
    case FIELD_UNSIGNED:
        status = read_integer(value, 0, UINT_MAX, &number);
        if (status == 0)
            *(unsigned *)at = (unsigned)number;
        break;
    case FIELD_INT:
        status = read_integer(value, INT_MIN, INT_MAX, &number);
        if (status == 0)
            *(int *)at = (int)number;
        break;
    case FIELD_DOUBLE:
        if (json_is_null(value))
            *(double *)at = NAN;
        else if (json_is_number(value))
            *(double *)at = json_number_value(value);
        else
            status = -1;
        break;
    case FIELD_BOOL:
        if (!json_is_boolean(value))
            return fail(error, size, path, "%s: expected true or false", field->name);
        *(bool *)at = json_is_true(value);
        break;
    case FIELD_STRING:
        if (!json_is_string(value))
            return fail(error, size, path, "%s: expected a string", field->name);
        copy_truncated(at, field->size, json_string_value(value), json_string_length(value));
        break;
    }
    if (status == -1)
        return fail(error, size, path, "%s: expected a number", field->name);
    if (status == -2)
        return fail(error, size, path, "%s: %" JSON_INTEGER_FORMAT " is out of range", field->name,
                    json_integer_value(value));
    return 0;
}

/* Fills the fields present in object; absent ones keep their defaults. */
static int fields_from_object(void *base, const struct field *fields, size_t count,
                              const json_t *object, const char *path, char *error, size_t size)
{
    for (size_t i = 0; i < count; i++) {
        const json_t *value = json_object_get(object, fields[i].name);
        if (!value)
            continue;
        int result = field_from_json(base, &fields[i], value, path, error, size);
        if (result != 0)
            return result;
    }
    return 0;
}

static int step_from_json(struct bench_step_result *step, const json_t *object, size_t index,
                          char *error, size_t size)
{
    char path[48];
    snprintf(path, sizeof(path), "steps[%zu]", index);
    if (!json_is_object(object))
        return fail(error, size, path, "expected an object");
    memset(step, 0, sizeof(*step));
    int result = fields_from_object(step, step_fields, COUNT(step_fields), object, path, error,
                                    size);
    for (size_t i = 0; result == 0 && i < COUNT(step_percentiles); i++) {
        const json_t *nested = json_object_get(object, step_percentiles[i].name);
        if (!nested)
            continue;
        snprintf(path, sizeof(path), "steps[%zu].%s", index, step_percentiles[i].name);
        if (!json_is_object(nested))
            return fail(error, size, path, "expected an object");
        result = fields_from_object((char *)step + step_percentiles[i].offset, percentile_fields,
                                    COUNT(percentile_fields), nested, path, error, size);
    }
    return result;
}

static int run_from_json(struct bench_run *run, const json_t *root, char *error, size_t size)
{
    if (!json_is_object(root))
        return fail(error, size, "", "the top level is not a JSON object");
    const json_t *format = json_object_get(root, "format");
    if (!json_is_string(format) || strcmp(json_string_value(format), FORMAT_NAME) != 0)
        return fail(error, size, "", "not a prism-bench result (\"format\" is not \"%s\")",
                    FORMAT_NAME);
    int result = fields_from_object(run, run_fields, COUNT(run_fields), root, "", error, size);
    if (result != 0)
        return result;
    const json_t *steps = json_object_get(root, "steps");
    if (steps && !json_is_array(steps))
        return fail(error, size, "", "steps: expected an array");
    for (size_t i = 0; i < json_array_size(steps); i++) {
        struct bench_step_result step;
        result = step_from_json(&step, json_array_get(steps, i), i, error, size);
        if (result == 0)
            result = bench_run_add_step(run, &step);
        if (result != 0)
            return result;
    }
    if (run->max_held_step < -1 ||
        (run->max_held_step >= 0 && (size_t)run->max_held_step >= run->step_count))
        return fail(error, size, "", "max_held_step: %d is not a step index", run->max_held_step);
    return 0;
}

int bench_report_parse_json(struct bench_run *run, const char *text, size_t length, char *error,
                            size_t size)
{
    json_error_t json_error;
    json_t *root = json_loadb(text, length, JSON_REJECT_DUPLICATES, &json_error);
    if (!root)
        return fail(error, size, "", "not valid JSON (line %d, column %d): %s", json_error.line,
                    json_error.column, json_error.text);
    struct bench_run parsed;
    bench_run_init(&parsed);
    int result = run_from_json(&parsed, root, error, size);
    json_decref(root);
    if (result != 0) {
        bench_run_free(&parsed);
        return result;
    }
    *run = parsed;
    return 0;
}

int bench_report_read_json(struct bench_run *run, const char *path, char *error, size_t size)
{
    char *text = NULL;
    gsize length = 0;
    GError *gerror = NULL;
    if (!g_file_get_contents(path, &text, &length, &gerror)) {
        int result = errno_from_gerror(gerror);
        if (size > 0)
            snprintf(error, size, "%s", gerror->message);
        g_error_free(gerror);
        return result;
    }
    int result = bench_report_parse_json(run, text, length, error, size);
    g_free(text);
    return result;
}
