/* Fuzzes the DTLS engine with arbitrary datagrams: into a fresh server, into a
 * server that has answered a real ClientHello, and into a client waiting for
 * the end of a real handshake. Input: one byte choosing the scenario, then
 * datagrams, each preceded by its 16-bit big-endian length. */
#include "media/dtls/dtls.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct prism_dtls_context *context;
static struct prism_dtls_fingerprint fingerprint;

/* One certificate for the whole run (both ends use it): generating a key per
 * input would drown the fuzzer in ECDSA. */
static void setup(void)
{
    struct prism_dtls_cert *cert;
    if (context)
        return;
    if (prism_dtls_cert_generate(&cert, "fuzz") < 0 ||
        prism_dtls_context_new(&context, cert, NULL) < 0)
        abort();
    fingerprint = *prism_dtls_cert_fingerprint(cert);
    prism_dtls_cert_unref(cert);
}

static void move_all(struct prism_dtls *from, struct prism_dtls *to)
{
    uint8_t buf[1500];
    int len;
    while ((len = prism_dtls_poll_output(from, buf, sizeof(buf))) > 0) {
        if (to)
            prism_dtls_receive(to, buf, (size_t)len, 0);
    }
    while (prism_dtls_poll_app(from, buf, sizeof(buf)) > 0)
        continue;
}

static void feed(struct prism_dtls *conn, const uint8_t *data, size_t size)
{
    size_t pos = 0;
    while (size - pos >= 2) {
        size_t len = (size_t)data[pos] << 8 | data[pos + 1];
        pos += 2;
        if (len > size - pos)
            len = size - pos;
        prism_dtls_receive(conn, data + pos, len, 0);
        pos += len;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    if (size < 1)
        return 0;
    unsigned scenario = data[0] % 3;
    struct prism_dtls *server = NULL, *client = NULL;
    if (prism_dtls_new(&server, context, PRISM_DTLS_ROLE_SERVER, &fingerprint) < 0 ||
        prism_dtls_start(server, 0) < 0)
        abort();
    if (scenario > 0) {
        if (prism_dtls_new(&client, context, PRISM_DTLS_ROLE_CLIENT, &fingerprint) < 0 ||
            prism_dtls_start(client, 0) < 0)
            abort();
        move_all(client, server); /* ClientHello */
    }
    if (scenario == 2)
        move_all(server, client); /* ServerHello flight: client now sends its last flight */

    feed(scenario == 2 ? client : server, data + 1, size - 1);
    /* Let whatever survived carry on, then ask everything of both ends. */
    for (int round = 0; round < 4; round++) {
        move_all(server, client);
        if (client)
            move_all(client, server);
    }
    struct prism_srtp_keys keys;
    prism_dtls_srtp_keys(server, &keys);
    prism_dtls_handle_timeout(server, UINT64_MAX - 1);
    prism_dtls_close(server);
    move_all(server, NULL);
    prism_dtls_free(server);
    prism_dtls_free(client);
    return 0;
}
