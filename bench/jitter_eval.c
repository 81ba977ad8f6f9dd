/* make bench: trace-driven evaluation of media_jitter. Each trace (send time,
   arrival time or lost, per 20 ms packet) is replayed through the buffer with
   a 20 ms playout clock: at every tick the packets that arrived by then are
   put, then get() is called until nothing more is due. Printed per trace:
   mean and 95th-percentile playout delay (play time - send time), late loss,
   concealment, and the oracle: the smallest fixed delay (send time + D, no
   clock quantisation) that would have met the same late loss, computed offline.
   Traces are generated from seeded models, including a network model in the
   style of ITU-T G.1050 (LAN, access link queue, core, far side). Also: the
   put+get cost per packet, and SVG plots of delay over time (docs/). */
#define _POSIX_C_SOURCE 200809L
#define MEDIA_IMPLEMENTATION
#include "../media.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <time.h>

#define FRAME_US 20000
#define MAXPKT 100000
#ifndef COST_ROUNDS
#define COST_ROUNDS 100
#endif

typedef struct pkt { int64_t send_us, arrival_us; uint32_t ts; uint16_t seq; } pkt;   /* arrival < 0: lost */

static pkt trace[MAXPKT], order[MAXPKT];
static int npkt;
static double frame_delay[MAXPKT * 2];
static int64_t frame_time[MAXPKT * 2];
static int nframe;

/* ---- seeded randomness ---- */
static uint64_t rs = 1;
static double urand(void)
{
    rs ^= rs << 13; rs ^= rs >> 7; rs ^= rs << 17;
    return ((rs >> 11) + 0.5) / 9007199254740992.0;
}
static double nrand(void) { return sqrt(-2 * log(urand())) * cos(6.283185307179586 * urand()); }
static double erand(double mean) { return -mean * log(urand()); }

/* packets sent every 20 ms of the sender's clock (ppm off from ours), with
   one-way delays from delay_fn; lost when it returns < 0 */
typedef double (*delay_fn)(int i, double t_s);
static void make_trace(int n, double ppm, delay_fn f)
{
    int i;
    npkt = n;
    for (i = 0; i < n; i++) {
        double t = i * FRAME_US * (1 + ppm * 1e-6);
        double d = f(i, t / 1e6);
        trace[i].send_us = (int64_t)t;
        trace[i].arrival_us = d < 0 ? -1 : (int64_t)(t + d * 1000);
        trace[i].ts = 160u * (uint32_t)i + 12345u;
        trace[i].seq = (uint16_t)(i + 60000);
    }
}

/* ---- the traces ---- */
static double d_steady(int i, double t) { (void)i; (void)t; return 40 + fabs(nrand()) * 2; }
static double d_gauss(int i, double t) { double d = 100 + 30 * nrand(); (void)i; (void)t; return d < 20 ? 20 : d; }
static double d_pareto(int i, double t)
{
    /* mostly small, a heavy tail of spikes: Pareto(alpha 1.6, 1 ms) */
    double d = 50 + 1.0 / pow(urand(), 1 / 1.6) - 1;
    (void)i; (void)t;
    return d > 1500 ? 1500 : d;
}
static double d_route(int i, double t) { (void)i; return 50 + 4 * fabs(nrand()) + (t >= 20 && t < 40 ? 80 : 0); }
static int ge_bad;
static double d_gilbert(int i, double t)
{
    (void)i; (void)t;
    if (ge_bad) { if (urand() < 0.25) ge_bad = 0; } else if (urand() < 0.015) ge_bad = 1;
    if (urand() < (ge_bad ? 0.7 : 0.002)) return -1;
    return 60 + fabs(nrand()) * 8;
}
static double d_drift(int i, double t) { (void)i; (void)t; return 50 + fabs(nrand()) * 5; }

/* G.1050 style: a LAN segment (small random delay growing with its
   occupancy), an access link modelled as a FIFO queue shared with background
   traffic (Lindley recursion: our packet waits for the work queued ahead),
   the core (propagation, jitter, route flaps that step the delay, Gilbert
   loss), and a far-side access link and LAN like the near side. */
