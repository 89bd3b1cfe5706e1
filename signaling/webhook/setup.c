/* The webhook from the configuration (see prism_webhook_start_from_config). */
#include "signaling/webhook/webhook.h"

#include "core/config.h"
#include "core/events.h"
#include "core/log.h"
#include "media/peer/handle_events.h"

#include <errno.h>
#include <glib.h>

int prism_webhook_start_from_config(struct prism_webhook **out, const struct prism_config *config)
{
    *out = NULL;
    const char *url = prism_config_get_string(config, "general", "event_webhook");
    if (!url || !*url)
        return 0;
    uint32_t mask = PRISM_EVENT_ALL;
    const char *kinds = prism_config_get_string(config, "general", "event_webhook_events");
    if (kinds && prism_event_mask_parse(kinds, &mask) != 0)
        return -EINVAL; /* the setting's check refused it already */
    struct prism_event_queue *queue = NULL;
    int rc = prism_event_queue_create(
        &queue, (size_t)prism_config_get_int(config, "general", "event_queue_size"), mask,
        prism_config_get_string(config, "general", "server_name"));
    if (rc < 0)
        return rc;
    struct prism_webhook_config webhook_config = {.url = url, .retries = 5};
    rc = prism_webhook_start(out, &webhook_config, queue);
    if (rc < 0) {
        prism_error("webhook", "cannot start the event webhook: %s", g_strerror(-rc));
        return rc;
    }
    prism_events_install(queue);
    handle_events_set_stats_period(
        (uint64_t)prism_config_get_int(config, "general", "event_stats_period") * 1000000u);
    /* The URL may carry credentials in its query: say only where events go. */
    prism_info("webhook", "events are posted to the event webhook (general.event_webhook)");
    return 0;
}

void prism_webhook_shutdown(struct prism_webhook *webhook)
{
    if (!webhook)
        return;
    prism_events_install(NULL);
    prism_webhook_stop(webhook);
}
