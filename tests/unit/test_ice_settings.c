/* ICE settings and credentials: the "media" section is checked at config load and parsed
 * into plain values; local credentials are random ice-chars of RFC-compliant lengths and
 * remote ones are checked against RFC 8839. */
#include "core/config.h"
#include "media/ice/ice_internal.h"

#include <errno.h>
#include <string.h>

#define GOOD_DIR PRISM_TEST_DATA_DIR "/config/good"

static void test_ice_credentials_map_random_bytes_to_ice_chars(void)
{
    uint8_t random[PRISM_ICE_CREDENTIAL_RANDOM_BYTES] = {0};
    struct prism_ice_credentials credentials;
    prism_ice_credentials_from_random(&credentials, random);
    g_assert_cmpstr(credentials.ufrag, ==, "AAAAAAAA");
    g_assert_cmpstr(credentials.pwd, ==, "AAAAAAAAAAAAAAAAAAAAAAAA");
    for (size_t i = 0; i < sizeof(random); i++)
        random[i] = (uint8_t)(i + 26);
    random[0] = 62;
    random[1] = 255; /* only the low 6 bits count: 63 */
    prism_ice_credentials_from_random(&credentials, random);
    g_assert_cmpstr(credentials.ufrag, ==, "+/cdefgh");
    g_assert_cmpstr(credentials.pwd, ==, "ijklmnopqrstuvwxyz012345");
}

static void test_ice_credentials_are_random_and_long_enough(void)
{
    struct prism_ice_credentials first, second;
    g_assert_cmpint(prism_ice_credentials_generate(&first), ==, 0);
    g_assert_cmpint(prism_ice_credentials_generate(&second), ==, 0);
    /* RFC 8445 5.3: >= 24 bits of randomness in the ufrag, >= 128 in the password */
    g_assert_cmpuint(strlen(first.ufrag) * 6, >=, 24);
    g_assert_cmpuint(strlen(first.pwd) * 6, >=, 128);
    g_assert_true(prism_ice_ufrag_valid(first.ufrag));
    g_assert_true(prism_ice_pwd_valid(first.pwd));
    g_assert_cmpstr(first.ufrag, !=, second.ufrag);
    g_assert_cmpstr(first.pwd, !=, second.pwd);
}

static void test_ice_remote_credentials_follow_rfc8839(void)
{
    g_assert_false(prism_ice_ufrag_valid(""));
    g_assert_false(prism_ice_ufrag_valid("abc"));
    g_assert_true(prism_ice_ufrag_valid("abcd"));
    g_assert_true(prism_ice_ufrag_valid("+/09"));
    g_assert_false(prism_ice_ufrag_valid("ab-d"));
    g_assert_false(prism_ice_ufrag_valid("ab d"));
    g_assert_false(prism_ice_ufrag_valid("abc\xc3\xa9"));
    char text[300];
    memset(text, 'x', sizeof(text));
    text[256] = '\0';
    g_assert_true(prism_ice_ufrag_valid(text));
    g_assert_true(prism_ice_pwd_valid(text));
    text[256] = 'x';
    text[257] = '\0';
    g_assert_false(prism_ice_ufrag_valid(text));
    g_assert_false(prism_ice_pwd_valid(text));
    text[21] = '\0';
    g_assert_false(prism_ice_pwd_valid(text));
    text[21] = 'x';
    text[22] = '\0';
    g_assert_true(prism_ice_pwd_valid(text));
}

