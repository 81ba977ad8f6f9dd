/* media_bridge: two sessions back to back between two phones on the
   simulated network, A - [a = b] - B (and C - [c] for a transfer). Relayed,
   what B receives is A's packets byte for byte under b's SSRC, on one
   sequence and timeline that never goes back across a transfer, a file
   played to B and back; RTCP translated well enough that A measures its
   round trip to B through the bridge (the network's delay is known), and
   B's view of A's loss reaches A. Transcoded (PCMU on one leg, PCMA on the
   other), each phone hears the other's tone at its level. DTMF crosses as
   RFC 4733 events either way, never as tones. Destroying either side first
   is safe. */
#define NET_EPS 6
#include "../sessnet.h"
#include <unistd.h>

enum { PA = 0, LA = 1, LB = 2, PB = 3, PC = 4, LC = 5 };

static const media_codec *pcmu_only[2], *pcma_only[2];

static void endpoint(int i, const char *ip, const media_codec **codecs, double tone)
{
    media_session_config c;
    ep_config(&c, i, ip, (uint16_t)(4000 + 100 * i));
    if (codecs) { c.codecs = codecs; c.codec_count = 2; }
    g_ep[i].tone_hz = tone;
    CHECK(ep_create(i, &c) != NULL);
}

/* A - a = b - B with the codecs given for each phone */
static media_bridge *call(const media_codec **ca, const media_codec **cb, int mode)
{
    media_bridge_config bc;
    media_bridge *br;
    int err = 1;
    net_reset();
    g_net.delay_us = 10000;
    endpoint(PA, "10.0.0.1", ca, 440);
    endpoint(LA, "10.0.0.2", NULL, 0);
    endpoint(LB, "10.0.0.3", NULL, 0);
    endpoint(PB, "10.0.0.4", cb, 1000);
    CHECK_EQ_INT(net_negotiate(PA, LA), MEDIA_OK);
    CHECK_EQ_INT(net_negotiate(LB, PB), MEDIA_OK);
    media_bridge_config_init(&bc);
    bc.mode = mode;
    br = media_bridge_create(g_ep[LA].s, g_ep[LB].s, &bc, &err);
    CHECKF(br && err == MEDIA_OK, "bridge: %d", err);
    return br;
}

/* sent packets of endpoint i from index k0 on: one SSRC, sequence +1 each,
   timestamps never back; how many markers */
static int continuous(int i, int k0, int *markers, uint32_t *ssrc)
{
    const ep *e = &g_ep[i];
    int k, bad = 0;
    *markers = 0;
    *ssrc = e->nlog > k0 ? e->log[k0].ssrc : 0;
    for (k = k0 + 1; k < e->nlog; k++) {
        const wire_rec *w = &e->log[k], *v = &e->log[k - 1];
        if (w->pt >= 96) continue;   /* (events checked apart) */
        bad += w->ssrc != *ssrc;
        bad += w->seq != (uint16_t)(v->seq + 1) && v->pt < 96;
        bad += (int32_t)(w->ts - v->ts) <= 0 && v->pt < 96;
        *markers += w->marker;
    }
    return bad;
}

/* the last second heard by endpoint i, against a sine at hz */
static double heard_db(int i, double hz)
{
    const ep *e = &g_ep[i];
    size_t from = e->ncap > 8000 ? e->ncap - 8000 : 0;
    return sine_snr(e->cap + from, e->ncap - from, hz, 8000);
}

