/* Parser and builders of "application/trickle-ice-sdpfrag" bodies (RFC 8840), sans-IO. */
#include "signaling/whip/sdpfrag.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>

/* One line of the fragment: [start, end) without its line ending. */
struct line {
    const char *start;
    size_t length;
};

/* Where parsing stands: which m-line, its mid, whether an m-line has been seen. */
struct cursor {
    struct prism_sdpfrag *out;
    bool in_media;
    unsigned mline_index;
    char mid[PRISM_SDPFRAG_MAX_MID + 1];
    char *reason;
    size_t reason_size;
};

static int fail(struct cursor *cursor, const char *why)
{
    snprintf(cursor->reason, cursor->reason_size, "%s", why);
    return -EINVAL;
}

static bool has_prefix(const struct line *line, const char *prefix, const char **value,
                       size_t *value_length)
{
    size_t prefix_length = strlen(prefix);
    if (line->length < prefix_length || memcmp(line->start, prefix, prefix_length) != 0)
        return false;
    *value = line->start + prefix_length;
    *value_length = line->length - prefix_length;
    return true;
}

/* Stores a credential; the same one may come again (once per m-line), a different one not. */
static int set_credential(struct cursor *cursor, char *slot, const char *value, size_t length,
                          const char *name)
{
    if (length == 0 || length > PRISM_SDPFRAG_MAX_CREDENTIAL)
        return fail(cursor, name[4] == 'u' ? "ice-ufrag is empty or too long"
                                           : "ice-pwd is empty or too long");
    if (slot[0] != '\0' && (strlen(slot) != length || memcmp(slot, value, length) != 0))
        return fail(cursor, "different ICE credentials in one fragment");
    memcpy(slot, value, length);
    slot[length] = '\0';
    return 0;
}

static int add_candidate(struct cursor *cursor, const struct line *line)
{
    struct prism_sdpfrag *out = cursor->out;
    size_t length = line->length - 2; /* without "a=" */
    if (length > PRISM_SDPFRAG_MAX_CANDIDATE)
        return fail(cursor, "candidate line too long");
    if (out->candidate_count == PRISM_SDPFRAG_MAX_CANDIDATES)
        return fail(cursor, "too many candidates");
    struct prism_sdpfrag_candidate *candidate = &out->candidates[out->candidate_count++];
    memcpy(candidate->text, line->start + 2, length);
    candidate->text[length] = '\0';
    memcpy(candidate->mid, cursor->mid, sizeof(candidate->mid));
    candidate->mline_index = cursor->mline_index;
    return 0;
}

static int parse_line(struct cursor *cursor, const struct line *line)
{
    const char *value;
    size_t length;
    if (line->length == 0)
        return 0;
    if (line->length < 2 || line->start[1] != '=' || !g_ascii_islower(line->start[0]))
        return fail(cursor, "a line is not of the form x=value");
    if (has_prefix(line, "m=", &value, &length)) {
        if (cursor->in_media)
            cursor->mline_index++;
        cursor->in_media = true;
        cursor->mid[0] = '\0';
        return 0;
    }
    if (has_prefix(line, "a=ice-ufrag:", &value, &length))
        return set_credential(cursor, cursor->out->ufrag, value, length, "ice-ufrag");
    if (has_prefix(line, "a=ice-pwd:", &value, &length))
        return set_credential(cursor, cursor->out->pwd, value, length, "ice-pwd");
    if (has_prefix(line, "a=mid:", &value, &length)) {
        if (length == 0 || length > PRISM_SDPFRAG_MAX_MID)
            return fail(cursor, "mid is empty or too long");
        memcpy(cursor->mid, value, length);
        cursor->mid[length] = '\0';
        return 0;
    }
    if (has_prefix(line, "a=candidate:", &value, &length))
        return add_candidate(cursor, line);
    if (has_prefix(line, "a=end-of-candidates", &value, &length) && length == 0)
        cursor->out->end_of_candidates = true;
    return 0; /* other attributes (ice-options, group) carry nothing for us */
}

