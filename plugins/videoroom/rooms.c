/* The VideoRoom's room registry: rooms by id under one mutex, their reference counts, their
 * worker, and the secret/pin/token checks. */
#include "plugins/videoroom/room_internal.h"

#include "core/ids.h"
#include "core/metrics_page.h"
#include "core/worker.h"
#include "plugins/videoroom/videoroom.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Static GMutexes need no initialisation. The table's keys point at each room's own id; the
 * table holds one reference to every room in it. */
static GMutex registry_lock;
static GHashTable *registry;
static struct prism_worker_pool *worker_pool; /* set once by the plugin's init */
/* Plugin-wide limits, set at init (vr_rooms_set_limits); read from any thread. */
static atomic_uint max_rooms_setting;
static atomic_uint default_max_subscribers;
/* Refusals for the metrics page. */
static atomic_uint_fast64_t rooms_refused, subscribers_refused;

void vr_rooms_set_limits(unsigned max_rooms, unsigned max_subscribers)
{
    atomic_store(&max_rooms_setting, max_rooms);
    atomic_store(&default_max_subscribers, max_subscribers);
}

unsigned vr_rooms_max_rooms(void)
{
    return atomic_load(&max_rooms_setting);
}

unsigned vr_rooms_default_max_subscribers(void)
{
    return atomic_load(&default_max_subscribers);
}

bool vr_room_take_subscriber_slot(struct vr_room *room)
{
    unsigned count = atomic_load(&room->subscriber_count);
    do {
        if (room->max_subscribers && count >= room->max_subscribers) {
            atomic_fetch_add(&subscribers_refused, 1);
            return false;
        }
    } while (!atomic_compare_exchange_weak(&room->subscriber_count, &count, count + 1));
    return true;
}

static void room_free(struct vr_room *room)
{
    if (room->worker)
        prism_worker_release(room->worker);
    g_free(room->description);
    g_free(room->secret);
    g_free(room->pin);
    g_hash_table_destroy(room->allowed);
    g_hash_table_destroy(room->publishers);
    g_ptr_array_free(room->subscribers, TRUE);
    g_ptr_array_free(room->remote_subscribers, TRUE);
    g_mutex_clear(&room->lock);
    free(room);
}

struct vr_room *vr_room_ref(struct vr_room *room)
{
    atomic_fetch_add(&room->refs, 1);
    return room;
}

void vr_room_unref(struct vr_room *room)
{
    if (room && atomic_fetch_sub(&room->refs, 1) == 1)
        room_free(room);
}

void vr_rooms_init(void)
{
    g_mutex_lock(&registry_lock);
    if (!registry)
        registry = g_hash_table_new(prism_id_hash, prism_id_equal);
    g_mutex_unlock(&registry_lock);
}

void vr_rooms_set_workers(struct prism_worker_pool *pool)
{
    g_mutex_lock(&registry_lock);
    worker_pool = pool;
    g_mutex_unlock(&registry_lock);
}

void vr_rooms_collect_metrics(struct prism_metrics_gauges *out)
{
    unsigned rooms = 0, publishers = 0, subscribers = 0;
    g_mutex_lock(&registry_lock);
    if (registry) {
        GHashTableIter iter;
        gpointer value;
        g_hash_table_iter_init(&iter, registry);
        while (g_hash_table_iter_next(&iter, NULL, &value)) {
            struct vr_room *room = value;
            unsigned room_subscribers = atomic_load(&room->subscriber_count);
            unsigned participants = atomic_load(&room->participant_count);
            rooms++;
            subscribers += room_subscribers;
            /* participant_count counts subscribers too (Janus's num_participants). */
            publishers += participants > room_subscribers ? participants - room_subscribers : 0;
        }
    }
    g_mutex_unlock(&registry_lock);
    prism_metrics_gauges_add(out, "prism_videoroom_rooms", "VideoRoom rooms", NULL, NULL, rooms);
    prism_metrics_gauges_add(out, "prism_videoroom_participants", "VideoRoom participants by role",
                             "role", "publisher", publishers);
    prism_metrics_gauges_add(out, "prism_videoroom_participants", "VideoRoom participants by role",
                             "role", "subscriber", subscribers);
    prism_metrics_counters_add(out, "prism_videoroom_rooms_refused_total",
                               "VideoRoom creates refused: max_rooms reached",
                               (double)atomic_load(&rooms_refused));
    prism_metrics_counters_add(out, "prism_videoroom_subscribers_refused_total",
                               "VideoRoom subscriber joins refused: the room's max_subscribers",
                               (double)atomic_load(&subscribers_refused));
}

void vr_rooms_shutdown(void)
{
    g_mutex_lock(&registry_lock);
    GHashTable *rooms = registry;
    registry = NULL;
    g_mutex_unlock(&registry_lock);
    if (rooms) {
        GHashTableIter iter;
        gpointer value;
        g_hash_table_iter_init(&iter, rooms);
        while (g_hash_table_iter_next(&iter, NULL, &value))
            vr_room_unref(value);
        g_hash_table_destroy(rooms);
    }
    vr_room_file_reset();
}

struct vr_room *vr_rooms_find(uint64_t id)
{
    g_mutex_lock(&registry_lock);
    struct vr_room *room = registry ? g_hash_table_lookup(registry, &id) : NULL;
    if (room)
        vr_room_ref(room);
    g_mutex_unlock(&registry_lock);
    return room;
}

