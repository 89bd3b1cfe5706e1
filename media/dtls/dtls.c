/* One DTLS 1.2 connection as a sans-IO engine: OpenSSL runs over a datagram
 * BIO that reads the datagram being fed and queues what it writes; this file
 * drives the handshake, maps the retransmission timer onto the caller's
 * clock, checks the peer fingerprint and exports the DTLS-SRTP keys. */
#include "media/dtls/internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/srtp.h>
#include <openssl/x509.h>

#define DTLS_RECORD_HEADER_LEN 13
#define MAX_APP_MESSAGE 16384 /* largest DTLS record plaintext */
/* Bounds on what may wait for the owner to drain it. Application data beyond
 * the inbound bound is dropped as a lossy network would (SCTP retransmits). */
#define OUTPUT_QUEUE_LIMIT (256u * 1024)
#define APP_QUEUE_LIMIT (1024u * 1024)
#define EXPORTER_LABEL "EXTRACTOR-dtls_srtp"

struct datagram {
    struct datagram *next;
    size_t len;
    uint8_t data[];
};

/* FIFO of datagrams or application messages, one allocation each. */
struct datagram_queue {
    struct datagram *head, *tail;
    size_t bytes;
};

struct prism_dtls {
    struct prism_dtls_context *ctx; /* reference */
    SSL *ssl;                       /* owned; its rbio and wbio are one datagram BIO */
    enum prism_dtls_role role;
    enum prism_dtls_state state;
    struct prism_dtls_fingerprint remote; /* what the peer certificate must hash to */
    const uint8_t *input;                 /* datagram being fed, during receive only */
    size_t input_len;
    struct datagram_queue output; /* datagrams to send */
    struct datagram_queue app_in; /* application messages received */
    uint64_t deadline;            /* caller's clock, or PRISM_DTLS_NO_TIMEOUT */
    bool has_keys;
    struct prism_srtp_keys keys;
    char reason[160]; /* first failure cause; empty until FAILED */
};

static int queue_push(struct datagram_queue *queue, const void *data, size_t len)
{
    struct datagram *item = malloc(sizeof(*item) + len);
    if (!item)
        return -ENOMEM;
    item->next = NULL;
    item->len = len;
    memcpy(item->data, data, len);
    if (queue->tail)
        queue->tail->next = item;
    else
        queue->head = item;
    queue->tail = item;
    queue->bytes += len;
    return 0;
}

static int queue_pop(struct datagram_queue *queue, uint8_t *buf, size_t cap)
{
    struct datagram *item = queue->head;
    if (!item)
        return 0;
    if (item->len > cap)
        return -EMSGSIZE;
    memcpy(buf, item->data, item->len);
    int len = (int)item->len;
    queue->head = item->next;
    if (!queue->head)
        queue->tail = NULL;
    queue->bytes -= item->len;
    free(item);
    return len;
}

static void queue_clear(struct datagram_queue *queue)
{
    while (queue->head) {
        struct datagram *next = queue->head->next;
        free(queue->head);
        queue->head = next;
    }
    queue->tail = NULL;
    queue->bytes = 0;
}

static void set_failure(struct prism_dtls *conn, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Keeps the first cause: later errors are usually its consequences. */
static void set_failure(struct prism_dtls *conn, const char *fmt, ...)
{
    if (conn->reason[0] == '\0') {
        va_list args;
        va_start(args, fmt);
        vsnprintf(conn->reason, sizeof(conn->reason), fmt, args);
        va_end(args);
    }
    conn->state = PRISM_DTLS_STATE_FAILED;
    conn->deadline = PRISM_DTLS_NO_TIMEOUT;
}

/* Fails the connection with OpenSSL's first queued error as the cause. */
static void fail_from_openssl(struct prism_dtls *conn, const char *during)
{
    unsigned long err = ERR_peek_error();
    if (ERR_GET_LIB(err) == ERR_LIB_SSL && ERR_GET_REASON(err) == SSL_R_READ_TIMEOUT_EXPIRED)
        set_failure(conn, "%s: timed out, the peer answered no retransmission", during);
    else if (err != 0)
        set_failure(conn, "%s: %s", during, ERR_reason_error_string(err));
    else
        set_failure(conn, "%s: failed", during);
    ERR_clear_error();
}

static struct prism_dtls *conn_of_ssl(const SSL *ssl)
{
    return SSL_get_app_data(ssl);
}

int prism_dtls_verify_cb(X509_STORE_CTX *store, void *arg)
{
    SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
    struct prism_dtls *conn = ssl ? conn_of_ssl(ssl) : NULL;
    X509 *peer = X509_STORE_CTX_get0_cert(store);
    if (!conn || !peer)
        return 0;
    struct prism_dtls_fingerprint seen;
    if (prism_dtls_fingerprint_of_x509(&seen, peer, conn->remote.algorithm) == 0 &&
        prism_dtls_fingerprint_equal(&seen, &conn->remote))
        return 1;
    set_failure(conn, "remote certificate does not match the %s fingerprint of the SDP",
                conn->remote.algorithm);
    /* Makes OpenSSL send a bad_certificate alert. */
    X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);
    return 0;
}

