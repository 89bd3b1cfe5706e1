/* A minimal blocking HTTP/1.1 client for the HTTP transport's tests: one
 * request per connection ("Connection: close"), the response read to EOF.
 * Header-only so each test executable includes it. Loopback only. */
#ifndef PRISM_TESTS_HTTP_CLIENT_H
#define PRISM_TESTS_HTTP_CLIENT_H

#include <arpa/inet.h>
#include <glib.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

struct http_reply {
    int status; /* 0 when the connection ended without a status line */
    char *head; /* status line and headers */
    char *body; /* NUL-terminated */
    size_t body_length;
};

static inline int http_client_connect(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(fd, >=, 0);
    struct timeval timeout = {.tv_sec = 15};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_assert_cmpint(connect(fd, (struct sockaddr *)&address, sizeof(address)), ==, 0);
    return fd;
}

static inline void http_client_write(int fd, const char *data, size_t length)
{
    while (length > 0) {
        ssize_t sent = send(fd, data, length, MSG_NOSIGNAL);
        if (sent <= 0)
            return; /* the server may close early (413) */
        data += sent;
        length -= (size_t)sent;
    }
}

/* Sends a request; `headers` are extra "Name: value\r\n" lines or NULL. */
static inline void http_client_send(int fd, const char *method, const char *path,
                                    const char *headers, const char *body)
{
    GString *request = g_string_new(NULL);
    g_string_append_printf(request, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n",
                           method, path);
    if (headers)
        g_string_append(request, headers);
    if (body)
        g_string_append_printf(request, "Content-Length: %zu\r\n", strlen(body));
    g_string_append(request, "\r\n");
    if (body)
        g_string_append(request, body);
    http_client_write(fd, request->str, request->len);
    g_string_free(request, TRUE);
}

/* Reads the whole response (until the server closes). */
static inline struct http_reply http_client_read(int fd)
{
    GString *data = g_string_new(NULL);
    char buffer[4096];
    ssize_t got;
    while ((got = recv(fd, buffer, sizeof(buffer), 0)) > 0)
        g_string_append_len(data, buffer, got);
    close(fd);
    struct http_reply reply = {0};
    const char *end = strstr(data->str, "\r\n\r\n");
    if (!end || sscanf(data->str, "HTTP/1.%*d %d", &reply.status) != 1) {
        reply.head = g_strdup("");
        reply.body = g_strdup("");
    } else {
        reply.head = g_strndup(data->str, (gsize)(end - data->str) + 2);
        reply.body = g_strdup(end + 4);
        reply.body_length = strlen(reply.body);
    }
    g_string_free(data, TRUE);
    return reply;
}

static inline struct http_reply http_client_request(uint16_t port, const char *method,
                                                    const char *path, const char *headers,
                                                    const char *body)
{
    int fd = http_client_connect(port);
    http_client_send(fd, method, path, headers, body);
    return http_client_read(fd);
}

/* The value of header `name` (case-insensitive), newly allocated, or NULL. */
static inline char *http_reply_header(const struct http_reply *reply, const char *name)
{
    size_t length = strlen(name);
    for (const char *line = strstr(reply->head, "\r\n"); line && line[2];
         line = strstr(line + 2, "\r\n")) {
        const char *start = line + 2;
        if (g_ascii_strncasecmp(start, name, length) == 0 && start[length] == ':') {
            const char *value = start + length + 1;
            while (*value == ' ')
                value++;
            return g_strndup(value, strcspn(value, "\r\n"));
        }
    }
    return NULL;
}

/* Parses the body as JSON; the test fails if it is not. */
static inline json_t *http_reply_json(const struct http_reply *reply)
{
    json_error_t error;
    json_t *value = json_loads(reply->body, 0, &error);
    if (!value)
        g_error("not JSON (%s): '%s'", error.text, reply->body);
    return value;
}

static inline void http_reply_clear(struct http_reply *reply)
{
    g_free(reply->head);
    g_free(reply->body);
}

#endif
