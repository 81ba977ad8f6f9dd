/* quality_monitor: answers a call, listens, and prints the call's quality
   every second (loss, jitter, the jitter buffer's delay, MOS) plus an alert
   whenever the quality level changes, until the caller hangs up or is silent
   for 5 s.

       quality_monitor OFFER.sdp ANSWER.sdp

   The thresholds (MOS, loss %, jitter ms for fair / poor / critical) are in
   cfg.quality; the defaults follow common VoIP monitoring practice. */
#define _POSIX_C_SOURCE 200809L
#define MEDIA_IMPLEMENTATION
#include "media.h"
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>

static const char *level_name[] = { "good", "fair", "poor", "critical" };

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

static void on_stats(media_session *s, const media_session_stats *st, void *user)
{
    (void)s; (void)user;
    printf("%6.1f s  rx %6llu  lost %4lld (%5.2f %%)  jitter %6.2f ms  buffer %5.1f ms  rtt %5.1f ms  MOS %.2f\n",
           (double)st->duration_ms / 1000, (unsigned long long)st->packets_received, (long long)st->lost,
           st->loss_percent, st->jitter_ms, st->jitter_delay_ms, st->rtt_ms, st->mos);
    fflush(stdout);
}

static void on_quality(media_session *s, int level, const media_session_stats *st, void *user)
{
    (void)s; (void)user;
    printf("ALERT quality %s: MOS %.2f, loss %.2f %%, jitter %.2f ms\n", level_name[level & 3], st->mos,
           st->loss_percent, st->jitter_ms);
    fflush(stdout);
}

static void on_stream_stop(media_session *s, int direction, void *user)
{
    (void)user;
    if (direction == MEDIA_STREAM_RECEIVE) media_session_close(s);
}

int main(int argc, char **argv)
{
    media_session_config cfg;
    media_session *s;
    char answer[MEDIA_SESSION_SDP_SIZE], *offer;
    size_t len;
    int err, n, ms;
    FILE *out;
    if (argc != 3) { fprintf(stderr, "usage: quality_monitor OFFER.sdp ANSWER.sdp\n"); return 2; }
    if (!(offer = slurp(argv[1], &len))) { fprintf(stderr, "quality_monitor: cannot read %s\n", argv[1]); return 1; }
    media_session_config_init(&cfg);
    cfg.local_address = "127.0.0.1";
    cfg.stats_interval_ms = 1000;
    cfg.rtp_timeout_ms = 5000;
    cfg.handler.stats = on_stats;
    cfg.handler.quality_alert = on_quality;
    cfg.handler.stream_stop = on_stream_stop;
    if (!(s = media_session_create(&cfg, &err))) { fprintf(stderr, "quality_monitor: %s\n", media_result_string(err)); return 1; }
    err = media_session_set_remote_sdp(s, offer, len);
    free(offer);
    if (err != MEDIA_OK || (n = media_session_create_answer(s, answer, sizeof answer)) < 0 ||
        !(out = fopen(argv[2], "wb"))) {
        fprintf(stderr, "quality_monitor: no answer to %s (%s)\n", argv[1], media_result_string(err));
        media_session_destroy(s);
        return 1;
    }
    fwrite(answer, 1, (size_t)n, out);
    fclose(out);
    while ((ms = media_session_poll(s)) >= 0) {
        struct pollfd p[2] = { { media_session_fd(s, 0), POLLIN, 0 }, { media_session_fd(s, 1), POLLIN, 0 } };
        poll(p, p[1].fd >= 0 ? 2 : 1, ms);
    }
    media_session_destroy(s);
    return 0;
}
