/* Two sessions negotiating Opus (media_opus.h) over the simulated network:
   the SDP they exchange, the audio that arrives, FEC recovering losses,
   the encoder adapting to the loss the peer reports, DTX silences that are
   neither losses nor a reason to move the buffer, the peer's fmtp reaching
   our encoder, the fall back to PCMU, and an Opus phone bridged to a PCMU
   one (media_bridge: 48 kHz Opus <-> 8 kHz PCMU, both ways). Built with MEDIA_OPUS_NO_LIBOPUS
   only the fall back applies; the rest is reported as not applicable. */
#define NET_EPS 4
#include "../sessnet.h"
#define sine_amp_(x, n, f, rate) sine_fit(x, n, f, rate, NULL, NULL)
#define MEDIA_OPUS_IMPLEMENTATION
#include "../../media_opus.h"
#ifndef MEDIA_OPUS_NO_LIBOPUS
#include <opus.h>
#endif

static media_opus_config g_oc[NET_EPS];
static media_opus g_opus[NET_EPS];
static const media_codec *g_list[NET_EPS][4];

/* endpoint i at 10.0.0.(i+1):4000 with [opus, PCMU, telephone-event] (opus
   left out when with_opus is 0 or media_opus_init() refuses) */
static media_session *opus_ep(int i, int with_opus, uint32_t rate)
{
    media_session_config c;
    char ip[32];
    int n = 0;
    snprintf(ip, sizeof ip, "10.0.0.%d", i + 1);
    ep_config(&c, i, ip, 4000);
    if (with_opus && media_opus_init(&g_opus[i], &g_oc[i]) == MEDIA_OK) g_list[i][n++] = &g_opus[i].codec;
    (void)rate;
    g_list[i][n++] = media_codec_pcmu();
    g_list[i][n++] = media_codec_telephone_event();
    c.codecs = g_list[i];
    c.codec_count = (size_t)n;
    c.rtcp_interval_ms = 1000;
    return ep_create(i, &c);
}

static void opus_cfg(int i, uint32_t rate)
{
    media_opus_config_init(&g_oc[i]);
    g_oc[i].sample_rate = rate;
}

/* a fresh network with two Opus endpoints configured (tweak g_oc[] next) */
static void opus_pair(uint32_t rate0, uint32_t rate1)
{
    net_reset();
    opus_cfg(0, rate0);
    opus_cfg(1, rate1);
}

static void test_falls_back_to_pcmu(void)
{
    media_session_stats st;
    opus_pair(48000, 48000);
    CHECK(opus_ep(0, 1, 48000) != NULL);
    CHECK(opus_ep(1, 0, 48000) != NULL);   /* the peer has no Opus */
    CHECK_EQ_INT(net_negotiate(0, 1), MEDIA_OK);
    g_ep[0].tone_hz = 440;
    net_run_ms(3000);
    media_session_stats_get(g_ep[1].s, &st);
    CHECK(st.codec && strcmp(st.codec, "PCMU") == 0);
    CHECK(st.packets_received > 140);
    /* G.711's own quality, frame by frame (the buffer may have cut one frame
       of its start-up delay, which a one-second fit would count as noise) */
    CHECKF(frames_above(g_ep[1].cap + 4000, 16000, 160, 440, 8000, 30) > 0.95, "%.2f of frames above 30 dB",
           frames_above(g_ep[1].cap + 4000, 16000, 160, 440, 8000, 30));
    net_reset();
}

#ifdef MEDIA_OPUS_NO_LIBOPUS

int main(void)
{
    RUN(test_falls_back_to_pcmu);
    printf("%d passed, %d failed, 9 not applicable (built with MEDIA_OPUS_NO_LIBOPUS)\n", harness_passed, harness_failed);
    net_reset();
    return harness_failed ? 1 : 0;
}

#else

/* creates both with Opus first and negotiates: 0 offers, 1 answers */
static void opus_pair_call(void)
{
    CHECK(opus_ep(0, 1, g_oc[0].sample_rate) && opus_ep(1, 1, g_oc[1].sample_rate));
    CHECK_EQ_INT(net_negotiate(0, 1), MEDIA_OK);
}

