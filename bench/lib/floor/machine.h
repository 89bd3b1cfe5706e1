/* The machine a benchmark ran on (CPU model and online cores), so results from different
 * hosts are never compared unknowingly. */
#ifndef PRISM_BENCH_FLOOR_MACHINE_H
#define PRISM_BENCH_FLOOR_MACHINE_H

#include <stddef.h>

struct bench_machine {
    char cpu[96];   /* "model name" of /proc/cpuinfo, "unknown" when absent */
    unsigned cores; /* online CPUs, at least 1 */
};

/* Reads the CPU model and core count of this machine. Never fails: missing facts read as
 * "unknown" and 1 core. */
void bench_machine_read(struct bench_machine *machine);

/* One line for tables and result files, e.g. "AMD EPYC 7B13, 2 cores". */
void bench_machine_format(const struct bench_machine *machine, char *out, size_t size);

#endif
