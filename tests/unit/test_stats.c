/* Receiver statistics (RFC 3550 A.1, A.3, A.8) and the G.107 E-model. Expected
   figures come from the RFC's definitions applied by hand to small sequences, a
   floating-point A.8 written here independently, and E-model values computed
   from G.107's formulas by a separate Python implementation (see each value). */
#include "../../media.h"
#include "../harness.h"
#include <math.h>

static int feed(media_rtp_stats *st, uint32_t ssrc, uint16_t seq, uint32_t ts, uint64_t t_us)
{
    media_rtp_packet p;
    memset(&p, 0, sizeof p);
    p.ssrc = ssrc; p.seq = seq; p.timestamp = ts; p.payload_len = 160;
    return media_rtp_stats_update(st, &p, t_us);
}

static void test_probation_and_in_order_across_wrap(void)
{
    media_rtp_stats st;
    int i;
    media_rtp_stats_init(&st, 8000);
    /* A.1: the first packet starts probation, the second validates the source */
    CHECK_EQ_INT(feed(&st, 1, 65000, 0, 0), MEDIA_RTP_PROBATION);
    CHECK_EQ_INT(media_rtp_stats_expected(&st), 0);
    CHECK_EQ_INT(feed(&st, 1, 65001, 160, 20000), MEDIA_RTP_ACCEPTED);
    for (i = 2; i < 1000; i++)
        CHECK_EQ_INT(feed(&st, 1, (uint16_t)(65000 + i), 160u * (uint32_t)i, 20000u * (uint64_t)i), MEDIA_RTP_ACCEPTED);
    /* base is the validating packet 65001; last seq is 65999 mod 65536 = 463 in cycle 1 */
    CHECK_EQ_INT(st.base_seq, 65001);
    CHECK_EQ_INT(st.cycles, 65536);
    CHECK_EQ_INT(media_rtp_stats_ext_max(&st), 65536 + 463);
    CHECK_EQ_INT(media_rtp_stats_expected(&st), 999);
    CHECK_EQ_INT(st.received, 999);
    CHECK_EQ_INT(media_rtp_stats_lost(&st), 0);
    CHECK_EQ_INT(st.packets, 1000);
    CHECK_EQ_INT(media_rtp_stats_jitter(&st), 0);  /* perfectly paced */
}

static void test_probation_reset_by_a_gap(void)
{
    media_rtp_stats st;
    media_rtp_stats_init(&st, 8000);
    CHECK_EQ_INT(feed(&st, 1, 10, 0, 0), MEDIA_RTP_PROBATION);
    CHECK_EQ_INT(feed(&st, 1, 12, 0, 0), MEDIA_RTP_PROBATION);  /* not sequential: probation again */
    CHECK_EQ_INT(feed(&st, 1, 13, 0, 0), MEDIA_RTP_ACCEPTED);
    CHECK_EQ_INT(st.base_seq, 13);
}

static void test_loss_and_report_intervals(void)
{
    media_rtp_stats st;
    media_rtcp_report_block rb;
    uint16_t s;
    uint64_t t = 0;
    media_rtp_stats_init(&st, 8000);
    /* 101 packets seq 0..100 with 10, 20, ..., 100 missing (the first validates at seq 1) */
    for (s = 0; s <= 100; s++) {
        t += 20000;
        if (s % 10 == 0 && s) continue;
        feed(&st, 7, s, 160u * s, t);
    }
    /* expected from seq 1 to 99 (100 missing, so max is 99) = 99, received 99 - 9 = 90 */
    CHECK_EQ_INT(media_rtp_stats_expected(&st), 99);
    CHECK_EQ_INT(st.received, 90);
    CHECK_EQ_INT(media_rtp_stats_lost(&st), 9);
    CHECK_NEAR(media_rtp_stats_loss_percent(&st), 100.0 * 9 / 99, 1e-9);
    media_rtp_stats_report_block(&st, &rb, t);
    CHECK_EQ_INT(rb.ssrc, 7);
    CHECK_EQ_INT(rb.cumulative_lost, 9);
    CHECK_EQ_INT(rb.fraction_lost, (9 << 8) / 99);  /* A.3: (lost_interval << 8) / expected_interval */
    CHECK_EQ_INT(rb.highest_seq, 99);
    CHECK_EQ_INT(rb.lsr, 0);
    CHECK_EQ_INT(rb.dlsr, 0);
    /* next interval: 100..110 all arrive; 50 arrives late, filling one hole */
    for (s = 100; s <= 110; s++) feed(&st, 7, s, 160u * s, t += 20000);
    CHECK_EQ_INT(feed(&st, 7, 50, 160u * 50, t), MEDIA_RTP_REORDERED);
    media_rtp_stats_report_block(&st, &rb, t);
    CHECK_EQ_INT(rb.cumulative_lost, 8);  /* 110 expected, 102 received */
    CHECK_EQ_INT(rb.highest_seq, 110);
    CHECK_EQ_INT(rb.fraction_lost, 0);    /* lost_interval = 11 - 12 < 0 -> 0 */
    /* an interval in which everything is lost: fraction is 255, not 256 wrapping to 0 */
    feed(&st, 7, 200, 160u * 200, t += 20000);
    media_rtp_stats_report_block(&st, &rb, t);
    CHECK_EQ_INT(rb.fraction_lost, (89 << 8) / 90);
    feed(&st, 7, 201, 160u * 201, t += 20000);
    st.received_prior = st.received;       /* pretend: interval with expected 1, received 0 */
    st.expected_prior = media_rtp_stats_expected(&st) - 1;
    media_rtp_stats_report_block(&st, &rb, t);
    CHECK_EQ_INT(rb.fraction_lost, 255);
}

