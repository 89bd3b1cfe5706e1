/* Fuzzes the Janus client's answer matching: the input is given, as a WebSocket message, as
 * an HTTP POST answer and as a long-poll answer, to an engine with three requests pending
 * (create "b1", message "b2" on session 7, attach "b3") and session 7 known. Whatever comes,
 * the pending count stays consistent and failing the connection answers everything. */
#include "bench/lib/janus/transactions.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void count_reply(void *owner, json_t *reply)
{
    (*(unsigned *)owner)++;
}

static void drain(struct bench_janus_tx *tx)
{
    struct bench_janus_output output;
    while (bench_janus_tx_next_output(tx, &output))
        bench_janus_output_clear(&output);
    struct bench_janus_delivery delivery;
    while (bench_janus_tx_next_delivery(tx, &delivery)) {
        if (delivery.cb)
            delivery.cb(delivery.owner, delivery.message);
        bench_janus_delivery_clear(&delivery);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bench_janus_tx_config config = {.http = true, .base_path = "/janus"};
    struct bench_janus_tx *tx;
    if (bench_janus_tx_create(&tx, &config) < 0)
        abort();
    unsigned replies = 0;
    const char *session = "{\"janus\":\"success\",\"transaction\":\"b1\",\"data\":{\"id\":7}}";
    bench_janus_tx_send(tx, json_pack("{s:s}", "janus", "create"), count_reply, &replies, 1);
    bench_janus_tx_receive(tx, session, strlen(session), 1);
    bench_janus_tx_send(tx, json_pack("{s:s}", "janus", "create"), count_reply, &replies, 1);
    bench_janus_tx_send(
        tx, json_pack("{s:s,s:i,s:i}", "janus", "message", "session_id", 7, "handle_id", 8),
        count_reply, &replies, 1);
    bench_janus_tx_send(tx, json_pack("{s:s,s:i}", "janus", "attach", "session_id", 7), count_reply,
                        &replies, 1);
    drain(tx);
    if (replies != 1 || bench_janus_tx_pending(tx) != 3)
        abort();

    const char *text = (const char *)data;
    bench_janus_tx_receive(tx, text, size, 2);
    bench_janus_tx_post_done(tx, "b3", 200, text, size, 3);
    bench_janus_tx_poll_done(tx, 7, 200, text, size, 4);
    bench_janus_tx_tick(tx, 5);
    drain(tx);
    if (replies + bench_janus_tx_pending(tx) != 4)
        abort();
    bench_janus_tx_fail_all(tx);
    drain(tx);
    if (replies != 4 || bench_janus_tx_pending(tx) != 0 || bench_janus_tx_sessions(tx) != 0)
        abort();
    bench_janus_tx_destroy(tx);
    return 0;
}
