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

/* CPU used between two samples, in cores (1.0 = one core fully busy). */
double bench_proc_cores(const struct bench_proc_sample *from, const struct bench_proc_sample *to);

/* Finds the pid of the process listening on this TCP port of 127.0.0.1 (from /proc/net/tcp
 * and the fds under /proc/PID/fd), for --server-pid auto. Returns the pid or -errno. */
pid_t bench_proc_find_listener(uint16_t port);

#endif
