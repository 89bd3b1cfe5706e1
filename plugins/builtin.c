/* The table of built-in plugins. */
#include "plugins/builtin.h"

#include "plugins/echotest/echotest.h"
#include "plugins/streaming/streaming.h"
#include "plugins/videoroom/videoroom.h"

static const struct prism_plugin *const builtin_plugins[] = {
    &prism_echotest_plugin,
    &prism_videoroom_plugin,
    &prism_streaming_plugin,
};

const struct prism_plugin *const *prism_builtin_plugins(size_t *count)
{
    *count = sizeof(builtin_plugins) / sizeof(builtin_plugins[0]);
    return builtin_plugins;
}
