/* LD_PRELOAD filter for bench/compare: Janus (and libnice under it) leave every interface
 * flagged IFF_LOOPBACK out of ICE, so in a network namespace holding only `lo` Janus would
 * offer no host candidate at all. This wraps getifaddrs() and clears that flag on every entry,
 * so 127.0.0.1 is gathered like any other address. Nothing else about the interfaces changes. */
#include <dlfcn.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>

typedef int (*getifaddrs_fn)(struct ifaddrs **);

/* The C library's getifaddrs, found once at load time (before any thread of the program runs),
 * so no call needs a lock. */
static getifaddrs_fn real_getifaddrs;

__attribute__((constructor)) static void find_real_getifaddrs(void)
{
    real_getifaddrs = (getifaddrs_fn)dlsym(RTLD_NEXT, "getifaddrs");
}

int getifaddrs(struct ifaddrs **ifap)
{
    if (!real_getifaddrs) {
        errno = ENOSYS;
        return -1;
    }
    int rc = real_getifaddrs(ifap);
    if (rc == 0) {
        for (struct ifaddrs *entry = *ifap; entry; entry = entry->ifa_next)
            entry->ifa_flags &= ~(unsigned int)IFF_LOOPBACK;
    }
    return rc;
}
