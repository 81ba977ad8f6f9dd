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
#include "example_util.h"

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
    int rc;
    if (argc != 4) { fprintf(stderr, "usage: announce OFFER.sdp ANSWER.sdp PROMPT.wav\n"); return 2; }
    media_session_config_init(&cfg);          /* PCMU, PCMA and telephone-event; any even port */
    cfg.local_address = "127.0.0.1";
    cfg.handler.play_complete = on_play_complete;
    if (!(s = answer_files(&cfg, argv[1], argv[2]))) return 1;
    if ((rc = media_session_play(s, argv[3], 1)) < 0) {
        fprintf(stderr, "announce: %s: %s\n", argv[3], media_result_string(rc));
        media_session_destroy(s);
        return 1;
    }
    run_call(s);                              /* poll() on the sockets for as long as poll says */
    media_session_destroy(s);
    return 0;
}
