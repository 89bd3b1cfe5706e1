/* The static route: files of one folder (the demo pages) on every path the API routes do
 * not take. A file is opened below the folder's descriptor, checked to be a regular file
 * that really lies inside the folder (symlinks resolved), answered with validators or a
 * 304, and streamed by MHD from the descriptor, never read into memory. The rules are in
 * static_path.c and static_cache.c; this file does the I/O, on MHD's thread (local file
 * system calls only). */
#include "signaling/http/internal.h"
#include "signaling/http/static_rules.h"

#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Revalidate every time: a page edited on disk shows at the next load, and an unchanged
 * file costs a 304 without a body. */
#define STATIC_CACHE_CONTROL "no-cache"

void http_static_open(struct prism_http *http, const char *dir)
{
    char *root = realpath(dir, NULL);
    int fd = root ? open(root, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
    if (fd < 0) {
        prism_warn("http", "not serving static files: %s: %s", dir, strerror(errno));
        free(root);
        return;
    }
    http->static_root = root;
    http->static_root_fd = fd;
}

void http_static_close(struct prism_http *http)
{
    if (http->static_root_fd >= 0)
        close(http->static_root_fd);
    http->static_root_fd = -1;
    free(http->static_root);
    http->static_root = NULL;
}

/* The kernel's name for what `fd` opened, which has every symlink resolved: the file is
 * served only when that lies inside the root, whatever the path went through. */
static bool opened_inside_root(const struct prism_http *http, int fd)
{
    char link[64], path[PATH_MAX];
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    ssize_t length = readlink(link, path, sizeof(path) - 1);
    if (length < 0 || (size_t)length >= sizeof(path) - 1)
        return false;
    path[length] = '\0';
    return prism_http_static_path_within(http->static_root, path);
}

/* Opens a regular file inside the root; returns its descriptor (blocking mode, as MHD
 * reads it) or -1. O_NONBLOCK at open keeps a FIFO from stalling MHD's thread. */
static int open_file(const struct prism_http *http, const char *relative, struct stat *st)
{
    int fd = openat(http->static_root_fd, relative, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return -1;
    int flags = fcntl(fd, F_GETFL);
    if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode) || !opened_inside_root(http, fd) || flags < 0 ||
        fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static enum MHD_Result respond_text(struct http_request *request, unsigned status, const char *text)
{
    struct MHD_Response *response = MHD_create_response_from_buffer(strlen(text), (void *)text,
                                                                    MHD_RESPMEM_PERSISTENT);
    if (!response)
        return MHD_NO;
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
    MHD_add_response_header(response, "X-Content-Type-Options", "nosniff");
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    enum MHD_Result result = http_queue_response(request, status, response);
    MHD_destroy_response(response);
    return result;
}

/* 200 with the file (the descriptor passes to MHD) or 304 without a body (it is closed). */
static enum MHD_Result respond_file(struct http_request *request, const char *relative, int fd,
                                    const struct stat *st)
{
    char etag[PRISM_HTTP_ETAG_SIZE], modified[PRISM_HTTP_DATE_SIZE];
    int64_t mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
    prism_http_static_etag((uint64_t)st->st_ino, (uint64_t)st->st_size, mtime_ns, etag);
    prism_http_date_format((int64_t)st->st_mtim.tv_sec, modified);
    struct MHD_Connection *connection = request->connection;
    const char *if_none_match = MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
                                                            MHD_HTTP_HEADER_IF_NONE_MATCH);
    const char *if_modified_since = MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
                                                                MHD_HTTP_HEADER_IF_MODIFIED_SINCE);
    bool fresh = prism_http_static_not_modified(if_none_match, if_modified_since, etag,
                                                (int64_t)st->st_mtim.tv_sec, (int64_t)time(NULL));
    struct MHD_Response *response;
    if (fresh) {
        close(fd);
        response = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    } else {
        response = MHD_create_response_from_fd64((uint64_t)st->st_size, fd);
        if (!response)
            close(fd);
    }
    if (!response)
        return MHD_NO;
    if (!fresh)
        MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE,
                                prism_http_static_content_type(relative));
    MHD_add_response_header(response, MHD_HTTP_HEADER_ETAG, etag);
    MHD_add_response_header(response, MHD_HTTP_HEADER_LAST_MODIFIED, modified);
    MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL, STATIC_CACHE_CONTROL);
    MHD_add_response_header(response, "X-Content-Type-Options", "nosniff");
    enum MHD_Result result = http_queue_response(
        request, fresh ? MHD_HTTP_NOT_MODIFIED : MHD_HTTP_OK, response);
    MHD_destroy_response(response);
    return result;
}

static void static_begin(struct prism_http *http, struct http_request *request)
{
}

static enum MHD_Result static_serve(struct prism_http *http, struct http_request *request)
{
    if (strcmp(request->method, MHD_HTTP_METHOD_GET) != 0 &&
        strcmp(request->method, MHD_HTTP_METHOD_HEAD) != 0)
        return respond_text(request, MHD_HTTP_METHOD_NOT_ALLOWED, "Method Not Allowed\n");
    /* Judged on the target as sent, not on MHD's decoded path: the resolver decodes once
     * and sees every escape, including the %00 that a C string would hide; a raw NUL was
     * caught when the request began. */
    char relative[PRISM_HTTP_STATIC_PATH_MAX + 1];
    struct stat st;
    int fd = -1;
    if (!request->target_has_nul &&
        prism_http_static_resolve(request->raw_target, relative, sizeof(relative)) == 0)
        fd = open_file(http, relative, &st);
    if (fd < 0)
        return respond_text(request, MHD_HTTP_NOT_FOUND, "Not Found\n");
    return respond_file(request, relative, fd, &st);
}

void http_static_route_init(struct http_route *route)
{
    /* "/" matches every path: this route must be the last one. */
    *route = (struct http_route){"/", static_begin, static_serve};
}
