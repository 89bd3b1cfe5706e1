/* Command-line flags over the configuration, the --help text that lists them, and the
 * printout of the effective configuration. */
#include "core/config_internal.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

/* Index of the setting whose flag is the `length` bytes at `name`, or -1. */
static long find_flag(const struct prism_config_schema *schema, const char *name, size_t length)
{
    for (size_t i = 0; i < schema->setting_count; i++) {
        const char *flag = schema->settings[i].flag;
        if (flag && strlen(flag) == length && strncmp(flag, name, length) == 0)
            return (long)i;
    }
    return -1;
}

static int apply_flag(struct prism_config *config, size_t index, const char *value, char *error,
                      size_t size)
{
    const struct prism_setting *setting = &config->schema->settings[index];
    if (!value && setting->type != PRISM_SETTING_BOOL)
        return prism_config_fail(error, size, -EINVAL, "flag --%s needs a value", setting->flag);
    struct prism_config_value parsed;
    char reason[256];
    int rc = prism_config_value_from_text(setting, value ? value : "true", &parsed, reason,
                                          sizeof(reason));
    if (rc == -EINVAL)
        return prism_config_fail(error, size, rc, "flag --%s: %s.%s %s", setting->flag,
                                 setting->section, setting->key, reason);
    if (rc < 0)
        return prism_config_fail(error, size, rc, "out of memory");
    prism_config_store(config, index, &parsed, PRISM_CONFIG_FLAG, NULL, 0);
    return 0;
}

int prism_config_set_flag(struct prism_config *config, const char *flag, const char *value,
                          char *error, size_t error_size)
{
    const char *name = strncmp(flag, "--", 2) == 0 ? flag + 2 : flag;
    long index = find_flag(config->schema, name, strlen(name));
    if (index < 0)
        return prism_config_fail(error, error_size, -ENOENT, "unknown flag --%s", name);
    return apply_flag(config, (size_t)index, value, error, error_size);
}

int prism_config_take_flag(struct prism_config *config, int argc, char *const *argv, int *index,
                           char *error, size_t error_size)
{
    int at = *index;
    if (at < 0 || at >= argc || strncmp(argv[at], "--", 2) != 0)
        return prism_config_fail(error, error_size, -ENOENT, "not a flag: %s",
                                 at >= 0 && at < argc ? argv[at] : "(none)");
    const char *name = argv[at] + 2;
    const char *equals = strchr(name, '=');
    long setting = find_flag(config->schema, name, equals ? (size_t)(equals - name) : strlen(name));
    if (setting < 0)
        return prism_config_fail(error, error_size, -ENOENT, "unknown flag %s", argv[at]);
    const char *value = equals ? equals + 1 : NULL;
    if (!equals && config->schema->settings[setting].type != PRISM_SETTING_BOOL && at + 1 < argc)
        value = argv[++at];
    int rc = apply_flag(config, (size_t)setting, value, error, error_size);
    if (rc < 0)
        return rc;
    *index = at;
    return 0;
}

static const char *value_placeholder(const struct prism_setting *setting)
{
    switch (setting->type) {
    case PRISM_SETTING_INT:
        return "=N";
    case PRISM_SETTING_BOOL:
        return "[=BOOL]";
    case PRISM_SETTING_STRING:
        break;
    }
    return setting->choices ? "=NAME" : "=TEXT";
}

/* The allowed values, as " (1..65535)" or ": a|b|c", or nothing. */
static void describe_limits(const struct prism_setting *setting, char *out, size_t size)
{
    out[0] = '\0';
    if (setting->type == PRISM_SETTING_INT && setting->max == INT_MAX)
        snprintf(out, size, " (>= %lld)", setting->min);
    else if (setting->type == PRISM_SETTING_INT)
        snprintf(out, size, " (%lld..%lld)", setting->min, setting->max);
    else if (setting->choices)
        snprintf(out, size, ": %s", setting->choices);
}

void prism_config_print_flags(FILE *out)
{
    const struct prism_config_schema *schema = &prism_settings_schema;
    char left[64], limits[128], variable[128];
    for (size_t i = 0; i < schema->setting_count; i++) {
        const struct prism_setting *setting = &schema->settings[i];
        if (!setting->flag)
            continue;
        snprintf(left, sizeof(left), "--%s%s", setting->flag, value_placeholder(setting));
        describe_limits(setting, limits, sizeof(limits));
        prism_setting_env_name(setting, variable, sizeof(variable));
        fprintf(out, "  %-24s %s%s\n", left, setting->help, limits);
        fprintf(out, "  %-24s (default %s; %s)\n", "", setting->default_value, variable);
    }
}

void prism_config_print(const struct prism_config *config, FILE *out)
{
    const struct prism_config_schema *schema = config->schema;
    char name[128], value[256], variable[128];
    for (size_t i = 0; i < schema->setting_count; i++) {
        const struct prism_setting *setting = &schema->settings[i];
        const struct prism_config_slot *slot = &config->slots[i];
        snprintf(name, sizeof(name), "%s.%s", setting->section, setting->key);
        prism_config_value_format(setting, &slot->value, value, sizeof(value));
        if (setting->secret && slot->source != PRISM_CONFIG_DEFAULT)
            snprintf(value, sizeof(value), "(hidden)");
        fprintf(out, "%-36s = %-20s # ", name, value);
        switch (slot->source) {
        case PRISM_CONFIG_DEFAULT:
            fprintf(out, "default\n");
            break;
        case PRISM_CONFIG_FILE:
            fprintf(out, "%s:%u\n", slot->path, slot->line);
            break;
        case PRISM_CONFIG_ENVIRONMENT:
            prism_setting_env_name(setting, variable, sizeof(variable));
            fprintf(out, "environment %s\n", variable);
            break;
        case PRISM_CONFIG_FLAG:
            fprintf(out, "flag --%s\n", setting->flag);
            break;
        }
    }
}
