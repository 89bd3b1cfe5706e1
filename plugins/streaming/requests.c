/* The Streaming plugin's synchronous requests: list, info, create, destroy, edit, enable and
 * disable, with Janus's shapes and error codes. Plugin worker only. */
#include "plugins/streaming/mountpoint.h"

#include "core/log.h"
#include "core/params.h"

#include <stdio.h>
#include <string.h>

static const struct prism_param_codes param_codes = {PRISM_STREAMING_ERROR_MISSING_ELEMENT,
                                                     PRISM_STREAMING_ERROR_INVALID_ELEMENT};
static char *admin_key;                       /* NULL: create needs none */
static unsigned max_mountpoints, max_viewers; /* 0 = unlimited */

void st_set_limits(unsigned mountpoints, unsigned viewers)
{
    max_mountpoints = mountpoints;
    max_viewers = viewers;
}

unsigned st_max_viewers(void)
{
    return max_viewers;
}

/* The mountpoints there are now. */
static void count_cb(struct st_mountpoint *mp, void *data)
{
    (void)mp;
    (*(unsigned *)data)++;
}

void st_set_admin_key(const char *key)
{
    g_free(admin_key);
    admin_key = key && key[0] ? g_strdup(key) : NULL;
}

static void list_each(struct st_mountpoint *mp, void *data)
{
    if (!mp->is_private)
        json_array_append_new(data, st_mountpoint_summary(mp));
}

json_t *st_request_list(json_t *body)
{
    json_t *list = json_array();
    st_mountpoints_foreach(list_each, list);
    return json_pack("{s:s, s:o}", "streaming", "list", "list", list);
}

static const struct prism_param id_params[] = {
    {"id", PRISM_PARAM_INTEGER, PRISM_PARAM_REQUIRED | PRISM_PARAM_POSITIVE},
    {"secret", PRISM_PARAM_STRING, 0},
};

/* The mountpoint named by "id", or NULL with *error set. */
static struct st_mountpoint *find_named(json_t *body, json_t **error)
{
    char reason[256];
    int code = prism_params_validate(body, id_params, PRISM_PARAMS_COUNT(id_params), &param_codes,
                                     reason, sizeof(reason));
    if (code) {
        *error = st_error(code, "%s", reason);
        return NULL;
    }
    json_int_t id = json_integer_value(json_object_get(body, "id"));
    struct st_mountpoint *mp = st_mountpoint_find((uint64_t)id);
    if (!mp)
        *error = st_error(PRISM_STREAMING_ERROR_NO_SUCH_MOUNTPOINT,
                          "No such mountpoint/stream %" JSON_INTEGER_FORMAT, id);
    return mp;
}

static bool secret_ok(const struct st_mountpoint *mp, json_t *body)
{
    return !mp->secret ||
           st_secret_equal(mp->secret, json_string_value(json_object_get(body, "secret")));
}

/* The mountpoint named by "id" when the request carries its secret; else NULL and *error. */
static struct st_mountpoint *find_authorized(json_t *body, json_t **error)
{
    struct st_mountpoint *mp = find_named(body, error);
    if (mp && !secret_ok(mp, body)) {
        *error = st_error(PRISM_STREAMING_ERROR_UNAUTHORIZED, "Unauthorized (wrong secret)");
        return NULL;
    }
    return mp;
}

json_t *st_request_info(json_t *body)
{
    json_t *error = NULL;
    struct st_mountpoint *mp = find_named(body, &error);
    if (!mp)
        return error;
    bool full = json_object_get(body, "secret") ? secret_ok(mp, body) : !mp->secret;
    return json_pack("{s:s, s:o}", "streaming", "info", "info", st_mountpoint_info(mp, full));
}

/* "permanent": true needs a config file to rewrite (Janus: 470, "No configuration file"). */
static json_t *check_permanent(json_t *body, bool *permanent, const char *what)
{
    *permanent = json_is_true(json_object_get(body, "permanent"));
    if (*permanent && !st_file_available())
        return st_error(PRISM_STREAMING_ERROR_UNKNOWN,
                        "No configuration file, can't %s permanent mountpoint", what);
    return NULL;
}

/* Lists the mountpoint as it is now (NULL: not at all) in the config file. */
static json_t *save(uint64_t id, const struct st_mountpoint *mp)
{
    if (st_file_store(id, mp ? st_mountpoint_to_config(mp) : NULL) < 0)
        return st_error(PRISM_STREAMING_ERROR_UNKNOWN,
                        "Error saving the mountpoint to the configuration file");
    return NULL;
}

