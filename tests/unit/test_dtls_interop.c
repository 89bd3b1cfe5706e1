/* DTLS engine against a plain OpenSSL DTLS client configured by the test: the
 * server picks SRTP profiles by our preference order, and the key split
 * matches the exporter block as RFC 5764 section 4.2 lays it out, computed on
 * the peer's side independently of the engine. */
#include "media/dtls/dtls.h"

#include <glib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/srtp.h>
#include <openssl/ssl.h>

struct plain_peer {
    SSL_CTX *ctx;
    SSL *ssl;
    BIO *in, *out; /* memory BIOs: what it receives, what it sends */
};

static void plain_peer_init(struct plain_peer *peer, struct prism_dtls_cert *cert,
                            const char *profiles)
{
    peer->ctx = SSL_CTX_new(DTLS_client_method());
    g_assert_nonnull(peer->ctx);
    g_assert_cmpint(SSL_CTX_use_certificate(peer->ctx, prism_dtls_cert_x509(cert)), ==, 1);
    g_assert_cmpint(SSL_CTX_use_PrivateKey(peer->ctx, prism_dtls_cert_key(cert)), ==, 1);
    g_assert_cmpint(SSL_CTX_set_tlsext_use_srtp(peer->ctx, profiles), ==, 0);
    peer->ssl = SSL_new(peer->ctx);
    peer->in = BIO_new(BIO_s_mem());
    peer->out = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(peer->in, -1); /* empty means "wait", not EOF */
    SSL_set_bio(peer->ssl, peer->in, peer->out);
    SSL_set_connect_state(peer->ssl);
}

static void plain_peer_clear(struct plain_peer *peer)
{
    SSL_free(peer->ssl);
    SSL_CTX_free(peer->ctx);
}

/* Runs the handshake between the plain client and our server engine. */
static void run_handshake(struct plain_peer *peer, struct prism_dtls *server)
{
    uint8_t buf[4096];
    for (int round = 0; round < 10 && SSL_is_init_finished(peer->ssl) != 1; round++) {
        SSL_do_handshake(peer->ssl);
        /* Everything the client wrote, as one datagram of several records. */
        int len = BIO_read(peer->out, buf, sizeof(buf));
        if (len > 0)
            g_assert_cmpint(prism_dtls_receive(server, buf, (size_t)len, 0), ==, 0);
        while ((len = prism_dtls_poll_output(server, buf, sizeof(buf))) > 0)
            g_assert_cmpint(BIO_write(peer->in, buf, len), ==, len);
    }
    g_assert_cmpint(SSL_is_init_finished(peer->ssl), ==, 1);
    g_assert_cmpint(prism_dtls_state(server), ==, PRISM_DTLS_STATE_CONNECTED);
}

/* Connects a plain client offering `profiles` and returns the profile chosen;
 * checks the key split against the client's own export. */
static enum prism_srtp_profile negotiate(const char *profiles)
{
    struct prism_dtls_cert *server_cert, *client_cert;
    struct prism_dtls_context *ctx;
    struct prism_dtls *server;
    g_assert_cmpint(prism_dtls_cert_generate(&server_cert, NULL), ==, 0);
    g_assert_cmpint(prism_dtls_cert_generate(&client_cert, NULL), ==, 0);
    g_assert_cmpint(prism_dtls_context_new(&ctx, server_cert, NULL), ==, 0);
    g_assert_cmpint(prism_dtls_new(&server, ctx, PRISM_DTLS_ROLE_SERVER,
                                   prism_dtls_cert_fingerprint(client_cert)),
                    ==, 0);
    g_assert_cmpint(prism_dtls_start(server, 0), ==, 0);
    struct plain_peer peer;
    plain_peer_init(&peer, client_cert, profiles);
    run_handshake(&peer, server);

    struct prism_srtp_keys keys;
    g_assert_cmpint(prism_dtls_srtp_keys(server, &keys), ==, 0);
    g_assert_cmpint(SSL_get_selected_srtp_profile(peer.ssl)->id, ==, keys.profile);
    size_t k = keys.key_len, s = keys.salt_len;
    uint8_t block[92];
    g_assert_cmpint(SSL_export_keying_material(peer.ssl, block, 2 * (k + s), "EXTRACTOR-dtls_srtp",
                                               19, NULL, 0, 0),
                    ==, 1);
    /* client_write_key, server_write_key, client_salt, server_salt; we are
     * the server, so the client's halves are our remote keys. */
    g_assert_cmpmem(keys.remote_key, k, block, k);
    g_assert_cmpmem(keys.local_key, k, block + k, k);
    g_assert_cmpmem(keys.remote_salt, s, block + 2 * k, s);
    g_assert_cmpmem(keys.local_salt, s, block + 2 * k + s, s);

    plain_peer_clear(&peer);
    prism_dtls_free(server);
    prism_dtls_context_unref(ctx);
    prism_dtls_cert_unref(server_cert);
    prism_dtls_cert_unref(client_cert);
    return keys.profile;
}

static void test_dtls_server_prefers_gcm_whatever_the_client_order(void)
{
    g_assert_cmpint(negotiate("SRTP_AES128_CM_SHA1_80:SRTP_AEAD_AES_128_GCM"), ==,
                    PRISM_SRTP_AEAD_AES_128_GCM);
    g_assert_cmpint(negotiate("SRTP_AES128_CM_SHA1_80:SRTP_AEAD_AES_256_GCM"), ==,
                    PRISM_SRTP_AEAD_AES_256_GCM);
}

static void test_dtls_server_falls_back_to_aes_cm(void)
{
    g_assert_cmpint(negotiate("SRTP_AES128_CM_SHA1_32:SRTP_AES128_CM_SHA1_80"), ==,
                    PRISM_SRTP_AES128_CM_SHA1_80);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/dtls/interop/server-prefers-gcm-whatever-the-client-order",
                    test_dtls_server_prefers_gcm_whatever_the_client_order);
    g_test_add_func("/dtls/interop/server-falls-back-to-aes-cm",
                    test_dtls_server_falls_back_to_aes_cm);
    return g_test_run();
}
