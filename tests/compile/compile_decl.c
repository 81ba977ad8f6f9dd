/* The header alone, as every file but one includes it. */
#include "media.h"
int compile_decl_uses(void);
int compile_decl_uses(void)
{
    media_rtp_packet p;
    p.seq = 1;
    return p.seq + (int)sizeof(media_rtcp) + MEDIA_EPARSE;
}
