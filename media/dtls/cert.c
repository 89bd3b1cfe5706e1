/* DTLS certificate generation and PEM loading, and fingerprint parse, format
 * and compute. */
#include "media/dtls/cert.h"

#include <glib.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#define CERT_BACKDATE_SECONDS (24L * 3600)
#define CERT_LIFETIME_SECONDS (30L * 24 * 3600)

/* Immutable after construction; refs is the only field that changes. */
struct prism_dtls_cert {
    atomic_int refs;
    X509 *x509;                                /* owned */
    EVP_PKEY *key;                             /* owned */
    struct prism_dtls_fingerprint fingerprint; /* sha-256 of x509 */
    char fingerprint_text[PRISM_DTLS_FINGERPRINT_TEXT_SIZE];
};

struct hash_name {
    const char *name;
    size_t len;
    const EVP_MD *(*md)(void);
};

static const struct hash_name hash_names[] = {
    {"sha-1", 20, EVP_sha1},
    {"sha-256", 32, EVP_sha256},
    {"sha-384", 48, EVP_sha384},
    {"sha-512", 64, EVP_sha512},
};

static const struct hash_name *find_hash(const char *algorithm)
{
    if (!algorithm)
        return NULL;
    for (size_t i = 0; i < sizeof(hash_names) / sizeof(hash_names[0]); i++) {
        if (strcasecmp(algorithm, hash_names[i].name) == 0)
            return &hash_names[i];
    }
    return NULL;
}

int prism_dtls_fingerprint_parse(struct prism_dtls_fingerprint *fp, const char *algorithm,
                                 const char *hex)
{
    const struct hash_name *hash = find_hash(algorithm);
    if (!hash)
        return -ENOTSUP;
    if (!hex || strlen(hex) != hash->len * 3 - 1)
        return -EINVAL;
    uint8_t bytes[PRISM_DTLS_FINGERPRINT_MAX_LEN];
    for (size_t i = 0; i < hash->len; i++) {
        const char *pair = hex + i * 3;
        int high = g_ascii_xdigit_value(pair[0]), low = g_ascii_xdigit_value(pair[1]);
        if (high < 0 || low < 0 || (i + 1 < hash->len && pair[2] != ':'))
            return -EINVAL;
        bytes[i] = (uint8_t)(high << 4 | low);
    }
    memset(fp, 0, sizeof(*fp));
    snprintf(fp->algorithm, sizeof(fp->algorithm), "%s", hash->name);
    memcpy(fp->bytes, bytes, hash->len);
    fp->len = hash->len;
    return 0;
}

int prism_dtls_fingerprint_format(const struct prism_dtls_fingerprint *fp, char *out, size_t cap)
{
    static const char digits[] = "0123456789ABCDEF";
    if (fp->len == 0 || fp->len > PRISM_DTLS_FINGERPRINT_MAX_LEN || cap < fp->len * 3)
        return -ENOSPC;
    for (size_t i = 0; i < fp->len; i++) {
        out[i * 3] = digits[fp->bytes[i] >> 4];
        out[i * 3 + 1] = digits[fp->bytes[i] & 0x0f];
        out[i * 3 + 2] = i + 1 < fp->len ? ':' : '\0';
    }
    return (int)(fp->len * 3 - 1);
}

int prism_dtls_fingerprint_of_x509(struct prism_dtls_fingerprint *fp, X509 *cert,
                                   const char *algorithm)
{
    const struct hash_name *hash = find_hash(algorithm);
    if (!hash)
        return -ENOTSUP;
    if (!cert)
        return -EINVAL;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (X509_digest(cert, hash->md(), digest, &len) != 1 || len != hash->len)
        return -EIO;
    memset(fp, 0, sizeof(*fp));
    snprintf(fp->algorithm, sizeof(fp->algorithm), "%s", hash->name);
    memcpy(fp->bytes, digest, len);
    fp->len = len;
    return 0;
}

bool prism_dtls_fingerprint_equal(const struct prism_dtls_fingerprint *a,
                                  const struct prism_dtls_fingerprint *b)
{
    return a->len == b->len && a->len <= PRISM_DTLS_FINGERPRINT_MAX_LEN &&
           strcasecmp(a->algorithm, b->algorithm) == 0 &&
           CRYPTO_memcmp(a->bytes, b->bytes, a->len) == 0;
}

/* Takes ownership of x509 and key (also on failure). */
static int cert_wrap(struct prism_dtls_cert **out, X509 *x509, EVP_PKEY *key)
{
    struct prism_dtls_cert *cert = calloc(1, sizeof(*cert));
    if (!cert) {
        X509_free(x509);
        EVP_PKEY_free(key);
        return -ENOMEM;
    }
    atomic_init(&cert->refs, 1);
    cert->x509 = x509;
    cert->key = key;
    if (prism_dtls_fingerprint_of_x509(&cert->fingerprint, x509, "sha-256") < 0) {
        prism_dtls_cert_unref(cert);
        return -EIO;
    }
    prism_dtls_fingerprint_format(&cert->fingerprint, cert->fingerprint_text,
                                  sizeof(cert->fingerprint_text));
    *out = cert;
    return 0;
}

