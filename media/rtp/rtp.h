/* The RTP layer in one include: header view, build and rewrite, RTX, header extensions,
 * sequence arithmetic and video payload descriptors. Sans-IO and allocation-free. */
#ifndef PRISM_MEDIA_RTP_RTP_H
#define PRISM_MEDIA_RTP_RTP_H

#include "media/rtp/codec.h"
#include "media/rtp/ext_rewrite.h"
#include "media/rtp/extension.h"
#include "media/rtp/header.h"
#include "media/rtp/seq.h"

#endif