json_t *st_request_create(json_t *body)
{
    bool permanent;
    json_t *refused = check_permanent(body, &permanent, "create");
    if (refused)
        return refused;
    if (admin_key &&
        !st_secret_equal(admin_key, json_string_value(json_object_get(body, "admin_key"))))
        return st_error(PRISM_STREAMING_ERROR_UNAUTHORIZED, "Unauthorized (wrong admin_key)");
    unsigned count = 0;
    st_mountpoints_foreach(count_cb, &count);
    if (max_mountpoints && count >= max_mountpoints) {
        st_count_refusal(true);
        return st_error(PRISM_STREAMING_ERROR_CANT_CREATE,
                        "Can't create mountpoint: maximum number of mountpoints (%u) reached",
                        max_mountpoints);
    }
    char reason[256];
    struct st_mountpoint *mp = NULL;
    int rc = st_mountpoint_create(body, &mp, reason, sizeof(reason));
    if (rc < 0)
        return st_error(-rc, "%s", reason);
    json_t *unsaved = permanent ? save(mp->id, mp) : NULL;
    if (unsaved) {
        st_mountpoint_destroy(mp);
        return unsaved;
    }
    prism_info("streaming", "mountpoint %" G_GUINT64_FORMAT " created (%u streams)", mp->id,
               mp->stream_count);
    return json_pack("{s:s, s:s, s:b, s:{s:I, s:s, s:s, s:b, s:o}}", "streaming", "created",
                     "created", mp->name, "permanent", permanent, "stream", "id",
                     (json_int_t)mp->id, "type", "live", "description", mp->description,
                     "is_private", mp->is_private, "ports", st_mountpoint_ports(mp));
}

json_t *st_request_destroy(json_t *body)
{
    bool permanent;
    json_t *error = check_permanent(body, &permanent, "destroy");
    struct st_mountpoint *mp = error ? NULL : find_authorized(body, &error);
    if (!mp)
        return error;
    uint64_t id = mp->id;
    error = permanent && st_file_lists(id) ? save(id, NULL) : NULL;
    if (error)
        return error;
    st_mountpoint_destroy(mp);
    prism_info("streaming", "mountpoint %" G_GUINT64_FORMAT " destroyed", id);
    return json_pack("{s:s, s:I}", "streaming", "destroyed", "id", (json_int_t)id);
}

static const struct prism_param edit_params[] = {
    {"new_description", PRISM_PARAM_STRING, 0}, {"new_metadata", PRISM_PARAM_STRING, 0},
    {"new_secret", PRISM_PARAM_STRING, 0},      {"new_pin", PRISM_PARAM_STRING, 0},
    {"new_is_private", PRISM_PARAM_BOOLEAN, 0}, {"permanent", PRISM_PARAM_BOOLEAN, 0},
};

/* Replaces *field with `value` ("" clears it, as Janus does for the pin). */
static void replace(char **field, json_t *value)
{
    if (!value)
        return;
    g_free(*field);
    const char *text = json_string_value(value);
    *field = text[0] ? g_strdup(text) : NULL;
}

json_t *st_request_edit(json_t *body)
{
    char reason[256];
    int code = prism_params_validate(body, edit_params, PRISM_PARAMS_COUNT(edit_params),
                                     &param_codes, reason, sizeof(reason));
    if (code)
        return st_error(code, "%s", reason);
    bool permanent;
    json_t *error = check_permanent(body, &permanent, "edit");
    struct st_mountpoint *mp = error ? NULL : find_authorized(body, &error);
    if (!mp)
        return error;
    json_t *description = json_object_get(body, "new_description");
    if (description && json_string_value(description)[0])
        replace(&mp->description, description);
    replace(&mp->metadata, json_object_get(body, "new_metadata"));
    replace(&mp->secret, json_object_get(body, "new_secret"));
    st_registry_lock(); /* viewers on other workers check the pin */
    replace(&mp->pin, json_object_get(body, "new_pin"));
    st_registry_unlock();
    json_t *is_private = json_object_get(body, "new_is_private");
    if (is_private)
        mp->is_private = json_is_true(is_private);
    error = permanent ? save(mp->id, mp) : NULL;
    if (error)
        return error;
    return json_pack("{s:s, s:I, s:b}", "streaming", "edited", "id", (json_int_t)mp->id,
                     "permanent", permanent);
}

json_t *st_request_enable(json_t *body, bool enable)
{
    json_t *error = NULL;
    struct st_mountpoint *mp = find_authorized(body, &error);
    if (!mp)
        return error;
    st_registry_lock();
    mp->enabled = enable;
    st_registry_unlock();
    return json_pack("{s:s}", "streaming", "ok");
}
