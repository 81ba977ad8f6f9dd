/* The media session, end to end: two sessions (or a session and a hand-driven
   fake peer) over a simulated network with a virtual clock. No sleeps, no
   wall-clock time: every run is the same. */
#include "../sessnet.h"
#include <limits.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <signal.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>

enum { A = 0, B = 1, F = 2 };

static void setup_pair(media_session_config *ca, media_session_config *cb)
{
    net_reset();
    ep_config(ca, A, "10.0.0.1", 4000);
    ep_config(cb, B, "10.0.0.2", 5000);
}

static void start_pair(media_session_config *ca, media_session_config *cb)
{
    CHECK(ep_create(A, ca) != NULL);
    CHECK(ep_create(B, cb) != NULL);
    CHECK_EQ_INT(net_negotiate(A, B), MEDIA_OK);
}

static void test_basic_call(void)
{
    media_session_config ca, cb;
    media_session_stats sa, sb;
    long allocs;
    int k, gaps = 0;
    setup_pair(&ca, &cb);
    start_pair(&ca, &cb);
    g_ep[A].tone_hz = 1000;
    g_net.delay_us = 20000;                           /* a LAN-ish path: 20..24 ms */
    g_net.jitter_us = 4000;
    CHECK_EQ_INT(media_session_state_get(g_ep[A].s), MEDIA_STATE_READY);
    allocs = alloc_count;
    net_run_ms(10000);
    CHECK_EQ_INT(alloc_count - allocs, 0);            /* nothing allocated while the call runs */
    CHECK_EQ_INT(net_failed_polls, 0);
    CHECK_EQ_INT(media_session_state_get(g_ep[A].s), MEDIA_STATE_ACTIVE);
    CHECK_EQ_INT(media_session_state_get(g_ep[B].s), MEDIA_STATE_ACTIVE);
    /* A hangs up: its BYE ends B's receive stream, nothing is sent after it */
    CHECK_EQ_INT(media_session_close(g_ep[A].s), MEDIA_OK);
    net_run_ms(100);
    CHECK_EQ_INT(media_session_state_get(g_ep[A].s), MEDIA_STATE_TERMINATED);
    CHECK_EQ_INT(media_session_poll(g_ep[A].s), MEDIA_ESTATE);
    CHECK_EQ_INT(g_ep[A].rtcp_bye, 1);
    CHECK_EQ_INT(g_ep[A].session_starts, 1);
    CHECK_EQ_INT(g_ep[B].session_starts, 1);
    CHECK_EQ_INT(g_ep[A].session_stops, 1);
    CHECK_EQ_INT(g_ep[A].stop_reason, MEDIA_OK);
    CHECK_EQ_INT(g_ep[B].session_stops, 0);
    CHECK(g_ep[B].nstops >= 1 && g_ep[B].stops[g_ep[B].nstops - 1] == MEDIA_STREAM_RECEIVE);
    media_session_stats_get(g_ep[A].s, &sa);
    media_session_stats_get(g_ep[B].s, &sb);
    CHECK(sa.codec && !strcmp(sa.codec, "PCMU"));
    CHECK_EQ_INT(sa.payload_type, 0);
    CHECK_EQ_INT(sa.ptime_ms, 20);
    /* 10 s at 20 ms, the first at t = 0: 501 packets, the last one only if the
       poll for it came before the hang-up (poll timeouts are whole ms) */
    CHECK(sa.packets_sent == 500 || sa.packets_sent == 501);
    CHECK_EQ_INT(sb.packets_received, sa.packets_sent);
    CHECK_EQ_INT(sb.lost, 0);
    CHECK_EQ_INT(sa.bytes_sent, sa.packets_sent * 160);
    /* the wire: marker on the first packet only, seq +1, ts +160, 20 ms apart
       (within the 1 ms resolution of poll's timeout) */
    CHECK_EQ_INT(g_ep[A].log[0].marker, 1);
    for (k = 1; k < g_ep[A].nlog; k++) {
        const wire_rec *p = &g_ep[A].log[k - 1], *q = &g_ep[A].log[k];
        gaps += q->marker || (uint16_t)(q->seq - p->seq) != 1 || q->ts - p->ts != 160 || q->at - p->at < 19000 || q->at - p->at > 21000 ||
                q->ssrc != p->ssrc || q->pt != 0 || q->len != 160;
    }
    CHECK_EQ_INT(gaps, 0);
    /* the tone arrives intact: PCMU's SNR on a sine is about 38 dB; the jitter
       buffer may conceal up to 1 % (its late target) while it settles */
    CHECK(g_ep[B].ncap > 8000 * 9);
    CHECK(frames_above(g_ep[B].cap, g_ep[B].ncap, 160, 1000, 8000, 33) > 0.98);
    CHECK(sb.mos > 4.3);
    CHECKF(sb.concealed <= 5, "concealed %llu", (unsigned long long)sb.concealed);
    CHECK_EQ_INT(sa.malformed_rtp + sa.malformed_rtcp + sb.malformed_rtp + sb.malformed_rtcp, 0);
    /* RTCP flowed both ways (first after 2.5 s on average, then ~5 s): RTT = 2 x 0 here */
    CHECK(sa.rtcp_sent >= 1 && sb.rtcp_received >= 1);
    CHECK(sa.have_remote_report);
    /* stream start both ways */
    CHECK(g_ep[A].nstarts == 2 && g_ep[B].nstarts == 2);
    net_reset();
}

/* The path's delay climbs by 100 ms over 2 s, stays, and comes back down:
   the playout delay follows by stretching the tone a period at a time
   (never a whole frame dropped or inserted), comes back down by
   compressing it once the climb has left the estimator's window, and the
   tone stays clean through both. */
static void test_delay_moves_by_stretching(void)
{
    media_session_config ca, cb;
    media_session_stats sb, mid;
    double clean;
    int t;
    setup_pair(&ca, &cb);
    start_pair(&ca, &cb);
    g_ep[A].tone_hz = 210;
    g_net.delay_us = 40000;
    for (t = 0; t < 1500; t++) {   /* 30 s in 20 ms steps */
        if (t >= 100 && t < 200) g_net.delay_us += 1000;   /* 2 s: +100 ms */
        if (t >= 300 && t < 400) g_net.delay_us -= 1000;   /* 6 s: back */
        net_run_ms(20);
        if (t == 299) media_session_stats_get(g_ep[B].s, &mid);
    }
    media_session_stats_get(g_ep[B].s, &sb);
    CHECKF(mid.stretched_ms >= 75 && mid.stretched_ms <= 140 && mid.jitter_delay_ms >= 95,
           "after the climb: stretched %.1f ms, delay %.1f ms", mid.stretched_ms, mid.jitter_delay_ms);
    CHECKF(sb.compressed_ms >= 75 && sb.jitter_delay_ms < 25, "at the end: compressed %.1f ms, delay %.1f ms",
           sb.compressed_ms, sb.jitter_delay_ms);
    CHECKF(sb.frames_dropped == 0 && sb.frames_inserted == 0 && sb.late == 0 && sb.concealed <= 1,
           "dropped %llu inserted %llu late %llu concealed %llu", (unsigned long long)sb.frames_dropped,
           (unsigned long long)sb.frames_inserted, (unsigned long long)sb.late, (unsigned long long)sb.concealed);
    clean = frames_above(g_ep[B].cap, g_ep[B].ncap, 160, 210, 8000, 25);
    CHECKF(clean > 0.99, "clean frames %.3f", clean);
    net_reset();
}

static void test_rtcp_matches_network(void)
{
    media_session_config ca, cb;
    media_session_stats sa, sb;
    double expect_jitter;
    setup_pair(&ca, &cb);
    start_pair(&ca, &cb);
    g_net.loss = 0.05;
    g_net.delay_us = 40000;
    g_net.jitter_us = 30000;
    g_ep[A].tone_hz = 400;
    g_ep[B].tone_hz = 600;
    media_session_stats_get(g_ep[A].s, &sa);
    CHECKF(sa.rtt_ms == -1, "RTT before any report: %.2f (unknown is -1)", sa.rtt_ms);
    net_run_ms(60000);
    g_net.loss = 0;                      /* let the last reports through */
    g_ep[A].tone_hz = 0;
    net_run_ms(12000);
    media_session_stats_get(g_ep[A].s, &sa);
    media_session_stats_get(g_ep[B].s, &sb);
    /* B's own count of what A lost on the way equals the network's */
    CHECK_EQ_INT(sb.lost, g_net.rtp_dropped[A]);
    CHECK_EQ_INT(sa.lost, g_net.rtp_dropped[B]);
    CHECK(g_net.rtp_dropped[A] > 100);
    /* and what B reported back to A by RTCP says the same (cumulative lost of the last RR) */
    CHECK(sa.have_remote_report);
    CHECKF(sa.remote_lost >= g_net.rtp_dropped[A] - 5 && sa.remote_lost <= g_net.rtp_dropped[A],
           "remote_lost %d vs dropped %ld", sa.remote_lost, g_net.rtp_dropped[A]);
    /* RFC 3550 A.8 of uniform 0..30 ms delay: E|D| = 30/3 = 10 ms */
    expect_jitter = 10.0;
    CHECKF(sb.jitter_ms > expect_jitter * 0.8 && sb.jitter_ms < expect_jitter * 1.2, "jitter %.2f", sb.jitter_ms);
    CHECKF(sb.jitter_mean_ms > expect_jitter * 0.9 && sb.jitter_mean_ms < expect_jitter * 1.1, "mean jitter %.2f",
           sb.jitter_mean_ms);
    CHECK(sb.jitter_max_ms >= sb.jitter_ms && sb.jitter_max_ms < 30);
    CHECKF(sa.remote_jitter_ms > expect_jitter * 0.6 && sa.remote_jitter_ms < expect_jitter * 1.4, "remote jitter %.2f",
           sa.remote_jitter_ms);
    /* RTT: 2 x (40 + 0..30) ms */
    CHECKF(sa.rtt_ms >= 80 && sa.rtt_ms <= 140, "rtt %.1f", sa.rtt_ms);
    CHECK(sb.mos < 4.3 && sb.mos > 2.5);
    CHECKF(sb.concealed > 100, "concealed %llu late %llu lost %lld", (unsigned long long)sb.concealed, (unsigned long long)sb.late, (long long)sb.lost);
    net_reset();
}

static int find_digit_packets(int i, int *first)
{
    int k, n = 0;
    *first = -1;
    for (k = 0; k < g_ep[i].nlog; k++)
        if (g_ep[i].log[k].pt == 101) { if (*first < 0) *first = k; n++; }
    return n;
}

/* a digit counts as sent once its first end packet is out: a BYE that cuts
   the two repeats short does not lose it from dtmf_sent */
static void test_dtmf_sent_cut_by_bye(void)
{
    media_session_config ca, cb;
    media_session_stats sa;
    int k, end_seen = 0;
    setup_pair(&ca, &cb);
    start_pair(&ca, &cb);
    net_run_ms(200);
    CHECK_EQ_INT(media_session_dtmf_send(g_ep[A].s, "5"), MEDIA_OK);
    for (k = 0; k < 50 && !end_seen; k++) {   /* 20 ms at a time until the first end packet */
        int i;
        net_run_ms(20);
        for (i = 0; i < g_ep[A].nlog; i++) if (g_ep[A].log[i].pt == 101 && (g_ep[A].log[i].head[1] & 0x80)) end_seen = 1;
    }
    CHECK(end_seen);
    media_session_stats_get(g_ep[A].s, &sa);
    CHECK_EQ_INT(sa.dtmf_sent, 1);
    CHECK_EQ_INT(media_session_close(g_ep[A].s), MEDIA_OK);
    net_run_ms(200);
    media_session_stats_get(g_ep[A].s, &sa);
    CHECK_EQ_INT(sa.dtmf_sent, 1);
    net_reset();
}

/* B answers telephone-event under a number of its own (RFC 3264 6.1 lets
   it): A takes the answer and sends its digits under B's number, B hears
   them. */
static int renumber_te(media_session *s, media_sdp *sdp, int is_local, void *u)
{
    (void)s; (void)u;
    if (!is_local) return 0;
    if (media_sdp_format_remove(sdp, 0, 101) < 0 || media_sdp_format_add(sdp, 0, 120) < 0 ||
        media_sdp_attr_add(sdp, 0, "rtpmap", "120 telephone-event/8000") < 0 ||
        media_sdp_attr_add(sdp, 0, "fmtp", "120 0-16") < 0) return -1;
    return 0;
}

static void test_dtmf_renumbered_answer(void)
{
    media_session_config ca, cb;
    int k, n120 = 0, n101 = 0;
    setup_pair(&ca, &cb);
    cb.handler.answer = renumber_te;
    start_pair(&ca, &cb);
    net_run_ms(300);
    CHECK_EQ_INT(media_session_dtmf_send(g_ep[A].s, "7#"), MEDIA_OK);
    net_run_ms(1500);
    CHECKF(!strcmp(g_ep[B].digits, "7#"), "B heard \"%s\"", g_ep[B].digits);
    for (k = 0; k < g_ep[A].nlog; k++) { n120 += g_ep[A].log[k].pt == 120; n101 += g_ep[A].log[k].pt == 101; }
    CHECKF(n120 == 2 * 7 && n101 == 0, "%d event packets under 120, %d under 101", n120, n101);
    net_reset();
}

static void test_dtmf_both_ways(void)
{
    media_session_config ca, cb;
    int first, n, k, ends = 0;
    setup_pair(&ca, &cb);
    start_pair(&ca, &cb);
    g_ep[A].tone_hz = 500;
    net_run_ms(500);
    CHECK_EQ_INT(media_session_dtmf_send(g_ep[A].s, "19*#"), MEDIA_OK);
    CHECK_EQ_INT(media_session_dtmf_send(g_ep[B].s, "D0"), MEDIA_OK);
    CHECK_EQ_INT(media_session_dtmf_send(g_ep[B].s, "x"), MEDIA_EINVAL);
    net_run_ms(3000);
    CHECK(!strcmp(g_ep[B].digits, "19*#"));
    {
        /* the time the events took is a tone, not lost audio */
        media_session_stats sb;
        media_session_stats_get(g_ep[B].s, &sb);
        CHECK_EQ_INT(sb.concealed, 0);
        CHECK_EQ_INT(sb.lost, 0);
        CHECK_EQ_INT(sb.dtmf_received, 4);
    }
    CHECK(!strcmp(g_ep[A].digits, "D0"));
    for (k = 0; k < g_ep[B].ndigits; k++) CHECK_EQ_INT(g_ep[B].dur[k], 100);
    for (k = 0; k < g_ep[A].ndigits; k++) CHECK_EQ_INT(g_ep[A].dur[k], 100);
    /* the first digit on the wire: 100 ms = 5 packets of 20 ms; durations
       160, 320 ... 800; E on the last three (each its own sequence number);
       one timestamp; marker on the first only */
    n = find_digit_packets(A, &first);
    CHECK_EQ_INT(n, 4 * 7);
    for (k = 0; k < 7 && first >= 0; k++) {
        const wire_rec *w = &g_ep[A].log[first + k];
        unsigned dur = (unsigned)(w->head[2] << 8 | w->head[3]);
        CHECK_EQ_INT(w->pt, 101);
        CHECK_EQ_INT(w->head[0], 1);
        CHECK_EQ_INT(w->marker, k == 0);
        CHECK_EQ_INT(w->ts, g_ep[A].log[first].ts);
        CHECK_EQ_INT(w->head[1] & 0x3F, 10);
        CHECK_EQ_INT(dur, k < 5 ? 160 * (k + 1) : 800);
        if (w->head[1] & 0x80) ends++;
        if (k) CHECK_EQ_INT((uint16_t)(w->seq - g_ep[A].log[first + k - 1].seq), 1);
    }
    CHECK_EQ_INT(ends, 3);
    {   /* A counts what it sent: four digits */
        media_session_stats sa;
        media_session_stats_get(g_ep[A].s, &sa);
        CHECK_EQ_INT(sa.dtmf_sent, 4);
    }
    /* the audio around the digit keeps the sending clock: the packet after the
       last end has the timestamp of its own moment */
    if (first >= 1) {
        const wire_rec *before = &g_ep[A].log[first - 1], *after = &g_ep[A].log[first + 7];
        CHECK_EQ_INT(after->pt, 0);
        CHECK_EQ_INT(after->ts - before->ts, 160u * 8);
        CHECK_EQ_INT(g_ep[A].log[first].ts - before->ts, 160);
    }
    net_reset();
}

/* ---- a fake peer driven packet by packet ---- */

static const char *fake_offer =
    "v=0\r\no=peer 1 1 IN IP4 10.0.0.9\r\ns=-\r\nc=IN IP4 10.0.0.9\r\nt=0 0\r\n"
    "m=audio 7000 RTP/AVP 8 0 100\r\na=rtpmap:100 telephone-event/8000\r\na=fmtp:100 0-15\r\na=ptime:20\r\n";

static void setup_fake(media_session_config *cb)
{
    net_reset();
    ep_config(cb, B, "10.0.0.2", 5000);
    media_addr_parse(&g_ep[F].rtp, "10.0.0.9", 7000);
    g_ep[F].log = (wire_rec *)calloc(NET_LOG, sizeof *g_ep[F].log);
}

static void fake_rtp(int pt, int marker, uint16_t seq, uint32_t ts, uint32_t ssrc, const uint8_t *pl, size_t len,
                     const media_addr *from)
{
    uint8_t b[1500];
    b[0] = 0x80; b[1] = (uint8_t)(pt | (marker ? 0x80 : 0));
    b[2] = (uint8_t)(seq >> 8); b[3] = (uint8_t)seq;
    b[4] = (uint8_t)(ts >> 24); b[5] = (uint8_t)(ts >> 16); b[6] = (uint8_t)(ts >> 8); b[7] = (uint8_t)ts;
    b[8] = (uint8_t)(ssrc >> 24); b[9] = (uint8_t)(ssrc >> 16); b[10] = (uint8_t)(ssrc >> 8); b[11] = (uint8_t)ssrc;
    memcpy(b + 12, pl, len);
    net_enqueue(B, 0, from ? from : &g_ep[F].rtp, b, 12 + len, vnow);
}

