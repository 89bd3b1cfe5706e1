/* CPU time of the server's worker threads, from /proc/PID/task/TID/{comm,stat}: Prism names
 * them "prism-wN" (core/worker.c), so a sharded broadcast shows how its work is split. */
#include "bench/lib/proc/proc_stats.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The worker index in a thread name "prism-wN\n", or -1. */
static int worker_index(const char *comm)
{
    if (strncmp(comm, "prism-w", 7) != 0)
        return -1;
    char *end;
    long index = strtol(comm + 7, &end, 10);
    if (end == comm + 7 || (*end != '\n' && *end != '\0') || index < 0 ||
        index >= BENCH_MAX_WORKER_THREADS)
        return -1;
    return (int)index;
}

int bench_proc_worker_threads(pid_t pid, struct bench_worker_threads *out)
{
    if (!out || pid <= 0)
        return -EINVAL;
    char dir[48];
    snprintf(dir, sizeof(dir), "/proc/%ld/task", (long)pid);
    DIR *tasks = opendir(dir);
    if (!tasks)
        return errno == ENOENT ? -ESRCH : -errno;
    struct bench_worker_threads sample = {0};
    long ticks_per_second = sysconf(_SC_CLK_TCK);
    struct dirent *entry;
    while ((entry = readdir(tasks))) {
        if (entry->d_name[0] == '.')
            continue;
        char path[320], comm[64], stat_text[1024];
        snprintf(path, sizeof(path), "%s/%s/comm", dir, entry->d_name);
        if (bench_proc_read_text(path, comm, sizeof(comm)) < 0)
            continue; /* the thread ended meanwhile */
        int index = worker_index(comm);
        snprintf(path, sizeof(path), "%s/%s/stat", dir, entry->d_name);
        uint64_t ticks;
        if (index < 0 || bench_proc_read_text(path, stat_text, sizeof(stat_text)) < 0 ||
            bench_proc_parse_stat_ticks(stat_text, &ticks) < 0)
            continue;
        sample.cpu_us[index] = ticks * 1000000u / (uint64_t)ticks_per_second;
        if ((unsigned)index + 1 > sample.count)
            sample.count = (unsigned)index + 1;
    }
    closedir(tasks);
    *out = sample;
    return 0;
}
