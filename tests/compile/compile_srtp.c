/* media_srtp.h compiles on its own terms: after media.h, with or without the
   implementation, with or without libsrtp2 (MEDIA_SRTP_NO_LIBSRTP), no
   libsrtp2 type in its declarations (TEST_DECL_ONLY builds without the
   library's headers on the path), and refuses to compile when media.h did
   not come first (TEST_SRTP_FIRST). */
#define _POSIX_C_SOURCE 200809L
#ifdef TEST_SRTP_FIRST
#include "media_srtp.h"
#endif
#ifndef TEST_DECL_ONLY
#define MEDIA_IMPLEMENTATION
#define MEDIA_SRTP_IMPLEMENTATION
#endif
#include "media.h"
#include "media_srtp.h"
#include "media_srtp.h"
int compile_srtp_uses(void);
int compile_srtp_uses(void)
{
    media_srtp_config sc;
    media_srtp x;
    media_session_config c;
    media_srtp_config_init(&sc);
    media_session_config_init(&c);
    if (media_srtp_init(&x, &sc) != MEDIA_OK) return -1;
    return media_srtp_attach(&x, &c);
}
