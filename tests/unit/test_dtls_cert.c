/* DTLS certificate and fingerprints: generation, PEM loading (plain and
 * passphrase-protected), and fingerprints that match the openssl command. */
#include "media/dtls/cert.h"

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define FIXTURE_DIR PRISM_TEST_DATA_DIR "/dtls"

/* Printed by `openssl x509 -noout -fingerprint -sha256` (and -sha1) for
 * tests/data/dtls/fixture-cert.pem. */
#define FIXTURE_SHA256                                                         \
    "72:FC:D6:9A:C4:7B:E0:D4:D8:47:1F:70:D2:EF:7A:17:A6:37:A3:29:15:BA:C3:B8:" \
    "46:60:02:4A:61:85:C0:F8"
#define FIXTURE_SHA1 "CB:B3:85:72:C4:33:53:42:CE:24:EC:C7:BF:E0:DD:E3:0D:7D:05:A7"

static void test_cert_generate_makes_p256_self_signed_certificate(void)
{
    struct prism_dtls_cert *cert, *other;
    g_assert_cmpint(prism_dtls_cert_generate(&cert, NULL), ==, 0);
    g_assert_cmpint(prism_dtls_cert_generate(&other, "other"), ==, 0);
    X509 *x509 = prism_dtls_cert_x509(cert);
    EVP_PKEY *key = prism_dtls_cert_key(cert);

    char group[32];
    size_t group_len = 0;
    g_assert_cmpint(EVP_PKEY_get_base_id(key), ==, EVP_PKEY_EC);
    g_assert_cmpint(EVP_PKEY_get_group_name(key, group, sizeof(group), &group_len), ==, 1);
    g_assert_cmpstr(group, ==, "prime256v1");
    g_assert_cmpint(X509_verify(x509, key), ==, 1);
    g_assert_cmpint(X509_check_issued(x509, x509), ==, X509_V_OK);
    g_assert_cmpint(X509_get_signature_nid(x509), ==, NID_ecdsa_with_SHA256);

    /* Valid from about a day ago for about 30 days. */
    time_t now = time(NULL);
    time_t day_ago = now - 23 * 3600, two_days_ago = now - 49 * 3600;
    time_t in_29_days = now + 29L * 86400, in_31_days = now + 31L * 86400;
    g_assert_cmpint(X509_cmp_time(X509_get0_notBefore(x509), &day_ago), <, 0);
    g_assert_cmpint(X509_cmp_time(X509_get0_notBefore(x509), &two_days_ago), >, 0);
    g_assert_cmpint(X509_cmp_time(X509_get0_notAfter(x509), &in_29_days), >, 0);
    g_assert_cmpint(X509_cmp_time(X509_get0_notAfter(x509), &in_31_days), <, 0);

    /* Random serials: two certificates differ. */
    g_assert_cmpint(ASN1_INTEGER_cmp(X509_get0_serialNumber(x509),
                                     X509_get0_serialNumber(prism_dtls_cert_x509(other))),
                    !=, 0);

    const char *text = prism_dtls_cert_fingerprint_text(cert);
    g_assert_cmpuint(strlen(text), ==, 95);
    for (size_t i = 0; i < 95; i++) {
        if (i % 3 == 2)
            g_assert_cmpint(text[i], ==, ':');
        else
            g_assert_true(g_ascii_isdigit(text[i]) || (text[i] >= 'A' && text[i] <= 'F'));
    }
    g_assert_cmpstr(prism_dtls_cert_fingerprint(cert)->algorithm, ==, "sha-256");
    g_assert_cmpstr(text, !=, prism_dtls_cert_fingerprint_text(other));

    /* References keep it alive. */
    g_assert_true(prism_dtls_cert_ref(cert) == cert);
    prism_dtls_cert_unref(cert);
    g_assert_cmpstr(prism_dtls_cert_fingerprint_text(cert), ==, text);
    prism_dtls_cert_unref(cert);
    prism_dtls_cert_unref(other);
    prism_dtls_cert_unref(NULL);
}

static void test_cert_fingerprint_matches_openssl_command(void)
{
    struct prism_dtls_cert *cert;
    g_assert_cmpint(prism_dtls_cert_load(&cert, FIXTURE_DIR "/fixture-cert.pem",
                                         FIXTURE_DIR "/fixture-key.pem", NULL),
                    ==, 0);
    g_assert_cmpstr(prism_dtls_cert_fingerprint_text(cert), ==, FIXTURE_SHA256);

    struct prism_dtls_fingerprint sha1;
    char text[PRISM_DTLS_FINGERPRINT_TEXT_SIZE];
    g_assert_cmpint(prism_dtls_fingerprint_of_x509(&sha1, prism_dtls_cert_x509(cert), "sha-1"), ==,
                    0);
    g_assert_cmpint(prism_dtls_fingerprint_format(&sha1, text, sizeof(text)), ==, 59);
    g_assert_cmpstr(text, ==, FIXTURE_SHA1);
    prism_dtls_cert_unref(cert);
}

