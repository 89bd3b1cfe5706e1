/* The shared DTLS context: one SSL_CTX configured for WebRTC (DTLS 1.2,
 * ECDHE + AES-GCM first, use_srtp, fingerprint-only peer verification) and the
 * datagram BIO method every connection uses. */
#include "media/dtls/internal.h"

#include <errno.h>
#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/srtp.h>
#include <openssl/ssl.h>

#define DEFAULT_MTU 1200
#define MIN_MTU 256 /* OpenSSL's DTLS floor with a BIO that adds no overhead */
#define MAX_MTU 65507
#define DEFAULT_INITIAL_TIMEOUT_US 1000000u
#define DEFAULT_MAX_TIMEOUT_US 60000000u
/* OpenSSL's timer callback counts in unsigned int microseconds. */
#define MAX_TIMEOUT_US 3600000000u

/* Server preference (SSL_OP_CIPHER_SERVER_PREFERENCE) follows this order. Our
 * own certificate is ECDSA; the RSA suites serve peers with RSA certificates
 * when we are the client. CBC suites are a last resort for old endpoints. */
static const char cipher_list[] = "ECDHE-ECDSA-AES128-GCM-SHA256:"
                                  "ECDHE-ECDSA-AES256-GCM-SHA384:"
                                  "ECDHE-ECDSA-CHACHA20-POLY1305:"
                                  "ECDHE-RSA-AES128-GCM-SHA256:"
                                  "ECDHE-RSA-AES256-GCM-SHA384:"
                                  "ECDHE-RSA-CHACHA20-POLY1305:"
                                  "ECDHE-ECDSA-AES128-SHA:"
                                  "ECDHE-RSA-AES128-SHA";

/* Offered (client) and chosen (server) in this order of preference. */
static const char srtp_profiles[] = "SRTP_AEAD_AES_128_GCM:"
                                    "SRTP_AEAD_AES_256_GCM:"
                                    "SRTP_AES128_CM_SHA1_80";

static int check_config(struct prism_dtls_config *config)
{
    if (config->mtu == 0)
        config->mtu = DEFAULT_MTU;
    if (config->initial_timeout_us == 0)
        config->initial_timeout_us = DEFAULT_INITIAL_TIMEOUT_US;
    if (config->max_timeout_us == 0)
        config->max_timeout_us = DEFAULT_MAX_TIMEOUT_US;
    if (config->mtu < MIN_MTU || config->mtu > MAX_MTU)
        return -EINVAL;
    if (config->max_timeout_us > MAX_TIMEOUT_US ||
        config->initial_timeout_us > config->max_timeout_us)
        return -EINVAL;
    return 0;
}

/* OpenSSL takes a maximum fragment of 512 to 16384 bytes. */
static long send_fragment_for(size_t mtu)
{
    if (mtu < 512)
        return 512;
    return mtu > SSL3_RT_MAX_PLAIN_LENGTH ? SSL3_RT_MAX_PLAIN_LENGTH : (long)mtu;
}

