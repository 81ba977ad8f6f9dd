/* Compiles and runs README.md's RTP example as written: run.sh extracts the
   block tagged readme_rtp, its preprocessor lines into readme_head.h and the
   rest (statements) into readme_body.inc, and this file supplies the
   variables the example assumes, over loopback UDP. */
#define _POSIX_C_SOURCE 200809L
#include "readme_head.h"
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

int main(void)
{
    struct sockaddr_in a;
    socklen_t al = sizeof a;
    int fd = socket(AF_INET, SOCK_DGRAM, 0), i, ok;
    struct sockaddr *peer = (struct sockaddr *)&a;
    socklen_t peer_len;
    int16_t pcm[160], pcm_out[160];
    uint16_t seq = 1;
    uint32_t ts = 0, my_ssrc = 42;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || getsockname(fd, (struct sockaddr *)&a, &al) != 0) return 2;
    peer_len = al;
    for (i = 0; i < 160; i++) pcm[i] = (int16_t)(i * 100 - 8000);
    memset(pcm_out, 0, sizeof pcm_out);
    {
        media_rtp_stats st0;  /* the example's "once: media_rtp_stats_init" */
        media_rtp_stats_init(&st0, 8000);
#include "readme_body.inc"
        ok = st.received == 0 && st.packets == 1 && pcm_out[5] == media_pcmu_to_linear(media_pcmu_from_linear(pcm[5]));
    }
    close(fd);
    printf("%d passed, %d failed\n", ok, !ok);
    return !ok;
}
