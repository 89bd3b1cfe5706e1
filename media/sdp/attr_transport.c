/* Transport-level attributes shared by both levels: a=fingerprint, a=setup and the direction
 * attribute names. */
#include "media/sdp/internal.h"

#include <glib.h>
#include <errno.h>
#include <string.h>

static const struct {
    const char *name;
    size_t length;
} hash_lengths[] = {
    {"sha-1", 20},   {"sha-224", 28}, {"sha-256", 32}, {"sha-384", 48},
    {"sha-512", 64}, {"md5", 16},     {"md2", 16},
};

size_t sdp_fingerprint_hash_length(const char *algorithm)
{
    for (size_t i = 0; i < sizeof(hash_lengths) / sizeof(hash_lengths[0]); i++) {
        if (strcmp(algorithm, hash_lengths[i].name) == 0)
            return hash_lengths[i].length;
    }
    return 0;
}

/* "AB:CD:..." into bytes; every byte exactly two hex digits. */
static int parse_hex_bytes(struct sdp_view v, struct prism_sdp_fingerprint *fp)
{
    struct sdp_view byte;
    fp->length = 0;
    if (v.len == 0 || v.ptr[v.len - 1] == ':')
        return -EINVAL;
    while (sdp_view_split(&v, ':', &byte)) {
        if (byte.len != 2)
            return -EINVAL;
        int hi = g_ascii_xdigit_value(byte.ptr[0]), lo = g_ascii_xdigit_value(byte.ptr[1]);
        if (hi < 0 || lo < 0)
            return -EINVAL;
        if (fp->length == PRISM_SDP_FINGERPRINT_MAX_BYTES)
            return -E2BIG;
        fp->bytes[fp->length++] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

int sdp_parse_fingerprint(struct sdp_view value, struct prism_sdp_fingerprint *out)
{
    struct sdp_view algorithm, hex;
    struct prism_sdp_fingerprint fp;
    memset(&fp, 0, sizeof(fp));
    if (!sdp_view_token(&value, &algorithm) || !sdp_view_token(&value, &hex) ||
        sdp_view_trim(value).len != 0 || !sdp_view_is_token(algorithm))
        return -EINVAL;
    if (algorithm.len >= sizeof(fp.algorithm))
        return -EINVAL;
    for (size_t i = 0; i < algorithm.len; i++) {
        char c = algorithm.ptr[i];
        fp.algorithm[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    int rc = parse_hex_bytes(hex, &fp);
    if (rc < 0)
        return rc;
    size_t expected = sdp_fingerprint_hash_length(fp.algorithm);
    if (expected && expected != fp.length)
        return -EINVAL;
    *out = fp;
    return 0;
}

static const char *const setup_names[] = {
    [PRISM_SDP_SETUP_NONE] = "",
    [PRISM_SDP_SETUP_ACTPASS] = "actpass",
    [PRISM_SDP_SETUP_ACTIVE] = "active",
    [PRISM_SDP_SETUP_PASSIVE] = "passive",
    [PRISM_SDP_SETUP_HOLDCONN] = "holdconn",
};

int sdp_parse_setup(struct sdp_view value, enum prism_sdp_setup *out)
{
    for (int i = PRISM_SDP_SETUP_ACTPASS; i <= PRISM_SDP_SETUP_HOLDCONN; i++) {
        if (sdp_view_eq(value, setup_names[i])) {
            *out = (enum prism_sdp_setup)i;
            return 0;
        }
    }
    return -EINVAL;
}

const char *sdp_setup_name(enum prism_sdp_setup setup)
{
    if ((unsigned)setup > PRISM_SDP_SETUP_HOLDCONN)
        return "";
    return setup_names[setup];
}

static const char *const direction_names[] = {
    [PRISM_SDP_SENDRECV] = "sendrecv",
    [PRISM_SDP_SENDONLY] = "sendonly",
    [PRISM_SDP_RECVONLY] = "recvonly",
    [PRISM_SDP_INACTIVE] = "inactive",
};

const char *sdp_direction_name(enum prism_sdp_direction dir)
{
    if ((unsigned)dir > PRISM_SDP_INACTIVE)
        return "inactive";
    return direction_names[dir];
}

bool sdp_direction_from_name(struct sdp_view name, enum prism_sdp_direction *out)
{
    for (int i = PRISM_SDP_SENDRECV; i <= PRISM_SDP_INACTIVE; i++) {
        if (sdp_view_eq(name, direction_names[i])) {
            *out = (enum prism_sdp_direction)i;
            return true;
        }
    }
    return false;
}
