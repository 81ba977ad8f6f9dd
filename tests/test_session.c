/* The media session, end to end: two sessions (or a session and a hand-driven
   fake peer) over a simulated network with a virtual clock. No sleeps, no
   wall-clock time: every run is the same. */
#include "sessnet.h"

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
    CHECK_EQ_INT(media_session_state(g_ep[A].s), MEDIA_STATE_READY);
    allocs = alloc_count;
    net_run_ms(10000);
    CHECK_EQ_INT(alloc_count - allocs, 0);            /* nothing allocated while the call runs */
    CHECK_EQ_INT(net_failed_polls, 0);
    CHECK_EQ_INT(media_session_state(g_ep[A].s), MEDIA_STATE_ACTIVE);
    CHECK_EQ_INT(media_session_state(g_ep[B].s), MEDIA_STATE_ACTIVE);
    /* A hangs up: its BYE ends B's receive stream, nothing is sent after it */
    CHECK_EQ_INT(media_session_close(g_ep[A].s), MEDIA_OK);
    net_run_ms(100);
    CHECK_EQ_INT(media_session_state(g_ep[A].s), MEDIA_STATE_TERMINATED);
    CHECK_EQ_INT(media_session_poll(g_ep[A].s), MEDIA_ESTATE);
    CHECK_EQ_INT(g_ep[A].rtcp_bye, 1);
    CHECK(g_ep[B].nstops >= 1 && g_ep[B].stops[g_ep[B].nstops - 1] == MEDIA_STREAM_RECEIVE);
    media_session_get_stats(g_ep[A].s, &sa);
    media_session_get_stats(g_ep[B].s, &sb);
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
    net_run_ms(60000);
    g_net.loss = 0;                      /* let the last reports through */
    g_ep[A].tone_hz = 0;
    net_run_ms(12000);
    media_session_get_stats(g_ep[A].s, &sa);
    media_session_get_stats(g_ep[B].s, &sb);
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
    CHECKF(sa.remote_jitter_ms > expect_jitter * 0.6 && sa.remote_jitter_ms < expect_jitter * 1.4, "remote jitter %.2f",
           sa.remote_jitter_ms);
    /* RTT: 2 x (40 + 0..30) ms */
    CHECKF(sa.rtt_ms >= 80 && sa.rtt_ms <= 140, "rtt %.1f", sa.rtt_ms);
    CHECK(sb.mos < 4.3 && sb.mos > 2.5);
    CHECK(sb.concealed > 100);
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

static void test_dtmf_both_ways(void)
{
    media_session_config ca, cb;
    int first, n, k, ends = 0;
    setup_pair(&ca, &cb);
    start_pair(&ca, &cb);
    g_ep[A].tone_hz = 500;
    net_run_ms(500);
    CHECK_EQ_INT(media_session_send_dtmf(g_ep[A].s, "19*#"), MEDIA_OK);
    CHECK_EQ_INT(media_session_send_dtmf(g_ep[B].s, "D0"), MEDIA_OK);
    CHECK_EQ_INT(media_session_send_dtmf(g_ep[B].s, "x"), MEDIA_EINVAL);
    net_run_ms(3000);
    CHECK(!strcmp(g_ep[B].digits, "19*#"));
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

static media_session *fake_start(media_session_config *cb)
{
    char ans[4096];
    int n;
    setup_fake(cb);
    if (!ep_create(B, cb)) return NULL;
    CHECK_EQ_INT(media_session_set_remote_sdp(g_ep[B].s, fake_offer, strlen(fake_offer)), MEDIA_OK);
    n = media_session_create_answer(g_ep[B].s, ans, sizeof ans);
    CHECK(n > 0);
    CHECK(strstr(ans, "m=audio 5000 RTP/AVP 8 0 100") != NULL);
    return g_ep[B].s;
}

/* A pcma frame of a 1 kHz tone for the fake peer. */
static void pcma_frame(uint8_t *pl, uint32_t at)
{
    int16_t pcm[160];
    int i;
    for (i = 0; i < 160; i++) pcm[i] = (int16_t)(8000 * sin(2 * 3.14159265358979 * 1000 * (at + i) / 8000.0));
    media_pcma_encode(pl, pcm, 160);
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
    CHECK(!strcmp(g_ep[B].digits, "55"));
    CHECK_EQ_INT(g_ep[B].dur[0], 80);    /* 640 / 8000 s */
    CHECK_EQ_INT(g_ep[B].dur[1], 40);    /* what was seen of it */
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
    CHECK_EQ_INT(media_session_state(g_ep[A].s), MEDIA_STATE_HELD);
    n = media_session_create_offer(g_ep[A].s, sdp, sizeof sdp);
    CHECK(n > 0 && strstr(sdp, "a=sendonly") != NULL);
    CHECK_EQ_INT(media_session_set_remote_sdp(g_ep[B].s, sdp, (size_t)n), MEDIA_OK);
    n = media_session_create_answer(g_ep[B].s, sdp, sizeof sdp);
    CHECK(n > 0 && strstr(sdp, "a=recvonly") != NULL);
    CHECK_EQ_INT(media_session_set_remote_sdp(g_ep[A].s, sdp, (size_t)n), MEDIA_OK);
    CHECK_EQ_INT(media_session_state(g_ep[B].s), MEDIA_STATE_PAUSED);
    net_run_ms(20);
    before = g_ep[B].nlog;
    net_run_ms(3000);
    CHECK_EQ_INT(g_ep[B].nlog, before);          /* B does not send to a holder */
    CHECK(g_ep[A].nlog > 140);                   /* A (sendonly) still does */
    media_session_get_stats(g_ep[B].s, &sb);
    CHECK(sb.rtcp_sent > 0);
    /* resume */
    CHECK_EQ_INT(media_session_resume(g_ep[A].s), MEDIA_OK);
    n = media_session_create_offer(g_ep[A].s, sdp, sizeof sdp);
    CHECK(n > 0 && strstr(sdp, "a=sendrecv") != NULL);
    CHECK_EQ_INT(media_session_set_remote_sdp(g_ep[B].s, sdp, (size_t)n), MEDIA_OK);
    n = media_session_create_answer(g_ep[B].s, sdp, sizeof sdp);
    CHECK_EQ_INT(media_session_set_remote_sdp(g_ep[A].s, sdp, (size_t)n), MEDIA_OK);
    CHECK_EQ_INT(media_session_state(g_ep[A].s), MEDIA_STATE_ACTIVE);
    CHECK_EQ_INT(media_session_state(g_ep[B].s), MEDIA_STATE_ACTIVE);
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
    CHECK_EQ_INT(media_session_set_codec(g_ep[A].s, media_codec_pcma()), MEDIA_OK);
    start = g_ep[A].nlog;
    net_run_ms(2000);
    for (k = start; k < g_ep[A].nlog; k++) { pcma += g_ep[A].log[k].pt == 8; pcmu_after += g_ep[A].log[k].pt == 0; }
    CHECK(pcma >= 99 && pcmu_after == 0);
    media_session_get_stats(g_ep[B].s, &sb);
    CHECK_EQ_INT(sb.lost, 0);
    /* B decodes PCMA now: the tone continues */
    CHECK(sine_snr(g_ep[B].cap + g_ep[B].ncap - 8000, 8000, 1000, 8000) > 30);
    net_reset();
}

int main(void)
{
    RUN(test_basic_call);
    RUN(test_rtcp_matches_network);
    RUN(test_dtmf_both_ways);
    RUN(test_dtmf_peer_quirks);
    RUN(test_hold_resume);
    RUN(test_codec_switch);
    net_reset();
    free(g_net.q);
    return harness_summary();
}
