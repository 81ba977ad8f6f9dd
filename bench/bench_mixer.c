/* make bench: what a conference costs. Each party puts a 20 ms frame, the
   mixer mixes it, each party gets its share: the time of one such round,
   per party, for conferences of 3 to 100 parties at 8 kHz (and 10 at
   48 kHz, and 10 at 8 kHz of which half are 16 kHz parties, converted).
   Flat per-party cost as N grows is the O(N) mix.

   Then a whole 100-party conference: 100 PCMU sessions joined to one mixer,
   each receiving a packet every 20 ms (put in through
   media_session_receive) and sending one (cfg.send, which costs nothing
   here), on a clock advanced 20 ms a round: jitter buffers, decoding,
   concealment state, statistics, RTCP, mixing and encoding, everything but
   the sockets (bench_relay and bench_sessions measure those). Reported:
   the share of one core it takes, and the headroom (how many such
   conferences one core would carry). Best of ROUNDS short runs,
   interleaved (see bench_core.c). Figures only, never pass/fail. */
#define _POSIX_C_SOURCE 200809L
#define MEDIA_IMPLEMENTATION
#include "../media.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"

typedef struct conf {
    const char *name;
    int n, wide;                 /* parties; how many of them at 16 kHz */
    uint32_t rate;
    media_mixer *m;
    double best;                 /* seconds per frame round */
} conf;

static int16_t voice[4][960 * 2];
static volatile int sink;

/* ---- a conference of sessions ---- */
#define PARTIES 100
static uint64_t vnow = 1000000;
static uint64_t vclock(void *user) { (void)user; return vnow; }
static int no_send(media_session *s, const uint8_t *d, size_t n, int is_rtcp, const media_addr *to, void *user)
{
    (void)s; (void)d; (void)n; (void)is_rtcp; (void)to; (void)user;
    return 0;
}
typedef struct member { media_session *s; media_mixer *m; int party; uint16_t seq; uint32_t ts; } member;
static void to_mix(media_session *s, const int16_t *pcm, size_t n, uint32_t rate, void *user)
{
    member *p = (member *)user;
    (void)s;
    media_mixer_put(p->m, p->party, pcm, n, rate);
}
static int from_mix(media_session *s, int16_t *pcm, size_t n, uint32_t rate, void *user)
{
    member *p = (member *)user;
    int got = media_mixer_get(p->m, p->party, pcm, n, rate);
    (void)s;
    return got > 0 ? got : 0;
}
static member members[PARTIES];
static media_mixer *conf_mixer;
static uint8_t conf_payload[4][160];

static int conference_setup(void)
{
    media_mixer_config mc;
    int i, err, k;
    media_mixer_config_init(&mc);
    mc.max_parties = PARTIES;
    if (!(conf_mixer = media_mixer_create(&mc, &err))) return err;
    for (k = 0; k < 4; k++) media_pcmu_encode(conf_payload[k], voice[k], 160);
    for (i = 0; i < PARTIES; i++) {
        media_session_config cfg;
        char offer[512], answer[2048];
        int n;
        member *p = &members[i];
        media_session_config_init(&cfg);
        cfg.send = no_send;
        cfg.now_us = vclock;
        cfg.sdp_address = "192.0.2.1";
        cfg.handler.user = p;
        cfg.handler.audio_in = to_mix;
        cfg.handler.audio_out = from_mix;
        p->m = conf_mixer;
        p->party = media_mixer_join(conf_mixer, MEDIA_MIXER_TALK);
        p->seq = (uint16_t)(i * 31);
        p->ts = (uint32_t)i * 7777u;
        if (!(p->s = media_session_create(&cfg, &err))) return err;
        n = snprintf(offer, sizeof offer, "v=0\r\no=- 1 1 IN IP4 192.0.2.2\r\ns=-\r\nc=IN IP4 192.0.2.2\r\nt=0 0\r\n"
                     "m=audio %d RTP/AVP 0\r\na=rtcp-mux\r\n", 20000 + 2 * i);
        if ((err = media_session_remote_sdp_set(p->s, offer, (size_t)n)) != MEDIA_OK) return err;
        if ((n = media_session_answer_create(p->s, answer, sizeof answer)) < 0) return n;
    }
    return MEDIA_OK;
}

/* rounds of 20 ms: every party's packet in, every session polled, the mix */
static double conference_run(int rounds)
{
    double t0 = now_s();
    int r, i;
    for (r = 0; r < rounds; r++) {
        vnow += 20000;
        for (i = 0; i < PARTIES; i++) {
            member *p = &members[i];
            uint8_t pkt[172];
            media_rtp_packet h;
            memset(&h, 0, sizeof h);
            h.payload_type = 0; h.seq = p->seq++; h.timestamp = p->ts; p->ts += 160; h.ssrc = 0x5000u + (uint32_t)i;
            h.payload = conf_payload[i & 3]; h.payload_len = 160;
            if (media_rtp_write(pkt, sizeof pkt, &h) == 172) (void)media_session_receive(p->s, pkt, 172, 0);
            (void)media_session_poll(p->s);
        }
        (void)media_mixer_poll(conf_mixer, vnow);
    }
    return (now_s() - t0) / rounds;
}

