/* janus.plugin.echotest: sends a participant's own media back to it. */
#ifndef PRISM_PLUGINS_ECHOTEST_H
#define PRISM_PLUGINS_ECHOTEST_H

#include "core/plugin.h"

/* The EchoTest's own error codes, as Janus numbers them. */
enum prism_echotest_error {
    PRISM_ECHOTEST_ERROR_NO_MESSAGE = 411,
    PRISM_ECHOTEST_ERROR_INVALID_JSON = 412,
    PRISM_ECHOTEST_ERROR_INVALID_ELEMENT = 413,
    PRISM_ECHOTEST_ERROR_INVALID_SDP = 414,
};

extern const struct prism_plugin prism_echotest_plugin;

#endif
