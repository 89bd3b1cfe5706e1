/* `prism-bench floor`: runs the measured operations of cost.h, combines them into the
 * per-packet forwarding floor, and prints and writes the result. */
#include "bench/lib/floor/floor.h"

#include "bench/lib/floor/cost.h"
#include "bench/lib/floor/machine.h"
#include "media/srtp/library.h"

#include <errno.h>
#include <glib.h>
#include <jansson.h>
#include <math.h>
#include <string.h>

#define DEFAULT_PACKET_SIZE 1200
#define DEFAULT_SECONDS 3.0
#define RTP_HEADER_LEN 12
/* An RTP packet larger than this is not one an SFU forwards; the bound keeps buffers small. */
#define MAX_PACKET_SIZE 16384

/* The profiles Prism negotiates (media/srtp/srtp.h), in its order of preference. */
static const enum prism_srtp_profile profiles[] = {
    PRISM_SRTP_AEAD_AES_128_GCM,
    PRISM_SRTP_AEAD_AES_256_GCM,
    PRISM_SRTP_AES128_CM_SHA1_80,
};
#define PROFILE_COUNT (sizeof(profiles) / sizeof(profiles[0]))

const unsigned bench_floor_session_counts[BENCH_FLOOR_SESSION_STEPS] = {1, 100, 1000};
#define MOST_SESSIONS (bench_floor_session_counts[BENCH_FLOOR_SESSION_STEPS - 1])
/* Measured items: every profile at every session count, then the two sends. */
#define ITEM_COUNT (PROFILE_COUNT * BENCH_FLOOR_SESSION_STEPS + 2)
_Static_assert(ITEM_COUNT <= sizeof(((struct bench_floor *)0)->items) /
                                 sizeof(((struct bench_floor *)0)->items[0]),
               "struct bench_floor holds every item");

static void add_item(struct bench_floor *floor, const char *name, unsigned sessions, double ns)
{
    struct bench_floor_item *item = &floor->items[floor->count++];
    snprintf(item->name, sizeof(item->name), "%s", name);
    item->sessions = sessions;
    item->ns_per_packet = ns;
    item->packets_per_s = 1e9 / ns;
}

/* Adds an item per session count for one profile; -ENOTSUP when libsrtp lacks the profile. On
 * success *most_sessions_ns is the cost over the most sessions. */
static int measure_profile(struct bench_floor *floor, enum prism_srtp_profile profile, double share,
                           double *most_sessions_ns)
{
    /* "SRTP_AEAD_AES_128_GCM" -> "srtp AEAD_AES_128_GCM" */
    char name[sizeof(floor->items[0].name)];
    snprintf(name, sizeof(name), "srtp %s", prism_srtp_profile_name(profile) + 5);
    for (size_t step = 0; step < BENCH_FLOOR_SESSION_STEPS; step++) {
        unsigned sessions = bench_floor_session_counts[step];
        double ns;
        int rc = bench_floor_srtp_cost(profile, floor->packet_size, sessions, share, &ns);
        if (rc < 0)
            return rc;
        add_item(floor, name, sessions, ns);
        *most_sessions_ns = ns;
    }
    return 0;
}

/* Adds the items of every profile libsrtp supports; *fastest_ns is the fastest protect over
 * the most sessions. Returns 0 or -errno. */
static int measure_srtp(struct bench_floor *floor, double share, double *fastest_ns)
{
    *fastest_ns = INFINITY;
    for (size_t i = 0; i < PROFILE_COUNT; i++) {
        double ns;
        int rc = measure_profile(floor, profiles[i], share, &ns);
        if (rc == -ENOTSUP)
            continue; /* e.g. AES-256-GCM in a libsrtp built without it */
        if (rc < 0)
            return rc;
        if (ns < *fastest_ns)
            *fastest_ns = ns;
    }
    return isfinite(*fastest_ns) ? 0 : -ENOTSUP;
}

