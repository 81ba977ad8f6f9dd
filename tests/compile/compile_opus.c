/* media_opus.h compiles on its own terms: after media.h, with or without the
   implementation, with or without libopus (MEDIA_OPUS_NO_LIBOPUS), and
   refuses to compile when media.h did not come first (TEST_OPUS_FIRST). */
#define _POSIX_C_SOURCE 200809L
#ifdef TEST_OPUS_FIRST
#include "media_opus.h"
#endif
#ifndef TEST_DECL_ONLY
#define MEDIA_IMPLEMENTATION
#define MEDIA_OPUS_IMPLEMENTATION
#endif
#include "media.h"
#include "media_opus.h"
#include "media_opus.h"
int compile_opus_uses(void);
int compile_opus_uses(void)
{
    media_opus_config oc;
    media_opus op;
    media_opus_config_init(&oc);
    return media_opus_init(&op, &oc);
}
