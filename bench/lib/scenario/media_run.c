/* The controller of a media scenario step. */
#include "bench/lib/scenario/media_run.h"

#include "bench/lib/janus/janus_client.h"
#include "bench/lib/proc/proc_stats.h"
#include "bench/lib/run/workers.h"
#include "bench/lib/scenario/control.h"
#include "bench/lib/scenario/participant.h"
#include "core/ids.h"
#include "core/log.h"

#include <errno.h>
#include <sched.h>
#include <string.h>

struct run {
    const struct bench_options *options;
    struct bench_scenario scenario;
    struct bench_control *control;
    GPtrArray *participants;
    struct bench_progress *progress;
    struct bench_step_result *out;
    uint64_t began_us;
    pid_t server_pid;
};

static void add_participant(struct run *run, enum bench_role role, double leave_after_s)
{
    unsigned index = run->participants->len;
    struct bench_worker *worker = bench_workers_get(run->scenario.workers, index);
    struct bench_participant *participant = bench_participant_new(&run->scenario, worker, role,
                                                                  index);
    g_ptr_array_add(run->participants, participant);
    bench_participant_start(participant, leave_after_s);
}

static void show(struct run *run, const char *phase)
{
    struct bench_meter meter;
    bench_workers_collect(run->scenario.workers, &meter);
    struct bench_step_result so_far = *run->out;
    bench_meter_to_result(&meter, (double)(prism_now_us() - run->began_us) / 1e6, &so_far);
    bench_progress_update(run->progress, phase, (double)(prism_now_us() - run->began_us) / 1e6,
                          &so_far);
}

static unsigned settled(struct run *run)
{
    return (unsigned)(g_atomic_int_get(&run->scenario.ready) +
                      g_atomic_int_get(&run->scenario.failed));
}

/* Starts `count` participants of `role` at the ramp rate and waits until each is ready or has
 * failed (or a deadline passes). */
static void ramp(struct run *run, enum bench_role role, unsigned count)
{
    double rate = run->options->ramp_per_s > 0 ? run->options->ramp_per_s : 1e9;
    unsigned base = settled(run), started = 0;
    uint64_t start = prism_now_us(), last_show = 0;
    uint64_t deadline = start + (uint64_t)((count / rate + 30) * 1e6);
    while (prism_now_us() < deadline && settled(run) < base + count) {
        uint64_t now = prism_now_us();
        while (started < count && (double)(now - start) / 1e6 * rate >= started) {
            add_participant(run, role, 0);
            started++;
        }
        bench_control_pump(run->control, 5);
        if (now - last_show > 500000) {
            show(run, "joining");
            last_show = now;
        }
    }
    if (settled(run) < base + count)
        prism_warn("bench", "%u of %u participants not ready after the ramp deadline",
                   base + count - settled(run), count);
}

static void wait_for(struct run *run, double seconds, const char *phase)
{
    uint64_t end = prism_now_us() + (uint64_t)(seconds * 1e6);
    while (prism_now_us() < end) {
        bench_control_pump(run->control, 200);
        show(run, phase);
    }
}

/* Churn: a new member every 1/rate seconds for the whole duration, each leaving after
 * churn_stay_s; the measured interval is the whole run. */
static void churn(struct run *run)
{
    const struct bench_options *options = run->options;
    double rate = options->churn_rate > 0 ? options->churn_rate : 1;
    uint64_t start = prism_now_us();
    unsigned started = 0;
    while ((double)(prism_now_us() - start) / 1e6 < options->duration_s) {
        while ((double)(prism_now_us() - start) / 1e6 * rate >= started) {
            add_participant(run, BENCH_ROLE_MEMBER, options->churn_stay_s);
            started++;
        }
        bench_control_pump(run->control, 50);
        show(run, "churn");
    }
}

static void leave_all(struct run *run)
{
    for (unsigned i = 0; i < run->participants->len; i++)
        bench_participant_stop(g_ptr_array_index(run->participants, i));
    uint64_t deadline = prism_now_us() + 20 * 1000000ull;
    while (prism_now_us() < deadline &&
           (unsigned)g_atomic_int_get(&run->scenario.finished) < run->participants->len)
        bench_control_pump(run->control, 10);
}

/* How many CPUs this process may run on: the bench's own capacity. */
static unsigned allowed_cpus(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) < 0)
        return 1;
    return (unsigned)CPU_COUNT(&set);
}

static void sample(pid_t pid, struct bench_proc_sample *out)
{
    memset(out, 0, sizeof(*out));
    if (pid > 0 && bench_proc_sample(pid, out) < 0)
        memset(out, 0, sizeof(*out));
}

static void sample_workers(pid_t pid, struct bench_worker_threads *out)
{
    memset(out, 0, sizeof(*out));
    if (pid > 0 && bench_proc_worker_threads(pid, out) < 0)
        memset(out, 0, sizeof(*out));
}

/* Each worker thread's CPU over the interval, and the busiest one's share of their sum. */
static void worker_split(const struct bench_worker_threads *from,
                         const struct bench_worker_threads *to, struct bench_step_result *out)
{
    unsigned count = MIN(to->count, BENCH_RESULT_MAX_WORKERS);
    double total = 0, busiest = 0;
    for (unsigned w = 0; w < count; w++) {
        uint64_t used = to->cpu_us[w] >= from->cpu_us[w] ? to->cpu_us[w] - from->cpu_us[w] : 0;
        out->worker_cpu_s[w] = (double)used / 1e6;
        total += out->worker_cpu_s[w];
        busiest = MAX(busiest, out->worker_cpu_s[w]);
    }
    out->server_workers = count;
    out->worker_share_max_pct = total > 0 ? 100.0 * busiest / total : 0;
}

