/* Writes Prometheus's text exposition format 0.0.4: one "# HELP" and "# TYPE" per family,
 * then its samples, label values and help text escaped as the format requires. Pure
 * formatting into a GString: the page is assembled by whoever collects the values. */
#ifndef PRISM_CORE_PROM_TEXT_H
#define PRISM_CORE_PROM_TEXT_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

/* A label pair; a sample takes an array of them (count may be 0). */
struct prism_prom_label {
    const char *name;
    const char *value;
};

/* `type` is "counter", "gauge", "histogram", "summary" or "untyped". */
void prism_prom_family(GString *out, const char *name, const char *type, const char *help);

void prism_prom_sample(GString *out, const char *name, const struct prism_prom_label *labels,
                       size_t label_count, double value);
void prism_prom_sample_u64(GString *out, const char *name, const struct prism_prom_label *labels,
                           size_t label_count, uint64_t value);

/* A histogram's samples: `name`_bucket for each upper bound (cumulative counts, seconds)
 * and +Inf, then `name`_sum and `name`_count. `bucket_counts` has bound_count + 1 entries,
 * each counting only its own bucket (the last one: above every bound). */
void prism_prom_histogram(GString *out, const char *name, const struct prism_prom_label *labels,
                          size_t label_count, const double *bounds, size_t bound_count,
                          const uint64_t *bucket_counts, double sum);

/* True when `name` is a valid metric or label name ([a-zA-Z_:][a-zA-Z0-9_:]*). */
gboolean prism_prom_name_valid(const char *name);

#endif
