/* Static files: from a request target to a path below the root, content types, and the
 * containment check of the opened file (sans-IO, see static_rules.h). */
#include "signaling/http/static_rules.h"

#include <glib.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

/* Checks the segment path[start, end): not empty, not hidden (which also rules out "." and
 * ".."), and short enough for any file system. */
static int check_segment(const char *path, size_t start, size_t end)
{
    if (end == start || path[start] == '.')
        return -EINVAL;
    return end - start > PRISM_HTTP_STATIC_SEGMENT_MAX ? -ENAMETOOLONG : 0;
}

/* Reads one byte of the target at *cursor, decoding a percent-escape; advances the cursor.
 * Returns the byte, or -1 when the escape is malformed or the byte is never allowed. */
static int next_byte(const char **cursor)
{
    const char *p = *cursor;
    int c = (unsigned char)p[0];
    if (c == '%') {
        /* p[1] is checked before p[2] is read, so a truncated escape stops at the NUL. */
        int high = g_ascii_xdigit_value(p[1]);
        int low = high < 0 ? -1 : g_ascii_xdigit_value(p[2]);
        if (low < 0)
            return -1;
        c = high * 16 + low;
        /* A '%' that survives decoding is double encoding ("%252e"): nothing here is
         * named with a '%', and decoding twice is how traversal filters are bypassed. */
        if (c == '%')
            return -1;
        *cursor = p + 3;
    } else {
        /* A raw '#' cannot be in a request target (fragments are never sent). */
        if (c == '#')
            return -1;
        *cursor = p + 1;
    }
    if (c < 0x20 || c == 0x7f || c == '\\')
        return -1;
    return c;
}

int prism_http_static_resolve(const char *target, char *out, size_t out_size)
{
    static const char index_name[] = "index.html";
    if (!target || target[0] != '/' || !out)
        return -EINVAL;
    char path[PRISM_HTTP_STATIC_PATH_MAX + 1];
    size_t length = 0, segment = 0;
    const char *cursor = target + 1;
    while (*cursor != '\0' && *cursor != '?') {
        int c = next_byte(&cursor);
        if (c < 0)
            return -EINVAL;
        if (c == '/') {
            /* An encoded slash separates segments too: no file name holds one. */
            int rc = check_segment(path, segment, length);
            if (rc < 0)
                return rc;
            segment = length + 1;
        }
        if (length + 1 > PRISM_HTTP_STATIC_PATH_MAX)
            return -ENAMETOOLONG;
        path[length++] = (char)c;
    }
    if (length == segment) {
        /* "/" or "/folder/": the folder's index page, never a listing. */
        if (length + sizeof(index_name) > sizeof(path))
            return -ENAMETOOLONG;
        memcpy(path + length, index_name, sizeof(index_name) - 1);
        length += sizeof(index_name) - 1;
    } else {
        int rc = check_segment(path, segment, length);
        if (rc < 0)
            return rc;
    }
    if (length + 1 > out_size)
        return -ENAMETOOLONG;
    memcpy(out, path, length);
    out[length] = '\0';
    return 0;
}

struct content_type {
    const char *extension;
    const char *type;
};

/* JavaScript is text/javascript (RFC 9239); browsers refuse module scripts served as
 * anything but a JavaScript type, and compile WebAssembly streaming only as
 * application/wasm. */
static const struct content_type content_types[] = {
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"json", "application/json"},
    {"map", "application/json"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"ico", "image/vnd.microsoft.icon"},
    {"wasm", "application/wasm"},
    {"txt", "text/plain; charset=utf-8"},
};

const char *prism_http_static_content_type(const char *path)
{
    const char *slash = path ? strrchr(path, '/') : NULL;
    const char *name = slash ? slash + 1 : path;
    const char *dot = name ? strrchr(name, '.') : NULL;
    if (dot && dot != name) {
        for (size_t i = 0; i < sizeof(content_types) / sizeof(content_types[0]); i++) {
            if (strcasecmp(dot + 1, content_types[i].extension) == 0)
                return content_types[i].type;
        }
    }
    return "application/octet-stream";
}

bool prism_http_static_path_within(const char *root, const char *path)
{
    if (!root || !path || root[0] != '/' || path[0] != '/')
        return false;
    size_t length = strlen(root);
    if (length == 1) /* the root is "/" */
        return path[1] != '\0';
    return strncmp(path, root, length) == 0 && path[length] == '/' && path[length + 1] != '\0';
}