static void test_duplicates_make_loss_negative(void)
{
    media_rtp_stats st;
    media_rtcp_report_block rb;
    uint16_t s;
    media_rtp_stats_init(&st, 8000);
    for (s = 0; s < 50; s++) {
        int v = feed(&st, 3, s, 160u * s, 20000u * s);
        if (s >= 2 && s % 5 == 0) CHECK_EQ_INT(feed(&st, 3, s, 160u * s, 20000u * s + 1000), MEDIA_RTP_DUPLICATE);
        (void)v;
    }
    /* 9 duplicates (10, 15, ..., 45 and 5), none lost: RFC lost = expected - received = -9 */
    CHECK_EQ_INT(st.duplicates, 9);
    CHECK_EQ_INT(media_rtp_stats_lost(&st), -9);
    media_rtp_stats_report_block(&st, &rb, 0);
    CHECK_EQ_INT(rb.cumulative_lost, -9);
    CHECK_EQ_INT(rb.fraction_lost, 0);
    CHECK_NEAR(media_rtp_stats_loss_percent(&st), 0.0, 0);
    /* a duplicate of an older (reordered) packet is also recognised */
    CHECK_EQ_INT(feed(&st, 3, 40, 0, 0), MEDIA_RTP_DUPLICATE);
    CHECK_EQ_INT(st.duplicates, 10);
}

static void test_reordering(void)
{
    media_rtp_stats st;
    uint16_t order[] = { 0, 1, 2, 4, 3, 5, 7, 6, 8, 11, 9, 10, 12 };
    int i, reordered = 0;
    media_rtp_stats_init(&st, 8000);
    for (i = 0; i < (int)(sizeof order / sizeof order[0]); i++)
        if (feed(&st, 5, order[i], 160u * order[i], 20000u * (uint64_t)i) == MEDIA_RTP_REORDERED) reordered++;
    CHECK_EQ_INT(reordered, 4);
    CHECK_EQ_INT(st.reordered, 4);
    CHECK_EQ_INT(st.duplicates, 0);
    CHECK_EQ_INT(media_rtp_stats_lost(&st), 0);
    CHECK_EQ_INT(st.gap_lost, 0);   /* every hole was filled */
}

static void test_restart_after_large_jump(void)
{
    media_rtp_stats st;
    uint16_t s;
    media_rtp_stats_init(&st, 8000);
    for (s = 100; s < 200; s++) feed(&st, 9, s, 160u * s, 20000u * s);
    /* a jump beyond MAX_DROPOUT (3000): dropped until a second sequential packet confirms it */
    CHECK_EQ_INT(feed(&st, 9, 20000, 0, 0), MEDIA_RTP_BAD_SEQ);
    CHECK_EQ_INT(media_rtp_stats_expected(&st), 99);
    CHECK_EQ_INT(feed(&st, 9, 20001, 160, 20000), MEDIA_RTP_RESTARTED);
    CHECK_EQ_INT(st.restarts, 1);
    CHECK_EQ_INT(st.base_seq, 20001);
    CHECK_EQ_INT(media_rtp_stats_expected(&st), 1);
    CHECK_EQ_INT(st.received, 1);
    CHECK_EQ_INT(feed(&st, 9, 20002, 320, 40000), MEDIA_RTP_ACCEPTED);
    /* a stray jump that is not followed up leaves the stream alone */
    CHECK_EQ_INT(feed(&st, 9, 50000, 0, 0), MEDIA_RTP_BAD_SEQ);
    CHECK_EQ_INT(feed(&st, 9, 20003, 480, 60000), MEDIA_RTP_ACCEPTED);
    CHECK_EQ_INT(st.bad_seq_count, 2);
    CHECK_EQ_INT(media_rtp_stats_lost(&st), 0);
    /* a packet further back than MAX_MISORDER counts as a jump too (A.1) */
    CHECK_EQ_INT(feed(&st, 9, (uint16_t)(20003 - 150), 0, 0), MEDIA_RTP_BAD_SEQ);
    /* but one within it is merely reordered/late */
    CHECK_EQ_INT(feed(&st, 9, (uint16_t)(20003 - 50), 0, 0), MEDIA_RTP_REORDERED);
}