/* the sine amplitude fitted to x (for a level in dB against the sent one) */
static void test_opus_call(void)
{
    static const uint32_t rates[3] = { 8000, 16000, 48000 };
    int r;
    for (r = 0; r < 3; r++) {
        uint32_t rate = rates[r];
        char offer[4096];
        media_session_stats st;
        int n;
        double lvl;
        opus_pair(rate, rate);
        CHECK(opus_ep(0, 1, rate) && opus_ep(1, 1, rate));
        n = media_session_offer_create(g_ep[0].s, offer, sizeof offer);
        CHECK(n > 0);
        if (n <= 0) continue;
        /* RFC 7587: opus/48000/2 at any PCM rate; DTMF at Opus' clock */
        CHECK(strstr(offer, "a=rtpmap:96 opus/48000/2\r\n") != NULL);
        CHECK(strstr(offer, "telephone-event/48000") != NULL);
        CHECK(strstr(offer, "a=fmtp:96 minptime=10;useinbandfec=1") != NULL);
        if (rate < 48000) CHECK(strstr(offer, "maxplaybackrate=") != NULL);
        CHECK_EQ_INT(media_session_remote_sdp_set(g_ep[1].s, offer, (size_t)n), MEDIA_OK);
        {
            char answer[4096];
            int k = media_session_answer_create(g_ep[1].s, answer, sizeof answer);
            CHECK(k > 0);
            CHECK(k > 0 && strstr(answer, "opus/48000/2") != NULL);
            CHECK(k > 0 && strstr(answer, " minptime=10;useinbandfec=1") != NULL);   /* our fmtp in the answer too */
            if (k > 0) CHECK_EQ_INT(media_session_remote_sdp_set(g_ep[0].s, answer, (size_t)k), MEDIA_OK);
        }
        g_ep[0].next_poll = g_ep[1].next_poll = vnow;
        g_ep[0].tone_hz = 440;
        g_ep[0].amp = 8000;
        net_run_ms(3000);
        media_session_stats_get(g_ep[1].s, &st);
        CHECK(st.codec && strcmp(st.codec, "opus") == 0);
        CHECKF(st.packets_received >= 145, "%u Hz: %llu received", (unsigned)rate, (unsigned long long)st.packets_received);
        CHECK_EQ_INT(st.lost, 0);
        CHECK_EQ_INT(st.concealed, 0);
        /* the tone arrives at its level (one second in the middle, after the codec settled) */
        lvl = 20 * log10(sine_amp_(g_ep[1].cap + rate, rate, 440, rate) / 8000);
        CHECKF(fabs(lvl) < 1.0, "%u Hz: tone level %+.2f dB", (unsigned)rate, lvl);
        CHECKF(sine_snr(g_ep[1].cap + rate, rate, 440, rate) > 15, "%u Hz: SNR %.1f", (unsigned)rate, sine_snr(g_ep[1].cap + rate, rate, 440, rate));
        /* and every 20 ms of it, not just on average */
        CHECK(frames_above(g_ep[1].cap + rate / 2, 2 * rate, rate / 50, 440, rate, 10) > 0.95);
        media_session_stats_get(g_ep[0].s, &st);
        CHECK(st.codec_bitrate > 0);
        CHECK_EQ_INT(st.codec_fec_percent, 5);
        fprintf(stderr, "    %5u Hz call: tone at %+.2f dB, SNR %.1f dB, encoder at %d bit/s\n", (unsigned)rate, lvl,
                sine_snr(g_ep[1].cap + rate, rate, 440, rate), (int)st.codec_bitrate);
    }
    net_reset();
}

/* Opus at 48 kHz on A's leg, PCMU on B's, bridged: each phone hears the
   other's tone at its level, DTMF crosses as events (rescaled from Opus'
   48 kHz clock to 8 kHz and back). */
