/* Process sampling of prism-bench: /proc text parsing on fixtures, sampling this process, and
 * finding the pid behind a listening port. */
#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench/lib/proc/proc_stats.h"

static char *fixture(const char *name)
{
    char *path = g_build_filename(PRISM_TEST_DATA_DIR, "bench_proc", name, NULL);
    char *text = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_free(path);
    return text;
}

static void test_proc_parses_name_with_spaces_and_parentheses(void)
{
    char *stat_text = fixture("stat_parens.txt");
    char *status_text = fixture("status.txt");
    struct bench_proc_sample s = {.wall_us = 99};
    g_assert_cmpint(bench_proc_parse(stat_text, status_text, 100, &s), ==, 0);
    g_assert_cmpuint(s.cpu_us, ==, (250 + 75) * 10000); /* ticks of 10 ms */
    g_assert_cmpuint(s.rss_bytes, ==, 10000 * 1024);
    g_assert_cmpuint(s.threads, ==, 7);
    g_assert_cmpuint(s.wall_us, ==, 0);
    g_assert_cmpint(bench_proc_parse(stat_text, status_text, 250, &s), ==, 0);
    g_assert_cmpuint(s.cpu_us, ==, 1300000);
    g_free(stat_text);
    g_free(status_text);
}

static void test_proc_kernel_thread_has_no_rss(void)
{
    char *status_text = fixture("status_kernel_thread.txt");
    struct bench_proc_sample s;
    const char *stat_text = "17 (kworker/0:1) I 2 0 0 0 -1 69238880 0 0 0 0 3 9 0 0 20 0 1 0 "
                            "5 0 0\n";
    g_assert_cmpint(bench_proc_parse(stat_text, status_text, 100, &s), ==, 0);
    g_assert_cmpuint(s.cpu_us, ==, 120000);
    g_assert_cmpuint(s.rss_bytes, ==, 0);
    g_assert_cmpuint(s.threads, ==, 1);
    g_free(status_text);
}

static void test_proc_rejects_bad_text(void)
{
    char *stat_text = fixture("stat_parens.txt");
    char *status_text = fixture("status.txt");
    struct bench_proc_sample s = {.cpu_us = 5};
    /* garbage, empty, truncated before stime, a non-number in utime, no name */
    g_assert_cmpint(bench_proc_parse("garbage", status_text, 100, &s), ==, -EINVAL);
    g_assert_cmpint(bench_proc_parse("", status_text, 100, &s), ==, -EINVAL);
    g_assert_cmpint(bench_proc_parse("1 (a) S 1 1 1 0 -1 0 0 0 0 0 250", status_text, 100, &s), ==,
                    -EINVAL);
    g_assert_cmpint(bench_proc_parse("1 (a) S 1 1 1 0 -1 0 0 0 0 0 x 75 0", status_text, 100, &s),
                    ==, -EINVAL);
    g_assert_cmpint(bench_proc_parse("1 a) S 1 1 1 0 -1 0 0 0 0 0 2 75 0", status_text, 100, &s),
                    ==, -EINVAL);
    /* a status without Threads, a VmRSS that is not a number, a bad tick rate */
    g_assert_cmpint(bench_proc_parse(stat_text, "VmRSS:\t 100 kB\n", 100, &s), ==, -EINVAL);
    g_assert_cmpint(bench_proc_parse(stat_text, "VmRSS:\t kB\nThreads:\t1\n", 100, &s), ==,
                    -EINVAL);
    g_assert_cmpint(bench_proc_parse(stat_text, status_text, 0, &s), ==, -EINVAL);
    g_assert_cmpuint(s.cpu_us, ==, 5);
    g_free(stat_text);
    g_free(status_text);
}

static void test_proc_samples_this_process(void)
{
    struct bench_proc_sample first, second;
    g_assert_cmpint(bench_proc_sample(0, &first), ==, 0);
    g_assert_cmpuint(first.rss_bytes, >, 0);
    g_assert_cmpuint(first.threads, >=, 1);
    g_assert_cmpuint(first.wall_us, >, 0);
    /* Burn some CPU so the second sample shows it. */
    volatile uint64_t x = 0;
    for (uint64_t i = 0; i < 300000000; i++) {
        x += i + 1;
        if (i % 1000000 == 0) {
            g_assert_cmpint(bench_proc_sample(getpid(), &second), ==, 0);
            if (second.cpu_us >= first.cpu_us + 50000)
                break;
        }
    }
    g_assert_cmpuint(x, >, 0);
    g_assert_cmpuint(second.cpu_us, >=, first.cpu_us + 50000);
    g_assert_cmpuint(second.wall_us, >, first.wall_us);
    double cores = bench_proc_cores(&first, &second);
    g_assert_cmpfloat(cores, >, 0.0);
    g_assert_cmpfloat(cores, <, 1.5); /* one busy thread */
}

