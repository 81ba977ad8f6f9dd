/* wavtool: the interop tests' signal generator and judge.
     wavtool gen OUT.wav RATE SECONDS [SEED]   a speech-like test signal (voiced
                                               segments with a moving pitch and
                                               formant-like harmonics, pauses, noise)
     wavtool corr REF.wav GOT.wav              aligns GOT to REF (the lag of the
                                               highest normalised cross-correlation)
                                               and prints: corr, lag, the overlap,
                                               and the share of 20 ms frames of REF
                                               that GOT carries at >= 20 dB SNR
     wavtool corrseg REF.wav GOT.wav           the same per 250 ms window, each aligned
                                               on its own (after an adaptive jitter buffer)
     wavtool sweep OUT.wav SECONDS             a non-periodic sweep at 8 kHz (a chirp
                                               gliding up and down 150-3400 Hz, its
                                               level moving too) made of mu-law's
                                               reconstruction values: PCMU carries it
                                               bit for bit
     wavtool exact REF.wav GOT.wav             finds REF's first 20 ms frame in GOT,
                                               then checks every frame of REF follows
                                               it, sample for sample, in order; exit 1
                                               unless all do
     wavtool port                              an even free UDP port on 127.0.0.1
                                               whose next port is free too
     wavtool tones OUT.wav RATE SECONDS F...   equal sines at F... Hz (-12 dBFS each)
     wavtool tonelevel REF.wav GOT.wav F...    each tone's level in GOT against REF (dB),
                                               from sine fits over 100 ms windows of the
                                               middle of each file (the median: a perceptual
                                               codec keeps levels, not phases); exit 1 when
                                               one is off by more than 1 dB
     wavtool segments FILE.wav DB               the spans (ms, 2 ms steps) where the
                                               power is above DB dBFS, 10 ms or longer
   Reading and writing WAV goes through media.h; the measures are plain sums. */
#define _POSIX_C_SOURCE 200809L
#define MEDIA_IMPLEMENTATION
#include "../../media.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#define MAX_SECONDS 120

static uint32_t rng = 1;
static double urand(void)   /* xorshift32, [0, 1) */
{
    rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5;
    return (rng >> 8) / 16777216.0;
}

static int gen(const char *path, uint32_t rate, double seconds, uint32_t seed)
{
    media_wav_file f;
    size_t n = (size_t)(rate * seconds), i;
    int16_t *x = (int16_t *)calloc(n, sizeof *x);
    double phase = 0, pitch = 120, target = 120, env = 0, env_target = 0;
    size_t seg_left = 0;
    int voiced = 0, rc;
    rng = seed ? seed : 1;
    if (!x) return 1;
    for (i = 0; i < n; i++) {
        double s = 0, h;
        if (seg_left-- == 0) {   /* a new syllable or pause, 80..400 ms */
            voiced = urand() < 0.75;
            seg_left = (size_t)(rate * (0.08 + 0.32 * urand()));
            target = 90 + 160 * urand();
            env_target = voiced ? 0.25 + 0.45 * urand() : 0.02 * urand();
        }
        pitch += (target - pitch) * 0.0005;
        env += (env_target - env) * 0.002;
        phase += 2 * 3.14159265358979 * pitch / rate;
        if (phase > 2 * 3.14159265358979) phase -= 2 * 3.14159265358979;
        for (h = 1; h <= 12 && h * pitch < rate * 0.45; h++) {
            /* formant-like weighting: stronger near 500 and 1500 Hz */
            double fq = h * pitch, w = exp(-pow((fq - 500) / 300, 2)) + 0.6 * exp(-pow((fq - 1500) / 400, 2)) + 0.05;
            s += w * sin(h * phase) / h;
        }
        s = s * env + (urand() - 0.5) * 0.01;
        x[i] = (int16_t)(s * 20000 > 32767 ? 32767 : s * 20000 < -32768 ? -32768 : s * 20000);
    }
    rc = media_wav_open_write(&f, path, MEDIA_WAV_PCM16, rate, 1);
    if (rc == MEDIA_OK) rc = media_wav_write(&f, x, n) < 0 ? MEDIA_EIO : MEDIA_OK;
    if (rc == MEDIA_OK) rc = media_wav_close(&f);
    free(x);
    if (rc != MEDIA_OK) fprintf(stderr, "wavtool: %s: %s\n", path, media_result_string(rc));
    return rc == MEDIA_OK ? 0 : 1;
}

