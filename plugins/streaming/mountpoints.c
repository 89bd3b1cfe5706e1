/* The Streaming plugin's mountpoints: the registry, creation from a request or the config
 * file, destruction, and their JSON descriptions. Plugin worker only, but for the views and
 * viewer counts other workers read under the registry lock. */
#include "plugins/streaming/mountpoint.h"

#include "core/ids.h"
#include "core/metrics_page.h"
#include "core/params.h"
#include "core/session.h"
#include "media/peer/handle_media.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* uint64_t id -> struct st_mountpoint *, owned. Written by the plugin's worker under
 * registry_lock, which other threads take to read it. */
static GHashTable *mountpoints;
static GMutex registry_lock;
/* For the metrics page, read from the scraping thread. */
static atomic_uint mountpoint_count;
static atomic_uint viewer_count;

static guint hash_id(gconstpointer key)
{
    uint64_t id = *(const uint64_t *)key;
    return (guint)(id ^ (id >> 32));
}

static gboolean equal_id(gconstpointer a, gconstpointer b)
{
    return *(const uint64_t *)a == *(const uint64_t *)b;
}

static void mountpoint_free(struct st_mountpoint *mp)
{
    for (unsigned i = 0; i < mp->stream_count; i++) {
        struct st_stream *stream = &mp->streams[i];
        st_stream_close(stream);
        st_feed_clear(&stream->feed);
    }
    if (mp->viewers)
        g_ptr_array_free(mp->viewers, TRUE);
    g_free(mp->name);
    g_free(mp->description);
    g_free(mp->metadata);
    g_free(mp->secret);
    g_free(mp->pin);
    g_free(mp);
}

void st_registry_lock(void)
{
    g_mutex_lock(&registry_lock);
}

void st_registry_unlock(void)
{
    g_mutex_unlock(&registry_lock);
}

void st_mountpoints_init(void)
{
    st_registry_lock();
    if (!mountpoints)
        mountpoints = g_hash_table_new(hash_id, equal_id);
    st_registry_unlock();
}

static void destroy_each(struct st_mountpoint *mp, void *data)
{
    *(GSList **)data = g_slist_prepend(*(GSList **)data, mp);
}

void st_mountpoints_shutdown(void)
{
    if (!mountpoints)
        return;
    GSList *all = NULL;
    st_mountpoints_foreach(destroy_each, &all);
    for (GSList *it = all; it; it = it->next)
        st_mountpoint_destroy(it->data);
    g_slist_free(all);
    st_registry_lock();
    g_hash_table_destroy(mountpoints);
    mountpoints = NULL;
    st_registry_unlock();
}

static atomic_uint_fast64_t mountpoints_refused, viewers_refused;

void st_count_refusal(bool mountpoint)
{
    atomic_fetch_add(mountpoint ? &mountpoints_refused : &viewers_refused, 1);
}

void st_count_viewers(int delta)
{
    atomic_fetch_add(&viewer_count, (unsigned)delta);
}

void st_collect_metrics(struct prism_metrics_gauges *out)
{
    prism_metrics_gauges_add(out, "prism_streaming_mountpoints", "Streaming mountpoints", NULL,
                             NULL, (double)atomic_load(&mountpoint_count));
    prism_metrics_gauges_add(out, "prism_streaming_viewers", "Viewers watching a mountpoint", NULL,
                             NULL, (double)atomic_load(&viewer_count));
    prism_metrics_counters_add(out, "prism_streaming_mountpoints_refused_total",
                               "Streaming creates refused: max_mountpoints reached",
                               (double)atomic_load(&mountpoints_refused));
    prism_metrics_counters_add(out, "prism_streaming_viewers_refused_total",
                               "Streaming watches refused: the mountpoint had max_viewers",
                               (double)atomic_load(&viewers_refused));
}

struct st_mountpoint *st_mountpoint_find(uint64_t id)
{
    return mountpoints ? g_hash_table_lookup(mountpoints, &id) : NULL;
}