static void test_ice_settings_parse_every_field(void)
{
    struct prism_ice_settings_text text = {
        .interfaces = "lo, 127.0.0.1",
        .port_range = "20000-20100",
        .stun_server = "127.0.0.1:3478",
        .nat_1_1_mapping = "198.51.100.7",
        .nat_1_1_keep_host = true,
        .remote_networks = "127.0.0.0/8, fd00::/8",
        .tcp = true,
    };
    struct prism_ice_settings settings;
    char error[256] = "";
    g_assert_cmpint(prism_ice_settings_parse(&settings, &text, error, sizeof(error)), ==, 0);
    g_assert_cmpuint(settings.interface_count, ==, 2);
    g_assert_cmpstr(settings.interfaces[0].name, ==, "lo");
    g_assert_true(settings.interfaces[1].is_address);
    g_assert_cmpuint(settings.port_min, ==, 20000);
    g_assert_cmpuint(settings.port_max, ==, 20100);
    g_assert_cmpstr(settings.stun_address, ==, "127.0.0.1");
    g_assert_cmpuint(settings.stun_port, ==, 3478);
    g_assert_true(settings.has_nat_address);
    char shown[64];
    g_assert_cmpstr(prism_ip_format(&settings.nat_address, shown, sizeof(shown)), ==,
                    "198.51.100.7");
    g_assert_true(settings.nat_keep_host);
    g_assert_cmpuint(settings.remote_network_count, ==, 2);
    g_assert_true(settings.tcp);
}

static void test_ice_settings_resolve_stun_host(void)
{
    struct prism_ice_settings_text text = {.stun_server = "[::1]:19302"};
    struct prism_ice_settings settings;
    char error[256] = "";
    g_assert_cmpint(prism_ice_settings_parse(&settings, &text, error, sizeof(error)), ==, 0);
    g_assert_cmpstr(settings.stun_address, ==, "::1");
    g_assert_cmpuint(settings.stun_port, ==, 19302);
    text.stun_server = "localhost:3478"; /* from /etc/hosts, no DNS query */
    g_assert_cmpint(prism_ice_settings_parse(&settings, &text, error, sizeof(error)), ==, 0);
    g_assert_true(strcmp(settings.stun_address, "127.0.0.1") == 0 ||
                  strcmp(settings.stun_address, "::1") == 0);
}

static void expect_parse_error(struct prism_ice_settings_text text, const char *expected)
{
    struct prism_ice_settings settings = {.port_min = 7};
    char error[256] = "";
    g_assert_cmpint(prism_ice_settings_parse(&settings, &text, error, sizeof(error)), ==, -EINVAL);
    g_assert_cmpstr(error, ==, expected);
    g_assert_cmpuint(settings.port_min, ==, 7);
}

static void test_ice_settings_reject_bad_values_naming_the_key(void)
{
    expect_parse_error((struct prism_ice_settings_text){.remote_networks = "10.0.0.0/33"},
                       "media.ice_remote_networks: invalid value \"10.0.0.0/33\"");
    expect_parse_error((struct prism_ice_settings_text){.port_range = "60000-10000"},
                       "media.rtp_port_range: invalid value \"60000-10000\"");
    expect_parse_error((struct prism_ice_settings_text){.nat_1_1_mapping = "198.51.100"},
                       "media.nat_1_1_mapping: invalid value \"198.51.100\"");
    expect_parse_error((struct prism_ice_settings_text){.interfaces = "eth0,,lo"},
                       "media.ice_interfaces: invalid value \"eth0,,lo\"");
    expect_parse_error((struct prism_ice_settings_text){.stun_server = "stun.example.net"},
                       "media.stun_server: must be \"host:port\" (got \"stun.example.net\")");
}

static void test_ice_settings_from_default_config(void)
{
    struct prism_config *config = NULL;
    char error[512] = "";
    g_assert_cmpint(prism_config_load(&config, NULL, NULL, error, sizeof(error)), ==, 0);
    struct prism_ice_settings settings;
    g_assert_cmpint(prism_ice_settings_from_config(&settings, config, error, sizeof(error)), ==, 0);
    g_assert_cmpuint(settings.interface_count, ==, 0);
    g_assert_cmpuint(settings.port_min, ==, 10000);
    g_assert_cmpuint(settings.port_max, ==, 60000);
    g_assert_cmpstr(settings.stun_address, ==, "");
    g_assert_false(settings.has_nat_address);
    g_assert_cmpuint(settings.remote_network_count, ==, 0);
    g_assert_false(settings.tcp);
    prism_config_free(config);
}

