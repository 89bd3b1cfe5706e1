/* Log level parsing. */
#include "core/log.h"

#include <glib.h>

static void test_log_parses_names_and_digits(void)
{
    enum prism_log_level level = PRISM_LOG_INFO;
    g_assert_true(prism_log_parse_level("debug", &level));
    g_assert_cmpint(level, ==, PRISM_LOG_DEBUG);
    g_assert_true(prism_log_parse_level("WARN", &level));
    g_assert_cmpint(level, ==, PRISM_LOG_WARN);
    g_assert_true(prism_log_parse_level("1", &level));
    g_assert_cmpint(level, ==, PRISM_LOG_ERROR);
}

static void test_log_rejects_unknown_level(void)
{
    enum prism_log_level level = PRISM_LOG_INFO;
    g_assert_false(prism_log_parse_level("loud", &level));
    g_assert_false(prism_log_parse_level("9", &level));
    g_assert_false(prism_log_parse_level("", &level));
    g_assert_false(prism_log_parse_level(NULL, &level));
    g_assert_cmpint(level, ==, PRISM_LOG_INFO);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/log/parses-names-and-digits", test_log_parses_names_and_digits);
    g_test_add_func("/log/rejects-unknown-level", test_log_rejects_unknown_level);
    return g_test_run();
}
