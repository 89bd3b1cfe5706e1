/* Builds the shared media environment from the configuration. */
#include "media/peer/env.h"

#include "core/config.h"
#include "core/log.h"
#include "media/peer/handle_media.h"
#include "media/sctp/sctp.h"
#include "media/udp/worker_socket.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

/* Everything PeerConnections share; read-only once started. */
struct prism_media {
    struct prism_ice_settings ice;
    struct prism_dtls_cert *cert;
    struct prism_dtls_context *dtls;
    struct prism_peer_env env;
    struct prism_udp_hub *udp_hub; /* ice_mode "lite" */
    bool sctp_ref;                 /* usrsctp stays up for the process, not per association */
};

static int load_certificate(struct prism_media *media, const struct prism_config *config,
                            char *error, size_t error_size)
{
    const char *cert_path = prism_config_get_string(config, "media", "dtls_certificate");
    const char *key_path = prism_config_get_string(config, "media", "dtls_key");
    const char *passphrase = prism_config_get_string(config, "media", "dtls_key_passphrase");
    int rc;
    if (*cert_path) {
        rc = prism_dtls_cert_load(&media->cert, cert_path, *key_path ? key_path : cert_path,
                                  *passphrase ? passphrase : NULL);
        if (rc < 0)
            snprintf(error, error_size, "media.dtls_certificate: cannot load %s (%s)", cert_path,
                     g_strerror(-rc));
    } else {
        rc = prism_dtls_cert_generate(&media->cert, "Prism");
        if (rc < 0)
            snprintf(error, error_size, "cannot generate the DTLS certificate");
    }
    return rc;
}

/* ICE-lite: the workers' sockets listen on every selected address; they open lazily, on each
 * worker's first PeerConnection. */
static int start_udp_hub(struct prism_media *media, char *error, size_t error_size)
{
    struct prism_ip addresses[PRISM_UDP_MAX_ADDRESSES];
    size_t count = 0;
    int rc = prism_ice_local_addresses(&media->ice, addresses, PRISM_UDP_MAX_ADDRESSES, &count);
    if (rc == 0 && count == 0)
        rc = -EADDRNOTAVAIL;
    if (rc == 0)
        rc = prism_udp_hub_create(&media->udp_hub, addresses, count, media->ice.udp_port);
    if (rc < 0) {
        snprintf(error, error_size, "media.ice_mode lite: no usable address for the UDP sockets");
        return rc;
    }
    media->env.udp_hub = media->udp_hub;
    prism_info("media", "ICE-lite: worker i listens on UDP port %u + i on %zu address%s",
               media->ice.udp_port, count, count == 1 ? "" : "es");
    return 0;
}

int prism_media_start(struct prism_media **out, const struct prism_config *config, char *error,
                      size_t error_size)
{
    struct prism_media *media = calloc(1, sizeof(*media));
    if (!media)
        return -ENOMEM;
    int rc = prism_ice_settings_from_config(&media->ice, config, error, error_size);
    if (rc == 0)
        rc = load_certificate(media, config, error, error_size);
    if (rc == 0) {
        struct prism_dtls_config dtls = {
            .mtu = (size_t)prism_config_get_int(config, "media", "dtls_mtu"),
        };
        rc = prism_dtls_context_new(&media->dtls, media->cert, &dtls);
        if (rc < 0)
            snprintf(error, error_size, "cannot set up DTLS");
    }
    if (rc == 0)
        rc = prism_peer_env_init(&media->env, &media->ice, media->dtls, media->cert);
    if (rc == 0 && media->ice.lite)
        rc = start_udp_hub(media, error, error_size);
    if (rc == 0) {
        rc = prism_sctp_global_ref();
        media->sctp_ref = rc == 0;
        if (rc < 0)
            snprintf(error, error_size, "cannot start SCTP for data channels");
    }
    if (rc < 0) {
        prism_media_stop(media);
        return rc;
    }
    media->env.srtp_replay_window = (unsigned)prism_config_get_int(config, "media",
                                                                   "srtp_replay_window");
    media->env.slowlink_threshold = (unsigned)prism_config_get_int(config, "media",
                                                                   "slowlink_threshold");
    media->env.simulate_loss_in = (unsigned)prism_config_get_int(config, "media",
                                                                 "simulate_loss_in");
    media->env.simulate_loss_out = (unsigned)prism_config_get_int(config, "media",
                                                                  "simulate_loss_out");
    media->env.max_peers_per_session = (unsigned)prism_config_get_int(config, "general",
                                                                      "max_peers_per_session");
    if (media->env.simulate_loss_in || media->env.simulate_loss_out)
        prism_warn("media", "simulating loss: every %u-th RTP packet in, every %u-th out",
                   media->env.simulate_loss_in, media->env.simulate_loss_out);
    prism_info("media", "DTLS fingerprint sha-256 %s",
               prism_dtls_cert_fingerprint_text(media->cert));
    prism_handle_media_set_env(&media->env);
    *out = media;
    return 0;
}

void prism_media_stop(struct prism_media *media)
{
    if (!media)
        return;
    prism_handle_media_set_env(NULL);
    prism_udp_hub_destroy(media->udp_hub); /* the workers' loops are gone by now */
    if (media->sctp_ref)
        prism_sctp_global_unref();
    prism_dtls_context_unref(media->dtls);
    prism_dtls_cert_unref(media->cert);
    free(media);
}
