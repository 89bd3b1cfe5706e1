/* prism-bench: Prism's load-test client. `prism-bench <scenario> [options]` runs a scenario
 * against a server speaking the Janus API (Prism or Janus), `prism-bench floor` measures this
 * machine's per-packet floor, `prism-bench report` prints or compares result files. */
#include "bench/cli/cli.h"
#include "bench/lib/janus/janus_client.h"
#include "bench/lib/whip/http.h"
#include "core/log.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(
        out,
        "Usage: prism-bench SCENARIO [options]   (SCENARIO: api, echo, room, broadcast, churn)\n"
        "       prism-bench floor [--size BYTES] [--seconds S] [--json FILE]\n"
        "       prism-bench report RESULT.json\n"
        "       prism-bench report --compare A.json B.json [--plot FILE.svg]\n"
        "Run `prism-bench SCENARIO --help` for the options of a scenario.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "floor") == 0)
        return bench_cli_floor(argc - 1, argv + 1);
    if (strcmp(argv[1], "report") == 0)
        return bench_cli_report(argc - 1, argv + 1);

    /* The media engines log per connection at info: too much for a load generator. */
    prism_log_configure(PRISM_LOG_WARN, false);
    /* The option parser removes what it parsed from argv: keep the whole command line for the
     * result file and for re-executing under taskset. */
    gchar **original = g_strdupv(argv);
    gchar *command = g_strjoinv(" ", argv);
    struct bench_options options;
    unsigned *steps = NULL;
    char *server_cpus = NULL;
    int rc = bench_cli_parse(argc - 1, argv + 1, &options, &steps, &server_cpus);
    if (rc == 0 && options.cpus && bench_cli_pin_self(options.cpus, original) < 0)
        rc = 1;
    g_strfreev(original);
    if (rc != 0) {
        g_free(command);
        g_free(steps);
        g_free(server_cpus);
        return rc;
    }
    options.command_line = command;
    rc = bench_cli_run(&options, server_cpus);
    bench_janus_shutdown();
    bench_http_shutdown();
    g_free(command);
    g_free(steps);
    g_free(server_cpus);
    return rc;
}
