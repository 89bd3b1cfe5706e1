/* Fuzzes the send-side bandwidth estimator with arbitrary sequences of sent packets, feedback
 * statuses (any sequence number, arrival time and order) and feedback ends: it must never crash
 * and its estimate must stay a number between the configured minimum and maximum. */
#include <math.h>
#include <stdlib.h>

#include "media/bwe/bwe.h"
#include "media/bytes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct prism_bwe_config config = {.start_bps = 300000, .min_bps = 30000, .max_bps = 5000000};
    struct prism_bwe *bwe;
    if (prism_bwe_create(&config, &bwe) < 0)
        abort();
    uint64_t now = 1000000;
    for (size_t i = 0; i + 6 <= size; i += 6) {
        uint16_t seq = prism_read_be16(data + i + 1);
        uint32_t value = prism_read_be24(data + i + 3);
        now += value & 0xFFF;
        switch (data[i] % 5) {
        case 0:
        case 1:
            prism_bwe_on_packet_sent(bwe, seq, value & 0x7FF, now);
            break;
        case 2:
            prism_bwe_on_feedback_status(bwe, seq, true, (int64_t)now - (int64_t)(value >> 4));
            break;
        case 3:
            prism_bwe_on_feedback_status(bwe, seq, false, 0);
            break;
        default:
            prism_bwe_on_feedback_end(bwe, now);
            prism_bwe_set_rtt(bwe, value);
            break;
        }
        uint64_t estimate = prism_bwe_estimate(bwe);
        struct prism_bwe_state state;
        prism_bwe_get_state(bwe, &state);
        if (estimate < config.min_bps || estimate > config.max_bps || isnan(state.loss_fraction))
            __builtin_trap();
    }
    prism_bwe_destroy(bwe);
    return 0;
}
