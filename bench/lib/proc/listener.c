/* bench_proc_find_listener: the pid behind a listening loopback TCP port, from /proc/net/tcp
 * (and tcp6, where dual-stack servers listen) and the socket links under /proc/PID/fd. */
#include "bench/lib/proc/proc_stats.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TCP_LISTEN 0x0A
#define MAX_INODES 8

/* The kernel prints addresses as the native-endian words of the address in memory, so copying
 * the parsed words back into memory gives the address bytes on any architecture. */
static bool ipv4_matches(const char *hex)
{
    uint32_t word = (uint32_t)strtoul(hex, NULL, 16);
    struct in_addr addr;
    memcpy(&addr, &word, sizeof(word));
    return addr.s_addr == htonl(INADDR_LOOPBACK) || addr.s_addr == htonl(INADDR_ANY);
}

static bool ipv6_matches(const char *hex)
{
    struct in6_addr addr;
    for (int i = 0; i < 4; i++) {
        char part[9];
        memcpy(part, hex + 8 * i, 8);
        part[8] = '\0';
        uint32_t word = (uint32_t)strtoul(part, NULL, 16);
        memcpy((uint8_t *)&addr + 4 * i, &word, sizeof(word));
    }
    static const uint8_t mapped_loopback[16] = {0, 0, 0,    0,    0,   0, 0, 0,
                                                0, 0, 0xff, 0xff, 127, 0, 0, 1};
    return IN6_IS_ADDR_UNSPECIFIED(&addr) || IN6_IS_ADDR_LOOPBACK(&addr) ||
           memcmp(&addr, mapped_loopback, sizeof(mapped_loopback)) == 0;
}

/* Adds the inodes of sockets listening on port in one /proc/net table to inodes. */
static void scan_table(const char *path, bool ipv6, uint16_t port, unsigned long *inodes,
                       size_t *count)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return;
    char line[512];
    size_t addr_len = ipv6 ? 32 : 8;
    while (fgets(line, sizeof(line), f) && *count < MAX_INODES) {
        char addr[33];
        unsigned local_port, state;
        unsigned long inode;
        int n = sscanf(line,
                       " %*u: %32[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x %*x:%*x %*x:%*x %*x %*u "
                       "%*u %lu",
                       addr, &local_port, &state, &inode);
        if (n != 4 || strlen(addr) != addr_len || local_port != port || state != TCP_LISTEN)
            continue;
        if (ipv6 ? ipv6_matches(addr) : ipv4_matches(addr))
            inodes[(*count)++] = inode;
    }
    fclose(f);
}

/* True when one of pid's descriptors is a socket with one of the inodes. */
static bool owns_socket(const char *pid, const unsigned long *inodes, size_t count)
{
    char path[sizeof("/proc//fd") + 256];
    snprintf(path, sizeof(path), "/proc/%s/fd", pid);
    DIR *dir = opendir(path); /* fails for other users' processes: they are skipped */
    if (!dir)
        return false;
    bool found = false;
    struct dirent *entry;
    while (!found && (entry = readdir(dir))) {
        char target[64];
        unsigned long inode;
        ssize_t n = readlinkat(dirfd(dir), entry->d_name, target, sizeof(target) - 1);
        if (n <= 0)
            continue;
        target[n] = '\0';
        if (sscanf(target, "socket:[%lu]", &inode) != 1)
            continue;
        for (size_t i = 0; i < count && !found; i++)
            found = inodes[i] == inode;
    }
    closedir(dir);
    return found;
}

pid_t bench_proc_find_listener(uint16_t port)
{
    if (port == 0)
        return -EINVAL;
    unsigned long inodes[MAX_INODES];
    size_t count = 0;
    scan_table("/proc/net/tcp", false, port, inodes, &count);
    scan_table("/proc/net/tcp6", true, port, inodes, &count);
    if (count == 0)
        return -ENOENT;
    DIR *proc = opendir("/proc");
    if (!proc)
        return -errno;
    pid_t result = -ENOENT;
    struct dirent *entry;
    while (result < 0 && (entry = readdir(proc))) {
        if (!isdigit((unsigned char)entry->d_name[0]))
            continue;
        if (owns_socket(entry->d_name, inodes, count))
            result = (pid_t)strtol(entry->d_name, NULL, 10);
    }
    closedir(proc);
    return result;
}
