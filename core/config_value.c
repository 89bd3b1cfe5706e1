/* Parsing and checking one setting's value, from text (defaults, environment, flags) or
 * from a libconfig node (files). */
#include "core/config_internal.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *node_type_name(int type)
{
    switch (type) {
    case CONFIG_TYPE_GROUP:
        return "a group";
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
        return "an integer";
    case CONFIG_TYPE_FLOAT:
        return "a float";
    case CONFIG_TYPE_STRING:
        return "a string";
    case CONFIG_TYPE_BOOL:
        return "a boolean";
    case CONFIG_TYPE_ARRAY:
        return "an array";
    case CONFIG_TYPE_LIST:
        return "a list";
    }
    return "an unknown type";
}

static const char *setting_type_name(enum prism_setting_type type)
{
    switch (type) {
    case PRISM_SETTING_INT:
        return "an integer";
    case PRISM_SETTING_BOOL:
        return "true or false";
    case PRISM_SETTING_STRING:
        break;
    }
    return "a string";
}

/* `shown` is the value as the user wrote it, so an overflowing literal is quoted as is. */
static int check_integer(const struct prism_setting *setting, long long number, const char *shown,
                         struct prism_config_value *out, char *reason, size_t reason_size)
{
    if (number < setting->min || number > setting->max) {
        if (setting->max == INT_MAX)
            snprintf(reason, reason_size, "must be at least %lld (got %s)", setting->min, shown);
        else
            snprintf(reason, reason_size, "must be between %lld and %lld (got %s)", setting->min,
                     setting->max, shown);
        return -EINVAL;
    }
    out->number = number;
    out->text = NULL;
    return 0;
}

/* Finds `text` among the setting's "a|b|c" choices, ignoring case; returns the canonical
 * spelling's start and length. */
static bool find_choice(const char *choices, const char *text, const char **start, size_t *length)
{
    size_t text_length = strlen(text);
    for (const char *c = choices; *c;) {
        size_t n = strcspn(c, "|");
        if (n == text_length && strncasecmp(c, text, n) == 0) {
            *start = c;
            *length = n;
            return true;
        }
        c += n + (c[n] == '|');
    }
    return false;
}

static int accept_string(const struct prism_setting *setting, const char *text,
                         struct prism_config_value *out, char *reason, size_t reason_size)
{
    const char *start = text;
    size_t length = strlen(text);
    if (setting->choices && !find_choice(setting->choices, text, &start, &length)) {
        snprintf(reason, reason_size, "must be one of %s (got \"%.64s\")", setting->choices, text);
        return -EINVAL;
    }
    const char *why = setting->check ? setting->check(text) : NULL;
    if (why) {
        snprintf(reason, reason_size, "%s (got \"%.64s\")", why, text);
        return -EINVAL;
    }
    char *copy = strndup(start, length);
    if (!copy)
        return -ENOMEM;
    out->number = 0;
    out->text = copy;
    return 0;
}

/* Whole-string decimal integer; -ERANGE when it does not fit in a long long. */
static int parse_integer(const char *text, long long *number)
{
    if (!isdigit((unsigned char)text[0]) && text[0] != '-' && text[0] != '+')
        return -EINVAL;
    char *end;
    errno = 0;
    long long value = strtoll(text, &end, 10);
    if (end == text || *end != '\0')
        return -EINVAL;
    if (errno == ERANGE)
        return -ERANGE;
    *number = value;
    return 0;
}

static bool parse_bool(const char *text, bool *value)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (strcasecmp(text, yes[i]) == 0 || strcasecmp(text, no[i]) == 0) {
            *value = strcasecmp(text, yes[i]) == 0;
            return true;
        }
    }
    return false;
}

int prism_config_value_from_text(const struct prism_setting *setting, const char *text,
                                 struct prism_config_value *out, char *reason, size_t reason_size)
{
    long long number = 0;
    bool flag;
    switch (setting->type) {
    case PRISM_SETTING_INT: {
        int rc = parse_integer(text, &number);
        if (rc == -ERANGE)
            number = text[0] == '-' ? LLONG_MIN : LLONG_MAX;
        else if (rc < 0)
            break;
        return check_integer(setting, number, text, out, reason, reason_size);
    }
    case PRISM_SETTING_BOOL:
        if (!parse_bool(text, &flag))
            break;
        out->number = flag;
        out->text = NULL;
        return 0;
    case PRISM_SETTING_STRING:
        return accept_string(setting, text, out, reason, reason_size);
    }
    snprintf(reason, reason_size, "must be %s (got \"%.64s\")", setting_type_name(setting->type),
             text);
    return -EINVAL;
}

