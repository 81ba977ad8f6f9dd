/* make bench: figures for the foundation, printed, never pass/fail.
   Each figure is the best of several runs (the least disturbed by the machine)
   and G.711 is also given as a ratio to memcpy of the same input bytes, measured
   in the same run, so the figure travels between machines. */
#define _POSIX_C_SOURCE 200809L
#define MEDIA_IMPLEMENTATION
#include "../media.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rng = 88172645463325252ull;
static uint32_t rnd(void)
{
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return (uint32_t)rng;
}

/* memcpy through a volatile pointer: the compiler cannot elide or inline it away */
static void *(*volatile copy_fn)(void *, const void *, size_t) = memcpy;
static volatile uint32_t sink;

#define RUNS 15
#define FRAME 160
#define NFRAMES 64
#define BULK (1 << 16)

static int16_t pcm[NFRAMES * FRAME], bulk_pcm[BULK], out_pcm[BULK];
static uint8_t codes[NFRAMES * FRAME], bulk_codes[BULK], out_codes[BULK];

typedef void (*enc_fn)(uint8_t *, const int16_t *, size_t);
typedef void (*dec_fn)(int16_t *, const uint8_t *, size_t);

/* seconds per sample, best of RUNS */
static double time_encode(enc_fn f, int bulk)
{
    double best = 1e9;
    int r;
    for (r = 0; r < RUNS; r++) {
        size_t i, reps = bulk ? 400 : 40000, k;
        double t0 = now_s(), t;
        for (k = 0; k < reps; k++) {
            if (bulk) f(bulk_codes, bulk_pcm, BULK);
            else for (i = 0; i < NFRAMES; i++) f(codes + i * FRAME, pcm + i * FRAME, FRAME);
        }
        t = (now_s() - t0) / ((double)reps * (bulk ? BULK : NFRAMES * FRAME));
        sink += bulk ? bulk_codes[k & 1023] : codes[k & 1023];
        if (t < best) best = t;
    }
    return best;
}

static double time_decode(dec_fn f, int bulk)
{
    double best = 1e9;
    int r;
    for (r = 0; r < RUNS; r++) {
        size_t i, reps = bulk ? 400 : 40000, k;
        double t0 = now_s(), t;
        for (k = 0; k < reps; k++) {
            if (bulk) f(out_pcm, bulk_codes, BULK);
            else for (i = 0; i < NFRAMES; i++) f(out_pcm + i * FRAME, codes + i * FRAME, FRAME);
        }
        t = (now_s() - t0) / ((double)reps * (bulk ? BULK : NFRAMES * FRAME));
        sink += (uint32_t)out_pcm[k & 1023];
        if (t < best) best = t;
    }
    return best;
}

/* memcpy of bytes_per_sample per sample, the same framing */
static double time_memcpy(size_t bytes_per_sample, int bulk)
{
    static uint8_t a[BULK * 2], b[BULK * 2];
    double best = 1e9;
    int r;
    for (r = 0; r < RUNS; r++) {
        size_t i, reps = bulk ? 400 : 40000, k;
        double t0 = now_s(), t;
        for (k = 0; k < reps; k++) {
            if (bulk) copy_fn(b, a, BULK * bytes_per_sample);
            else for (i = 0; i < NFRAMES; i++) copy_fn(b + i * FRAME * bytes_per_sample, a + i * FRAME * bytes_per_sample, FRAME * bytes_per_sample);
        }
        t = (now_s() - t0) / ((double)reps * (bulk ? BULK : NFRAMES * FRAME));
        sink += b[k & 1023];
        if (t < best) best = t;
    }
    return best;
}

static void bench_g711(void)
{
    size_t i;
    double mc_enc[2], mc_dec[2];
    int bulk;
    /* noisy speech-like input: the sign and segment change unpredictably */
    for (i = 0; i < NFRAMES * FRAME; i++) pcm[i] = (int16_t)(rnd() >> ((rnd() & 7) + 16));
    for (i = 0; i < BULK; i++) bulk_pcm[i] = (int16_t)(rnd() >> ((rnd() & 7) + 16));
    media_pcmu_encode(codes, pcm, NFRAMES * FRAME);
    media_pcmu_encode(bulk_codes, bulk_pcm, BULK);
    for (bulk = 0; bulk < 2; bulk++) {
        mc_enc[bulk] = time_memcpy(2, bulk);   /* encode reads 2 bytes a sample */
        mc_dec[bulk] = time_memcpy(1, bulk);   /* decode reads 1 byte a sample */
    }
    printf("G.711 (Msamples/s; ratio = time / memcpy of the same input bytes)\n");
    for (bulk = 0; bulk < 2; bulk++) {
        const char *shape = bulk ? "bulk 64 Ki" : "20 ms frames";
        double t;
        t = time_encode(media_pcmu_encode, bulk);
        printf("  pcmu encode %-13s %8.0f Msamples/s  %.2fx memcpy\n", shape, 1e-6 / t, t / mc_enc[bulk]);
        t = time_encode(media_pcma_encode, bulk);
        printf("  pcma encode %-13s %8.0f Msamples/s  %.2fx memcpy\n", shape, 1e-6 / t, t / mc_enc[bulk]);
        t = time_decode(media_pcmu_decode, bulk);
        printf("  pcmu decode %-13s %8.0f Msamples/s  %.2fx memcpy\n", shape, 1e-6 / t, t / mc_dec[bulk]);
        t = time_decode(media_pcma_decode, bulk);
        printf("  pcma decode %-13s %8.0f Msamples/s  %.2fx memcpy\n", shape, 1e-6 / t, t / mc_dec[bulk]);
    }
    printf("  memcpy: %.0f MB/s (20 ms frames), %.0f MB/s (bulk)\n", 2e-6 / mc_enc[0], 2e-6 / mc_enc[1]);
}