static double run(conf *c, int frames)
{
    int16_t out[960 * 2];
    double t0 = now_s();
    int f, i;
    for (f = 0; f < frames; f++) {
        for (i = 0; i < c->n; i++) {
            const uint32_t r = i < c->wide ? 16000 : c->rate;
            media_mixer_put(c->m, i, voice[i & 3], r / 50, r);
        }
        media_mixer_mix(c->m);
        for (i = 0; i < c->n; i++) {
            const uint32_t r = i < c->wide ? 16000 : c->rate;
            sink += media_mixer_get(c->m, i, out, r / 50, r);
        }
    }
    return (now_s() - t0) / frames;
}

int main(void)
{
    conf confs[] = {
        { "3 parties, 8 kHz", 3, 0, 8000, NULL, 1e9 },
        { "10 parties, 8 kHz", 10, 0, 8000, NULL, 1e9 },
        { "30 parties, 8 kHz", 30, 0, 8000, NULL, 1e9 },
        { "100 parties, 8 kHz", 100, 0, 8000, NULL, 1e9 },
        { "10 parties, 48 kHz", 10, 0, 48000, NULL, 1e9 },
        { "10 parties, 8 kHz, 5 of them 16 kHz", 10, 5, 8000, NULL, 1e9 },
    };
    const int nc = (int)(sizeof confs / sizeof *confs);
    int i, k, r, s;
    for (k = 0; k < 4; k++)
        for (s = 0; s < 960 * 2; s++)
            voice[k][s] = (int16_t)(6000 * sin(s * (0.05 + 0.03 * k)) + 2000 * sin(s * 0.31 * (k + 1)));
    for (k = 0; k < nc; k++) {
        media_mixer_config cfg;
        int err;
        media_mixer_config_init(&cfg);
        cfg.rate = confs[k].rate;
        cfg.max_parties = confs[k].n;
        confs[k].m = media_mixer_create(&cfg, &err);
        if (!confs[k].m) { printf("create: %s\n", media_result_string(err)); return 1; }
        for (i = 0; i < confs[k].n; i++) media_mixer_join(confs[k].m, MEDIA_MIXER_TALK);
        run(&confs[k], 50);   /* the converters' first frames */
    }
    for (r = 0; r < ROUNDS; r++)
        for (k = 0; k < nc; k++) {
            double t = run(&confs[k], confs[k].n >= 100 ? 5 : 40);
            if (t < confs[k].best) confs[k].best = t;
        }
    printf("mixer: put + mix + get of one 20 ms frame, per party\n");
    for (k = 0; k < nc; k++) {
        const double per = confs[k].best / confs[k].n;
        printf("  %-38s %7.3f us a party a frame, %6.1f us a frame: %.3f %% of a core\n", confs[k].name,
               per * 1e6, confs[k].best * 1e6, confs[k].best / 0.020 * 100);
    }
    printf("  100 parties against 10: %.2f x the cost per party\n",
           (confs[3].best / 100) / (confs[1].best / 10));
    {
        double best = 1e9;
        int rc = conference_setup();
        if (rc != MEDIA_OK) { printf("conference: %s\n", media_result_string(rc)); return 1; }
        conference_run(100);   /* the jitter buffers settle */
        for (r = 0; r < ROUNDS; r++) {
            double t = conference_run(10);
            if (t < best) best = t;
        }
        printf("a 100-party conference of PCMU sessions (sockets aside): %.1f us of CPU every 20 ms, "
               "%.1f %% of a core: one core carries %.0f of them\n", best * 1e6, best / 0.020 * 100, 0.020 / best);
        {
            media_session_stats st;
            media_mixer_party_stats ps;
            media_session_stats_get(members[7].s, &st);
            media_mixer_party_stats_get(conf_mixer, 7, &ps);
            printf("  (party 7: %llu packets received, %llu sent, %llu concealed; mixer: %llu frames, %u underruns)\n",
                   (unsigned long long)st.packets_received, (unsigned long long)st.packets_sent,
                   (unsigned long long)st.concealed, (unsigned long long)ps.frames, (unsigned)ps.underruns);
        }
        for (i = 0; i < PARTIES; i++) media_session_destroy(members[i].s);
        media_mixer_destroy(conf_mixer);
    }
    for (k = 0; k < nc; k++) media_mixer_destroy(confs[k].m);
    return 0;
}
