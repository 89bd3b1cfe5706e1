/* WHIP/WHEP Bearer tokens against the API's credentials: with none configured the Bearer is
 * the pin; with an API secret, stored tokens or signed tokens, it must be the secret or a
 * token whose plugin list allows the endpoint's plugin; anything else is refused. */
#include "signaling/whip/access.h"

#include "signaling/auth/auth.h"
#include "signaling/auth/signed_token.h"
#include "signaling/auth/token_store.h"

#include <glib.h>
#include <string.h>

#define VIDEOROOM "janus.plugin.videoroom"
#define STREAMING "janus.plugin.streaming"

static int64_t fixed_clock_s(void)
{
    return 1800000000;
}

static struct prism_auth *make_auth(const char *secret, bool tokens, const char *token_secret)
{
    struct prism_auth *auth = NULL;
    struct prism_auth_config config = {.api_secret = secret,
                                       .token_auth = tokens,
                                       .token_auth_secret = token_secret,
                                       .wall_clock_s = fixed_clock_s};
    g_assert_cmpint(prism_auth_create(&auth, &config), ==, 0);
    return auth;
}

static enum prism_whip_credential check(const struct prism_auth *auth, const char *bearer,
                                        const char *plugin)
{
    return prism_whip_check_bearer(auth, bearer, bearer ? strlen(bearer) : 0, plugin);
}

static void test_whip_bearer_is_the_pin_without_api_credentials(void)
{
    struct prism_auth *auth = make_auth(NULL, false, NULL);
    g_assert_cmpint(check(auth, "room-pin", VIDEOROOM), ==, PRISM_WHIP_CREDENTIAL_NONE);
    g_assert_cmpint(check(auth, NULL, STREAMING), ==, PRISM_WHIP_CREDENTIAL_NONE);
    g_assert_cmpint(check(NULL, "x", VIDEOROOM), ==, PRISM_WHIP_CREDENTIAL_NONE);
    g_assert_null(prism_whip_credential_field(PRISM_WHIP_CREDENTIAL_NONE));
    prism_auth_destroy(auth);
}

static void test_whip_bearer_must_be_the_api_secret(void)
{
    struct prism_auth *auth = make_auth("s3cret", false, NULL);
    g_assert_cmpint(check(auth, "s3cret", VIDEOROOM), ==, PRISM_WHIP_CREDENTIAL_APISECRET);
    g_assert_cmpstr(prism_whip_credential_field(PRISM_WHIP_CREDENTIAL_APISECRET), ==, "apisecret");
    static const char *const wrong[] = {"s3cre", "s3cret2", "S3CRET", "", " s3cret"};
    for (size_t i = 0; i < G_N_ELEMENTS(wrong); i++)
        g_assert_cmpint(check(auth, wrong[i], VIDEOROOM), ==, PRISM_WHIP_CREDENTIAL_REFUSED);
    g_assert_cmpint(check(auth, NULL, VIDEOROOM), ==, PRISM_WHIP_CREDENTIAL_REFUSED);
    /* the length given is what counts: a prefix of the right secret is not it, nor is a NUL */
    g_assert_cmpint(prism_whip_check_bearer(auth, "s3cretXYZ", 5, VIDEOROOM), ==,
                    PRISM_WHIP_CREDENTIAL_REFUSED);
    g_assert_cmpint(prism_whip_check_bearer(auth, "s3cret\0x", 8, VIDEOROOM), ==,
                    PRISM_WHIP_CREDENTIAL_REFUSED);
    g_assert_cmpint(prism_whip_check_bearer(auth, "s3cretXYZ", 6, STREAMING), ==,
                    PRISM_WHIP_CREDENTIAL_APISECRET);
    prism_auth_destroy(auth);
}

static void test_whip_bearer_stored_token_and_its_plugins(void)
{
    struct prism_auth *auth = make_auth("s3cret", true, NULL);
    struct prism_token_store *store = prism_auth_token_store(auth);
    static const char *const room_only[] = {VIDEOROOM};
    g_assert_cmpint(prism_token_store_add(store, "tok-room", room_only, 1), ==, 0);
    g_assert_cmpint(check(auth, "tok-room", VIDEOROOM), ==, PRISM_WHIP_CREDENTIAL_TOKEN);
    g_assert_cmpstr(prism_whip_credential_field(PRISM_WHIP_CREDENTIAL_TOKEN), ==, "token");
    /* not allowed the streaming plugin: refused for /whep/mountpoint, fine for a resource */
    g_assert_cmpint(check(auth, "tok-room", STREAMING), ==, PRISM_WHIP_CREDENTIAL_REFUSED);
    g_assert_cmpint(check(auth, "tok-room", NULL), ==, PRISM_WHIP_CREDENTIAL_TOKEN);
    /* with both on, the secret still works; an unknown token does not */
    g_assert_cmpint(check(auth, "s3cret", STREAMING), ==, PRISM_WHIP_CREDENTIAL_APISECRET);
    g_assert_cmpint(check(auth, "tok-other", VIDEOROOM), ==, PRISM_WHIP_CREDENTIAL_REFUSED);
    g_assert_cmpint(prism_token_store_remove(store, "tok-room"), ==, 0);
    g_assert_cmpint(check(auth, "tok-room", VIDEOROOM), ==, PRISM_WHIP_CREDENTIAL_REFUSED);
    prism_auth_destroy(auth);
}

static void test_whip_bearer_signed_token(void)
{
    struct prism_auth *auth = make_auth(NULL, true, "hmac-key");
    char streaming[256], expired[256], forged[256];
    g_assert_cmpint(prism_signed_token_sign("hmac-key", fixed_clock_s() + 60, "janus", STREAMING,
                                            streaming, sizeof(streaming)),
                    >, 0);
    g_assert_cmpint(prism_signed_token_sign("hmac-key", fixed_clock_s() - 1, "janus", STREAMING,
                                            expired, sizeof(expired)),
                    >, 0);
    g_assert_cmpint(prism_signed_token_sign("other-key", fixed_clock_s() + 60, "janus", STREAMING,
                                            forged, sizeof(forged)),
                    >, 0);
    g_assert_cmpint(check(auth, streaming, STREAMING), ==, PRISM_WHIP_CREDENTIAL_TOKEN);
    g_assert_cmpint(check(auth, streaming, VIDEOROOM), ==, PRISM_WHIP_CREDENTIAL_REFUSED);
    g_assert_cmpint(check(auth, expired, STREAMING), ==, PRISM_WHIP_CREDENTIAL_REFUSED);
    g_assert_cmpint(check(auth, forged, STREAMING), ==, PRISM_WHIP_CREDENTIAL_REFUSED);
    g_assert_cmpint(check(auth, "1,janus:" STREAMING ":!!", STREAMING), ==,
                    PRISM_WHIP_CREDENTIAL_REFUSED);
    prism_auth_destroy(auth);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/whip/access/no-credentials",
                    test_whip_bearer_is_the_pin_without_api_credentials);
    g_test_add_func("/whip/access/api-secret", test_whip_bearer_must_be_the_api_secret);
    g_test_add_func("/whip/access/stored-token", test_whip_bearer_stored_token_and_its_plugins);
    g_test_add_func("/whip/access/signed-token", test_whip_bearer_signed_token);
    return g_test_run();
}