int st_mountpoint_view(uint64_t id, const char *pin, struct st_mountpoint_view *view, char *reason,
                       size_t reason_size)
{
    int code = 0;
    st_registry_lock();
    struct st_mountpoint *mp = st_mountpoint_find(id);
    if (!mp) {
        code = PRISM_STREAMING_ERROR_NO_SUCH_MOUNTPOINT;
        snprintf(reason, reason_size, "No such mountpoint/stream %" G_GUINT64_FORMAT, id);
    } else if (!mp->enabled) {
        code = PRISM_STREAMING_ERROR_NO_SUCH_MOUNTPOINT;
        snprintf(reason, reason_size, "Mountpoint %" G_GUINT64_FORMAT " is not enabled", id);
    } else if (mp->pin && !st_secret_equal(mp->pin, pin)) {
        code = PRISM_STREAMING_ERROR_UNAUTHORIZED;
        snprintf(reason, reason_size, "Unauthorized (wrong pin)");
    } else {
        view->id = mp->id;
        view->worker = mp->worker;
        view->stream_count = mp->stream_count;
        for (unsigned i = 0; i < mp->stream_count; i++)
            view->specs[i] = mp->streams[i].spec;
    }
    st_registry_unlock();
    return code;
}

unsigned st_mountpoint_viewers(uint64_t id)
{
    st_registry_lock();
    struct st_mountpoint *mp = st_mountpoint_find(id);
    unsigned count = mp ? atomic_load(&mp->viewer_count) : 0;
    st_registry_unlock();
    return count;
}

void st_mountpoint_count_viewer(uint64_t id, int delta)
{
    st_registry_lock();
    struct st_mountpoint *mp = st_mountpoint_find(id);
    if (mp)
        atomic_fetch_add(&mp->viewer_count, (unsigned)delta);
    st_registry_unlock();
}

void st_mountpoints_foreach(void (*each)(struct st_mountpoint *mp, void *data), void *data)
{
    if (!mountpoints)
        return;
    GHashTableIter iter;
    gpointer value;
    g_hash_table_iter_init(&iter, mountpoints);
    while (g_hash_table_iter_next(&iter, NULL, &value))
        each(value, data);
}

static const struct prism_param create_params[] = {
    {"type", PRISM_PARAM_STRING, PRISM_PARAM_REQUIRED},
    {"id", PRISM_PARAM_INTEGER, PRISM_PARAM_UNSIGNED}, /* 0 = pick one, as Janus does */
    {"name", PRISM_PARAM_STRING, 0},
    {"description", PRISM_PARAM_STRING, 0},
    {"metadata", PRISM_PARAM_STRING, 0},
    {"secret", PRISM_PARAM_STRING, 0},
    {"pin", PRISM_PARAM_STRING, 0},
    {"is_private", PRISM_PARAM_BOOLEAN, 0},
    {"media", PRISM_PARAM_ARRAY, PRISM_PARAM_REQUIRED},
    {"permanent", PRISM_PARAM_BOOLEAN, 0},
};

static char *optional_string(json_t *request, const char *key)
{
    const char *value = json_string_value(json_object_get(request, key));
    return value && value[0] ? g_strdup(value) : NULL;
}

/* Checks the request and fills the specs; returns the stream count or -code. */
static int check_create(json_t *request, struct st_stream_spec specs[ST_MAX_STREAMS], uint64_t *id,
                        char *reason, size_t size)
{
    static const struct prism_param_codes codes = {PRISM_STREAMING_ERROR_MISSING_ELEMENT,
                                                   PRISM_STREAMING_ERROR_INVALID_ELEMENT};
    int code = prism_params_validate(request, create_params, PRISM_PARAMS_COUNT(create_params),
                                     &codes, reason, size);
    if (code)
        return -code;
    if (strcmp(json_string_value(json_object_get(request, "type")), "rtp") != 0) {
        snprintf(reason, size, "Invalid element (type: only rtp mountpoints are supported)");
        return -PRISM_STREAMING_ERROR_INVALID_ELEMENT;
    }
    json_t *given = json_object_get(request, "id");
    *id = given ? (uint64_t)json_integer_value(given) : 0;
    if (*id && st_mountpoint_find(*id)) {
        snprintf(reason, size, "A stream with the provided ID already exists");
        return -PRISM_STREAMING_ERROR_CANT_CREATE;
    }
    while (!*id || st_mountpoint_find(*id))
        *id = prism_random_id();
    return st_media_spec_parse(json_object_get(request, "media"), specs, reason, size);
}