#define NPKT 16   /* a receive path touches one packet at a time: keep the working set in L1 */
static uint8_t wire[NPKT][200], out[NPKT][200];
static size_t wire_len[NPKT];

static void bench_rtp(void)
{
    media_rtp_packet p;
    int i, r;
    double best_hdr = 1e9, best_copy = 1e9;
    for (i = 0; i < NPKT; i++) {
        memset(&p, 0, sizeof p);
        p.seq = (uint16_t)i; p.timestamp = 160u * (uint32_t)i; p.ssrc = 0x12345678; p.marker = i == 0;
        p.payload = codes; p.payload_len = 160;
        wire_len[i] = (size_t)media_rtp_write(wire[i], sizeof wire[i], &p);
    }
    for (r = 0; r < RUNS; r++) {
        int k, reps = 100000;
        double t0, t;
        uint32_t acc = 0;
        /* receive parse + send header write, payload already in the send buffer
           (the library's own send path encodes straight into buf + 12) */
        t0 = now_s();
        for (k = 0; k < reps; k++) {
            for (i = 0; i < NPKT; i++) {
                media_rtp_packet q;
                media_rtp_parse(&q, wire[i], wire_len[i]);
                q.payload = out[i] + 12;
                acc += (uint32_t)media_rtp_write(out[i], sizeof out[i], &q);
            }
        }
        t = (now_s() - t0) / ((double)reps * NPKT);
        if (t < best_hdr) best_hdr = t;
        /* the same with the 160-byte payload copied */
        t0 = now_s();
        for (k = 0; k < reps; k++) {
            for (i = 0; i < NPKT; i++) {
                media_rtp_packet q;
                media_rtp_parse(&q, wire[i], wire_len[i]);
                acc += (uint32_t)media_rtp_write(out[i], sizeof out[i], &q);
            }
        }
        t = (now_s() - t0) / ((double)reps * NPKT);
        if (t < best_copy) best_copy = t;
        sink += acc + out[r][5];
    }
    printf("RTP\n");
    printf("  parse + write, payload in place   %6.2f ns/packet\n", best_hdr * 1e9);
    printf("  parse + write, 160 B payload copy %6.2f ns/packet\n", best_copy * 1e9);
}

static void bench_rtcp(void)
{
    static media_rtcp c;
    media_rtcp_report_block rb;
    media_rtcp_report rep;
    uint8_t buf[NPKT][128];
    size_t len[NPKT];
    int i, r;
    double best = 1e9;
    for (i = 0; i < NPKT; i++) {
        memset(&rb, 0, sizeof rb);
        rb.ssrc = rnd(); rb.highest_seq = rnd(); rb.jitter = rnd() & 255; rb.lsr = rnd(); rb.dlsr = rnd() & 0xFFFF;
        memset(&rep, 0, sizeof rep);
        rep.ssrc = rnd(); rep.is_sender = 1; rep.ntp = ((uint64_t)rnd() << 32) | rnd();
        rep.blocks = &rb; rep.block_count = 1; rep.cname = "alice@192.0.2.10";
        len[i] = (size_t)media_rtcp_write_report(buf[i], sizeof buf[i], &rep);
    }
    for (r = 0; r < RUNS; r++) {
        int k, reps = 100000;
        uint32_t acc = 0;
        double t0 = now_s(), t;
        for (k = 0; k < reps; k++)
            for (i = 0; i < NPKT; i++) acc += (uint32_t)media_rtcp_parse(&c, buf[i], len[i], 0) + c.reports[0].jitter;
        t = (now_s() - t0) / ((double)reps * NPKT);
        sink += acc;
        if (t < best) best = t;
    }
    printf("RTCP\n  SR (1 block) + SDES CNAME compound parse %6.2f ns (%d bytes)\n", best * 1e9, (int)len[0]);
}

static void bench_stats(void)
{
    enum { N = 100000 };
    static media_rtp_packet pk[N];
    static uint64_t at[N];
    media_rtp_stats st;
    int i, r;
    double best = 1e9;
    /* 1 % loss, 1 % swapped neighbours, arrival jitter up to 30 ms */
    for (i = 0; i < N; i++) {
        memset(&pk[i], 0, sizeof pk[i]);
        pk[i].ssrc = 1; pk[i].seq = (uint16_t)i; pk[i].timestamp = 160u * (uint32_t)i; pk[i].payload_len = 160;
        at[i] = 20000u * (uint64_t)i + rnd() % 30000;
    }
    for (i = 0; i + 1 < N; i++) {
        if (rnd() % 100 == 0) { media_rtp_packet t = pk[i]; pk[i] = pk[i + 1]; pk[i + 1] = t; }
        if (rnd() % 100 == 0) pk[i].seq = pk[i + 1].seq;   /* stands in for a loss: duplicate seq */
    }
    for (r = 0; r < RUNS; r++) {
        uint32_t acc = 0;
        double t0, t;
        media_rtp_stats_init(&st, 8000);
        t0 = now_s();
        for (i = 0; i < N; i++) acc += (uint32_t)media_rtp_stats_update(&st, &pk[i], at[i]);
        t = (now_s() - t0) / N;
        sink += acc + st.received;
        if (t < best) best = t;
    }
    printf("Receiver statistics\n  update (A.1 + A.8 + dup/reorder) %6.2f ns/packet (100k packets, 1%% loss, 1%% reordered)\n", best * 1e9);
}

int main(void)
{
    printf("media.h %s benchmarks (best of %d runs)\n", MEDIA_VERSION_STRING, RUNS);
    bench_g711();
    bench_rtp();
    bench_rtcp();
    bench_stats();
    return sink == 0xFFFFFFFFu;  /* keep the sink alive */
}