static int16_t *load(const char *path, size_t *n, uint32_t *rate)
{
    media_wav_file f;
    size_t cap = 48000 * MAX_SECONDS * 2;
    int16_t *x, *mono;
    int got;
    size_t i;
    if (media_wav_open_read(&f, path) != MEDIA_OK) { fprintf(stderr, "wavtool: cannot read %s\n", path); return NULL; }
    x = (int16_t *)malloc(cap * sizeof *x);
    got = x ? media_wav_read(&f, x, cap / f.info.channels) : -1;
    *rate = f.info.sample_rate;
    if (got < 0) { media_wav_close(&f); free(x); return NULL; }
    mono = x;
    if (f.info.channels == 2) for (i = 0; i < (size_t)got; i++) mono[i] = x[2 * i];   /* left */
    media_wav_close(&f);
    *n = (size_t)got;
    return x;
}

static double dot(const int16_t *a, const int16_t *b, size_t n)
{
    double s = 0;
    size_t i;
    for (i = 0; i < n; i++) s += (double)a[i] * b[i];
    return s;
}

/* frame i of REF found faithfully at lag in GOT (>= 20 dB, or both near silence) */
static int frame_ok(const int16_t *r, size_t nr, const int16_t *g, size_t ng, size_t i, size_t fr, long lag, int need_signal)
{
    size_t k;
    double e = 0, s = 0;
    long at = (long)i + lag;
    if (at < 0 || (size_t)at + fr > ng || i + fr > nr) return 0;
    for (k = 0; k < fr; k++) {
        double d = (double)g[at + k] - r[i + k];
        e += d * d;
        s += (double)r[i + k] * r[i + k];
    }
    if (need_signal && s < fr * 300.0 * 300.0) return 0;
    return e <= s / 100 || e < fr * 16.0 * 16.0;
}

/* frames_ok with the lag followed through the file: a jitter buffer that
   re-times (a sender stalled, frames inserted as the buffer ran dry) moves
   the rest of the audio, every frame still there one lag further on. A
   frame not where the current lag puts it moves the lag (within 100 ms)
   only when it and the four after it all match there, one of them with
   signal: voiced speech repeats itself a pitch period away, and so does a
   concealment, but not for 100 ms at 20 dB. A frame concealed or lost is
   found nowhere. */
static double frames_tracked(const int16_t *r, size_t nr, const int16_t *g, size_t ng, uint32_t rate, long lag)
{
    size_t fr = rate / 50, i, frames = 0, good = 0, k;
    long reach = (long)rate / 10, l;
    for (i = 0; i + fr <= nr; i += fr, frames++) {
        if (frame_ok(r, nr, g, ng, i, fr, lag, 0)) { good++; continue; }
        for (l = lag - reach; l <= lag + reach; l++) {
            int all = 1, signal = 0;
            for (k = 0; k < 5 && all; k++) {
                all = frame_ok(r, nr, g, ng, i + k * fr, fr, l, 0);
                signal |= frame_ok(r, nr, g, ng, i + k * fr, fr, l, 1);
            }
            if (all && signal) { lag = l; good++; break; }
        }
    }
    return frames ? (double)good / (double)frames : 0.0;
}

