/* The cross-worker relay on two real workers: messages arrive on the destination's thread in
 * order, a batch sent during one turn costs one wake-up, buffers come back to the sender's
 * pool, a full ring drops and counts, post_after runs after what was sent before it, and an
 * inline pool has nothing to relay between. */
#include "core/worker.h"
#include "media/relay/relay.h"

#include <errno.h>
#include <glib.h>

#define BATCHES 300
#define PER_BATCH 40

struct flow {
    struct prism_relay *relay;
    struct prism_worker *from, *to;
    unsigned batches_sent;
    /* destination side */
    unsigned received;
    uint16_t next_sequence;
    bool out_of_order, wrong_thread;
    GMutex lock;
    GCond cond;
    bool done;
};

static void finish(struct flow *flow)
{
    g_mutex_lock(&flow->lock);
    flow->done = true;
    g_cond_signal(&flow->cond);
    g_mutex_unlock(&flow->lock);
}

static void nothing_cb(void *data)
{
    (void)data;
}

/* Waits until the destination saw the last message, then until its worker finished the turn
 * that delivered it (a job on its mailbox runs after that turn's deliveries), so that the
 * relay's counters and the buffers' return are complete too. */
static void wait_done(struct flow *flow)
{
    g_mutex_lock(&flow->lock);
    while (!flow->done)
        g_cond_wait(&flow->cond, &flow->lock);
    flow->done = false;
    g_mutex_unlock(&flow->lock);
    prism_worker_run_sync(flow->to, nothing_cb, NULL);
}

static void send_batch_cb(void *data);

static void packet_cb(void *target, struct prism_relay_buffer *buffer, uint64_t arg,
                      uint64_t now_us)
{
    struct flow *flow = target;
    if (!prism_worker_is_current(flow->to))
        flow->wrong_thread = true;
    if (buffer->sequence != flow->next_sequence || arg != buffer->sequence)
        flow->out_of_order = true;
    flow->next_sequence = (uint16_t)(buffer->sequence + 1);
    if (++flow->received == BATCHES * PER_BATCH)
        finish(flow);
    else if (flow->received % PER_BATCH == 0) /* the whole batch is in: send the next one */
        prism_worker_post(flow->from, send_batch_cb, flow);
}

/* One batch per turn: the job sends PER_BATCH packets; the destination asks for the next batch
 * once this one is in, so a slow destination (a loaded machine, ASan) never fills the ring. */
static void send_batch_cb(void *data)
{
    struct flow *flow = data;
    struct prism_relay_pool *pool = prism_relay_pool(flow->relay, flow->from);
    for (unsigned i = 0; i < PER_BATCH; i++) {
        uint16_t sequence = (uint16_t)(flow->batches_sent * PER_BATCH + i);
        uint8_t packet[200] = {0x80, 96, (uint8_t)(sequence >> 8), (uint8_t)sequence};
        struct prism_relay_buffer *buffer = prism_relay_buffer_copy(pool, packet, 200, 0);
        g_assert_cmpint(
            prism_relay_send(flow->relay, flow->from, flow->to, packet_cb, flow, buffer, sequence),
            ==, 0);
        prism_relay_buffer_unref(buffer); /* the message holds its own reference */
    }
    flow->batches_sent++;
}

static void outstanding_cb(void *data)
{
    struct flow *flow = data;
    g_assert_cmpuint(prism_relay_pool_outstanding(prism_relay_pool(flow->relay, flow->from)), ==,
                     0);
}

static void setup(struct flow *flow, struct prism_worker_pool **pool, size_t capacity)
{
    g_assert_cmpint(prism_worker_pool_create(pool, 2), ==, 0);
    g_assert_cmpint(prism_relay_create(&flow->relay, *pool, capacity), ==, 0);
    flow->from = prism_worker_pool_get(*pool, 0);
    flow->to = prism_worker_pool_get(*pool, 1);
    g_mutex_init(&flow->lock);
    g_cond_init(&flow->cond);
}

static void teardown(struct flow *flow, struct prism_worker_pool *pool)
{
    prism_relay_destroy(flow->relay);
    prism_worker_pool_destroy(pool);
    g_mutex_clear(&flow->lock);
    g_cond_clear(&flow->cond);
}

