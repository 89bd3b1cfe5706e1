/* The DTLS identity of this process (one ECDSA certificate and key, generated
 * at start or loaded from PEM) and certificate fingerprints as SDP carries
 * them (a=fingerprint, RFC 8122). */
#ifndef PRISM_MEDIA_DTLS_CERT_H
#define PRISM_MEDIA_DTLS_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#define PRISM_DTLS_FINGERPRINT_MAX_LEN 64 /* sha-512 */
/* "AB:CD:..." for the longest digest, with its NUL. */
#define PRISM_DTLS_FINGERPRINT_TEXT_SIZE (PRISM_DTLS_FINGERPRINT_MAX_LEN * 3)

/* A certificate fingerprint: hash function name and digest. Plain value,
 * copied freely. */
struct prism_dtls_fingerprint {
    char algorithm[8]; /* lowercase: "sha-1", "sha-256", "sha-384" or "sha-512" */
    uint8_t bytes[PRISM_DTLS_FINGERPRINT_MAX_LEN];
    size_t len;
};

/* Reads an SDP fingerprint: `algorithm` as in a=fingerprint (any case) and
 * `hex` as "AB:CD:..." (any case), whose length must match the algorithm.
 * Returns 0, -ENOTSUP for another hash function, -EINVAL for bad text. */
int prism_dtls_fingerprint_parse(struct prism_dtls_fingerprint *fp, const char *algorithm,
                                 const char *hex);

/* Writes the digest as uppercase "AB:CD:..." (the a=fingerprint form, also
 * what `openssl x509 -fingerprint` prints). Returns the text length, or
 * -ENOSPC if `cap` is too small (PRISM_DTLS_FINGERPRINT_TEXT_SIZE always fits). */
int prism_dtls_fingerprint_format(const struct prism_dtls_fingerprint *fp, char *out, size_t cap);

/* Digests a DER certificate with the named hash (sha-256 mandatory; sha-1,
 * sha-384, sha-512 accepted, any case). Returns 0, -ENOTSUP or -EIO. */
int prism_dtls_fingerprint_of_x509(struct prism_dtls_fingerprint *fp, X509 *cert,
                                   const char *algorithm);

/* True when both name the same algorithm and digest (constant-time compare). */
bool prism_dtls_fingerprint_equal(const struct prism_dtls_fingerprint *a,
                                  const struct prism_dtls_fingerprint *b);

/* Certificate, private key and SHA-256 fingerprint. Immutable once created
 * and refcounted (atomically): any thread may read or ref it; one is shared
 * by every DTLS context and connection of the process. */
struct prism_dtls_cert;

/* Generates an ECDSA P-256 key and a self-signed certificate (random 64-bit
 * serial, SHA-256 signature, valid from one day ago for 30 days, subject CN
 * `common_name` or "prism" if NULL). Returns 0, -ENOMEM or -EIO. */
int prism_dtls_cert_generate(struct prism_dtls_cert **out, const char *common_name);

/* Loads a PEM certificate (the first one of the file) and its PEM private key,
 * decrypting the key with `passphrase` if it is encrypted (NULL: never
 * prompts). Returns 0, a negative errno from opening a file, -EBADMSG if a file
 * does not parse (or the passphrase is wrong), -EKEYREJECTED if the key does
 * not belong to the certificate. */
int prism_dtls_cert_load(struct prism_dtls_cert **out, const char *cert_path, const char *key_path,
                         const char *passphrase);

struct prism_dtls_cert *prism_dtls_cert_ref(struct prism_dtls_cert *cert);
/* Drops a reference; the last one frees the certificate and key. NULL is a no-op. */
void prism_dtls_cert_unref(struct prism_dtls_cert *cert);

/* Our SHA-256 fingerprint, and its text for "a=fingerprint:sha-256 <text>". */
const struct prism_dtls_fingerprint *
prism_dtls_cert_fingerprint(const struct prism_dtls_cert *cert);
const char *prism_dtls_cert_fingerprint_text(const struct prism_dtls_cert *cert);

/* Borrowed OpenSSL objects, valid while a reference is held; do not modify. */
X509 *prism_dtls_cert_x509(const struct prism_dtls_cert *cert);
EVP_PKEY *prism_dtls_cert_key(const struct prism_dtls_cert *cert);

#endif