static void measure(struct run *run)
{
    struct bench_worker_threads workers_from, workers_to;
    const struct bench_options *options = run->options;
    struct bench_proc_sample server_from, server_to, bench_from, bench_to;
    if (options->scenario != BENCH_SCENARIO_CHURN) {
        wait_for(run, options->warmup_s, "warm-up");
        bench_workers_reset_interval(run->scenario.workers);
    }
    sample(run->server_pid, &server_from);
    sample_workers(run->server_pid, &workers_from);
    bench_proc_sample(0, &bench_from);
    uint64_t from = prism_now_us();
    run->began_us = from;
    if (options->scenario == BENCH_SCENARIO_CHURN)
        churn(run);
    else
        wait_for(run, options->duration_s, "measuring");
    double seconds = (double)(prism_now_us() - from) / 1e6;
    sample(run->server_pid, &server_to);
    sample_workers(run->server_pid, &workers_to);
    bench_proc_sample(0, &bench_to);

    struct bench_meter meter;
    bench_workers_collect(run->scenario.workers, &meter);
    bench_meter_to_result(&meter, seconds, run->out);
    struct bench_step_result *out = run->out;
    out->server_cpu = server_to.wall_us ? bench_proc_cores(&server_from, &server_to) : 0;
    out->server_rss_mb = (double)server_to.rss_bytes / (1024.0 * 1024.0);
    out->bench_cpu = bench_proc_cores(&bench_from, &bench_to);
    out->bench_rss_mb = (double)bench_to.rss_bytes / (1024.0 * 1024.0);
    out->server_pps_per_cpu = out->server_cpu > 0 ? out->recv_pps / out->server_cpu : 0;
    worker_split(&workers_from, &workers_to, out);
    unsigned capacity = MIN(allowed_cpus(), options->threads + 1);
    out->bench_saturated = out->bench_cpu >= 0.85 * capacity;
}

static int open_room(struct run *run, unsigned load, char *error, size_t error_size)
{
    int rc = bench_control_open(&run->control, run->options->url, error, error_size);
    if (rc < 0 || run->options->scenario == BENCH_SCENARIO_ECHO || run->options->mountpoint_id)
        return rc;
    run->scenario.room_id = run->options->room_id;
    if (run->scenario.room_id)
        return 0;
    unsigned publishers = run->options->scenario == BENCH_SCENARIO_ROOM ? load : 1;
    if (run->options->scenario == BENCH_SCENARIO_CHURN)
        publishers = (unsigned)(run->options->churn_rate * run->options->churn_stay_s) + 8;
    return bench_control_create_room(run->control, publishers + 8, &run->scenario.room_id, error,
                                     error_size);
}

static void populate(struct run *run, unsigned load)
{
    switch (run->options->scenario) {
    case BENCH_SCENARIO_ECHO:
        ramp(run, BENCH_ROLE_ECHO, load);
        break;
    case BENCH_SCENARIO_ROOM:
        ramp(run, BENCH_ROLE_MEMBER, load);
        break;
    case BENCH_SCENARIO_BROADCAST:
        if (run->options->mountpoint_id) { /* the source is outside the bench */
            ramp(run, BENCH_ROLE_VIEWER, load);
            break;
        }
        ramp(run, BENCH_ROLE_BROADCASTER, 1);
        if (g_atomic_int_get(&run->scenario.ready) == 1)
            ramp(run, BENCH_ROLE_VIEWER, load);
        break;
    default:
        break;
    }
}

int bench_media_run(const struct bench_options *options, const struct bench_env *env, unsigned load,
                    struct bench_progress *progress, struct bench_step_result *out, char *error,
                    size_t error_size)
{
    struct run run = {.options = options, .progress = progress, .out = out};
    memset(out, 0, sizeof(*out));
    out->load = load;
    run.scenario.options = options;
    run.scenario.env = env;
    run.server_pid = options->server_pid;
    int rc = bench_workers_create(&run.scenario.workers, options->threads);
    if (rc < 0) {
        g_snprintf(error, error_size, "cannot start bench workers");
        return rc;
    }
    run.participants = g_ptr_array_new();
    run.began_us = prism_now_us();
    rc = open_room(&run, load, error, error_size);
    if (rc == 0) {
        populate(&run, load);
        measure(&run);
        leave_all(&run);
        if (!options->room_id && !options->mountpoint_id &&
            options->scenario != BENCH_SCENARIO_ECHO)
            bench_control_destroy_room(run.control, run.scenario.room_id);
    }
    bench_control_close(run.control);
    bench_workers_destroy(run.scenario.workers);
    for (unsigned i = 0; i < run.participants->len; i++) {
        struct bench_participant *participant = g_ptr_array_index(run.participants, i);
        /* One that never finished leaving may still be named by its connection: leaked rather
         * than freed under it (only after the 20 s leave deadline passed). */
        if (bench_participant_finished(participant))
            bench_participant_free(participant);
        else
            prism_warn("bench", "participant %u did not finish leaving", i);
    }
    g_ptr_array_free(run.participants, TRUE);
    return rc;
}
