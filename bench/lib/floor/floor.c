/* `prism-bench floor`: runs the measured operations of cost.h, combines them into the
 * per-packet forwarding floor, and prints and writes the result. */
#include "bench/lib/floor/floor.h"

#include "bench/lib/floor/cost.h"
#include "bench/lib/floor/machine.h"

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

static void add_item(struct bench_floor *floor, const char *name, double ns)
{
    struct bench_floor_item *item = &floor->items[floor->count++];
    snprintf(item->name, sizeof(item->name), "%s", name);
    item->ns_per_packet = ns;
    item->packets_per_s = 1e9 / ns;
}

/* Adds an item per profile libsrtp supports; returns the fastest protect's ns or -errno. */
static int measure_srtp(struct bench_floor *floor, double share, double *fastest_ns)
{
    *fastest_ns = INFINITY;
    for (size_t i = 0; i < PROFILE_COUNT; i++) {
        double ns;
        int rc = bench_floor_srtp_cost(profiles[i], floor->packet_size, share, &ns);
        if (rc == -ENOTSUP)
            continue; /* e.g. AES-256-GCM in a libsrtp built without it */
        if (rc < 0)
            return rc;
        /* "SRTP_AEAD_AES_128_GCM" -> "srtp AEAD_AES_128_GCM" */
        char name[sizeof(floor->items[0].name)];
        snprintf(name, sizeof(name), "srtp %s", prism_srtp_profile_name(profiles[i]) + 5);
        add_item(floor, name, ns);
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
    /* The budget is shared evenly by every measured item: the profiles and two sends. */
    double share = (seconds > 0 ? seconds : DEFAULT_SECONDS) / (PROFILE_COUNT + 2);
    double protect_ns, sendto_ns, sendmmsg_ns;
    rc = measure_srtp(&result, share, &protect_ns);
    if (rc == 0)
        rc = bench_floor_udp_cost(result.packet_size, share, false, &sendto_ns);
    if (rc == 0)
        rc = bench_floor_udp_cost(result.packet_size, share, true, &sendmmsg_ns);
    if (rc < 0)
        return rc;
    add_item(&result, "udp sendto", sendto_ns);
    char name[sizeof(result.items[0].name)];
    snprintf(name, sizeof(name), "udp sendmmsg x%d", BENCH_FLOOR_UDP_BATCH);
    add_item(&result, name, sendmmsg_ns);
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
    fprintf(out, "%-32s %12s %14s\n", "", "ns/packet", "packets/s");
    for (size_t i = 0; i < floor->count; i++)
        fprintf(out, "%-32s %12.1f %14.0f\n", floor->items[i].name, floor->items[i].ns_per_packet,
                floor->items[i].packets_per_s);
    fprintf(out, "%-32s %12.1f %14.0f\n", "forward floor (protect + sendto)",
            floor->forward_floor_ns, floor->forward_floor_pps);
}

static json_t *floor_to_json(const struct bench_floor *floor)
{
    struct bench_machine machine;
    bench_machine_read(&machine);
    json_t *items = json_array();
    for (size_t i = 0; i < floor->count; i++)
        json_array_append_new(items, json_pack("{s:s, s:f, s:f}", "name", floor->items[i].name,
                                               "ns_per_packet", floor->items[i].ns_per_packet,
                                               "packets_per_s", floor->items[i].packets_per_s));
    return json_pack("{s:{s:s, s:i}, s:I, s:o, s:f, s:f}", "machine", "cpu", machine.cpu, "cores",
                     (int)machine.cores, "packet_size", (json_int_t)floor->packet_size, "items",
                     items, "forward_floor_ns", floor->forward_floor_ns, "forward_floor_pps",
                     floor->forward_floor_pps);
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
