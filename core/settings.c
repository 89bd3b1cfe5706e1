/* Prism's settings table: every file, section and setting, with defaults and limits.
 * Keep conf/ in step: each entry below has a documented, commented-out line there. */
#include "core/settings.h"

#include "core/events.h"

#include "core/netaddr.h"

#include <ctype.h>
#include <limits.h>
#include <sys/socket.h>
#include <stdio.h>
#include <string.h>

/* One line per setting. */
/* clang-format off */
#define INT_SETTING(sec, name, def, lo, hi, flag_name, text)                                      \
    {.section = sec, .key = name, .type = PRISM_SETTING_INT, .default_value = def, .min = lo,    \
     .max = hi, .flag = flag_name, .help = text}
#define BOOL_SETTING(sec, name, def, flag_name, text)                                             \
    {.section = sec, .key = name, .type = PRISM_SETTING_BOOL, .default_value = def,             \
     .flag = flag_name, .help = text}
#define STRING_SETTING(sec, name, def, rule, flag_name, text)                                     \
    {.section = sec, .key = name, .type = PRISM_SETTING_STRING, .default_value = def,           \
     .check = rule, .flag = flag_name, .help = text}
/* A password-like string: never printed (--print-config hides it). */
#define SECRET_SETTING(sec, name, text)                                                            \
    {.section = sec, .key = name, .type = PRISM_SETTING_STRING, .default_value = "",            \
     .help = text, .secret = true}
#define CHOICE_SETTING(sec, name, def, options, flag_name, text)                                  \
    {.section = sec, .key = name, .type = PRISM_SETTING_STRING, .default_value = def,           \
     .choices = options, .flag = flag_name, .help = text}
/* clang-format on */

static const char *check_not_empty(const char *value)
{
    return value[0] ? NULL : "must not be empty";
}

static const char *check_url_path(const char *value)
{
    if (value[0] != '/')
        return "must start with '/'";
    for (const char *c = value; *c; c++) {
        if (isspace((unsigned char)*c) || *c == '?' || *c == '#')
            return "must be a plain URL path (no spaces, '?' or '#')";
    }
    return NULL;
}

static const char *check_interface_list(const char *value)
{
    struct prism_interface_match items[PRISM_NETADDR_LIST_MAX];
    size_t count;
    if (prism_interface_list_parse(value, items, PRISM_NETADDR_LIST_MAX, &count) != 0)
        return "must be a comma-separated list of IP addresses and interface names (at most 32)";
    return NULL;
}

static const char *check_cidr_list(const char *value)
{
    struct prism_cidr items[PRISM_NETADDR_LIST_MAX];
    size_t count;
    if (prism_cidr_list_parse(value, items, PRISM_NETADDR_LIST_MAX, &count) != 0)
        return "must be a comma-separated list of networks such as 10.0.0.0/8 (at most 32)";
    return NULL;
}

static const char *check_port_range(const char *value)
{
    uint16_t min, max;
    if (prism_port_range_parse(value, &min, &max) != 0)
        return "must be \"min-max\" with 1 <= min <= max <= 65535";
    return NULL;
}

static const char *check_optional_host_port(const char *value)
{
    char host[256];
    uint16_t port;
    if (value[0] && prism_host_port_parse(value, host, sizeof(host), &port) != 0)
        return "must be empty or \"host:port\" (\"[address]:port\" for IPv6)";
    return NULL;
}

static const char *check_optional_url(const char *value)
{
    if (value[0] && !prism_event_url_valid(value))
        return "must be empty or an http:// or https:// URL";
    return NULL;
}

static const char *check_event_kinds(const char *value)
{
    uint32_t mask;
    if (prism_event_mask_parse(value, &mask) != 0)
        return "must be \"all\", \"none\" or a list of sessions, handles, jsep, webrtc, media, "
               "plugins, transports, core";
    return NULL;
}

static const char *check_optional_ip(const char *value)
{
    struct prism_ip ip;
    if (value[0] && prism_ip_parse(value, strlen(value), &ip) != 0)
        return "must be empty or an IPv4 or IPv6 address";
    return NULL;
}

static const char *check_ipv4(const char *value)
{
    struct prism_ip ip;
    if (prism_ip_parse(value, strlen(value), &ip) != 0 || ip.family != AF_INET)
        return "must be an IPv4 address";
    return NULL;
}

