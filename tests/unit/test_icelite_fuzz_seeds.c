/* The seed corpus of fuzz_icelite (tests/fuzz/corpus/icelite): scripts of real checks built by
 * libnice's client agent, plus garbage. The test builds each seed afresh and checks that it
 * drives the engine where its name says (answered checks, nominations, media, expiry), then
 * checks the same of the committed files, so the corpus cannot rot when credentials or the
 * script format change. With PRISM_ICELITE_WRITE_SEEDS=<dir> it also writes the seeds there:
 *   PRISM_ICELITE_WRITE_SEEDS=tests/fuzz/corpus/icelite build/release/tests/test_icelite_fuzz_seeds
 */
#include "icelite_client.h"

#include "../fuzz/icelite_script.h"

#include <stdio.h>
#include <stdlib.h>

struct expectation {
    uint64_t answered, nominations, media, expired, role_conflicts;
};

struct seed {
    const char *name;
    GByteArray *bytes;
    struct expectation expect;
};

static void record(GByteArray *out, uint8_t op, const uint8_t *data, size_t len)
{
    uint8_t head[3] = {op, (uint8_t)(len >> 8), (uint8_t)len};
    g_byte_array_append(out, head, sizeof(head));
    g_byte_array_append(out, data, (guint)len);
}

/* A check for script credentials `generation` (controlling unless `controlled`). */
static void record_check(GByteArray *out, uint8_t op, int generation, bool nominate,
                         bool controlled)
{
    const struct icelite_script_credentials *c = &icelite_script_credentials[generation];
    struct icelite_client client;
    icelite_client_init(&client, c->ufrag, c->remote ? c->remote : "any", c->pwd);
    uint8_t request[512];
    size_t len = icelite_client_check_role(&client, request, sizeof(request), nominate, !controlled,
                                           0x0102030405060708ull);
    record(out, op, request, len);
}

static void record_media(GByteArray *out, uint8_t op, uint8_t first, uint8_t second)
{
    uint8_t packet[24] = {first, second, 0x12, 0x34};
    record(out, op, packet, sizeof(packet));
}

static struct seed seed_new(const char *name, struct expectation expect)
{
    return (struct seed){name, g_byte_array_new(), expect};
}

static GPtrArray *build_seeds(void)
{
    GPtrArray *seeds = g_ptr_array_new();
    struct seed *s = g_new(struct seed, 9);
    s[0] = seed_new("raw_check", (struct expectation){.answered = 1, .nominations = 1});
    struct icelite_client client;
    icelite_client_init(&client, "fuzzB", "remB", "fuzzpasswordBBBBBBBBBBBB");
    uint8_t request[512];
    size_t len = icelite_client_check(&client, request, sizeof(request), true);
    g_byte_array_append(s[0].bytes, request, (guint)len);
    s[1] = seed_new("nominate_then_media", (struct expectation){1, 1, 2, 0, 0});
    record_check(s[1].bytes, 0x00, 0, true, false);
    record_media(s[1].bytes, 0x00, 0x80, 96);
    record_media(s[1].bytes, 0x01, 0x80, 96); /* another source: dropped */
    record_media(s[1].bytes, 0x0C, 0x81, 200);
    s[2] = seed_new("renominate_v6", (struct expectation){2, 2, 1, 0, 0});
    record_check(s[2].bytes, 0x00, 0, true, false);
    record_check(s[2].bytes, 0x02, 0, true, false);
    record_media(s[2].bytes, 0x03, 22, 254); /* IPv4-mapped source 0 */
    s[3] = seed_new("restart", (struct expectation){2, 2, 0, 0, 0});
    record_check(s[3].bytes, 0x00, 0, true, false);
    record_check(s[3].bytes, 0x11, 3, true, false);
    record_check(s[3].bytes, 0x00, 0, true, false); /* old credentials: 401 now */
    s[4] = seed_new("consent_expiry", (struct expectation){1, 1, 0, 1, 0});
    record_check(s[4].bytes, 0x00, 2, true, false);
    for (int i = 0; i < 4; i++)
        record(s[4].bytes, 0x0C, NULL, 0);
    s[5] = seed_new("role_conflict", (struct expectation){.role_conflicts = 1});
    record_check(s[5].bytes, 0x00, 0, true, true);
    s[6] = seed_new("unregister", (struct expectation){.answered = 1, .nominations = 1});
    record_check(s[6].bytes, 0x00, 1, true, false);
    record_media(s[6].bytes, 0x20, 0x80, 96);
    s[7] = seed_new("garbage", (struct expectation){0});
    static const uint8_t garbage[] = {0x00, 0x01, 0x00, 0x08, 0x21, 0x12, 0xA4, 0x42, 0xFF,
                                      0x00, 0x13, 0x37, 0x03, 0xFF, 0xFF, 0x80, 0x00};
    g_byte_array_append(s[7].bytes, garbage, sizeof(garbage));
    s[8] = seed_new("truncated_check", (struct expectation){0});
    record(s[8].bytes, 0x00, request, len / 2);
    for (int i = 0; i < 9; i++)
        g_ptr_array_add(seeds, &s[i]);
    return seeds;
}

