/* WHIP/WHEP request rules (sans-IO). */
#include "signaling/whip/rules.h"

#include "core/ids.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

static bool parse_id(const char *text, size_t length, uint64_t *id)
{
    if (length == 0 || length > 16)
        return false;
    uint64_t value = 0;
    for (size_t i = 0; i < length; i++) {
        if (text[i] < '0' || text[i] > '9')
            return false;
        value = value * 10 + (uint64_t)(text[i] - '0');
    }
    if (value == 0 || value > PRISM_ID_MAX)
        return false;
    *id = value;
    return true;
}

void prism_whip_parse_path(const char *rest, struct prism_whip_path *out)
{
    static const struct {
        const char *prefix;
        enum prism_whip_path_kind kind;
    } kinds[] = {{"/endpoint/", PRISM_WHIP_PATH_ENDPOINT},
                 {"/resource/", PRISM_WHIP_PATH_RESOURCE},
                 {"/mountpoint/", PRISM_WHIP_PATH_MOUNTPOINT}};
    *out = (struct prism_whip_path){.kind = PRISM_WHIP_PATH_INVALID};
    if (!rest)
        return;
    for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++) {
        if (!g_str_has_prefix(rest, kinds[i].prefix))
            continue;
        const char *id = rest + strlen(kinds[i].prefix);
        size_t length = strlen(id);
        if (length > 0 && id[length - 1] == '/')
            length--;
        if (parse_id(id, length, &out->id))
            out->kind = kinds[i].kind;
        return;
    }
}

bool prism_whip_content_type_is(const char *header, const char *type)
{
    if (!header)
        return false;
    while (*header == ' ' || *header == '\t')
        header++;
    size_t length = strlen(type);
    if (g_ascii_strncasecmp(header, type, length) != 0)
        return false;
    const char *after = header + length;
    while (*after == ' ' || *after == '\t')
        after++;
    return *after == '\0' || *after == ';';
}

const char *prism_whip_bearer(const char *header, size_t *length)
{
    if (!header)
        return NULL;
    while (*header == ' ')
        header++;
    if (g_ascii_strncasecmp(header, "Bearer ", 7) != 0)
        return NULL;
    const char *token = header + 7;
    while (*token == ' ')
        token++;
    size_t size = strlen(token);
    while (size > 0 && (token[size - 1] == ' ' || token[size - 1] == '\t'))
        size--;
    if (size == 0)
        return NULL;
    *length = size;
    return token;
}

/* True when some line of [sdp, sdp+length) starts with `prefix`. */
static bool has_line(const char *sdp, size_t length, const char *prefix, const char *const *any_of)
{
    size_t prefix_length = strlen(prefix);
    const char *end = sdp + length;
    for (const char *line = sdp; line < end;) {
        const char *newline = memchr(line, '\n', (size_t)(end - line));
        const char *stop = newline ? newline : end;
        size_t line_length = (size_t)(stop - line);
        if (line_length >= prefix_length && memcmp(line, prefix, prefix_length) == 0) {
            if (!any_of)
                return true;
            for (const char *const *word = any_of; *word; word++) {
                size_t word_length = strlen(*word);
                if (line_length >= prefix_length + word_length &&
                    memcmp(line + prefix_length, *word, word_length) == 0)
                    return true;
            }
        }
        line = newline ? newline + 1 : end;
    }
    return false;
}

bool prism_whip_check_offer(const char *sdp, size_t length, char *reason, size_t reason_size)
{
    static const char *const media_kinds[] = {"audio ", "video ", NULL};
    const char *why = NULL;
    if (!sdp || length < 2 || memcmp(sdp, "v=", 2) != 0)
        why = "The body is not an SDP offer (it must start with v=)";
    else if (memchr(sdp, '\0', length))
        why = "The SDP offer contains a NUL byte";
    else if (!has_line(sdp, length, "m=", media_kinds))
        why = "The SDP offer has no audio or video m-line";
    else if (!has_line(sdp, length, "a=group:BUNDLE", NULL))
        why = "The SDP offer has no BUNDLE group (a=group:BUNDLE): Prism needs BUNDLE";
    if (why)
        snprintf(reason, reason_size, "%s", why);
    return why == NULL;
}

unsigned prism_whip_status_for_error(int code)
{
    switch (code) {
    case 426: /* videoroom: no such room */
        return 404;
    case 433: /* videoroom: unauthorized (pin) */
        return 401;
    case 428: /* videoroom: no such feed */
        return 404;
    case 432: /* videoroom: publishers full */
        return 503;
    case 437: /* videoroom: invalid SDP */
    case 465: /* core: invalid SDP */
    case 466: /* core: SDP not acceptable */
    case 431: /* videoroom: invalid SDP type */
        return 400;
    default:
        return 500;
    }
}

unsigned prism_whep_mountpoint_status_for_error(int code)
{
    switch (code) {
    case 455: /* streaming: no such mountpoint (or not enabled) */
        return 404;
    case 457: /* streaming: unauthorized (pin) */
        return 401;
    case 453: /* streaming: missing element */
    case 454: /* streaming: invalid element (no usable m-line in the offer) */
    case 460: /* streaming: invalid state */
        return 400;
    case 470: /* streaming: the watch was refused (the mountpoint has max_viewers already) */
        return 503;
    default:
        return 500;
    }
}

unsigned prism_whip_status_for_api_error(int code)
{
    switch (code) {
    case 403: /* unauthorized: wrong or missing API secret or token */
    case 405: /* the token may not attach to this plugin */
        return 401;
    case 472: /* not accepting new sessions (draining, or the session limit) */
        return 503;
    case 464: /* unknown jsep type */
    case 465: /* invalid SDP */
    case 466: /* SDP not acceptable */
        return 400;
    default:
        return 500;
    }
}
