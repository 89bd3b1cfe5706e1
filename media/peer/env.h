/* The media side of the process: ICE settings, the DTLS certificate and context, and the
 * peer environment every PeerConnection shares, built once from the configuration. */
#ifndef PRISM_MEDIA_PEER_ENV_H
#define PRISM_MEDIA_PEER_ENV_H

#include <stddef.h>

struct prism_config;
struct prism_media;

/* Reads section "media", makes or loads the certificate and installs the environment for
 * handles (prism_handle_media_set_env). Returns 0, or -errno with `error` saying why. */
int prism_media_start(struct prism_media **out, const struct prism_config *config, char *error,
                      size_t error_size);

/* Uninstalls the environment and frees it; call after every handle is gone. */
void prism_media_stop(struct prism_media *media);

#endif
