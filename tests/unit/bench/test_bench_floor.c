/* prism-bench floor: a short measurement yields a positive, finite cost for every item (each
 * SRTP profile over 1, 100 and 1,000 sessions), the forward floor is the many-session figure,
 * and the JSON file reads back with the same values. */
#include "bench/lib/floor/floor.h"
#include "bench/lib/floor/machine.h"

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <jansson.h>
#include <math.h>
#include <string.h>

/* Measured once (0.2 s) and shared by the tests that read it. */
static struct bench_floor measured;
static gboolean have_measured;

static const struct bench_floor *short_floor(void)
{
    if (!have_measured) {
        g_assert_cmpint(bench_floor_measure(&measured, 1200, 0.2), ==, 0);
        have_measured = TRUE;
    }
    return &measured;
}

/* The item of that name and session count (0 for the UDP items), or NULL. */
static const struct bench_floor_item *find_item(const struct bench_floor *floor, const char *name,
                                                unsigned sessions)
{
    for (size_t i = 0; i < floor->count; i++)
        if (strcmp(floor->items[i].name, name) == 0 && floor->items[i].sessions == sessions)
            return &floor->items[i];
    return NULL;
}

static void assert_close(double a, double b)
{
    g_assert_cmpfloat(fabs(a - b), <=, 1e-9 * fmax(fabs(a), fabs(b)));
}

static void test_floor_measures_every_item(void)
{
    const struct bench_floor *floor = short_floor();
    static const char *const profiles[] = {"srtp AEAD_AES_128_GCM", "srtp AES128_CM_SHA1_80"};
    g_assert_cmpuint(floor->packet_size, ==, 1200);
    for (size_t i = 0; i < G_N_ELEMENTS(profiles); i++)
        for (size_t step = 0; step < BENCH_FLOOR_SESSION_STEPS; step++)
            g_assert_nonnull(find_item(floor, profiles[i], bench_floor_session_counts[step]));
    g_assert_nonnull(find_item(floor, "udp sendto", 0));
    g_assert_nonnull(find_item(floor, "udp sendmmsg x32", 0));
    /* Two or three profiles (AES-256-GCM is optional in libsrtp), each at every session count,
     * and the two sends. */
    g_assert_cmpuint(floor->count, >=, 2 * BENCH_FLOOR_SESSION_STEPS + 2);
    g_assert_cmpuint(floor->count, <=, 3 * BENCH_FLOOR_SESSION_STEPS + 2);
    for (size_t i = 0; i < floor->count; i++) {
        const struct bench_floor_item *item = &floor->items[i];
        g_assert_true(isfinite(item->ns_per_packet));
        g_assert_cmpfloat(item->ns_per_packet, >, 0);
        assert_close(item->packets_per_s, 1e9 / item->ns_per_packet);
        g_assert_cmpuint(item->sessions != 0, ==, g_str_has_prefix(item->name, "srtp "));
    }
}

static void test_floor_session_counts_are_1_100_1000(void)
{
    g_assert_cmpuint(BENCH_FLOOR_SESSION_STEPS, ==, 3);
    g_assert_cmpuint(bench_floor_session_counts[0], ==, 1);
    g_assert_cmpuint(bench_floor_session_counts[1], ==, 100);
    g_assert_cmpuint(bench_floor_session_counts[2], ==, 1000);
}

/* The floor a server holding many sessions pays: the fastest protect over 1,000 sessions (not
 * over one hot key) plus one sendto. */
static void test_floor_forward_is_many_session_protect_plus_sendto(void)
{
    const struct bench_floor *floor = short_floor();
    g_assert_cmpuint(floor->forward_floor_sessions, ==, 1000);
    double fastest = INFINITY;
    for (size_t i = 0; i < floor->count; i++)
        if (floor->items[i].sessions == 1000)
            fastest = fmin(fastest, floor->items[i].ns_per_packet);
    const struct bench_floor_item *sendto_item = find_item(floor, "udp sendto", 0);
    g_assert_nonnull(sendto_item);
    assert_close(floor->forward_floor_ns, fastest + sendto_item->ns_per_packet);
    assert_close(floor->forward_floor_pps, 1e9 / floor->forward_floor_ns);
}

static void test_floor_names_the_srtp_library(void)
{
    const struct bench_floor *floor = short_floor();
    g_assert_true(g_str_has_prefix(floor->srtp_library, "libsrtp2 "));
    g_assert_nonnull(strchr(floor->srtp_library, '('));
}

static double number_at(json_t *object, const char *key)
{
    json_t *value = json_object_get(object, key);
    g_assert_true(json_is_number(value));
    return json_number_value(value);
}

