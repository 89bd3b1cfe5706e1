/* The Streaming plugin's config file, prism.plugin.streaming.jcfg: "permanent" create, edit
 * and destroy requests rewrite it, as Janus saves its streaming config. The file is regenerated
 * whole (a fixed header, the "streaming" settings the file set, the mountpoints list) and
 * replaced atomically (core/config_write). What it lists is kept apart from the live
 * mountpoints, as in Janus: one destroyed or edited without "permanent" stays as the file
 * says. */
#include "plugins/streaming/mountpoint.h"

#include "core/config_write.h"
#include "core/log.h"

#include <errno.h>

/* Guarded by file_lock (requests run on the plugin's worker; start and stop on the main
 * thread). */
static GMutex file_lock;
static char *file_path;       /* NULL: no config directory, nothing can be permanent */
static GTree *file_entries;   /* uint64_t id -> json_t mountpoint settings (owned) */
static json_t *file_settings; /* "streaming" members the file sets, key -> value */

static const char file_header[] =
    "# Prism Streaming plugin (janus.plugin.streaming): mountpoints fed by plain RTP over UDP\n"
    "# (ffmpeg -f rtp, GStreamer udpsink, a VideoRoom RTP forwarder) and watched over WebRTC by\n"
    "# any number of viewers (libconfig syntax).\n"
    "#\n"
    "# Every setting of the \"streaming\" section is listed with its default value, commented "
    "out:\n"
    "# remove the '#' in front of a setting to change it. Each one can also be given by an\n"
    "# environment variable PRISM_STREAMING_<KEY> (e.g. PRISM_STREAMING_ADMIN_KEY=...), which "
    "wins\n"
    "# over this file. See prism.jcfg.\n"
    "#\n"
    "# The \"mountpoints\" list holds the mountpoints that exist when Prism starts. Each is a "
    "group\n"
    "# with the settings of a Janus Streaming \"create\" request:\n"
    "#   type = \"rtp\" (the only type)\n"
    "#   id = <unique positive integer; chosen at random when left out>\n"
    "#   name = \"<name>\" (default: the id)\n"
    "#   description = \"<shown by list>\" (default: the name)\n"
    "#   metadata = \"<any text given to viewers by list and info>\" (default none)\n"
    "#   secret = \"<needed to edit, destroy, enable or disable it>\" (default none)\n"
    "#   pin = \"<needed to watch it>\" (default none)\n"
    "#   is_private = true|false (left out of list; default false)\n"
    "#   media = ( <one group per stream, at most 8> ), each with:\n"
    "#     type = \"audio\"|\"video\"|\"data\" (at most one data stream)\n"
    "#     mid = \"<unique short token, the m-line's mid for viewers>\"\n"
    "#     label = \"<text>\" (default: the mid)\n"
    "#     port = <UDP port RTP arrives on; 0 = any free port, reported by create and info>\n"
    "#     pt = <the payload type the source sends, 0-127>\n"
    "#     codec = \"opus\"|\"pcmu\"|\"pcma\"|\"g722\"|\"vp8\"|\"vp9\"|\"h264\"|\"av1\"\n"
    "#       (or rtpmap = \"VP8/90000\", \"opus/48000/2\": name, clock rate and channels)\n"
    "#     fmtp = \"<a=fmtp parameters for viewers>\" (default none)\n"
    "#   a data stream has only type, mid, label, port and\n"
    "#     datatype = \"text\"|\"binary\" (default text): each UDP datagram on the port is sent "
    "to\n"
    "#     every viewer as one data channel message\n"
    "# Packets with another payload type, datagrams that are not RTP and datagrams over 1500 "
    "bytes\n"
    "# are counted (info with the secret shows the counters) and dropped. The last complete\n"
    "# keyframe of each video stream is kept, so a new viewer starts at once.\n"
    "# Prism rewrites this file when a create, edit or destroy request has \"permanent\": true. "
    "It\n"
    "# then writes this header, each setting's one-line help, the settings set here and the\n"
    "# mountpoints list anew: other comments (the example below included) are not kept.\n";

void st_file_open(const char *path, const config_t *tree)
{
    g_mutex_lock(&file_lock);
    g_free(file_path);
    file_path = g_strdup(path);
    if (file_entries)
        g_tree_destroy(file_entries);
    file_entries = prism_config_entries_new();
    if (file_settings)
        json_decref(file_settings);
    file_settings = prism_config_section_values(tree, "streaming");
    g_mutex_unlock(&file_lock);
}

void st_file_close(void)
{
    g_mutex_lock(&file_lock);
    g_clear_pointer(&file_path, g_free);
    g_clear_pointer(&file_entries, g_tree_destroy);
    g_clear_pointer(&file_settings, json_decref);
    g_mutex_unlock(&file_lock);
}

bool st_file_available(void)
{
    g_mutex_lock(&file_lock);
    bool available = file_path != NULL;
    g_mutex_unlock(&file_lock);
    return available;
}

bool st_file_lists(uint64_t id)
{
    g_mutex_lock(&file_lock);
    bool listed = file_entries && g_tree_lookup(file_entries, &id);
    g_mutex_unlock(&file_lock);
    return listed;
}

json_t *st_mountpoint_to_config(const struct st_mountpoint *mp)
{
    json_t *entry = json_pack("{s:s, s:I, s:s, s:s}", "type", "rtp", "id", (json_int_t)mp->id,
                              "name", mp->name, "description", mp->description);
    if (mp->metadata)
        json_object_set_new(entry, "metadata", json_string(mp->metadata));
    if (mp->secret)
        json_object_set_new(entry, "secret", json_string(mp->secret));
    if (mp->pin)
        json_object_set_new(entry, "pin", json_string(mp->pin));
    if (mp->is_private)
        json_object_set_new(entry, "is_private", json_true());
    json_t *media = json_array();
    for (unsigned i = 0; i < mp->stream_count; i++)
        json_array_append_new(media, st_media_spec_to_json(&mp->streams[i].spec));
    json_object_set_new(entry, "media", media);
    return entry;
}

/* Rewrites the file from the state under file_lock. */
static int write_file(void *unused)
{
    GString *out = g_string_new(file_header);
    prism_config_append_section(out, "streaming", file_settings);
    prism_config_append_entries(out, "mountpoints", file_entries);
    int rc = prism_config_replace_file(file_path, out->str, "streaming");
    g_string_free(out, TRUE);
    return rc;
}

int st_file_store(uint64_t id, json_t *settings)
{
    g_mutex_lock(&file_lock);
    if (!file_path || !file_entries) {
        g_mutex_unlock(&file_lock);
        json_decref(settings);
        return -ENOENT;
    }
    int rc = prism_config_entries_change(file_entries, id, settings, write_file, NULL);
    g_mutex_unlock(&file_lock);
    return rc;
}

void st_file_remember(uint64_t id, json_t *settings)
{
    g_mutex_lock(&file_lock);
    if (file_entries)
        g_tree_insert(file_entries, g_memdup2(&id, sizeof(id)), settings);
    else
        json_decref(settings);
    g_mutex_unlock(&file_lock);
}