static void fake_event(uint16_t seq, uint32_t ts, int event, int end, unsigned dur, int marker)
{
    uint8_t pl[4];
    pl[0] = (uint8_t)event; pl[1] = (uint8_t)((end ? 0x80 : 0) | 10); pl[2] = (uint8_t)(dur >> 8); pl[3] = (uint8_t)dur;
    fake_rtp(100, marker, seq, ts, 0xABCD, pl, 4, NULL);
}

/* B answers the fake peer's offer; latch: cfg.latch */
static media_session *fake_start_latch(media_session_config *cb, int latch)
{
    char ans[4096];
    int n;
    setup_fake(cb);
    cb->latch = latch;
    if (!ep_create(B, cb)) return NULL;
    CHECK_EQ_INT(media_session_remote_sdp_set(g_ep[B].s, fake_offer, strlen(fake_offer)), MEDIA_OK);
    n = media_session_answer_create(g_ep[B].s, ans, sizeof ans);
    CHECK(n > 0);
    CHECK(strstr(ans, "m=audio 5000 RTP/AVP 8 0 100") != NULL);
    return g_ep[B].s;
}

static media_session *fake_start(media_session_config *cb) { return fake_start_latch(cb, 0); }

/* A pcma frame of a 1 kHz tone for the fake peer. */
static void pcma_frame(uint8_t *pl, uint32_t at)
{
    int16_t pcm[160];
    int i;
    for (i = 0; i < 160; i++) pcm[i] = (int16_t)(8000 * sin(2 * 3.14159265358979 * 1000 * (at + i) / 8000.0));
    media_pcma_encode(pl, pcm, 160);
}

static uint16_t fk_seq;
static uint32_t fk_ts;

static void fake_audio(int frames, uint32_t ssrc, const media_addr *from)
{
    uint8_t pl[160];
    int k;
    for (k = 0; k < frames; k++) {
        pcma_frame(pl, fk_ts);
        fake_rtp(8, 0, fk_seq++, fk_ts, ssrc, pl, 160, from);
        fk_ts += 160;
        net_run_ms(20);
    }
}

static void test_dtmf_peer_quirks(void)
{
    media_session_config cb;
    uint8_t pl[160];
    uint16_t seq = 100;
    uint32_t ts = 5000;
    int k;
    if (!fake_start(&cb)) { CHECK(0); return; }
    /* audio, then a '5' under the peer's own telephone-event number 100,
       without a marker bit, 3 updates + end repeated three times, then a
       late retransmission of the end after more audio */
    for (k = 0; k < 10; k++) { pcma_frame(pl, ts); fake_rtp(8, k == 0, seq++, ts, 0xABCD, pl, 160, NULL); ts += 160; net_run_ms(20); }
    fake_event(seq++, ts, 5, 0, 160, 0); net_run_ms(20);
    fake_event(seq++, ts, 5, 0, 320, 0); net_run_ms(20);
    fake_event(seq++, ts, 5, 0, 480, 0); net_run_ms(20);
    fake_event(seq++, ts, 5, 1, 640, 0);
    fake_event(seq++, ts, 5, 1, 640, 0);
    fake_event(seq++, ts, 5, 1, 640, 0); net_run_ms(20);
    {
        uint32_t ev_ts = ts;
        ts += 640;
        for (k = 0; k < 5; k++) { pcma_frame(pl, ts); fake_rtp(8, 0, seq++, ts, 0xABCD, pl, 160, NULL); ts += 160; net_run_ms(20); }
        fake_event(seq++, ev_ts, 5, 1, 640, 0);   /* a very late repeat */
        net_run_ms(20);
        /* a second press of the same key: a new timestamp makes it a new event; its end is lost entirely */
        fake_event(seq++, ts, 5, 0, 160, 1); net_run_ms(20);
        fake_event(seq++, ts, 5, 0, 320, 0); net_run_ms(20);
        ts += 320;
        for (k = 0; k < 40; k++) { pcma_frame(pl, ts); fake_rtp(8, 0, seq++, ts, 0xABCD, pl, 160, NULL); ts += 160; net_run_ms(20); }
    }
    /* the next press's first packet before this one's end packets (a sender's
       mux releasing them late): both reported, in order, with their durations */
    fake_event(seq++, ts, 7, 0, 160, 1); net_run_ms(20);
    fake_event(seq++, ts, 7, 0, 320, 0); net_run_ms(20);
    fake_event((uint16_t)(seq + 3), ts + 1000, 8, 0, 160, 1); net_run_ms(10);
    for (k = 0; k < 3; k++) fake_event(seq++, ts, 7, 1, 480, 0);
    seq++;
    net_run_ms(20);
    fake_event(seq++, ts + 1000, 8, 0, 320, 0); net_run_ms(20);
    for (k = 0; k < 3; k++) fake_event(seq++, ts + 1000, 8, 1, 400, 0);
    net_run_ms(20);
    ts += 1000 + 400;
    for (k = 0; k < 10; k++) { pcma_frame(pl, ts); fake_rtp(8, 0, seq++, ts, 0xABCD, pl, 160, NULL); ts += 160; net_run_ms(20); }
    CHECKF(!strcmp(g_ep[B].digits, "5578"), "digits %s", g_ep[B].digits);
    CHECK_EQ_INT(g_ep[B].dur[0], 80);    /* 640 / 8000 s */
    CHECK_EQ_INT(g_ep[B].dur[1], 40);    /* what was seen of it */
    CHECK_EQ_INT(g_ep[B].dur[2], 60);    /* its end packets came after the next press began */
    CHECK_EQ_INT(g_ep[B].dur[3], 50);
    net_reset();
}

/* A sender that stalls mid-press (its host loaded, its mux holding packets)
   sends nothing for a while, then the rest of the press and its end: the
   press keeps its whole duration. A press whose end packets are lost and
   after which the peer sends nothing (VAD) is still reported, after 2 s of
   quiet; one followed by audio, once the audio is 1 s past it. */
static void test_dtmf_sender_stall(void)
{
    media_session_config cb;
    int k;
    if (!fake_start(&cb)) { CHECK(0); return; }
    fk_seq = 300; fk_ts = 8000;
    fake_audio(10, 0xABCD, NULL);
    fake_event(fk_seq++, fk_ts, 3, 0, 160, 1); net_run_ms(20);
    fake_event(fk_seq++, fk_ts, 3, 0, 320, 0);
    net_run_ms(1200);                                       /* the sender stalls */
    CHECK_EQ_INT(g_ep[B].ndigits, 0);
    for (k = 3; k <= 6; k++) fake_event(fk_seq++, fk_ts, 3, 0, 160u * (unsigned)k, 0);
    for (k = 0; k < 3; k++) fake_event(fk_seq++, fk_ts, 3, 1, 1120, 0);
    net_run_ms(20);
    CHECK_EQ_INT(g_ep[B].ndigits, 1);
    fk_ts += 1120;
    fake_audio(5, 0xABCD, NULL);
    /* end lost, then silence from the peer */
    fake_event(fk_seq++, fk_ts, 9, 0, 160, 1); net_run_ms(20);
    fake_event(fk_seq++, fk_ts, 9, 0, 320, 0);
    net_run_ms(1900);
    CHECK_EQ_INT(g_ep[B].ndigits, 1);
    net_run_ms(200);
    CHECK_EQ_INT(g_ep[B].ndigits, 2);
    fk_ts += 16000 + 320;
    /* end lost, audio goes on: reported when the audio is 1 s past the press
       (a sender's mux may hold its events most of a second while audio flows) */
    fake_event(fk_seq++, fk_ts, 1, 0, 160, 1); net_run_ms(20);
    fake_event(fk_seq++, fk_ts, 1, 0, 320, 0); net_run_ms(20);
    fk_ts += 320;
    fake_audio(49, 0xABCD, NULL);
    CHECK_EQ_INT(g_ep[B].ndigits, 2);
    fake_audio(3, 0xABCD, NULL);
    CHECK_EQ_INT(g_ep[B].ndigits, 3);
    fk_ts += 8000;
    fake_audio(5, 0xABCD, NULL);
    /* GStreamer's order after a stall (seen in a CI run): the sender's audio
       thread catches up first, a burst stamped 0.8 s through and past the
       press, then the events' thread sends the rest of the press and its end */
    {
        uint32_t ev = fk_ts;
        fake_event(fk_seq++, ev, 11, 0, 320, 1);
        net_run_ms(800);
        fk_ts += 320;
        for (k = 0; k < 40; k++) {
            uint8_t pl[160];
            pcma_frame(pl, fk_ts);
            fake_rtp(8, 0, fk_seq++, fk_ts, 0xABCD, pl, 160, NULL);
            fk_ts += 160;
        }
        net_run_ms(5);
        for (k = 2; k <= 8; k++) fake_event(fk_seq++, ev, 11, 0, 320u * (unsigned)k, 0);
        for (k = 0; k < 3; k++) fake_event(fk_seq++, ev, 11, 1, 2560, 0);
        net_run_ms(20);
        fake_audio(30, 0xABCD, NULL);
    }
    CHECKF(!strcmp(g_ep[B].digits, "391#"), "digits %s", g_ep[B].digits);
    CHECK_EQ_INT(g_ep[B].dur[0], 140);   /* 1120 / 8000 s, the stall included */
    CHECK_EQ_INT(g_ep[B].dur[1], 40);
    CHECK_EQ_INT(g_ep[B].dur[2], 40);
    CHECK_EQ_INT(g_ep[B].dur[3], 320);   /* the whole press, not its first packet */
    net_reset();
}

static void test_hold_resume(void)
{
    media_session_config ca, cb;
    char sdp[4096];
    int n, before, k, marker_after = 0;
    media_session_stats sb;
    setup_pair(&ca, &cb);
    start_pair(&ca, &cb);
    g_ep[A].tone_hz = 300; g_ep[B].tone_hz = 700;
    net_run_ms(1000);
    CHECK_EQ_INT(media_session_hold(g_ep[A].s), MEDIA_OK);
    CHECK_EQ_INT(media_session_state_get(g_ep[A].s), MEDIA_STATE_HELD);
    n = media_session_offer_create(g_ep[A].s, sdp, sizeof sdp);
    CHECK(n > 0 && strstr(sdp, "a=sendonly") != NULL);
    CHECK_EQ_INT(media_session_remote_sdp_set(g_ep[B].s, sdp, (size_t)n), MEDIA_OK);
    n = media_session_answer_create(g_ep[B].s, sdp, sizeof sdp);
    CHECK(n > 0 && strstr(sdp, "a=recvonly") != NULL);
    CHECK_EQ_INT(media_session_remote_sdp_set(g_ep[A].s, sdp, (size_t)n), MEDIA_OK);
    CHECK_EQ_INT(media_session_state_get(g_ep[B].s), MEDIA_STATE_PAUSED);
    net_run_ms(20);
    before = g_ep[B].nlog;
    net_run_ms(3000);
    CHECK_EQ_INT(g_ep[B].nlog, before);          /* B does not send to a holder */
    CHECK(g_ep[A].nlog > 140);                   /* A (sendonly) still does */
    media_session_stats_get(g_ep[B].s, &sb);
    CHECK(sb.rtcp_sent > 0);
    /* resume */
    CHECK_EQ_INT(media_session_resume(g_ep[A].s), MEDIA_OK);
    n = media_session_offer_create(g_ep[A].s, sdp, sizeof sdp);
    CHECK(n > 0 && strstr(sdp, "a=sendrecv") != NULL);
    CHECK_EQ_INT(media_session_remote_sdp_set(g_ep[B].s, sdp, (size_t)n), MEDIA_OK);
    n = media_session_answer_create(g_ep[B].s, sdp, sizeof sdp);
    CHECK_EQ_INT(media_session_remote_sdp_set(g_ep[A].s, sdp, (size_t)n), MEDIA_OK);
    CHECK_EQ_INT(media_session_state_get(g_ep[A].s), MEDIA_STATE_ACTIVE);
    CHECK_EQ_INT(media_session_state_get(g_ep[B].s), MEDIA_STATE_ACTIVE);
    net_run_ms(1000);
    CHECK(g_ep[B].nlog > before + 45);
    for (k = before; k < g_ep[B].nlog; k++) marker_after += g_ep[B].log[k].marker;
    CHECK_EQ_INT(g_ep[B].log[before].marker, 1);   /* a new talkspurt */
    CHECK_EQ_INT(marker_after, 1);
    /* the timestamp jumped by the time not sent (about 3 s of 8 kHz) */
    if (before > 0) {
        uint32_t jump = g_ep[B].log[before].ts - g_ep[B].log[before - 1].ts;
        CHECK(jump >= 8000 * 3 - 400 && jump <= 8000 * 3 + 400);
    }
    net_reset();
}

static void test_codec_switch(void)
{
    media_session_config ca, cb;
    media_session_stats sb;
    int k, pcma = 0, pcmu_after = 0, start;
    setup_pair(&ca, &cb);
    start_pair(&ca, &cb);
    g_ep[A].tone_hz = 1000;
    net_run_ms(1000);
    CHECK_EQ_INT(media_session_codec_set(g_ep[A].s, media_codec_pcma()), MEDIA_OK);
    start = g_ep[A].nlog;
    net_run_ms(2000);
    for (k = start; k < g_ep[A].nlog; k++) { pcma += g_ep[A].log[k].pt == 8; pcmu_after += g_ep[A].log[k].pt == 0; }
    CHECK(pcma >= 99 && pcmu_after == 0);
    media_session_stats_get(g_ep[B].s, &sb);
    CHECK_EQ_INT(sb.lost, 0);
    /* B decodes PCMA now: the tone continues */
    CHECK(sine_snr(g_ep[B].cap + g_ep[B].ncap - 8000, 8000, 1000, 8000) > 30);
    net_reset();
}

/* ---- playback, recording ---- */

static char tmpdir[256];

static const char *tmp_path(const char *name)
{
    static char buf[8][512];
    static int k;
    char *b = buf[k++ & 7];
    snprintf(b, 512, "%s/%s", tmpdir, name);
    return b;
}

static void write_tone(const char *path, uint32_t rate, uint32_t ch, double hz, double seconds)
{
    media_wav_file f;
    int16_t pcm[2 * 480];
    size_t total = (size_t)(rate * seconds), done = 0, i;
    CHECK_EQ_INT(media_wav_open_write(&f, path, MEDIA_WAV_PCM16, rate, ch), MEDIA_OK);
    while (done < total) {
        size_t k = total - done > 480 ? 480 : total - done;
        for (i = 0; i < k; i++) {
            int16_t v = (int16_t)(9000 * sin(2 * 3.14159265358979 * hz * (double)(done + i) / rate));
            pcm[i * ch] = v;
            if (ch == 2) pcm[i * ch + 1] = v;
        }
        CHECK_EQ_INT(media_wav_write(&f, pcm, k), MEDIA_OK);
        done += k;
    }
    CHECK_EQ_INT(media_wav_close(&f), MEDIA_OK);
}

/* Strongest of the candidate tones in the 20 ms frame starting at x (0 = silence). */
static double frame_tone(const int16_t *x, const double *cands, int n)
{
    double best = 0, bp = 0, e = 0;
    int c;
    size_t i;
    for (i = 0; i < 160; i++) e += (double)x[i] * x[i];
    if (e / 160 < 1e4) return 0;
    for (c = 0; c < n; c++) {
        double re = 0, im = 0;
        for (i = 0; i < 160; i++) {
            re += x[i] * cos(2 * 3.14159265358979 * cands[c] * (double)i / 8000);
            im += x[i] * sin(2 * 3.14159265358979 * cands[c] * (double)i / 8000);
        }
        if (re * re + im * im > bp) { bp = re * re + im * im; best = cands[c]; }
    }
    return best;
}

static void test_playback_queue(void)
{
    media_session_config ca, cb;
    static const double cands[] = { 440, 1000, 1500 };
    double seq[64];
    int nseq = 0, id1, id2, id3, k, ts_bad = 0;
    size_t i;
    setup_pair(&ca, &cb);
    ca.resample = 1;
    start_pair(&ca, &cb);
    write_tone(tmp_path("a440.wav"), 8000, 1, 440, 0.4);
    write_tone(tmp_path("b1000.wav"), 16000, 2, 1000, 0.3);   /* stereo 16 kHz: mixed down, converted */
    write_tone(tmp_path("c1500.wav"), 44100, 1, 1500, 0.2);
    id1 = media_session_play(g_ep[A].s, tmp_path("a440.wav"), 2);
    id2 = media_session_play(g_ep[A].s, tmp_path("b1000.wav"), 1);
    id3 = media_session_play(g_ep[A].s, tmp_path("c1500.wav"), 1);
    CHECK(id1 > 0 && id2 > id1 && id3 > id2);
    CHECK_EQ_INT(media_session_play(g_ep[A].s, tmp_path("missing.wav"), 1), MEDIA_EIO);
    CHECK_EQ_INT(media_session_play(g_ep[B].s, tmp_path("b1000.wav"), 1), MEDIA_EUNSUPPORTED);   /* B: no converter */
    net_run_ms(600);
    CHECK_EQ_INT(media_session_play_pause(g_ep[A].s), MEDIA_OK);
    net_run_ms(400);
    CHECK_EQ_INT(media_session_play_resume(g_ep[A].s), MEDIA_OK);
    net_run_ms(1200);
    CHECK_EQ_INT(g_ep[A].nplay, 3);
    CHECK(g_ep[A].play_ids[0] == id1 && g_ep[A].play_ids[1] == id2 && g_ep[A].play_ids[2] == id3);
    CHECK(g_ep[A].play_res[0] == MEDIA_OK && g_ep[A].play_res[1] == MEDIA_OK && g_ep[A].play_res[2] == MEDIA_OK);
    /* what B heard, frame by frame: 440 for 0.8 s (two loops) with a 0.4 s pause
       in the middle of the second, then 1000 for 0.3 s, 1500 for 0.2 s, silence */
    for (i = 0; i + 160 <= g_ep[B].ncap && nseq < 64; i += 160) {
        double t = frame_tone(g_ep[B].cap + i, cands, 3);
        if (!nseq || seq[nseq - 1] != t) seq[nseq++] = t;
    }
    CHECKF(nseq >= 6, "nseq %d", nseq);
    if (nseq >= 6) {
        /* leading silence (jitter buffer), 440, pause, 440, 1000, 1500, silence */
        k = seq[0] == 0 ? 1 : 0;
        CHECK(seq[k] == 440 && seq[k + 1] == 0 && seq[k + 2] == 440 && seq[k + 3] == 1000 && seq[k + 4] == 1500);
    }
    {
        /* the whole tone durations: count frames of each */
        int c440 = 0, c1000 = 0, c1500 = 0;
        for (i = 0; i + 160 <= g_ep[B].ncap; i += 160) {
            double t = frame_tone(g_ep[B].cap + i, cands, 3);
            c440 += t == 440; c1000 += t == 1000; c1500 += t == 1500;
        }
        CHECK(c440 >= 39 && c440 <= 41);
        CHECK(c1000 >= 14 && c1000 <= 16);
        CHECK(c1500 >= 9 && c1500 <= 11);
    }
    /* timestamps continuous across files, loops and the pause */
    for (k = 1; k < g_ep[A].nlog; k++) ts_bad += g_ep[A].log[k].ts - g_ep[A].log[k - 1].ts != 160;
    CHECK_EQ_INT(ts_bad, 0);
    /* stop empties the queue, each file reported */
    id1 = media_session_play(g_ep[A].s, tmp_path("a440.wav"), 0);
    id2 = media_session_play(g_ep[A].s, tmp_path("b1000.wav"), 0);
    net_run_ms(100);
    CHECK_EQ_INT(media_session_play_stop(g_ep[A].s), MEDIA_OK);
    CHECK_EQ_INT(g_ep[A].nplay, 5);
    CHECK(g_ep[A].play_res[3] == MEDIA_ERROR && g_ep[A].play_res[4] == MEDIA_ERROR);
    net_reset();
}

