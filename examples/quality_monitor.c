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
#include "example_util.h"

static const char *level_name[] = { "good", "fair", "poor", "critical" };

static void on_stats(media_session *s, const media_session_stats *st, void *user)
{
    char rtt[16] = "  -  ";   /* until an RTCP report gives it */
    (void)s; (void)user;
    if (st->rtt_ms >= 0) snprintf(rtt, sizeof rtt, "%5.1f", st->rtt_ms);
    printf("%6.1f s  rx %6llu  lost %4lld (%5.2f %%)  jitter %6.2f ms  buffer %5.1f ms  rtt %s ms  MOS %.2f\n",
           (double)st->duration_ms / 1000, (unsigned long long)st->packets_received, (long long)st->lost,
           st->loss_percent, st->jitter_ms, st->jitter_delay_ms, rtt, st->mos);
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
    if (argc != 3) { fprintf(stderr, "usage: quality_monitor OFFER.sdp ANSWER.sdp\n"); return 2; }
    media_session_config_init(&cfg);
    cfg.local_address = "127.0.0.1";
    cfg.stats_interval_ms = 1000;
    cfg.rtp_timeout_ms = 5000;
    cfg.handler.stats = on_stats;
    cfg.handler.quality_alert = on_quality;
    cfg.handler.stream_stop = on_stream_stop;
    if (!(s = answer_files(&cfg, argv[1], argv[2]))) return 1;
    run_call(s);
    media_session_destroy(s);
    return 0;
}
