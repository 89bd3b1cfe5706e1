/* The bench's shared WebRTC environment: loopback-only ICE and one certificate. */
#include "bench/lib/peer/env.h"

#include "media/srtp/srtp.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

int bench_env_init(struct bench_env *env, bool light_ice, char *error, size_t error_size)
{
    memset(env, 0, sizeof(*env));
    /* Loopback only: the bench never sends anywhere else, whatever the machine has. */
    struct prism_ice_settings_text text = {
        .interfaces = "127.0.0.1", .port_range = "20000-65000", .remote_networks = "127.0.0.0/8"};
    int rc = prism_ice_settings_parse(&env->ice, &text, error, error_size);
    if (rc < 0)
        return rc;
    env->ice.client = light_ice;
    rc = prism_srtp_init();
    if (rc < 0) {
        g_strlcpy(error, "cannot initialise libsrtp2", error_size);
        return rc;
    }
    rc = prism_dtls_cert_generate(&env->cert, "prism-bench");
    if (rc < 0) {
        g_strlcpy(error, "cannot generate the DTLS certificate", error_size);
        return rc;
    }
    rc = prism_dtls_context_new(&env->dtls, env->cert, NULL);
    if (rc == 0)
        rc = prism_peer_env_init(&env->peer_env, &env->ice, env->dtls, env->cert);
    if (rc < 0) {
        g_strlcpy(error, "cannot set up DTLS", error_size);
        bench_env_clear(env);
        return rc;
    }
    return 0;
}

void bench_env_clear(struct bench_env *env)
{
    if (env->dtls)
        prism_dtls_context_unref(env->dtls);
    if (env->cert)
        prism_dtls_cert_unref(env->cert);
    env->dtls = NULL;
    env->cert = NULL;
}