typedef struct g1050 {
    double lan_occ, access_kbps, access_occ, core_ms, core_jitter, flap_every_s, flap_ms, loss_gb, loss_bg, loss_bad;
    double far_kbps, far_occ;
    /* state */
    double w_near, w_far, last_t, flap_at, flap_off; int bad;
} g1050;
static g1050 G;
static double g1050_queue(double *w, double kbps, double occ, double dt_s)
{
    /* background work (1500-byte packets, Poisson) arrived since the last of
       ours, served at the link rate; then our 200-byte packet */
    double serve_ms = 1500 * 8 / kbps, ours_ms = 200 * 8 / kbps, lambda = occ * kbps / (1500 * 8) * 1000; /* pkts/s */
    double work = 0, tt = 0;
    for (;;) { tt += erand(1 / lambda); if (tt > dt_s) break; work += serve_ms; }
    *w = *w + work - dt_s * 1000;
    if (*w < 0) *w = 0;
    return *w + ours_ms;
}
static double d_g1050(int i, double t)
{
    double dt = i ? t - G.last_t : 0.02, d;
    G.last_t = t;
    if (t >= G.flap_at) {   /* a route flap: the core delay steps for a while */
        G.flap_off = G.flap_off ? 0 : G.flap_ms * (0.5 + urand());
        G.flap_at = t + G.flap_every_s * (0.5 + urand());
    }
    if (G.bad) { if (urand() < G.loss_bg) G.bad = 0; } else if (urand() < G.loss_gb) G.bad = 1;
    d = 0.2 + erand(0.3 + 2 * G.lan_occ)                                  /* near LAN */
      + g1050_queue(&G.w_near, G.access_kbps, G.access_occ, dt)          /* near access link */
      + G.core_ms + G.flap_off + fabs(nrand()) * G.core_jitter           /* core */
      + g1050_queue(&G.w_far, G.far_kbps, G.far_occ, dt)                 /* far access link */
      + 0.2 + erand(0.3 + 2 * G.lan_occ);                                /* far LAN */
    if (urand() < (G.bad ? G.loss_bad : 0.0005)) return -1;
    return d;
}
static void g1050_profile(double lan_occ, double kbps, double occ, double core, double cj, double flap_s, double flap_ms,
                          double gb, double bg, double bad, double far_kbps, double far_occ)
{
    memset(&G, 0, sizeof G);
    G.lan_occ = lan_occ; G.access_kbps = kbps; G.access_occ = occ; G.core_ms = core; G.core_jitter = cj;
    G.flap_every_s = flap_s; G.flap_ms = flap_ms; G.loss_gb = gb; G.loss_bg = bg; G.loss_bad = bad;
    G.far_kbps = far_kbps; G.far_occ = far_occ; G.flap_at = flap_s;
}

/* ---- replay ---- */
typedef struct result { double mean, p95, late_pct, conceal_pct, oracle; long late, received, frames, concealed; } result;

static int cmp_arrival(const void *a, const void *b)
{
    const pkt *x = (const pkt *)a, *y = (const pkt *)b;
    return x->arrival_us < y->arrival_us ? -1 : x->arrival_us > y->arrival_us;
}
static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static media_jitter jb;

