/* The WebRTC environment every simulated participant of the bench shares: ICE host candidates
 * on 127.0.0.1 only (light client ICE or libnice), one DTLS certificate, and the peer settings
 * built from them. */
#ifndef PRISM_BENCH_PEER_ENV_H
#define PRISM_BENCH_PEER_ENV_H

#include "media/dtls/cert.h"
#include "media/ice/ice.h"
#include "media/peer/peer.h"

struct bench_env {
    struct prism_ice_settings ice;
    struct prism_dtls_cert *cert;
    struct prism_dtls_context *dtls;
    struct prism_peer_env peer_env;
};

/* Builds the environment (certificate generated, SRTP initialised). `light_ice`: participants
 * use media/ice's light client mode (one socket each on their worker's loop, no libnice);
 * otherwise a libnice agent each. Returns 0 or -errno with `error` saying why. */
int bench_env_init(struct bench_env *env, bool light_ice, char *error, size_t error_size);
void bench_env_clear(struct bench_env *env);

#endif
