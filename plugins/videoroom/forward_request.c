/* Checks rtp_forward and stop_rtp_forward bodies (sans-IO): Janus 1.x's fields, codes and
 * order of checks, plus what Prism adds for safety: hosts must be IP literals (a name would
 * block the room's worker on DNS), ports 1-65535, payload types 0-127, and SRTP asked for
 * with both a suite and a key, never half. */
#include "plugins/videoroom/forwarder.h"

#include "core/params.h"
#include "plugins/videoroom/room_internal.h"
#include "plugins/videoroom/videoroom.h"

#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static const struct prism_param request_params[] = {
    {"secret", PRISM_PARAM_STRING, 0},
    {"host", PRISM_PARAM_STRING, PRISM_PARAM_REQUIRED},
    {"host_family", PRISM_PARAM_STRING, 0},
    {"simulcast", PRISM_PARAM_BOOLEAN, 0},
    {"srtp_suite", PRISM_PARAM_INTEGER, PRISM_PARAM_POSITIVE},
    {"srtp_crypto", PRISM_PARAM_STRING, 0},
    {"streams", PRISM_PARAM_ARRAY, 0},
    {"room", PRISM_PARAM_INTEGER, PRISM_PARAM_REQUIRED | PRISM_PARAM_POSITIVE},
    {"publisher_id", PRISM_PARAM_INTEGER, PRISM_PARAM_REQUIRED | PRISM_PARAM_POSITIVE},
};

static const struct prism_param stream_params[] = {
    {"mid", PRISM_PARAM_STRING, PRISM_PARAM_REQUIRED},
    {"host", PRISM_PARAM_STRING, 0},
    {"host_family", PRISM_PARAM_STRING, 0},
    {"port", PRISM_PARAM_INTEGER, PRISM_PARAM_REQUIRED | PRISM_PARAM_POSITIVE},
    {"rtcp_port", PRISM_PARAM_INTEGER, PRISM_PARAM_POSITIVE},
    {"ssrc", PRISM_PARAM_INTEGER, PRISM_PARAM_POSITIVE},
    {"pt", PRISM_PARAM_INTEGER, PRISM_PARAM_UNSIGNED},
    {"simulcast", PRISM_PARAM_BOOLEAN, 0},
};

static const struct prism_param stop_params[] = {
    {"secret", PRISM_PARAM_STRING, 0},
    {"room", PRISM_PARAM_INTEGER, PRISM_PARAM_REQUIRED | PRISM_PARAM_POSITIVE},
    {"publisher_id", PRISM_PARAM_INTEGER, PRISM_PARAM_REQUIRED | PRISM_PARAM_POSITIVE},
    {"stream_id", PRISM_PARAM_INTEGER, PRISM_PARAM_REQUIRED | PRISM_PARAM_POSITIVE},
};

__attribute__((format(printf, 4, 5))) static int fail(int code, char *reason, size_t size,
                                                      const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(reason, size, format, args);
    va_end(args);
    return code;
}

/* Janus's admin_key check of forwarding requests (lock_rtp_forward). */
static int check_admin_key(json_t *body, const char *admin_key, char *reason, size_t size)
{
    if (!admin_key)
        return 0;
    json_t *given = json_object_get(body, "admin_key");
    if (!given)
        return fail(PRISM_VIDEOROOM_ERROR_MISSING_ELEMENT, reason, size,
                    "Missing mandatory element (%s)", "admin_key");
    if (!json_is_string(given))
        return fail(PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT, reason, size,
                    "Invalid element type (%s should be a string)", "admin_key");
    if (!vr_secret_equal(admin_key, json_string_value(given)))
        return fail(PRISM_VIDEOROOM_ERROR_UNAUTHORIZED, reason, size, "Unauthorized (wrong %s)",
                    "admin_key");
    return 0;
}

/* "ipv4" -> AF_INET, "ipv6" -> AF_INET6, absent -> 0 (any), else 430. */
static int parse_family(json_t *object, int fallback, int *family, char *reason, size_t size)
{
    const char *text = json_string_value(json_object_get(object, "host_family"));
    *family = fallback;
    if (!text)
        return 0;
    if (g_ascii_strcasecmp(text, "ipv4") == 0)
        *family = AF_INET;
    else if (g_ascii_strcasecmp(text, "ipv6") == 0)
        *family = AF_INET6;
    else
        return fail(PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT, reason, size,
                    "Unsupported protocol family (%s)", text);
    return 0;
}