/* The same source restarting its numbering keeps what it had lost: the
   loss is the source's, not the numbering's (RFC 3550 A.1 starts counting
   over, which would forget it); the report block's cumulative count too. */
static void test_restart_keeps_losses(void)
{
    media_rtp_stats st;
    media_rtcp_report_block rb;
    uint16_t s;
    media_rtp_stats_init(&st, 8000);
    for (s = 100; s < 200; s++) if (s % 14 != 9) feed(&st, 9, s, 160u * s, 20000u * s);   /* 7 missing */
    CHECK_EQ_INT(media_rtp_stats_lost(&st), 7);
    CHECK_EQ_INT(feed(&st, 9, 30000, 0, 4000000), MEDIA_RTP_BAD_SEQ);
    CHECK_EQ_INT(feed(&st, 9, 30001, 160, 4020000), MEDIA_RTP_RESTARTED);
    CHECK_EQ_INT(media_rtp_stats_lost(&st), 7);
    for (s = 30002; s < 30050; s++) if (s != 30010 && s != 30020) feed(&st, 9, s, 160u * (s - 30000u), 4000000u + 20000u * (s - 30000u));
    CHECK_EQ_INT(media_rtp_stats_lost(&st), 9);
    media_rtp_stats_report_block(&st, &rb, 5000000);
    CHECK_EQ_INT(rb.cumulative_lost, 9);
    /* a new source counts its own */
    feed(&st, 10, 500, 0, 6000000);
    feed(&st, 10, 501, 160, 6020000);
    CHECK_EQ_INT(media_rtp_stats_lost(&st), 0);
}

/* A.8 jitter over what A.1 accepts: a jump not confirmed (a stray or
   forged packet, its timestamp anywhere) leaves the estimate alone; it
   used to add its whole transit (millions of ms) to it */
static void test_jitter_ignores_unaccepted(void)
{
    media_rtp_stats st;
    uint16_t s;
    int k;
    media_rtp_stats_init(&st, 8000);
    for (s = 1000; s < 1100; s++) feed(&st, 7, s, 160u * s, 20000ull * s);
    CHECK(media_rtp_stats_jitter_ms(&st) < 0.01);
    for (k = 0; k < 20; k++, s++) {
        CHECK_EQ_INT(feed(&st, 7, (uint16_t)(s + 20000 + 7 * k), 0x80000000u + 99991u * (uint32_t)k, 20000ull * s), MEDIA_RTP_BAD_SEQ);
        CHECK_EQ_INT(feed(&st, 7, s, 160u * s, 20000ull * s), MEDIA_RTP_ACCEPTED);
    }
    CHECKF(media_rtp_stats_jitter_ms(&st) < 0.01, "jitter %.1f ms after 20 strays", media_rtp_stats_jitter_ms(&st));
}

static void test_ssrc_change_restarts_validation(void)
{
    media_rtp_stats st;
    media_rtp_stats_init(&st, 8000);
    feed(&st, 1, 10, 0, 0);
    feed(&st, 1, 11, 160, 20000);
    CHECK_EQ_INT(feed(&st, 2, 5000, 0, 40000), MEDIA_RTP_PROBATION);
    CHECK_EQ_INT(st.ssrc_changes, 1);
    CHECK_EQ_INT(st.ssrc, 2);
    CHECK_EQ_INT(feed(&st, 2, 5001, 160, 60000), MEDIA_RTP_ACCEPTED);
    CHECK_EQ_INT(st.base_seq, 5001);
}

