/* What the examples share, kept out of their way. Include after media.h.
   - answer_files(): read the caller's SDP offer from a file, answer it, write
     the answer to another file (your SIP stack does this part for real);
   - run_call(): the whole event loop of a one-call program, poll() on the
     session's sockets for as long as poll says, until the call ends;
   - negotiate_pair(): offer/answer between two sessions in one process;
     make_pair(): two such sessions on 127.0.0.1, one sending a tone
       (make_pair_clock(): with a clock of the loop's);
   - example_tone(): an audio_out callback sending a 400 Hz tone.
   static inline: a program that uses only some of them is not warned about the rest. */
#ifndef MEDIA_EXAMPLE_UTIL_H
#define MEDIA_EXAMPLE_UTIL_H
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>

/* Creates the session, answers the offer in offer_path into answer_path. NULL (said on stderr) on failure. */
static inline media_session *answer_files(const media_session_config *cfg, const char *offer_path, const char *answer_path)
{
    char answer[MEDIA_SESSION_SDP_SIZE], *offer = (char *)malloc(65536);
    FILE *f = fopen(offer_path, "rb");
    size_t len = f && offer ? fread(offer, 1, 65535, f) : 0;
    media_session *s = NULL;
    int err = MEDIA_EIO, n = -1;
    if (f) fclose(f);
    if (len && (s = media_session_create(cfg, &err)) != NULL &&
        (err = media_session_remote_sdp_set(s, offer, len)) == MEDIA_OK &&
        (n = err = media_session_answer_create(s, answer, sizeof answer)) >= 0) {
        err = MEDIA_EIO;
        if ((f = fopen(answer_path, "wb")) != NULL) {
            if (fwrite(answer, 1, (size_t)n, f) == (size_t)n) err = MEDIA_OK;
            if (fclose(f) != 0) err = MEDIA_EIO;
        }
    }
    free(offer);
    if (err != MEDIA_OK) {
        fprintf(stderr, "no answer to %s: %s\n", offer_path, media_result_string(err));
        media_session_destroy(s);
        return NULL;
    }
    return s;
}

/* Runs one call until it ends (poll() < 0: closed, BYE sent, files finalised). */
static inline void run_call(media_session *s)
{
    int ms;
    while ((ms = media_session_poll(s)) >= 0) {
        struct pollfd p[2];
        int n = 0, k;
        for (k = 0; k < 2; k++) {
            p[n].fd = media_session_fd_get(s, k);
            p[n].events = POLLIN;
            p[n].revents = 0;
            n += p[n].fd >= 0;
        }
        poll(p, (nfds_t)n, ms);
    }
}

/* Offer from a, answer from b: both ready for media. */
static inline int negotiate_pair(media_session *a, media_session *b)
{
    char offer[MEDIA_SESSION_SDP_SIZE], answer[MEDIA_SESSION_SDP_SIZE];
    int n = media_session_offer_create(a, offer, sizeof offer);
    if (n < 0) return n;
    if ((n = media_session_remote_sdp_set(b, offer, (size_t)n)) != MEDIA_OK) return n;
    if ((n = media_session_answer_create(b, answer, sizeof answer)) < 0) return n;
    return media_session_remote_sdp_set(a, answer, (size_t)n);
}

static inline int example_tone(media_session *s, int16_t *pcm, size_t n, uint32_t rate, void *user);

/* Two sessions on 127.0.0.1 talking to each other: a sends a tone (tone_state:
   a zeroed double[3]), b silence; negotiated, ready for media. */
static inline int make_pair_clock(media_session **a, media_session **b, double *tone_state,
                                  uint64_t (*now_us)(void *user))
{
    media_session_config cfg;
    int err;
    media_session_config_init(&cfg);
    cfg.now_us = now_us;
    cfg.local_address = "127.0.0.1";
    if (!(*b = media_session_create(&cfg, &err))) return err;
    cfg.handler.user = tone_state;
    cfg.handler.audio_out = example_tone;
    if (!(*a = media_session_create(&cfg, &err))) return err;
    return negotiate_pair(*a, *b);
}

static inline int make_pair(media_session **a, media_session **b, double *tone_state)
{
    return make_pair_clock(a, b, tone_state, NULL);
}

/* audio_out: a 400 Hz tone, y[n] = 2 cos(w) y[n-1] - y[n-2]; user points to a double[3] (zeroed). */
static inline int example_tone(media_session *s, int16_t *pcm, size_t n, uint32_t rate, void *user)
{
    double *osc = (double *)user;
    size_t i;
    (void)s;
    if (osc[2] == 0) {
        double w = 2 * 3.14159265358979 * 400 / rate;
        osc[0] = 0; osc[1] = -6000 * sin(w); osc[2] = 2 * cos(w);
    }
    for (i = 0; i < n; i++) {
        double y = osc[2] * osc[0] - osc[1];
        osc[1] = osc[0];
        osc[0] = y;
        pcm[i] = (int16_t)y;
    }
    return (int)n;
}
#endif
