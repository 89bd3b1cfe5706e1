/* Fuzzes the static files' rules: the request target resolver, HTTP dates and
 * If-None-Match lists. The input is split at its first NUL: a target (also tried as a
 * date), then a header value. Checks the resolver's promises on whatever it accepts. */
#include "signaling/http/static_rules.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What an accepted path must never contain: a way out of the root or a hidden name. */
static void check_resolved(const char *path)
{
    if (path[0] == '\0' || path[0] == '/' || strchr(path, '\\') || strchr(path, '%'))
        abort();
    for (const char *segment = path; segment; segment = strchr(segment, '/')) {
        if (*segment == '/')
            segment++;
        if (*segment == '.' || *segment == '/' || *segment == '\0')
            abort();
    }
    for (const char *c = path; *c; c++) {
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 2);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    text[size + 1] = '\0';
    const char *header = text + strlen(text) + 1;

    char path[PRISM_HTTP_STATIC_PATH_MAX + 1];
    if (prism_http_static_resolve(text, path, sizeof(path)) == 0) {
        check_resolved(path);
        (void)prism_http_static_content_type(path);
    }
    char small[16];
    if (prism_http_static_resolve(text, small, sizeof(small)) == 0 && strlen(small) >= 16)
        abort();

    int64_t seconds;
    if (prism_http_date_parse(text, &seconds)) {
        char again[PRISM_HTTP_DATE_SIZE];
        int64_t reparsed;
        prism_http_date_format(seconds, again);
        if (!prism_http_date_parse(again, &reparsed) || reparsed != seconds)
            abort();
    }
    (void)prism_http_static_not_modified(header, text, "\"1-2-3\"", 1000, 2000);
    (void)prism_http_static_not_modified(NULL, header, "\"1-2-3\"", 1000, 2000);
    free(text);
    return 0;
}
