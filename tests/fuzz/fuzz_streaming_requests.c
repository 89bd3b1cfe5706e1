/* Fuzzes the Streaming plugin's synchronous requests: arbitrary bytes as a JSON body, sent as
 * list, info, create, edit, enable, disable and destroy in turn. Without a worker loop no
 * socket can be opened, so create must refuse cleanly too. Every request must answer with an
 * object carrying "streaming", whatever the body. */
#include "plugins/streaming/mountpoint.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_reply(json_t *reply)
{
    if (!json_is_string(json_object_get(reply, "streaming")))
        abort();
    json_decref(reply);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    st_mountpoints_init();
    json_t *body = json_loadb((const char *)data, size, 0, NULL);
    if (json_is_object(body)) {
        check_reply(st_request_list(body));
        check_reply(st_request_info(body));
        check_reply(st_request_create(body));
        check_reply(st_request_edit(body));
        check_reply(st_request_enable(body, true));
        check_reply(st_request_enable(body, false));
        check_reply(st_request_destroy(body));
    }
    json_decref(body);
    st_mountpoints_shutdown();
    return 0;
}