/* Registry lock held: gives the room its id (a random unused one for 0), description and
 * worker, and adds it. Returns 0 or 427/499 (499 also when `max_rooms` rooms exist). */
static int insert_locked(struct vr_room *room, uint64_t id, unsigned max_rooms, char *reason,
                         size_t reason_size)
{
    if (!registry || !worker_pool) {
        snprintf(reason, reason_size, "The VideoRoom plugin is not initialised");
        return PRISM_VIDEOROOM_ERROR_UNKNOWN;
    }
    if (max_rooms && g_hash_table_size(registry) >= max_rooms) {
        atomic_fetch_add(&rooms_refused, 1);
        snprintf(reason, reason_size, "Maximum number of rooms (%u) reached", max_rooms);
        return PRISM_VIDEOROOM_ERROR_UNKNOWN;
    }
    if (id && g_hash_table_contains(registry, &id)) {
        snprintf(reason, reason_size, "Room %" G_GUINT64_FORMAT " already exists", id);
        return PRISM_VIDEOROOM_ERROR_ROOM_EXISTS;
    }
    while (!id) {
        id = prism_random_id();
        if (g_hash_table_contains(registry, &id))
            id = 0;
    }
    room->id = id;
    if (!room->description)
        room->description = g_strdup_printf("Room %" G_GUINT64_FORMAT, id);
    room->worker = prism_worker_pool_acquire(worker_pool);
    g_hash_table_insert(registry, &room->id, room);
    return 0;
}

int vr_rooms_create(uint64_t id, json_t *settings, struct vr_room **out, char *reason,
                    size_t reason_size)
{
    return vr_rooms_create_limited(id, settings, 0, out, reason, reason_size);
}

int vr_rooms_create_limited(uint64_t id, json_t *settings, unsigned max_rooms, struct vr_room **out,
                            char *reason, size_t reason_size)
{
    struct vr_room *room = vr_room_new();
    if (!room) {
        snprintf(reason, reason_size, "Out of memory");
        return PRISM_VIDEOROOM_ERROR_UNKNOWN;
    }
    int code = vr_room_settings_apply(room, settings, reason, reason_size);
    if (code == 0) {
        g_mutex_lock(&registry_lock);
        code = insert_locked(room, id, max_rooms, reason, reason_size);
        g_mutex_unlock(&registry_lock);
    }
    if (code) {
        vr_room_unref(room);
        return code;
    }
    *out = vr_room_ref(room); /* the registry keeps the first reference */
    return 0;
}

struct vr_room *vr_rooms_remove(uint64_t id)
{
    g_mutex_lock(&registry_lock);
    struct vr_room *room = registry ? g_hash_table_lookup(registry, &id) : NULL;
    if (room)
        g_hash_table_remove(registry, &id);
    g_mutex_unlock(&registry_lock);
    return room;
}

bool vr_rooms_remove_exact(struct vr_room *room)
{
    g_mutex_lock(&registry_lock);
    bool found = registry && g_hash_table_lookup(registry, &room->id) == room;
    if (found)
        g_hash_table_remove(registry, &room->id);
    g_mutex_unlock(&registry_lock);
    return found;
}

void vr_rooms_foreach(void (*each)(struct vr_room *room, void *data), void *data)
{
    g_mutex_lock(&registry_lock);
    if (registry) {
        GHashTableIter iter;
        gpointer value;
        g_hash_table_iter_init(&iter, registry);
        while (g_hash_table_iter_next(&iter, NULL, &value))
            each(value, data);
    }
    g_mutex_unlock(&registry_lock);
}

bool vr_secret_equal(const char *expected, const char *given)
{
    size_t expected_length = strlen(expected), given_length = strlen(given);
    unsigned char difference = expected_length != given_length;
    /* Reads `given` no further than its terminator, whatever the lengths. */
    for (size_t i = 0; i < expected_length; i++) {
        size_t j = i < given_length ? i : given_length;
        difference |= (unsigned char)(expected[i] ^ given[j]);
    }
    return difference == 0;
}

/* A configured secret or pin: NULL (none needed) passes; otherwise `given` must match. */
static bool check_key(struct vr_room *room, char *const *field, const char *given)
{
    g_mutex_lock(&room->lock);
    bool ok = !*field || (given && vr_secret_equal(*field, given));
    g_mutex_unlock(&room->lock);
    return ok;
}

bool vr_room_check_secret(struct vr_room *room, const char *secret)
{
    return check_key(room, &room->secret, secret);
}

bool vr_room_check_pin(struct vr_room *room, const char *pin)
{
    return check_key(room, &room->pin, pin);
}

bool vr_room_check_token(struct vr_room *room, const char *token)
{
    g_mutex_lock(&room->lock);
    bool ok = !room->check_allowed;
    if (!ok && token) {
        /* Every token is compared in full, so the time does not reveal near misses. */
        GHashTableIter iter;
        gpointer key;
        g_hash_table_iter_init(&iter, room->allowed);
        while (g_hash_table_iter_next(&iter, &key, NULL))
            ok |= vr_secret_equal(key, token);
    }
    g_mutex_unlock(&room->lock);
    return ok;
}