/* A.8 in floating point with exact arrival times: J += (|D| - J) / 16 */
static double ref_jitter(const double *arrive_s, const uint32_t *ts, int n, double rate)
{
    double j = 0;
    int i;
    for (i = 1; i < n; i++) {
        double d = (arrive_s[i] - arrive_s[i - 1]) * rate - (double)(int32_t)(ts[i] - ts[i - 1]);
        j += (fabs(d) - j) / 16;
    }
    return j;
}

static void test_jitter_matches_a8(void)
{
    enum { N = 3000 };
    static double arrive[N];
    static uint32_t ts[N];
    media_rtp_stats st;
    int i;
    double want;
    media_rtp_stats_init(&st, 8000);
    harness_seed(99);
    /* timestamps start near the 32-bit wrap; arrival = send + uniform 0..40 ms */
    for (i = 0; i < N; i++) {
        uint64_t us;
        ts[i] = 0xFFFF0000u + 160u * (uint32_t)i;
        arrive[i] = i * 0.020 + (harness_rand() % 40000) / 1e6;
        us = (uint64_t)(arrive[i] * 1e6 + 0.5) + 5000000u;
        feed(&st, 4, (uint16_t)(i + 300), ts[i], us);
    }
    want = ref_jitter(arrive, ts, N, 8000);
    CHECKF(fabs(media_rtp_stats_jitter_ms(&st) - want / 8.0) < 0.01 * want / 8.0,
           "jitter %.3f ms, A.8 reference %.3f ms", media_rtp_stats_jitter_ms(&st), want / 8.0);
    CHECK(fabs((double)media_rtp_stats_jitter(&st) - want) <= 1.0);
    /* a steady alternation of 0 and +10 ms delay: |D| = 80 units each time, J -> 80 */
    media_rtp_stats_init(&st, 8000);
    for (i = 0; i < 400; i++) feed(&st, 4, (uint16_t)i, 160u * (uint32_t)i, 20000u * (uint64_t)i + (i & 1) * 10000u);
    CHECK_NEAR(media_rtp_stats_jitter_ms(&st), 10.0, 0.01);
    CHECK_EQ_INT(media_rtp_stats_jitter(&st), 80);
}

static void test_lsr_dlsr(void)
{
    media_rtp_stats st;
    media_rtcp_report_block rb;
    uint64_t sr_ntp = ((uint64_t)0xE95F2A01u << 32) | 0x40000000u;  /* .25 s */
    media_rtp_stats_init(&st, 8000);
    feed(&st, 1, 1, 0, 0);
    feed(&st, 1, 2, 160, 20000);
    media_rtp_stats_sender_report(&st, sr_ntp, 1000000);
    media_rtp_stats_report_block(&st, &rb, 2500000);
    CHECK_EQ_INT(rb.lsr, 0x2A014000u);          /* middle 32 bits of the SR's NTP time */
    CHECK_EQ_INT(rb.dlsr, 0x18000);             /* 1.5 s in 1/65536 s */
}

static void test_cumulative_lost_24bit_clamp(void)
{
    media_rtp_stats st;
    media_rtcp_report_block rb;
    media_rtp_stats_init(&st, 8000);
    feed(&st, 1, 1, 0, 0);
    feed(&st, 1, 2, 160, 20000);
    st.cycles = 65536u * 300;  /* as if 300 wraps had passed with nothing received */
    media_rtp_stats_report_block(&st, &rb, 0);
    CHECK_EQ_INT(rb.cumulative_lost, 0x7FFFFF);
    CHECK_EQ_INT(rb.fraction_lost, 255);
}

static void test_burst_ratio(void)
{
    /* every 30 packets, 3 consecutive lost: p = 1/27 per received packet, q = 1/3,
       BurstR = 1 / (p + q) = 2.7 (G.107 Annex B); random single losses give ~1 */
    media_rtp_stats st;
    uint16_t s;
    media_rtp_stats_init(&st, 8000);
    for (s = 0; s < 30 * 40 + 2; s++) {
        if (s > 2 && s % 30 < 3) continue;
        feed(&st, 1, s, 160u * s, 20000u * s);
    }
    CHECK_EQ_INT(st.loss_events, 39);
    CHECK_NEAR(media_rtp_stats_burst_ratio(&st), 1.0 / (39.0 / st.received + 1.0 / 3), 1e-9);
    CHECK_NEAR(media_rtp_stats_burst_ratio(&st), 2.7, 0.1);
    media_rtp_stats_init(&st, 8000);
    for (s = 0; s < 1000; s++) if (s < 2 || s % 50 != 0) feed(&st, 1, s, 160u * s, 20000u * s);
    CHECK_NEAR(media_rtp_stats_burst_ratio(&st), 1.0, 0.05);
}