/* A file with no audio in it (a header and an empty data chunk): played
   once it is done at once; asked to loop, or through the rate converter, it
   completes with MEDIA_ENOTFOUND instead of waiting for audio forever. A
   record() path that is not a regular file is refused. */
static void test_empty_files(void)
{
    media_session_config ca, cb;
    int once, loop, conv, loop_conv;
    setup_pair(&ca, &cb);
    ca.resample = 1;
    start_pair(&ca, &cb);
    write_tone(tmp_path("empty8.wav"), 8000, 1, 440, 0);
    write_tone(tmp_path("empty16.wav"), 16000, 1, 440, 0);
    once = media_session_play(g_ep[A].s, tmp_path("empty8.wav"), 1);
    loop = media_session_play(g_ep[A].s, tmp_path("empty8.wav"), 0);
    conv = media_session_play(g_ep[A].s, tmp_path("empty16.wav"), 1);
    loop_conv = media_session_play(g_ep[A].s, tmp_path("empty16.wav"), 3);
    CHECK(once > 0 && loop > once && conv > loop && loop_conv > conv);
    net_run_ms(200);
    CHECKF(g_ep[A].nplay == 4, "%d of 4 plays completed", g_ep[A].nplay);
    if (g_ep[A].nplay == 4) {
        CHECK(g_ep[A].play_ids[0] == once && g_ep[A].play_res[0] == MEDIA_OK);
        CHECK(g_ep[A].play_ids[1] == loop && g_ep[A].play_res[1] == MEDIA_ENOTFOUND);
        CHECK(g_ep[A].play_ids[2] == conv && g_ep[A].play_res[2] == MEDIA_OK);
        CHECK(g_ep[A].play_ids[3] == loop_conv && g_ep[A].play_res[3] == MEDIA_ENOTFOUND);
    }
    /* a directory, and a device: a recording goes to a regular file */
    CHECK_EQ_INT(media_session_record(g_ep[A].s, tmp_path(""), MEDIA_RECORD_SENT), MEDIA_EINVAL);
    CHECK_EQ_INT(media_session_record(g_ep[A].s, "/dev/null", MEDIA_RECORD_SENT), MEDIA_EINVAL);
    CHECK_EQ_INT(media_session_record(g_ep[A].s, tmp_path("fine.wav"), MEDIA_RECORD_SENT), MEDIA_OK);
    net_reset();
}

static void test_record_survives_destroy(void)
{
    media_session_config ca, cb;
    media_wav_file f;
    static int16_t pcm[2 * 8000 * 4];
    int n;
    setup_pair(&ca, &cb);
    start_pair(&ca, &cb);
    g_ep[A].tone_hz = 500;
    g_ep[B].tone_hz = 1200;
    CHECK_EQ_INT(media_session_record(g_ep[B].s, tmp_path("both.wav"), MEDIA_RECORD_BOTH), MEDIA_OK);
    net_run_ms(3000);
    /* abrupt: no close, no stop */
    media_session_destroy(g_ep[B].s);
    g_ep[B].s = NULL;
    CHECK_EQ_INT(media_wav_open_read(&f, tmp_path("both.wav")), MEDIA_OK);
    CHECK_EQ_INT(f.info.channels, 2);
    CHECK_EQ_INT(f.info.sample_rate, 8000);
    n = media_wav_read(&f, pcm, 8000 * 4);
    media_wav_close(&f);
    CHECKF(n >= 8000 * 3 - 160 && n <= 8000 * 3 + 160, "frames %d", n);
    if (n > 8000 * 2) {
        static int16_t l[8000], r[8000];
        int i;
        for (i = 0; i < 8000; i++) { l[i] = pcm[2 * (8000 + i)]; r[i] = pcm[2 * (8000 + i) + 1]; }
        CHECK(sine_snr(l, 8000, 500, 8000) > 30);    /* left: what B received */
        CHECK(sine_snr(r, 8000, 1200, 8000) > 30);   /* right: what B sent */
    }
    net_reset();
}

/* ---- timers and the poll contract ---- */

static void test_rtp_timeout(void)
{
    media_session_config ca, cb;
    setup_pair(&ca, &cb);
    cb.rtp_timeout_ms = 3000;
    start_pair(&ca, &cb);
    net_run_ms(2000);
    g_net.block[A] = 1;                  /* A's packets stop arriving at 2 s */
    net_run_ms(2900);
    CHECK_EQ_INT(g_ep[B].nerrors, 0);
    net_run_ms(200);                     /* 3 s after the last one */
    CHECK_EQ_INT(g_ep[B].nerrors, 1);
    CHECK_EQ_INT(g_ep[B].errors[0], MEDIA_ETIMEOUT);
    net_run_ms(10000);
    CHECK_EQ_INT(g_ep[B].nerrors, 1);    /* "continue": said once */
    g_net.block[A] = 0;
    net_run_ms(1000);
    CHECK(g_ep[B].nstarts >= 3);         /* the receive stream started again */
    g_net.block[A] = 1;
    net_run_ms(3500);
    CHECK_EQ_INT(g_ep[B].nerrors, 2);    /* and times out again */
    net_reset();
}

/* A call recorded (received) that ends because the peer went quiet: the
   file holds the call to its last received frame, not the timeout's wait */
static void test_record_ends_at_last_packet(void)
{
    media_session_config ca, cb;
    media_wav_file f;
    double secs = 0;
    setup_pair(&ca, &cb);
    cb.rtp_timeout_ms = 2000;
    start_pair(&ca, &cb);
    g_ep[A].tone_hz = 500;
    CHECK_EQ_INT(media_session_record(g_ep[B].s, tmp_path("rx_idle.wav"), MEDIA_RECORD_RECEIVED), MEDIA_OK);
    net_run_ms(3000);
    g_net.block[A] = 1;                  /* A's packets stop arriving at 3 s */
    net_run_ms(2500);                    /* B times out at 5 s */
    CHECK_EQ_INT(g_ep[B].nerrors, 1);
    CHECK_EQ_INT(media_session_close(g_ep[B].s), MEDIA_OK);
    net_run_ms(100);
    media_session_destroy(g_ep[B].s);
    g_ep[B].s = NULL;
    if (media_wav_open_read(&f, tmp_path("rx_idle.wav")) == MEDIA_OK) {
        secs = (double)f._end / f.info.block / 8000;
        media_wav_close(&f);
    }
    CHECKF(secs >= 2.9 && secs <= 3.05, "recorded %.3f s of a call heard for 3 s", secs);
    net_reset();
    remove(tmp_path("rx_idle.wav"));
}

static void test_late_poll_no_burst(void)
{
    media_session_config ca, cb;
    int before, k;
    uint32_t jump;
    setup_pair(&ca, &cb);
    start_pair(&ca, &cb);
    net_run_ms(1000);
    before = g_ep[A].nlog;
    vnow += 1000000;                      /* the application stalled for a second */
    (void)media_session_poll(g_ep[A].s);
    CHECK_EQ_INT(g_ep[A].nlog - before, MEDIA_SESSION_MAX_BURST);
    /* the skipped time shows in the timestamps, not as a burst */
    jump = g_ep[A].log[before].ts - g_ep[A].log[before - 1].ts;
    CHECK(jump >= 8000 - 3 * 160 && jump <= 8000);
    for (k = before + 1; k < g_ep[A].nlog; k++) CHECK_EQ_INT(g_ep[A].log[k].ts - g_ep[A].log[k - 1].ts, 160);
    g_ep[A].next_poll = vnow;
    g_ep[B].next_poll = vnow;
    net_run_ms(1000);
    CHECK(g_ep[A].nlog - before >= 50 && g_ep[A].nlog - before <= 54);
    net_reset();
}

static void test_poll_return_and_allocations(void)
{
    media_session_config ca, cb;
    long a0 = alloc_count, f0 = free_count;
    int r;
    setup_pair(&ca, &cb);
    a0 = alloc_count; f0 = free_count;
    CHECK(ep_create(A, &ca) != NULL);
    CHECK_EQ_INT(alloc_count - a0, 1);            /* one allocation per session */
    CHECKF(alloc_last <= 20480, "a G.711 session takes %zu bytes", alloc_last);   /* the 20 KiB budget: 8 KiB of it holds 1 s of jitter */
    CHECK(ep_create(B, &cb) != NULL);
    a0 = alloc_count; f0 = free_count;
    CHECK_EQ_INT(net_negotiate(A, B), MEDIA_OK);
    CHECK_EQ_INT(alloc_count - a0, free_count - f0);   /* negotiation scratch is returned */
    r = media_session_poll(g_ep[A].s);           /* starts media: first frame now, next in 20 ms */
    CHECK(r >= 19 && r <= 20);
    vnow += 5000;
    r = media_session_poll(g_ep[A].s);
    CHECK(r >= 14 && r <= 15);
    a0 = alloc_count;
    g_ep[A].next_poll = g_ep[B].next_poll = vnow;
    net_run_ms(30000);
    CHECK_EQ_INT(alloc_count - a0, 0);
    f0 = free_count;
    media_session_destroy(g_ep[A].s);
    g_ep[A].s = NULL;
    CHECK_EQ_INT(free_count - f0, 1);
    net_reset();
}

/* ---- the fake peer again: sources, SSRCs, timestamps ---- */

static int tone_frames(int i, size_t from)
{
    static const double c[] = { 1000 };
    size_t k;
    int n = 0;
    for (k = from; k + 160 <= g_ep[i].ncap; k += 160) n += frame_tone(g_ep[i].cap + k, c, 1) == 1000;
    return n;
}

static void test_ssrc_change_and_timestamp_jump(void)
{
    media_session_config cb;
    media_session_stats sb;
    size_t mark;
    if (!fake_start(&cb)) { CHECK(0); return; }
    fk_seq = 1000; fk_ts = 50000;
    fake_audio(50, 0x1111, NULL);
    mark = g_ep[B].ncap;
    /* a new source (a PBX transferring the call): new SSRC, sequence, timestamps */
    fk_seq = 7; fk_ts = 3000000000u;
    fake_audio(50, 0x2222, NULL);
    CHECKF(tone_frames(B, mark) >= 45, "tone frames after the SSRC change: %d", tone_frames(B, mark));
    /* the timestamp jumps back an hour on the same source */
    mark = g_ep[B].ncap;
    fk_ts -= 8000u * 3600;
    fake_audio(50, 0x2222, NULL);
    CHECKF(tone_frames(B, mark) >= 45, "tone frames after the jump back: %d", tone_frames(B, mark));
    /* the sender restarts under the same SSRC, its sequence 550 back and its
       timestamps 1 s back: late for good, until eight in a row start it over */
    mark = g_ep[B].ncap;
    fk_seq = (uint16_t)(fk_seq - 550);
    fk_ts -= 8000;
    fake_audio(50, 0x2222, NULL);
    CHECKF(tone_frames(B, mark) >= 38, "tone frames after a restart under the same SSRC: %d", tone_frames(B, mark));
    media_session_stats_get(g_ep[B].s, &sb);
    CHECK_EQ_INT(sb.ssrc_changes, 1);
    CHECK_EQ_INT(sb.remote_ssrc, 0x2222);
    /* the new source and the restart each take over at their third packet
       (the stream in play quiet for three frames, A.1's two in sequence) */
    CHECKF(sb.packets_received == 196 && sb.strays == 4, "%llu received, %u refused",
           (unsigned long long)sb.packets_received, (unsigned)sb.strays);
    net_reset();
}

static void test_source_filter_and_latch(void)
{
    media_session_config cb;
    media_session_stats sb;
    media_addr nat;
    size_t mark;
    int k, to_nat = 0;
    if (!fake_start(&cb)) { CHECK(0); return; }
    media_addr_parse(&nat, "198.51.100.7", 61000);
    fk_seq = 1; fk_ts = 0;
    fake_audio(20, 0x3333, NULL);
    mark = g_ep[B].ncap;
    fake_audio(30, 0x4444, &nat);          /* someone else, elsewhere */
    media_session_stats_get(g_ep[B].s, &sb);
    CHECK_EQ_INT(sb.foreign, 30);
    CHECK_EQ_INT(sb.packets_received, 20);
    CHECK(tone_frames(B, mark + 160 * 8) == 0);
    net_reset();
    /* with latching: the peer is behind NAT, its packets come from elsewhere */
    if (!fake_start_latch(&cb, 1)) { CHECK(0); return; }
    g_ep[F].rtp = nat;                      /* B's packets to the NAT address reach the fake peer's log */
    fk_seq = 1; fk_ts = 0;
    fake_audio(30, 0x5555, &nat);
    media_session_stats_get(g_ep[B].s, &sb);
    /* the first packet from elsewhere than the SDP's address waits for a
       second in sequence (probation) before B latches to it */
    CHECK_EQ_INT(sb.foreign, 1);
    CHECK_EQ_INT(sb.packets_received, 29);
    for (k = 0; k < g_ep[B].nlog; k++) to_nat += g_ep[B].log[k].pt == 8;
    CHECK(g_net.misdirected <= 2);               /* B answers where the packets come from, once latched */
    CHECK(to_nat >= 25);
    net_reset();
    /* with latching, a peer sending from the address its SDP gave is latched
       like any other: a stranger that comes later cannot take the call over */
    if (!fake_start_latch(&cb, 1)) { CHECK(0); return; }
    fk_seq = 1; fk_ts = 0;
    fake_audio(20, 0x3333, NULL);
    fake_audio(30, 0x4444, &nat);
    media_session_stats_get(g_ep[B].s, &sb);
    CHECK_EQ_INT(sb.foreign, 30);
    CHECK_EQ_INT(sb.packets_received, 20);
    CHECK_EQ_INT(g_net.misdirected, 0);          /* B still sends to the SDP's address */
    net_reset();
}

/* A spoofer at the peer's exact address, one packet for each of the
   peer's: another SSRC, then the peer's SSRC with its sequence jumping
   about, then our own SSRC (our packets looped back). The stream in play
   keeps playing (it used to restart at every alien packet: the audio was
   gone), A.8 jitter is computed on what A.1 accepts only (it read millions
   of ms), the jitter buffer's delay stays under its ceiling, and our SSRC
   changes once at most (it changed at every looped packet). */
static void test_spoofed_peer(void)
{
    media_session_config cb;
    media_session_stats sb;
    uint8_t pl[160];
    size_t mark;
    int k, round, over = 0;
    uint32_t ours;
    double worst_delay = 0;
    for (round = 0; round < 3; round++) {
        setup_fake(&cb);
        cb.jitter_max_delay_ms = 400;
        if (!fake_start(&cb)) { CHECK(0); return; }
        fk_seq = 100; fk_ts = 1000;
        fake_audio(25, 0x3333, NULL);
        media_session_stats_get(g_ep[B].s, &sb);
        ours = sb.local_ssrc;
        mark = g_ep[B].ncap;
        for (k = 0; k < 250; k++) {
            uint32_t r = harness_rand();
            pcma_frame(pl, fk_ts);
            fake_rtp(8, 0, fk_seq++, fk_ts, 0x3333, pl, 160, NULL);
            fk_ts += 160;
            if (round == 0) fake_rtp(8, 1, (uint16_t)r, r * 7919u, 0x6666 + (r & 7), pl, 160, NULL);
            if (round == 1) fake_rtp(8, 1, (uint16_t)(fk_seq + 5000 + (r & 0x3FFF)), r * 7919u, 0x3333, pl, 160, NULL);
            if (round == 2) fake_rtp(8, 0, (uint16_t)r, r * 7919u, ours, pl, 160, NULL);
            net_run_ms(20);
            media_session_stats_get(g_ep[B].s, &sb);
            if (sb.jitter_delay_ms > worst_delay) worst_delay = sb.jitter_delay_ms;
            if (sb.jitter_delay_ms > sb.jitter_max_delay_ms + 0.001) over++;
        }
        media_session_stats_get(g_ep[B].s, &sb);
        CHECKF(tone_frames(B, mark) >= 240, "round %d: %d of 250 frames of the peer's tone played", round, tone_frames(B, mark));
        CHECKF(sb.ssrc_changes == 0 && sb.remote_ssrc == 0x3333, "round %d: %u source changes", round, (unsigned)sb.ssrc_changes);
        CHECKF(sb.jitter_ms < 2 && sb.jitter_max_ms < 5, "round %d: jitter %.1f ms, its largest %.1f", round, sb.jitter_ms,
               sb.jitter_max_ms);
        CHECKF(sb.strays >= 245, "round %d: %u strays refused", round, (unsigned)sb.strays);
        CHECKF(sb.collisions <= 1, "round %d: %u SSRC changes of ours", round, (unsigned)sb.collisions);
        net_reset();
    }
    CHECKF(over == 0, "the jitter buffer's delay over its ceiling %d times (worst %.0f ms)", over, worst_delay);
}