static int configure_ssl_ctx(SSL_CTX *ssl_ctx, struct prism_dtls_cert *cert, size_t mtu)
{
    if (SSL_CTX_set_min_proto_version(ssl_ctx, DTLS1_2_VERSION) != 1 ||
        SSL_CTX_set_max_proto_version(ssl_ctx, DTLS1_2_VERSION) != 1 ||
        SSL_CTX_set_cipher_list(ssl_ctx, cipher_list) != 1 ||
        SSL_CTX_set1_groups_list(ssl_ctx, "X25519:P-256:P-384") != 1 ||
        SSL_CTX_use_certificate(ssl_ctx, prism_dtls_cert_x509(cert)) != 1 ||
        SSL_CTX_use_PrivateKey(ssl_ctx, prism_dtls_cert_key(cert)) != 1 ||
        SSL_CTX_check_private_key(ssl_ctx) != 1)
        return -EIO;
    /* This one returns 0 on success. */
    if (SSL_CTX_set_tlsext_use_srtp(ssl_ctx, srtp_profiles) != 0)
        return -EIO;
    /* NO_QUERY_MTU: our BIO has no path MTU to query, the configured mtu is
     * final (without it OpenSSL shrinks the MTU after two timeouts). WebRTC
     * resumes no sessions and renegotiates nothing. */
    SSL_CTX_set_options(ssl_ctx, SSL_OP_NO_QUERY_MTU | SSL_OP_CIPHER_SERVER_PREFERENCE |
                                     SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION);
    SSL_CTX_set_session_cache_mode(ssl_ctx, SSL_SESS_CACHE_OFF);
    /* The write buffer is sized for the largest record: 16 KB plus overhead by default,
     * for each PeerConnection. Ours never exceed the mtu (handshake fragments, and
     * application data up to prism_dtls_app_mtu), so one datagram's worth is enough.
     * (SSL_MODE_RELEASE_BUFFERS would not help: OpenSSL 3.0 keeps DTLS buffers.) */
    SSL_CTX_set_max_send_fragment(ssl_ctx, send_fragment_for(mtu));
    /* Self-signed certificates are the norm: trust comes from the SDP
     * fingerprint, checked per connection in prism_dtls_verify_cb. */
    SSL_CTX_set_verify(ssl_ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    SSL_CTX_set_cert_verify_callback(ssl_ctx, prism_dtls_verify_cb, NULL);
    SSL_CTX_set_info_callback(ssl_ctx, prism_dtls_info_cb);
    return 0;
}

static BIO_METHOD *create_bio_method(void)
{
    BIO_METHOD *method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "prism-dtls");
    if (!method)
        return NULL;
    if (BIO_meth_set_write(method, prism_dtls_bio_write) != 1 ||
        BIO_meth_set_read(method, prism_dtls_bio_read) != 1 ||
        BIO_meth_set_ctrl(method, prism_dtls_bio_ctrl) != 1 ||
        BIO_meth_set_create(method, prism_dtls_bio_create) != 1) {
        BIO_meth_free(method);
        return NULL;
    }
    return method;
}

int prism_dtls_context_new(struct prism_dtls_context **out, struct prism_dtls_cert *cert,
                           const struct prism_dtls_config *config)
{
    if (!out || !cert)
        return -EINVAL;
    struct prism_dtls_config checked = {0};
    if (config)
        checked = *config;
    if (check_config(&checked) < 0)
        return -EINVAL;

    struct prism_dtls_context *ctx = calloc(1, sizeof(*ctx));
    if (!ctx)
        return -ENOMEM;
    atomic_init(&ctx->refs, 1);
    ctx->config = checked;
    ctx->cert = prism_dtls_cert_ref(cert);
    int rc = -ENOMEM;
    ctx->ssl_ctx = SSL_CTX_new(DTLS_method());
    ctx->bio_method = create_bio_method();
    if (!ctx->ssl_ctx || !ctx->bio_method)
        goto out;
    rc = configure_ssl_ctx(ctx->ssl_ctx, cert, checked.mtu);
    if (rc < 0)
        goto out;
    *out = ctx;
    return 0;

out:
    ERR_clear_error();
    prism_dtls_context_unref(ctx);
    return rc;
}

struct prism_dtls_context *prism_dtls_context_ref(struct prism_dtls_context *ctx)
{
    atomic_fetch_add_explicit(&ctx->refs, 1, memory_order_relaxed);
    return ctx;
}

void prism_dtls_context_unref(struct prism_dtls_context *ctx)
{
    if (!ctx || atomic_fetch_sub_explicit(&ctx->refs, 1, memory_order_acq_rel) != 1)
        return;
    SSL_CTX_free(ctx->ssl_ctx);
    BIO_meth_free(ctx->bio_method);
    prism_dtls_cert_unref(ctx->cert);
    free(ctx);
}
