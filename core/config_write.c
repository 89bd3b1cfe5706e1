/* Writing a plugin's config file back (see core/config_write.h). */
#include "core/config_write.h"

#include "core/config_json.h"
#include "core/log.h"
#include "core/settings.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

json_t *prism_config_section_values(const config_t *tree, const char *section)
{
    json_t *values = json_object();
    const struct prism_config_schema *schema = &prism_settings_schema;
    for (size_t i = 0; tree && i < schema->setting_count; i++) {
        const struct prism_setting *setting = &schema->settings[i];
        if (strcmp(setting->section, section) != 0)
            continue;
        char path[128];
        snprintf(path, sizeof(path), "%s.%s", section, setting->key);
        const config_setting_t *node = config_lookup(tree, path);
        if (node)
            json_object_set_new(values, setting->key, prism_config_node_to_json(node));
    }
    return values;
}

/* `text` as a libconfig string literal. */
static void append_quoted(GString *out, const char *text)
{
    g_string_append_c(out, '"');
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        if (*c == '"' || *c == '\\')
            g_string_append_printf(out, "\\%c", *c);
        else if (*c == '\n')
            g_string_append(out, "\\n");
        else if (*c == '\t')
            g_string_append(out, "\\t");
        else if (*c < 0x20 || *c == 0x7f)
            g_string_append_printf(out, "\\x%02x", *c);
        else
            g_string_append_c(out, (char)*c);
    }
    g_string_append_c(out, '"');
}

static void indent(GString *out, unsigned depth)
{
    for (unsigned i = 0; i < depth; i++)
        g_string_append_c(out, '\t');
}

/* An array of groups is a libconfig list, one group after the other. */
static void append_list(GString *out, const json_t *array, unsigned depth)
{
    g_string_append(out, "(\n");
    for (size_t i = 0; i < json_array_size(array); i++) {
        indent(out, depth + 1);
        prism_config_append_group(out, json_array_get(array, i), depth + 1);
        g_string_append(out, i + 1 < json_array_size(array) ? ",\n" : "\n");
    }
    indent(out, depth);
    g_string_append_c(out, ')');
}

void prism_config_append_value(GString *out, const json_t *value, unsigned depth)
{
    if (json_is_integer(value)) {
        json_int_t number = json_integer_value(value);
        bool wide = number > INT32_MAX || number < INT32_MIN;
        g_string_append_printf(out, "%" JSON_INTEGER_FORMAT "%s", number, wide ? "L" : "");
    } else if (json_is_real(value)) {
        g_string_append_printf(out, "%.17g", json_real_value(value));
    } else if (json_is_boolean(value)) {
        g_string_append(out, json_is_true(value) ? "true" : "false");
    } else if (json_is_string(value)) {
        append_quoted(out, json_string_value(value));
    } else if (json_is_array(value) && json_is_object(json_array_get(value, 0))) {
        append_list(out, value, depth);
    } else if (json_is_array(value)) {
        g_string_append_c(out, '[');
        for (size_t i = 0; i < json_array_size(value); i++) {
            g_string_append(out, i ? ", " : " ");
            prism_config_append_value(out, json_array_get(value, i), depth);
        }
        g_string_append(out, json_array_size(value) ? " ]" : "]");
    } else if (json_is_object(value)) {
        prism_config_append_group(out, value, depth);
    }
}

void prism_config_append_group(GString *out, const json_t *object, unsigned depth)
{
    g_string_append(out, "{\n");
    const char *key;
    json_t *member;
    json_object_foreach((json_t *)object, key, member)
    {
        indent(out, depth + 1);
        g_string_append_printf(out, "%s = ", key);
        prism_config_append_value(out, member, depth + 1);
        g_string_append_c(out, '\n');
    }
    indent(out, depth);
    g_string_append_c(out, '}');
}

void prism_config_append_section(GString *out, const char *section, const json_t *values)
{
    const struct prism_config_schema *schema = &prism_settings_schema;
    bool first = true;
    g_string_append_printf(out, "\n%s: {\n", section);
    for (size_t i = 0; i < schema->setting_count; i++) {
        const struct prism_setting *setting = &schema->settings[i];
        if (strcmp(setting->section, section) != 0)
            continue;
        g_string_append_printf(out, "%s\t# %s.\n", first ? "" : "\n", setting->help);
        first = false;
        json_t *value = json_object_get(values, setting->key);
        g_string_append_printf(out, "\t%s%s = ", value ? "" : "#", setting->key);
        if (value)
            prism_config_append_value(out, value, 1);
        else if (setting->type == PRISM_SETTING_STRING)
            append_quoted(out, setting->default_value);
        else
            g_string_append(out, setting->default_value);
        g_string_append_c(out, '\n');
    }
    g_string_append(out, "}\n");
}

static gint compare_ids(gconstpointer a, gconstpointer b, gpointer unused)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

GTree *prism_config_entries_new(void)
{
    return g_tree_new_full(compare_ids, NULL, g_free, (GDestroyNotify)json_decref);
}

struct entries_writer {
    GString *out;
    unsigned count;
};

static gboolean append_entry_cb(gpointer key, gpointer value, gpointer data)
{
    struct entries_writer *writer = data;
    g_string_append(writer->out, writer->count++ ? ",\n\t" : "\t");
    prism_config_append_group(writer->out, value, 1);
    return FALSE;
}

void prism_config_append_entries(GString *out, const char *name, GTree *entries)
{
    struct entries_writer writer = {out, 0};
    g_string_append_printf(out, "\n%s = (\n", name);
    g_tree_foreach(entries, append_entry_cb, &writer);
    g_string_append(out, writer.count ? "\n)\n" : ")\n");
}

int prism_config_entries_change(GTree *entries, uint64_t id, json_t *settings,
                                int (*write)(void *data), void *data)
{
    json_t *previous = json_incref(g_tree_lookup(entries, &id));
    if (settings)
        g_tree_insert(entries, g_memdup2(&id, sizeof(id)), settings);
    else
        g_tree_remove(entries, &id);
    int rc = write(data);
    if (rc < 0 && previous)
        g_tree_insert(entries, g_memdup2(&id, sizeof(id)), json_incref(previous));
    else if (rc < 0)
        g_tree_remove(entries, &id);
    json_decref(previous);
    return rc;
}

int prism_config_replace_file(const char *path, const char *text, const char *who)
{
    config_t check;
    config_init(&check);
    int rc = 0;
    if (config_read_string(&check, text) != CONFIG_TRUE) {
        prism_error(who, "refusing to write %s: line %d: %s", path, config_error_line(&check),
                    config_error_text(&check));
        rc = -EINVAL;
    }
    config_destroy(&check);
    struct stat info;
    int mode = stat(path, &info) == 0 ? (int)(info.st_mode & 07777) : 0644;
    GError *failure = NULL;
    if (rc == 0 && !g_file_set_contents_full(
                       path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                       mode, &failure)) {
        prism_warn(who, "cannot save %s: %s", path, failure->message);
        rc = failure->code == G_FILE_ERROR_NOMEM ? -ENOMEM : -EIO;
        g_error_free(failure);
    }
    return rc;
}
