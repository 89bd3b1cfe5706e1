/* Fuzzes the parser of /proc/PID/stat and /proc/PID/status texts the bench samples the server
 * with: the input is split at its first NUL into the two texts. */
#include <stdlib.h>
#include <string.h>

#include "bench/lib/proc/proc_stats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 2);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    text[size + 1] = '\0';
    size_t first = strlen(text);
    const char *status = first < size ? text + first + 1 : text + size + 1;
    struct bench_proc_sample sample;
    if (bench_proc_parse(text, status, 100, &sample) == 0 && sample.threads == 0 &&
        strstr(status, "Threads:") == NULL)
        abort(); /* a success needs the Threads line */
    free(text);
    return 0;
}