static void check_json_items(json_t *items, const struct bench_floor *floor)
{
    g_assert_true(json_is_array(items));
    g_assert_cmpuint(json_array_size(items), ==, floor->count);
    for (size_t i = 0; i < floor->count; i++) {
        json_t *item = json_array_get(items, i);
        g_assert_cmpstr(json_string_value(json_object_get(item, "name")), ==, floor->items[i].name);
        json_t *sessions = json_object_get(item, "sessions");
        if (floor->items[i].sessions)
            g_assert_cmpint(json_integer_value(sessions), ==, floor->items[i].sessions);
        else
            g_assert_null(sessions);
        assert_close(number_at(item, "ns_per_packet"), floor->items[i].ns_per_packet);
        assert_close(number_at(item, "packets_per_s"), floor->items[i].packets_per_s);
    }
}

static void test_floor_json_reads_back(void)
{
    const struct bench_floor *floor = short_floor();
    char *dir = g_dir_make_tmp("floor-XXXXXX", NULL);
    g_assert_nonnull(dir);
    /* A missing subfolder is created, as for result files. */
    char *path = g_build_filename(dir, "results", "floor.json", NULL);
    g_assert_cmpint(bench_floor_write_json(floor, path), ==, 0);

    json_error_t error;
    json_t *root = json_load_file(path, 0, &error);
    g_assert_nonnull(root);
    json_t *machine = json_object_get(root, "machine");
    g_assert_true(json_is_object(machine));
    g_assert_cmpuint(strlen(json_string_value(json_object_get(machine, "cpu"))), >, 0);
    g_assert_cmpint(json_integer_value(json_object_get(machine, "cores")), >=, 1);
    g_assert_cmpint(json_integer_value(json_object_get(root, "packet_size")), ==, 1200);
    g_assert_cmpstr(json_string_value(json_object_get(root, "srtp_library")), ==,
                    floor->srtp_library);
    check_json_items(json_object_get(root, "items"), floor);
    g_assert_cmpint(json_integer_value(json_object_get(root, "forward_floor_sessions")), ==,
                    floor->forward_floor_sessions);
    assert_close(number_at(root, "forward_floor_ns"), floor->forward_floor_ns);
    assert_close(number_at(root, "forward_floor_pps"), floor->forward_floor_pps);
    json_decref(root);

    char *results = g_path_get_dirname(path);
    g_assert_cmpint(g_unlink(path), ==, 0);
    g_assert_cmpint(g_rmdir(results), ==, 0);
    g_assert_cmpint(g_rmdir(dir), ==, 0);
    g_free(results);
    g_free(path);
    g_free(dir);
}

static void test_floor_rejects_bad_arguments(void)
{
    struct bench_floor floor;
    memset(&floor, 0x5a, sizeof(floor));
    struct bench_floor before = floor;
    g_assert_cmpint(bench_floor_measure(NULL, 1200, 0.1), ==, -EINVAL);
    g_assert_cmpint(bench_floor_measure(&floor, 11, 0.1), ==, -EINVAL);     /* < RTP header */
    g_assert_cmpint(bench_floor_measure(&floor, 100000, 0.1), ==, -EINVAL); /* > any UDP */
    g_assert_cmpint(bench_floor_measure(&floor, 1200, NAN), ==, -EINVAL);
    g_assert_cmpint(bench_floor_measure(&floor, 1200, -1), ==, -EINVAL);
    g_assert_cmpmem(&floor, sizeof(floor), &before, sizeof(before));
    g_assert_cmpint(bench_floor_write_json(&floor, NULL), ==, -EINVAL);
}

static void test_floor_smallest_packet_is_measured(void)
{
    struct bench_floor floor;
    g_assert_cmpint(bench_floor_measure(&floor, 12, 0.05), ==, 0);
    g_assert_cmpuint(floor.packet_size, ==, 12);
    g_assert_cmpfloat(floor.forward_floor_ns, >, 0);
    g_assert_true(isfinite(floor.forward_floor_pps));
}

static void test_machine_names_cpu_and_cores(void)
{
    struct bench_machine machine;
    bench_machine_read(&machine);
    g_assert_cmpuint(strlen(machine.cpu), >, 0);
    g_assert_cmpuint(machine.cores, >=, 1);
    char line[160];
    bench_machine_format(&machine, line, sizeof(line));
    g_assert_true(g_str_has_prefix(line, machine.cpu));
    g_assert_nonnull(strstr(line, machine.cores == 1 ? ", 1 core" : " cores"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/bench/floor/measures_every_item", test_floor_measures_every_item);
    g_test_add_func("/bench/floor/session_counts_are_1_100_1000",
                    test_floor_session_counts_are_1_100_1000);
    g_test_add_func("/bench/floor/forward_is_many_session_protect_plus_sendto",
                    test_floor_forward_is_many_session_protect_plus_sendto);
    g_test_add_func("/bench/floor/names_the_srtp_library", test_floor_names_the_srtp_library);
    g_test_add_func("/bench/floor/json_reads_back", test_floor_json_reads_back);
    g_test_add_func("/bench/floor/rejects_bad_arguments", test_floor_rejects_bad_arguments);
    g_test_add_func("/bench/floor/smallest_packet_is_measured",
                    test_floor_smallest_packet_is_measured);
    g_test_add_func("/bench/machine/names_cpu_and_cores", test_machine_names_cpu_and_cores);
    return g_test_run();
}