/* Latching: a stranger sending the peer's SSRC and continuing its
   sequence, one packet for each of the peer's, gets none of our packets
   (it used to get all of them after one); a NAT rebinding (the peer's
   stream continuing from a new port, the old one quiet) is followed within
   a few packets; MEDIA_LATCH_STRICT never moves. */
static void test_latch_hijack_and_rebinding(void)
{
    media_session_config cb;
    media_session_stats sb;
    media_addr nat, nat2, stranger;
    uint8_t pl[160];
    long mis;
    int k, strict;
    media_addr_parse(&nat, "198.51.100.7", 61000);
    media_addr_parse(&nat2, "198.51.100.7", 61544);
    media_addr_parse(&stranger, "203.0.113.66", 5004);
    for (strict = 0; strict <= 1; strict++) {
        if (!fake_start_latch(&cb, strict ? MEDIA_LATCH_STRICT : MEDIA_LATCH_ON)) { CHECK(0); return; }
        g_ep[F].rtp = nat;
        fk_seq = 1; fk_ts = 0;
        fake_audio(20, 0x5555, &nat);
        mis = g_net.misdirected;          /* (to the SDP's address, before the latch) */
        for (k = 0; k < 150; k++) {       /* the hijack */
            pcma_frame(pl, fk_ts);
            fake_rtp(8, 0, fk_seq, fk_ts, 0x5555, pl, 160, &nat);
            fake_rtp(8, 0, (uint16_t)(fk_seq + 1), fk_ts + 160, 0x5555, pl, 160, &stranger);
            fk_seq++; fk_ts += 160;
            net_run_ms(20);
        }
        media_session_stats_get(g_ep[B].s, &sb);
        CHECKF(g_net.misdirected == mis, "%s: %ld of our packets went to the stranger", strict ? "strict" : "on",
               g_net.misdirected - mis);
        CHECK(sb.foreign >= 149);
        /* the NAT gives the peer a new port: its stream goes on from there */
        g_ep[F].rtp = nat2;
        mis = g_net.misdirected;
        fake_audio(100, 0x5555, &nat2);
        media_session_stats_get(g_ep[B].s, &sb);
        if (!strict) {
            CHECKF(g_net.misdirected - mis <= 6, "on: %ld packets to the old port after the rebinding", g_net.misdirected - mis);
            CHECKF(sb.foreign <= 150 + 6, "on: %llu refused", (unsigned long long)sb.foreign);
        } else {
            CHECKF(g_net.misdirected - mis >= 95, "strict: %ld packets to the old port", g_net.misdirected - mis);
        }
        net_reset();
    }
}

static void test_ssrc_collision(void)
{
    media_session_config cb;
    media_session_stats sb;
    uint32_t old;
    if (!fake_start(&cb)) { CHECK(0); return; }
    fk_seq = 1; fk_ts = 0;
    fake_audio(10, 0x6666, NULL);
    media_session_stats_get(g_ep[B].s, &sb);
    old = sb.local_ssrc;
    CHECK(g_ep[B].nlog > 0 && g_ep[B].log[0].ssrc == old);
    fake_audio(5, old, NULL);                  /* the peer picked our SSRC */
    media_session_stats_get(g_ep[B].s, &sb);
    CHECK_EQ_INT(sb.collisions, 1);
    CHECK(sb.local_ssrc != old);
    CHECK_EQ_INT(g_ep[B].rtcp_bye, 1);          /* BYE for the old one */
    CHECK_EQ_INT(g_ep[B].log[g_ep[B].nlog - 1].ssrc, sb.local_ssrc);
    net_reset();
}

static void test_comfort_noise(void)
{
    media_session_config cb;
    uint8_t cn = 40;                           /* -40 dBov */
    size_t mark, i;
    double e = 0, rms;
    if (!fake_start(&cb)) { CHECK(0); return; }
    fk_seq = 1; fk_ts = 0;
    fake_audio(20, 0x7777, NULL);
    fake_rtp(13, 0, fk_seq++, fk_ts, 0x7777, &cn, 1, NULL);   /* then silence for 1 s */
    net_run_ms(100);
    mark = g_ep[B].ncap;
    net_run_ms(800);
    for (i = mark; i < g_ep[B].ncap; i++) e += (double)g_ep[B].cap[i] * g_ep[B].cap[i];
    rms = sqrt(e / (double)(g_ep[B].ncap - mark));
    /* -40 dBov: 23170 x 10^-2 = 232 rms */
    CHECKF(rms > 232 * 0.8 && rms < 232 * 1.25, "comfort noise rms %.1f", rms);
    fk_ts += 8000;
    fake_audio(20, 0x7777, NULL);
    CHECK(tone_frames(B, g_ep[B].ncap - 160 * 10) >= 9);
    net_reset();
}

/* ---- handlers ---- */

static int edit_offer(media_session *s, media_sdp *sdp, int is_local, void *u)
{
    (void)s; (void)u;
    if (is_local) return media_sdp_attr_add(sdp, 0, "label", "main") >= 0 ? 0 : -1;
    return 0;
}
static int reject_all(media_session *s, media_sdp *sdp, int is_local, void *u) { (void)s; (void)sdp; (void)is_local; (void)u; return -1; }
static int pick_pcma(media_session *s, const media_sdp_match *m, int count, int *order, void *u)
{
    int i;
    (void)s; (void)u;
    for (i = 0; i < count; i++) if (!strcmp(m[i].codec->name, "PCMA")) { order[0] = i; return 1; }
    return 0;
}

/* an ordered list: PCMA first, then PCMU */
static int pick_pcma_pcmu(media_session *s, const media_sdp_match *m, int count, int *order, void *u)
{
    int i, n = 0;
    (void)s; (void)u;
    for (i = 0; i < count; i++) if (!strcmp(m[i].codec->name, "PCMA")) order[n++] = i;
    for (i = 0; i < count; i++) if (!strcmp(m[i].codec->name, "PCMU")) order[n++] = i;
    return n;
}

/* An offer from A answered by B, each text holding what it should. */
static void oa_expect(const char *in_offer, const char *in_answer)
{
    char sdp[4096];
    int n = media_session_offer_create(g_ep[A].s, sdp, sizeof sdp);
    CHECKF(n > 0 && strstr(sdp, in_offer) != NULL, "offer without %s", in_offer);
    CHECK_EQ_INT(media_session_remote_sdp_set(g_ep[B].s, sdp, (size_t)n), MEDIA_OK);
    n = media_session_answer_create(g_ep[B].s, sdp, sizeof sdp);
    CHECKF(n > 0 && strstr(sdp, in_answer) != NULL, "answer without %s", in_answer);
    CHECK_EQ_INT(media_session_remote_sdp_set(g_ep[A].s, sdp, (size_t)n), MEDIA_OK);
}

static void test_handlers_edit_reject_choose(void)
{
    media_session_config ca, cb;
    char sdp[4096];
    int n;
    media_session_stats sa;
    setup_pair(&ca, &cb);
    ca.handler.offer = edit_offer;
    cb.handler.codec_negotiation = pick_pcma;
    CHECK(ep_create(A, &ca) != NULL);
    CHECK(ep_create(B, &cb) != NULL);
    oa_expect("a=label:main", "m=audio 5000 RTP/AVP 8 101");
    CHECK_EQ_INT(g_ep[A].negotiated, 1);
    CHECK_EQ_INT(g_ep[A].neg_rc, MEDIA_OK);
    media_session_stats_get(g_ep[A].s, &sa);
    CHECK(sa.codec && !strcmp(sa.codec, "PCMA"));
    /* an ordered choice: both in the answer, in that order, the first one used */
    media_session_destroy(g_ep[B].s);
    g_ep[B].s = NULL;
    cb.handler.codec_negotiation = pick_pcma_pcmu;
    CHECK(ep_create(B, &cb) != NULL);
    oa_expect("m=audio 4000 RTP/AVP 0 8 101", "m=audio 5000 RTP/AVP 8 0 101");
    media_session_stats_get(g_ep[B].s, &sa);
    CHECK(sa.codec && !strcmp(sa.codec, "PCMA"));
    /* a re-offer the peer's handler refuses */
    media_session_destroy(g_ep[B].s);
    cb.handler.offer = reject_all;
    g_ep[B].s = NULL;
    CHECK(ep_create(B, &cb) != NULL);
    n = media_session_offer_create(g_ep[A].s, sdp, sizeof sdp);
    CHECK_EQ_INT(media_session_remote_sdp_set(g_ep[B].s, sdp, (size_t)n), MEDIA_EREJECTED);
    CHECK_EQ_INT(media_session_answer_create(g_ep[B].s, sdp, sizeof sdp), MEDIA_ESTATE);
    /* malformed SDP, wrong moments */
    CHECK_EQ_INT(media_session_remote_sdp_set(g_ep[B].s, "v=1\r\n", 5), MEDIA_EPARSE);
    CHECK_EQ_INT(media_session_answer_create(g_ep[A].s, sdp, sizeof sdp), MEDIA_ESTATE);
    net_reset();
}

static int destroy_on_dtmf_count;
static void destroy_on_dtmf(media_session *s, char d, uint32_t ms, void *u)
{
    (void)d; (void)ms;
    ((ep *)u)->s = NULL;               /* the test driver must not poll it again */
    destroy_on_dtmf_count++;
    media_session_destroy(s);          /* deferred until the callback returns */
    media_session_dtmf_send(s, "1");   /* still valid here */
}

static void test_destroy_inside_callback(void)
{
    media_session_config ca, cb;
    long f0;
    setup_pair(&ca, &cb);
    cb.handler.dtmf = destroy_on_dtmf;
    start_pair(&ca, &cb);
    net_run_ms(200);
    media_session_dtmf_send(g_ep[A].s, "5");
    f0 = free_count;
    /* drive by hand: B disappears inside its own callback */
    {
        int k;
        for (k = 0; k < 200 && destroy_on_dtmf_count == 0; k++) net_run_ms(5);
    }
    CHECK_EQ_INT(destroy_on_dtmf_count, 1);
    CHECK_EQ_INT(free_count - f0, 1);
    CHECK(g_ep[B].s == NULL);
    net_reset();
}

/* ---- real UDP sockets on loopback (still on the virtual clock: loopback
   delivers during sendto, so the run is as deterministic as the rest) ---- */

/* media_session_poll_ready the way an epoll loop drives it: only the sockets
   poll() calls readable, one datagram each; the rest of the time nothing */
static void poll_readiness(media_session *s)
{
    struct pollfd p[2];
    unsigned ready = 0;
    int k;
    for (k = 0; k < 2; k++) { p[k].fd = media_session_fd_get(s, k); p[k].events = POLLIN; p[k].revents = 0; }
    if (poll(p, 2, 0) > 0) {
        if (p[0].revents & POLLIN) ready |= MEDIA_READY_RTP;
        if (p[1].revents & POLLIN) ready |= MEDIA_READY_RTCP;
    }
    (void)media_session_poll_ready(s, ready);
}

/* A and B configured for their own UDP sockets on addr */
/* A toy packet filter (the seam SRTP uses): everything after the RTP or
   RTCP header XORed with a key, a 4-byte trailer that names the key and
   the kind of packet */
typedef struct toy_filter { uint8_t key; long protected_n, unprotected_n; } toy_filter;
static int toy_protect(void *ctx, uint8_t *p, size_t len, size_t cap, int is_rtcp)
{
    toy_filter *t = (toy_filter *)ctx;
    size_t h = is_rtcp ? 8 : 12, i;
    if (len + 4 > cap || len < h) return -1;
    for (i = h; i < len; i++) p[i] ^= t->key;
    p[len] = t->key; p[len + 1] = (uint8_t)(255 - t->key); p[len + 2] = (uint8_t)is_rtcp; p[len + 3] = 0x5A;
    t->protected_n++;
    return (int)len + 4;
}
static int toy_unprotect(void *ctx, uint8_t *p, size_t len, int is_rtcp)
{
    toy_filter *t = (toy_filter *)ctx;
    size_t h = is_rtcp ? 8 : 12, i, n;
    if (len < h + 4) return -1;
    n = len - 4;
    if (p[n] != t->key || p[n + 1] + t->key != 255 || p[n + 2] != is_rtcp || p[n + 3] != 0x5A) return -1;
    for (i = h; i < n; i++) p[i] ^= t->key;
    t->unprotected_n++;
    return (int)n;
}
static void toy_install(media_session_config *c, toy_filter *t, uint8_t key)
{
    memset(t, 0, sizeof *t);
    t->key = key;
    c->filter.protect = toy_protect;
    c->filter.unprotect = toy_unprotect;
    c->filter.overhead = 4;
    c->filter.ctx = t;
}

static void socket_configs(media_session_config *ca, media_session_config *cb, const char *addr)
{
    net_reset();
    ep_config(ca, A, addr, 0);
    ep_config(cb, B, addr, 0);
    ca->send = cb->send = NULL;
    ca->sdp_address = cb->sdp_address = NULL;
    ca->local_address = cb->local_address = addr;
}

/* both created (each failure checked) */
static int socket_create(const media_session_config *ca, const media_session_config *cb)
{
    CHECK(ep_create(A, ca) != NULL);
    CHECK(ep_create(B, cb) != NULL);
    return g_ep[A].s && g_ep[B].s;
}

/* latch 0: the sockets are connected to the peer, the stranger's packets
   never reach the session; latch 1: they do, and are refused (foreign) */
static void socket_call_how(const char *addr, int mux, int readiness, int latch, int filtered)
{
    media_session_config ca, cb;
    media_session_stats sa, sb;
    toy_filter fa, fb;
    media_addr la, lb;
    int k, fd_stranger;
    memset(&la, 0, sizeof la);
    memset(&lb, 0, sizeof lb);
    socket_configs(&ca, &cb, addr);
    ca.rtcp_mux = cb.rtcp_mux = mux;
    ca.rtcp_interval_ms = cb.rtcp_interval_ms = 1000;
    ca.latch = cb.latch = latch;
    if (filtered) { toy_install(&ca, &fa, 0x5C); toy_install(&cb, &fb, 0x5C); }
    if (!socket_create(&ca, &cb)) return;
    media_session_local_addr_get(g_ep[A].s, &la);
    media_session_local_addr_get(g_ep[B].s, &lb);
    CHECK(la.port != 0 && (la.port & 1) == 0);   /* even RTP port, RTCP on the next */
    CHECK(media_session_fd_get(g_ep[A].s, 0) >= 0 && media_session_fd_get(g_ep[A].s, 1) >= 0);
    CHECK_EQ_INT(net_negotiate(A, B), MEDIA_OK);
    CHECK_EQ_INT(media_session_fd_get(g_ep[A].s, 1) >= 0, !mux);   /* muxed: nothing to wait on there */
    g_ep[A].tone_hz = 1000;
    /* a stranger sends RTP to B from its own port: ignored once the peer is known */
    {
        int fam = la.family == 4 ? AF_INET : AF_INET6;
        struct sockaddr_storage ss;
        socklen_t sl;
        uint8_t pkt[172] = { 0x80, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9 };
        fd_stranger = socket(fam, SOCK_DGRAM, 0);
        memset(&ss, 0, sizeof ss);
        if (fam == AF_INET) {
            struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
            v4->sin_family = AF_INET; v4->sin_port = htons(lb.port); memcpy(&v4->sin_addr, lb.ip, 4); sl = sizeof *v4;
        } else {
            struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
            v6->sin6_family = AF_INET6; v6->sin6_port = htons(lb.port); memcpy(&v6->sin6_addr, lb.ip, 16); sl = sizeof *v6;
        }
        for (k = 0; k < 2000; k++) {
            if (k % 100 == 50 && fd_stranger >= 0) { pkt[3] = (uint8_t)k; (void)sendto(fd_stranger, pkt, sizeof pkt, 0, (struct sockaddr *)&ss, sl); }
            if (readiness) {
                poll_readiness(g_ep[A].s);
                poll_readiness(g_ep[B].s);
            } else {
                media_session_poll(g_ep[A].s);
                media_session_poll(g_ep[B].s);
            }
            vnow += 1000;
        }
        if (fd_stranger >= 0) close(fd_stranger);
    }
    media_session_stats_get(g_ep[A].s, &sa);
    media_session_stats_get(g_ep[B].s, &sb);
    CHECK(sa.packets_sent >= 99 && sa.packets_sent <= 101);
    CHECK_EQ_INT(sb.packets_received, sa.packets_sent);
    CHECK_EQ_INT(sb.foreign, latch ? 20 : 0);
    CHECK_EQ_INT(sa.unreachable + sb.unreachable, 0);
    if (filtered) {   /* our own sockets behind the filter, as a custom transport is */
        CHECK_EQ_INT(fa.protected_n, (long)(sa.packets_sent + sa.rtcp_sent));
        CHECK(fb.unprotected_n == (long)(sb.packets_received + sb.rtcp_received) && sb.unprotect_errors == 0);
    }
    CHECK(sa.rtcp_received >= 1 && sb.rtcp_received >= 1);
    CHECK(frames_above(g_ep[B].cap, g_ep[B].ncap, 160, 1000, 8000, 33) > 0.95);
    CHECK(g_ep[B].ncap >= 8000 * 19 / 10 - 800);
    net_reset();
}

static void socket_call(const char *addr, int mux) { socket_call_how(addr, mux, 0, 0, 0); }
static void test_sockets_ipv4_rtcp_port(void) { socket_call("127.0.0.1", 0); }
static void test_sockets_poll_ready(void) { socket_call_how("127.0.0.1", 0, 1, 0, 0); socket_call_how("::1", 1, 1, 0, 0); }
static void test_sockets_latch(void) { socket_call_how("127.0.0.1", 0, 0, 1, 0); socket_call_how("::1", 1, 1, 1, 0); }
static void test_sockets_filter(void) { socket_call_how("127.0.0.1", 0, 0, 0, 1); socket_call_how("::1", 1, 1, 0, 1); }

