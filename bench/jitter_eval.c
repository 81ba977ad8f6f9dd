/* make bench: trace-driven evaluation of media_jitter, the playout policy
   before the playout work (old: whole frames dropped and inserted, git
   f0c6833) and now (new: stretching a pitch period at a time), side by side.
   Each trace (send time, arrival time or lost, per 20 ms packet) is replayed
   through each policy as its session plays it (bench/jitter_policy.c), with
   every default as a user gets it. Printed per trace and policy: late loss,
   frames dropped and inserted, time stretched and compressed, mean and
   median playout delay (play time - send time) and the oracle's: the
   smallest fixed delay (send time + D, no clock quantisation) that would
   have met the same late loss, computed offline; and the seams: segmental
   SNR of the played audio against the sent (a voiced, speech-like signal),
   over the frames around each delay change only. Traces come from seeded
   models (one in the style of ITU-T G.1050: LAN, access link queue, core,
   far side) and from a real UDP socket on loopback. Also: the put+get cost
   per packet, the stretch cost per frame, and SVG plots (docs/). */
#define _POSIX_C_SOURCE 200809L
#define MEDIA_IMPLEMENTATION
#include "../media.h"
#include "jitter_eval.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <time.h>
#include <unistd.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#define FRAME_US 20000
#define MAXPKT 100000
#ifndef COST_ROUNDS
#define COST_ROUNDS 100
#endif

typedef je_pkt pkt;

static pkt trace[MAXPKT], order[MAXPKT];
static int npkt;

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

/* a long, wandering path (satellite or congested mobile uplink: 1.1 s +-
   300 ms, a FIFO queue so nothing overtakes) and spikes (a queue that
   stalls for 150-300 ms every few seconds, then delivers what it held in a
   burst) */
static double lp_a, lp_b, sp_next, sp_size, sp_every, sp_spread;
static double d_const(int i, double t) { (void)i; (void)t; return 40; }
static double d_long(int i, double t)
{
    (void)i;
    return 1100 + 100 * (sin(6.283185307179586 * t / 17 + lp_a) + sin(6.283185307179586 * t / 7.3 + lp_b)) + (urand() * 200 - 100);
}
static double d_spikes(int i, double t)
{
    double d = 50 + fabs(nrand()) * 2, over;
    (void)i;
    if (t >= sp_next + sp_size / 1000) { sp_next = t + sp_every + sp_spread * urand(); sp_size = 150 + 150 * urand(); }
    over = sp_size - (t - sp_next) * 1000;   /* sent during the stall: held until it ends */
    return t >= sp_next && over > 0 ? d + over : d;
}
/* a queue delivers in order: nothing arrives before the packet ahead of it */
static void fifo(void)
{
    int i;
    int64_t last = -1;
    for (i = 0; i < npkt; i++) {
        if (trace[i].arrival_us < 0) continue;
        if (trace[i].arrival_us < last) trace[i].arrival_us = last;
        last = trace[i].arrival_us;
    }
}

/* A clean path on a real socket: a child process sends n packets on its
   own 20 ms timer (absolute sleeps) over UDP on 127.0.0.1, each carrying
   its send time; this process stamps each arrival. Both read
   CLOCK_MONOTONIC. Returns 0 when the socket could not be used. */
