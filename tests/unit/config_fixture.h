/* Helpers for the configuration tests: a temporary config directory per test. */
#ifndef PRISM_TESTS_CONFIG_FIXTURE_H
#define PRISM_TESTS_CONFIG_FIXTURE_H

#include <glib.h>
#include <glib/gstdio.h>

/* A fresh empty directory; remove it with config_fixture_remove. */
static inline char *config_fixture_dir(void)
{
    GError *error = NULL;
    char *dir = g_dir_make_tmp("prism-config-XXXXXX", &error);
    g_assert_no_error(error);
    return dir;
}

static inline void config_fixture_write(const char *dir, const char *name, const char *text)
{
    GError *error = NULL;
    char *path = g_build_filename(dir, name, NULL);
    g_file_set_contents(path, text, -1, &error);
    g_assert_no_error(error);
    g_free(path);
}

/* Removes the files written in `dir` (one level), the directory, and frees `dir`. */
static inline void config_fixture_remove(char *dir)
{
    GDir *listing = g_dir_open(dir, 0, NULL);
    g_assert_nonnull(listing);
    const char *name;
    while ((name = g_dir_read_name(listing))) {
        char *path = g_build_filename(dir, name, NULL);
        if (g_file_test(path, G_FILE_TEST_IS_DIR))
            g_assert_cmpint(g_rmdir(path), ==, 0);
        else
            g_assert_cmpint(g_unlink(path), ==, 0);
        g_free(path);
    }
    g_dir_close(listing);
    g_assert_cmpint(g_rmdir(dir), ==, 0);
    g_free(dir);
}

#endif
