/* The libsrtp2 description Prism logs at start and the bench prints: it names the version the
 * library itself reports and its crypto engine, fits any buffer, and flags exactly the builds
 * whose protect cost grows with the number of sessions (anything but OpenSSL). */
#include "media/srtp/library.h"

#include <glib.h>
#include <string.h>

#include <srtp2/srtp.h>

static void test_srtp_library_names_version_and_crypto(void)
{
    char text[160];
    prism_srtp_library_describe(text, sizeof(text));
    /* "libsrtp2 2.5.0 (OpenSSL, built from Debian's source package 2.5.0-3)" */
    g_assert_true(g_str_has_prefix(text, srtp_get_version_string()));
    const char *details = text + strlen(srtp_get_version_string());
    g_assert_true(g_str_has_prefix(details, " ("));
    g_assert_true(g_str_has_suffix(details, ")"));
    g_assert_nonnull(strchr(details, ','));
}

static void test_srtp_library_scales_only_with_openssl(void)
{
    char text[160];
    prism_srtp_library_describe(text, sizeof(text));
    bool openssl = strstr(text, " (OpenSSL, ") != NULL;
    g_assert_cmpint(prism_srtp_library_scales(), ==, openssl);
}

static void test_srtp_library_description_fits_small_buffers(void)
{
    char text[8];
    memset(text, 'x', sizeof(text));
    prism_srtp_library_describe(text, sizeof(text));
    g_assert_cmpstr(text, ==, "libsrtp");
    char untouched = 'x';
    prism_srtp_library_describe(&untouched, 0);
    g_assert_cmpint(untouched, ==, 'x');
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/srtp/library/names-version-and-crypto",
                    test_srtp_library_names_version_and_crypto);
    g_test_add_func("/srtp/library/scales-only-with-openssl",
                    test_srtp_library_scales_only_with_openssl);
    g_test_add_func("/srtp/library/description-fits-small-buffers",
                    test_srtp_library_description_fits_small_buffers);
    return g_test_run();
}
