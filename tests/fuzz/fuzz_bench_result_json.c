/* Fuzzes the reader of bench result files; whatever it accepts is printed as a table and
 * compared with itself, so the printers see every shape the reader lets through. */
#include "bench/lib/report/report.h"

#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *sink;
    if (!sink)
        sink = fopen("/dev/null", "w");
    struct bench_run run;
    char error[256];
    if (bench_report_parse_json(&run, (const char *)data, size, error, sizeof(error)) != 0)
        return 0;
    if (sink) {
        bench_report_print_table(sink, &run);
        bench_report_print_compare(sink, &run, &run);
    }
    bench_run_free(&run);
    return 0;
}