/* The peer goes away (its sockets closed, no BYE): the kernel answers our
   packets with ICMP port unreachable, which a connected socket reports on
   its next call. Counted, not an error; when something listens on that port
   again, our packets reach it. */
static void test_sockets_peer_unreachable(void)
{
    media_session_config ca, cb;
    media_session_stats sa;
    media_addr lb;
    struct sockaddr_in sin;
    uint8_t buf[400];
    int k, fd, got = 0;
    memset(&lb, 0, sizeof lb);
    socket_configs(&ca, &cb, "127.0.0.1");
    if (!socket_create(&ca, &cb)) return;
    media_session_local_addr_get(g_ep[B].s, &lb);
    CHECK_EQ_INT(net_negotiate(A, B), MEDIA_OK);
    g_ep[A].tone_hz = 1000;
    for (k = 0; k < 200; k++) { media_session_poll(g_ep[A].s); media_session_poll(g_ep[B].s); vnow += 1000; }
    media_session_destroy(g_ep[B].s);
    g_ep[B].s = NULL;
    for (k = 0; k < 500; k++) { media_session_poll(g_ep[A].s); vnow += 1000; }
    media_session_stats_get(g_ep[A].s, &sa);
    CHECK(sa.unreachable >= 1);
    CHECK_EQ_INT(sa.send_errors + sa.receive_errors, 0);
    CHECK_EQ_INT(g_ep[A].nerrors, 0);
    CHECK_EQ_INT(media_session_state_get(g_ep[A].s), MEDIA_STATE_ACTIVE);
    /* something listens on the port again */
    fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(lb.port);
    memcpy(&sin.sin_addr, lb.ip, 4);
    CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&sin, sizeof sin) == 0);
    for (k = 0; k < 200; k++) {
        media_session_poll(g_ep[A].s);
        vnow += 1000;
        while (fd >= 0 && recv(fd, buf, sizeof buf, 0) == 172) got++;
    }
    CHECK(got >= 9 && got <= 11);
    media_session_stats_get(g_ep[A].s, &sa);
    CHECK_EQ_INT(sa.send_errors + sa.receive_errors, 0);
    if (fd >= 0) close(fd);
    net_reset();
}
/* The peer moves (a re-INVITE after a transfer: new port, new session) while
   our sockets are connected to its old address: they connect again, or the
   kernel would drop everything the new peer sends, RTP and RTCP alike. */
static void test_sockets_reoffer_moves(void)
{
    media_session_config ca, cb;
    media_session_stats sa0, sa, sb;
    media_addr lb0, lb;
    char sdp[4096];
    int k, n;
    memset(&lb0, 0, sizeof lb0);
    memset(&lb, 0, sizeof lb);
    socket_configs(&ca, &cb, "127.0.0.1");
    ca.rtcp_interval_ms = cb.rtcp_interval_ms = 1000;
    if (!socket_create(&ca, &cb)) return;
    media_session_local_addr_get(g_ep[B].s, &lb0);
    CHECK_EQ_INT(net_negotiate(A, B), MEDIA_OK);
    g_ep[A].tone_hz = 1000;
    g_ep[B].tone_hz = 700;
    for (k = 0; k < 1000; k++) { media_session_poll(g_ep[A].s); media_session_poll(g_ep[B].s); vnow += 1000; }
    media_session_stats_get(g_ep[A].s, &sa0);
    CHECK(sa0.packets_received >= 45 && sa0.rtcp_received >= 1);
    /* B goes; a new B (its own SSRC, sequence and timestamps) on other ports offers again */
    media_session_destroy(g_ep[B].s);
    g_ep[B].s = NULL;
    cb.seed += 1000;
    CHECK(ep_create(B, &cb) != NULL);
    if (!g_ep[B].s) return;
    media_session_local_addr_get(g_ep[B].s, &lb);
    CHECK(lb.port != lb0.port);
    n = media_session_offer_create(g_ep[B].s, sdp, sizeof sdp);
    CHECK(n > 0);
    CHECK_EQ_INT(media_session_remote_sdp_set(g_ep[A].s, sdp, (size_t)n), MEDIA_OK);
    n = media_session_answer_create(g_ep[A].s, sdp, sizeof sdp);
    CHECK(n > 0);
    CHECK_EQ_INT(media_session_remote_sdp_set(g_ep[B].s, sdp, (size_t)n), MEDIA_OK);
    for (k = 0; k < 2000; k++) { media_session_poll(g_ep[A].s); media_session_poll(g_ep[B].s); vnow += 1000; }
    media_session_stats_get(g_ep[A].s, &sa);
    media_session_stats_get(g_ep[B].s, &sb);
    CHECK(sa.packets_received - sa0.packets_received >= 95);   /* 2 s of the new peer's 20 ms packets */
    CHECK(sa.rtcp_received > sa0.rtcp_received);
    CHECK(sb.packets_received >= 95);
    CHECK_EQ_INT(sa.foreign + sb.foreign, 0);
    CHECK_EQ_INT(sa.send_errors + sa.receive_errors + sb.send_errors + sb.receive_errors, 0);
    CHECK(frames_above(g_ep[A].cap + g_ep[A].ncap - 8000, 8000, 160, 700, 8000, 33) > 0.95);
    net_reset();
}
static void test_sockets_ipv4_mux(void) { socket_call("127.0.0.1", 1); }
static void test_sockets_ipv6(void) { socket_call("::1", 0); }

/* ---- a re-offer that moves the peer ---- */

static void test_reoffer_new_address(void)
{
    media_session_config ca, cb;
    char sdp[4096];
    int n, before;
    setup_pair(&ca, &cb);
    start_pair(&ca, &cb);
    net_run_ms(500);
    /* B moves (a new port, say after a transfer): a re-offer with only PCMA */
    media_session_destroy(g_ep[B].s);
    g_ep[B].s = NULL;
    cb.port_min = 6000;
    {
        static const media_codec *only_pcma[2];
        only_pcma[0] = media_codec_pcma();
        only_pcma[1] = media_codec_telephone_event();
        cb.codecs = only_pcma;
        cb.codec_count = 2;
    }
    media_addr_parse(&g_ep[B].rtp, "10.0.0.2", 6000);
    CHECK(ep_create(B, &cb) != NULL);
    n = media_session_offer_create(g_ep[B].s, sdp, sizeof sdp);
    CHECK(n > 0);
    CHECK_EQ_INT(media_session_remote_sdp_set(g_ep[A].s, sdp, (size_t)n), MEDIA_OK);
    n = media_session_answer_create(g_ep[A].s, sdp, sizeof sdp);
    CHECK(n > 0 && strstr(sdp, "o=- ") != NULL);
    CHECK_EQ_INT(media_session_remote_sdp_set(g_ep[B].s, sdp, (size_t)n), MEDIA_OK);
    before = g_ep[A].nlog;
    g_ep[A].next_poll = g_ep[B].next_poll = vnow;
    net_run_ms(1000);
    CHECK(g_ep[A].nlog - before >= 49);
    CHECK_EQ_INT(g_ep[A].log[g_ep[A].nlog - 1].pt, 8);
    CHECK_EQ_INT(g_net.misdirected, 0);
    {
        media_session_stats sb;
        media_session_stats_get(g_ep[B].s, &sb);
        CHECK(sb.packets_received >= 49);
    }
    net_reset();
}

/* ---- statistics and quality callbacks, mute, states ---- */

static void test_stats_quality_mute_states(void)
{
    media_session_config ca, cb;
    int k, silent = 1;
    size_t i, mark;
    setup_pair(&ca, &cb);
    cb.stats_interval_ms = 2000;
    start_pair(&ca, &cb);
    g_ep[A].tone_hz = 1000;
    g_net.delay_us = 20000;
    net_run_ms(10050);
    /* stats every 2 s from the start of media: 5 in 10 s, the last one current */
    CHECK_EQ_INT(g_ep[B].stats_calls, 5);
    CHECK(g_ep[B].last_stats.packets_received >= 490 && g_ep[B].last_stats.packets_received <= 500);
    CHECK_EQ_INT(g_ep[B].nquality, 0);           /* a clean call stays "good": no alert */
    /* 20 % loss: the level drops to critical (worse than 10 %), and back to good after */
    g_net.loss = 0.2;
    net_run_ms(3000);
    CHECK(g_ep[B].nquality >= 1 && g_ep[B].quality[g_ep[B].nquality - 1] == MEDIA_QUALITY_CRITICAL);
    g_net.loss = 0;
    net_run_ms(3000);
    CHECK(g_ep[B].nquality >= 2 && g_ep[B].quality[g_ep[B].nquality - 1] == MEDIA_QUALITY_GOOD);
    /* mute: packets keep flowing, carrying silence */
    CHECK_EQ_INT(media_session_mute(g_ep[A].s, 1), MEDIA_OK);
    k = g_ep[A].nlog;
    net_run_ms(100);
    mark = g_ep[B].ncap;
    net_run_ms(1000);
    CHECK(g_ep[A].nlog - k >= 55);
    for (i = mark; i < g_ep[B].ncap; i++) silent &= g_ep[B].cap[i] > -16 && g_ep[B].cap[i] < 16;
    CHECK(silent && g_ep[B].ncap - mark >= 7000);
    CHECK_EQ_INT(media_session_mute(g_ep[A].s, 0), MEDIA_OK);
    net_run_ms(500);
    CHECK(tone_frames(B, g_ep[B].ncap - 1600) >= 9);
    /* the states each side went through */
    CHECK(g_ep[A].nstates >= 3 && g_ep[A].states[0] == MEDIA_STATE_NEGOTIATING &&
          g_ep[A].states[1] == MEDIA_STATE_READY && g_ep[A].states[2] == MEDIA_STATE_ACTIVE);
    CHECK(g_ep[B].nstates >= 3 && g_ep[B].states[0] == MEDIA_STATE_NEGOTIATING &&
          g_ep[B].states[1] == MEDIA_STATE_READY && g_ep[B].states[2] == MEDIA_STATE_ACTIVE);
    media_session_close(g_ep[B].s);
    net_run_ms(10);
    CHECK_EQ_INT(g_ep[B].states[g_ep[B].nstates - 1], MEDIA_STATE_TERMINATED);
    net_reset();
}

/* ---- errors, requests, recording callbacks, answers, allocation failures ---- */

static int fail_sends;   /* while set, A's transport refuses every datagram */
static long failed_rtp;
static int failing_send(media_session *s, const uint8_t *d, size_t len, int is_rtcp, const media_addr *to, void *user)
{
    if (fail_sends) { failed_rtp += !is_rtcp; return -1; }
    return net_send(s, d, len, is_rtcp, to, user);
}
static int stop_on_error(media_session *s, int err, void *u) { (void)cb_error(s, err, u); return MEDIA_ERROR_STOP; }

/* A description of a peer at addr (c= line and port); no session behind it. */
static int remote_offer(char *buf, size_t cap, const char *family, const char *addr, int port)
{
    return snprintf(buf, cap,
                    "v=0\r\no=peer 1 1 IN %s %s\r\ns=-\r\nc=IN %s %s\r\nt=0 0\r\n"
                    "m=audio %d RTP/AVP 0\r\n",
                    family, addr, family, addr, port);
}

static void socket_error_for(const char *local, const char *family, const char *peer)
{
    media_session_config c;
    media_session_stats st;
    char offer[512], ans[2048];
    int n, k;
    net_reset();
    ep_config(&c, A, local, 0);
    c.send = NULL;
    c.sdp_address = NULL;
    c.local_address = local;
    if (!ep_create(A, &c)) { CHECK(0); return; }
    n = remote_offer(offer, sizeof offer, family, peer, 40000);
    CHECK_EQ_INT(media_session_remote_sdp_set(g_ep[A].s, offer, (size_t)n), MEDIA_OK);
    CHECK(media_session_answer_create(g_ep[A].s, ans, sizeof ans) > 0);
    for (k = 0; k < 2600; k++) { (void)media_session_poll(g_ep[A].s); vnow += 1000; }   /* 2.6 s */
    media_session_stats_get(g_ep[A].s, &st);
    CHECKF(st.send_errors >= 130, "%s: send errors %llu", peer, (unsigned long long)st.send_errors);
    CHECKF(g_ep[A].nerrors == 3, "%s: %d reports", peer, g_ep[A].nerrors);   /* at 0, 1 and 2 s */
    for (k = 0; k < g_ep[A].nerrors; k++) CHECK_EQ_INT(g_ep[A].errors[k], MEDIA_ESOCKET);
    CHECK_EQ_INT(media_session_state_get(g_ep[A].s), MEDIA_STATE_ACTIVE);
    net_reset();
}

static void test_stream_errors(void)
{
    media_session_config ca, cb;
    media_session_stats sa, sb;
    uint64_t got;
    int k;
    setup_pair(&ca, &cb);
    ca.send = failing_send;
    start_pair(&ca, &cb);
    fail_sends = 0; failed_rtp = 0;
    g_ep[A].tone_hz = 1000;
    net_run_ms(1000);
    fail_sends = 1;                       /* the route goes away for 3.5 s */
    net_run_ms(3500);
    fail_sends = 0;
    /* one report a second while it lasts, every failure counted */
    CHECK_EQ_INT(g_ep[A].nerrors, 4);
    for (k = 0; k < g_ep[A].nerrors; k++) CHECK_EQ_INT(g_ep[A].errors[k], MEDIA_ESOCKET);
    media_session_stats_get(g_ep[A].s, &sa);
    CHECK(failed_rtp >= 174 && failed_rtp <= 176);
    CHECK((long)sa.send_errors >= failed_rtp);
    /* only what left counts as sent (the transport took each of those) */
    CHECKF(sa.packets_sent == (uint64_t)g_net.rtp_sent[A], "packets_sent %llu, the transport took %llu",
           (unsigned long long)sa.packets_sent, (unsigned long long)g_net.rtp_sent[A]);
    media_session_stats_get(g_ep[B].s, &sb);
    got = sb.packets_received;
    net_run_ms(1000);                     /* the call goes on; the peer saw the gap as loss */
    media_session_stats_get(g_ep[B].s, &sb);
    CHECK(sb.packets_received - got >= 49);
    CHECK_EQ_INT(sb.lost, failed_rtp);
    CHECK_EQ_INT(media_session_state_get(g_ep[A].s), MEDIA_STATE_ACTIVE);
    CHECK_EQ_INT(g_ep[A].nerrors, 4);
    /* a handler that gives up: the session closes, session_stop says why */
    setup_pair(&ca, &cb);
    ca.send = failing_send;
    ca.handler.stream_error = stop_on_error;
    start_pair(&ca, &cb);
    net_run_ms(500);
    fail_sends = 1;
    net_run_ms(100);
    fail_sends = 0;
    CHECK_EQ_INT(g_ep[A].nerrors, 1);
    CHECK_EQ_INT(media_session_state_get(g_ep[A].s), MEDIA_STATE_TERMINATED);
    CHECK_EQ_INT(g_ep[A].session_stops, 1);
    CHECK_EQ_INT(g_ep[A].stop_reason, MEDIA_ESOCKET);
    CHECK_EQ_INT(media_session_poll(g_ep[A].s), MEDIA_ESTATE);
    net_reset();
    /* the kernel refuses: broadcast without SO_BROADCAST (EACCES), and an IPv6
       peer for an IPv4 socket */
    socket_error_for("127.0.0.1", "IP4", "255.255.255.255");
    socket_error_for("127.0.0.1", "IP6", "::1");
}

static void test_media_request(void)
{
    media_session_config cb;
    media_session_stats sb;
    media_addr rtcp_from;
    uint8_t pl[20] = { 0 };
    static const uint8_t compound[] = {
        0x80, 201, 0, 1, 0, 0, 0xAB, 0xCD,                     /* RR, no blocks */
        0x85, 204, 0, 4, 0, 0, 0xAB, 0xCD, 'T', 'E', 'S', 'T', /* APP subtype 5, 8 bytes of data */
        1, 2, 3, 4, 5, 6, 7, 8
    };
    int k;
    if (!fake_start(&cb)) { CHECK(0); return; }
    fk_seq = 1; fk_ts = 0;
    fake_audio(10, 0xABCD, NULL);
    /* payload type 96 was never negotiated: the handler sees each packet */
    g_ep[B].handle_requests = 1;
    for (k = 0; k < 3; k++) { fake_rtp(96, 0, fk_seq++, fk_ts, 0xABCD, pl, sizeof pl, NULL); net_run_ms(20); }
    g_ep[B].handle_requests = 0;
    for (k = 0; k < 2; k++) { fake_rtp(96, 0, fk_seq++, fk_ts, 0xABCD, pl, sizeof pl, NULL); net_run_ms(20); }
    CHECK_EQ_INT(g_ep[B].nrequests, 5);
    for (k = 0; k < 5 && k < g_ep[B].nrequests; k++) {
        CHECK_EQ_INT(g_ep[B].requests[k], MEDIA_REQUEST_RTP);
        CHECK_EQ_INT(g_ep[B].request_len[k], 12 + (int)sizeof pl);
        CHECK_EQ_INT(g_ep[B].request_head[k][1] & 0x7F, 96);
    }
    media_session_stats_get(g_ep[B].s, &sb);
    CHECK_EQ_INT(sb.unknown_pt, 2);      /* the ones nobody handled */
    /* an RTCP compound with an APP packet, from the peer's RTCP port */
    rtcp_from = g_ep[F].rtp;
    rtcp_from.port++;
    net_enqueue(B, 1, &rtcp_from, compound, sizeof compound, vnow);
    net_run_ms(20);
    CHECK_EQ_INT(g_ep[B].nrequests, 6);
    if (g_ep[B].nrequests == 6) {
        CHECK_EQ_INT(g_ep[B].requests[5], MEDIA_REQUEST_RTCP_APP);
        CHECK_EQ_INT(g_ep[B].request_len[5], 20);
        CHECK(!memcmp(g_ep[B].request_head[5], compound + 8, 12));
    }
    media_session_stats_get(g_ep[B].s, &sb);
    CHECK_EQ_INT(sb.rtcp_received, 1);
    CHECK_EQ_INT(sb.malformed_rtcp, 0);
    /* the call itself was not disturbed */
    fake_audio(10, 0xABCD, NULL);
    media_session_stats_get(g_ep[B].s, &sb);
    CHECK_EQ_INT(sb.packets_received, 20);
    CHECK_EQ_INT(g_ep[B].session_starts, 1);
    net_reset();
}