static void test_duplicate_window_edges(void)
{
    /* duplicates are recognised up to 99 packets back (A.1 treats MAX_MISORDER =
       100 back as a jump), which reaches into the window's upper 64 bits; a gap
       of 200 clears the window */
    media_rtp_stats st;
    uint16_t s;
    media_rtp_stats_init(&st, 8000);
    for (s = 0; s < 300; s++) feed(&st, 1, s, 160u * s, 20000u * s);
    CHECK_EQ_INT(feed(&st, 1, 299 - 99, 0, 0), MEDIA_RTP_DUPLICATE);    /* seen, 99 back */
    CHECK_EQ_INT(feed(&st, 1, 299 - 70, 0, 0), MEDIA_RTP_DUPLICATE);    /* seen, 70 back */
    CHECK_EQ_INT(feed(&st, 1, 299 - 40, 0, 0), MEDIA_RTP_DUPLICATE);    /* seen, 40 back */
    CHECK_EQ_INT(feed(&st, 1, 299 - 100, 0, 0), MEDIA_RTP_BAD_SEQ);     /* 100 back: a jump */
    CHECK_EQ_INT(st.duplicates, 3);
    CHECK_EQ_INT(feed(&st, 1, 500, 160u * 500, 20000u * 500), MEDIA_RTP_ACCEPTED);  /* gap of 200 */
    CHECK_EQ_INT(feed(&st, 1, 450, 0, 0), MEDIA_RTP_REORDERED);   /* a hole 50 back: new */
    CHECK_EQ_INT(feed(&st, 1, 450, 0, 0), MEDIA_RTP_DUPLICATE);   /* and now seen */
    CHECK_EQ_INT(feed(&st, 1, 299, 0, 0), MEDIA_RTP_BAD_SEQ);     /* 201 back: beyond MAX_MISORDER */
}

static void test_report_edges(void)
{
    media_rtp_stats st;
    media_rtcp_report_block rb;
    uint16_t s;
    media_rtp_stats_init(&st, 8000);
    CHECK_EQ_INT(media_rtp_stats_expected(&st), 0);          /* nothing yet */
    CHECK_NEAR(media_rtp_stats_loss_percent(&st), 0.0, 0);
    CHECK_NEAR(media_rtp_stats_burst_ratio(&st), 1.0, 0);
    for (s = 0; s < 10; s++) feed(&st, 1, s, 160u * s, 20000u * s);
    media_rtp_stats_report_block(&st, &rb, 0);
    media_rtp_stats_report_block(&st, &rb, 0);                /* an interval with nothing in it */
    CHECK_EQ_INT(rb.fraction_lost, 0);
    st.received = 0x900000u;                                  /* as if 9.4 M duplicates had come */
    media_rtp_stats_report_block(&st, &rb, 0);
    CHECK_EQ_INT(rb.cumulative_lost, -0x800000);              /* the 24-bit field's floor */
    CHECK_EQ_INT(rb.fraction_lost, 0);
}

static void test_extreme_inputs_stay_defined(void)
{
    /* an absurd clock rate, arrival times days apart and going backwards, and
       timestamps jumping by 2^31: the arithmetic must stay defined (UBSan runs
       this) and the figures finite */
    media_rtp_stats st;
    media_rtcp_report_block rb;
    media_rtp_stats_init(&st, 0xFFFFFFFFu);
    CHECK(st.clock_rate <= (1u << 20));
    feed(&st, 1, 1, 0, 0);
    feed(&st, 1, 2, 0x80000000u, 400000000000ull);      /* 4.6 days later */
    feed(&st, 1, 3, 0, 1);                               /* and back again */
    feed(&st, 1, 4, 0x7FFFFFFFu, 0xFFFFFFFFFFFFull);
    CHECK(media_rtp_stats_jitter_ms(&st) >= 0 && media_rtp_stats_jitter_ms(&st) < 1e12);
    media_rtp_stats_report_block(&st, &rb, 0);
    CHECK_EQ_INT(rb.highest_seq, 4);
    media_rtp_stats_init(&st, 0);
    CHECK_EQ_INT(st.clock_rate, 8000);
}