static int64_t mono_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}
static int loopback_trace(int n)
{
    struct sockaddr_in a;
    socklen_t al = sizeof a;
    int rx = socket(AF_INET, SOCK_DGRAM, 0), got = 0, i, status;
    pid_t child;
    int64_t t0, deadline;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (rx < 0 || bind(rx, (struct sockaddr *)&a, sizeof a) != 0 || getsockname(rx, (struct sockaddr *)&a, &al) != 0) return 0;
    npkt = n;
    for (i = 0; i < n; i++) { trace[i].arrival_us = -1; trace[i].send_us = 0; trace[i].ts = 160u * (uint32_t)i + 12345u; trace[i].seq = (uint16_t)(i + JE_SEQ0); }
    t0 = mono_us() + 50000;
    child = fork();
    if (child < 0) { close(rx); return 0; }
    if (child == 0) {
        int tx = socket(AF_INET, SOCK_DGRAM, 0);
        for (i = 0; i < n && tx >= 0; i++) {
            int64_t due = t0 + (int64_t)i * FRAME_US, now;
            uint8_t buf[12 + 160];
            struct timespec ts;
            ts.tv_sec = (time_t)(due / 1000000); ts.tv_nsec = (long)(due % 1000000) * 1000;
            clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
            now = mono_us();
            memset(buf, 0, sizeof buf);
            memcpy(buf, &i, sizeof i);
            memcpy(buf + 4, &now, sizeof now);
            if (sendto(tx, buf, sizeof buf, 0, (struct sockaddr *)&a, sizeof a) < 0) break;
        }
        _exit(0);
    }
    deadline = t0 + (int64_t)n * FRAME_US + 2000000;
    while (got < n && mono_us() < deadline) {
        struct pollfd p;
        uint8_t buf[12 + 160];
        int idx;
        ssize_t len;
        int64_t sent;
        p.fd = rx; p.events = POLLIN; p.revents = 0;
        if (poll(&p, 1, 100) <= 0) continue;
        len = recv(rx, buf, sizeof buf, 0);
        if (len != (ssize_t)sizeof buf) continue;
        memcpy(&idx, buf, sizeof idx);
        memcpy(&sent, buf + 4, sizeof sent);
        if (idx < 0 || idx >= n) continue;
        trace[idx].arrival_us = mono_us();
        trace[idx].send_us = sent;
        got++;
    }
    kill(child, SIGTERM);
    waitpid(child, &status, 0);
    close(rx);
    /* the first packet's send time is the trace's zero; a lost one's is where it would have been */
    for (i = 0; i < n; i++) if (trace[i].arrival_us >= 0) break;
    if (i == n) return 0;
    {
        int64_t z = trace[i].send_us - (int64_t)i * FRAME_US;
        for (i = 0; i < n; i++) {
            if (trace[i].arrival_us < 0) trace[i].send_us = z + (int64_t)i * FRAME_US;
            trace[i].send_us -= z;
            if (trace[i].arrival_us >= 0) trace[i].arrival_us -= z;
        }
    }
    return got;
}

/* ---- the sent audio: voiced, speech-like ----
   Syllables of 120-350 ms, each a glottal pulse train whose fundamental
   glides (80-250 Hz) through three formant resonators of a vowel, with
   pauses of 40-300 ms between them (a little noise there). */
static int16_t source[MAXPKT * JE_FRAME];
static void make_source(int n)
{
    static const double vowel[5][3] = { { 730, 1090, 2440 }, { 270, 2290, 3010 }, { 300, 870, 2240 }, { 530, 1840, 2480 }, { 570, 840, 2410 } };
    static double syl[8 * 350];
    long total = (long)n * JE_FRAME, i = 0;
    uint64_t s0 = rs;
    rs = 4242;
    while (i < total) {
        long len = (long)(8 * (120 + 230 * urand())), pause = (long)(8 * (40 + 260 * urand())), j;
        const double *F = vowel[(int)(urand() * 5) % 5];
        double f0 = 80 + 170 * urand(), f1 = f0 * (0.7 + 0.6 * urand()), ph = 0, y[3][2] = { { 0, 0 }, { 0, 0 }, { 0, 0 } };
        double a[3][2], peak = 1e-9;
        int k;
        for (k = 0; k < 3; k++) {
            double rr = exp(-3.141592653589793 * (60 + 30 * k) / 8000);
            a[k][0] = 2 * rr * cos(6.283185307179586 * F[k] / 8000);
            a[k][1] = -rr * rr;
        }
        for (j = 0; j < len; j++) {
            double x;
            ph += (f0 + (f1 - f0) * j / len) / 8000;
            if (ph >= 1) ph -= 1;
            x = (ph < 0.4 ? 0.5 - 0.5 * cos(6.283185307179586 * ph / 0.4) : 0) - 0.2;   /* raised-cosine glottal pulse, no DC */
            for (k = 0; k < 3; k++) {
                double v = x + a[k][0] * y[k][0] + a[k][1] * y[k][1];
                y[k][1] = y[k][0];
                y[k][0] = v;
                x = v;
            }
            x *= j < 160 ? 0.5 - 0.5 * cos(3.141592653589793 * j / 160) : len - j < 160 ? 0.5 - 0.5 * cos(3.141592653589793 * (len - j) / 160) : 1;
            syl[j] = x;
            if (fabs(x) > peak) peak = fabs(x);
        }
        for (j = 0; j < len && i < total; j++, i++) source[i] = (int16_t)lrint(syl[j] * 12000.0 / peak);
        for (j = 0; j < pause && i < total; j++, i++) source[i] = (int16_t)((urand() - 0.5) * 40);
    }
    rs = s0;
}