static result replay(int64_t *target_us_out)
{
    result r;
    int n = 0, i, k = 0;
    long pending = 0;
    int64_t tick, end;
    media_jitter_config cfg;
    media_jitter_stats st;
    memset(&r, 0, sizeof r);
    for (i = 0; i < npkt; i++) if (trace[i].arrival_us >= 0) order[n++] = trace[i];
    qsort(order, (size_t)n, sizeof order[0], cmp_arrival);
    media_jitter_config_init(&cfg);
    cfg.max_delay_ms = 500;
    media_jitter_init(&jb, &cfg);
    nframe = 0;
    tick = order[0].arrival_us;
    end = order[n - 1].arrival_us + 1000000;
    for (; tick < end; tick += FRAME_US) {
        media_jitter_frame f;
        int rc;
        for (; k < n && order[k].arrival_us <= tick; k++) {
            media_rtp_packet p;
            static uint8_t payload[160];
            memset(&p, 0, sizeof p);
            p.version = 2; p.seq = order[k].seq; p.timestamp = order[k].ts; p.ssrc = 0x1234;
            p.payload = payload; p.payload_len = 160;
            if (media_jitter_put(&jb, &p, (uint64_t)order[k].arrival_us) == MEDIA_JITTER_LATE) r.late++;
        }
        while ((rc = media_jitter_get(&jb, (uint64_t)tick, &f)) != MEDIA_JITTER_NONE) {
            if (rc == MEDIA_JITTER_FRAME) {
                int idx = (uint16_t)(f.seq - 60000);
                frame_delay[nframe] = (double)(tick - trace[idx].send_us) / 1000.0;
                frame_time[nframe++] = tick;
                r.frames++;
                r.concealed += pending;   /* only what lies between frames counts */
                pending = 0;
            } else if (r.frames) {
                pending++;
            }
        }
        if (target_us_out) {
            media_jitter_get_stats(&jb, &st);
            target_us_out[(tick - order[0].arrival_us) / FRAME_US] = st.target_us;
        }
    }
    r.received = n;
    if (getenv("JITTER_EVAL_DEBUG")) {
        media_jitter_get_stats(&jb, &st);
        fprintf(stderr, "  played %llu lost %llu gap %llu silence %llu inserted %llu dropped %llu late %llu dup %llu overflow %llu resyncs %llu\n",
                (unsigned long long)st.played, (unsigned long long)st.lost, (unsigned long long)st.gap, (unsigned long long)st.silence,
                (unsigned long long)st.inserted, (unsigned long long)st.dropped, (unsigned long long)st.late,
                (unsigned long long)st.duplicates, (unsigned long long)st.overflow, (unsigned long long)st.resyncs);
    }
    for (i = 0; i < nframe; i++) r.mean += frame_delay[i];
    r.mean /= nframe;
    {
        static double sorted[MAXPKT * 2];
        memcpy(sorted, frame_delay, sizeof(double) * (size_t)nframe);
        qsort(sorted, (size_t)nframe, sizeof(double), cmp_double);
        r.p95 = sorted[(int)(0.95 * (nframe - 1))];
    }
    r.late_pct = 100.0 * r.late / npkt;
    r.conceal_pct = 100.0 * r.concealed / (r.frames + r.concealed);
    /* the oracle: one-way delays sorted; the smallest D leaving at most our late count out */
    {
        static double owd[MAXPKT];
        for (i = 0; i < n; i++) owd[i] = (double)(order[i].arrival_us - order[i].send_us) / 1000.0;
        qsort(owd, (size_t)n, sizeof(double), cmp_double);
        r.oracle = owd[n - 1 - (r.late < n ? r.late : n - 1)];
    }
    return r;
}