int st_mountpoint_create(json_t *request, struct st_mountpoint **out, char *reason,
                         size_t reason_size)
{
    struct st_stream_spec specs[ST_MAX_STREAMS];
    uint64_t id = 0;
    int count = check_create(request, specs, &id, reason, reason_size);
    if (count < 0)
        return count;
    struct st_mountpoint *mp = g_new0(struct st_mountpoint, 1);
    mp->id = id;
    mp->name = optional_string(request, "name");
    if (!mp->name)
        mp->name = g_strdup_printf("%" G_GUINT64_FORMAT, id);
    mp->description = optional_string(request, "description");
    if (!mp->description)
        mp->description = g_strdup(mp->name);
    mp->metadata = optional_string(request, "metadata");
    mp->secret = optional_string(request, "secret");
    mp->pin = optional_string(request, "pin");
    mp->is_private = json_is_true(json_object_get(request, "is_private"));
    mp->enabled = true;
    mp->worker = st_worker();
    mp->viewers = g_ptr_array_new();
    for (int i = 0; i < count; i++) {
        struct st_stream *stream = &mp->streams[i];
        stream->mountpoint = mp;
        stream->index = (unsigned)i;
        stream->spec = specs[i];
        stream->fd = -1;
        st_feed_init(&stream->feed, &stream->spec);
        mp->stream_count++;
    }
    for (unsigned i = 0; i < mp->stream_count; i++) {
        if (st_stream_open(&mp->streams[i], reason, reason_size) < 0) {
            mountpoint_free(mp);
            return -PRISM_STREAMING_ERROR_CANT_CREATE;
        }
    }
    st_registry_lock();
    g_hash_table_insert(mountpoints, &mp->id, mp);
    st_registry_unlock();
    atomic_fetch_add(&mountpoint_count, 1);
    *out = mp;
    return 0;
}

void st_mountpoint_destroy(struct st_mountpoint *mp)
{
    /* Viewers here are told and hung up (detaching unlinks them from the array, while the
     * mountpoint can still be found); those on other workers through their groups. */
    while (mp->viewers->len) {
        struct st_viewer *viewer = mp->viewers->pdata[mp->viewers->len - 1];
        st_viewer_source_gone(&viewer->streams[0]);
    }
    for (unsigned i = 0; i < mp->stream_count; i++)
        st_relay_detach_all(&mp->streams[i]);
    st_registry_lock();
    g_hash_table_remove(mountpoints, &mp->id);
    st_registry_unlock();
    atomic_fetch_sub(&mountpoint_count, 1);
    mountpoint_free(mp);
}

static const char *kind_name(enum prism_sdp_media_kind kind)
{
    return kind == PRISM_SDP_MEDIA_AUDIO   ? "audio"
           : kind == PRISM_SDP_MEDIA_VIDEO ? "video"
                                           : "data";
}