static void test_record_complete(void)
{
    media_session_config ca, cb;
    media_wav_file w;
    int rc;
    setup_pair(&ca, &cb);
    start_pair(&ca, &cb);
    g_ep[A].tone_hz = 700;
    net_run_ms(200);
    /* stopped by the caller: said once, the file holds what was heard */
    CHECK_EQ_INT(media_session_record(g_ep[B].s, tmp_path("rc1.wav"), MEDIA_RECORD_RECEIVED), MEDIA_OK);
    CHECK_EQ_INT(media_session_record(g_ep[B].s, tmp_path("rc2.wav"), MEDIA_RECORD_SENT), MEDIA_ESTATE);
    net_run_ms(1000);
    CHECK_EQ_INT(media_session_record_stop(g_ep[B].s), MEDIA_OK);
    CHECK_EQ_INT(g_ep[B].record_done, 1);
    CHECK_EQ_INT(g_ep[B].record_rc, MEDIA_OK);
    CHECK_EQ_INT(media_session_record_stop(g_ep[B].s), MEDIA_ESTATE);
    CHECK_EQ_INT(g_ep[B].record_done, 1);
    if (media_wav_open_read(&w, tmp_path("rc1.wav")) == MEDIA_OK) {
        static int16_t pcm[8000];
        int n = media_wav_read(&w, pcm, 8000);
        CHECKF(n >= 7900 && n <= 8000, "recorded %d", n);
        CHECK(n < 4000 || sine_snr(pcm + 2000, 2000, 700, 8000) > 30);
        media_wav_close(&w);
    } else {
        CHECK(0);
    }
    /* ended by close: the recording completes with the session */
    CHECK_EQ_INT(media_session_record(g_ep[B].s, tmp_path("rc2.wav"), MEDIA_RECORD_BOTH), MEDIA_OK);
    net_run_ms(500);
    media_session_close(g_ep[B].s);
    net_run_ms(20);
    CHECK_EQ_INT(g_ep[B].record_done, 2);
    CHECK_EQ_INT(g_ep[B].record_rc, MEDIA_OK);
    net_reset();
    /* a disk that fills up (a file size limit of 8 KB: writes past it fail
       with EFBIG): reported by record_complete, the call goes on */
    setup_pair(&ca, &cb);
    start_pair(&ca, &cb);
    {
        struct rlimit old, lim;
        CHECK(getrlimit(RLIMIT_FSIZE, &old) == 0);
        lim = old;
        lim.rlim_cur = 8192;
        signal(SIGXFSZ, SIG_IGN);
        CHECK(setrlimit(RLIMIT_FSIZE, &lim) == 0);
        rc = media_session_record(g_ep[B].s, tmp_path("full.wav"), MEDIA_RECORD_RECEIVED);
        CHECK_EQ_INT(rc, MEDIA_OK);
        net_run_ms(2000);                   /* 32 KB of audio into 8 KB */
        CHECK(setrlimit(RLIMIT_FSIZE, &old) == 0);
        signal(SIGXFSZ, SIG_DFL);
    }
    CHECK_EQ_INT(g_ep[B].record_done, 1);
    CHECK_EQ_INT(g_ep[B].record_rc, MEDIA_EIO);
    CHECK_EQ_INT(media_session_state_get(g_ep[B].s), MEDIA_STATE_ACTIVE);
    net_reset();
    remove(tmp_path("full.wav"));
    remove(tmp_path("rc1.wav"));
    remove(tmp_path("rc2.wav"));
}

/* PCMU's concealment history comes from the jitter buffer after the fact
   (MEDIA_CODEC_HISTORY_FROM_PAYLOADS, media_jitter_played_get) instead of being
   copied every frame. The oracle: the same call with a PCMU without that
   flag, which the session drives the plain way (every frame into the
   history). Loss, jitter that makes the buffer grow and shrink (seams),
   reordering, duplicates, a DTMF press and a codec-internal talkspurt: the
   audio heard must be the same sample for sample. */
static size_t lossy_call(const media_codec *b_pcmu, int16_t *out, size_t cap, media_session_stats *sb, unsigned *longest_run)
{
    media_session_config ca, cb;
    const media_codec *list[2];
    size_t n;
    int k;
    setup_pair(&ca, &cb);
    list[0] = b_pcmu;
    list[1] = media_codec_telephone_event();
    cb.codecs = list;
    cb.codec_count = 2;
    start_pair(&ca, &cb);
    g_ep[A].tone_hz = 440;
    g_net.delay_us = 20000;
    g_net.loss = 0.06;
    g_net.dup = 0.01;
    g_net.reorder = 0.02;
    *longest_run = 0;
    for (k = 0; k < 300; k++) {
        g_net.jitter_us = k < 100 ? 2000 : k < 200 ? 45000 : 5000;   /* calm, rough, calm: grow, then shrink */
        if (k == 150) CHECK_EQ_INT(media_session_dtmf_send(g_ep[A].s, "5"), MEDIA_OK);
        net_run_ms(100);
        if (g_ep[B].s->lazy_n > *longest_run) *longest_run = g_ep[B].s->lazy_n;
    }
    media_session_stats_get(g_ep[B].s, sb);
    n = g_ep[B].ncap < cap ? g_ep[B].ncap : cap;
    memcpy(out, g_ep[B].cap, n * sizeof *out);
    net_reset();
    return n;
}

static void test_plc_history_from_pool(void)
{
    static int16_t lazy[8000 * 40], plain[8000 * 40];
    media_codec eager = *media_codec_pcmu();   /* the same codec, its history kept every frame */
    media_session_stats s1, s2;
    unsigned run1, run2;
    size_t n1, n2, i, diff = 0;
    eager.flags &= ~MEDIA_CODEC_HISTORY_FROM_PAYLOADS;
    n1 = lossy_call(media_codec_pcmu(), lazy, sizeof lazy / sizeof *lazy, &s1, &run1);
    n2 = lossy_call(&eager, plain, sizeof plain / sizeof *plain, &s2, &run2);
    CHECK_EQ_INT(n1, n2);
    CHECK(n1 > 8000 * 29);
    for (i = 0; i < n1 && i < n2; i++) diff += lazy[i] != plain[i];
    CHECKF(diff == 0, "%zu samples differ", diff);
    CHECK_EQ_INT(s1.concealed, s2.concealed);
    CHECKF(s1.concealed > 50, "concealed %llu", (unsigned long long)s1.concealed);
    CHECK(s1.dtmf_received == 1);
    CHECKF(run1 >= 10 && run2 == 0, "longest lazy run %u / %u", run1, run2);   /* the path under test did run */
}

static void test_duplicates_reordering(void)
{
    media_session_config ca, cb;
    media_session_stats sb;
    static unsigned char seen[65536];
    uint16_t top = 0;
    long dups = 0, reord = 0;
    int k;
    setup_pair(&ca, &cb);
    start_pair(&ca, &cb);
    g_net.delay_us = 20000;
    g_net.dup = 0.03;
    g_net.reorder = 0.03;                  /* those arrive 30 ms late: after the next one */
    g_ep[A].tone_hz = 1000;
    net_run_ms(20000);
    g_net.dup = g_net.reorder = 0;
    net_run_ms(200);
    /* the oracle: the order in which B's socket saw A's sequence numbers */
    memset(seen, 0, sizeof seen);
    for (k = 0; k < g_ep[B].narrived; k++) {
        uint16_t q = g_ep[B].arrived[k];
        if (seen[q]) dups++;
        else if (k > 0 && (int16_t)(uint16_t)(q - top) < 0) reord++;
        seen[q] = 1;
        if (k == 0 || (int16_t)(uint16_t)(q - top) > 0) top = q;
    }
    media_session_stats_get(g_ep[B].s, &sb);
    CHECK_EQ_INT(dups, g_net.rtp_duplicated[A]);
    CHECK(dups > 10 && reord > 10);
    CHECK_EQ_INT(sb.duplicates, dups);
    CHECK_EQ_INT(sb.reordered, reord);
    /* nothing was lost: RFC 3550's count (expected - received) goes below zero
       by the duplicates, as tshark's does; the loss rate does not */
    CHECK_EQ_INT(sb.lost, -dups);
    CHECK(sb.loss_percent == 0);
    CHECK_EQ_INT(sb.packets_received, g_ep[B].narrived);
    /* the jitter buffer puts them back in order: the tone is whole */
    CHECK(frames_above(g_ep[B].cap, g_ep[B].ncap, 160, 1000, 8000, 33) > 0.98);
    CHECKF(sb.concealed <= 10, "concealed %llu", (unsigned long long)sb.concealed);
    net_reset();
}

static int refuse_answers, answers_seen;
static int edit_answer(media_session *s, media_sdp *sdp, int is_local, void *u)
{
    (void)s; (void)u;
    if (is_local) return media_sdp_attr_add(sdp, 0, "label", "answered") >= 0 ? 0 : -1;
    answers_seen++;
    return refuse_answers ? -1 : 0;
}

static void test_handler_answers(void)
{
    media_session_config ca, cb;
    char sdp[4096];
    int n;
    setup_pair(&ca, &cb);
    ca.handler.answer = edit_answer;
    cb.handler.answer = edit_answer;
    CHECK(ep_create(A, &ca) != NULL);
    CHECK(ep_create(B, &cb) != NULL);
    refuse_answers = 1; answers_seen = 0;
    n = media_session_offer_create(g_ep[A].s, sdp, sizeof sdp);
    CHECK_EQ_INT(media_session_remote_sdp_set(g_ep[B].s, sdp, (size_t)n), MEDIA_OK);
    n = media_session_answer_create(g_ep[B].s, sdp, sizeof sdp);
    CHECK(n > 0 && strstr(sdp, "a=label:answered\r\n") != NULL);   /* B edited its own answer */
    /* A's handler refuses B's answer: no media, the offer is over */
    CHECK_EQ_INT(media_session_remote_sdp_set(g_ep[A].s, sdp, (size_t)n), MEDIA_EREJECTED);
    CHECK_EQ_INT(answers_seen, 1);
    CHECK_EQ_INT(g_ep[A].negotiated, 1);
    CHECK_EQ_INT(g_ep[A].neg_rc, MEDIA_EREJECTED);
    CHECK(media_session_state_get(g_ep[A].s) != MEDIA_STATE_READY);
    net_run_ms(200);
    CHECK_EQ_INT(g_ep[A].nlog, 0);
    /* a second round, accepted */
    refuse_answers = 0;
    CHECK_EQ_INT(net_negotiate(A, B), MEDIA_OK);
    CHECK_EQ_INT(answers_seen, 2);
    CHECK_EQ_INT(g_ep[A].neg_rc, MEDIA_OK);
    CHECK_EQ_INT(media_session_state_get(g_ep[A].s), MEDIA_STATE_READY);
    net_run_ms(200);
    CHECK(g_ep[A].nlog >= 9 && g_ep[B].nlog >= 9);
    net_reset();
}

/* STYLE 18: every allocation the session makes can fail; it fails cleanly
   (MEDIA_ENOMEM), leaks nothing, and the same step works when retried. */
static void test_allocation_failures(void)
{
    media_session_config ca, cb;
    int k, injected = 1, enomem = 0;
    char offer[4096], answer[4096];
    for (k = 1; injected && k < 50; k++) {
        long a0, f0;
        int n = 0, rc = 0, step, err;
        setup_pair(&ca, &cb);
        a0 = alloc_count; f0 = free_count;
        alloc_fail_in = k;
        for (step = 0; step < 6; step++) {
            int tries;
            for (tries = 0; tries < 2; tries++) {
                switch (step) {
                case 0: rc = (g_ep[A].s = media_session_create(&ca, &err)) ? MEDIA_OK : err; break;
                case 1: rc = (g_ep[B].s = media_session_create(&cb, &err)) ? MEDIA_OK : err; break;
                case 2: rc = n = media_session_offer_create(g_ep[A].s, offer, sizeof offer); break;
                case 3: rc = media_session_remote_sdp_set(g_ep[B].s, offer, (size_t)n); break;
                case 4: rc = n = media_session_answer_create(g_ep[B].s, answer, sizeof answer); break;
                default: rc = media_session_remote_sdp_set(g_ep[A].s, answer, (size_t)n); break;
                }
                if (rc != MEDIA_ENOMEM) break;
                enomem++;
                alloc_fail_in = 0;   /* the retry must work */
            }
            CHECKF(rc >= 0, "step %d after failing allocation %d: %s", step, k, media_result_string(rc));
            if (rc < 0) break;
        }
        injected = alloc_fail_in == 0;
        alloc_fail_in = 0;
        if (step == 6) {
            g_ep[A].next_poll = g_ep[B].next_poll = vnow;
            g_ep[A].tone_hz = 1000;
            net_run_ms(500);
            CHECK(frames_above(g_ep[B].cap, g_ep[B].ncap, 160, 1000, 8000, 33) > 0.9);
        }
        net_reset();
        CHECKF(alloc_count - a0 == free_count - f0, "failing allocation %d: %ld allocated, %ld freed", k,
               alloc_count - a0, free_count - f0);
    }
    CHECK(!injected);        /* the loop reached a run where nothing failed */
    CHECK(enomem >= 4);      /* two creates and two negotiation steps can fail */
}

/* A BYE ends the receive stream only after what came before it has played. */
static void test_bye_drains_buffer(void)
{
    media_session_config ca, cb;
    media_session_stats sa;
    setup_pair(&ca, &cb);
    cb.jitter_fixed_delay_ms = 100;            /* 100 ms of audio queued when the BYE comes */
    start_pair(&ca, &cb);
    g_ep[A].tone_hz = 1000;
    net_run_ms(2000);
    media_session_close(g_ep[A].s);
    net_run_ms(5);
    CHECK_EQ_INT(g_ep[B].nstops, 0);     /* the BYE is in, the audio still playing */
    net_run_ms(300);
    media_session_stats_get(g_ep[A].s, &sa);
    CHECK(g_ep[B].nstops == 1 && g_ep[B].stops[0] == MEDIA_STREAM_RECEIVE);
    CHECKF(g_ep[B].ncap == sa.packets_sent * 160, "played %zu of %llu", g_ep[B].ncap / 160,
           (unsigned long long)sa.packets_sent);
    CHECK(frames_above(g_ep[B].cap + g_ep[B].ncap - 1600, 1600, 160, 1000, 8000, 33) == 1);   /* the last 10 frames */
    net_reset();
}

/* a config that did not start from media_session_config_init() (zeroed, its
   rtcp_mux and timeouts not the defaults) is refused, not run differently */
static void test_config_not_initialised(void)
{
    media_session_config c;
    int err = 0;
    memset(&c, 0, sizeof c);
    c.local_address = "127.0.0.1";
    CHECK(media_session_create(&c, &err) == NULL);
    CHECK_EQ_INT(err, MEDIA_EINVAL);
    media_session_config_init(&c);
    c.local_address = "127.0.0.1";
    {
        media_session *s = media_session_create(&c, &err);
        CHECK(s != NULL && err == MEDIA_OK);
        media_session_destroy(s);
    }
}

/* lengths and capacities beyond an int are refused before anything is read
   or the offer/answer state moves (a recv() of -1 passed on is SIZE_MAX) */
static void test_lengths_beyond_int(void)
{
    media_session_config ca, cb;
    media_session_stats sb;
    char offer[4096], answer[4096];
    uint8_t pkt[172];
    int n, k;
    static const size_t big[2] = { (size_t)INT_MAX + 1u, (size_t)-1 };
    setup_pair(&ca, &cb);
    CHECK(ep_create(A, &ca) != NULL);
    CHECK(ep_create(B, &cb) != NULL);
    memset(pkt, 0, sizeof pkt);
    pkt[0] = 0x80;
    for (k = 0; k < 2; k++) {
        CHECK_EQ_INT(media_session_offer_create(g_ep[A].s, offer, big[k]), MEDIA_EINVAL);
        n = media_session_offer_create(g_ep[A].s, offer, sizeof offer);
        CHECK(n > 0);
        CHECK_EQ_INT(media_session_remote_sdp_set(g_ep[B].s, offer, big[k]), MEDIA_EINVAL);
        CHECK_EQ_INT(media_session_remote_sdp_set(g_ep[B].s, offer, (size_t)n), MEDIA_OK);
        CHECK_EQ_INT(media_session_answer_create(g_ep[B].s, answer, big[k]), MEDIA_EINVAL);
        n = media_session_answer_create(g_ep[B].s, answer, sizeof answer);
        CHECK(n > 0);
        CHECK_EQ_INT(media_session_remote_sdp_set(g_ep[A].s, answer, (size_t)n), MEDIA_OK);
        CHECK_EQ_INT(media_session_receive(g_ep[B].s, pkt, big[k], 0), MEDIA_EINVAL);
        CHECK_EQ_INT(media_session_receive(g_ep[B].s, pkt, big[k], 1), MEDIA_EINVAL);
        CHECK_EQ_INT(media_session_receive_from(g_ep[B].s, pkt, big[k], 0, NULL), MEDIA_EINVAL);
    }
    media_session_stats_get(g_ep[B].s, &sb);
    CHECK_EQ_INT(sb.packets_received, 0);
    net_reset();
}

/* Every packet, RTP and RTCP, both ways, goes through the filter: on the
   wire they are protected (4 bytes longer, the payload not what was
   encoded), the call is whole (tone, RTT from RTCP); with the wrong key on
   one side nothing it receives gets through, each packet counted */