static void test_bridge_opus_pcmu(void)
{
    media_bridge *br;
    media_bridge_stats st;
    media_session_stats sa, sb;
    double la, lb;
    int err = 1;
    opus_pair(48000, 48000);
    opus_cfg(2, 48000);
    CHECK(opus_ep(0, 1, 48000) && opus_ep(1, 1, 48000));   /* phone A, leg a: Opus */
    CHECK(opus_ep(2, 0, 8000) && opus_ep(3, 0, 8000));     /* leg b, phone B: PCMU */
    CHECK_EQ_INT(net_negotiate(0, 1), MEDIA_OK);
    CHECK_EQ_INT(net_negotiate(2, 3), MEDIA_OK);
    br = media_bridge_create(g_ep[1].s, g_ep[2].s, NULL, &err);
    CHECKF(br && err == MEDIA_OK, "bridge: %d", err);
    if (!br) return;
    g_ep[0].tone_hz = 440;
    g_ep[3].tone_hz = 1000;
    net_run_ms(2000);
    CHECK_EQ_INT(media_session_dtmf_send(g_ep[0].s, "73"), MEDIA_OK);
    CHECK_EQ_INT(media_session_dtmf_send(g_ep[3].s, "8"), MEDIA_OK);
    net_run_ms(2000);
    media_session_stats_get(g_ep[0].s, &sa);
    media_session_stats_get(g_ep[3].s, &sb);
    CHECK(sa.codec && strcmp(sa.codec, "opus") == 0 && sb.codec && strcmp(sb.codec, "PCMU") == 0);
    media_bridge_stats_get(br, 0, &st);
    CHECKF(st.relayed == 0 && st.transcoded > 150, "A->B: %llu relayed, %llu transcoded", (unsigned long long)st.relayed,
           (unsigned long long)st.transcoded);
    /* a second of each, away from the digits */
    lb = 20 * log10(sine_amp_(g_ep[3].cap + 4000, 8000, 440, 8000) / 8000);
    la = 20 * log10(sine_amp_(g_ep[0].cap + 48000, 48000, 1000, 48000) / 8000);
    CHECKF(fabs(lb) < 1.0 && sine_snr(g_ep[3].cap + 4000, 8000, 440, 8000) > 15, "B hears A's tone at %+.2f dB, SNR %.1f",
           lb, sine_snr(g_ep[3].cap + 4000, 8000, 440, 8000));
    CHECKF(fabs(la) < 1.0 && sine_snr(g_ep[0].cap + 48000, 48000, 1000, 48000) > 15, "A hears B's tone at %+.2f dB, SNR %.1f",
           la, sine_snr(g_ep[0].cap + 48000, 48000, 1000, 48000));
    CHECKF(g_ep[3].ndigits == 2 && memcmp(g_ep[3].digits, "73", 2) == 0, "B got \"%.*s\"", g_ep[3].ndigits, g_ep[3].digits);
    CHECKF(g_ep[0].ndigits == 1 && g_ep[0].digits[0] == '8', "A got \"%.*s\"", g_ep[0].ndigits, g_ep[0].digits);
    CHECKF(g_ep[3].ndigits >= 1 && g_ep[3].dur[0] >= 90 && g_ep[3].dur[0] <= 130, "digit lasted %u ms at B", (unsigned)g_ep[3].dur[0]);
    fprintf(stderr, "    Opus 48 kHz <-> PCMU 8 kHz bridged: B hears A at %+.2f dB, A hears B at %+.2f dB\n", lb, la);
    media_bridge_destroy(br);
    net_reset();
}

/* 5 % loss: FEC rebuilds single losses; the sender, told by RTCP, tunes FEC
   up and its bitrate down, and back once the loss stops */
