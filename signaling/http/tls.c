/* HTTPS for the HTTP transport: the certificate and key files read into memory for
 * libmicrohttpd, which terminates TLS itself with GnuTLS (Debian builds it so). */
#include "signaling/http/internal.h"

#include "core/log.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

/* Reads a whole PEM file. Returns 0 or -errno, logged with the setting's name. */
static int read_pem(const char *setting, const char *path, char **out)
{
    GError *error = NULL;
    gchar *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, &error)) {
        prism_error("http", "%s: %s", setting, error->message); /* names the file */
        int rc = error->domain == G_FILE_ERROR && error->code == G_FILE_ERROR_NOENT ? -ENOENT
                                                                                    : -EIO;
        g_error_free(error);
        return rc;
    }
    *out = text;
    return 0;
}

int http_tls_load(struct prism_http *http, const struct prism_http_config *config)
{
    bool has_cert = config->cert_pem && config->cert_pem[0];
    bool has_key = config->cert_key && config->cert_key[0];
    if (!has_cert && !has_key)
        return 0;
    if (!has_cert || !has_key) {
        prism_error("http", "HTTPS needs both cert_pem and cert_key");
        return -EINVAL;
    }
    if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
        prism_error("http", "this libmicrohttpd is built without TLS: HTTPS is not available");
        return -ENOTSUP;
    }
    bool has_password = config->cert_pwd && config->cert_pwd[0];
    if (has_password && MHD_is_feature_supported(MHD_FEATURE_HTTPS_KEY_PASSWORD) != MHD_YES) {
        prism_error("http", "this libmicrohttpd cannot read encrypted keys (cert_pwd)");
        return -ENOTSUP;
    }
    int rc = read_pem("cert_pem", config->cert_pem, &http->tls_cert);
    if (rc == 0)
        rc = read_pem("cert_key", config->cert_key, &http->tls_key);
    if (rc == 0 && has_password)
        http->tls_key_password = g_strdup(config->cert_pwd);
    if (rc < 0)
        http_tls_free(http);
    return rc;
}

/* The key and its passphrase are wiped: they should not linger in freed memory. */
void http_tls_free(struct prism_http *http)
{
    g_free(http->tls_cert);
    if (http->tls_key)
        explicit_bzero(http->tls_key, strlen(http->tls_key));
    g_free(http->tls_key);
    if (http->tls_key_password)
        explicit_bzero(http->tls_key_password, strlen(http->tls_key_password));
    g_free(http->tls_key_password);
    http->tls_cert = http->tls_key = http->tls_key_password = NULL;
}

size_t http_tls_options(const struct prism_http *http, struct MHD_OptionItem *items, size_t room)
{
    if (!http->tls_cert || room < 3)
        return 0;
    size_t count = 0;
    items[count++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, http->tls_cert};
    items[count++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, http->tls_key};
    if (http->tls_key_password)
        items[count++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_KEY_PASSWORD, 0,
                                                 http->tls_key_password};
    return count;
}