static void test_relay_exact(void)
{
    media_bridge *br = call(pcmu_only, pcmu_only, MEDIA_BRIDGE_AUTO);
    media_bridge_stats st;
    media_session_stats sa, sb;
    int k, j, same = 0, markers;
    uint32_t ssrc;
    if (!br) return;
    net_run_ms(3000);
    CHECK_EQ_INT(media_bridge_stats_get(br, 0, &st), MEDIA_OK);
    CHECKF(st.relayed > 140 && st.transcoded == 0 && st.relaying == 1, "A->B: %llu relayed, %llu transcoded",
           (unsigned long long)st.relayed, (unsigned long long)st.transcoded);
    /* what b sent is what A sent, payload for payload, in b's own stream */
    for (k = 0, j = 0; k < g_ep[LB].nlog && j < g_ep[PA].nlog; k++) {
        int at = j;
        while (at < g_ep[PA].nlog && memcmp(g_ep[PA].log[at].head, g_ep[LB].log[k].head, 4) != 0) at++;
        if (at < g_ep[PA].nlog) { same++; j = at + 1; }   /* (b's own silence before the relay matches nothing) */
    }
    CHECKF(same >= (int)st.relayed - 1, "%d of %llu relayed payloads found in A's stream, in order", same,
           (unsigned long long)st.relayed);
    CHECK_EQ_INT(continuous(LB, 0, &markers, &ssrc), 0);
    CHECK_EQ_INT(ssrc, g_ep[LB].log[0].ssrc);
    CHECKF(heard_db(PB, 440) > 30, "B hears A's tone with SNR %.1f dB", heard_db(PB, 440));
    CHECKF(heard_db(PA, 1000) > 30, "A hears B's tone with SNR %.1f dB", heard_db(PA, 1000));
    /* RTCP: A's round trip through the bridge is 4 hops of 10 ms */
    net_run_ms(12000);
    media_session_stats_get(g_ep[PA].s, &sa);
    media_session_stats_get(g_ep[PB].s, &sb);
    CHECKF(sa.rtt_ms > 35 && sa.rtt_ms < 50, "A's RTT %.1f ms through the bridge (4 x 10 ms)", sa.rtt_ms);
    CHECKF(sb.rtt_ms > 35 && sb.rtt_ms < 50, "B's RTT %.1f ms through the bridge", sb.rtt_ms);
    CHECK(sa.have_remote_report && sb.have_remote_report);
    media_bridge_stats_get(br, 1, &st);
    CHECKF(st.rtcp >= 2, "B->A: %llu RTCP translated", (unsigned long long)st.rtcp);
    /* loss on both hops: B counts it on b's one stream (a packet lost before
       the bridge is a hole in b's numbering too), and A hears B's count */
    g_net.loss = 0.05;
    net_run_ms(6000);
    g_net.loss = 0;
    net_run_ms(12000);
    media_session_stats_get(g_ep[PA].s, &sa);
    media_session_stats_get(g_ep[PB].s, &sb);
    CHECKF(sb.lost == g_net.rtp_dropped[PA] + g_net.rtp_dropped[LB], "B lost %lld of A's, the network dropped %ld + %ld",
           (long long)sb.lost, g_net.rtp_dropped[PA], g_net.rtp_dropped[LB]);
    CHECKF(sa.remote_lost == sb.lost, "A hears B lost %d, B counts %lld", (int)sa.remote_lost, (long long)sb.lost);
    printf("      relayed %llu packets each way; RTT seen by A %.1f ms, by B %.1f ms (4 hops of 10 ms); "
           "A's stream: %lld lost over both hops, as B reported to A\n",
           (unsigned long long)st.relayed, sa.rtt_ms, sb.rtt_ms, (long long)sb.lost);
    media_bridge_destroy(br);
    net_reset();
}

/* A's stream made by hand across both wraps (sequence 65500.., timestamp
   2^32 - 8000..), with a gap, a reordered pair, a duplicate and a packet
   of a payload B's leg did not negotiate: b's stream carries each relayed
   packet with the same spacing in sequence and time (wrapping with it),
   and every packet A sent is accounted for: relayed or dropped. */