static void test_packet_filter(void)
{
    media_session_config ca, cb;
    media_session_stats sa, sb;
    toy_filter fa, fb;
    double clean;
    int i, plain = 0;
    setup_pair(&ca, &cb);
    toy_install(&ca, &fa, 0x33);
    toy_install(&cb, &fb, 0x33);
    start_pair(&ca, &cb);
    g_ep[A].tone_hz = 700;
    net_run_ms(6000);
    media_session_stats_get(g_ep[A].s, &sa);
    media_session_stats_get(g_ep[B].s, &sb);
    CHECKF(sb.packets_received >= 295 && sb.lost == 0 && sb.concealed == 0, "received %llu lost %lld concealed %llu",
           (unsigned long long)sb.packets_received, (long long)sb.lost, (unsigned long long)sb.concealed);
    CHECKF(sa.rtt_ms >= 0 && sb.rtcp_received > 0, "RTT %.2f, RTCP received %llu", sa.rtt_ms, (unsigned long long)sb.rtcp_received);   /* RTCP through it too */
    CHECK_EQ_INT(fa.protected_n, (long)(sa.packets_sent + sa.rtcp_sent));
    CHECK(fb.unprotected_n >= (long)(sb.packets_received + sb.rtcp_received));
    CHECK(sa.protect_errors == 0 && sb.unprotect_errors == 0 && sb.malformed_rtp == 0);
    for (i = 0; i < g_ep[A].nlog; i++) if (g_ep[A].log[i].pt == 0 && g_ep[A].log[i].len != 164) plain++;
    CHECKF(g_ep[A].nlog > 0 && plain == 0, "%d of %d packets on the wire not 160 + 4 bytes of payload", plain, g_ep[A].nlog);
    clean = frames_above(g_ep[B].cap + 8000, g_ep[B].ncap - 8000, 160, 700, 8000, 25);
    CHECKF(clean > 0.99, "clean frames %.3f", clean);
    net_reset();
    /* the wrong key on B: nothing of A's gets through, all of it counted */
    setup_pair(&ca, &cb);
    toy_install(&ca, &fa, 0x33);
    toy_install(&cb, &fb, 0x44);
    start_pair(&ca, &cb);
    net_run_ms(2000);
    media_session_stats_get(g_ep[B].s, &sb);
    CHECKF(sb.packets_received == 0 && sb.rtcp_received == 0 && sb.unprotect_errors >= 95,
           "received %llu, RTCP %llu, refused %llu", (unsigned long long)sb.packets_received,
           (unsigned long long)sb.rtcp_received, (unsigned long long)sb.unprotect_errors);
    net_reset();
    /* a filter that could outgrow the send buffer, or only one half of one: refused */
    setup_pair(&ca, &cb);
    toy_install(&ca, &fa, 1);
    ca.filter.overhead = MEDIA_SESSION_FILTER_OVERHEAD + 1;
    CHECK(ep_create(A, &ca) == NULL);
    toy_install(&cb, &fb, 1);
    cb.filter.unprotect = NULL;
    CHECK(ep_create(B, &cb) == NULL);
    net_reset();
}

/* The SDES seam (cfg.sdes): a toy SRTP whose packets are XORed with one
   byte made from the key that sends them. Each side offers or answers its
   own key, learns the other's from the SDP, and only then does anything
   get through; without keys in the SDP a required side refuses the call. */