static void test_ice_settings_from_a_config_file(void)
{
    struct prism_config *config = NULL;
    char error[512] = "";
    g_assert_cmpint(prism_config_load(&config, GOOD_DIR, NULL, error, sizeof(error)), ==, 0);
    struct prism_ice_settings settings;
    g_assert_cmpint(prism_ice_settings_from_config(&settings, config, error, sizeof(error)), ==, 0);
    g_assert_cmpuint(settings.interface_count, ==, 3);
    g_assert_cmpuint(settings.port_min, ==, 20000);
    g_assert_cmpuint(settings.port_max, ==, 20999);
    g_assert_cmpstr(settings.stun_address, ==, "127.0.0.1");
    g_assert_true(settings.has_nat_address);
    g_assert_true(settings.nat_keep_host);
    g_assert_cmpuint(settings.remote_network_count, ==, 2);
    g_assert_true(settings.tcp);
    prism_config_free(config);
}

static void expect_config_error(const char *variable, const char *expected)
{
    char *environment[] = {(char *)variable, NULL};
    struct prism_config *config = NULL;
    char error[512] = "";
    g_assert_cmpint(prism_config_load(&config, NULL, environment, error, sizeof(error)), ==,
                    -EINVAL);
    g_assert_null(config);
    g_assert_cmpstr(error, ==, expected);
}

static void test_ice_config_load_rejects_bad_media_values(void)
{
    expect_config_error("PRISM_MEDIA_ICE_REMOTE_NETWORKS=10.0.0.0/8,fd00::/200",
                        "environment PRISM_MEDIA_ICE_REMOTE_NETWORKS: media.ice_remote_networks "
                        "must be a comma-separated list of networks such as 10.0.0.0/8 (at most "
                        "32) (got \"10.0.0.0/8,fd00::/200\")");
    expect_config_error("PRISM_MEDIA_RTP_PORT_RANGE=0-100",
                        "environment PRISM_MEDIA_RTP_PORT_RANGE: media.rtp_port_range must be "
                        "\"min-max\" with 1 <= min <= max <= 65535 (got \"0-100\")");
    expect_config_error("PRISM_MEDIA_STUN_SERVER=stun.example.net:99999",
                        "environment PRISM_MEDIA_STUN_SERVER: media.stun_server must be empty or "
                        "\"host:port\" (\"[address]:port\" for IPv6) (got "
                        "\"stun.example.net:99999\")");
    expect_config_error("PRISM_MEDIA_NAT_1_1_MAPPING=public",
                        "environment PRISM_MEDIA_NAT_1_1_MAPPING: media.nat_1_1_mapping must be "
                        "empty or an IPv4 or IPv6 address (got \"public\")");
    expect_config_error("PRISM_MEDIA_ICE_INTERFACES=1.2.3.999",
                        "environment PRISM_MEDIA_ICE_INTERFACES: media.ice_interfaces must be a "
                        "comma-separated list of IP addresses and interface names (at most 32) "
                        "(got \"1.2.3.999\")");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ice/credentials/map-random-bytes-to-ice-chars",
                    test_ice_credentials_map_random_bytes_to_ice_chars);
    g_test_add_func("/ice/credentials/are-random-and-long-enough",
                    test_ice_credentials_are_random_and_long_enough);
    g_test_add_func("/ice/credentials/remote-follow-rfc8839",
                    test_ice_remote_credentials_follow_rfc8839);
    g_test_add_func("/ice/settings/parse-every-field", test_ice_settings_parse_every_field);
    g_test_add_func("/ice/settings/resolve-stun-host", test_ice_settings_resolve_stun_host);
    g_test_add_func("/ice/settings/reject-bad-values-naming-the-key",
                    test_ice_settings_reject_bad_values_naming_the_key);
    g_test_add_func("/ice/settings/from-default-config", test_ice_settings_from_default_config);
    g_test_add_func("/ice/settings/from-a-config-file", test_ice_settings_from_a_config_file);
    g_test_add_func("/ice/settings/config-load-rejects-bad-media-values",
                    test_ice_config_load_rejects_bad_media_values);
    return g_test_run();
}
