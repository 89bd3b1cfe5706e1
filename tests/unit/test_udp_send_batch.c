/* The send batch without sockets: a fake send function records every call and answers from a
 * script. Queued datagrams leave in one call per run of the same socket, in order; a full
 * batch flushes itself; partial sends resume where they stopped; a full socket drops the rest
 * of the run, another error only the datagram it names; EINTR retries are bounded; an
 * oversized datagram leaves alone after what was queued. Every flush ends. */
#include "media/udp/send_batch.h"

#include <errno.h>
#include <glib.h>
#include <netinet/in.h>
#include <string.h>

#define MAX_CALLS 64
#define MAX_SEEN 256

/* What the fake kernel saw and what it answers. */
struct fake_kernel {
    int script[MAX_CALLS]; /* per call: > 0 take that many at most, < 0 fail; 0 = take all */
    unsigned script_len;
    unsigned calls;
    int call_fd[MAX_CALLS];
    unsigned call_count[MAX_CALLS];
    /* Datagrams taken, in order: first byte (an id) and destination port. */
    uint8_t taken_id[MAX_SEEN];
    uint16_t taken_port[MAX_SEEN];
    size_t taken_len[MAX_SEEN];
    int taken_fd[MAX_SEEN];
    unsigned taken;
};

static int fake_send(void *context, int fd, struct mmsghdr *messages, unsigned count)
{
    struct fake_kernel *kernel = context;
    g_assert_cmpuint(count, >=, 1);
    g_assert_cmpuint(kernel->calls, <, MAX_CALLS); /* a spinning flush fails here */
    unsigned call = kernel->calls++;
    kernel->call_fd[call] = fd;
    kernel->call_count[call] = count;
    int answer = call < kernel->script_len ? kernel->script[call] : 0;
    if (answer < 0)
        return answer;
    unsigned take = answer == 0 || (unsigned)answer > count ? count : (unsigned)answer;
    for (unsigned i = 0; i < take; i++) {
        const struct msghdr *header = &messages[i].msg_hdr;
        const struct sockaddr_in *to = header->msg_name;
        g_assert_cmpuint(header->msg_namelen, ==, sizeof(struct sockaddr_in));
        g_assert_cmpuint(header->msg_iovlen, ==, 1);
        unsigned n = kernel->taken++;
        g_assert_cmpuint(n, <, MAX_SEEN);
        kernel->taken_id[n] = ((const uint8_t *)header->msg_iov[0].iov_base)[0];
        kernel->taken_len[n] = header->msg_iov[0].iov_len;
        kernel->taken_port[n] = ntohs(to->sin_port);
        kernel->taken_fd[n] = fd;
    }
    return (int)take;
}

static struct sockaddr_in destination(uint16_t port)
{
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port)};
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return to;
}

/* Queues a datagram whose first byte is `id`, for port 1000 + id. */
static void queue(struct prism_udp_send_batch *batch, int fd, uint8_t id, size_t len)
{
    static uint8_t data[PRISM_UDP_SEND_SLOT * 2];
    memset(data, 0xab, len);
    data[0] = id;
    struct sockaddr_in to = destination((uint16_t)(1000 + id));
    g_assert_cmpint(
        prism_udp_send_batch_queue(batch, fd, (struct sockaddr *)&to, sizeof(to), data, len), ==,
        0);
}

static struct prism_udp_send_batch *batch_new(struct fake_kernel *kernel)
{
    memset(kernel, 0, sizeof(*kernel));
    struct prism_udp_send_batch *batch = g_new(struct prism_udp_send_batch, 1);
    prism_udp_send_batch_init(batch, fake_send, kernel);
    return batch;
}

static void test_send_batch_sends_queued_datagrams_in_one_call_in_order(void)
{
    struct fake_kernel kernel;
    struct prism_udp_send_batch *batch = batch_new(&kernel);
    for (uint8_t id = 0; id < 10; id++)
        queue(batch, 5, id, 100u + id);
    g_assert_cmpuint(kernel.calls, ==, 0); /* nothing leaves before the flush */
    g_assert_false(prism_udp_send_batch_empty(batch));
    prism_udp_send_batch_flush(batch);
    g_assert_true(prism_udp_send_batch_empty(batch));
    g_assert_cmpuint(kernel.calls, ==, 1);
    g_assert_cmpint(kernel.call_fd[0], ==, 5);
    g_assert_cmpuint(kernel.call_count[0], ==, 10);
    g_assert_cmpuint(kernel.taken, ==, 10);
    for (unsigned i = 0; i < 10; i++) {
        g_assert_cmpuint(kernel.taken_id[i], ==, i);
        g_assert_cmpuint(kernel.taken_len[i], ==, 100 + i);
        g_assert_cmpuint(kernel.taken_port[i], ==, 1000 + i);
    }
    g_assert_cmpuint(batch->stats.sent, ==, 10);
    g_assert_cmpuint(batch->stats.dropped, ==, 0);
    prism_udp_send_batch_flush(batch); /* empty: no call */
    g_assert_cmpuint(kernel.calls, ==, 1);
    g_free(batch);
}