static void test_loss_fec_and_adaptation(void)
{
    media_session_stats a, b;
    opus_pair(16000, 16000);
    g_oc[0].bitrate = 32000;
    g_oc[0].min_bitrate = 12000;
    opus_pair_call();
    g_ep[0].tone_hz = 300;
    net_run_ms(1000);
    media_session_stats_get(g_ep[0].s, &a);
    CHECK_EQ_INT(a.codec_bitrate, 32000);
    g_net.loss = 0.05;
    net_run_ms(12000);
    media_session_stats_get(g_ep[0].s, &a);
    media_session_stats_get(g_ep[1].s, &b);
    fprintf(stderr, "    5 %% loss: %lld lost, %llu concealed, %llu of them from FEC; sender told %.1f %%: FEC for %d %%, %d bit/s\n",
            (long long)b.lost, (unsigned long long)b.concealed, (unsigned long long)b.recovered, a.remote_loss_percent,
            a.codec_fec_percent, (int)a.codec_bitrate);
    CHECK(b.lost > 10);
    CHECK(b.recovered > 0 && b.recovered <= b.concealed);
    CHECK(a.have_remote_report);
    CHECK(a.codec_fec_percent > 5 || a.remote_loss_percent < 5);   /* follows what was reported */
    CHECK(a.codec_bitrate < 32000);
    g_net.loss = 0;
    net_run_ms(4000);
    media_session_stats_get(g_ep[0].s, &a);
    CHECK_EQ_INT(a.codec_fec_percent, 5);
    CHECK_EQ_INT(a.codec_bitrate, 32000);
    net_reset();
}

/* tone 2 s, silence 2 s, tone 2 s over a network with 8 ms of jitter, the
   sender with or without DTX; the receiver's stats at the end */
static void dtx_run(int dtx, media_session_stats *a, media_session_stats *b, int *gaps_marked)
{
    int i;
    opus_pair(48000, 48000);
    g_oc[0].dtx = dtx;
    opus_pair_call();
    g_net.jitter_us = 8000;
    g_ep[0].tone_hz = 440;
    net_run_ms(2000);
    g_ep[0].tone_hz = 0;
    net_run_ms(2000);
    g_ep[0].tone_hz = 440;
    net_run_ms(2000);
    media_session_stats_get(g_ep[0].s, a);
    media_session_stats_get(g_ep[1].s, b);
    for (i = 1, *gaps_marked = 0; i < g_ep[0].nlog; i++)
        if (g_ep[0].log[i].ts - g_ep[0].log[i - 1].ts > 960 && g_ep[0].log[i].marker) (*gaps_marked)++;
    /* the tone after the silence */
    CHECK(frames_above(g_ep[1].cap + 48000 * 5, 48000 / 2, 960, 440, 48000, 15) > 0.95);
}

/* DTX: the silence is not sent, and the receiver calls it neither loss nor
   concealment, and keeps the delay it would have kept without DTX */
static void test_dtx_silence(void)
{
    media_session_stats a, b, a0, b0;
    int marked, marked0;
    dtx_run(0, &a0, &b0, &marked0);
    dtx_run(1, &a, &b, &marked);
    fprintf(stderr, "    DTX: %llu frames not sent, %llu packets; receiver: %lld lost, %llu concealed, delay %.1f ms (%.1f without DTX)\n",
            (unsigned long long)a.dtx_frames, (unsigned long long)a.packets_sent, (long long)b.lost,
            (unsigned long long)b.concealed, b.jitter_delay_ms, b0.jitter_delay_ms);
    CHECK_EQ_INT(a0.dtx_frames, 0);
    CHECK(a.dtx_frames > 60);
    CHECK(marked >= 1);                       /* the talkspurt after silence carries the marker */
    CHECK_EQ_INT(b.lost, 0);
    CHECK_EQ_INT(b.concealed, 0);
    CHECK(fabs(b.jitter_delay_ms - b0.jitter_delay_ms) <= 20.0);   /* a frame at most */
    net_reset();
}

/* the answerer plays out at 8 kHz: its maxplaybackrate keeps our 48 kHz
   encoder narrowband (every packet's TOC says so) */
