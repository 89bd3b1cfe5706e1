/* CPU model from /proc/cpuinfo and the online core count, for result files. */
#include "bench/lib/floor/machine.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Copies the value of a "key<tabs>: value" line without surrounding blanks. */
static void copy_value(const char *colon, char *out, size_t size)
{
    const char *start = colon + 1;
    while (*start == ' ' || *start == '\t')
        start++;
    size_t len = strcspn(start, "\n");
    while (len > 0 && isspace((unsigned char)start[len - 1]))
        len--;
    if (len >= size)
        len = size - 1;
    memcpy(out, start, len);
    out[len] = '\0';
}

/* x86 names the CPU "model name"; some ARM kernels only give "Hardware" or "Processor". */
static void read_cpu_model(char *out, size_t size)
{
    static const char *const keys[] = {"model name", "Hardware", "Processor"};
    snprintf(out, size, "unknown");
    FILE *file = fopen("/proc/cpuinfo", "r");
    if (!file)
        return;
    char line[256];
    size_t best = sizeof(keys) / sizeof(keys[0]);
    while (fgets(line, sizeof(line), file)) {
        const char *colon = strchr(line, ':');
        if (!colon)
            continue;
        for (size_t i = 0; i < best; i++) {
            size_t key_len = strlen(keys[i]);
            if (strncmp(line, keys[i], key_len) == 0 &&
                (line[key_len] == ' ' || line[key_len] == '\t')) {
                copy_value(colon, out, size);
                best = i;
                break;
            }
        }
        if (best == 0)
            break;
    }
    fclose(file);
}

void bench_machine_read(struct bench_machine *machine)
{
    read_cpu_model(machine->cpu, sizeof(machine->cpu));
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    machine->cores = cores > 0 ? (unsigned)cores : 1;
}

void bench_machine_format(const struct bench_machine *machine, char *out, size_t size)
{
    snprintf(out, size, "%s, %u core%s", machine->cpu, machine->cores,
             machine->cores == 1 ? "" : "s");
}
