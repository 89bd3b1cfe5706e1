/* The prism-bench command line: options into struct bench_options, the run of a scenario (one
 * step or a sweep), pinning, the run's metadata, and the floor and report subcommands. */
#ifndef PRISM_BENCH_CLI_H
#define PRISM_BENCH_CLI_H

#include "bench/lib/report/result.h"
#include "bench/lib/scenario/options.h"

/* Parses a scenario's options (argv[0] is the scenario name). Returns 0, or 2 after printing
 * the usage error. `steps` receives the sweep loads (freed by the caller). */
int bench_cli_parse(int argc, char **argv, struct bench_options *options, unsigned **steps,
                    char **server_cpus);

/* Runs a parsed scenario: every step, output and plot. Returns the process exit code. */
int bench_cli_run(const struct bench_options *options, const char *server_cpus);

/* Pins this process (re-executing it under taskset once) and the server's threads. */
int bench_cli_pin_self(const char *cpus, char **argv);
int bench_cli_pin_server(pid_t pid, const char *cpus);

/* Fills commit, machine, start time and command of a run. */
void bench_cli_describe_run(struct bench_run *run, const struct bench_options *options);

int bench_cli_floor(int argc, char **argv);
int bench_cli_report(int argc, char **argv);

#endif
