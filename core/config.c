/* Loading the configuration (defaults, then the files of a directory, then the
 * environment) and reading it back. Flags and printing are in config_flags.c. */
#include "core/config_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int prism_config_fail(char *error, size_t size, int rc, const char *format, ...)
{
    if (error && size) {
        va_list args;
        va_start(args, format);
        vsnprintf(error, size, format, args);
        va_end(args);
    }
    return rc;
}

/* A caller asked for something the schema does not have: a bug, not a user error. */
static _Noreturn void misuse(const char *what, const char *section, const char *key)
{
    fprintf(stderr, "prism config: %s %s.%s\n", what, section, key);
    abort();
}

long prism_config_find(const struct prism_config_schema *schema, const char *section,
                       const char *key)
{
    for (size_t i = 0; i < schema->setting_count; i++) {
        const struct prism_setting *setting = &schema->settings[i];
        if (strcmp(setting->section, section) == 0 && strcmp(setting->key, key) == 0)
            return (long)i;
    }
    return -1;
}

/* The section called `name`, in `file` (or in any file when `file` is NULL). */
static const struct prism_config_section *find_section(const struct prism_config_schema *schema,
                                                       const char *file, const char *name)
{
    for (size_t i = 0; i < schema->section_count; i++) {
        const struct prism_config_section *section = &schema->sections[i];
        if (strcmp(section->name, name) == 0 && (!file || strcmp(section->file, file) == 0))
            return section;
    }
    return NULL;
}

void prism_config_store(struct prism_config *config, size_t index, struct prism_config_value *value,
                        enum prism_config_source source, const char *path, unsigned line)
{
    struct prism_config_slot *slot = &config->slots[index];
    prism_config_value_clear(&slot->value);
    slot->value = *value;
    slot->source = source;
    slot->path = path;
    slot->line = line;
    value->text = NULL;
}

static int load_defaults(struct prism_config *config)
{
    const struct prism_config_schema *schema = config->schema;
    char reason[256];
    for (size_t i = 0; i < schema->setting_count; i++) {
        const struct prism_setting *setting = &schema->settings[i];
        if (!find_section(schema, NULL, setting->section))
            misuse("no section declared for", setting->section, setting->key);
        struct prism_config_value value;
        int rc = prism_config_value_from_text(setting, setting->default_value, &value, reason,
                                              sizeof(reason));
        if (rc == -EINVAL)
            misuse("invalid built-in default for", setting->section, setting->key);
        if (rc < 0)
            return rc;
        prism_config_store(config, i, &value, PRISM_CONFIG_DEFAULT, NULL, 0);
    }
    return 0;
}

/* Reads dir/name when it exists; a missing file is not an error. */
static int read_file(struct prism_config_file_state *file, const char *dir, char *error,
                     size_t size)
{
    size_t length = strlen(dir) + 1 + strlen(file->name) + 1;
    file->path = malloc(length);
    if (!file->path)
        return -ENOMEM;
    snprintf(file->path, length, "%s/%s", dir, file->name);
    struct stat info;
    if (stat(file->path, &info) < 0) {
        int rc = -errno;
        if (rc == -ENOENT)
            return 0;
        return prism_config_fail(error, size, rc, "%s: %s", file->path, strerror(-rc));
    }
    if (!S_ISREG(info.st_mode))
        return prism_config_fail(error, size, -EINVAL, "%s: not a regular file", file->path);
    config_init(&file->config);
    file->present = true;
    config_set_include_dir(&file->config, dir);
    errno = 0;
    if (config_read_file(&file->config, file->path) == CONFIG_TRUE)
        return 0;
    if (config_error_type(&file->config) == CONFIG_ERR_FILE_IO) {
        int rc = errno ? -errno : -EIO;
        return prism_config_fail(error, size, rc, "%s: %s", file->path, strerror(-rc));
    }
    const char *where = config_error_file(&file->config);
    return prism_config_fail(error, size, -EINVAL, "%s:%d: %s", where ? where : file->path,
                             config_error_line(&file->config), config_error_text(&file->config));
}

