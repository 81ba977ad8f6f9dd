/* announce: answers a call, plays a prompt, hangs up.

       announce OFFER.sdp ANSWER.sdp PROMPT.wav

   Reads the caller's SDP offer, writes our answer (in a real program your SIP
   stack sends it in the 200 OK), sends PROMPT.wav once and ends the call (RTCP
   BYE) as soon as the last frame of it has gone out. The prompt is at the
   codec's rate (8 kHz for G.711) unless cfg.resample is set.

   Build: cc -O2 -I. examples/announce.c -o announce -lm   (make examples) */
#define _POSIX_C_SOURCE 200809L
#define MEDIA_IMPLEMENTATION
#include "media.h"
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = (char *)malloc(65536);
    *len = f && buf ? fread(buf, 1, 65535, f) : 0;
    if (f) fclose(f);
    if (!*len) { free(buf); return NULL; }
    buf[*len] = 0;
    return buf;
}

/* the prompt has gone out: hang up (the next poll sends BYE and returns < 0) */
static void on_play_complete(media_session *s, int id, int result, void *user)
{
    (void)id; (void)user;
    printf("prompt sent (%s), hanging up\n", media_result_string(result));
    media_session_close(s);
}

int main(int argc, char **argv)
{
    media_session_config cfg;
    media_session *s;
    char answer[MEDIA_SESSION_SDP_SIZE], *offer;
    size_t len;
    int err, n, ms;
    FILE *out;
    if (argc != 4) { fprintf(stderr, "usage: announce OFFER.sdp ANSWER.sdp PROMPT.wav\n"); return 2; }
    if (!(offer = slurp(argv[1], &len))) { fprintf(stderr, "announce: cannot read %s\n", argv[1]); return 1; }
    media_session_config_init(&cfg);          /* PCMU, PCMA and telephone-event; any even port */
    cfg.local_address = "127.0.0.1";
    cfg.handler.play_complete = on_play_complete;
    if (!(s = media_session_create(&cfg, &err))) { fprintf(stderr, "announce: %s\n", media_result_string(err)); return 1; }
    err = media_session_set_remote_sdp(s, offer, len);
    free(offer);
    if (err != MEDIA_OK || (n = media_session_create_answer(s, answer, sizeof answer)) < 0 ||
        !(out = fopen(argv[2], "wb"))) {
        fprintf(stderr, "announce: no answer to %s (%s)\n", argv[1], media_result_string(err));
        media_session_destroy(s);
        return 1;
    }
    fwrite(answer, 1, (size_t)n, out);
    fclose(out);
    if ((err = media_session_play(s, argv[3], 1)) < 0) {
        fprintf(stderr, "announce: %s: %s\n", argv[3], media_result_string(err));
        media_session_destroy(s);
        return 1;
    }
    /* the whole event loop: poll says how long it may sleep */
    while ((ms = media_session_poll(s)) >= 0) {
        struct pollfd p = { media_session_fd(s, 0), POLLIN, 0 };
        poll(&p, 1, ms);
    }
    media_session_destroy(s);
    return 0;
}