int bench_floor_measure(struct bench_floor *floor, size_t packet_size, double seconds)
{
    if (!floor || (packet_size != 0 && packet_size < RTP_HEADER_LEN) ||
        packet_size > MAX_PACKET_SIZE || !isfinite(seconds) || seconds < 0)
        return -EINVAL;
    int rc = prism_srtp_init();
    if (rc < 0)
        return rc;
    struct bench_floor result;
    memset(&result, 0, sizeof(result));
    result.packet_size = packet_size ? packet_size : DEFAULT_PACKET_SIZE;
    prism_srtp_library_describe(result.srtp_library, sizeof(result.srtp_library));
    /* The budget is shared evenly by every measured item. */
    double share = (seconds > 0 ? seconds : DEFAULT_SECONDS) / ITEM_COUNT;
    double protect_ns, sendto_ns, sendmmsg_ns;
    rc = measure_srtp(&result, share, &protect_ns);
    if (rc == 0)
        rc = bench_floor_udp_cost(result.packet_size, share, false, &sendto_ns);
    if (rc == 0)
        rc = bench_floor_udp_cost(result.packet_size, share, true, &sendmmsg_ns);
    if (rc < 0)
        return rc;
    add_item(&result, "udp sendto", 0, sendto_ns);
    char name[sizeof(result.items[0].name)];
    snprintf(name, sizeof(name), "udp sendmmsg x%d", BENCH_FLOOR_UDP_BATCH);
    add_item(&result, name, 0, sendmmsg_ns);
    result.forward_floor_sessions = MOST_SESSIONS;
    result.forward_floor_ns = protect_ns + sendto_ns;
    result.forward_floor_pps = 1e9 / result.forward_floor_ns;
    *floor = result;
    return 0;
}

void bench_floor_print(FILE *out, const struct bench_floor *floor)
{
    struct bench_machine machine;
    char description[160];
    bench_machine_read(&machine);
    bench_machine_format(&machine, description, sizeof(description));
    fprintf(out, "per-packet floor, %zu-byte RTP packets, one core (%s)\n", floor->packet_size,
            description);
    fprintf(out, "srtp: %s, sessions protected round robin\n", floor->srtp_library);
    fprintf(out, "%-32s %9s %12s %14s\n", "", "sessions", "ns/packet", "packets/s");
    for (size_t i = 0; i < floor->count; i++) {
        const struct bench_floor_item *item = &floor->items[i];
        char sessions[16] = "";
        if (item->sessions)
            snprintf(sessions, sizeof(sessions), "%u", item->sessions);
        fprintf(out, "%-32s %9s %12.1f %14.0f\n", item->name, sessions, item->ns_per_packet,
                item->packets_per_s);
    }
    fprintf(out, "%-32s %9u %12.1f %14.0f\n", "forward floor (protect + sendto)",
            floor->forward_floor_sessions, floor->forward_floor_ns, floor->forward_floor_pps);
}

static json_t *item_to_json(const struct bench_floor_item *item)
{
    json_t *object = json_pack("{s:s, s:f, s:f}", "name", item->name, "ns_per_packet",
                               item->ns_per_packet, "packets_per_s", item->packets_per_s);
    if (object && item->sessions)
        json_object_set_new(object, "sessions", json_integer(item->sessions));
    return object;
}

static json_t *floor_to_json(const struct bench_floor *floor)
{
    struct bench_machine machine;
    bench_machine_read(&machine);
    json_t *items = json_array();
    for (size_t i = 0; i < floor->count; i++)
        json_array_append_new(items, item_to_json(&floor->items[i]));
    return json_pack("{s:{s:s, s:i}, s:I, s:s, s:o, s:I, s:f, s:f}", "machine", "cpu", machine.cpu,
                     "cores", (int)machine.cores, "packet_size", (json_int_t)floor->packet_size,
                     "srtp_library", floor->srtp_library, "items", items, "forward_floor_sessions",
                     (json_int_t)floor->forward_floor_sessions, "forward_floor_ns",
                     floor->forward_floor_ns, "forward_floor_pps", floor->forward_floor_pps);
}

int bench_floor_write_json(const struct bench_floor *floor, const char *path)
{
    if (!floor || !path)
        return -EINVAL;
    char *dir = g_path_get_dirname(path);
    int rc = g_mkdir_with_parents(dir, 0755) == 0 ? 0 : -errno;
    g_free(dir);
    if (rc < 0)
        return rc;
    json_t *root = floor_to_json(floor);
    if (!root)
        return -ENOMEM;
    errno = 0;
    if (json_dump_file(root, path, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) < 0)
        rc = errno > 0 ? -errno : -EIO;
    json_decref(root);
    return rc;
}
