/* The implementation file, with the build options the compile checks pass in.
   System headers come before media.h here, so POSIX is requested explicitly. */
#define _POSIX_C_SOURCE 200809L
#ifdef TEST_CUSTOM_ALLOC
#include <stdlib.h>
#define MEDIA_MALLOC(sz, u) ((void)(u), malloc(sz))
#define MEDIA_REALLOC(p, sz, u) ((void)(u), realloc((p), (sz)))
#define MEDIA_FREE(p, u) ((void)(u), free(p))
#endif
#ifdef TEST_PARTIAL_ALLOC
#include <stdlib.h>
#define MEDIA_MALLOC(sz, u) malloc(sz)
#endif
#define MEDIA_IMPLEMENTATION
#include "media.h"

int compile_impl_uses(void);
int compile_impl_uses(void)
{
    uint8_t buf[64];
    int16_t pcm[4] = { 0, 1, -1, 100 };
    media_rtp_packet p;
    media_pcmu_encode(buf, pcm, 4);
    return media_rtp_parse(&p, buf, sizeof buf) + (int)media_now_us();
}
