/* Helpers shared by the RTCP source files; not part of the module's public API. */
#ifndef PRISM_MEDIA_RTCP_INTERNAL_H
#define PRISM_MEDIA_RTCP_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "media/rtcp/rtcp.h"

/* Writes a 4-byte RTCP header for a packet of len bytes (a multiple of 4, at least 4). */
void prism_rtcp_write_header(uint8_t *buf, uint8_t count, uint8_t type, size_t len);

/* Encodes one report block (24 bytes), clamping the cumulative loss to 24 signed bits. */
void prism_rtcp_write_report_block(uint8_t *b, const struct prism_rtcp_report_block *r);

#endif