/* The text of source line `line` of `path` (caller frees), or NULL. */
static char *read_line(const char *path, unsigned line)
{
    FILE *file = path ? fopen(path, "r") : NULL;
    if (!file)
        return NULL;
    char *text = NULL;
    size_t capacity = 0;
    unsigned at = 0;
    while (getline(&text, &capacity, file) >= 0) {
        if (++at == line)
            break;
    }
    fclose(file);
    if (at != line) {
        free(text);
        return NULL;
    }
    return text;
}

/* Copies the integer literal written after "key =" or "key:" on `line` into `literal`. */
static bool find_literal(const char *line, const char *key, char *literal, size_t size)
{
    size_t key_length = strlen(key);
    for (const char *p = strstr(line, key); p; p = strstr(p + 1, key)) {
        if (p > line && (isalnum((unsigned char)p[-1]) || strchr("_-*", p[-1])))
            continue;
        const char *c = p + key_length + strspn(p + key_length, " \t");
        if (*c != '=' && *c != ':')
            continue;
        c += 1 + strspn(c + 1, " \t");
        size_t n = strspn(c, "+-0123456789abcdefABCDEFxX");
        if (n == 0 || n >= size)
            continue;
        memcpy(literal, c, n);
        literal[n] = '\0';
        return true;
    }
    return false;
}

/* libconfig 1.5 silently wraps integer literals that do not fit in 32 bits (and that have no
 * L suffix): 4294975384 reads as 8088. Re-reading the literal from the source line catches
 * that; when the line cannot be matched, libconfig's value stands. */
static bool literal_overflows(const config_setting_t *node, char *literal, size_t size)
{
    char *line = read_line(config_setting_source_file(node), config_setting_source_line(node));
    bool found = line && find_literal(line, config_setting_name(node), literal, size);
    free(line);
    if (!found)
        return false;
    errno = 0;
    long long value = strtoll(literal, NULL, 0);
    return errno == ERANGE || value < INT_MIN || value > INT_MAX;
}

int prism_config_value_from_node(const struct prism_setting *setting, const config_setting_t *node,
                                 struct prism_config_value *out, char *reason, size_t reason_size)
{
    int type = config_setting_type(node);
    char shown[32];
    switch (setting->type) {
    case PRISM_SETTING_INT:
        if (type == CONFIG_TYPE_INT64) {
            long long number = config_setting_get_int64(node);
            snprintf(shown, sizeof(shown), "%lld", number);
            return check_integer(setting, number, shown, out, reason, reason_size);
        }
        if (type != CONFIG_TYPE_INT)
            break;
        if (literal_overflows(node, shown, sizeof(shown))) {
            long long beyond = shown[0] == '-' ? LLONG_MIN : LLONG_MAX;
            return check_integer(setting, beyond, shown, out, reason, reason_size);
        }
        snprintf(shown, sizeof(shown), "%d", config_setting_get_int(node));
        return check_integer(setting, config_setting_get_int(node), shown, out, reason,
                             reason_size);
    case PRISM_SETTING_BOOL:
        if (type != CONFIG_TYPE_BOOL)
            break;
        out->number = config_setting_get_bool(node) ? 1 : 0;
        out->text = NULL;
        return 0;
    case PRISM_SETTING_STRING:
        if (type != CONFIG_TYPE_STRING)
            break;
        return accept_string(setting, config_setting_get_string(node), out, reason, reason_size);
    }
    snprintf(reason, reason_size, "must be %s, not %s", setting_type_name(setting->type),
             node_type_name(type));
    return -EINVAL;
}

void prism_config_value_clear(struct prism_config_value *value)
{
    free(value->text);
    value->text = NULL;
    value->number = 0;
}

void prism_config_value_format(const struct prism_setting *setting,
                               const struct prism_config_value *value, char *out, size_t size)
{
    switch (setting->type) {
    case PRISM_SETTING_INT:
        snprintf(out, size, "%lld", value->number);
        return;
    case PRISM_SETTING_BOOL:
        snprintf(out, size, "%s", value->number ? "true" : "false");
        return;
    case PRISM_SETTING_STRING:
        snprintf(out, size, "\"%s\"", value->text ? value->text : "");
        return;
    }
}