/* One entry per distinct file of the schema, read from `dir` when there is one. */
static int read_files(struct prism_config *config, const char *dir, char *error, size_t size)
{
    const struct prism_config_schema *schema = config->schema;
    config->files = calloc(schema->section_count + 1, sizeof(*config->files));
    if (!config->files)
        return -ENOMEM;
    for (size_t i = 0; i < schema->section_count; i++) {
        const char *name = schema->sections[i].file;
        bool seen = false;
        for (size_t f = 0; f < config->file_count && !seen; f++)
            seen = strcmp(config->files[f].name, name) == 0;
        if (seen)
            continue;
        struct prism_config_file_state *file = &config->files[config->file_count++];
        file->name = name;
        int rc = dir ? read_file(file, dir, error, size) : 0;
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Lists the sections `file` may contain, for an "unknown section" message. */
static void list_sections(const struct prism_config_schema *schema, const char *file, char *out,
                          size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < schema->section_count && used < size; i++) {
        if (strcmp(schema->sections[i].file, file) != 0)
            continue;
        int n = snprintf(out + used, size - used, "%s%s", used ? ", " : "",
                         schema->sections[i].name);
        used += n > 0 ? (size_t)n : 0;
    }
}

static int check_member(struct prism_config *config, const struct prism_config_section *section,
                        const config_setting_t *node, const char *path, char *error, size_t size)
{
    const char *key = config_setting_name(node);
    unsigned line = config_setting_source_line(node);
    long index = prism_config_find(config->schema, section->name, key);
    if (index < 0) {
        if (section->free_form)
            return 0;
        return prism_config_fail(error, size, -EINVAL,
                                 "%s:%u: unknown setting \"%s\" in section \"%s\"", path, line, key,
                                 section->name);
    }
    const struct prism_setting *setting = &config->schema->settings[index];
    struct prism_config_value value;
    char reason[256];
    int rc = prism_config_value_from_node(setting, node, &value, reason, sizeof(reason));
    if (rc == -EINVAL)
        return prism_config_fail(error, size, rc, "%s:%u: %s.%s %s", path, line, section->name, key,
                                 reason);
    if (rc < 0)
        return rc;
    prism_config_store(config, (size_t)index, &value, PRISM_CONFIG_FILE, path, line);
    return 0;
}

static int check_file(struct prism_config *config, struct prism_config_file_state *file,
                      char *error, size_t size)
{
    const config_setting_t *root = config_root_setting(&file->config);
    for (int i = 0; i < config_setting_length(root); i++) {
        const config_setting_t *node = config_setting_get_elem(root, (unsigned)i);
        const char *name = config_setting_name(node);
        unsigned line = config_setting_source_line(node);
        /* An @include'd file reports its own path. */
        const char *path = config_setting_source_file(node);
        path = path ? path : file->path;
        const struct prism_config_section *section = find_section(config->schema, file->name, name);
        if (!section) {
            char known[256];
            list_sections(config->schema, file->name, known, sizeof(known));
            return prism_config_fail(error, size, -EINVAL,
                                     "%s:%u: unknown section \"%s\" (%s has: %s)", path, line, name,
                                     file->name, known);
        }
        bool list_ok = section->free_form && config_setting_is_list(node);
        if (!config_setting_is_group(node) && !list_ok)
            return prism_config_fail(error, size, -EINVAL,
                                     "%s:%u: section \"%s\" must be a group: %s: { ... }", path,
                                     line, name, name);
        for (int m = 0; !list_ok && m < config_setting_length(node); m++) {
            const config_setting_t *member = config_setting_get_elem(node, (unsigned)m);
            const char *member_path = config_setting_source_file(member);
            int rc = check_member(config, section, member, member_path ? member_path : path, error,
                                  size);
            if (rc < 0)
                return rc;
        }
    }
    return 0;
}

/* The value of variable `name` in a "NAME=value" array; the first one wins, as in getenv. */
static const char *find_variable(char *const *environment, const char *name)
{
    size_t length = strlen(name);
    for (char *const *entry = environment; *entry; entry++) {
        if (strncmp(*entry, name, length) == 0 && (*entry)[length] == '=')
            return *entry + length + 1;
    }
    return NULL;
}

/* A PRISM_<SECTION>_... variable that names no setting is most likely a typo. */
static int check_unknown_variables(const struct prism_config *config, char *const *environment,
                                   char *error, size_t size)
{
    const struct prism_config_schema *schema = config->schema;
    char prefix[128], name[128];
    for (char *const *entry = environment; *entry; entry++) {
        size_t length = strcspn(*entry, "=");
        for (size_t s = 0; s < schema->section_count; s++) {
            struct prism_setting section_only = {.section = schema->sections[s].name, .key = ""};
            prism_setting_env_name(&section_only, prefix, sizeof(prefix));
            if (strncmp(*entry, prefix, strlen(prefix)) != 0)
                continue;
            bool known = false;
            for (size_t i = 0; i < schema->setting_count && !known; i++) {
                prism_setting_env_name(&schema->settings[i], name, sizeof(name));
                known = strlen(name) == length && strncmp(*entry, name, length) == 0;
            }
            if (!known)
                return prism_config_fail(error, size, -EINVAL,
                                         "environment %.*s: no such setting in section \"%s\"",
                                         (int)length, *entry, schema->sections[s].name);
        }
    }
    return 0;
}

static int apply_environment(struct prism_config *config, char *const *environment, char *error,
                             size_t size)
{
    const struct prism_config_schema *schema = config->schema;
    char name[128], reason[256];
    for (size_t i = 0; i < schema->setting_count; i++) {
        const struct prism_setting *setting = &schema->settings[i];
        prism_setting_env_name(setting, name, sizeof(name));
        const char *text = find_variable(environment, name);
        if (!text)
            continue;
        struct prism_config_value value;
        int rc = prism_config_value_from_text(setting, text, &value, reason, sizeof(reason));
        if (rc == -EINVAL)
            return prism_config_fail(error, size, rc, "environment %s: %s.%s %s", name,
                                     setting->section, setting->key, reason);
        if (rc < 0)
            return rc;
        prism_config_store(config, i, &value, PRISM_CONFIG_ENVIRONMENT, NULL, 0);
    }
    return check_unknown_variables(config, environment, error, size);
}

static int load_sources(struct prism_config *config, const char *dir, char *const *environment,
                        char *error, size_t size)
{
    int rc = load_defaults(config);
    if (rc < 0)
        return rc;
    if (dir) {
        struct stat info;
        if (stat(dir, &info) < 0) {
            rc = -errno;
            return prism_config_fail(error, size, rc, "config directory %s: %s", dir,
                                     strerror(-rc));
        }
        if (!S_ISDIR(info.st_mode))
            return prism_config_fail(error, size, -ENOTDIR, "config directory %s: %s", dir,
                                     strerror(ENOTDIR));
    }
    rc = read_files(config, dir, error, size);
    for (size_t f = 0; rc == 0 && f < config->file_count; f++) {
        if (config->files[f].present)
            rc = check_file(config, &config->files[f], error, size);
    }
    if (rc == 0 && environment)
        rc = apply_environment(config, environment, error, size);
    return rc;
}

int prism_config_load_schema(struct prism_config **out, const struct prism_config_schema *schema,
                             const char *dir, char *const *environment, char *error,
                             size_t error_size)
{
    if (!out || !schema)
        return prism_config_fail(error, error_size, -EINVAL, "no output or schema given");
    int rc = -ENOMEM;
    struct prism_config *config = calloc(1, sizeof(*config));
    if (!config)
        goto out;
    config->schema = schema;
    config->slots = calloc(schema->setting_count + 1, sizeof(*config->slots));
    if (!config->slots)
        goto out;
    rc = load_sources(config, dir, environment, error, error_size);
    if (rc < 0)
        goto out;
    *out = config;
    config = NULL;
out:
    if (rc == -ENOMEM)
        prism_config_fail(error, error_size, rc, "out of memory while loading the configuration");
    prism_config_free(config);
    return rc;
}

int prism_config_load(struct prism_config **out, const char *dir, char *const *environment,
                      char *error, size_t error_size)
{
    return prism_config_load_schema(out, &prism_settings_schema, dir, environment, error,
                                    error_size);
}

static size_t index_of(const struct prism_config *config, const char *section, const char *key)
{
    long index = prism_config_find(config->schema, section, key);
    if (index < 0)
        misuse("no setting", section, key);
    return (size_t)index;
}

static const struct prism_config_value *typed_value(const struct prism_config *config,
                                                    const char *section, const char *key,
                                                    enum prism_setting_type type)
{
    size_t index = index_of(config, section, key);
    if (config->schema->settings[index].type != type)
        misuse("getter of the wrong type for", section, key);
    return &config->slots[index].value;
}

int prism_config_get_int(const struct prism_config *config, const char *section, const char *key)
{
    return (int)typed_value(config, section, key, PRISM_SETTING_INT)->number;
}

bool prism_config_get_bool(const struct prism_config *config, const char *section, const char *key)
{
    return typed_value(config, section, key, PRISM_SETTING_BOOL)->number != 0;
}

const char *prism_config_get_string(const struct prism_config *config, const char *section,
                                    const char *key)
{
    return typed_value(config, section, key, PRISM_SETTING_STRING)->text;
}

enum prism_config_source prism_config_get_source(const struct prism_config *config,
                                                 const char *section, const char *key)
{
    return config->slots[index_of(config, section, key)].source;
}

const config_t *prism_config_file(const struct prism_config *config, const char *file)
{
    for (size_t f = 0; f < config->file_count; f++) {
        if (strcmp(config->files[f].name, file) == 0)
            return config->files[f].present ? &config->files[f].config : NULL;
    }
    fprintf(stderr, "prism config: no file %s in the schema\n", file);
    abort();
}

const char *prism_config_file_path(const struct prism_config *config, const char *file)
{
    for (size_t f = 0; f < config->file_count; f++) {
        if (strcmp(config->files[f].name, file) == 0)
            return config->files[f].path;
    }
    fprintf(stderr, "prism config: no file %s in the schema\n", file);
    abort();
}

void prism_config_free(struct prism_config *config)
{
    if (!config)
        return;
    for (size_t i = 0; config->slots && i < config->schema->setting_count; i++)
        prism_config_value_clear(&config->slots[i].value);
    for (size_t f = 0; f < config->file_count; f++) {
        if (config->files[f].present)
            config_destroy(&config->files[f].config);
        free(config->files[f].path);
    }
    free(config->files);
    free(config->slots);
    free(config);
}
