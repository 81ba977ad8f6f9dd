/* echo: answers a call and sends back what it hears, until the caller hangs up
   (RTCP BYE) or is silent for 5 s.

       echo OFFER.sdp ANSWER.sdp

   The audio_in callback receives the decoded audio as it plays out of the
   jitter buffer; audio_out is asked for each frame to send. A small ring in
   between is the whole echo. */
#define _POSIX_C_SOURCE 200809L
#define MEDIA_IMPLEMENTATION
#include "media.h"
#include "example_util.h"

#define RING 8000   /* 1 s at 8 kHz: plenty between playout and the next frame */

typedef struct echo {
    int16_t ring[RING];
    size_t r, n;
    int done;
} echo;

static void on_audio_in(media_session *s, const int16_t *pcm, size_t n, uint32_t rate, void *user)
{
    echo *e = (echo *)user;
    size_t i;
    (void)s; (void)rate;
    for (i = 0; i < n; i++) {
        if (e->n == RING) { e->r = (e->r + 1) % RING; e->n--; }   /* too much waiting: oldest goes */
        e->ring[(e->r + e->n++) % RING] = pcm[i];
    }
}

static int on_audio_out(media_session *s, int16_t *pcm, size_t n, uint32_t rate, void *user)
{
    echo *e = (echo *)user;
    size_t i;
    (void)s; (void)rate;
    for (i = 0; i < n && e->n; i++, e->n--) {
        pcm[i] = e->ring[e->r];
        e->r = (e->r + 1) % RING;
    }
    return (int)i;   /* the rest of the frame is silence */
}

/* the caller left (BYE) or went silent: we are done too */
static void on_stream_stop(media_session *s, int direction, void *user)
{
    (void)user;
    if (direction == MEDIA_STREAM_RECEIVE) media_session_close(s);
}

int main(int argc, char **argv)
{
    static echo e;
    media_session_config cfg;
    media_session *s;
    media_session_stats st;
    if (argc != 3) { fprintf(stderr, "usage: echo OFFER.sdp ANSWER.sdp\n"); return 2; }
    media_session_config_init(&cfg);
    cfg.local_address = "127.0.0.1";
    cfg.rtp_timeout_ms = 5000;                /* silence for 5 s ends the receive stream */
    cfg.handler.user = &e;
    cfg.handler.audio_in = on_audio_in;
    cfg.handler.audio_out = on_audio_out;
    cfg.handler.stream_stop = on_stream_stop;
    if (!(s = answer_files(&cfg, argv[1], argv[2]))) return 1;
    run_call(s);
    media_session_stats_get(s, &st);
    printf("echoed %llu packets back (%llu received, %lld lost)\n", (unsigned long long)st.packets_sent,
           (unsigned long long)st.packets_received, (long long)st.lost);
    media_session_destroy(s);
    return 0;
}