void prism_dtls_info_cb(const SSL *ssl, int where, int ret)
{
    struct prism_dtls *conn = conn_of_ssl(ssl);
    /* SSL_CB_READ_ALERT shares its SSL_CB_ALERT bit with SSL_CB_WRITE_ALERT. */
    if (!conn || (where & SSL_CB_READ_ALERT) != SSL_CB_READ_ALERT)
        return;
    if ((ret >> 8) == SSL3_AL_FATAL)
        set_failure(conn, "peer sent fatal alert: %s", SSL_alert_desc_string_long(ret));
}

int prism_dtls_bio_create(BIO *bio)
{
    BIO_set_init(bio, 1);
    return 1;
}

int prism_dtls_bio_write(BIO *bio, const char *data, int len)
{
    struct prism_dtls *conn = BIO_get_data(bio);
    BIO_clear_retry_flags(bio);
    if (len <= 0)
        return 0;
    if (queue_push(&conn->output, data, (size_t)len) < 0)
        return -1;
    return len;
}

int prism_dtls_bio_read(BIO *bio, char *buf, int size)
{
    struct prism_dtls *conn = BIO_get_data(bio);
    BIO_clear_retry_flags(bio);
    if (!conn->input || size <= 0) {
        BIO_set_retry_read(bio);
        return -1;
    }
    /* Like a UDP socket: one datagram per read, truncated to the buffer. */
    size_t len = conn->input_len < (size_t)size ? conn->input_len : (size_t)size;
    memcpy(buf, conn->input, len);
    conn->input = NULL;
    conn->input_len = 0;
    return (int)len;
}

long prism_dtls_bio_ctrl(BIO *bio, int cmd, long num, void *ptr)
{
    struct prism_dtls *conn = BIO_get_data(bio);
    switch (cmd) {
    case BIO_CTRL_FLUSH:
        return 1;
    case BIO_CTRL_DGRAM_QUERY_MTU:
        return conn ? (long)conn->ctx->config.mtu : 0;
    case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD: /* the mtu counts DTLS bytes only */
    case BIO_CTRL_PENDING:
    case BIO_CTRL_WPENDING:
    default:
        return 0;
    }
}

/* OpenSSL's timer: the first timeout of a flight, then doubling to the cap. */
static unsigned int timer_cb(SSL *ssl, unsigned int previous_us)
{
    const struct prism_dtls_config *config = &conn_of_ssl(ssl)->ctx->config;
    uint64_t next = previous_us == 0 ? config->initial_timeout_us : 2 * (uint64_t)previous_us;
    return (unsigned int)(next < config->max_timeout_us ? next : config->max_timeout_us);
}

/* Maps OpenSSL's running timer (time left on its own clock) onto ours. */
static void update_deadline(struct prism_dtls *conn, uint64_t now)
{
    struct timeval left;
    conn->deadline = PRISM_DTLS_NO_TIMEOUT;
    if (conn->state != PRISM_DTLS_STATE_CONNECTING && conn->state != PRISM_DTLS_STATE_CONNECTED)
        return;
    if (DTLSv1_get_timeout(conn->ssl, &left) == 1)
        conn->deadline = now + (uint64_t)left.tv_sec * 1000000u + (uint64_t)left.tv_usec;
}

static int create_ssl(struct prism_dtls *conn)
{
    conn->ssl = SSL_new(conn->ctx->ssl_ctx);
    BIO *bio = BIO_new(conn->ctx->bio_method);
    if (!conn->ssl || !bio) {
        BIO_free(bio);
        return -ENOMEM;
    }
    BIO_set_data(bio, conn);
    SSL_set_bio(conn->ssl, bio, bio); /* one reference, owned by the SSL */
    SSL_set_app_data(conn->ssl, conn);
    DTLS_set_timer_cb(conn->ssl, timer_cb);
    if (SSL_set_mtu(conn->ssl, (long)conn->ctx->config.mtu) <= 0)
        return -EIO;
    if (conn->role == PRISM_DTLS_ROLE_CLIENT)
        SSL_set_connect_state(conn->ssl);
    else
        SSL_set_accept_state(conn->ssl);
    return 0;
}

