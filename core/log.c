/* Logging to stderr, as text lines or JSON lines (one object per line). A log file takes
 * stderr's place: it is opened and moved onto descriptor 2 with dup2(), which swaps the file
 * under concurrent writers atomically, so no lock is needed on the logging path and whatever
 * else writes to stderr (libraries, sanitizers) lands in the same file. */
#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>

#include <jansson.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static _Atomic int current_level = PRISM_LOG_INFO;
static _Atomic bool json_output = false;

static char log_file_path[PATH_MAX]; /* "" when logging to the inherited stderr; main thread */

static const char *const level_names[] = {"fatal", "error", "warn", "info", "verbose", "debug"};

void prism_log_configure(enum prism_log_level level, bool json_lines)
{
    atomic_store(&current_level, (int)level);
    atomic_store(&json_output, json_lines);
}

void prism_log_set_level(enum prism_log_level level)
{
    atomic_store(&current_level, (int)level);
}

enum prism_log_level prism_log_get_level(void)
{
    return (enum prism_log_level)atomic_load_explicit(&current_level, memory_order_relaxed);
}

/* Opens `path` and puts it on stderr's descriptor. */
static int move_onto_stderr(const char *path)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
    if (fd < 0)
        return -errno;
    int rc = dup2(fd, STDERR_FILENO) < 0 ? -errno : 0;
    close(fd);
    return rc;
}

int prism_log_open_file(const char *path)
{
    if (!path || !path[0] || strlen(path) >= sizeof(log_file_path))
        return -EINVAL;
    int rc = move_onto_stderr(path);
    if (rc == 0)
        snprintf(log_file_path, sizeof(log_file_path), "%s", path);
    return rc;
}

int prism_log_reopen(void)
{
    if (!log_file_path[0])
        return 1;
    return move_onto_stderr(log_file_path);
}

bool prism_log_parse_level(const char *text, enum prism_log_level *level)
{
    if (!text)
        return false;
    for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
        if (strcasecmp(text, level_names[i]) == 0) {
            *level = (enum prism_log_level)i;
            return true;
        }
    }
    if (text[0] >= '0' && text[0] <= '5' && text[1] == '\0') {
        *level = (enum prism_log_level)(text[0] - '0');
        return true;
    }
    return false;
}

const char *prism_log_level_name(enum prism_log_level level)
{
    if ((int)level < 0 || (size_t)level >= sizeof(level_names) / sizeof(level_names[0]))
        return "unknown";
    return level_names[level];
}

static void format_timestamp(char *out, size_t size)
{
    struct timespec now;
    struct tm parts;
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &parts);
    size_t n = strftime(out, size, "%Y-%m-%dT%H:%M:%S", &parts);
    snprintf(out + n, size - n, ".%03ldZ", now.tv_nsec / 1000000);
}

void prism_log_write(enum prism_log_level level, const char *module, const char *fmt, ...)
{
    char message[2048];
    char stamp[40];
    char line[2600];
    va_list args;
    va_start(args, fmt);
    vsnprintf(message, sizeof(message), fmt, args);
    va_end(args);
    format_timestamp(stamp, sizeof(stamp));

    int len;
    if (atomic_load(&json_output)) {
        json_t *obj = json_pack("{s:s, s:s, s:s, s:s}", "time", stamp, "level",
                                prism_log_level_name(level), "module", module ? module : "",
                                "message", message);
        char *text = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
        len = snprintf(line, sizeof(line), "%s\n", text ? text : "{}");
        free(text);
        json_decref(obj);
    } else {
        len = snprintf(line, sizeof(line), "%s [%s] %s: %s\n", stamp, prism_log_level_name(level),
                       module ? module : "-", message);
    }
    if (len > (int)sizeof(line) - 1)
        len = (int)sizeof(line) - 1;
    ssize_t ignored = write(STDERR_FILENO, line, (size_t)len);
    (void)ignored;
}