static bool is_unspecified(const struct prism_ip *ip)
{
    size_t len = ip->family == AF_INET ? 4 : 16;
    for (size_t i = 0; i < len; i++) {
        if (ip->bytes[i])
            return false;
    }
    return true;
}

/* An address literal of `family` (0: either). Names are refused rather than resolved: the
 * request runs on the room's worker, which must never wait for DNS. */
static int parse_host(const char *host, int family, struct prism_ip *out, char *reason, size_t size)
{
    struct prism_ip ip;
    if (prism_ip_parse(host, strlen(host), &ip) < 0)
        return fail(PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT, reason, size,
                    "Could not resolve address (%.200s): give an IP address, host names are "
                    "not resolved",
                    host);
    if ((family && ip.family != family) || is_unspecified(&ip))
        return fail(PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT, reason, size,
                    "Could not resolve address (%.200s)", host);
    *out = ip;
    return 0;
}

static int check_range(json_t *object, const char *name, json_int_t max, char *reason, size_t size)
{
    json_t *value = json_object_get(object, name);
    if (value && json_integer_value(value) > max) {
        snprintf(reason, size, "Invalid element (%s should be at most %" JSON_INTEGER_FORMAT ")",
                 name, max);
        return PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT;
    }
    return 0;
}

/* Prism's publishers send one layer per stream: there are no substreams to send apart. */
static int refuse_substreams(json_t *stream, char *reason, size_t size)
{
    static const char *const names[] = {"port_2", "ssrc_2", "pt_2", "port_3", "ssrc_3", "pt_3"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (json_object_get(stream, names[i]))
            return fail(PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT, reason, size,
                        "Invalid element (%s: simulcast substreams are not forwarded apart)",
                        names[i]);
    }
    return 0;
}

static int parse_stream(json_t *stream, const char *global_host, int global_family,
                        struct vr_forward_target *out, char *reason, size_t size)
{
    if (!json_is_object(stream))
        return fail(PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT, reason, size,
                    "Invalid element type (%s should be an array of objects)", "streams");
    int code = prism_params_validate(stream, stream_params, PRISM_PARAMS_COUNT(stream_params),
                                     &vr_param_codes, reason, size);
    if (!code)
        code = check_range(stream, "port", 65535, reason, size);
    if (!code)
        code = check_range(stream, "rtcp_port", 65535, reason, size);
    if (!code)
        code = check_range(stream, "ssrc", UINT32_MAX, reason, size);
    if (!code)
        code = check_range(stream, "pt", 127, reason, size);
    if (!code)
        code = refuse_substreams(stream, reason, size);
    int family = 0;
    if (!code)
        code = parse_family(stream, global_family, &family, reason, size);
    const char *mid = json_string_value(json_object_get(stream, "mid"));
    if (!code && strlen(mid) > PRISM_SDP_MID_LEN)
        code = fail(PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT, reason, size,
                    "Invalid element (mid too long: %.40s...)", mid);
    if (code)
        return code;
    const char *host = json_string_value(json_object_get(stream, "host"));
    code = parse_host(host ? host : global_host, family, &out->ip, reason, size);
    if (code)
        return code;
    g_strlcpy(out->mid, mid, sizeof(out->mid));
    out->port = (uint16_t)json_integer_value(json_object_get(stream, "port"));
    out->rtcp_port = (uint16_t)json_integer_value(json_object_get(stream, "rtcp_port"));
    out->ssrc = (uint32_t)json_integer_value(json_object_get(stream, "ssrc"));
    json_t *pt = json_object_get(stream, "pt");
    out->has_pt = pt != NULL;
    out->pt = (uint8_t)json_integer_value(pt);
    out->simulcast = json_is_true(json_object_get(stream, "simulcast"));
    return 0;
}

static int base64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Strict base64 (RFC 4648 alphabet, padding optional as SDES keys omit it) of exactly
 * `size` bytes. Returns true with out[0..size) written. */
static bool decode_base64(const char *text, uint8_t *out, size_t size)
{
    size_t len = strlen(text);
    while (len && text[len - 1] == '=')
        len--;
    if (strlen(text) - len > 2 || (len * 6) / 8 != size || len % 4 == 1)
        return false;
    uint32_t bits = 0;
    unsigned count = 0;
    size_t written = 0;
    for (size_t i = 0; i < len; i++) {
        int value = base64_value(text[i]);
        if (value < 0)
            return false;
        bits = (bits << 6) | (uint32_t)value;
        count += 6;
        if (count >= 8) {
            count -= 8;
            out[written++] = (uint8_t)(bits >> count);
        }
    }
    /* The unused low bits of the last character must be zero (canonical form). */
    return written == size && (bits & ((1u << count) - 1)) == 0;
}