/* ---- replay through a policy, and what came out ---- */
typedef struct result {
    double late_pct, mean, median, oracle, r, stretched_ms, compressed_ms, seam_snr;
    long late, dropped, inserted, concealed, frames, received, seams;
} result;

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

static int16_t played[MAXPKT * JE_FRAME * 3 / 2];
static je_chunk chunks[MAXPKT * 2];

/* Segmental SNR over the frames around each delay change (a stretch, a
   dropped frame's seam, an inserted frame: that chunk and one each side),
   10 ms segments, each against the sent audio at its best alignment within
   +-35 ms of where it came from (a splice a pitch period long keeps a voiced
   signal aligned with itself; a splice a frame long does not). Segments
   where the sent audio is silent are left out; each SNR is held to
   [-10, 35] dB, as segmental SNR usually is. */
static double seam_snr(const je_run *r, int nsrc, long *nseg)
{
    long c, cnt = 0;
    double sum = 0;
    long total = (long)nsrc * JE_FRAME;
    int64_t last_done = -1;
    for (c = 0; c < r->nchunk; c++) {
        long lo, hi, k;
        int kind = r->chunk[c].kind;
        if (kind != JE_STRETCHED && kind != JE_AFTER_DROP && kind != JE_INSERTED) continue;
        lo = c > 0 ? c - 1 : 0;
        hi = c + 1 < r->nchunk ? c + 1 : c;
        for (k = lo; k <= hi; k++) {
            const je_chunk *ch = &r->chunk[k];
            int64_t base = ch->src_pos, seg;
            if (base < 0) {   /* concealment: where the audio would have gone on from */
                long b = k;
                while (b > 0 && r->chunk[b].src_pos < 0) b--;
                base = r->chunk[b].src_pos < 0 ? -1 : r->chunk[b].src_pos + JE_FRAME * (k - b);
                if (base < 0) continue;
            }
            for (seg = ch->out_pos; seg + 80 <= ch->out_pos + ch->len && seg + 80 <= r->out_n; seg += 80) {
                int64_t want = base + (seg - ch->out_pos), lag;
                double e0 = 0, best = -1e9;
                int j;
                if (seg <= last_done) continue;   /* counted once when changes are close */
                last_done = seg;
                if (want < 0 || want + 80 > total) continue;
                for (j = 0; j < 80; j++) e0 += (double)source[want + j] * source[want + j];
                if (e0 / 80 < 300.0 * 300.0) continue;   /* silence or a fade: not a voiced segment */
                for (lag = -280; lag <= 280; lag++) {
                    double es = 0, en = 0, snr;
                    if (want + lag < 0 || want + lag + 80 > total) continue;
                    for (j = 0; j < 80; j++) {
                        double s = source[want + lag + j], d = s - r->out[seg + j];
                        es += s * s;
                        en += d * d;
                    }
                    snr = en > 0 ? 10 * log10(es / en) : 35;
                    if (snr > best) best = snr;
                }
                if (best > 35) best = 35;
                if (best < -10) best = -10;
                sum += best;
                cnt++;
            }
        }
    }
    *nseg = cnt;
    return cnt ? sum / cnt : 0;
}

static double frame_delay[MAXPKT * 2], sorted[MAXPKT * 2];
static int64_t frame_time[MAXPKT * 2];
static int nframe;