static int corr(const char *refp, const char *gotp)
{
    size_t nr, ng, i, win, overlap, frames = 0, good = 0, fr;
    uint32_t rr, rg;
    int16_t *r = load(refp, &nr, &rr), *g = load(gotp, &ng, &rg);
    long lag, best_lag = 0, max_lag;
    double best = -2, c, er, eg;
    size_t w0;
    if (!r || !g) return 1;
    if (rr != rg) { fprintf(stderr, "wavtool: rates differ (%u, %u)\n", rr, rg); return 1; }
    /* a window of REF from its middle, slid over GOT: GOT = REF delayed by lag */
    win = nr / 2 < rr ? nr / 2 : rr;
    w0 = (nr - win) / 2;
    max_lag = (long)rr * 2;
    er = dot(r + w0, r + w0, win);
    for (lag = -(long)w0; lag <= max_lag; lag++) {
        long at = (long)w0 + lag;
        if (at < 0 || (size_t)at + win > ng) continue;
        eg = dot(g + at, g + at, win);
        if (er <= 0 || eg <= 0) continue;
        c = dot(r + w0, g + at, win) / sqrt(er * eg);
        if (c > best) { best = c; best_lag = lag; }
    }
    /* Pearson over the whole overlap at that lag */
    {
        size_t r0 = best_lag < 0 ? (size_t)(-best_lag) : 0, g0 = best_lag > 0 ? (size_t)best_lag : 0;
        double sr = 0, sg = 0, srr = 0, sgg = 0, srg = 0, nn, cov, vr, vg;
        overlap = nr - r0 < ng - g0 ? nr - r0 : ng - g0;
        for (i = 0; i < overlap; i++) {
            double a = r[r0 + i], b = g[g0 + i];
            sr += a; sg += b; srr += a * a; sgg += b * b; srg += a * b;
        }
        nn = (double)overlap;
        cov = srg - sr * sg / nn; vr = srr - sr * sr / nn; vg = sgg - sg * sg / nn;
        c = overlap && vr > 0 && vg > 0 ? cov / sqrt(vr * vg) : 0;
        /* frames of REF carried faithfully (silent frames of REF count if GOT is quiet too) */
        fr = rr / 50;
        for (i = 0; i + fr <= nr; i += fr, frames++) {
            size_t k;
            double e = 0, s = 0;
            long at = (long)i + best_lag;
            if (at < 0 || (size_t)at + fr > ng) continue;
            for (k = 0; k < fr; k++) {
                double d = (double)g[at + k] - r[i + k];
                e += d * d;
                s += (double)r[i + k] * r[i + k];
            }
            good += e <= s / 100 || e < fr * 16.0 * 16.0;   /* >= 20 dB, or both near silence */
        }
    }
    printf("corr=%.5f lag=%ld overlap=%zu ref=%zu got=%zu frames_ok=%.4f frames_ok_tracked=%.4f\n", c, best_lag, overlap,
           nr, ng, frames ? (double)good / (double)frames : 0.0, frames_tracked(r, nr, g, ng, rr, best_lag));
    free(r);
    free(g);
    return 0;
}

/* Each 250 ms window of REF (with some signal in it) aligned on its own within
   +-100 ms of the previous window's lag: for audio that went through an
   adaptive jitter buffer, which may add or drop a frame now and then (the
   window holding such a seam scores low, hence the median). Prints the
   median, mean and lowest window correlation. */
static int corrseg(const char *refp, const char *gotp)
{
    size_t nr, ng, w, win;
    uint32_t rr, rg;
    int16_t *r = load(refp, &nr, &rr), *g = load(gotp, &ng, &rg);
    long lag = 0, l, reach;
    double sum = 0, low = 2, cs[4 * MAX_SECONDS], med;
    int nwin = 0, first = 1, i, j;
    if (!r || !g) return 1;
    win = rr / 4;
    reach = (long)rr / 10;
    for (w = 0; w + win <= nr; w += win) {
        double er = dot(r + w, r + w, win), best = -2;
        long from, to, best_lag = lag;
        if (er < (double)win * 300.0 * 300.0) continue;   /* quiet: nothing to align on */
        from = first ? -(long)w : lag - reach;
        to = first ? (long)rr * 2 : lag + reach;
        for (l = from; l <= to; l++) {
            long at = (long)w + l;
            double eg, c;
            if (at < 0 || (size_t)at + win > ng) continue;
            eg = dot(g + at, g + at, win);
            if (eg <= 0) continue;
            c = dot(r + w, g + at, win) / sqrt(er * eg);
            if (c > best) { best = c; best_lag = l; }
        }
        first = 0;
        lag = best_lag;
        sum += best;
        if (best < low) low = best;
        if (nwin < 4 * MAX_SECONDS) cs[nwin++] = best;
    }
    for (i = 1; i < nwin; i++)   /* insertion sort for the median */
        for (j = i; j > 0 && cs[j - 1] > cs[j]; j--) { double t = cs[j]; cs[j] = cs[j - 1]; cs[j - 1] = t; }
    med = nwin ? (nwin % 2 ? cs[nwin / 2] : (cs[nwin / 2 - 1] + cs[nwin / 2]) / 2) : 0;
    printf("windows=%d median=%.5f mean=%.5f min=%.5f\n", nwin, med, nwin ? sum / nwin : 0.0, nwin ? low : 0.0);
    free(r);
    free(g);
    return 0;
}

static int port(void)
{
    int tries;
    for (tries = 0; tries < 200; tries++) {
        struct sockaddr_in a;
        socklen_t al = sizeof a;
        int s1 = socket(AF_INET, SOCK_DGRAM, 0), s2 = socket(AF_INET, SOCK_DGRAM, 0), p = -1;
        memset(&a, 0, sizeof a);
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (s1 >= 0 && s2 >= 0 && bind(s1, (struct sockaddr *)&a, sizeof a) == 0 &&
            getsockname(s1, (struct sockaddr *)&a, &al) == 0 && ntohs(a.sin_port) % 2 == 0 && ntohs(a.sin_port) < 65534) {
            p = ntohs(a.sin_port);
            a.sin_port = htons((uint16_t)(p + 1));
            if (bind(s2, (struct sockaddr *)&a, sizeof a) != 0) p = -1;
        }
        if (s1 >= 0) close(s1);
        if (s2 >= 0) close(s2);
        if (p > 0) { printf("%d\n", p); return 0; }
    }
    return 1;
}