int prism_dtls_new(struct prism_dtls **out, struct prism_dtls_context *ctx,
                   enum prism_dtls_role role, const struct prism_dtls_fingerprint *remote)
{
    if (!out || !ctx || !remote || remote->len == 0 ||
        remote->len > PRISM_DTLS_FINGERPRINT_MAX_LEN ||
        (role != PRISM_DTLS_ROLE_CLIENT && role != PRISM_DTLS_ROLE_SERVER))
        return -EINVAL;
    struct prism_dtls *conn = calloc(1, sizeof(*conn));
    if (!conn)
        return -ENOMEM;
    conn->ctx = prism_dtls_context_ref(ctx);
    conn->role = role;
    conn->state = PRISM_DTLS_STATE_NEW;
    conn->remote = *remote;
    conn->deadline = PRISM_DTLS_NO_TIMEOUT;
    int rc = create_ssl(conn);
    if (rc < 0) {
        ERR_clear_error();
        prism_dtls_free(conn);
        return rc;
    }
    *out = conn;
    return 0;
}

void prism_dtls_free(struct prism_dtls *conn)
{
    if (!conn)
        return;
    SSL_free(conn->ssl);
    queue_clear(&conn->output);
    queue_clear(&conn->app_in);
    explicit_bzero(&conn->keys, sizeof(conn->keys));
    prism_dtls_context_unref(conn->ctx);
    free(conn);
}

/* Splits the exported block, laid out by RFC 5764 section 4.2 as client key,
 * server key, client salt, server salt, into our and the peer's halves. */
static int export_srtp_keys(struct prism_dtls *conn)
{
    const SRTP_PROTECTION_PROFILE *profile = SSL_get_selected_srtp_profile(conn->ssl);
    if (!profile)
        return 0; /* DTLS without SRTP, e.g. data channels only */
    struct prism_srtp_keys *keys = &conn->keys;
    keys->profile = (enum prism_srtp_profile)profile->id;
    if (prism_srtp_profile_lengths(keys->profile, &keys->key_len, &keys->salt_len) < 0)
        return -ENOTSUP;
    size_t k = keys->key_len, s = keys->salt_len;
    uint8_t block[2 * (PRISM_SRTP_MAX_KEY_LEN + PRISM_SRTP_MAX_SALT_LEN)];
    if (SSL_export_keying_material(conn->ssl, block, 2 * (k + s), EXPORTER_LABEL,
                                   strlen(EXPORTER_LABEL), NULL, 0, 0) != 1)
        return -EIO;
    bool client = conn->role == PRISM_DTLS_ROLE_CLIENT;
    memcpy(keys->local_key, block + (client ? 0 : k), k);
    memcpy(keys->remote_key, block + (client ? k : 0), k);
    memcpy(keys->local_salt, block + 2 * k + (client ? 0 : s), s);
    memcpy(keys->remote_salt, block + 2 * k + (client ? s : 0), s);
    explicit_bzero(block, sizeof(block));
    conn->has_keys = true;
    return 0;
}

static int on_handshake_done(struct prism_dtls *conn)
{
    int rc = export_srtp_keys(conn);
    if (rc < 0) {
        set_failure(conn, "cannot export DTLS-SRTP keys (%s)",
                    rc == -ENOTSUP ? "unknown profile" : "exporter failed");
        return -EPROTO;
    }
    conn->state = PRISM_DTLS_STATE_CONNECTED;
    return 0;
}

/* Reads every application record the last datagram carried. */
static int read_app_data(struct prism_dtls *conn)
{
    uint8_t buf[MAX_APP_MESSAGE];
    for (;;) {
        int n = SSL_read(conn->ssl, buf, sizeof(buf));
        if (n > 0) {
            if (conn->app_in.bytes + (size_t)n <= APP_QUEUE_LIMIT)
                queue_push(&conn->app_in, buf, (size_t)n);
            continue;
        }
        int err = SSL_get_error(conn->ssl, n);
        if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
            return 0;
        if (err == SSL_ERROR_ZERO_RETURN) {
            /* close_notify from the peer: answer it and stop. */
            SSL_shutdown(conn->ssl);
            conn->state = PRISM_DTLS_STATE_CLOSED;
            return 0;
        }
        fail_from_openssl(conn, "receive");
        return -EPROTO;
    }
}

/* Runs OpenSSL on what is available: handshake progress, then records. */
static int advance(struct prism_dtls *conn)
{
    if (!SSL_is_init_finished(conn->ssl)) {
        int ret = SSL_do_handshake(conn->ssl);
        if (ret != 1) {
            int err = SSL_get_error(conn->ssl, ret);
            if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
                return 0;
            fail_from_openssl(conn, "handshake");
            return -EPROTO;
        }
        int rc = on_handshake_done(conn);
        if (rc < 0)
            return rc;
    }
    return read_app_data(conn);
}