static result replay(int old, int64_t phase_us)
{
    result res;
    je_run r;
    int n = 0, i;
    static double owd[MAXPKT];
    memset(&res, 0, sizeof res);
    memset(&r, 0, sizeof r);
    for (i = 0; i < npkt; i++) if (trace[i].arrival_us >= 0) order[n++] = trace[i];
    qsort(order, (size_t)n, sizeof order[0], cmp_arrival);
    r.order = order; r.n = n; r.trace = trace; r.phase_us = phase_us; r.src = source;
    r.out = played; r.out_cap = (long)(sizeof played / sizeof played[0]);
    r.chunk = chunks; r.chunk_cap = (long)(sizeof chunks / sizeof chunks[0]);
    r.frame_delay = frame_delay; r.frame_time = frame_time;
    if (old) je_run_old(&r);
    else je_run_new(&r);
    nframe = (int)r.nframe;
    res.received = n;
    res.frames = r.nframe;
    res.late = r.late;
    res.dropped = r.dropped;
    res.inserted = r.inserted;
    res.concealed = r.concealed;
    res.stretched_ms = r.stretched_ms;
    res.compressed_ms = r.compressed_ms;
    res.late_pct = 100.0 * r.late / npkt;
    for (i = 0; i < nframe; i++) res.mean += frame_delay[i];
    res.mean /= nframe > 0 ? nframe : 1;
    memcpy(sorted, frame_delay, sizeof(double) * (size_t)nframe);
    qsort(sorted, (size_t)nframe, sizeof(double), cmp_double);
    res.median = nframe ? sorted[nframe / 2] : 0;
    /* the oracle: the smallest D leaving at most our late count out */
    for (i = 0; i < n; i++) owd[i] = (double)(order[i].arrival_us - order[i].send_us) / 1000.0;
    qsort(owd, (size_t)n, sizeof(double), cmp_double);
    res.oracle = owd[n - 1 - (r.late < n ? r.late : n - 1)];
    res.seam_snr = seam_snr(&r, npkt, &res.seams);
    {   /* late loss and delay in one figure: the E-model's R (G.711 with concealment), the delay mouth to ear */
        media_emodel_params e;
        e.delay_ms = res.mean;
        e.ie = MEDIA_EMODEL_G711_IE;
        e.bpl = MEDIA_EMODEL_G711_BPL;
        e.loss_percent = 100.0 * (double)(npkt - n + r.late) / npkt;
        e.burst_ratio = 1;
        res.r = media_emodel_r(&e);
    }
    return res;
}

/* several runs of one kind (phases of the clock) summed into one row */
static void add(result *sum, const result *x, int k)
{
    sum->late += x->late; sum->dropped += x->dropped; sum->inserted += x->inserted; sum->concealed += x->concealed;
    sum->frames += x->frames; sum->received += x->received;
    sum->stretched_ms += x->stretched_ms; sum->compressed_ms += x->compressed_ms;
    sum->late_pct = (sum->late_pct * k + x->late_pct) / (k + 1);
    sum->mean = (sum->mean * k + x->mean) / (k + 1);
    sum->median = (sum->median * k + x->median) / (k + 1);
    sum->oracle = (sum->oracle * k + x->oracle) / (k + 1);
    sum->r = (sum->r * k + x->r) / (k + 1);
    sum->seam_snr = sum->seams + x->seams ? (sum->seam_snr * sum->seams + x->seam_snr * x->seams) / (sum->seams + x->seams) : 0;
    sum->seams += x->seams;
}

static media_jitter jb;

/* ---- plots ---- */
static void svg_plot(const char *path, const char *title)
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

/* the stretching itself: one 20 ms voiced frame at 8 kHz lengthened or
   shortened by a pitch period, per call */
