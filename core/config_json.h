/* libconfig values as JSON, for settings read straight from a file's tree (rooms, mountpoints)
 * and then checked by the same code that checks API requests. */
#ifndef PRISM_CORE_CONFIG_JSON_H
#define PRISM_CORE_CONFIG_JSON_H

#include <jansson.h>
#include <libconfig.h>

/* Scalars, arrays, lists and groups; a new reference. */
json_t *prism_config_node_to_json(const config_setting_t *node);

#endif
