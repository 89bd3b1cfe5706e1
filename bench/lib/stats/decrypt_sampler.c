/* The bench's choice of packets to decrypt: see decrypt_sampler.h. */
#include "bench/lib/stats/decrypt_sampler.h"

#include "media/rtp/seq.h"

void bench_decrypt_sampler_init(struct bench_decrypt_sampler *sampler, unsigned every)
{
    *sampler = (struct bench_decrypt_sampler){.every = every};
}

/* May this packet start a frame? Its timestamp is new, or it arrived after a later one. */
static bool may_start_frame(const struct bench_decrypt_sampler *sampler, int16_t from_newest,
                            uint32_t timestamp)
{
    return from_newest <= 0 || timestamp != sampler->newest_timestamp;
}

bool bench_decrypt_sampler_decide(struct bench_decrypt_sampler *sampler, uint32_t ssrc,
                                  uint16_t seq, uint32_t timestamp, bool want_frame_starts)
{
    if (!sampler->started || sampler->ssrc != ssrc) {
        sampler->started = true;
        sampler->ssrc = ssrc;
        sampler->newest_seq = sampler->last_decrypted_seq = seq;
        sampler->newest_timestamp = timestamp;
        return true;
    }
    int16_t from_newest = prism_rtp_seq_diff(seq, sampler->newest_seq);
    int16_t since_decrypted = prism_rtp_seq_diff(seq, sampler->last_decrypted_seq);
    bool jump = since_decrypted < -BENCH_SAMPLER_JUMP; /* forward jumps are >= every */
    bool decrypt = sampler->every <= 1 || since_decrypted >= (int)sampler->every || jump ||
                   (want_frame_starts && may_start_frame(sampler, from_newest, timestamp));
    if (from_newest > 0 || jump) {
        sampler->newest_seq = seq;
        sampler->newest_timestamp = timestamp;
    }
    /* The newest decrypted packet is where libsrtp's index estimate starts from. */
    if (decrypt && (since_decrypted > 0 || jump))
        sampler->last_decrypted_seq = seq;
    return decrypt;
}
