/* Private to core/config*.c: the loaded configuration and the value parsers. */
#ifndef PRISM_CORE_CONFIG_INTERNAL_H
#define PRISM_CORE_CONFIG_INTERNAL_H

#include "core/config.h"

/* One setting's value: `number` for integers and booleans, `text` (owned) for strings. */
struct prism_config_value {
    long long number;
    char *text;
};

/* The current value of one setting and where it came from. */
struct prism_config_slot {
    struct prism_config_value value;
    enum prism_config_source source;
    const char *path; /* source FILE: the file's path (owned by its prism_config_file_state) */
    unsigned line;    /* source FILE: the line of the setting */
};

/* One file of the schema. `config` is initialised only when `present`. */
struct prism_config_file_state {
    const char *name; /* borrowed from the schema */
    char *path;       /* dir/name, owned; NULL when loading without a directory */
    bool present;
    config_t config;
};

/* Owns everything it points to except the schema, which is static data or the caller's. */
struct prism_config {
    const struct prism_config_schema *schema;
    struct prism_config_slot *slots; /* one per schema setting, in table order */
    struct prism_config_file_state *files;
    size_t file_count;
};

/* Parses `text` (a default, an environment variable or a flag value) for `setting` and
 * checks it. Returns 0 and fills *out, -EINVAL with `reason` completing "<section>.<key> ...",
 * or -ENOMEM. */
int prism_config_value_from_text(const struct prism_setting *setting, const char *text,
                                 struct prism_config_value *out, char *reason, size_t reason_size);

/* The same for a setting read from a file by libconfig, whose type must match. */
int prism_config_value_from_node(const struct prism_setting *setting, const config_setting_t *node,
                                 struct prism_config_value *out, char *reason, size_t reason_size);

/* Frees what a value owns and zeroes it. */
void prism_config_value_clear(struct prism_config_value *value);

/* Writes the value as it would be written in a .jcfg file ("8088", "true", "\"Prism\""). */
void prism_config_value_format(const struct prism_setting *setting,
                               const struct prism_config_value *value, char *out, size_t size);

/* Writes the formatted message to `error` (when there is one) and returns `rc`. */
int prism_config_fail(char *error, size_t size, int rc, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

/* Index of section/key in the schema, or -1. */
long prism_config_find(const struct prism_config_schema *schema, const char *section,
                       const char *key);

/* Replaces slot `index`'s value with `value` (taking ownership) and records its origin. */
void prism_config_store(struct prism_config *config, size_t index, struct prism_config_value *value,
                        enum prism_config_source source, const char *path, unsigned line);

#endif