static void test_send_batch_flushes_itself_when_full(void)
{
    struct fake_kernel kernel;
    struct prism_udp_send_batch *batch = batch_new(&kernel);
    for (unsigned i = 0; i < PRISM_UDP_SEND_BATCH + 3; i++)
        queue(batch, 5, (uint8_t)i, 60);
    g_assert_cmpuint(kernel.calls, ==, 1);
    g_assert_cmpuint(kernel.call_count[0], ==, PRISM_UDP_SEND_BATCH);
    prism_udp_send_batch_flush(batch);
    g_assert_cmpuint(kernel.calls, ==, 2);
    g_assert_cmpuint(kernel.call_count[1], ==, 3);
    for (unsigned i = 0; i < PRISM_UDP_SEND_BATCH + 3; i++)
        g_assert_cmpuint(kernel.taken_id[i], ==, (uint8_t)i);
    g_free(batch);
}

static void test_send_batch_resumes_a_partial_send(void)
{
    struct fake_kernel kernel;
    struct prism_udp_send_batch *batch = batch_new(&kernel);
    kernel.script[0] = 3;
    kernel.script[1] = 4;
    kernel.script_len = 2;
    for (uint8_t id = 0; id < 10; id++)
        queue(batch, 5, id, 80);
    prism_udp_send_batch_flush(batch);
    g_assert_cmpuint(kernel.calls, ==, 3);
    g_assert_cmpuint(kernel.call_count[0], ==, 10);
    g_assert_cmpuint(kernel.call_count[1], ==, 7);
    g_assert_cmpuint(kernel.call_count[2], ==, 3);
    g_assert_cmpuint(kernel.taken, ==, 10);
    for (unsigned i = 0; i < 10; i++)
        g_assert_cmpuint(kernel.taken_id[i], ==, i);
    g_assert_cmpuint(batch->stats.sent, ==, 10);
    g_assert_cmpuint(batch->stats.calls, ==, 3);
    g_free(batch);
}

static void test_send_batch_drops_the_rest_of_a_run_on_a_full_socket(void)
{
    int full_errors[] = {EAGAIN, ENOBUFS};
    for (size_t e = 0; e < G_N_ELEMENTS(full_errors); e++) {
        struct fake_kernel kernel;
        struct prism_udp_send_batch *batch = batch_new(&kernel);
        kernel.script[0] = 3;
        kernel.script[1] = -full_errors[e];
        kernel.script_len = 2;
        for (uint8_t id = 0; id < 10; id++)
            queue(batch, 5, id, 80);
        queue(batch, 6, 10, 80); /* another socket: its own run, still tried */
        prism_udp_send_batch_flush(batch);
        g_assert_cmpuint(kernel.calls, ==, 3);
        g_assert_cmpint(kernel.call_fd[2], ==, 6);
        g_assert_cmpuint(kernel.taken, ==, 4);
        g_assert_cmpuint(kernel.taken_id[3], ==, 10);
        g_assert_cmpuint(batch->stats.sent, ==, 4);
        g_assert_cmpuint(batch->stats.dropped, ==, 7);
        g_assert_cmpint(batch->stats.last_error, ==, full_errors[e]);
        g_assert_true(prism_udp_send_batch_empty(batch));
        g_free(batch);
    }
}

static void test_send_batch_drops_only_the_datagram_an_error_names(void)
{
    struct fake_kernel kernel;
    struct prism_udp_send_batch *batch = batch_new(&kernel);
    kernel.script[0] = 2;
    kernel.script[1] = -EMSGSIZE;     /* datagram 2 */
    kernel.script[2] = -EHOSTUNREACH; /* datagram 3 */
    kernel.script_len = 3;
    for (uint8_t id = 0; id < 6; id++)
        queue(batch, 5, id, 80);
    prism_udp_send_batch_flush(batch);
    g_assert_cmpuint(kernel.calls, ==, 4);
    g_assert_cmpuint(kernel.taken, ==, 4);
    static const uint8_t expected[] = {0, 1, 4, 5};
    for (unsigned i = 0; i < 4; i++)
        g_assert_cmpuint(kernel.taken_id[i], ==, expected[i]);
    g_assert_cmpuint(batch->stats.dropped, ==, 2);
    g_assert_cmpint(batch->stats.last_error, ==, EHOSTUNREACH);
    g_free(batch);
}