static double r_of(double t, double ie, double bpl, double ppl, double burst)
{
    media_emodel_params p;
    p.delay_ms = t; p.ie = ie; p.bpl = bpl; p.loss_percent = ppl; p.burst_ratio = burst;
    return media_emodel_r(&p);
}

static void test_emodel_against_g107(void)
{
    /* G.107: with every parameter at its default, R = 93.2 */
    CHECK_NEAR(r_of(0, 0, 1, 0, 1), 93.2, 0.05);
    CHECK_NEAR(media_emodel_mos(r_of(0, 0, 1, 0, 1)), 4.41, 0.005);
    /* values from an independent Python implementation of G.107's formulas */
    CHECK_NEAR(r_of(0, 0, 1, 0, 1), 93.2062, 0.001);
    CHECK_NEAR(r_of(50, 0, 1, 0, 1), 91.7562, 0.001);
    CHECK_NEAR(r_of(150, 0, 1, 0, 1), 89.5391, 0.001);
    CHECK_NEAR(r_of(300, 0, 1, 0, 1), 72.6664, 0.001);   /* Idd active beyond 100 ms */
    CHECK_NEAR(r_of(0, 0, 25.1, 2, 1), 86.1951, 0.001);  /* G.711 with PLC, 2 % random loss */
    CHECK_NEAR(r_of(100, 0, 25.1, 5, 2), 73.4536, 0.001);
    CHECK_NEAR(r_of(20, 11, 19, 1, 1), 77.3313, 0.001);
    /* G.107 Annex B: R -> MOS, and its ends */
    CHECK_NEAR(media_emodel_mos(50), 1 + 0.035 * 50 + 50 * (50 - 60) * (100 - 50) * 7e-6, 1e-12);
    CHECK_NEAR(media_emodel_mos(80), 4.024, 1e-9);
    CHECK_NEAR(media_emodel_mos(-5), 1.0, 0);
    CHECK_NEAR(media_emodel_mos(100), 4.5, 0);
    CHECK_NEAR(media_emodel_mos(3), 1.0, 0.0);  /* the cubic's dip below 1 is clamped */
    /* inputs outside the model's range are clamped: no loss below 0 %, none above
       100 %, burstiness at least 1 */
    CHECK_NEAR(r_of(0, 0, 25.1, -5, 1), r_of(0, 0, 25.1, 0, 1), 1e-12);
    CHECK_NEAR(r_of(0, 0, 25.1, 250, 1), r_of(0, 0, 25.1, 100, 1), 1e-12);
    CHECK_NEAR(r_of(0, 0, 25.1, 5, 0.2), r_of(0, 0, 25.1, 5, 1), 1e-12);
    /* more loss and burstier loss never raise R */
    CHECK(r_of(0, 0, 25.1, 5, 1) < r_of(0, 0, 25.1, 2, 1));
    CHECK(r_of(0, 0, 25.1, 5, 3) < r_of(0, 0, 25.1, 5, 1));
}

static void test_stream_mos(void)
{
    media_rtp_stats st;
    uint16_t s;
    media_rtp_stats_init(&st, 8000);
    for (s = 0; s < 1002; s++) if (s < 2 || s % 50 != 0) feed(&st, 1, s, 160u * s, 20000u * s);
    /* 2 % random loss, 0 delay, G.711 with PLC: R = 86.195 -> MOS 4.235 (Python reference) */
    CHECK_NEAR(media_rtp_stats_loss_percent(&st), 2.0, 0.01);
    CHECK_NEAR(media_rtp_stats_mos(&st, 0, MEDIA_EMODEL_G711_IE, MEDIA_EMODEL_G711_BPL), 4.2350, 0.01);
}

int main(void)
{
    RUN(test_probation_and_in_order_across_wrap);
    RUN(test_probation_reset_by_a_gap);
    RUN(test_loss_and_report_intervals);
    RUN(test_duplicates_make_loss_negative);
    RUN(test_reordering);
    RUN(test_restart_after_large_jump);
    RUN(test_restart_keeps_losses);
    RUN(test_jitter_ignores_unaccepted);
    RUN(test_ssrc_change_restarts_validation);
    RUN(test_jitter_matches_a8);
    RUN(test_lsr_dlsr);
    RUN(test_cumulative_lost_24bit_clamp);
    RUN(test_burst_ratio);
    RUN(test_extreme_inputs_stay_defined);
    RUN(test_duplicate_window_edges);
    RUN(test_report_edges);
    RUN(test_emodel_against_g107);
    RUN(test_stream_mos);
    return harness_summary();
}