static double stretch_ns(void)
{
    media_stretch ts;
    int16_t pcm[JE_FRAME * 2];
    int i, rounds, k;
    double best = 1e9;
    volatile int sink = 0;
    make_source(200);
    media_stretch_init(&ts, 8000);
    for (rounds = 0; rounds < COST_ROUNDS; rounds++) {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        for (k = 0, i = 0; i < 200; i++) {
            long at = (long)(i * 37 % 200) * JE_FRAME;
            memcpy(pcm, source + at, sizeof(int16_t) * JE_FRAME);
            k += media_stretch_process(&ts, pcm, JE_FRAME, sizeof pcm / sizeof pcm[0], i & 1 ? ts.pmin : -ts.pmax, i & 1 ? ts.pmax : -ts.pmin);
        }
        clock_gettime(CLOCK_MONOTONIC, &b);
        sink += k;
        {
            double ns = ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / 200;
            if (ns < best) best = ns;
        }
    }
    (void)sink;
    return best;
}

static void row(const char *name, const char *policy, const result *r, const char *verdict)
{
    char snr[16];
    if (r->seams) snprintf(snr, sizeof snr, "%.1f", r->seam_snr);
    else snprintf(snr, sizeof snr, "-");
    printf("%-34s %-4s %7.2f %6ld %6ld %8.0f %8.0f %8.1f %8.1f %8.1f %6.2f %5.1f %7s %s\n", name, policy, r->late_pct, r->dropped,
           r->inserted, r->stretched_ms, r->compressed_ms, r->mean, r->median, r->oracle, r->oracle > 0 ? r->mean / r->oracle : 0, r->r, snr,
           verdict);
}