int prism_dtls_start(struct prism_dtls *conn, uint64_t now)
{
    if (conn->state != PRISM_DTLS_STATE_NEW)
        return -EALREADY;
    conn->state = PRISM_DTLS_STATE_CONNECTING;
    if (conn->role == PRISM_DTLS_ROLE_SERVER)
        return 0;
    ERR_clear_error();
    int rc = advance(conn);
    ERR_clear_error();
    update_deadline(conn, now);
    return rc < 0 ? -EIO : 0;
}

int prism_dtls_receive(struct prism_dtls *conn, const uint8_t *data, size_t len, uint64_t now)
{
    if (conn->state != PRISM_DTLS_STATE_CONNECTING && conn->state != PRISM_DTLS_STATE_CONNECTED)
        return -ENOTCONN;
    /* RFC 7983: DTLS content types 20..63; shorter than one header is noise. */
    if (!data || len < DTLS_RECORD_HEADER_LEN || data[0] < 20 || data[0] > 63)
        return -EBADMSG;
    conn->input = data;
    conn->input_len = len;
    ERR_clear_error();
    int rc = advance(conn);
    ERR_clear_error();
    /* Whatever OpenSSL left unread of the datagram is dropped with it. */
    conn->input = NULL;
    conn->input_len = 0;
    update_deadline(conn, now);
    return rc;
}

int prism_dtls_poll_output(struct prism_dtls *conn, uint8_t *buf, size_t cap)
{
    return queue_pop(&conn->output, buf, cap);
}

uint64_t prism_dtls_next_timeout(const struct prism_dtls *conn)
{
    return conn->deadline;
}

int prism_dtls_handle_timeout(struct prism_dtls *conn, uint64_t now)
{
    if (conn->deadline == PRISM_DTLS_NO_TIMEOUT || now < conn->deadline)
        return 0;
    ERR_clear_error();
    int ret = (int)DTLSv1_handle_timeout(conn->ssl);
    if (ret < 0) {
        fail_from_openssl(conn, "handshake");
        return -ETIMEDOUT;
    }
    ERR_clear_error();
    update_deadline(conn, now);
    return ret > 0 ? 1 : 0;
}

enum prism_dtls_state prism_dtls_state(const struct prism_dtls *conn)
{
    return conn->state;
}

enum prism_dtls_role prism_dtls_role(const struct prism_dtls *conn)
{
    return conn->role;
}

const char *prism_dtls_cipher(const struct prism_dtls *conn)
{
    if (conn->state != PRISM_DTLS_STATE_CONNECTED && conn->state != PRISM_DTLS_STATE_CLOSED)
        return NULL;
    const SSL_CIPHER *cipher = SSL_get_current_cipher(conn->ssl);
    return cipher ? SSL_CIPHER_get_name(cipher) : NULL;
}

const char *prism_dtls_failure_reason(const struct prism_dtls *conn)
{
    return conn->state == PRISM_DTLS_STATE_FAILED ? conn->reason : NULL;
}

int prism_dtls_srtp_keys(const struct prism_dtls *conn, struct prism_srtp_keys *keys)
{
    if (conn->state != PRISM_DTLS_STATE_CONNECTED && conn->state != PRISM_DTLS_STATE_CLOSED)
        return -ENOTCONN;
    if (!conn->has_keys)
        return -ENOENT;
    *keys = conn->keys;
    return 0;
}

size_t prism_dtls_app_mtu(const struct prism_dtls *conn)
{
    if (conn->state != PRISM_DTLS_STATE_CONNECTED)
        return 0;
    return DTLS_get_data_mtu(conn->ssl);
}

int prism_dtls_send_app(struct prism_dtls *conn, const uint8_t *data, size_t len)
{
    if (conn->state != PRISM_DTLS_STATE_CONNECTED)
        return -ENOTCONN;
    if (!data || len == 0 || len > prism_dtls_app_mtu(conn))
        return -EMSGSIZE;
    if (conn->output.bytes + len > OUTPUT_QUEUE_LIMIT)
        return -ENOBUFS;
    ERR_clear_error();
    int n = SSL_write(conn->ssl, data, (int)len);
    if (n != (int)len) {
        fail_from_openssl(conn, "send");
        return -EIO;
    }
    return 0;
}

int prism_dtls_poll_app(struct prism_dtls *conn, uint8_t *buf, size_t cap)
{
    return queue_pop(&conn->app_in, buf, cap);
}

void prism_dtls_close(struct prism_dtls *conn)
{
    if (conn->state == PRISM_DTLS_STATE_CONNECTED) {
        SSL_shutdown(conn->ssl);
        ERR_clear_error();
    }
    if (conn->state != PRISM_DTLS_STATE_FAILED)
        conn->state = PRISM_DTLS_STATE_CLOSED;
    conn->deadline = PRISM_DTLS_NO_TIMEOUT;
}
