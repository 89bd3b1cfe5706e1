/* Helpers for plugin results. */
#include "core/plugin.h"

struct prism_plugin_result prism_plugin_ok(json_t *content)
{
    return (struct prism_plugin_result){.kind = PRISM_PLUGIN_OK, .content = content};
}

struct prism_plugin_result prism_plugin_ok_wait(const char *hint)
{
    return (struct prism_plugin_result){.kind = PRISM_PLUGIN_OK_WAIT, .hint = hint};
}

struct prism_plugin_result prism_plugin_error(const char *reason)
{
    return (struct prism_plugin_result){.kind = PRISM_PLUGIN_ERROR, .error = reason};
}
