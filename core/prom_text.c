/* Prometheus text exposition format 0.0.4 (see core/prom_text.h). */
#include "core/prom_text.h"

#include <inttypes.h>
#include <math.h>

gboolean prism_prom_name_valid(const char *name)
{
    if (!name || !*name || g_ascii_isdigit(*name))
        return FALSE;
    for (const char *c = name; *c; c++) {
        if (!g_ascii_isalnum(*c) && *c != '_' && *c != ':')
            return FALSE;
    }
    return TRUE;
}

/* HELP text escapes backslash and newline; label values also escape the double quote. */
static void append_escaped(GString *out, const char *text, gboolean quote)
{
    for (const char *c = text ? text : ""; *c; c++) {
        if (*c == '\\')
            g_string_append(out, "\\\\");
        else if (*c == '\n')
            g_string_append(out, "\\n");
        else if (*c == '"' && quote)
            g_string_append(out, "\\\"");
        else
            g_string_append_c(out, *c);
    }
}

void prism_prom_family(GString *out, const char *name, const char *type, const char *help)
{
    g_string_append_printf(out, "# HELP %s ", name);
    append_escaped(out, help, FALSE);
    g_string_append_printf(out, "\n# TYPE %s %s\n", name, type);
}

static void append_labels(GString *out, const struct prism_prom_label *labels, size_t count,
                          const char *extra_name, const char *extra_value)
{
    if (!count && !extra_name)
        return;
    g_string_append_c(out, '{');
    for (size_t i = 0; i < count; i++) {
        g_string_append_printf(out, "%s%s=\"", i ? "," : "", labels[i].name);
        append_escaped(out, labels[i].value, TRUE);
        g_string_append_c(out, '"');
    }
    if (extra_name)
        g_string_append_printf(out, "%s%s=\"%s\"", count ? "," : "", extra_name, extra_value);
    g_string_append_c(out, '}');
}

static void append_value(GString *out, double value)
{
    if (isnan(value))
        g_string_append(out, "NaN");
    else if (isinf(value))
        g_string_append(out, value > 0 ? "+Inf" : "-Inf");
    else {
        char text[G_ASCII_DTOSTR_BUF_SIZE];
        g_string_append(out, g_ascii_dtostr(text, sizeof(text), value));
    }
}

void prism_prom_sample(GString *out, const char *name, const struct prism_prom_label *labels,
                       size_t label_count, double value)
{
    g_string_append(out, name);
    append_labels(out, labels, label_count, NULL, NULL);
    g_string_append_c(out, ' ');
    append_value(out, value);
    g_string_append_c(out, '\n');
}

void prism_prom_sample_u64(GString *out, const char *name, const struct prism_prom_label *labels,
                           size_t label_count, uint64_t value)
{
    g_string_append(out, name);
    append_labels(out, labels, label_count, NULL, NULL);
    g_string_append_printf(out, " %" PRIu64 "\n", value);
}

void prism_prom_histogram(GString *out, const char *name, const struct prism_prom_label *labels,
                          size_t label_count, const double *bounds, size_t bound_count,
                          const uint64_t *bucket_counts, double sum)
{
    uint64_t cumulative = 0;
    char bound_text[G_ASCII_DTOSTR_BUF_SIZE];
    for (size_t i = 0; i <= bound_count; i++) {
        cumulative += bucket_counts[i];
        if (i < bound_count)
            g_ascii_formatd(bound_text, sizeof(bound_text), "%g", bounds[i]);
        g_string_append_printf(out, "%s_bucket", name);
        append_labels(out, labels, label_count, "le", i < bound_count ? bound_text : "+Inf");
        g_string_append_printf(out, " %" PRIu64 "\n", cumulative);
    }
    g_string_append_printf(out, "%s_sum", name);
    append_labels(out, labels, label_count, NULL, NULL);
    g_string_append_c(out, ' ');
    append_value(out, sum);
    g_string_append_printf(out, "\n%s_count", name);
    append_labels(out, labels, label_count, NULL, NULL);
    g_string_append_printf(out, " %" PRIu64 "\n", cumulative);
}
