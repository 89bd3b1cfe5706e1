/* The schema of Prism's configuration: which files and sections exist, and for every
 * setting its type, built-in default, limits, environment variable, flag and help.
 * core/config.c interprets it. Adding a setting is one entry in core/settings.c plus its
 * documented line in the shipped conf/ file (a unit test keeps the two in step). */
#ifndef PRISM_CORE_SETTINGS_H
#define PRISM_CORE_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

enum prism_setting_type {
    PRISM_SETTING_INT,    /* read with prism_config_get_int */
    PRISM_SETTING_BOOL,   /* read with prism_config_get_bool */
    PRISM_SETTING_STRING, /* read with prism_config_get_string */
};

/* A rule on a string value beyond its choices. Returns NULL when `value` is acceptable,
 * otherwise a static phrase completing "<section>.<key> ...", e.g. "must start with '/'". */
typedef const char *(*prism_setting_check_cb)(const char *value);

/* A section (a top-level group) of one config file. Section names are unique over all
 * files, because the environment variable PRISM_<SECTION>_<KEY> does not name the file. */
struct prism_config_section {
    const char *file; /* "prism.transport.http.jcfg", relative to the config directory */
    const char *name; /* "http" */
    /* Plugin-owned: members that are not in the settings table are left for the plugin to
     * read through prism_config_file() instead of being rejected, and the section may be a
     * list rather than a group. Members that are in the table are still checked. */
    bool free_form;
};

/* One setting. Static data: the table is const and shared by every thread. */
struct prism_setting {
    const char *section; /* a prism_config_section's name */
    const char *key;     /* lowercase, [a-z0-9_] */
    enum prism_setting_type type;
    /* Built-in default, spelled as an environment variable would give it ("8088", "true",
     * "Prism"); it must itself pass the checks below. */
    const char *default_value;
    long long min, max;           /* integers: inclusive bounds, both within int */
    const char *choices;          /* strings: "a|b|c", matched ignoring case; NULL = any */
    prism_setting_check_cb check; /* strings: NULL = any */
    const char *flag;             /* command-line flag without its dashes, or NULL */
    const char *help;             /* one line for --help; the range and default are added */
    bool secret;                  /* strings: --print-config shows "(hidden)" when set */
};

/* A whole configuration layout. Tests build small ones; Prism uses prism_settings_schema. */
struct prism_config_schema {
    const struct prism_config_section *sections;
    size_t section_count;
    const struct prism_setting *settings;
    size_t setting_count;
};

/* Every file, section and setting Prism knows. */
extern const struct prism_config_schema prism_settings_schema;

/* Writes the setting's environment variable name, "PRISM_<SECTION>_<KEY>" in uppercase,
 * truncated to `size` (names are short; 128 bytes is plenty). */
void prism_setting_env_name(const struct prism_setting *setting, char *out, size_t size);

#endif
