/* Logging: levels, timestamps, plain text or JSON lines, to stderr or a log file.
 * Thread-safe: any thread may log; each line is written with one write(). */
#ifndef PRISM_CORE_LOG_H
#define PRISM_CORE_LOG_H

#include <stdbool.h>

enum prism_log_level {
    PRISM_LOG_FATAL = 0,
    PRISM_LOG_ERROR,
    PRISM_LOG_WARN,
    PRISM_LOG_INFO,
    PRISM_LOG_VERBOSE,
    PRISM_LOG_DEBUG,
};

/* Sets the highest level printed and the output format (JSON lines or text). */
void prism_log_configure(enum prism_log_level level, bool json_lines);
enum prism_log_level prism_log_get_level(void);
/* Changes the highest level printed at run time (the Admin API's set_log_level). */
void prism_log_set_level(enum prism_log_level level);

/* Sends the log (and anything else written to stderr) to the file `path`, appended to and
 * created if needed (mode 0640). Returns 0 or -errno; on failure stderr is left as it was.
 * Main thread, before or while other threads log. */
int prism_log_open_file(const char *path);

/* Opens the log file again under its name, after logrotate renamed it (SIGHUP). Returns 0,
 * 1 when no log file is in use, or -errno (the old file stays in use). Main thread. */
int prism_log_reopen(void);

/* Parses "fatal", "error", "warn", "info", "verbose", "debug" or a digit 0-5.
 * Returns false (and leaves *level alone) on anything else. */
bool prism_log_parse_level(const char *text, enum prism_log_level *level);
const char *prism_log_level_name(enum prism_log_level level);

void prism_log_write(enum prism_log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define PRISM_LOG(level, module, ...)                        \
    do {                                                     \
        if ((level) <= prism_log_get_level())                \
            prism_log_write((level), (module), __VA_ARGS__); \
    } while (0)

#define prism_error(module, ...) PRISM_LOG(PRISM_LOG_ERROR, module, __VA_ARGS__)
#define prism_warn(module, ...) PRISM_LOG(PRISM_LOG_WARN, module, __VA_ARGS__)
#define prism_info(module, ...) PRISM_LOG(PRISM_LOG_INFO, module, __VA_ARGS__)
#define prism_verbose(module, ...) PRISM_LOG(PRISM_LOG_VERBOSE, module, __VA_ARGS__)
#define prism_debug(module, ...) PRISM_LOG(PRISM_LOG_DEBUG, module, __VA_ARGS__)

#endif
