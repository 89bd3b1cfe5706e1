/* CPU pinning with util-linux's taskset: the bench re-executes itself under it (so every
 * thread it starts inherits the mask), and the server's threads are moved with `taskset -a`. */
#include "bench/cli/cli.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define PINNED_ENV "PRISM_BENCH_PINNED"

int bench_cli_pin_self(const char *cpus, char **argv)
{
    if (g_getenv(PINNED_ENV))
        return 0;
    g_setenv(PINNED_ENV, cpus, TRUE);
    GPtrArray *args = g_ptr_array_new();
    g_ptr_array_add(args, "taskset");
    g_ptr_array_add(args, "-c");
    g_ptr_array_add(args, (gpointer)cpus);
    for (char **arg = argv; *arg; arg++)
        g_ptr_array_add(args, *arg);
    g_ptr_array_add(args, NULL);
    execvp("taskset", (char **)args->pdata);
    fprintf(stderr, "prism-bench: cannot run taskset to pin to CPUs %s: %s\n", cpus,
            g_strerror(errno));
    g_ptr_array_free(args, TRUE);
    return -errno;
}

int bench_cli_pin_server(pid_t pid, const char *cpus)
{
    gchar *pid_text = g_strdup_printf("%d", (int)pid);
    gchar *argv[] = {"taskset", "-a", "-p", "-c", (gchar *)cpus, pid_text, NULL};
    gint status = 1;
    gboolean ok = g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                               NULL, NULL, NULL, NULL, &status, NULL);
    g_free(pid_text);
    if (!ok || !g_spawn_check_wait_status(status, NULL)) {
        fprintf(stderr, "prism-bench: cannot pin the server (pid %d) to CPUs %s\n", (int)pid, cpus);
        return -EPERM;
    }
    return 0;
}