/* ---- plots ---- */
static void svg_plot(const char *path, const char *title, int64_t *target)
{
    FILE *f = fopen(path, "w");
    int i, w = 720, h = 260, n = npkt;
    double maxd = 0, tmax = (double)npkt * FRAME_US / 1e6;
    int64_t t0 = frame_time[0];
    if (!f) return;
    for (i = 0; i < npkt; i++) if (trace[i].arrival_us >= 0) {
        double d = (trace[i].arrival_us - trace[i].send_us) / 1000.0;
        if (d > maxd) maxd = d;
    }
    for (i = 0; i < nframe; i++) if (frame_delay[i] > maxd) maxd = frame_delay[i];
    maxd = ceil(maxd / 50) * 50;
    fprintf(f, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' font-family='sans-serif' font-size='11'>\n", w + 60, h + 50);
    fprintf(f, "<rect width='100%%' height='100%%' fill='white'/>\n<text x='50' y='14'>%s</text>\n", title);
    fprintf(f, "<g transform='translate(50,20)'><rect width='%d' height='%d' fill='none' stroke='#888'/>\n", w, h);
    for (i = 0; i <= (int)maxd; i += 50)
        fprintf(f, "<text x='-6' y='%.1f' text-anchor='end'>%d</text><line x1='0' x2='%d' y1='%.1f' y2='%.1f' stroke='#eee'/>\n",
                h - i * h / maxd + 4, i, w, h - i * h / maxd, h - i * h / maxd);
    for (i = 0; i <= (int)tmax; i += (int)(tmax / 6 > 1 ? tmax / 6 : 1))
        fprintf(f, "<text x='%.1f' y='%d' text-anchor='middle'>%d s</text>\n", i * w / tmax, h + 14, i);
    /* network one-way delay of each packet: grey dots */
    fprintf(f, "<g fill='#bbb'>");
    for (i = 0; i < n; i += n > 2000 ? n / 2000 : 1) if (trace[i].arrival_us >= 0)
        fprintf(f, "<rect x='%.1f' y='%.1f' width='1.2' height='1.2'/>", trace[i].send_us / 1e6 * w / tmax,
                h - (trace[i].arrival_us - trace[i].send_us) / 1000.0 * h / maxd);
    fprintf(f, "</g>\n<polyline fill='none' stroke='#c22' stroke-width='1.2' points='");
    for (i = 0; i < nframe; i += nframe > 1500 ? nframe / 1500 : 1)
        fprintf(f, "%.1f,%.1f ", (frame_time[i] - t0) / 1e6 * w / tmax, h - frame_delay[i] * h / maxd);
    fprintf(f, "'/>\n");
    (void)target;
    fprintf(f, "<text x='%d' y='%d' fill='#c22'>playout delay (media.h)</text><text x='%d' y='%d' fill='#999'>network delay per packet</text>\n",
            w - 300, h + 28, w - 150, h + 28);
    fprintf(f, "<text x='-40' y='%d' transform='rotate(-90,-40,%d)'>ms</text></g></svg>\n", h / 2, h / 2);
    fclose(f);
}

/* ---- cost per packet ---- */
static double cost_ns(void)
{
    int i, n = 100000, rounds, r;
    static pkt tr[100000];
    static media_rtp_packet pk[100000];
    static uint8_t payload[160];
    double best = 1e9;
    uint64_t s0 = rs;
    rs = 777;
    for (i = 0; i < n; i++) {
        tr[i].send_us = (int64_t)i * FRAME_US;
        tr[i].arrival_us = urand() < 0.01 ? -1 : tr[i].send_us + 40000 + (int64_t)(fabs(nrand()) * 8000);
        tr[i].ts = 160u * (uint32_t)i; tr[i].seq = (uint16_t)i;
    }
    rs = s0;
    for (i = 0; i < n; i++) order[i] = tr[i];
    qsort(order, (size_t)n, sizeof order[0], cmp_arrival);   /* the jitter reorders some */
    /* packets as the RTP parser hands them over: the cost is the buffer's alone */
    for (i = 0; i < n; i++) {
        memset(&pk[i], 0, sizeof pk[i]);
        pk[i].seq = order[i].seq; pk[i].timestamp = order[i].ts; pk[i].ssrc = 7;
        pk[i].payload = payload; pk[i].payload_len = 160;
    }
    for (rounds = 0; rounds < COST_ROUNDS; rounds++) {
        struct timespec a, b;
        media_jitter_config cfg;
        int k = 0, put = 0;
        int64_t tick;
        media_jitter_config_init(&cfg);
        media_jitter_init(&jb, &cfg);
        clock_gettime(CLOCK_MONOTONIC, &a);
        for (tick = 0; k < n; tick += FRAME_US) {
            media_jitter_frame f;
            for (; k < n && order[k].arrival_us <= tick; k++) {
                if (order[k].arrival_us < 0) continue;
                media_jitter_put(&jb, &pk[k], (uint64_t)order[k].arrival_us);
                put++;
            }
            while (media_jitter_get(&jb, (uint64_t)tick, &f) != MEDIA_JITTER_NONE) {}
        }
        clock_gettime(CLOCK_MONOTONIC, &b);
        r = put;
        {
            double ns = ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / r;
            if (ns < best) best = ns;
        }
    }
    return best;
}

int main(int argc, char **argv)
{
    static const char *names[] = {
        "steady, low jitter", "Gaussian, sigma 30 ms", "Pareto spikes (heavy tail)", "route change +80 ms and back",
        "Gilbert-Elliott bursty loss", "clock drift +0.1 %, 10 min", "clock drift -0.1 %, 10 min",
        "G.1050-style A: fibre, light load", "G.1050-style B: DSL, moderate", "G.1050-style C: busy uplink, flaps",
        "G.1050-style D: congested, lossy"
    };
    double ratios[16];
    static int64_t target[MAXPKT * 2];
    int t, ok = 1;
    if (argc > 1 && !strcmp(argv[1], "--cost")) {   /* the cost alone, e.g. under callgrind */
        printf("put+get: %.1f ns per packet\n", cost_ns());
        return 0;
    }
    printf("media.h %s jitter buffer evaluation (20 ms frames, playout clock 20 ms, max delay 500 ms)\n\n", MEDIA_VERSION_STRING);
    printf("%-38s %8s %8s %8s %8s %9s %7s %s\n", "trace", "mean ms", "p95 ms", "late %", "concl %", "oracle ms", "ratio", "target");
    for (t = 0; t < 11; t++) {
        result r;
        double lim;
        int pass;
        rs = 1000 + (uint64_t)t;
        ge_bad = 0;
        switch (t) {
        case 0: make_trace(3000, 0, d_steady); break;
        case 1: make_trace(3000, 0, d_gauss); break;
        case 2: make_trace(6000, 0, d_pareto); break;
        case 3: make_trace(3000, 0, d_route); break;
        case 4: make_trace(6000, 0, d_gilbert); break;
        case 5: make_trace(30000, 1000, d_drift); break;
        case 6: make_trace(30000, -1000, d_drift); break;
        case 7: g1050_profile(0.05, 100000, 0.1, 15, 1, 60, 10, 0.0005, 0.5, 0.3, 20000, 0.1); make_trace(6000, 0, d_g1050); break;
        case 8: g1050_profile(0.1, 1000, 0.3, 30, 3, 30, 20, 0.002, 0.3, 0.4, 8000, 0.2); make_trace(6000, 0, d_g1050); break;
        case 9: g1050_profile(0.2, 512, 0.5, 40, 5, 20, 40, 0.004, 0.3, 0.5, 2000, 0.3); make_trace(6000, 0, d_g1050); break;
        default: g1050_profile(0.3, 256, 0.65, 60, 10, 15, 60, 0.01, 0.2, 0.6, 1000, 0.5); make_trace(6000, 0, d_g1050); break;
        }
        r = replay(t == 3 || t == 9 ? target : NULL);
        lim = r.oracle * 1.3 > r.oracle + 20 ? r.oracle * 1.3 : r.oracle + 20;
        pass = r.late_pct <= 1.0 && r.mean <= lim;
        ok &= pass;
        ratios[t] = r.mean / r.oracle;
        printf("%-38s %8.1f %8.1f %8.2f %8.2f %9.1f %7.2f %s\n", names[t], r.mean, r.p95, r.late_pct, r.conceal_pct, r.oracle,
               ratios[t], pass ? "met" : "MISSED");
        if (t == 3) svg_plot("docs/jitter_route_change.svg", "route change: +80 ms at 20 s, back at 40 s", target);
        if (t == 9) svg_plot("docs/jitter_g1050.svg", "G.1050-style C: busy uplink, route flaps", target);
    }
    qsort(ratios, 11, sizeof ratios[0], cmp_double);
    printf("\nmedian ratio of mean delay to the oracle's: %.3f (target <= 1.15)%s\n", ratios[5], ratios[5] <= 1.15 ? "" : "  MISSED");
    printf("every trace within late loss <= 1 %% and mean <= max(1.3 x oracle, oracle + 20 ms): %s\n", ok ? "yes" : "NO");
    printf("put+get cost, 100k packets, 1 %% loss, reordering: %.1f ns per packet (target <= 30)\n", cost_ns());
    printf("plots: docs/jitter_route_change.svg, docs/jitter_g1050.svg\n");
    return 0;
}
