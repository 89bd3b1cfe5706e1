/* A binary min-heap of deadlines: the timers of one worker, earliest first.
 *
 * Why a heap and not a timer wheel: per-peer deadlines (RTCP reports, NACK and
 * retransmission timing, DTLS retransmissions, keyframe throttles, consent,
 * session timeouts) are re-armed often, over ranges from milliseconds to a
 * minute, and must fire in exact order at microsecond resolution. With the
 * index back-pointer kept in each timer, arm, re-arm and cancel cost O(log n)
 * moves (17 levels for 100,000 timers) and the earliest deadline is O(1), with
 * no granularity to choose, no cascading between wheel levels and no bucket
 * scan when the wheel is sparse. A wheel would make arming O(1) but firing
 * order within a slot approximate; the heap's constant is small enough.
 *
 * Timers are embedded in the objects that own them: arming never allocates
 * (only the heap's pointer array grows, amortised, when more timers are armed
 * at once than ever before). A heap and its timers belong to one thread. */
#ifndef PRISM_CORE_TIMER_HEAP_H
#define PRISM_CORE_TIMER_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct prism_timer;

/* Called when the timer's deadline has passed; `now_us` is the time of the
 * wake-up that found it due. The timer is disarmed before the call, so the
 * callback may re-arm it (or free its owner). */
typedef void (*prism_timer_cb)(struct prism_timer *timer, uint64_t now_us, void *data);

/* Owned by the object that embeds it. Fields are private to the heap. */
struct prism_timer {
    uint64_t deadline_us;
    uint64_t sequence; /* arm order: timers with equal deadlines fire in arm order */
    size_t index;      /* position in the heap, PRISM_TIMER_DISARMED when not armed */
    prism_timer_cb callback;
    void *data;
};

#define PRISM_TIMER_DISARMED SIZE_MAX

struct prism_timer_heap {
    struct prism_timer **items;
    size_t count;
    size_t capacity;
    uint64_t next_sequence;
    uint64_t moves; /* items moved by sifting since init: lets tests check O(log n) */
};

void prism_timer_init(struct prism_timer *timer, prism_timer_cb callback, void *data);

static inline bool prism_timer_is_armed(const struct prism_timer *timer)
{
    return timer->index != PRISM_TIMER_DISARMED;
}

void prism_timer_heap_init(struct prism_timer_heap *heap);
/* Frees the array; armed timers are left disarmed. */
void prism_timer_heap_deinit(struct prism_timer_heap *heap);

/* Arms `timer` for the absolute time `deadline_us`, or moves it there when it
 * is already armed. Returns 0, or -ENOMEM when the array could not grow (the
 * timer is then left as it was). */
int prism_timer_heap_arm(struct prism_timer_heap *heap, struct prism_timer *timer,
                         uint64_t deadline_us);

/* Disarms `timer`; nothing happens when it is not armed. */
void prism_timer_heap_cancel(struct prism_timer_heap *heap, struct prism_timer *timer);

/* The earliest armed timer, or NULL. */
static inline struct prism_timer *prism_timer_heap_first(const struct prism_timer_heap *heap)
{
    return heap->count ? heap->items[0] : NULL;
}

/* Disarms and calls, in deadline order, every timer due at `now_us`. A timer
 * armed (or re-armed) by a callback during this call waits for the next call
 * even when already due, so a timer re-armed for `now_us` cannot starve the
 * loop. Returns how many ran. */
size_t prism_timer_heap_run_due(struct prism_timer_heap *heap, uint64_t now_us);

#endif
