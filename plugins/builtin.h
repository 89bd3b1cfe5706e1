/* The plugins compiled into Prism. */
#ifndef PRISM_PLUGINS_BUILTIN_H
#define PRISM_PLUGINS_BUILTIN_H

#include "core/plugin.h"

#include <stddef.h>

/* The built-in plugins, in the order "info" lists them. */
const struct prism_plugin *const *prism_builtin_plugins(size_t *count);

#endif
