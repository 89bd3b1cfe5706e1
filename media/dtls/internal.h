/* Private to media/dtls: the context layout and the OpenSSL callbacks the
 * context installs and the connection code implements. */
#ifndef PRISM_MEDIA_DTLS_INTERNAL_H
#define PRISM_MEDIA_DTLS_INTERNAL_H

#include "media/dtls/dtls.h"

#include <stdatomic.h>

#include <openssl/bio.h>
#include <openssl/ssl.h>

/* Immutable after prism_dtls_context_new except refs: shared by all workers. */
struct prism_dtls_context {
    atomic_int refs;
    SSL_CTX *ssl_ctx;                /* owned; only SSL_new is called on it afterwards */
    BIO_METHOD *bio_method;          /* owned; the datagram BIO of every connection */
    struct prism_dtls_cert *cert;    /* reference */
    struct prism_dtls_config config; /* defaults filled in */
};

/* Peer certificate check against the connection's expected fingerprint. */
int prism_dtls_verify_cb(X509_STORE_CTX *store, void *arg);
/* Records alerts received from the peer. */
void prism_dtls_info_cb(const SSL *ssl, int where, int ret);

/* The datagram BIO: a read returns the datagram being fed, each write queues
 * one datagram (OpenSSL 3.0 writes one datagram's worth of records per call,
 * packing a flight's messages up to the MTU). */
int prism_dtls_bio_write(BIO *bio, const char *data, int len);
int prism_dtls_bio_read(BIO *bio, char *buf, int size);
long prism_dtls_bio_ctrl(BIO *bio, int cmd, long num, void *ptr);
int prism_dtls_bio_create(BIO *bio);

#endif