static void test_peer_fmtp_reaches_encoder(void)
{
    int i, over = 0, n = 0;
    opus_pair(48000, 8000);
    opus_pair_call();
    g_ep[0].tone_hz = 440;
    g_ep[1].tone_hz = 440;
    net_run_ms(1000);
    for (i = 0; i < g_ep[0].nlog; i++, n++) over += opus_packet_get_bandwidth(g_ep[0].log[i].head) > OPUS_BANDWIDTH_NARROWBAND;
    CHECK(n > 40);
    CHECKF(over == 0, "%d of %d packets above narrowband", over, n);
    /* and the other way nothing limits the 8 kHz side's 48 kHz peer: it sends what 8 kHz holds */
    for (i = 0, over = 0; i < g_ep[1].nlog; i++) over += opus_packet_get_bandwidth(g_ep[1].log[i].head) > OPUS_BANDWIDTH_NARROWBAND;
    CHECK_EQ_INT(over, 0);
    net_reset();
}

/* the frame size follows the negotiated packet time */
static void test_ptime_sets_frames(void)
{
    static const uint32_t ptimes[3] = { 10, 40, 60 };
    int k, i;
    for (k = 0; k < 3; k++) {
        media_session_stats st;
        int steps_ok = 1;
        opus_pair(16000, 16000);
        {
            media_session_config c;
            int j;
            for (j = 0; j < 2; j++) {
                char ip[32];
                snprintf(ip, sizeof ip, "10.0.0.%d", j + 1);
                ep_config(&c, j, ip, 4000);
                CHECK_EQ_INT(media_opus_init(&g_opus[j], &g_oc[j]), MEDIA_OK);
                g_list[j][0] = &g_opus[j].codec;
                g_list[j][1] = media_codec_telephone_event();
                c.codecs = g_list[j];
                c.codec_count = 2;
                c.ptime_ms = ptimes[k];
                CHECK(ep_create(j, &c) != NULL);
            }
        }
        CHECK_EQ_INT(net_negotiate(0, 1), MEDIA_OK);
        g_ep[0].tone_hz = 440;
        net_run_ms(2400);
        for (i = 1; i < g_ep[0].nlog; i++) steps_ok &= g_ep[0].log[i].ts - g_ep[0].log[i - 1].ts == 48 * ptimes[k];
        media_session_stats_get(g_ep[1].s, &st);
        CHECKF(steps_ok && g_ep[0].nlog > 0, "ptime %u: timestamp steps", (unsigned)ptimes[k]);
        CHECKF(st.ptime_ms == ptimes[k] || st.packets_received * ptimes[k] >= 2000, "ptime %u", (unsigned)ptimes[k]);
        CHECK_EQ_INT(st.lost, 0);
        CHECKF(frames_above(g_ep[1].cap + 16000 / 2, 16000, 16000 / 50, 440, 16000, 10) > 0.90, "ptime %u: %.2f of frames, %llu concealed, %zu samples", (unsigned)ptimes[k], frames_above(g_ep[1].cap + 16000 / 2, 16000, 16000 / 50, 440, 16000, 10), (unsigned long long)st.concealed, g_ep[1].ncap);
    }
    net_reset();
}

/* a peer whose fmtp says minptime=40 (RFC 7587 6.1) gets no shorter packets */
static void test_peer_minptime(void)
{
    static const char offer[] =
        "v=0\r\no=peer 1 1 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\n"
        "m=audio 4000 RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=40;useinbandfec=1\r\n";
    char answer[4096];
    media_session_stats st;
    int i, steps_ok = 1;
    opus_pair(48000, 48000);
    CHECK(opus_ep(0, 1, 48000) != NULL);
    CHECK_EQ_INT(media_session_remote_sdp_set(g_ep[0].s, offer, sizeof offer - 1), MEDIA_OK);
    CHECK(media_session_answer_create(g_ep[0].s, answer, sizeof answer) > 0);
    g_ep[0].tone_hz = 440;
    g_ep[0].next_poll = vnow;
    net_run_ms(1000);
    media_session_stats_get(g_ep[0].s, &st);
    for (i = 1; i < g_ep[0].nlog; i++) steps_ok &= g_ep[0].log[i].ts - g_ep[0].log[i - 1].ts == 1920;
    CHECK_EQ_INT(st.ptime_ms, 40);
    CHECK(g_ep[0].nlog >= 20 && steps_ok);
    net_reset();
}

