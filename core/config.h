/* Prism's configuration: every setting of the table in core/settings.h, taken from its
 * built-in default, then the .jcfg files of a config directory, then an environment
 * variable PRISM_<SECTION>_<KEY>, then a command-line flag; each later source overrides the
 * earlier ones. Values are checked (type, range, choices) where they come in, and an error
 * names its origin, ready to print before exiting:
 *   "conf/prism.transport.http.jcfg:12: http.port must be between 1 and 65535 (got 70000)"
 *   "environment PRISM_HTTP_PORT: http.port must be an integer (got \"web\")"
 *   "flag --ws-port: websockets.port must be between 1 and 65535 (got 0)"
 *
 * Use from main:
 *   prism_config_load(&config, dir, environ, error, sizeof(error));
 *   for each argument: prism_config_take_flag(config, argc, argv, &i, error, sizeof(error));
 *   then read values with prism_config_get_int/bool/string.
 *
 * Threads: load and the flag functions run at start-up on one thread; afterwards the object
 * is read-only and any thread may call the getters. */
#ifndef PRISM_CORE_CONFIG_H
#define PRISM_CORE_CONFIG_H

#include "core/settings.h"

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct prism_config;

/* Where a setting's current value came from. */
enum prism_config_source {
    PRISM_CONFIG_DEFAULT,
    PRISM_CONFIG_FILE,
    PRISM_CONFIG_ENVIRONMENT,
    PRISM_CONFIG_FLAG,
};

/* Loads Prism's configuration from `dir` (NULL: no directory, built-in defaults only) and
 * the PRISM_* entries of `environment` (a NULL-terminated "NAME=value" array such as
 * `environ`; NULL: none). Each file of the schema is optional: a missing one leaves its
 * settings at their defaults. A missing `dir` is an error, as is an unreadable or
 * malformed file, an unknown section or key, a value of the wrong type or out of range, and
 * a PRISM_<SECTION>_<KEY> variable naming a known section but no setting (a typo).
 * Returns 0, -ENOENT or -ENOTDIR (directory), -EINVAL (content), another -errno (reading),
 * or -ENOMEM; on failure `error` holds one line saying where and why, and *out is untouched. */
int prism_config_load(struct prism_config **out, const char *dir, char *const *environment,
                      char *error, size_t error_size);

/* The same with another schema, for tests and tools. `schema` must outlive the result. */
int prism_config_load_schema(struct prism_config **out, const struct prism_config_schema *schema,
                             const char *dir, char *const *environment, char *error,
                             size_t error_size);

/* Sets the setting whose flag is `flag` ("http-port", with or without leading "--") from
 * `value`; NULL means "true" for a boolean and is an error for others. Returns 0, -ENOENT
 * when no setting has this flag (error says so: main may have flags of its own), or -EINVAL
 * when the value is bad (error names the flag). */
int prism_config_set_flag(struct prism_config *config, const char *flag, const char *value,
                          char *error, size_t error_size);

/* Applies argv[*index] when it is one of the table's flags, in any of the forms
 * "--name=value", "--name value" (consuming argv[*index + 1]) and, for booleans, "--name".
 * On success sets *index to the last argument consumed and returns 0. Returns -ENOENT,
 * consuming nothing, when the argument is not such a flag, and -EINVAL for a bad or missing
 * value. */
int prism_config_take_flag(struct prism_config *config, int argc, char *const *argv, int *index,
                           char *error, size_t error_size);

/* Current values. Asking for a section/key that is not in the schema, or with the getter of
 * another type, is a programming error: it prints the name and aborts. */
int prism_config_get_int(const struct prism_config *config, const char *section, const char *key);
bool prism_config_get_bool(const struct prism_config *config, const char *section, const char *key);
/* The string stays valid until prism_config_free or until the same setting is set again. */
const char *prism_config_get_string(const struct prism_config *config, const char *section,
                                    const char *key);
enum prism_config_source prism_config_get_source(const struct prism_config *config,
                                                 const char *section, const char *key);

/* The parsed libconfig tree of one of the schema's files, for plugins that read their own
 * lists (rooms, mountpoints) from free-form sections; NULL when the file was absent. The
 * tree holds what the file says: environment and flag overrides are only in the getters.
 * Valid until prism_config_free. Asking for a file outside the schema aborts. */
const config_t *prism_config_file(const struct prism_config *config, const char *file);

/* Where one of the schema's files is or would be ("<dir>/<file>"), for plugins that write
 * their file back (permanent rooms); NULL when loaded without a directory. The file need not
 * exist. Valid until prism_config_free. Asking for a file outside the schema aborts. */
const char *prism_config_file_path(const struct prism_config *config, const char *file);

/* Prints the flags of Prism's table with their help, range, default and variable, for
 * `prism --help`. Needs no loaded configuration. */
void prism_config_print_flags(FILE *out);

/* Prints every setting's current value and where it came from, one per line. */
void prism_config_print(const struct prism_config *config, FILE *out);

void prism_config_free(struct prism_config *config);

#endif
