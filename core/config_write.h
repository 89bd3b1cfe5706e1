/* Writing a plugin's config file back (the "permanent" API requests): JSON values as libconfig
 * text, a section with every setting documented, and an atomic replacement of the file. The
 * reading side is core/config_json.h. */
#ifndef PRISM_CORE_CONFIG_WRITE_H
#define PRISM_CORE_CONFIG_WRITE_H

#include <glib.h>
#include <jansson.h>
#include <libconfig.h>
#include <stdint.h>

/* The members of `section` that the file sets and the settings table knows, key -> value (a
 * new object), so that a rewrite keeps them. */
json_t *prism_config_section_values(const config_t *tree, const char *section);

/* A value as libconfig text: integers (with the L that libconfig 1.5 needs past 32 bits),
 * reals, booleans, strings, arrays of scalars ([ ... ]) and lists of groups (( { ... } )). */
void prism_config_append_value(GString *out, const json_t *value, unsigned depth);

/* One group's members, one per line, indented by `depth` tabs, between braces. */
void prism_config_append_group(GString *out, const json_t *object, unsigned depth);

/* "<section>: { ... }" with every setting of the table's section documented by its help
 * line: the ones `values` holds set, the others commented out at their default. */
void prism_config_append_section(GString *out, const char *section, const json_t *values);

/* A plugin's entries (rooms, mountpoints) as its file lists them: uint64_t id -> json_t group,
 * in id order, both owned. */
GTree *prism_config_entries_new(void);

/* "<name> = ( { ... }, { ... } )" with the entries in id order, after a blank line. */
void prism_config_append_entries(GString *out, const char *name, GTree *entries);

/* Sets entry `id` to `settings` (stolen; NULL removes it), then calls write(data); when that
 * fails (< 0) the entry is put back as it was. Returns what write returned. */
int prism_config_entries_change(GTree *entries, uint64_t id, json_t *settings,
                                int (*write)(void *data), void *data);

/* Parses `text` back (refusing to write what libconfig would not read) and replaces the file
 * at `path` with it: a temporary file in the same directory, synced, renamed over the old one,
 * keeping its mode. Returns 0, -EINVAL, -ENOMEM or -EIO; `who` names the caller in the log. */
int prism_config_replace_file(const char *path, const char *text, const char *who);

#endif