static void test_relay_delivers_in_order_with_one_wakeup_per_batch(void)
{
    struct flow flow = {0};
    struct prism_worker_pool *pool;
    setup(&flow, &pool, 0);
    prism_worker_post(flow.from, send_batch_cb, &flow);
    wait_done(&flow);
    g_assert_false(flow.out_of_order);
    g_assert_false(flow.wrong_thread);
    struct prism_relay_stats stats;
    prism_relay_get_stats(flow.relay, &stats);
    g_assert_cmpuint(stats.sent, ==, BATCHES * PER_BATCH);
    g_assert_cmpuint(stats.delivered, ==, BATCHES * PER_BATCH);
    g_assert_cmpuint(stats.dropped, ==, 0);
    /* At most one wake-up per turn that sent something, far fewer than packets. */
    g_assert_cmpuint(stats.wakeups, >=, 1);
    g_assert_cmpuint(stats.wakeups, <=, BATCHES);
    g_test_message("%u packets, %" G_GUINT64_FORMAT " wake-ups", BATCHES * PER_BATCH,
                   stats.wakeups);
    /* Every buffer went back to the sender's pool. */
    prism_worker_run_sync(flow.from, outstanding_cb, &flow);
    teardown(&flow, pool);
}

struct fence {
    struct flow flow;
    unsigned received_at_job;
};

static void fence_job_cb(void *data)
{
    struct fence *fence = data;
    fence->received_at_job = fence->flow.received;
    finish(&fence->flow);
}

static void count_cb(void *target, struct prism_relay_buffer *buffer, uint64_t arg, uint64_t now_us)
{
    struct flow *flow = target;
    g_assert_null(buffer);
    flow->received++;
}

static void send_then_fence_cb(void *data)
{
    struct fence *fence = data;
    for (unsigned i = 0; i < 10; i++)
        prism_relay_send(fence->flow.relay, fence->flow.from, fence->flow.to, count_cb,
                         &fence->flow, NULL, i);
    /* Not published yet (end of turn): post_after must publish and wait for them. */
    prism_relay_post_after(fence->flow.relay, fence->flow.from, fence->flow.to, fence_job_cb,
                           fence);
}

static void test_relay_post_after_runs_after_what_was_sent(void)
{
    struct fence fence = {0};
    struct prism_worker_pool *pool;
    setup(&fence.flow, &pool, 0);
    prism_worker_post(fence.flow.from, send_then_fence_cb, &fence);
    wait_done(&fence.flow);
    g_assert_cmpuint(fence.received_at_job, ==, 10);
    teardown(&fence.flow, pool);
}

static void overflow_cb(void *data)
{
    struct flow *flow = data;
    for (unsigned i = 0; i < 4; i++)
        g_assert_cmpint(
            prism_relay_send(flow->relay, flow->from, flow->to, count_cb, flow, NULL, i), ==, 0);
    g_assert_cmpint(prism_relay_send(flow->relay, flow->from, flow->to, count_cb, flow, NULL, 4),
                    ==, -ENOBUFS);
    g_assert_cmpint(prism_relay_send(flow->relay, flow->from, flow->from, count_cb, flow, NULL, 0),
                    ==, -EINVAL);
    prism_relay_post_after(flow->relay, flow->from, flow->to, (prism_worker_job_cb)finish, flow);
}

static void test_relay_drops_and_counts_when_a_ring_is_full(void)
{
    struct flow flow = {0};
    struct prism_worker_pool *pool;
    setup(&flow, &pool, 4);
    prism_worker_post(flow.from, overflow_cb, &flow);
    wait_done(&flow);
    g_assert_cmpuint(flow.received, ==, 4);
    struct prism_relay_stats stats;
    prism_relay_get_stats(flow.relay, &stats);
    g_assert_cmpuint(stats.dropped, ==, 1);
    teardown(&flow, pool);
}

static void test_relay_inline_pool_has_nothing_to_relay(void)
{
    struct prism_worker_pool *pool;
    struct prism_relay *relay;
    g_assert_cmpint(prism_worker_pool_create(&pool, 0), ==, 0);
    g_assert_cmpint(prism_relay_create(&relay, pool, 0), ==, 0);
    struct prism_worker *only = prism_worker_pool_get(pool, 0);
    g_assert_cmpint(prism_relay_send(relay, only, only, count_cb, NULL, NULL, 0), ==, -EINVAL);
    g_assert_null(prism_relay_pool(relay, only));
    prism_relay_destroy(relay);
    prism_worker_pool_destroy(pool);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/relay/delivers_in_order_with_one_wakeup_per_batch",
                    test_relay_delivers_in_order_with_one_wakeup_per_batch);
    g_test_add_func("/relay/post_after_runs_after_what_was_sent",
                    test_relay_post_after_runs_after_what_was_sent);
    g_test_add_func("/relay/drops_and_counts_when_a_ring_is_full",
                    test_relay_drops_and_counts_when_a_ring_is_full);
    g_test_add_func("/relay/inline_pool_has_nothing_to_relay",
                    test_relay_inline_pool_has_nothing_to_relay);
    return g_test_run();
}
