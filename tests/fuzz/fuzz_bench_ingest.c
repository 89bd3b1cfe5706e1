/* Fuzzes what the bench's WHIP/WHEP clients and RTP ingest read from a server: the offer text
 * the trickle fragment is cut from, a Location header resolved to a resource URL, a raw HTTP
 * header line, and a streaming answer the mountpoint ports are read from. */
#include <glib.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "bench/lib/scenario/mountpoint_reply.h"
#include "bench/lib/whip/fragment.h"
#include "bench/lib/whip/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = g_strndup((const char *)data, size); /* stops at a NUL, as C strings do */
    const char *candidates[] = {"candidate:1 1 udp 1 127.0.0.1 9 typ host"};
    char *fragment = bench_whip_trickle_fragment(text, candidates, 1, true);
    if (fragment && !g_str_has_prefix(fragment, "a=ice-ufrag:"))
        abort();
    g_free(fragment);
    char *url = bench_whip_resource_url("http://127.0.0.1:8088/whip/endpoint/1", text);
    if (url && strpbrk(url, "\r\n"))
        abort();
    g_free(url);
    g_free(bench_http_header_value((const char *)data, size, "Location"));
    json_t *json = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
    uint16_t audio = 0, video = 0;
    if (json && bench_mountpoint_ports(json, &audio, &video) == 0 && !audio && !video)
        abort();
    json_decref(json);
    g_free(text);
    return 0;
}