/* A thread named like a Prism worker that burns CPU until told to stop. */
static gpointer busy_worker_main(gpointer data)
{
    atomic_bool *stop = data;
    volatile uint64_t x = 0;
    while (!atomic_load(stop))
        x++;
    return NULL;
}

static void test_proc_reads_each_worker_threads_cpu(void)
{
    struct bench_worker_threads sample;
    g_assert_cmpint(bench_proc_worker_threads(getpid(), &sample), ==, 0);
    g_assert_cmpuint(sample.count, ==, 0); /* no thread of ours is named prism-wN yet */
    /* Index 1 only: the gap at 0 reads as zero. */
    atomic_bool stop = false;
    GThread *thread = g_thread_new("prism-w1", busy_worker_main, &stop);
    do
        g_assert_cmpint(bench_proc_worker_threads(getpid(), &sample), ==, 0);
    while (sample.cpu_us[1] < 20000);
    atomic_store(&stop, true);
    g_thread_join(thread);
    g_assert_cmpuint(sample.count, ==, 2);
    g_assert_cmpuint(sample.cpu_us[0], ==, 0);
    g_assert_cmpint(bench_proc_worker_threads(0x7FFFFFF0, &sample), ==, -ESRCH);
}

static void test_proc_sample_of_missing_process_is_esrch(void)
{
    struct bench_proc_sample s;
    /* Above the kernel's pid_max limit (2^22), so never a live process. */
    g_assert_cmpint(bench_proc_sample(0x7FFFFFF0, &s), ==, -ESRCH);
}

static void test_proc_cores_from_two_samples(void)
{
    struct bench_proc_sample from = {.wall_us = 1000000, .cpu_us = 200000};
    struct bench_proc_sample to = {.wall_us = 3000000, .cpu_us = 3200000};
    g_assert_cmpfloat_with_epsilon(bench_proc_cores(&from, &to), 1.5, 1e-12);
    g_assert_cmpfloat(bench_proc_cores(&to, &from), ==, 0.0);
    g_assert_cmpfloat(bench_proc_cores(&from, &from), ==, 0.0);
}

/* A TCP socket bound to 127.0.0.1 on an ephemeral port; returns it and writes the port. */
static int loopback_socket(uint16_t *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    g_assert_cmpint(fd, >=, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    g_assert_cmpint(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    socklen_t len = sizeof(addr);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *)&addr, &len), ==, 0);
    *port = ntohs(addr.sin_port);
    return fd;
}

static void test_proc_finds_listener_of_port(void)
{
    uint16_t port;
    int fd = loopback_socket(&port);
    /* Bound but not listening: not a listener yet. */
    g_assert_cmpint(bench_proc_find_listener(port), ==, -ENOENT);
    g_assert_cmpint(listen(fd, 4), ==, 0);
    g_assert_cmpint(bench_proc_find_listener(port), ==, getpid());
    close(fd);
    g_assert_cmpint(bench_proc_find_listener(0), ==, -EINVAL);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/bench/proc/parse_parens", test_proc_parses_name_with_spaces_and_parentheses);
    g_test_add_func("/bench/proc/kernel_thread", test_proc_kernel_thread_has_no_rss);
    g_test_add_func("/bench/proc/bad_text", test_proc_rejects_bad_text);
    g_test_add_func("/bench/proc/sample_self", test_proc_samples_this_process);
    g_test_add_func("/bench/proc/sample_missing", test_proc_sample_of_missing_process_is_esrch);
    g_test_add_func("/bench/proc/cores", test_proc_cores_from_two_samples);
    g_test_add_func("/bench/proc/worker_threads", test_proc_reads_each_worker_threads_cpu);
    g_test_add_func("/bench/proc/find_listener", test_proc_finds_listener_of_port);
    return g_test_run();
}
