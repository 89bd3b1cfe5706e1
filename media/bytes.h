/* Big-endian loads and stores shared by the packet parsers and builders.
 * Callers check bounds first; these helpers never do, so they stay one instruction or two. */
#ifndef PRISM_MEDIA_BYTES_H
#define PRISM_MEDIA_BYTES_H

#include <stdint.h>

static inline uint16_t prism_read_be16(const uint8_t *p)
{
    return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static inline uint32_t prism_read_be24(const uint8_t *p)
{
    return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static inline uint32_t prism_read_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t prism_read_be64(const uint8_t *p)
{
    return (uint64_t)prism_read_be32(p) << 32 | prism_read_be32(p + 4);
}

static inline void prism_write_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void prism_write_be24(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 16);
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)v;
}

static inline void prism_write_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static inline void prism_write_be64(uint8_t *p, uint64_t v)
{
    prism_write_be32(p, (uint32_t)(v >> 32));
    prism_write_be32(p + 4, (uint32_t)v);
}

#endif