static void test_dtmf_with_opus(void)
{
    opus_pair(48000, 48000);
    opus_pair_call();
    g_ep[0].tone_hz = 440;
    net_run_ms(500);
    CHECK_EQ_INT(media_session_dtmf_send(g_ep[0].s, "19#"), MEDIA_OK);
    net_run_ms(2000);
    CHECK(strcmp(g_ep[1].digits, "19#") == 0);
    CHECK(g_ep[1].ndigits == 3 && g_ep[1].dur[0] >= 80 && g_ep[1].dur[0] <= 130);
    net_reset();
}

/* The delay moved at the PCM rate Opus decodes to: a path climbing 100 ms
   over 2 s, then back, at 16 and 48 kHz; followed by stretching and then
   compressing a pitch period at a time, no frame dropped, inserted or
   late, the tone whole in every 20 ms */
static void test_delay_stretching(void)
{
    static const uint32_t rates[2] = { 16000, 48000 };
    int r, t;
    for (r = 0; r < 2; r++) {
        uint32_t rate = rates[r];
        media_session_stats mid, st;
        double clean;
        opus_pair(rate, rate);
        opus_pair_call();
        g_ep[0].tone_hz = 210;
        g_ep[0].amp = 8000;
        g_net.delay_us = 40000;
        for (t = 0; t < 1250; t++) {   /* 25 s in 20 ms steps: the climb leaves the window after 10 s */
            if (t >= 100 && t < 200) g_net.delay_us += 1000;
            if (t >= 300 && t < 400) g_net.delay_us -= 1000;
            net_run_ms(20);
            if (t == 299) media_session_stats_get(g_ep[1].s, &mid);
        }
        media_session_stats_get(g_ep[1].s, &st);
        clean = frames_above(g_ep[1].cap + rate, g_ep[1].ncap - rate, rate / 50, 210, rate, 10);
        fprintf(stderr, "    %5u Hz: stretched %.1f ms by the climb's end, compressed %.1f ms after; clean 20 ms frames %.3f\n",
                (unsigned)rate, mid.stretched_ms, st.compressed_ms, clean);
        CHECKF(mid.stretched_ms >= 75 && mid.jitter_delay_ms >= 95, "%u Hz: stretched %.1f ms, delay %.1f ms", (unsigned)rate,
               mid.stretched_ms, mid.jitter_delay_ms);
        CHECKF(st.compressed_ms >= 75 && st.jitter_delay_ms < 25, "%u Hz: compressed %.1f ms, delay %.1f ms", (unsigned)rate,
               st.compressed_ms, st.jitter_delay_ms);
        CHECKF(st.frames_dropped == 0 && st.frames_inserted == 0 && st.late == 0 && st.concealed <= 1,
               "%u Hz: dropped %llu inserted %llu late %llu concealed %llu", (unsigned)rate, (unsigned long long)st.frames_dropped,
               (unsigned long long)st.frames_inserted, (unsigned long long)st.late, (unsigned long long)st.concealed);
        CHECKF(clean > 0.99, "%u Hz: clean frames %.3f", (unsigned)rate, clean);
    }
    net_reset();
}

int main(void)
{
    RUN(test_falls_back_to_pcmu);
    RUN(test_opus_call);
    RUN(test_loss_fec_and_adaptation);
    RUN(test_dtx_silence);
    RUN(test_peer_fmtp_reaches_encoder);
    RUN(test_ptime_sets_frames);
    RUN(test_peer_minptime);
    RUN(test_dtmf_with_opus);
    RUN(test_delay_stretching);
    RUN(test_bridge_opus_pcmu);
    net_reset();
    return harness_summary();
}
#endif