static void test_relay_wraps_and_accounting(void)
{
    media_bridge *br = call(pcmu_only, pcmu_only, MEDIA_BRIDGE_AUTO);
    media_bridge_stats st;
    media_session_stats sa;
    media_addr from;
    uint8_t pkt[172];
    int k, sent = 0, bad = 0, first = -1;
    static const int order[] = { 0, 1, 2, 3, 5, 4, 6, 6, 9, 10, 12 };   /* 4/5 and 11/12 swapped, 6 twice, 7 and 8 lost */
    if (!br) return;
    g_net.block[PA] = 1;   /* A's own session quiet: we speak for it */
    net_run_ms(200);
    media_addr_parse(&from, "10.0.0.1", 4000);
    for (k = 0; k < 120; k++) {
        int i = k < 11 ? order[k] : k, j;
        uint16_t seq = (uint16_t)(65500 + i);
        uint32_t ts = 0xFFFFFFFFu - 7999u + 160u * (uint32_t)i;
        memset(pkt, 0xD5, sizeof pkt);
        pkt[0] = 0x80; pkt[1] = (uint8_t)(k == 60 ? 18 : 0);   /* one G.729 packet: not B's */
        pkt[2] = (uint8_t)(seq >> 8); pkt[3] = (uint8_t)seq;
        for (j = 0; j < 4; j++) pkt[4 + j] = (uint8_t)(ts >> (24 - 8 * j));
        pkt[8] = 0xAB; pkt[9] = 0xCD; pkt[10] = 0; pkt[11] = 1;
        pkt[12] = (uint8_t)i; pkt[13] = (uint8_t)(i >> 8);   /* which one, for the log */
        media_session_receive_from(g_ep[LA].s, pkt, sizeof pkt, 0, &from);
        sent++;
        net_run_ms(20);
    }
    media_bridge_stats_get(br, 0, &st);
    media_session_stats_get(g_ep[LA].s, &sa);
    /* duplicates go through as they came (B's receiver counts them); the
       G.729 packet is refused by a itself, before the bridge */
    CHECKF(st.relayed + st.dropped + sa.unknown_pt == (uint64_t)sent && sa.unknown_pt == 1 && st.dropped == 0,
           "%d sent: %llu relayed, %llu dropped, %llu of an unknown payload type", sent, (unsigned long long)st.relayed,
           (unsigned long long)st.dropped, (unsigned long long)sa.unknown_pt);
    /* b's log: the relayed packets, by the index they carry */
    for (k = 0; k < g_ep[LB].nlog; k++) {
        const wire_rec *w = &g_ep[LB].log[k], *w0;
        int i = w->head[0] | w->head[1] << 8;
        if (w->head[2] != 0xD5) continue;          /* b's own silence before the first */
        if (first < 0) { first = k; continue; }
        w0 = &g_ep[LB].log[first];
        i -= w0->head[0] | w0->head[1] << 8;
        bad += w->seq != (uint16_t)(w0->seq + i) || w->ts != w0->ts + 160u * (uint32_t)i || w->ssrc != w0->ssrc;
    }
    CHECKF(first >= 0 && bad == 0, "%d relayed packets off their origin's spacing", bad);
    CHECKF(st.relayed == 119 && st.switches == 0, "relayed %llu (120 less the G.729 one), %u switches",
           (unsigned long long)st.relayed, (unsigned)st.switches);
    media_bridge_destroy(br);
    net_reset();
}

/* B's stream stays one across a transfer (A's leg replaced by C's), a file
   played to B, and back to the relay. */
static void test_relay_switches(void)
{
    media_bridge *br = call(pcmu_only, pcmu_only, MEDIA_BRIDGE_AUTO), *br2;
    media_bridge_stats st;
    char path[256];
    int markers, err, i;
    uint32_t ssrc;
    media_wav_file f;
    int16_t tone[8000];
    if (!br) return;
    snprintf(path, sizeof path, "/tmp/media_bridge_%ld.wav", (long)getpid());
    for (i = 0; i < 8000; i++) tone[i] = (int16_t)(8000 * sin(2 * 3.14159265358979 * 1500 * i / 8000.0));
    CHECK_EQ_INT(media_wav_open_write(&f, path, MEDIA_WAV_PCM16, 8000, 1), MEDIA_OK);
    CHECK_EQ_INT(media_wav_write(&f, tone, 8000), MEDIA_OK);
    media_wav_close(&f);
    endpoint(PC, "10.0.0.5", pcmu_only, 700);
    endpoint(LC, "10.0.0.6", NULL, 0);
    CHECK_EQ_INT(net_negotiate(PC, LC), MEDIA_OK);
    net_run_ms(1000);
    /* music on hold to B for a second: A's packets are dropped meanwhile */
    CHECK(media_session_play(g_ep[LB].s, path, 1) > 0);
    net_run_ms(1500);
    media_bridge_stats_get(br, 0, &st);
    CHECKF(st.dropped > 40, "A's packets while B heard the file: %llu dropped", (unsigned long long)st.dropped);
    /* transfer: B is now bridged to C */
    media_bridge_destroy(br);
    br2 = media_bridge_create(g_ep[LC].s, g_ep[LB].s, NULL, &err);
    CHECK(br2 != NULL);
    net_run_ms(1500);
    CHECK_EQ_INT(continuous(LB, 0, &markers, &ssrc), 0);
    CHECKF(markers >= 3 && markers <= 4, "%d markers in B's stream (start, file, back, transfer)", markers);
    CHECKF(heard_db(PB, 700) > 30, "B hears C after the transfer (SNR %.1f dB)", heard_db(PB, 700));
    if (br2) {
        media_bridge_stats_get(br2, 0, &st);
        CHECK(st.relayed > 60 && st.switches == 0);
    }
    media_bridge_destroy(br2);
    remove(path);
    net_reset();
}

