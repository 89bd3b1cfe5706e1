/* Fuzzes the parser of general.event_webhook_events (Janus's list of event kinds): any text
 * either parses to a mask within the known kinds or is refused, leaving the mask untouched. */
#include "core/events.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    uint32_t mask = 0xdeadbeef;
    int rc = prism_event_mask_parse(text, &mask);
    if (rc == 0 && (mask & ~(uint32_t)PRISM_EVENT_ALL))
        abort();
    if (rc != 0 && mask != 0xdeadbeef)
        abort();
    (void)prism_event_url_valid(text);
    free(text);
    return 0;
}
