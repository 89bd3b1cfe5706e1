/* CPU time and memory of a process, read from /proc/PID (the server) or /proc/self (the bench
 * itself), so every result says how busy both sides were. */
#ifndef PRISM_BENCH_PROC_PROC_STATS_H
#define PRISM_BENCH_PROC_PROC_STATS_H

#include <stdint.h>
#include <sys/types.h>

struct bench_proc_sample {
    uint64_t wall_us; /* prism_now_us at the sample */
    uint64_t cpu_us;  /* user + system time of all threads */
    uint64_t rss_bytes;
    unsigned threads;
};

/* Samples pid (0: this process). Returns 0, or -errno (-ESRCH when it is gone). */
int bench_proc_sample(pid_t pid, struct bench_proc_sample *out);

/* Parses the text of /proc/PID/stat and /proc/PID/status (sans-IO part, unit-tested):
 * returns 0 or -EINVAL. ticks_per_second is sysconf(_SC_CLK_TCK). */
int bench_proc_parse(const char *stat_text, const char *status_text, long ticks_per_second,
                     struct bench_proc_sample *out);

/* utime + stime, in clock ticks, of the text of a /proc/.../stat file (a process's or a
 * thread's). Returns 0 or -EINVAL. */
int bench_proc_parse_stat_ticks(const char *stat_text, uint64_t *ticks);
/* Reads a small /proc file into buf as a string; -ESRCH when the process is gone. */
int bench_proc_read_text(const char *path, char *buf, size_t cap);

/* The CPU time of each Prism worker thread (named "prism-wN"), from /proc/PID/task: how one
 * broadcast spreads over the workers. */
#define BENCH_MAX_WORKER_THREADS 16
struct bench_worker_threads {
    unsigned count;                            /* highest worker index seen + 1 */
    uint64_t cpu_us[BENCH_MAX_WORKER_THREADS]; /* by worker index */
};
/* Samples pid's worker threads. Returns 0 (count 0 when there are none) or -errno. */
int bench_proc_worker_threads(pid_t pid, struct bench_worker_threads *out);

/* CPU used between two samples, in cores (1.0 = one core fully busy). */
double bench_proc_cores(const struct bench_proc_sample *from, const struct bench_proc_sample *to);

/* Finds the pid of the process listening on this TCP port of 127.0.0.1 (from /proc/net/tcp
 * and the fds under /proc/PID/fd), for --server-pid auto. Returns the pid or -errno. */
pid_t bench_proc_find_listener(uint16_t port);

#endif