int prism_sdpfrag_parse(const char *text, size_t length, struct prism_sdpfrag *out, char *reason,
                        size_t reason_size)
{
    struct prism_sdpfrag *frag = g_new0(struct prism_sdpfrag, 1);
    struct cursor cursor = {.out = frag, .reason = reason, .reason_size = reason_size};
    int rc = 0;
    if (!text && length > 0)
        rc = fail(&cursor, "no body");
    if (!text)
        text = "";
    if (rc == 0 && memchr(text, '\0', length))
        rc = fail(&cursor, "NUL byte in the fragment");
    const char *end = text + length;
    for (const char *p = text; rc == 0 && p < end;) {
        const char *newline = memchr(p, '\n', (size_t)(end - p));
        const char *stop = newline ? newline : end;
        struct line line = {p, (size_t)(stop - p)};
        if (line.length > 0 && line.start[line.length - 1] == '\r')
            line.length--;
        rc = parse_line(&cursor, &line);
        p = newline ? newline + 1 : end;
    }
    if (rc == 0 && (frag->ufrag[0] == '\0') != (frag->pwd[0] == '\0'))
        rc = fail(&cursor, "ice-ufrag and ice-pwd must come together");
    if (rc == 0)
        *out = *frag;
    g_free(frag);
    return rc;
}

bool prism_sdpfrag_is_restart(const struct prism_sdpfrag *frag, const char *current_ufrag)
{
    return frag->ufrag[0] != '\0' && (!current_ufrag || strcmp(frag->ufrag, current_ufrag) != 0);
}

/* The value of the first "a=<name>:" line of `sdp`, or NULL; a string to g_free. */
static char *first_attribute(char **lines, const char *name)
{
    size_t length = strlen(name);
    for (char **line = lines; *line; line++) {
        if (strncmp(*line, name, length) == 0)
            return g_strdup(*line + length);
    }
    return NULL;
}

char *prism_sdpfrag_from_answer(const char *answer_sdp)
{
    if (!answer_sdp)
        return NULL;
    char **lines = g_strsplit(answer_sdp, "\n", -1);
    for (char **line = lines; *line; line++)
        g_strchomp(*line);
    char *ufrag = first_attribute(lines, "a=ice-ufrag:");
    char *pwd = first_attribute(lines, "a=ice-pwd:");
    char *result = NULL;
    if (ufrag && pwd) {
        GString *frag = g_string_new(NULL);
        g_string_append_printf(frag, "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\n", ufrag, pwd);
        for (char **line = lines; *line; line++) {
            if (g_str_has_prefix(*line, "m=") || g_str_has_prefix(*line, "a=mid:") ||
                g_str_has_prefix(*line, "a=candidate:") ||
                strcmp(*line, "a=end-of-candidates") == 0)
                g_string_append_printf(frag, "%s\r\n", *line);
        }
        result = g_string_free(frag, FALSE);
    }
    g_free(ufrag);
    g_free(pwd);
    g_strfreev(lines);
    return result;
}

char *prism_sdpfrag_restart_offer(const char *offer_sdp, const char *ufrag, const char *pwd)
{
    char **lines = g_strsplit(offer_sdp ? offer_sdp : "", "\n", -1);
    GString *offer = g_string_new(NULL);
    for (char **line = lines; *line; line++) {
        g_strchomp(*line);
        if ((*line)[0] == '\0')
            continue;
        if (g_str_has_prefix(*line, "a=ice-ufrag:"))
            g_string_append_printf(offer, "a=ice-ufrag:%s\r\n", ufrag);
        else if (g_str_has_prefix(*line, "a=ice-pwd:"))
            g_string_append_printf(offer, "a=ice-pwd:%s\r\n", pwd);
        else if (!g_str_has_prefix(*line, "a=candidate:") &&
                 strcmp(*line, "a=end-of-candidates") != 0)
            g_string_append_printf(offer, "%s\r\n", *line);
    }
    g_strfreev(lines);
    return g_string_free(offer, FALSE);
}
