/* Random identifiers and the monotonic clock shared by the whole process. */
#ifndef PRISM_CORE_IDS_H
#define PRISM_CORE_IDS_H

#include <stdint.h>

/* Largest id handed out: ids must fit in a JavaScript number (2^53 - 1). */
#define PRISM_ID_MAX ((UINT64_C(1) << 53) - 1)

/* A uniformly random id in [1, PRISM_ID_MAX], from the kernel's CSPRNG, so
 * ids are unguessable and unique across Prism nodes without coordination. */
uint64_t prism_random_id(void);

/* GHashTable hash and equality for keys that point at a uint64_t id. */
unsigned int prism_id_hash(const void *key);
int prism_id_equal(const void *a, const void *b);

/* Microseconds on the monotonic clock. Engines never call this themselves:
 * the glue reads it and passes the time in. */
uint64_t prism_now_us(void);

#endif
