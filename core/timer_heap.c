/* Binary min-heap of embedded timers, with each timer's index kept in it so
 * that cancel and re-arm find their element without a search. */
#include "core/timer_heap.h"

#include <errno.h>
#include <stdlib.h>

void prism_timer_init(struct prism_timer *timer, prism_timer_cb callback, void *data)
{
    timer->deadline_us = 0;
    timer->sequence = 0;
    timer->index = PRISM_TIMER_DISARMED;
    timer->callback = callback;
    timer->data = data;
}

void prism_timer_heap_init(struct prism_timer_heap *heap)
{
    *heap = (struct prism_timer_heap){0};
}

void prism_timer_heap_deinit(struct prism_timer_heap *heap)
{
    for (size_t i = 0; i < heap->count; i++)
        heap->items[i]->index = PRISM_TIMER_DISARMED;
    free(heap->items);
    *heap = (struct prism_timer_heap){0};
}

static bool fires_before(const struct prism_timer *a, const struct prism_timer *b)
{
    if (a->deadline_us != b->deadline_us)
        return a->deadline_us < b->deadline_us;
    return a->sequence < b->sequence;
}

static void place(struct prism_timer_heap *heap, size_t index, struct prism_timer *timer)
{
    heap->items[index] = timer;
    timer->index = index;
    heap->moves++;
}

static void sift_up(struct prism_timer_heap *heap, size_t index)
{
    struct prism_timer *timer = heap->items[index];
    while (index > 0) {
        size_t parent = (index - 1) / 2;
        if (!fires_before(timer, heap->items[parent]))
            break;
        place(heap, index, heap->items[parent]);
        index = parent;
    }
    place(heap, index, timer);
}

static void sift_down(struct prism_timer_heap *heap, size_t index)
{
    struct prism_timer *timer = heap->items[index];
    for (;;) {
        size_t child = 2 * index + 1;
        if (child >= heap->count)
            break;
        if (child + 1 < heap->count && fires_before(heap->items[child + 1], heap->items[child]))
            child++;
        if (!fires_before(heap->items[child], timer))
            break;
        place(heap, index, heap->items[child]);
        index = child;
    }
    place(heap, index, timer);
}

/* Restores the order around `index` after its element changed. */
static void sift(struct prism_timer_heap *heap, size_t index)
{
    if (index > 0 && fires_before(heap->items[index], heap->items[(index - 1) / 2]))
        sift_up(heap, index);
    else
        sift_down(heap, index);
}

static int grow(struct prism_timer_heap *heap)
{
    size_t capacity = heap->capacity ? heap->capacity * 2 : 64;
    struct prism_timer **items = realloc(heap->items, capacity * sizeof(*items));
    if (!items)
        return -ENOMEM;
    heap->items = items;
    heap->capacity = capacity;
    return 0;
}

int prism_timer_heap_arm(struct prism_timer_heap *heap, struct prism_timer *timer,
                         uint64_t deadline_us)
{
    if (!prism_timer_is_armed(timer)) {
        if (heap->count == heap->capacity && grow(heap) < 0)
            return -ENOMEM;
        heap->items[heap->count] = timer;
        timer->index = heap->count++;
    }
    timer->deadline_us = deadline_us;
    timer->sequence = heap->next_sequence++;
    sift(heap, timer->index);
    return 0;
}

void prism_timer_heap_cancel(struct prism_timer_heap *heap, struct prism_timer *timer)
{
    if (!prism_timer_is_armed(timer))
        return;
    size_t index = timer->index;
    timer->index = PRISM_TIMER_DISARMED;
    struct prism_timer *last = heap->items[--heap->count];
    if (last == timer)
        return;
    heap->items[index] = last;
    last->index = index;
    sift(heap, index);
}

size_t prism_timer_heap_run_due(struct prism_timer_heap *heap, uint64_t now_us)
{
    uint64_t armed_before = heap->next_sequence;
    size_t ran = 0;
    for (;;) {
        struct prism_timer *timer = prism_timer_heap_first(heap);
        if (!timer || timer->deadline_us > now_us || timer->sequence >= armed_before)
            return ran;
        prism_timer_heap_cancel(heap, timer);
        ran++;
        timer->callback(timer, now_us, timer->data);
    }
}