static void write_pem(const char *path, X509 *x509, EVP_PKEY *key, const char *passphrase)
{
    FILE *file = fopen(path, "w");
    g_assert_nonnull(file);
    if (x509)
        g_assert_cmpint(PEM_write_X509(file, x509), ==, 1);
    if (key) {
        const EVP_CIPHER *cipher = passphrase ? EVP_aes_256_cbc() : NULL;
        g_assert_cmpint(PEM_write_PrivateKey(file, key, cipher, (unsigned char *)passphrase,
                                             passphrase ? (int)strlen(passphrase) : 0, NULL, NULL),
                        ==, 1);
    }
    fclose(file);
}

static void test_cert_loads_pem_files_written_to_a_temp_dir(void)
{
    struct prism_dtls_cert *made, *other, *loaded = NULL;
    g_assert_cmpint(prism_dtls_cert_generate(&made, NULL), ==, 0);
    g_assert_cmpint(prism_dtls_cert_generate(&other, NULL), ==, 0);
    char *dir = g_dir_make_tmp("prism-dtls-XXXXXX", NULL);
    g_assert_nonnull(dir);
    char *cert_path = g_build_filename(dir, "cert.pem", NULL);
    char *key_path = g_build_filename(dir, "key.pem", NULL);
    char *locked_path = g_build_filename(dir, "locked.pem", NULL);
    char *other_path = g_build_filename(dir, "other.pem", NULL);
    char *junk_path = g_build_filename(dir, "junk.pem", NULL);
    write_pem(cert_path, prism_dtls_cert_x509(made), NULL, NULL);
    write_pem(key_path, NULL, prism_dtls_cert_key(made), NULL);
    write_pem(locked_path, NULL, prism_dtls_cert_key(made), "s3cret");
    write_pem(other_path, NULL, prism_dtls_cert_key(other), NULL);
    g_assert_true(g_file_set_contents(junk_path, "-----BEGIN CERTIFICATE-----\nAAAA\n", -1, NULL));

    g_assert_cmpint(prism_dtls_cert_load(&loaded, cert_path, key_path, NULL), ==, 0);
    g_assert_cmpstr(prism_dtls_cert_fingerprint_text(loaded), ==,
                    prism_dtls_cert_fingerprint_text(made));
    prism_dtls_cert_unref(loaded);
    g_assert_cmpint(prism_dtls_cert_load(&loaded, cert_path, locked_path, "s3cret"), ==, 0);
    g_assert_cmpstr(prism_dtls_cert_fingerprint_text(loaded), ==,
                    prism_dtls_cert_fingerprint_text(made));
    prism_dtls_cert_unref(loaded);

    loaded = NULL;
    g_assert_cmpint(prism_dtls_cert_load(&loaded, cert_path, locked_path, "wrong"), ==, -EBADMSG);
    /* No passphrase for an encrypted key: refused, never a terminal prompt. */
    g_assert_cmpint(prism_dtls_cert_load(&loaded, cert_path, locked_path, NULL), ==, -EBADMSG);
    g_assert_cmpint(prism_dtls_cert_load(&loaded, cert_path, other_path, NULL), ==, -EKEYREJECTED);
    g_assert_cmpint(prism_dtls_cert_load(&loaded, junk_path, key_path, NULL), ==, -EBADMSG);
    g_assert_cmpint(prism_dtls_cert_load(&loaded, key_path, key_path, NULL), ==, -EBADMSG);
    g_assert_cmpint(prism_dtls_cert_load(&loaded, cert_path, junk_path, NULL), ==, -EBADMSG);
    g_assert_cmpint(prism_dtls_cert_load(&loaded, FIXTURE_DIR "/missing.pem", key_path, NULL), ==,
                    -ENOENT);
    g_assert_null(loaded);

    const char *paths[] = {cert_path, key_path, locked_path, other_path, junk_path};
    for (size_t i = 0; i < G_N_ELEMENTS(paths); i++)
        g_assert_cmpint(g_remove(paths[i]), ==, 0);
    g_assert_cmpint(g_rmdir(dir), ==, 0);
    g_free(cert_path);
    g_free(key_path);
    g_free(locked_path);
    g_free(other_path);
    g_free(junk_path);
    g_free(dir);
    prism_dtls_cert_unref(made);
    prism_dtls_cert_unref(other);
}