static int tones(const char *path, uint32_t rate, double seconds, int nf, char **fs)
{
    media_wav_file f;
    size_t n = (size_t)(rate * seconds), i;
    int16_t *x = (int16_t *)calloc(n, sizeof *x);
    int k, rc;
    if (!x || nf < 1) return 1;
    for (i = 0; i < n; i++) {
        double v = 0;
        for (k = 0; k < nf; k++) v += 8231 * sin(2 * 3.14159265358979 * atof(fs[k]) * (double)i / rate);   /* -12 dBFS */
        x[i] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
    }
    rc = media_wav_open_write(&f, path, MEDIA_WAV_PCM16, rate, 1);
    if (rc == MEDIA_OK) rc = media_wav_write(&f, x, n) < 0 ? MEDIA_EIO : MEDIA_OK;
    if (rc == MEDIA_OK) rc = media_wav_close(&f);
    free(x);
    return rc == MEDIA_OK ? 0 : 1;
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* the median over 100 ms windows of the fitted amplitude of a sine at fq,
   in the middle of x (a quarter second off each end) */
static double tone_amp(const int16_t *x, size_t n, uint32_t rate, double fq)
{
    size_t w = rate / 10, at, k = 0, i;
    double amps[MAX_SECONDS * 10 + 1];
    for (at = rate / 4; at + w + rate / 4 <= n && k < sizeof amps / sizeof amps[0]; at += w) {
        double ss = 0, sc = 0, cc = 0, xs = 0, xc = 0, det, a, b;
        for (i = 0; i < w; i++) {
            double ph = 2 * 3.14159265358979 * fq * (double)(at + i) / rate, sn = sin(ph), cs = cos(ph);
            ss += sn * sn; cc += cs * cs; sc += sn * cs; xs += x[at + i] * sn; xc += x[at + i] * cs;
        }
        det = ss * cc - sc * sc;
        if (det == 0) continue;
        a = (xs * cc - xc * sc) / det;
        b = (xc * ss - xs * sc) / det;
        amps[k++] = sqrt(a * a + b * b);
    }
    if (!k) return 0;
    qsort(amps, k, sizeof amps[0], cmp_dbl);
    return amps[k / 2];
}

static int tonelevel(const char *ref, const char *got, int nf, char **fs)
{
    size_t nr, ng;
    uint32_t rr, rg;
    int16_t *a = load(ref, &nr, &rr), *b = load(got, &ng, &rg);
    int k, bad = 0;
    if (!a || !b) { free(a); free(b); return 1; }
    if (ng < rg) { fprintf(stderr, "wavtool: %s: under a second of audio\n", got); free(a); free(b); return 1; }
    for (k = 0; k < nf; k++) {
        double fq = atof(fs[k]), ar = tone_amp(a, nr, rr, fq), ag = tone_amp(b, ng, rg, fq);
        double d = ar > 0 && ag > 0 ? 20 * log10(ag / ar) : -99;
        printf("%s%.0f Hz %+.2f dB", k ? ", " : "", fq, d);
        if (d < -1.0 || d > 1.0) bad = 1;
    }
    printf(" (%.2f s at %u Hz)\n", (double)ng / rg, (unsigned)rg);
    free(a);
    free(b);
    return bad;
}

/* every sample a mu-law code's reconstruction value, so any PCMU encoder
   gives back the same codes and a faithful receiver the same samples */
static int sweep(const char *path, double seconds)
{
    media_wav_file f;
    size_t n = (size_t)(seconds * 8000), i;
    int16_t *x = (int16_t *)malloc(n * sizeof *x);
    double ph = 0;
    int rc;
    if (!x || n > (size_t)8000 * MAX_SECONDS) { free(x); return 1; }
    for (i = 0; i < n; i++) {
        double t = (double)i / 8000, u = fmod(t, 3.0) / 3.0;
        double f0 = 150 * pow(3400.0 / 150, u < 0.5 ? 2 * u : 2 - 2 * u);   /* up, then down, every 3 s */
        double v = (0.25 + 0.2 * sin(2 * 3.14159265358979 * 0.7 * t)) * sin(ph);
        uint8_t code;
        int16_t s16 = (int16_t)(v * 32767);
        ph += 2 * 3.14159265358979 * f0 / 8000;
        media_pcmu_encode(&code, &s16, 1);
        media_pcmu_decode(&x[i], &code, 1);
    }
    rc = media_wav_open_write(&f, path, MEDIA_WAV_PCM16, 8000, 1);
    if (rc == MEDIA_OK) rc = media_wav_write(&f, x, n) < 0 ? MEDIA_EIO : MEDIA_OK;
    if (rc == MEDIA_OK) rc = media_wav_close(&f);
    free(x);
    return rc == MEDIA_OK ? 0 : 1;
}

static int exact(const char *refp, const char *gotp)
{
    size_t nr, ng, at, k, frames, good = 0;
    uint32_t rr, rg;
    int16_t *r = load(refp, &nr, &rr), *g = load(gotp, &ng, &rg);
    int rc = 1;
    if (!r || !g) goto out;
    frames = nr / 160;
    for (at = 0; at + 160 <= ng; at++) if (!memcmp(g + at, r, 160 * sizeof *r)) break;
    if (at + 160 > ng) { printf("frames=%zu exact=0 (the first frame is not in the recording)\n", frames); goto out; }
    for (k = 0; k < frames; k++) {
        if (at + (k + 1) * 160 > ng || memcmp(g + at + k * 160, r + k * 160, 160 * sizeof *r)) {
            printf("frame %zu differs\n", k);
            break;
        }
        good++;
    }
    printf("frames=%zu exact=%zu first_at=%zu\n", frames, good, at);
    rc = good == frames ? 0 : 1;
out:
    free(r);
    free(g);
    return rc;
}

/* the spans where the power (2 ms windows) is above thr dBFS, in ms, each
   at least 10 ms long: "segments N: L1 L2 ..." */
static int segments(const char *path, double thr_db)
{
    size_t n, i, w;
    uint32_t rate;
    int16_t *x = load(path, &n, &rate);
    double thr;
    size_t run = 0;
    int count = 0;
    char out[4096];
    size_t len = 0;
    if (!x) return 1;
    w = rate / 500;
    thr = 32768.0 * 32768.0 * pow(10, thr_db / 10);
    for (i = 0; i + w <= n; i += w) {
        double p = 0;
        size_t k;
        for (k = 0; k < w; k++) p += (double)x[i + k] * x[i + k];
        if (p / w >= thr) { run++; continue; }
        if (run * 2 >= 10 && len + 16 < sizeof out) { len += (size_t)snprintf(out + len, sizeof out - len, " %u", (unsigned)(run * 2)); count++; }
        run = 0;
    }
    if (run * 2 >= 10 && len + 16 < sizeof out) { len += (size_t)snprintf(out + len, sizeof out - len, " %u", (unsigned)(run * 2)); count++; }
    out[len] = 0;
    printf("segments %d:%s\n", count, out);
    free(x);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 5 && !strcmp(argv[1], "gen"))
        return gen(argv[2], (uint32_t)atoi(argv[3]), atof(argv[4]), argc > 5 ? (uint32_t)atoi(argv[5]) : 1);
    if (argc == 4 && !strcmp(argv[1], "corr")) return corr(argv[2], argv[3]);
    if (argc == 4 && !strcmp(argv[1], "corrseg")) return corrseg(argv[2], argv[3]);
    if (argc == 2 && !strcmp(argv[1], "port")) return port();
    if (argc == 4 && !strcmp(argv[1], "sweep")) return sweep(argv[2], atof(argv[3]));
    if (argc == 4 && !strcmp(argv[1], "exact")) return exact(argv[2], argv[3]);
    if (argc >= 6 && !strcmp(argv[1], "tones")) return tones(argv[2], (uint32_t)atoi(argv[3]), atof(argv[4]), argc - 5, argv + 5);
    if (argc >= 5 && !strcmp(argv[1], "tonelevel")) return tonelevel(argv[2], argv[3], argc - 4, argv + 4);
    if (argc == 4 && !strcmp(argv[1], "segments")) return segments(argv[2], atof(argv[3]));
    fprintf(stderr, "usage: wavtool gen OUT RATE SECONDS [SEED] | corr REF GOT | corrseg REF GOT | port\n"
                    "       wavtool sweep OUT SECONDS | exact REF GOT\n"
                    "       wavtool tones OUT RATE SECONDS F... | tonelevel REF GOT F...\n");
    return 2;
}