static const struct prism_config_section sections[] = {
    {.file = "prism.jcfg", .name = "general"},
    {.file = "prism.jcfg", .name = "media"},
    {.file = "prism.transport.http.jcfg", .name = "http"},
    {.file = "prism.transport.http.jcfg", .name = "cors"},
    {.file = "prism.transport.http.jcfg", .name = "admin_http"},
    {.file = "prism.transport.http.jcfg", .name = "whip"},
    {.file = "prism.transport.websockets.jcfg", .name = "websockets"},
    {.file = "prism.transport.websockets.jcfg", .name = "admin_ws"},
    {.file = "prism.plugin.videoroom.jcfg", .name = "videoroom"},
    /* The VideoRoom's rooms: a list read by plugins/videoroom/room_file.c. */
    {.file = "prism.plugin.videoroom.jcfg", .name = "rooms", .free_form = true},
    {.file = "prism.plugin.streaming.jcfg", .name = "streaming"},
    /* The Streaming plugin's mountpoints: a list read by plugins/streaming/streaming.c. */
    {.file = "prism.plugin.streaming.jcfg", .name = "mountpoints", .free_form = true},
};

static const struct prism_setting settings[] = {
    STRING_SETTING("general", "server_name", "Prism", check_not_empty, NULL,
                   "Name reported by the \"info\" request"),
    CHOICE_SETTING("general", "log_level", "info", "fatal|error|warn|info|verbose|debug",
                   "log-level", "Highest log level printed"),
    BOOL_SETTING("general", "log_json", "false", "log-json",
                 "Log JSON lines (one object per line) instead of text"),
    STRING_SETTING("general", "log_file", "", NULL, "log-file",
                   "Log file (appended; SIGHUP reopens it); empty = stderr"),
    INT_SETTING("general", "drain_timeout", "0", 0, 86400, "drain-timeout",
                "Seconds SIGTERM lets open sessions go on, new ones refused; 0 = stop now"),
    INT_SETTING("general", "workers", "0", 0, 1024, "workers",
                "Media worker threads; 0 = one per CPU core"),
    INT_SETTING("general", "session_timeout", "60", 0, INT_MAX, "session-timeout",
                "Seconds of client silence before a session times out; 0 = never"),
    INT_SETTING("general", "reclaim_session_timeout", "0", 0, INT_MAX, NULL,
                "Seconds a session whose transport closed can be claimed again; 0 = none"),
    INT_SETTING("general", "max_sessions", "0", 0, INT_MAX, NULL,
                "Most sessions at once; 0 = unlimited"),
    INT_SETTING("general", "max_handles_per_session", "0", 0, INT_MAX, NULL,
                "Most handles in one session; 0 = unlimited"),
    INT_SETTING("general", "max_peers_per_session", "32", 0, INT_MAX, NULL,
                "Most PeerConnections in one session (a handle has at most one); 0 = unlimited"),
    INT_SETTING("general", "max_sessions_per_address", "100", 0, INT_MAX, NULL,
                "Most sessions one client address (an IPv6 /64) holds at once; 0 = unlimited"),
    INT_SETTING("general", "requests_per_second", "100", 0, INT_MAX, NULL,
                "Janus API, WHIP and WHEP requests per second per client address; 0 = unlimited"),
    INT_SETTING("general", "request_burst", "200", 0, INT_MAX, NULL,
                "Requests one client address may send at once above requests_per_second; "
                "0 = requests_per_second"),
    STRING_SETTING(
        "general", "event_webhook", "", check_optional_url, NULL,
        "URL events are POSTed to, as JSON arrays in Janus's event shapes; empty = none"),
    STRING_SETTING("general", "event_webhook_events", "all", check_event_kinds, NULL,
                   "Kinds of events sent to event_webhook"),
    INT_SETTING("general", "event_queue_size", "10000", 1, 10000000, NULL,
                "Events held for the webhook; more are dropped and counted"),
    INT_SETTING("general", "event_stats_period", "5", 0, 3600, NULL,
                "Seconds between media statistics events per PeerConnection; 0 = none"),
    SECRET_SETTING("general", "api_secret",
                   "Secret every Janus API request must carry as \"apisecret\"; empty = none"),
    BOOL_SETTING("general", "token_auth", "false", "token-auth",
                 "Every Janus API request must carry a valid \"token\""),
    SECRET_SETTING("general", "token_auth_secret",
                   "With token_auth: tokens are signed with this secret (HMAC-SHA1) instead "
                   "of stored through the Admin API; empty = stored tokens"),
    SECRET_SETTING("general", "admin_secret",
                   "Secret every Admin API request must carry as \"admin_secret\"; empty = none"),

    CHOICE_SETTING("media", "ice_mode", "lite", "full|lite", "ice-mode",
                   "Server-side ICE: libnice per PeerConnection, or ICE-lite on a port per worker"),
    INT_SETTING("media", "udp_port", "20000", 1, 65535, "udp-port",
                "ice_mode lite: UDP port of worker 0; worker i uses udp_port + i"),
    STRING_SETTING("media", "ice_interfaces", "", check_interface_list, "ice-interfaces",
                   "ICE host candidate addresses or interfaces; empty = every address"),
    STRING_SETTING("media", "rtp_port_range", "10000-60000", check_port_range, "rtp-port-range",
                   "UDP/TCP ports for ICE host candidates, \"min-max\""),
    STRING_SETTING("media", "stun_server", "", check_optional_host_port, "stun-server",
                   "STUN server \"host:port\" for server-reflexive candidates; empty = none"),
    STRING_SETTING("media", "nat_1_1_mapping", "", check_optional_ip, "nat-1-1-mapping",
                   "Public IP advertised instead of the host address (1:1 NAT); empty = none"),
    BOOL_SETTING("media", "nat_1_1_keep_host", "false", NULL,
                 "With nat_1_1_mapping, advertise the host address too"),
    STRING_SETTING("media", "ice_remote_networks", "", check_cidr_list, NULL,
                   "Networks remote ICE candidates must be in (CIDR list); empty = any"),
    BOOL_SETTING("media", "ice_tcp", "false", "ice-tcp",
                 "Also offer passive ICE-TCP host candidates"),
    STRING_SETTING("media", "dtls_certificate", "", NULL, NULL,
                   "PEM certificate for DTLS; empty = an ECDSA P-256 one made at start"),
    STRING_SETTING("media", "dtls_key", "", NULL, NULL, "PEM private key of dtls_certificate"),
    STRING_SETTING("media", "dtls_key_passphrase", "", NULL, NULL,
                   "Passphrase of dtls_key; empty = none"),
    INT_SETTING("media", "dtls_mtu", "1200", 256, 65507, NULL,
                "Largest DTLS datagram sent during the handshake"),
    INT_SETTING("media", "srtp_replay_window", "1024", 64, 32767, NULL,
                "Packets the SRTP replay check remembers per stream"),
    INT_SETTING("media", "slowlink_threshold", "0", 0, INT_MAX, NULL,
                "Lost packets per second that trigger a slowlink event; 0 = never"),
    INT_SETTING("media", "simulate_loss_in", "0", 0, INT_MAX, NULL,
                "Tests and demos: drop every Nth RTP packet received on each m-line; 0 = never"),
    INT_SETTING("media", "simulate_loss_out", "0", 0, INT_MAX, NULL,
                "Tests and demos: drop every Nth RTP packet sent on each m-line; 0 = never"),

    BOOL_SETTING("http", "enabled", "true", NULL, "Serve the Janus API over HTTP"),
    STRING_SETTING("http", "interface", "127.0.0.1", check_not_empty, "http-interface",
                   "Address the HTTP server listens on"),
    INT_SETTING("http", "port", "8088", 1, 65535, "http-port", "TCP port of the HTTP server"),
    STRING_SETTING("http", "base_path", "/janus", check_url_path, NULL,
                   "URL path of the Janus API"),
    INT_SETTING("http", "max_body_size", "1048576", 1024, INT_MAX, NULL,
                "Largest request body accepted, in bytes"),
    INT_SETTING("http", "long_poll_timeout", "30", 1, 300, NULL,
                "Seconds a long-poll waits for events before answering with a keepalive"),
    INT_SETTING("http", "max_connections", "4096", 16, INT_MAX, NULL,
                "Most HTTP connections open at once"),
    INT_SETTING("http", "max_connections_per_address", "200", 0, INT_MAX, NULL,
                "Most HTTP connections one IP address holds open at once; 0 = unlimited"),
    BOOL_SETTING("http", "static_enabled", "true", NULL,
                 "Serve the files of static_dir (the demo pages) on the other paths"),
    STRING_SETTING("http", "static_dir", "web", check_not_empty, NULL,
                   "Folder of static files; a relative path starts at the working directory"),
    STRING_SETTING("http", "cert_pem", "", NULL, NULL,
                   "PEM certificate (chain) for HTTPS; set with cert_key, the port speaks HTTPS"),
    STRING_SETTING("http", "cert_key", "", NULL, NULL, "PEM private key of cert_pem"),
    STRING_SETTING("http", "cert_pwd", "", NULL, NULL, "Passphrase of cert_key; empty = none"),
    STRING_SETTING("cors", "allow_origin", "*", check_not_empty, NULL,
                   "Access-Control-Allow-Origin value; \"*\" echoes the request's Origin"),
    BOOL_SETTING("whip", "enabled", "true", NULL,
                 "Serve WHIP ingest into and WHEP playback from VideoRoom rooms (/whip, /whep)"),
    INT_SETTING("whip", "ice_timeout", "30", 1, 3600, NULL,
                "Seconds a WHIP or WHEP resource may wait for ICE and DTLS before it ends"),

    BOOL_SETTING("admin_http", "enabled", "false", NULL, "Serve the Admin API over HTTP"),
    STRING_SETTING("admin_http", "interface", "127.0.0.1", check_not_empty, NULL,
                   "Address the Admin API's HTTP server listens on"),
    INT_SETTING("admin_http", "port", "7088", 1, 65535, NULL,
                "TCP port of the Admin API's HTTP server"),
    STRING_SETTING("admin_http", "base_path", "/admin", check_url_path, NULL,
                   "URL path of the Admin API"),

    BOOL_SETTING("websockets", "enabled", "true", NULL, "Serve the Janus API over WebSocket"),
    STRING_SETTING("websockets", "interface", "127.0.0.1", check_not_empty, "ws-interface",
                   "Address the WebSocket server listens on"),
    INT_SETTING("websockets", "port", "8188", 1, 65535, "ws-port",
                "TCP port of the WebSocket server"),
    INT_SETTING("websockets", "max_message_size", "1048576", 1024, INT_MAX, NULL,
                "Largest message accepted, in bytes"),
    INT_SETTING("websockets", "max_connections_per_address", "100", 0, INT_MAX, NULL,
                "Most WebSocket connections one client address holds open at once; "
                "0 = unlimited"),
    BOOL_SETTING("admin_ws", "enabled", "false", NULL,
                 "Serve the Admin API over WebSocket (subprotocol janus-admin-protocol)"),
    STRING_SETTING("admin_ws", "interface", "127.0.0.1", check_not_empty, NULL,
                   "Address the Admin API's WebSocket server listens on"),
    INT_SETTING("admin_ws", "port", "7188", 1, 65535, NULL,
                "TCP port of the Admin API's WebSocket server"),
    STRING_SETTING("websockets", "cert_pem", "", NULL, NULL,
                   "PEM certificate (chain) for WSS; set with cert_key, the port speaks WSS"),
    STRING_SETTING("websockets", "cert_key", "", NULL, NULL, "PEM private key of cert_pem"),
    STRING_SETTING("websockets", "cert_pwd", "", NULL, NULL,
                   "Passphrase of cert_key; empty = none"),

    STRING_SETTING("videoroom", "admin_key", "", NULL, NULL,
                   "Key \"create\" requests must carry as \"admin_key\"; empty = none needed"),
    BOOL_SETTING("videoroom", "lock_rtp_forward", "false", NULL,
                 "rtp_forward and stop_rtp_forward need the admin_key too (when one is set)"),
    INT_SETTING("videoroom", "max_rooms", "1000", 0, INT_MAX, NULL,
                "Most rooms at once (\"create\" fails beyond); 0 = unlimited"),
    INT_SETTING("videoroom", "max_subscribers", "1000", 0, INT_MAX, NULL,
                "Subscribers per room unless it sets max_subscribers; 0 = unlimited"),

    STRING_SETTING("streaming", "admin_key", "", NULL, NULL,
                   "Key Streaming \"create\" requests must carry as \"admin_key\"; empty = none"),
    STRING_SETTING("streaming", "rtp_interface", "0.0.0.0", check_ipv4, NULL,
                   "IPv4 address the mountpoints' RTP sockets bind to (0.0.0.0 = all)"),
    INT_SETTING("streaming", "max_mountpoints", "100", 0, INT_MAX, NULL,
                "Most mountpoints at once (\"create\" fails beyond); 0 = unlimited"),
    INT_SETTING("streaming", "max_viewers", "1000", 0, INT_MAX, NULL,
                "Most viewers of one mountpoint (WHEP viewers count); 0 = unlimited"),
    INT_SETTING("streaming", "spread_viewers", "100", 0, INT_MAX, NULL,
                "Viewers of a mountpoint kept on its worker; the next ones go to the "
                "least-loaded worker, fed through the relay (0 = never spread)"),
};

const struct prism_config_schema prism_settings_schema = {
    .sections = sections,
    .section_count = sizeof(sections) / sizeof(sections[0]),
    .settings = settings,
    .setting_count = sizeof(settings) / sizeof(settings[0]),
};

void prism_setting_env_name(const struct prism_setting *setting, char *out, size_t size)
{
    int n = snprintf(out, size, "PRISM_%s_%s", setting->section, setting->key);
    if (n < 0)
        return;
    for (size_t i = 0; i < size && out[i]; i++)
        out[i] = (char)toupper((unsigned char)out[i]);
}