static int parse_srtp(json_t *body, struct vr_forward_request *out, char *reason, size_t size)
{
    json_t *suite = json_object_get(body, "srtp_suite");
    json_t *crypto = json_object_get(body, "srtp_crypto");
    if (!suite && !crypto)
        return 0;
    /* Janus sends plain RTP when only one is given; Prism refuses rather than send in the
     * clear what the caller meant to encrypt. */
    if (!suite || !crypto)
        return fail(PRISM_VIDEOROOM_ERROR_MISSING_ELEMENT, reason, size,
                    "Missing mandatory element (%s)", suite ? "srtp_crypto" : "srtp_suite");
    json_int_t bits = json_integer_value(suite);
    if (bits != 32 && bits != 80) {
        snprintf(reason, size, "Invalid SRTP suite (%" JSON_INTEGER_FORMAT ")", bits);
        return PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT;
    }
    if (!decode_base64(json_string_value(crypto), out->srtp_crypto, VR_SRTP_CRYPTO_LEN))
        return fail(PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT, reason, size, "%s",
                    "Invalid SRTP crypto (base64 of a 16-byte key and a 14-byte salt)");
    out->srtp_suite = (unsigned)bits;
    return 0;
}

int vr_forward_request_parse(json_t *body, const char *admin_key, struct vr_forward_request *out,
                             char *reason, size_t reason_size)
{
    int code = prism_params_validate(body, request_params, PRISM_PARAMS_COUNT(request_params),
                                     &vr_param_codes, reason, reason_size);
    if (!code)
        code = check_admin_key(body, admin_key, reason, reason_size);
    int family = 0;
    if (!code)
        code = parse_family(body, 0, &family, reason, reason_size);
    const char *host = json_string_value(json_object_get(body, "host"));
    struct prism_ip global_ip;
    if (!code)
        code = parse_host(host, family, &global_ip, reason, reason_size);
    json_t *streams = json_object_get(body, "streams");
    if (!code && json_array_size(streams) == 0)
        code = fail(PRISM_VIDEOROOM_ERROR_MISSING_ELEMENT, reason, reason_size, "%s",
                    "Missing mandatory element (streams): the deprecated audio_port/video_port "
                    "form is not supported");
    if (!code && json_array_size(streams) > VR_FORWARD_MAX_STREAMS)
        code = fail(PRISM_VIDEOROOM_ERROR_INVALID_ELEMENT, reason, reason_size,
                    "Invalid element (streams: at most %s entries)",
                    G_STRINGIFY(VR_FORWARD_MAX_STREAMS));
    if (code)
        return code;
    struct vr_forward_request request = {
        .room_id = (uint64_t)json_integer_value(json_object_get(body, "room")),
        .publisher_id = (uint64_t)json_integer_value(json_object_get(body, "publisher_id")),
        .target_count = (unsigned)json_array_size(streams),
    };
    for (unsigned i = 0; i < request.target_count && !code; i++)
        code = parse_stream(json_array_get(streams, i), host, family, &request.targets[i], reason,
                            reason_size);
    if (!code)
        code = parse_srtp(body, &request, reason, reason_size);
    if (!code)
        *out = request;
    explicit_bzero(request.srtp_crypto, sizeof(request.srtp_crypto));
    return code;
}

int vr_forward_stop_parse(json_t *body, const char *admin_key, uint64_t *room_id,
                          uint64_t *publisher_id, uint32_t *stream_id, char *reason,
                          size_t reason_size)
{
    int code = prism_params_validate(body, stop_params, PRISM_PARAMS_COUNT(stop_params),
                                     &vr_param_codes, reason, reason_size);
    if (!code)
        code = check_range(body, "stream_id", UINT32_MAX, reason, reason_size);
    if (!code)
        code = check_admin_key(body, admin_key, reason, reason_size);
    if (code)
        return code;
    *room_id = (uint64_t)json_integer_value(json_object_get(body, "room"));
    *publisher_id = (uint64_t)json_integer_value(json_object_get(body, "publisher_id"));
    *stream_id = (uint32_t)json_integer_value(json_object_get(body, "stream_id"));
    return 0;
}
