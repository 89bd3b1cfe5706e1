/* The subscriber streams of one publisher stream: a flat array the fan-out loop walks per
 * packet, grown only when a subscriber is added. */
#include "media/forward/forward.h"

#include <errno.h>
#include <stdlib.h>

#define LIST_INITIAL_CAPACITY 8

static int find(const struct prism_forward_list *list, const struct prism_forward_stream *stream)
{
    for (unsigned i = 0; i < list->count; i++) {
        if (list->items[i].stream == stream)
            return (int)i;
    }
    return -1;
}

int prism_forward_list_add(struct prism_forward_list *list, struct prism_forward_stream *stream,
                           void *owner)
{
    if (!list || !stream)
        return -EINVAL;
    if (find(list, stream) >= 0)
        return -EEXIST;
    if (list->count == list->capacity) {
        unsigned capacity = list->capacity ? list->capacity * 2 : LIST_INITIAL_CAPACITY;
        struct prism_forward_target *items = realloc(list->items, capacity * sizeof(*items));
        if (!items)
            return -ENOMEM;
        list->items = items;
        list->capacity = capacity;
    }
    list->items[list->count].stream = stream;
    list->items[list->count].owner = owner;
    list->count++;
    return 0;
}

bool prism_forward_list_remove(struct prism_forward_list *list,
                               const struct prism_forward_stream *stream)
{
    if (!list || !stream)
        return false;
    int at = find(list, stream);
    if (at < 0)
        return false;
    /* Order does not matter to the fan-out: the last one takes the freed place. */
    list->items[at] = list->items[list->count - 1];
    list->count--;
    return true;
}

void prism_forward_list_clear(struct prism_forward_list *list)
{
    if (!list)
        return;
    free(list->items);
    list->items = NULL;
    list->count = 0;
    list->capacity = 0;
}
