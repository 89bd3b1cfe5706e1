/* Random 53-bit ids and the monotonic clock. */
#include "core/ids.h"

#include <sys/random.h>
#include <time.h>

uint64_t prism_random_id(void)
{
    uint64_t value = 0;
    do {
        if (getrandom(&value, sizeof(value), 0) != (ssize_t)sizeof(value))
            continue;
        value &= PRISM_ID_MAX;
    } while (value == 0);
    return value;
}

unsigned int prism_id_hash(const void *key)
{
    uint64_t id = *(const uint64_t *)key;
    return (unsigned int)(id ^ (id >> 32));
}

int prism_id_equal(const void *a, const void *b)
{
    return *(const uint64_t *)a == *(const uint64_t *)b;
}

uint64_t prism_now_us(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000u + (uint64_t)now.tv_nsec / 1000u;
}
