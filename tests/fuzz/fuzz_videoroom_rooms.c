/* Fuzzes the VideoRoom room requests: arbitrary bytes as a JSON body, sent as create, edit,
 * allowed, exists, list, join's checks and destroy in turn against a fresh registry. Every
 * request must answer with an object carrying "videoroom", whatever the body. */
#include "core/worker.h"
#include "plugins/videoroom/room.h"
#include "plugins/videoroom/room_requests.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_reply(json_t *reply)
{
    if (!json_is_string(json_object_get(reply, "videoroom")))
        abort();
    json_decref(reply);
}

static void run_requests(json_t *body)
{
    check_reply(vr_request_create(NULL, body));
    check_reply(vr_request_edit(NULL, body));
    check_reply(vr_request_allowed(NULL, body));
    check_reply(vr_request_exists(NULL, body));
    check_reply(vr_request_list(NULL, body));
    char reason[256];
    struct vr_room *room = NULL;
    if (vr_room_access(body, false, &room, reason, sizeof(reason)) == 0) {
        vr_room_check_join(room, body, reason, sizeof(reason));
        vr_room_unref(room);
    }
    bool permanent = false;
    room = NULL;
    if (vr_room_destroy_checked(NULL, body, &room, &permanent, reason, sizeof(reason)) == 0) {
        check_reply(vr_destroyed_reply(room->id, permanent));
        vr_room_unref(room);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct prism_worker_pool *workers;
    if (!workers && prism_worker_pool_create(&workers, 0) < 0)
        abort();
    vr_rooms_init();
    vr_rooms_set_workers(workers);
    json_t *body = json_loadb((const char *)data, size, 0, NULL);
    if (json_is_object(body))
        run_requests(body);
    json_decref(body);
    vr_rooms_shutdown();
    return 0;
}
