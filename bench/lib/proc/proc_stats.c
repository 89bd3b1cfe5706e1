/* CPU time, resident memory and thread count of a process from /proc, and the pid behind a
 * listening TCP port. */
#include "bench/lib/proc/proc_stats.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/ids.h"

/* utime and stime are fields 14 and 15 of /proc/PID/stat; counted from the state (field 3),
 * the first field after the command name, they are the 12th and 13th. */
#define STAT_UTIME_AFTER_NAME 11

/* Parses the unsigned decimal at *pos, which must be followed by a space, newline or the end. */
static int parse_u64(const char **pos, uint64_t *out)
{
    const char *p = *pos;
    if (!isdigit((unsigned char)*p))
        return -EINVAL;
    errno = 0;
    char *end;
    unsigned long long value = strtoull(p, &end, 10);
    if (errno != 0 || (*end != ' ' && *end != '\n' && *end != '\0'))
        return -EINVAL;
    *out = value;
    *pos = end;
    return 0;
}

/* utime + stime in clock ticks. The command name is in parentheses and may itself hold spaces
 * and parentheses, so the fields start after the last ')'. */
int bench_proc_parse_stat_ticks(const char *text, uint64_t *ticks)
{
    const char *open = strchr(text, '(');
    const char *close = strrchr(text, ')');
    if (!open || !close || close < open || !isdigit((unsigned char)text[0]))
        return -EINVAL;
    const char *p = close + 1;
    uint64_t utime = 0, stime = 0;
    for (unsigned field = 0; field <= STAT_UTIME_AFTER_NAME + 1; field++) {
        if (*p != ' ')
            return -EINVAL;
        p++;
        if (field < STAT_UTIME_AFTER_NAME) {
            size_t token = strcspn(p, " \n");
            if (token == 0)
                return -EINVAL;
            p += token;
        } else if (parse_u64(&p, field == STAT_UTIME_AFTER_NAME ? &utime : &stime) < 0) {
            return -EINVAL;
        }
    }
    if (utime > UINT64_MAX - stime)
        return -EINVAL;
    *ticks = utime + stime;
    return 0;
}

/* The number after "key:" at the start of a line of /proc/PID/status; -ENOENT if absent. */
static int status_field(const char *text, const char *key, uint64_t *out)
{
    size_t key_len = strlen(key);
    for (const char *line = text; *line;) {
        if (strncmp(line, key, key_len) == 0 && line[key_len] == ':') {
            const char *p = line + key_len + 1;
            p += strspn(p, " \t");
            return parse_u64(&p, out);
        }
        const char *next = strchr(line, '\n');
        if (!next)
            break;
        line = next + 1;
    }
    return -ENOENT;
}

int bench_proc_parse(const char *stat_text, const char *status_text, long ticks_per_second,
                     struct bench_proc_sample *out)
{
    if (!stat_text || !status_text || !out || ticks_per_second <= 0)
        return -EINVAL;
    uint64_t ticks, rss_kb = 0, threads;
    if (bench_proc_parse_stat_ticks(stat_text, &ticks) < 0)
        return -EINVAL;
    /* Kernel threads and zombies have no VmRSS line: no resident memory. */
    int err = status_field(status_text, "VmRSS", &rss_kb);
    if (err < 0 && err != -ENOENT)
        return -EINVAL;
    if (status_field(status_text, "Threads", &threads) < 0 || threads > UINT_MAX)
        return -EINVAL;
    if (rss_kb > UINT64_MAX / 1024 || ticks > UINT64_MAX / 1000000)
        return -EINVAL;
    out->wall_us = 0;
    out->cpu_us = ticks * 1000000 / (uint64_t)ticks_per_second;
    out->rss_bytes = rss_kb * 1024;
    out->threads = (unsigned)threads;
    return 0;
}

/* Reads a small /proc file into buf as a string; -ESRCH when the process is gone. */
int bench_proc_read_text(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? -ESRCH : -errno;
    size_t len = 0;
    int err = 0;
    while (len < cap - 1) {
        ssize_t n = read(fd, buf + len, cap - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            err = errno == ESRCH ? -ESRCH : -errno;
            break;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    buf[len] = '\0';
    return err;
}

int bench_proc_sample(pid_t pid, struct bench_proc_sample *out)
{
    if (!out || pid < 0)
        return -EINVAL;
    char dir[32], path[48];
    if (pid == 0)
        snprintf(dir, sizeof(dir), "/proc/self");
    else
        snprintf(dir, sizeof(dir), "/proc/%ld", (long)pid);
    char stat_text[1024], status_text[4096];
    snprintf(path, sizeof(path), "%s/stat", dir);
    int err = bench_proc_read_text(path, stat_text, sizeof(stat_text));
    if (err < 0)
        return err;
    snprintf(path, sizeof(path), "%s/status", dir);
    err = bench_proc_read_text(path, status_text, sizeof(status_text));
    if (err < 0)
        return err;
    struct bench_proc_sample sample;
    err = bench_proc_parse(stat_text, status_text, sysconf(_SC_CLK_TCK), &sample);
    if (err < 0)
        return err;
    sample.wall_us = prism_now_us();
    *out = sample;
    return 0;
}

double bench_proc_cores(const struct bench_proc_sample *from, const struct bench_proc_sample *to)
{
    if (to->wall_us <= from->wall_us || to->cpu_us < from->cpu_us)
        return 0.0;
    return (double)(to->cpu_us - from->cpu_us) / (double)(to->wall_us - from->wall_us);
}