static void free_seeds(GPtrArray *seeds)
{
    for (guint i = 0; i < seeds->len; i++)
        g_byte_array_unref(((struct seed *)seeds->pdata[i])->bytes);
    g_free(seeds->pdata[0]);
    g_ptr_array_free(seeds, TRUE);
}

static void expect_play(const struct seed *seed, const uint8_t *data, size_t size)
{
    struct prism_icelite_stats stats = icelite_script_play(data, size);
    g_test_message("%s: %zu bytes, answered %" G_GUINT64_FORMAT ", nominations %" G_GUINT64_FORMAT,
                   seed->name, size, stats.checks_answered, stats.nominations);
    g_assert_cmpuint(stats.checks_answered, >=, seed->expect.answered);
    g_assert_cmpuint(stats.nominations, >=, seed->expect.nominations);
    g_assert_cmpuint(stats.media_routed, >=, seed->expect.media);
    g_assert_cmpuint(stats.expired, >=, seed->expect.expired);
    g_assert_cmpuint(stats.role_conflicts, >=, seed->expect.role_conflicts);
}

static void write_seeds(GPtrArray *seeds, const char *dir)
{
    for (guint i = 0; i < seeds->len; i++) {
        const struct seed *seed = seeds->pdata[i];
        char *path = g_strdup_printf("%s/%s.bin", dir, seed->name);
        g_assert_true(
            g_file_set_contents(path, (const char *)seed->bytes->data, seed->bytes->len, NULL));
        g_free(path);
    }
}

static void test_icelite_fresh_seeds_drive_the_engine(void)
{
    GPtrArray *seeds = build_seeds();
    const char *dir = getenv("PRISM_ICELITE_WRITE_SEEDS");
    if (dir)
        write_seeds(seeds, dir);
    for (guint i = 0; i < seeds->len; i++) {
        const struct seed *seed = seeds->pdata[i];
        expect_play(seed, seed->bytes->data, seed->bytes->len);
    }
    free_seeds(seeds);
}

static void test_icelite_committed_seeds_drive_the_engine(void)
{
    GPtrArray *seeds = build_seeds();
    for (guint i = 0; i < seeds->len; i++) {
        const struct seed *seed = seeds->pdata[i];
        char *path = g_strdup_printf("%s/tests/fuzz/corpus/icelite/%s.bin", PRISM_SOURCE_DIR,
                                     seed->name);
        gchar *contents = NULL;
        gsize size = 0;
        g_assert_true(g_file_get_contents(path, &contents, &size, NULL));
        expect_play(seed, (const uint8_t *)contents, size);
        g_free(contents);
        g_free(path);
    }
    free_seeds(seeds);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/icelite/fresh-seeds-drive-the-engine",
                    test_icelite_fresh_seeds_drive_the_engine);
    g_test_add_func("/icelite/committed-seeds-drive-the-engine",
                    test_icelite_committed_seeds_drive_the_engine);
    return g_test_run();
}
