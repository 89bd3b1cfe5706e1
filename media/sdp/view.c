/* Bounded views over SDP text: every read is checked against the view's length. */
#include "media/sdp/internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

struct sdp_view sdp_view_of(const char *text)
{
    struct sdp_view v = {text, text ? strlen(text) : 0};
    return v;
}

bool sdp_view_eq(struct sdp_view v, const char *literal)
{
    size_t n = strlen(literal);
    return v.len == n && memcmp(v.ptr, literal, n) == 0;
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

bool sdp_view_ieq(struct sdp_view v, const char *literal)
{
    size_t n = strlen(literal);
    if (v.len != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (lower(v.ptr[i]) != lower(literal[i]))
            return false;
    }
    return true;
}

bool sdp_view_has_prefix(struct sdp_view v, const char *prefix)
{
    size_t n = strlen(prefix);
    return v.len >= n && memcmp(v.ptr, prefix, n) == 0;
}

struct sdp_view sdp_view_trim(struct sdp_view v)
{
    while (v.len > 0 && (v.ptr[0] == ' ' || v.ptr[0] == '\t')) {
        v.ptr++;
        v.len--;
    }
    while (v.len > 0 && (v.ptr[v.len - 1] == ' ' || v.ptr[v.len - 1] == '\t'))
        v.len--;
    return v;
}

bool sdp_view_split(struct sdp_view *v, char sep, struct sdp_view *head)
{
    if (v->len == 0)
        return false;
    const char *hit = memchr(v->ptr, sep, v->len);
    if (!hit) {
        *head = *v;
        v->ptr += v->len;
        v->len = 0;
        return true;
    }
    head->ptr = v->ptr;
    head->len = (size_t)(hit - v->ptr);
    v->len -= head->len + 1;
    v->ptr = hit + 1;
    return true;
}

bool sdp_view_token(struct sdp_view *v, struct sdp_view *token)
{
    while (v->len > 0 && v->ptr[0] == ' ') {
        v->ptr++;
        v->len--;
    }
    if (v->len == 0)
        return false;
    size_t n = 0;
    while (n < v->len && v->ptr[n] != ' ')
        n++;
    token->ptr = v->ptr;
    token->len = n;
    v->ptr += n;
    v->len -= n;
    return true;
}

bool sdp_view_u64(struct sdp_view v, uint64_t max, uint64_t *out)
{
    if (v.len == 0 || v.len > 20)
        return false;
    uint64_t value = 0;
    for (size_t i = 0; i < v.len; i++) {
        char c = v.ptr[i];
        if (c < '0' || c > '9')
            return false;
        uint64_t digit = (uint64_t)(c - '0');
        if (value > (max - digit) / 10)
            return false;
        value = value * 10 + digit;
    }
    *out = value;
    return true;
}

bool sdp_view_u32(struct sdp_view v, uint32_t max, uint32_t *out)
{
    uint64_t value;
    if (!sdp_view_u64(v, max, &value))
        return false;
    *out = (uint32_t)value;
    return true;
}

int sdp_view_copy(struct sdp_view v, char *dst, size_t cap)
{
    if (v.len >= cap)
        return -E2BIG;
    if (v.len > 0)
        memcpy(dst, v.ptr, v.len);
    dst[v.len] = '\0';
    return 0;
}

bool sdp_is_token_char(char c)
{
    unsigned char u = (unsigned char)c;
    if (u == 0x21 || (u >= 0x23 && u <= 0x27) || u == 0x2a || u == 0x2b || u == 0x2d || u == 0x2e)
        return true;
    return (u >= 0x30 && u <= 0x39) || (u >= 0x41 && u <= 0x5a) || (u >= 0x5e && u <= 0x7e);
}

bool sdp_view_is_token(struct sdp_view v)
{
    if (v.len == 0)
        return false;
    for (size_t i = 0; i < v.len; i++) {
        if (!sdp_is_token_char(v.ptr[i]))
            return false;
    }
    return true;
}

bool sdp_view_is_visible(struct sdp_view v)
{
    if (v.len == 0)
        return false;
    for (size_t i = 0; i < v.len; i++) {
        if (v.ptr[i] < 0x21 || v.ptr[i] > 0x7e)
            return false;
    }
    return true;
}

bool sdp_view_is_ice_chars(struct sdp_view v)
{
    if (v.len == 0)
        return false;
    for (size_t i = 0; i < v.len; i++) {
        char c = v.ptr[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '+' || c == '/';
        if (!ok)
            return false;
    }
    return true;
}

int sdp_fail(struct prism_sdp_error *err, unsigned line, enum prism_sdp_error_code code, int errnum,
             const char *fmt, ...)
{
    if (err) {
        err->code = code;
        err->line = line;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof(err->message), fmt, ap);
        va_end(ap);
    }
    return -errnum;
}

int sdp_copy_string(const char *src, char *dst, size_t cap)
{
    if (!src)
        return -EINVAL;
    return sdp_view_copy(sdp_view_of(src), dst, cap);
}