int main(int argc, char **argv)
{
    static const char *names[] = {
        "constant delay, 20 clock phases", "real UDP loopback, clean", "steady, low jitter", "Gaussian, sigma 30 ms",
        "Pareto spikes (heavy tail)", "route change +80 ms and back", "Gilbert-Elliott bursty loss",
        "clock drift +0.1 %, 10 min", "clock drift -0.1 %, 10 min", "G.1050-style A: fibre, light load",
        "G.1050-style B: DSL, moderate", "G.1050-style C: busy uplink, flaps", "G.1050-style D: congested, lossy",
        "long path 1.1 s +- 300 ms", "spikes of 150-300 ms every 3-7 s", "spikes of 150-300 ms every 20-30 s"
    };
    enum { NT = 16 };
    double ratios[NT];
    int t, ok = 1, nr = 0, seed = getenv("JITTER_EVAL_SEED") ? atoi(getenv("JITTER_EVAL_SEED")) : 0;
    const char *only = getenv("JITTER_EVAL_ONLY");   /* one trace, by its row number from 0 */
    if (argc > 1 && !strcmp(argv[1], "--cost")) {   /* the cost alone, e.g. under callgrind */
        printf("put+get: %.1f ns per packet\n", cost_ns());
        return 0;
    }
    printf("media.h %s jitter buffer evaluation: every default, 20 ms G.711 frames, 20 ms playout clock\n", MEDIA_VERSION_STRING);
    printf("old: before the playout work (whole frames dropped and inserted); new: this media.h (stretching)\n\n");
    printf("%-34s %-4s %7s %6s %6s %8s %8s %8s %8s %8s %6s %5s %7s %s\n", "trace", "", "late %", "drop", "insert", "str. ms", "comp. ms",
           "mean ms", "med. ms", "oracle", "ratio", "R", "seam dB", "new: target");
    for (t = 0; t < NT; t++) {
        result r[2];
        int p, phases = t == 0 ? 20 : 1, clean = t <= 1;
        double lim;
        int pass;
        memset(r, 0, sizeof r);
        if (only && atoi(only) != t) continue;
        rs = 1000 + (uint64_t)t + 100 * (uint64_t)seed;   /* JITTER_EVAL_SEED: other draws of the same models */
        ge_bad = 0;
        switch (t) {
        case 0: make_trace(3000, 0, d_const); break;
        case 1: if (!loopback_trace(750)) { printf("%-34s (no UDP socket here: not run)\n", names[t]); continue; } break;
        case 2: make_trace(3000, 0, d_steady); break;
        case 3: make_trace(3000, 0, d_gauss); break;
        case 4: make_trace(6000, 0, d_pareto); break;
        case 5: make_trace(3000, 0, d_route); break;
        case 6: make_trace(6000, 0, d_gilbert); break;
        case 7: make_trace(30000, 1000, d_drift); break;
        case 8: make_trace(30000, -1000, d_drift); break;
        case 9: g1050_profile(0.05, 100000, 0.1, 15, 1, 60, 10, 0.0005, 0.5, 0.3, 20000, 0.1); make_trace(6000, 0, d_g1050); break;
        case 10: g1050_profile(0.1, 1000, 0.3, 30, 3, 30, 20, 0.002, 0.3, 0.4, 8000, 0.2); make_trace(6000, 0, d_g1050); break;
        case 11: g1050_profile(0.2, 512, 0.5, 40, 5, 20, 40, 0.004, 0.3, 0.5, 2000, 0.3); make_trace(6000, 0, d_g1050); break;
        case 12: g1050_profile(0.3, 256, 0.65, 60, 10, 15, 60, 0.01, 0.2, 0.6, 1000, 0.5); make_trace(6000, 0, d_g1050); break;
        case 13: lp_a = urand() * 6.28; lp_b = urand() * 6.28; make_trace(15000, 0, d_long); fifo(); break;
        case 14: sp_next = 2; sp_size = 200; sp_every = 3; sp_spread = 4; make_trace(6000, 0, d_spikes); fifo(); break;
        default: sp_next = 2; sp_size = 200; sp_every = 20; sp_spread = 10; make_trace(15000, 0, d_spikes); fifo(); break;
        }
        make_source(npkt);
        for (p = 0; p < phases; p++) {
            result x;
            int64_t ph = phases > 1 ? (int64_t)p * 1000 : 0;
            x = replay(1, ph); add(&r[0], &x, p);
            x = replay(0, ph); add(&r[1], &x, p);
        }
        lim = r[1].oracle * 1.3 > r[1].oracle + 20 ? r[1].oracle * 1.3 : r[1].oracle + 20;
        pass = r[1].late_pct <= 1.0 && r[1].mean <= lim && (!clean || (r[1].dropped == 0 && r[1].inserted == 0 && r[1].late == 0));
        ok &= pass;
        if (!clean) ratios[nr++] = r[1].mean / r[1].oracle;
        row(names[t], "old", &r[0], "");
        row("", "new", &r[1], pass ? "met" : "MISSED");
        if (t == 5) svg_plot("docs/jitter_route_change.svg", "route change: +80 ms at 20 s, back at 40 s");
        if (t == 11) svg_plot("docs/jitter_g1050.svg", "G.1050-style C: busy uplink, route flaps");
        if (t == 13) svg_plot("docs/jitter_long_path.svg", "long path: 1.1 s +- 300 ms, wandering");
        if (t == 14) svg_plot("docs/jitter_spikes.svg", "spikes: the queue stalls for 150-300 ms every 3-7 s");
    }
    if (only) return 0;
    qsort(ratios, (size_t)nr, sizeof ratios[0], cmp_double);
    printf("\nlate %%: of the packets sent; drop/insert: whole frames; str./comp.: time stretched/compressed (new only);\n"
           "mean/med.: playout delay; oracle: the smallest fixed delay with the same late loss; R: the E-model's rating\n"
           "(G.711, concealment; loss = network + late, delay = mean); seam dB: segmental SNR of the played audio\n"
           "over the frames around delay changes (- when there were none)\n");
    printf("new, median ratio of mean delay to the oracle's (modelled paths): %.3f (target <= 1.15)%s\n", ratios[nr / 2],
           ratios[nr / 2] <= 1.15 ? "" : "  MISSED");
    printf("new, every trace within late loss <= 1 %%, mean <= max(1.3 x oracle, oracle + 20 ms), clean paths untouched: %s\n",
           ok ? "yes" : "NO");
    printf("put+get cost, 100k packets, 1 %% loss, reordering: %.1f ns per packet (target <= 30)\n", cost_ns());
    printf("stretch one 20 ms voiced frame at 8 kHz by a pitch period: %.2f us (target <= 2)\n", stretch_ns() / 1000);
    printf("plots: docs/jitter_route_change.svg, docs/jitter_g1050.svg, docs/jitter_long_path.svg, docs/jitter_spikes.svg\n");
    return 0;
}