static json_t *stream_json(const struct st_stream *stream, bool full)
{
    json_t *entry = json_pack("{s:i, s:s, s:s, s:s}", "mindex", (int)stream->index, "mid",
                              stream->spec.mid, "type", kind_name(stream->spec.kind), "label",
                              stream->spec.label);
    if (stream->last_received_us) {
        uint64_t now = prism_now_us();
        uint64_t age = now > stream->last_received_us ? now - stream->last_received_us : 0;
        json_object_set_new(entry, "age_ms", json_integer((json_int_t)(age / 1000)));
    }
    if (!full)
        return entry;
    const struct st_ingest_counters *c = &stream->counters;
    if (stream->spec.kind == PRISM_SDP_MEDIA_APPLICATION) {
        json_object_set_new(entry, "datatype",
                            json_string(stream->spec.binary ? "binary" : "text"));
        json_object_set_new(entry, "port", json_integer(stream->spec.port));
        json_object_set_new(entry, "packets", json_integer((json_int_t)c->packets));
        json_object_set_new(entry, "dropped_oversize",
                            json_integer((json_int_t)c->dropped_oversize));
        return entry;
    }
    const struct prism_sdp_codec *codec = &stream->spec.codec;
    char rtpmap[PRISM_SDP_TOKEN_LEN + 32];
    st_codec_rtpmap(codec, rtpmap, sizeof(rtpmap));
    json_object_set_new(entry, "pt", json_integer(codec->pt));
    json_object_set_new(entry, "codec", json_string(codec->name));
    json_object_set_new(entry, "rtpmap", json_string(rtpmap));
    if (codec->fmtp[0])
        json_object_set_new(entry, "fmtp", json_string(codec->fmtp));
    json_object_set_new(entry, "port", json_integer(stream->spec.port));
    json_object_set_new(entry, "packets", json_integer((json_int_t)c->packets));
    json_object_set_new(entry, "bytes", json_integer((json_int_t)c->bytes));
    json_object_set_new(entry, "dropped_invalid", json_integer((json_int_t)c->dropped_invalid));
    json_object_set_new(entry, "dropped_oversize", json_integer((json_int_t)c->dropped_oversize));
    if (stream->spec.kind == PRISM_SDP_MEDIA_VIDEO) {
        json_object_set_new(entry, "frames", json_integer((json_int_t)c->frames));
        json_object_set_new(entry, "keyframes", json_integer((json_int_t)c->keyframes));
    }
    return entry;
}

json_t *st_mountpoint_summary(const struct st_mountpoint *mp)
{
    json_t *media = json_array();
    for (unsigned i = 0; i < mp->stream_count; i++)
        json_array_append_new(media, stream_json(&mp->streams[i], false));
    json_t *summary = json_pack("{s:I, s:s, s:s, s:b, s:o}", "id", (json_int_t)mp->id, "type",
                                "live", "description", mp->description, "enabled", mp->enabled,
                                "media", media);
    if (mp->metadata)
        json_object_set_new(summary, "metadata", json_string(mp->metadata));
    return summary;
}

/* With `full` (the right secret, or none is set): secret, pin, ports, codecs and counters. */
json_t *st_mountpoint_info(const struct st_mountpoint *mp, bool full)
{
    json_t *media = json_array();
    for (unsigned i = 0; i < mp->stream_count; i++)
        json_array_append_new(media, stream_json(&mp->streams[i], full));
    json_t *info = json_pack("{s:I, s:s, s:s, s:s, s:b, s:i, s:o}", "id", (json_int_t)mp->id,
                             "name", mp->name, "description", mp->description, "type", "live",
                             "enabled", mp->enabled, "viewers", (int)atomic_load(&mp->viewer_count),
                             "media", media);
    if (mp->metadata)
        json_object_set_new(info, "metadata", json_string(mp->metadata));
    if (full) {
        if (mp->secret)
            json_object_set_new(info, "secret", json_string(mp->secret));
        if (mp->pin)
            json_object_set_new(info, "pin", json_string(mp->pin));
        json_object_set_new(info, "is_private", json_boolean(mp->is_private));
    }
    return info;
}

json_t *st_mountpoint_ports(const struct st_mountpoint *mp)
{
    json_t *ports = json_array();
    for (unsigned i = 0; i < mp->stream_count; i++) {
        const struct st_stream *stream = &mp->streams[i];
        json_array_append_new(ports,
                              json_pack("{s:s, s:s, s:i}", "type", kind_name(stream->spec.kind),
                                        "mid", stream->spec.mid, "port", (int)stream->spec.port));
    }
    return ports;
}