static void test_fingerprint_parses_sdp_text_and_formats_uppercase(void)
{
    struct prism_dtls_fingerprint fp;
    char text[PRISM_DTLS_FINGERPRINT_TEXT_SIZE];
    const char *lower = "72:fc:d6:9a:c4:7b:e0:d4:d8:47:1f:70:d2:ef:7a:17:a6:37:a3:29:15:ba:c3:b8:"
                        "46:60:02:4a:61:85:c0:f8";
    g_assert_cmpint(prism_dtls_fingerprint_parse(&fp, "SHA-256", lower), ==, 0);
    g_assert_cmpstr(fp.algorithm, ==, "sha-256");
    g_assert_cmpuint(fp.len, ==, 32);
    g_assert_cmpint(fp.bytes[0], ==, 0x72);
    g_assert_cmpint(fp.bytes[31], ==, 0xf8);
    g_assert_cmpint(prism_dtls_fingerprint_format(&fp, text, sizeof(text)), ==, 95);
    g_assert_cmpstr(text, ==, FIXTURE_SHA256);
    g_assert_cmpint(prism_dtls_fingerprint_format(&fp, text, 95), ==, -ENOSPC);

    struct prism_dtls_fingerprint same;
    g_assert_cmpint(prism_dtls_fingerprint_parse(&same, "sha-256", FIXTURE_SHA256), ==, 0);
    g_assert_true(prism_dtls_fingerprint_equal(&fp, &same));
    same.bytes[31] ^= 1;
    g_assert_false(prism_dtls_fingerprint_equal(&fp, &same));
    g_assert_cmpint(prism_dtls_fingerprint_parse(&same, "sha-1", FIXTURE_SHA1), ==, 0);
    g_assert_false(prism_dtls_fingerprint_equal(&fp, &same));
}

static void test_fingerprint_rejects_malformed_text(void)
{
    struct prism_dtls_fingerprint fp = {.len = 7};
    /* Too short, too long, wrong separator, not hex, right length for the
     * wrong algorithm, trailing colon. */
    g_assert_cmpint(prism_dtls_fingerprint_parse(&fp, "sha-256", "72:FC"), ==, -EINVAL);
    g_assert_cmpint(prism_dtls_fingerprint_parse(&fp, "sha-256", FIXTURE_SHA256 ":00"), ==,
                    -EINVAL);
    char bent[] = FIXTURE_SHA256;
    bent[2] = '-';
    g_assert_cmpint(prism_dtls_fingerprint_parse(&fp, "sha-256", bent), ==, -EINVAL);
    bent[2] = ':';
    bent[4] = 'G';
    g_assert_cmpint(prism_dtls_fingerprint_parse(&fp, "sha-256", bent), ==, -EINVAL);
    g_assert_cmpint(prism_dtls_fingerprint_parse(&fp, "sha-384", FIXTURE_SHA256), ==, -EINVAL);
    g_assert_cmpint(prism_dtls_fingerprint_parse(&fp, "sha-1", FIXTURE_SHA1 ":"), ==, -EINVAL);
    g_assert_cmpint(prism_dtls_fingerprint_parse(&fp, "sha-256", NULL), ==, -EINVAL);
    g_assert_cmpint(prism_dtls_fingerprint_parse(&fp, "md5", "00"), ==, -ENOTSUP);
    g_assert_cmpint(prism_dtls_fingerprint_parse(&fp, "sha-224", FIXTURE_SHA1), ==, -ENOTSUP);
    g_assert_cmpint(prism_dtls_fingerprint_parse(&fp, NULL, FIXTURE_SHA1), ==, -ENOTSUP);
    g_assert_cmpuint(fp.len, ==, 7); /* untouched on failure */

    struct prism_dtls_cert *cert;
    g_assert_cmpint(prism_dtls_cert_generate(&cert, NULL), ==, 0);
    g_assert_cmpint(prism_dtls_fingerprint_of_x509(&fp, prism_dtls_cert_x509(cert), "md5"), ==,
                    -ENOTSUP);
    g_assert_cmpint(prism_dtls_fingerprint_of_x509(&fp, prism_dtls_cert_x509(cert), "sha-384"), ==,
                    0);
    g_assert_cmpuint(fp.len, ==, 48);
    prism_dtls_cert_unref(cert);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/dtls/cert/generate-makes-p256-self-signed-certificate",
                    test_cert_generate_makes_p256_self_signed_certificate);
    g_test_add_func("/dtls/cert/fingerprint-matches-openssl-command",
                    test_cert_fingerprint_matches_openssl_command);
    g_test_add_func("/dtls/cert/loads-pem-files-written-to-a-temp-dir",
                    test_cert_loads_pem_files_written_to_a_temp_dir);
    g_test_add_func("/dtls/fingerprint/parses-sdp-text-and-formats-uppercase",
                    test_fingerprint_parses_sdp_text_and_formats_uppercase);
    g_test_add_func("/dtls/fingerprint/rejects-malformed-text",
                    test_fingerprint_rejects_malformed_text);
    return g_test_run();
}