typedef struct toy_sdes {
    toy_filter f;                        /* its key: made from the peer's key (what it receives) */
    uint8_t tx;                          /* made from ours (what we send) */
    uint8_t k80[30], kgcm[44];
    media_sdp_srtp_suite suites[2];
    media_sdes d;
    int calls, suite;
} toy_sdes;
static uint8_t toy_fold(const uint8_t *k, size_t n) { uint8_t x = 0x5A; while (n--) x = (uint8_t)(x * 31 + *k++); return x ? x : 1; }
static int toy_sdes_protect(void *ctx, uint8_t *p, size_t len, size_t cap, int is_rtcp)
{
    toy_sdes *t = (toy_sdes *)ctx;
    uint8_t rx = t->f.key;
    int r;
    if (!t->tx) return -1;               /* no keys yet: nothing goes out */
    t->f.key = t->tx;
    r = toy_protect(&t->f, p, len, cap, is_rtcp);
    t->f.key = rx;
    return r;
}
static int toy_sdes_unprotect(void *ctx, uint8_t *p, size_t len, int is_rtcp)
{
    toy_sdes *t = (toy_sdes *)ctx;
    return t->f.key ? toy_unprotect(&t->f, p, len, is_rtcp) : -1;
}
static int toy_sdes_keys(void *ctx, int suite, const media_sdp_crypto_key *remote, const media_sdp_crypto_params *prm)
{
    toy_sdes *t = (toy_sdes *)ctx;
    (void)prm;
    t->calls++;
    t->suite = suite;
    if (suite < 0) return -1;            /* this toy never runs clear */
    t->tx = toy_fold(t->suites[suite].key, strlen(t->suites[suite].name) == 16 ? 44 : 30);   /* AEAD_AES_256_GCM's or the 80's */
    t->f.key = toy_fold(remote->key, remote->key_len);
    return 0;
}
static void toy_sdes_install(media_session_config *c, toy_sdes *t, uint8_t seed, media_srtp_policy policy, int gcm_only)
{
    size_t i;
    memset(t, 0, sizeof *t);
    for (i = 0; i < sizeof t->k80; i++) t->k80[i] = (uint8_t)(seed + 7 * i);
    for (i = 0; i < sizeof t->kgcm; i++) t->kgcm[i] = (uint8_t)(seed * 3 + 11 * i);
    t->suites[0].name = "AES_CM_128_HMAC_SHA1_80"; t->suites[0].key = t->k80;
    t->suites[1].name = "AEAD_AES_256_GCM"; t->suites[1].key = t->kgcm;
    t->d.policy = policy;
    t->d.suites = gcm_only ? t->suites + 1 : t->suites;
    t->d.count = gcm_only ? 1 : 2;
    if (gcm_only) { t->suites[0] = t->suites[1]; t->d.suites = t->suites; }
    t->d.keys = toy_sdes_keys;
    t->d.ctx = t;
    t->suite = -2;
    c->filter.protect = toy_sdes_protect;
    c->filter.unprotect = toy_sdes_unprotect;
    c->filter.overhead = 4;
    c->filter.ctx = t;
    c->sdes = &t->d;
}
static void test_sdes_keys(void)
{
    media_session_config ca, cb;
    media_session_stats sa, sb;
    toy_sdes ta, tb;
    char offer[4096], answer[4096];
    int n;
    double clean;
    /* required on A (RTP/SAVP, two suites), B does GCM only */
    setup_pair(&ca, &cb);
    toy_sdes_install(&ca, &ta, 0x21, MEDIA_SRTP_REQUIRED, 0);
    toy_sdes_install(&cb, &tb, 0x77, MEDIA_SRTP_OPTIONAL, 1);
    CHECK(ep_create(A, &ca) != NULL && ep_create(B, &cb) != NULL);
    n = media_session_offer_create(g_ep[A].s, offer, sizeof offer);
    CHECK(n > 0 && strstr(offer, "RTP/SAVP 0 8 101") && strstr(offer, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:") &&
          strstr(offer, "a=crypto:2 AEAD_AES_256_GCM inline:"));
    CHECK_EQ_INT(media_session_remote_sdp_set(g_ep[B].s, offer, (size_t)n), MEDIA_OK);
    CHECK(tb.calls == 1 && tb.suite == 0);   /* B holds A's GCM key before its answer goes out */
    n = media_session_answer_create(g_ep[B].s, answer, sizeof answer);
    CHECK(n > 0 && strstr(answer, "RTP/SAVP") && strstr(answer, "a=crypto:2 AEAD_AES_256_GCM inline:") && !strstr(answer, "crypto:1"));
    CHECK_EQ_INT(media_session_remote_sdp_set(g_ep[A].s, answer, (size_t)n), MEDIA_OK);
    CHECK(ta.calls == 1 && ta.suite == 1);
    /* the two ends agree: what A sends with, B receives with, and back */
    CHECK(ta.tx == tb.f.key && tb.tx == ta.f.key && ta.tx != tb.tx);
    g_ep[A].next_poll = g_ep[B].next_poll = vnow;
    g_ep[A].tone_hz = 700;
    net_run_ms(4000);
    media_session_stats_get(g_ep[A].s, &sa);
    media_session_stats_get(g_ep[B].s, &sb);
    CHECKF(sb.packets_received >= 195 && sb.lost == 0 && sb.unprotect_errors == 0 && sa.unprotect_errors == 0,
           "received %llu lost %lld refused %llu/%llu", (unsigned long long)sb.packets_received, (long long)sb.lost,
           (unsigned long long)sb.unprotect_errors, (unsigned long long)sa.unprotect_errors);
    clean = frames_above(g_ep[B].cap + 8000, g_ep[B].ncap - 8000, 160, 700, 8000, 25);
    CHECKF(clean > 0.99, "clean frames %.3f", clean);
    net_reset();
    /* required on B, offered nothing by A: refused, never clear */
    setup_pair(&ca, &cb);
    toy_sdes_install(&cb, &tb, 0x77, MEDIA_SRTP_REQUIRED, 0);
    CHECK(ep_create(A, &ca) != NULL && ep_create(B, &cb) != NULL);
    CHECK_EQ_INT(net_negotiate(A, B), MEDIA_ENEGOTIATION);
    CHECK(tb.calls == 0);
    net_reset();
    /* keys the filter will not take: the description is refused */
    setup_pair(&ca, &cb);
    toy_sdes_install(&ca, &ta, 0x21, MEDIA_SRTP_OPTIONAL, 0);
    CHECK(ep_create(A, &ca) != NULL && ep_create(B, &cb) != NULL);   /* B: no SRTP, answers clear */
    CHECK_EQ_INT(net_negotiate(A, B), MEDIA_EREJECTED);               /* and this toy never runs clear */
    CHECK(ta.calls == 1 && ta.suite == -1);
    net_reset();
}

/* A peer offers two audio m-lines, the first in a codec we lack: we answer
   the second; our re-offer (a hold) keeps both in place, ours still second */
static void test_reoffer_second_mline(void)
{
    media_session_config cb;
    char answer[4096], offer[4096];
    const char *peer = "v=0\r\no=- 7 7 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
                       "m=audio 4100 RTP/AVP 96\r\na=rtpmap:96 G729/8000\r\nm=audio 4000 RTP/AVP 0\r\n";
    int n;
    char *m0, *m1;
    net_reset();
    ep_config(&cb, B, "10.0.0.2", 4000);
    CHECK(ep_create(B, &cb) != NULL);
    CHECK_EQ_INT(media_session_remote_sdp_set(g_ep[B].s, peer, strlen(peer)), MEDIA_OK);
    n = media_session_answer_create(g_ep[B].s, answer, sizeof answer);
    CHECK(n > 0 && strstr(answer, "m=audio 0 RTP/AVP 96") && strstr(answer, "m=audio 4000 RTP/AVP 0"));
    CHECK_EQ_INT(media_session_hold(g_ep[B].s), MEDIA_OK);
    n = media_session_offer_create(g_ep[B].s, offer, sizeof offer);
    m0 = n > 0 ? strstr(offer, "m=audio 0 ") : NULL;
    m1 = n > 0 ? strstr(offer, "m=audio 4000 ") : NULL;
    CHECKF(m0 && m1 && m0 < m1 && strstr(m1, "a=sendonly"), "%s", n > 0 ? offer : "(no offer)");
    net_reset();
}

/* handler.log: what the session could not use, in words */
static char g_log[4096];
static int g_log_n, g_log_level;
static void cb_log(media_session *s, int level, const char *msg, void *user)
{
    size_t l = strlen(g_log);
    (void)s; (void)user;
    g_log_n++;
    g_log_level = level;
    snprintf(g_log + l, sizeof g_log - l, "%s\n", msg);
}

static void test_log(void)
{
    media_session_config ca, cb;
    static const char bad_sdp[] = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\nm=audio fortytwo RTP/AVP 0\r\n";
    uint8_t junk[5] = { 0x80, 0, 0, 1, 0 }, pkt[172];
    media_addr stranger;
    int k;
    setup_pair(&ca, &cb);
    cb.handler.log = cb_log;
    start_pair(&ca, &cb);
    g_log[0] = 0; g_log_n = 0;
    /* a remote SDP refused: the line it failed at, quoted */
    CHECK(media_session_remote_sdp_set(g_ep[B].s, bad_sdp, sizeof bad_sdp - 1) < 0);
    CHECKF(strstr(g_log, "line 3") && strstr(g_log, "m=audio fortytwo RTP/AVP 0") && g_log_level == MEDIA_LOG_ERROR, "%s", g_log);
    /* refused packets: each reason said once a second at most, with the count since */
    g_log[0] = 0; g_log_n = 0;
    for (k = 0; k < 100; k++) media_session_receive(g_ep[B].s, junk, sizeof junk, 0);
    CHECKF(g_log_n == 1 && strstr(g_log, "an RTP packet of 5 bytes refused: malformed input"), "%d: %s", g_log_n, g_log);
    net_run_ms(1100);
    media_session_receive(g_ep[B].s, junk, sizeof junk, 0);
    CHECKF(g_log_n == 2 && strstr(g_log, "(and 99 more since)"), "%d: %s", g_log_n, g_log);
    memset(pkt, 0, sizeof pkt);
    pkt[0] = 0x80; pkt[1] = 99;
    media_session_receive(g_ep[B].s, pkt, sizeof pkt, 0);
    CHECKF(strstr(g_log, "payload type 99 refused: not negotiated") != NULL, "%s", g_log);
    media_addr_parse(&stranger, "10.9.9.9", 1234);
    pkt[1] = 0;
    media_session_receive_from(g_ep[B].s, pkt, sizeof pkt, 0, &stranger);
    CHECKF(strstr(g_log, "RTP from 10.9.9.9:1234 refused") != NULL, "%s", g_log);
    CHECK(g_log_level == MEDIA_LOG_WARNING);
    net_reset();
}

/* A c= line with a host name (RFC 8866 allows one): the session sends to
   addresses and resolves nothing (a resolver would block the loop), so it
   refuses the description, offer or answer, with MEDIA_EUNSUPPORTED and the
   line, instead of going ACTIVE and sending nowhere. */
static void test_remote_host_name(void)
{
    media_session_config ca, cb;
    char sdp[512], ours[2048];
    int n;
    setup_pair(&ca, &cb);
    ca.handler.log = cb_log;
    CHECK(ep_create(A, &ca) != NULL);
    g_log[0] = 0; g_log_n = 0;
    n = remote_offer(sdp, sizeof sdp, "IP4", "pbx.example.com", 6000);
    CHECK_EQ_INT(media_session_remote_sdp_set(g_ep[A].s, sdp, (size_t)n), MEDIA_EUNSUPPORTED);
    CHECKF(strstr(g_log, "line 4") && strstr(g_log, "pbx.example.com"), "%s", g_log);
    CHECK_EQ_INT(media_session_state_get(g_ep[A].s), MEDIA_STATE_IDLE);
    CHECK_EQ_INT(media_session_answer_create(g_ep[A].s, ours, sizeof ours), MEDIA_ESTATE);
    /* the same as an answer to our offer; a numeric one is then taken */
    CHECK(media_session_offer_create(g_ep[A].s, ours, sizeof ours) > 0);
    n = remote_offer(sdp, sizeof sdp, "IP6", "sbc.example.net", 6000);
    CHECK_EQ_INT(media_session_remote_sdp_set(g_ep[A].s, sdp, (size_t)n), MEDIA_EUNSUPPORTED);
    CHECK(media_session_state_get(g_ep[A].s) != MEDIA_STATE_ACTIVE && media_session_state_get(g_ep[A].s) != MEDIA_STATE_READY);
    CHECK(media_session_offer_create(g_ep[A].s, ours, sizeof ours) > 0);
    n = remote_offer(sdp, sizeof sdp, "IP4", "10.0.0.2", 5000);
    CHECK_EQ_INT(media_session_remote_sdp_set(g_ep[A].s, sdp, (size_t)n), MEDIA_OK);
    CHECK_EQ_INT(media_session_state_get(g_ep[A].s), MEDIA_STATE_READY);
    (void)cb;
    net_reset();
}

/* A receiver report whose LSR is none of our sender reports (forged, or
   garbled on the way) gives no RTT: it used to give 1,484,540 ms, MOS 1.00
   and a critical alert. One whose DLSR is longer than the time since our
   SR is refused too; the real reports go on giving the real RTT. */
static void test_forged_report(void)
{
    media_session_config ca, cb;
    media_session_stats sa, sb;
    media_rtcp_report r;
    media_rtcp_report_block rb;
    uint8_t buf[256];
    int n, k;
    setup_pair(&ca, &cb);
    g_net.delay_us = 30000;                 /* RTT 60 ms */
    ca.handler.quality_alert = cb_quality;
    ca.handler.log = cb_log;
    start_pair(&ca, &cb);
    g_ep[A].tone_hz = 700;
    g_ep[B].tone_hz = 900;
    net_run_ms(12000);                      /* a few reports each way */
    media_session_stats_get(g_ep[A].s, &sa);
    media_session_stats_get(g_ep[B].s, &sb);
    CHECKF(sa.rtt_ms >= 55 && sa.rtt_ms <= 70, "rtt before %.1f", sa.rtt_ms);
    g_log[0] = 0; g_log_n = 0;
    for (k = 0; k < 50; k++) {
        memset(&r, 0, sizeof r);
        memset(&rb, 0, sizeof rb);
        r.ssrc = sb.local_ssrc;
        rb.ssrc = sa.local_ssrc;
        rb.lsr = 0x12345678u + (uint32_t)k * 0x01000000u;   /* 4660 s .. : no SR of A's */
        rb.dlsr = 0;
        r.blocks = &rb;
        r.block_count = 1;
        n = media_rtcp_report_write(buf, sizeof buf, &r);
        CHECK(n > 0);
        CHECK_EQ_INT(media_session_receive_from(g_ep[A].s, buf, (size_t)n, 1, &g_ep[B].rtp), MEDIA_OK);
        net_run_ms(20);
    }
    media_session_stats_get(g_ep[A].s, &sa);
    CHECKF(sa.rtt_ms >= 55 && sa.rtt_ms <= 70, "rtt after 50 forged reports %.1f", sa.rtt_ms);
    CHECKF(sa.quality == MEDIA_QUALITY_GOOD && sa.mos > 4.0, "quality %d, MOS %.2f", sa.quality, sa.mos);
    CHECKF(strstr(g_log, "matches no sender report of ours") != NULL, "%s", g_log);
    net_run_ms(11000);                      /* the real ones still count */
    media_session_stats_get(g_ep[A].s, &sa);
    CHECKF(sa.rtt_ms >= 55 && sa.rtt_ms <= 70, "rtt later %.1f", sa.rtt_ms);
    net_reset();
}

/* Crafted RTP from the peer's address into a session negotiated with
   remote_offer(): one packet a frame, the clock moved and the session
   polled, so it plays out as it would. */
static void inject_rtp(int to, uint32_t ssrc, uint16_t seq, uint32_t ts, const media_addr *from)
{
    uint8_t pkt[172];
    int rc;
    memset(pkt, 0xFF, sizeof pkt);
    pkt[0] = 0x80; pkt[1] = 0;
    pkt[2] = (uint8_t)(seq >> 8); pkt[3] = (uint8_t)seq;
    pkt[4] = (uint8_t)(ts >> 24); pkt[5] = (uint8_t)(ts >> 16); pkt[6] = (uint8_t)(ts >> 8); pkt[7] = (uint8_t)ts;
    pkt[8] = (uint8_t)(ssrc >> 24); pkt[9] = (uint8_t)(ssrc >> 16); pkt[10] = (uint8_t)(ssrc >> 8); pkt[11] = (uint8_t)ssrc;
    rc = media_session_receive_from(g_ep[to].s, pkt, sizeof pkt, 0, from);
    CHECK(rc == MEDIA_OK || rc == MEDIA_EREJECTED);   /* refused: a stream waiting to take over */
}

/* a session B answering a peer at 10.0.0.1:4000 that sends nothing itself */
static int lone_answerer(media_addr *peer)
{
    media_session_config cb;
    char offer[512], ans[2048];
    int n;
    net_reset();
    ep_config(&cb, B, "10.0.0.2", 5000);
    if (!ep_create(B, &cb)) return -1;
    n = remote_offer(offer, sizeof offer, "IP4", "10.0.0.1", 4000);
    if (media_session_remote_sdp_set(g_ep[B].s, offer, (size_t)n) != MEDIA_OK ||
        media_session_answer_create(g_ep[B].s, ans, sizeof ans) < 0) return -1;
    return media_addr_parse(peer, "10.0.0.1", 4000);
}

/* Every figure kept across a change of source and across a restart of the
   sequence under the same source: 20 real duplicates were reported as 30
   (the old source's folded in twice) with a loss of 5 % when nothing was
   lost; 15 losses before a restart were forgotten (5 reported of 20). */
static void test_stats_across_restarts(void)
{
    media_session_stats st;
    media_addr peer;
    uint16_t seq;
    int k;
    CHECK_EQ_INT(lone_answerer(&peer), MEDIA_OK);
    /* source 1: 100 packets, every tenth sent twice */
    for (k = 0, seq = 1; k < 100; k++, seq++) {
        inject_rtp(B, 0x1111, seq, 160u * seq, &peer);
        if (k % 10 == 5) inject_rtp(B, 0x1111, seq, 160u * seq, &peer);
        net_run_ms(20);
    }
    /* source 2 (a new SSRC): the same again */
    for (k = 0, seq = 7000; k < 100; k++, seq++) {
        inject_rtp(B, 0x2222, seq, 160u * seq, &peer);
        if (k % 10 == 5) inject_rtp(B, 0x2222, seq, 160u * seq, &peer);
        net_run_ms(20);
    }
    media_session_stats_get(g_ep[B].s, &st);
    CHECKF(st.duplicates == 20 && st.loss_percent == 0 && st.ssrc_changes == 1,
           "duplicates %llu (20 sent), loss %.2f %%, %u source changes", (unsigned long long)st.duplicates,
           st.loss_percent, (unsigned)st.ssrc_changes);
    net_reset();
    /* one source: 100 packets with 15 missing, a restart of its numbering,
       100 more with 5 missing */
    CHECK_EQ_INT(lone_answerer(&peer), MEDIA_OK);
    for (k = 0, seq = 1; k < 100; k++, seq++) {
        if (k % 6 != 3 || k >= 90) inject_rtp(B, 0x3333, seq, 160u * seq, &peer);
        net_run_ms(20);
    }
    for (k = 0, seq = 40000; k < 100; k++, seq++) {
        if (k % 20 != 10) inject_rtp(B, 0x3333, seq, 160u * (seq - 39000u), &peer);
        net_run_ms(20);
    }
    media_session_stats_get(g_ep[B].s, &st);
    CHECKF(st.lost == 20 && st.ssrc_changes == 0, "lost %lld (15 + 5 missing), %u source changes", (long long)st.lost,
           (unsigned)st.ssrc_changes);
    net_reset();
}

/* A custom clock that steps back an hour (a VM restored, a wall clock
   used as cfg.now_us): the session's time holds where it was and carries
   on, so sending goes on (it stopped for the hour), and the step is
   counted. */
static uint64_t a_clock_back;
static uint64_t stepping_clock(void *user) { (void)user; return vnow - a_clock_back; }

/* The path shortens by 500 ms at once (a route change): half a second of
   packets arrive together. The buffer, asked to stay under 400 ms, is over
   its ceiling by the excess and comes back under it at its next frame,
   whole frames dropped at once; the delay it reports never reads more than
   the ceiling it reports (it read 870 ms against 400). */
static void test_delay_within_ceiling(void)
{
    media_session_stats st;
    media_addr peer;
    uint16_t seq = 10;
    int k, over = 0;
    double worst = 0;
    net_reset();
    {
        media_session_config cb;
        char offer[512], ans[2048];
        int n;
        ep_config(&cb, B, "10.0.0.2", 5000);
        cb.jitter_max_delay_ms = 400;
        CHECK(ep_create(B, &cb) != NULL);
        n = remote_offer(offer, sizeof offer, "IP4", "10.0.0.1", 4000);
        CHECK_EQ_INT(media_session_remote_sdp_set(g_ep[B].s, offer, (size_t)n), MEDIA_OK);
        CHECK(media_session_answer_create(g_ep[B].s, ans, sizeof ans) > 0);
        media_addr_parse(&peer, "10.0.0.1", 4000);
    }
    for (k = 0; k < 100; k++, seq++) { inject_rtp(B, 0x7777, seq, 160u * seq, &peer); net_run_ms(20); }
    for (k = 0; k < 25; k++, seq++) inject_rtp(B, 0x7777, seq, 160u * seq, &peer);   /* 500 ms early */
    for (k = 0; k < 100; k++, seq++) {
        inject_rtp(B, 0x7777, seq, 160u * seq, &peer);
        net_run_ms(20);
        media_session_stats_get(g_ep[B].s, &st);
        if (st.jitter_delay_ms > worst) worst = st.jitter_delay_ms;
        over += st.jitter_delay_ms > st.jitter_max_delay_ms + 10;   /* within half a frame of the ceiling */
    }
    CHECKF(over == 0 && st.jitter_max_delay_ms == 400, "%d reports over the 400 ms ceiling, the worst %.0f ms", over, worst);
    net_reset();
}

static void test_clock_steps_back(void)
{
    media_session_config ca, cb;
    media_session_stats sa, sb;
    uint64_t got;
    setup_pair(&ca, &cb);
    ca.now_us = stepping_clock;
    a_clock_back = 0;
    vnow += 4000000000ull;                   /* room to step back an hour */
    start_pair(&ca, &cb);
    g_ep[A].tone_hz = 600;
    net_run_ms(2000);
    media_session_stats_get(g_ep[B].s, &sb);
    got = sb.packets_received;
    a_clock_back = 3600000000ull;            /* A's clock: an hour back */
    net_run_ms(2000);
    media_session_stats_get(g_ep[B].s, &sb);
    media_session_stats_get(g_ep[A].s, &sa);
    CHECKF(sb.packets_received - got >= 95, "B got %llu packets in the 2 s after A's clock stepped back",
           (unsigned long long)(sb.packets_received - got));
    CHECKF(sa.clock_steps_back == 1, "steps back counted: %u", (unsigned)sa.clock_steps_back);
    CHECK_EQ_INT(media_session_state_get(g_ep[A].s), MEDIA_STATE_ACTIVE);
    a_clock_back = 0;
    net_reset();
}

/* cfg.inband_dtmf: key presses sent as tones in the audio are reported by
   the dtmf callback with their source; a press sent both ways (RFC 4733
   events, and tones before and after them) is reported once. */
static void test_inband_dtmf(void)
{
    media_session_config ca, cb;
    int k;
    setup_pair(&ca, &cb);
    cb.inband_dtmf = 1;
    start_pair(&ca, &cb);
    net_run_ms(500);
    g_ep[A].phase = 0;
    g_ep[A].tones = "19#*";
    net_run_ms(1000);
    CHECKF(!strcmp(g_ep[B].digits, "19#*"), "in-band: B heard \"%s\"", g_ep[B].digits);
    for (k = 0; k < g_ep[B].ndigits; k++) {
        CHECK_EQ_INT(g_ep[B].dsrc[k], MEDIA_DTMF_SOURCE_INBAND);
        CHECKF(g_ep[B].dur[k] >= 76 && g_ep[B].dur[k] <= 84, "digit %d: %u ms", k, (unsigned)g_ep[B].dur[k]);
    }
    /* the same press both ways: tones in the audio, and RFC 4733 */
    g_ep[A].tones = NULL;
    g_ep[B].ndigits = 0;
    g_ep[B].digits[0] = 0;
    net_run_ms(300);
    g_ep[A].phase = 0;
    g_ep[A].tones = "5";
    net_run_ms(60);   /* 60 ms of the tone in the audio, then the events (which take the audio's place) */
    CHECK_EQ_INT(media_session_dtmf_send(g_ep[A].s, "5"), MEDIA_OK);
    net_run_ms(1500);
    CHECKF(!strcmp(g_ep[B].digits, "5"), "both ways: B heard \"%s\"", g_ep[B].digits);
    CHECKF(g_ep[B].ndigits == 1 && g_ep[B].dsrc[0] == MEDIA_DTMF_SOURCE_INBAND, "reported by the first to end (source %d)",
           g_ep[B].dsrc[0]);
    g_ep[A].tones = NULL;
    /* and without cfg.inband_dtmf, tones are only audio */
    CHECK_EQ_INT(media_session_dtmf_source_get(g_ep[A].s), MEDIA_DTMF_SOURCE_RFC4733);
    net_reset();
}

/* A peer without telephone-event: media_session_dtmf_send() sends Q.23
   tones in the audio, cfg.dtmf_duration_ms each, and they are heard as
   digits (the detector is checked against Q.24 on its own in test_dtmf);
   their levels are the low group at -9 dBm0, the high at -7 (sine fits on
   what B played out). */
static void test_inband_dtmf_sent(void)
{
    media_session_config ca, cb;
    static const media_codec *pcmu[1];
    size_t at;
    double lo, hi;
    pcmu[0] = media_codec_pcmu();
    setup_pair(&ca, &cb);
    ca.codecs = pcmu;
    ca.codec_count = 1;          /* no telephone-event */
    cb.inband_dtmf = 1;
    ca.dtmf_duration_ms = 120;
    start_pair(&ca, &cb);
    net_run_ms(500);
    at = g_ep[B].ncap;
    CHECK_EQ_INT(media_session_dtmf_send(g_ep[A].s, "5D*0"), MEDIA_OK);
    net_run_ms(1500);
    CHECKF(!strcmp(g_ep[B].digits, "5D*0"), "B heard \"%s\"", g_ep[B].digits);
    CHECK(g_ep[B].ndigits == 4 && g_ep[B].dur[0] >= 116 && g_ep[B].dur[0] <= 124 && g_ep[B].dsrc[0] == MEDIA_DTMF_SOURCE_INBAND);
    /* the first press's level: 770 and 1336 Hz fitted over 80 ms in its middle */
    {
        const int16_t *x = g_ep[B].cap + at;
        size_t k, len = g_ep[B].ncap - at, first = 0;
        while (first < len && abs(x[first]) < 1000) first++;
        CHECK(first + 800 < len);
        if (first + 800 < len) {
            lo = 20 * log10(sine_fit(x + first + 160, 640, 770, 8000, NULL, NULL) / 22700.0);
            hi = 20 * log10(sine_fit(x + first + 160, 640, 1336, 8000, NULL, NULL) / 22700.0);
            CHECKF(fabs(lo + 9) < 0.5 && fabs(hi + 7) < 0.5, "levels %.2f and %.2f dBm0 (want -9 and -7)", lo, hi);
        }
        (void)k;
    }
    {
        media_session_stats st;
        media_session_stats_get(g_ep[A].s, &st);
        CHECK_EQ_INT(st.dtmf_sent, 4);
    }
    net_reset();
}

/* cfg.tones: the peer plays a North American busy signal, then Europe's
   ringback: each reported once by handler.tone, with its region */
static void test_call_progress_tones(void)
{
    media_session_config ca, cb;
    setup_pair(&ca, &cb);
    cb.tones = 1;
    start_pair(&ca, &cb);
    g_ep[A].amp = 3000;
    g_ep[A].tone_hz = 480;
    g_ep[A].tone2_hz = 620;
    g_ep[A].on_ms = g_ep[A].off_ms = 500;
    g_ep[A].phase = 0;
    net_run_ms(3000);
    CHECKF(g_ep[B].nheard == 1 && g_ep[B].heard[0] == MEDIA_TONE_BUSY && g_ep[B].heard_region[0] == 1,
           "busy: %d tones, the first %d (region %d)", g_ep[B].nheard, g_ep[B].heard[0], g_ep[B].heard_region[0]);
    g_ep[A].tone_hz = 0;
    net_run_ms(6000);   /* silence: the busy signal is over */
    g_ep[A].tone_hz = 425;
    g_ep[A].tone2_hz = 0;
    g_ep[A].on_ms = 1000;
    g_ep[A].off_ms = 4000;
    g_ep[A].phase = 0;
    net_run_ms(7000);
    CHECKF(g_ep[B].nheard == 2 && g_ep[B].heard[1] == MEDIA_TONE_RINGBACK && g_ep[B].heard_region[1] == 2,
           "then ringback: %d tones, the second %d (region %d)", g_ep[B].nheard, g_ep[B].heard[1], g_ep[B].heard_region[1]);
    CHECK_EQ_INT(g_ep[A].nheard, 0);   /* A did not ask */
    net_reset();
}

/* Last: every file the cases wrote goes, so the directory goes too. */
static void test_files_removed(void)
{
    static const char *names[] = { "a440.wav", "b1000.wav", "c1500.wav", "both.wav", "empty16.wav", "empty8.wav",
                                   "fine.wav", "full.wav", "rc1.wav", "rc2.wav", "rx_idle.wav" };
    size_t i;
    for (i = 0; i < sizeof names / sizeof *names; i++) remove(tmp_path(names[i]));
    CHECKF(rmdir(tmpdir) == 0, "rmdir %s: a case left a file there", tmpdir);
}

int main(void)
{
    /* mkdtemp, not the PID: in a container PIDs repeat from run to run, and a
       directory left by a killed run must not fail the next one. */
    snprintf(tmpdir, sizeof tmpdir, "/tmp/media_test_session_XXXXXX");
    if (!mkdtemp(tmpdir)) { perror(tmpdir); return 1; }
    RUN(test_basic_call);
    RUN(test_delay_moves_by_stretching);
    RUN(test_rtcp_matches_network);
    RUN(test_dtmf_both_ways);
    RUN(test_dtmf_renumbered_answer);
    RUN(test_dtmf_sent_cut_by_bye);
    RUN(test_dtmf_peer_quirks);
    RUN(test_dtmf_sender_stall);
    RUN(test_inband_dtmf);
    RUN(test_inband_dtmf_sent);
    RUN(test_call_progress_tones);
    RUN(test_hold_resume);
    RUN(test_codec_switch);
    RUN(test_playback_queue);
    RUN(test_empty_files);
    RUN(test_record_survives_destroy);
    RUN(test_rtp_timeout);
    RUN(test_record_ends_at_last_packet);
    RUN(test_late_poll_no_burst);
    RUN(test_poll_return_and_allocations);
    RUN(test_lengths_beyond_int);
    RUN(test_config_not_initialised);
    RUN(test_packet_filter);
    RUN(test_sdes_keys);
    RUN(test_reoffer_second_mline);
    RUN(test_log);
    RUN(test_remote_host_name);
    RUN(test_forged_report);
    RUN(test_stats_across_restarts);
    RUN(test_clock_steps_back);
    RUN(test_delay_within_ceiling);
    RUN(test_sockets_filter);
    RUN(test_ssrc_change_and_timestamp_jump);
    RUN(test_source_filter_and_latch);
    RUN(test_spoofed_peer);
    RUN(test_latch_hijack_and_rebinding);
    RUN(test_ssrc_collision);
    RUN(test_comfort_noise);
    RUN(test_handlers_edit_reject_choose);
    RUN(test_destroy_inside_callback);
    RUN(test_reoffer_new_address);
    RUN(test_stats_quality_mute_states);
    RUN(test_sockets_ipv4_rtcp_port);
    RUN(test_sockets_ipv4_mux);
    RUN(test_sockets_ipv6);
    RUN(test_sockets_latch);
    RUN(test_sockets_peer_unreachable);
    RUN(test_sockets_reoffer_moves);
    RUN(test_sockets_poll_ready);
    RUN(test_stream_errors);
    RUN(test_media_request);
    RUN(test_record_complete);
    RUN(test_duplicates_reordering);
    RUN(test_plc_history_from_pool);
    RUN(test_handler_answers);
    RUN(test_allocation_failures);
    RUN(test_bye_drains_buffer);
    RUN(test_files_removed);
    net_reset();
    free(g_net.q);
    return harness_summary();
}
