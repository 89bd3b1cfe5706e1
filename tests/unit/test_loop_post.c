/* The loop's mailbox: jobs from other threads run on the loop's thread in
 * posting order per producer, none is lost (ping-pong: a lost wake-up hangs
 * the test), several producers at once, stop from another thread, and jobs
 * posted after the mailbox closed or still queued at destroy still run. */
#include "core/loop.h"

#include <glib.h>
#include <stdatomic.h>

#define PRODUCERS 4
#define JOBS_PER_PRODUCER 50000

struct stress {
    struct prism_loop *loop;
    GThread *loop_thread;
    unsigned next[PRODUCERS]; /* the sequence expected next from each producer */
    unsigned done;
    bool out_of_order, wrong_thread;
};

struct stress_job {
    struct stress *stress;
    unsigned producer, sequence;
};

static void stress_job_cb(void *data)
{
    struct stress_job *job = data;
    struct stress *stress = job->stress;
    if (g_thread_self() != stress->loop_thread)
        stress->wrong_thread = true;
    if (job->sequence != stress->next[job->producer])
        stress->out_of_order = true;
    stress->next[job->producer] = job->sequence + 1;
    if (++stress->done == PRODUCERS * JOBS_PER_PRODUCER)
        prism_loop_stop(stress->loop);
}

struct producer {
    struct stress *stress;
    unsigned index;
    struct stress_job *jobs;
};

static gpointer producer_main(gpointer data)
{
    struct producer *producer = data;
    for (unsigned i = 0; i < JOBS_PER_PRODUCER; i++) {
        producer->jobs[i] = (struct stress_job){producer->stress, producer->index, i};
        prism_loop_post(producer->stress->loop, stress_job_cb, &producer->jobs[i]);
    }
    return NULL;
}

static void test_loop_runs_jobs_from_several_threads_in_order(void)
{
    struct stress stress = {.loop_thread = g_thread_self()};
    g_assert_cmpint(prism_loop_create(&stress.loop), ==, 0);
    struct producer producers[PRODUCERS];
    GThread *threads[PRODUCERS];
    for (unsigned i = 0; i < PRODUCERS; i++) {
        producers[i] = (struct producer){&stress, i, g_new(struct stress_job, JOBS_PER_PRODUCER)};
        threads[i] = g_thread_new("producer", producer_main, &producers[i]);
    }
    g_assert_cmpint(prism_loop_run(stress.loop), ==, 0);
    for (unsigned i = 0; i < PRODUCERS; i++) {
        g_thread_join(threads[i]);
        g_assert_cmpuint(stress.next[i], ==, JOBS_PER_PRODUCER);
        g_free(producers[i].jobs);
    }
    g_assert_false(stress.out_of_order);
    g_assert_false(stress.wrong_thread);
    prism_loop_destroy(stress.loop);
}

/* One job at a time, each waited for before the next: every post must wake
 * the loop, however its write races with the loop taking the previous batch. */
struct ping_pong {
    struct prism_loop *loop;
    GMutex lock;
    GCond cond;
    unsigned answered;
};

static void answer_cb(void *data)
{
    struct ping_pong *ping = data;
    g_mutex_lock(&ping->lock);
    ping->answered++;
    g_cond_signal(&ping->cond);
    g_mutex_unlock(&ping->lock);
}

static void stop_job_cb(void *data)
{
    prism_loop_stop(data);
}

static gpointer loop_main(gpointer data)
{
    struct prism_loop *loop = data;
    g_assert_cmpint(prism_loop_run(loop), ==, 0);
    return NULL;
}

static void test_loop_never_loses_a_wakeup(void)
{
    struct ping_pong ping = {0};
    g_mutex_init(&ping.lock);
    g_cond_init(&ping.cond);
    g_assert_cmpint(prism_loop_create(&ping.loop), ==, 0);
    GThread *thread = g_thread_new("loop", loop_main, ping.loop);
    for (unsigned i = 1; i <= 20000; i++) {
        prism_loop_post(ping.loop, answer_cb, &ping);
        g_mutex_lock(&ping.lock);
        while (ping.answered < i)
            g_cond_wait(&ping.cond, &ping.lock);
        g_mutex_unlock(&ping.lock);
    }
    prism_loop_post(ping.loop, stop_job_cb, ping.loop);
    g_thread_join(thread);
    prism_loop_destroy(ping.loop);
    g_mutex_clear(&ping.lock);
    g_cond_clear(&ping.cond);
}

static void test_loop_stops_from_another_thread(void)
{
    struct prism_loop *loop;
    g_assert_cmpint(prism_loop_create(&loop), ==, 0);
    GThread *thread = g_thread_new("loop", loop_main, loop);
    prism_loop_stop(loop);
    g_thread_join(thread);
    prism_loop_destroy(loop);
}

static void count_cb(void *data)
{
    atomic_fetch_add((atomic_uint *)data, 1);
}

static void test_loop_runs_jobs_left_at_destroy_and_after_close(void)
{
    struct prism_loop *loop;
    g_assert_cmpint(prism_loop_create(&loop), ==, 0);
    atomic_uint ran = 0;
    for (int i = 0; i < 1000; i++)
        prism_loop_post(loop, count_cb, &ran);
    g_assert_cmpuint(atomic_load(&ran), ==, 0);
    prism_loop_close_mailbox(loop);
    prism_loop_post(loop, count_cb, &ran); /* runs here, now */
    g_assert_cmpuint(atomic_load(&ran), ==, 1);
    prism_loop_destroy(loop);
    g_assert_cmpuint(atomic_load(&ran), ==, 1001);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/loop/runs_jobs_from_several_threads_in_order",
                    test_loop_runs_jobs_from_several_threads_in_order);
    g_test_add_func("/loop/never_loses_a_wakeup", test_loop_never_loses_a_wakeup);
    g_test_add_func("/loop/stops_from_another_thread", test_loop_stops_from_another_thread);
    g_test_add_func("/loop/runs_jobs_left_at_destroy_and_after_close",
                    test_loop_runs_jobs_left_at_destroy_and_after_close);
    return g_test_run();
}
