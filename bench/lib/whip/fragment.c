/* Trickle fragments and resource URLs of the bench's WHIP/WHEP clients. */
#include "bench/lib/whip/fragment.h"

#include <glib.h>
#include <string.h>

/* The value of the first "a=<name>:" line at or after `from`, before `until` (NULL: the end),
 * or NULL. A string to g_free. */
static char *attribute(const char *from, const char *until, const char *name)
{
    char *key = g_strdup_printf("a=%s:", name);
    size_t key_length = strlen(key);
    char *value = NULL;
    for (const char *line = from; line && *line && (!until || line < until);) {
        if (strncmp(line, key, key_length) == 0) {
            const char *start = line + key_length;
            value = g_strndup(start, strcspn(start, "\r\n"));
            break;
        }
        line = strchr(line, '\n');
        line = line ? line + 1 : NULL;
    }
    g_free(key);
    return value;
}

/* The first line starting with "m=", or NULL. */
static const char *first_media_line(const char *sdp)
{
    if (strncmp(sdp, "m=", 2) == 0)
        return sdp;
    const char *line = strstr(sdp, "\nm=");
    return line ? line + 1 : NULL;
}

char *bench_whip_trickle_fragment(const char *offer_sdp, const char *const *candidates,
                                  size_t count, bool end)
{
    if (!offer_sdp)
        return NULL;
    const char *media = first_media_line(offer_sdp);
    if (!media)
        return NULL;
    const char *next_media = strstr(media, "\nm=");
    char *ufrag = attribute(offer_sdp, NULL, "ice-ufrag");
    char *pwd = attribute(offer_sdp, NULL, "ice-pwd");
    char *mid = attribute(media, next_media, "mid");
    GString *out = NULL;
    if (!ufrag || !pwd || !mid || !ufrag[0] || !pwd[0] || !mid[0])
        goto out;
    out = g_string_new(NULL);
    g_string_append_printf(out, "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\n", ufrag, pwd);
    g_string_append_len(out, media, (gssize)strcspn(media, "\r\n"));
    g_string_append_printf(out, "\r\na=mid:%s\r\n", mid);
    for (size_t i = 0; i < count; i++) {
        const char *candidate = candidates[i];
        if (!candidate || strpbrk(candidate, "\r\n")) {
            g_string_free(out, TRUE);
            out = NULL;
            goto out;
        }
        g_string_append_printf(
            out, "a=%s%s\r\n",
            g_str_has_prefix(candidate, "candidate:") ? "" : "candidate:", candidate);
    }
    if (end)
        g_string_append(out, "a=end-of-candidates\r\n");
out:
    g_free(ufrag);
    g_free(pwd);
    g_free(mid);
    return out ? g_string_free(out, FALSE) : NULL;
}

char *bench_whip_resource_url(const char *endpoint_url, const char *location)
{
    if (!endpoint_url || !location || !location[0] || strpbrk(location, "\r\n"))
        return NULL;
    if (g_str_has_prefix(location, "http://") || g_str_has_prefix(location, "https://"))
        return g_strdup(location);
    const char *scheme_end = strstr(endpoint_url, "://");
    if (!scheme_end || scheme_end == endpoint_url)
        return NULL;
    const char *authority = scheme_end + 3;
    size_t authority_length = strcspn(authority, "/?#");
    if (authority_length == 0)
        return NULL;
    if (location[0] == '/')
        return g_strdup_printf("%.*s%s", (int)(authority + authority_length - endpoint_url),
                               endpoint_url, location);
    /* Relative: against the endpoint URL's folder (its path up to the last '/'). */
    const char *path = authority + authority_length;
    size_t path_length = strcspn(path, "?#");
    const char *slash = g_strrstr_len(path, (gssize)path_length, "/");
    size_t keep = slash ? (size_t)(slash + 1 - endpoint_url)
                        : (size_t)(authority + authority_length - endpoint_url);
    return g_strdup_printf("%.*s%s%s", (int)keep, endpoint_url, slash ? "" : "/", location);
}