static void test_send_batch_retries_interrupts_a_bounded_number_of_times(void)
{
    struct fake_kernel kernel;
    struct prism_udp_send_batch *batch = batch_new(&kernel);
    kernel.script[0] = -EINTR;
    kernel.script_len = 1;
    queue(batch, 5, 0, 80);
    prism_udp_send_batch_flush(batch);
    g_assert_cmpuint(kernel.calls, ==, 2);
    g_assert_cmpuint(batch->stats.sent, ==, 1);

    /* An endless EINTR (or a send taking nothing) ends in a drop, not a spin. */
    for (unsigned i = 0; i < MAX_CALLS; i++)
        kernel.script[i] = -EINTR;
    kernel.script_len = MAX_CALLS;
    kernel.calls = 0;
    queue(batch, 5, 1, 80);
    prism_udp_send_batch_flush(batch);
    g_assert_cmpuint(kernel.calls, <, 10);
    g_assert_cmpuint(batch->stats.dropped, ==, 1);
    g_assert_cmpint(batch->stats.last_error, ==, EINTR);
    g_free(batch);
}

static int send_nothing(void *context, int fd, struct mmsghdr *messages, unsigned count)
{
    (*(unsigned *)context)++;
    return 0;
}

static void test_send_batch_ends_when_the_send_takes_nothing(void)
{
    unsigned calls = 0;
    struct prism_udp_send_batch *batch = g_new(struct prism_udp_send_batch, 1);
    prism_udp_send_batch_init(batch, send_nothing, &calls);
    for (uint8_t id = 0; id < 5; id++)
        queue(batch, 5, id, 80);
    prism_udp_send_batch_flush(batch);
    g_assert_cmpuint(calls, ==, 5);
    g_assert_cmpuint(batch->stats.dropped, ==, 5);
    g_free(batch);
}

static void test_send_batch_keeps_order_across_sockets(void)
{
    struct fake_kernel kernel;
    struct prism_udp_send_batch *batch = batch_new(&kernel);
    queue(batch, 5, 0, 80);
    queue(batch, 5, 1, 80);
    queue(batch, 6, 2, 80);
    queue(batch, 5, 3, 80);
    prism_udp_send_batch_flush(batch);
    g_assert_cmpuint(kernel.calls, ==, 3);
    g_assert_cmpuint(kernel.call_count[0], ==, 2);
    g_assert_cmpint(kernel.call_fd[1], ==, 6);
    g_assert_cmpint(kernel.call_fd[2], ==, 5);
    for (unsigned i = 0; i < 4; i++)
        g_assert_cmpuint(kernel.taken_id[i], ==, i);
    g_free(batch);
}

static void test_send_batch_sends_an_oversized_datagram_after_the_queue(void)
{
    struct fake_kernel kernel;
    struct prism_udp_send_batch *batch = batch_new(&kernel);
    queue(batch, 5, 0, 80);
    queue(batch, 5, 1, PRISM_UDP_SEND_SLOT + 100);
    g_assert_cmpuint(kernel.calls, ==, 2);
    g_assert_cmpuint(kernel.taken, ==, 2);
    g_assert_cmpuint(kernel.taken_id[0], ==, 0);
    g_assert_cmpuint(kernel.taken_id[1], ==, 1);
    g_assert_cmpuint(kernel.taken_len[1], ==, PRISM_UDP_SEND_SLOT + 100);
    g_assert_cmpuint(kernel.taken_port[1], ==, 1001);
    g_assert_true(prism_udp_send_batch_empty(batch));
    g_free(batch);
}

static void test_send_batch_refuses_an_oversized_address(void)
{
    struct fake_kernel kernel;
    struct prism_udp_send_batch *batch = batch_new(&kernel);
    uint8_t address[sizeof(struct sockaddr_storage) + 8] = {0};
    uint8_t data[4] = {1, 2, 3, 4};
    g_assert_cmpint(prism_udp_send_batch_queue(batch, 5, (struct sockaddr *)address,
                                               sizeof(address), data, sizeof(data)),
                    ==, -EINVAL);
    g_assert_true(prism_udp_send_batch_empty(batch));
    g_free(batch);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/udp/send_batch/one_call_in_order",
                    test_send_batch_sends_queued_datagrams_in_one_call_in_order);
    g_test_add_func("/udp/send_batch/flushes_when_full", test_send_batch_flushes_itself_when_full);
    g_test_add_func("/udp/send_batch/partial_send", test_send_batch_resumes_a_partial_send);
    g_test_add_func("/udp/send_batch/full_socket",
                    test_send_batch_drops_the_rest_of_a_run_on_a_full_socket);
    g_test_add_func("/udp/send_batch/bad_datagram",
                    test_send_batch_drops_only_the_datagram_an_error_names);
    g_test_add_func("/udp/send_batch/interrupts",
                    test_send_batch_retries_interrupts_a_bounded_number_of_times);
    g_test_add_func("/udp/send_batch/send_takes_nothing",
                    test_send_batch_ends_when_the_send_takes_nothing);
    g_test_add_func("/udp/send_batch/order_across_sockets",
                    test_send_batch_keeps_order_across_sockets);
    g_test_add_func("/udp/send_batch/oversized_datagram",
                    test_send_batch_sends_an_oversized_datagram_after_the_queue);
    g_test_add_func("/udp/send_batch/oversized_address",
                    test_send_batch_refuses_an_oversized_address);
    return g_test_run();
}
