/* Gathers the metrics page (see signaling/metrics/collect.h). */
#include "signaling/metrics/collect.h"

#include "core/metrics_page.h"
#include "core/plugin.h"
#include "core/worker.h"
#include "media/peer/handle_media.h"
#include "signaling/api/api.h"
#include "signaling/limits/rejections.h"
#include "signaling/webhook/webhook.h"

static void collect_api(struct prism_metrics_gauges *gauges, struct prism_api *api)
{
    unsigned sessions = 0, handles = 0;
    prism_api_counts(api, &sessions, &handles);
    prism_metrics_gauges_add(gauges, "prism_sessions", "Janus API sessions", NULL, NULL, sessions);
    prism_metrics_gauges_add(gauges, "prism_handles", "Janus API handles", NULL, NULL, handles);
    static const char *const states[PRISM_PC_STATE_COUNT] = {
        [PRISM_PC_CONNECTING] = "connecting",
        [PRISM_PC_CONNECTED] = "connected",
        [PRISM_PC_CLOSED] = "closed",
    };
    unsigned counts[PRISM_PC_STATE_COUNT];
    prism_handle_media_pc_counts(counts);
    for (int state = PRISM_PC_CONNECTING; state < PRISM_PC_STATE_COUNT; state++)
        prism_metrics_gauges_add(gauges, "prism_peerconnections", "PeerConnections by state",
                                 "state", states[state], counts[state]);
    prism_metrics_counters_add(gauges, "prism_peerconnections_refused_total",
                               "PeerConnections refused: their session had max_peers_per_session",
                               (double)prism_handle_media_peers_refused());
}

static void collect_webhook(struct prism_metrics_gauges *gauges, struct prism_webhook *webhook)
{
    if (!webhook)
        return;
    prism_metrics_counters_add(gauges, "prism_webhook_batches_sent_total",
                               "Event batches the webhook accepted",
                               (double)prism_webhook_batches_sent(webhook));
    prism_metrics_counters_add(gauges, "prism_webhook_events_dropped_total",
                               "Events dropped: queue full, or the webhook failed every attempt",
                               (double)prism_webhook_events_dropped(webhook));
}

/* What the per-address limits and the size limits refused, one sample per kind. */
static void collect_rejections(struct prism_metrics_gauges *gauges)
{
    for (int kind = 0; kind < PRISM_REJECT_KIND_COUNT; kind++) {
        prism_metrics_gauges_add(gauges, "prism_limit_rejections_total",
                                 "Requests and connections refused by a client limit", "kind",
                                 prism_rejection_name(kind), (double)prism_rejection_total(kind));
        g_array_index(gauges->items, struct prism_metrics_gauge, gauges->items->len - 1)
            .type = "counter";
    }
}

char *prism_metrics_collect_page(void *data)
{
    const struct prism_metrics_sources *sources = data;
    struct prism_metrics_snapshot snapshot = {0};
    prism_process_figures_read(&snapshot.process, sources->start_time_seconds);
    struct prism_metrics_gauges gauges;
    prism_metrics_gauges_init(&gauges);
    collect_api(&gauges, sources->api);
    for (size_t i = 0; i < sources->plugin_count; i++) {
        if (sources->plugins[i]->collect_metrics)
            sources->plugins[i]->collect_metrics(&gauges);
    }
    collect_webhook(&gauges, sources->webhook);
    collect_rejections(&gauges);
    snapshot.gauges = (const struct prism_metrics_gauge *)gauges.items->data;
    snapshot.gauge_count = gauges.items->len;
    unsigned worker_count = prism_worker_pool_size(sources->workers);
    struct prism_metrics_worker_figures *workers = g_new0(struct prism_metrics_worker_figures,
                                                          worker_count ? worker_count : 1);
    for (unsigned i = 0; i < worker_count; i++) {
        struct prism_worker *worker = prism_worker_pool_get(sources->workers, i);
        prism_metrics_read(prism_worker_metrics(worker), workers[i].counters, &workers[i].peers);
    }
    snapshot.workers = workers;
    snapshot.worker_count = worker_count;
    GString *page = g_string_sized_new(16384);
    prism_metrics_page_write(page, &snapshot);
    g_free(workers);
    prism_metrics_gauges_clear(&gauges);
    return g_string_free(page, FALSE);
}