/* PCMU on A's leg, PCMA on B's: decoded and encoded again, both ways. */
static void test_transcode(void)
{
    media_bridge *br = call(pcmu_only, pcma_only, MEDIA_BRIDGE_AUTO);
    media_bridge_stats st;
    int k, pcma = 0;
    if (!br) return;
    net_run_ms(3000);
    media_bridge_stats_get(br, 0, &st);
    CHECKF(st.relayed == 0 && st.transcoded > 140 && st.relaying == 0, "A->B: %llu relayed, %llu transcoded",
           (unsigned long long)st.relayed, (unsigned long long)st.transcoded);
    for (k = 0; k < g_ep[LB].nlog; k++) pcma += g_ep[LB].log[k].pt == 8;
    CHECK_EQ_INT(pcma, g_ep[LB].nlog);
    CHECKF(heard_db(PB, 440) > 25, "B hears A's tone with SNR %.1f dB", heard_db(PB, 440));
    CHECKF(heard_db(PA, 1000) > 25, "A hears B's tone with SNR %.1f dB", heard_db(PA, 1000));
    media_bridge_destroy(br);
    net_reset();
}

/* DTMF from A reaches B as key presses, relayed or transcoded, never as tones */
static void test_dtmf_through(void)
{
    int mode;
    for (mode = 0; mode < 2; mode++) {
        media_bridge *br = call(pcmu_only, mode ? pcma_only : pcmu_only, MEDIA_BRIDGE_AUTO);
        media_bridge_stats st;
        int k;
        if (!br) return;
        net_run_ms(500);
        CHECK_EQ_INT(media_session_dtmf_send(g_ep[PA].s, "159#"), MEDIA_OK);
        CHECK_EQ_INT(media_session_dtmf_send(g_ep[PB].s, "*0"), MEDIA_OK);
        net_run_ms(2500);
        CHECKF(g_ep[PB].ndigits == 4 && memcmp(g_ep[PB].digits, "159#", 4) == 0, "%s: B got %d digits \"%.*s\"",
               mode ? "transcoded" : "relayed", g_ep[PB].ndigits, g_ep[PB].ndigits, g_ep[PB].digits);
        CHECKF(g_ep[PA].ndigits == 2 && memcmp(g_ep[PA].digits, "*0", 2) == 0, "A got \"%.*s\"", g_ep[PA].ndigits, g_ep[PA].digits);
        for (k = 0; k < g_ep[PB].ndigits && k < 4; k++)
            CHECKF(g_ep[PB].dur[k] >= 90 && g_ep[PB].dur[k] <= 130, "digit %d lasted %u ms", k, (unsigned)g_ep[PB].dur[k]);
        media_bridge_stats_get(br, 0, &st);
        CHECKF(st.events >= 4 * 6, "%llu event packets passed", (unsigned long long)st.events);
        media_bridge_destroy(br);
    }
    net_reset();
}

/* Either session destroyed first; bridging one already bridged refused. */
static void test_lifetimes(void)
{
    media_bridge *br = call(pcmu_only, pcmu_only, MEDIA_BRIDGE_AUTO), *again;
    int err = 0;
    if (!br) return;
    again = media_bridge_create(g_ep[LA].s, g_ep[PB].s, NULL, &err);
    CHECK(again == NULL && err == MEDIA_ESTATE);
    CHECK(media_bridge_create(g_ep[PA].s, g_ep[PA].s, NULL, &err) == NULL && err == MEDIA_EINVAL);
    net_run_ms(500);
    media_session_destroy(g_ep[LA].s);
    g_ep[LA].s = NULL;
    net_run_ms(500);   /* b goes on with its own audio */
    media_bridge_destroy(br);
    br = media_bridge_create(g_ep[LB].s, g_ep[PA].s, NULL, &err);
    CHECK(br != NULL);
    net_run_ms(200);
    media_session_destroy(g_ep[LB].s);
    g_ep[LB].s = NULL;
    media_session_destroy(g_ep[PA].s);
    g_ep[PA].s = NULL;
    media_bridge_destroy(br);
    net_reset();
}

int main(void)
{
    pcmu_only[0] = media_codec_pcmu();
    pcma_only[0] = media_codec_pcma();
    pcmu_only[1] = pcma_only[1] = media_codec_telephone_event();
    RUN(test_relay_exact);
    RUN(test_relay_wraps_and_accounting);
    RUN(test_relay_switches);
    RUN(test_transcode);
    RUN(test_dtmf_through);
    RUN(test_lifetimes);
    (void)frames_above;
    return harness_summary();
}