/* A random positive serial: RFC 5280 wants it unique and at most 20 octets. */
static int set_random_serial(X509 *x509)
{
    unsigned char raw[8];
    if (RAND_bytes(raw, sizeof(raw)) != 1)
        return -EIO;
    raw[0] &= 0x7f;
    BIGNUM *bn = BN_bin2bn(raw, sizeof(raw), NULL);
    int ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x509)) != NULL;
    BN_free(bn);
    return ok ? 0 : -EIO;
}

static int fill_certificate(X509 *x509, EVP_PKEY *key, const char *common_name)
{
    X509_NAME *name = X509_get_subject_name(x509);
    if (X509_set_version(x509, X509_VERSION_3) != 1 || set_random_serial(x509) < 0 ||
        !X509_gmtime_adj(X509_getm_notBefore(x509), -CERT_BACKDATE_SECONDS) ||
        !X509_gmtime_adj(X509_getm_notAfter(x509), CERT_LIFETIME_SECONDS) ||
        X509_set_pubkey(x509, key) != 1 ||
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)common_name,
                                   -1, -1, 0) != 1 ||
        X509_set_issuer_name(x509, name) != 1 || X509_sign(x509, key, EVP_sha256()) == 0)
        return -EIO;
    return 0;
}

int prism_dtls_cert_generate(struct prism_dtls_cert **out, const char *common_name)
{
    if (!out)
        return -EINVAL;
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x509 = X509_new();
    int rc = -ENOMEM;
    if (!key || !x509)
        goto out;
    rc = fill_certificate(x509, key, common_name ? common_name : "prism");
    if (rc < 0)
        goto out;
    return cert_wrap(out, x509, key);

out:
    ERR_clear_error();
    X509_free(x509);
    EVP_PKEY_free(key);
    return rc;
}

/* Supplies the configured passphrase, and refuses (instead of OpenSSL's
 * default terminal prompt) when there is none. */
static int passphrase_cb(char *buf, int size, int rwflag, void *userdata)
{
    const char *passphrase = userdata;
    if (!passphrase)
        return -1;
    size_t len = strlen(passphrase);
    if (len > (size_t)size)
        return -1;
    memcpy(buf, passphrase, len);
    return (int)len;
}

static int read_pem(const char *path, X509 **x509, EVP_PKEY **key, const char *passphrase)
{
    FILE *file = fopen(path, "r");
    if (!file)
        return -errno;
    if (x509)
        *x509 = PEM_read_X509(file, NULL, NULL, NULL);
    else
        *key = PEM_read_PrivateKey(file, NULL, passphrase_cb, (void *)passphrase);
    fclose(file);
    return (x509 ? *x509 != NULL : *key != NULL) ? 0 : -EBADMSG;
}

int prism_dtls_cert_load(struct prism_dtls_cert **out, const char *cert_path, const char *key_path,
                         const char *passphrase)
{
    if (!out || !cert_path || !key_path)
        return -EINVAL;
    X509 *x509 = NULL;
    EVP_PKEY *key = NULL;
    int rc = read_pem(cert_path, &x509, NULL, NULL);
    if (rc < 0)
        goto out;
    rc = read_pem(key_path, NULL, &key, passphrase);
    if (rc < 0)
        goto out;
    if (X509_check_private_key(x509, key) != 1) {
        rc = -EKEYREJECTED;
        goto out;
    }
    return cert_wrap(out, x509, key);

out:
    /* Parsing failures leave errors on this thread's queue; they are ours. */
    ERR_clear_error();
    X509_free(x509);
    EVP_PKEY_free(key);
    return rc;
}

struct prism_dtls_cert *prism_dtls_cert_ref(struct prism_dtls_cert *cert)
{
    atomic_fetch_add_explicit(&cert->refs, 1, memory_order_relaxed);
    return cert;
}

void prism_dtls_cert_unref(struct prism_dtls_cert *cert)
{
    if (!cert || atomic_fetch_sub_explicit(&cert->refs, 1, memory_order_acq_rel) != 1)
        return;
    X509_free(cert->x509);
    EVP_PKEY_free(cert->key);
    free(cert);
}

const struct prism_dtls_fingerprint *prism_dtls_cert_fingerprint(const struct prism_dtls_cert *cert)
{
    return &cert->fingerprint;
}

const char *prism_dtls_cert_fingerprint_text(const struct prism_dtls_cert *cert)
{
    return cert->fingerprint_text;
}

X509 *prism_dtls_cert_x509(const struct prism_dtls_cert *cert)
{
    return cert->x509;
}

EVP_PKEY *prism_dtls_cert_key(const struct prism_dtls_cert *cert)
{
    return cert->key;
}
