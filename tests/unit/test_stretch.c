/* media_stretch: time-scale modification a pitch period at a time. A voiced
   signal (harmonics of a steady fundamental through three formants) is
   stretched and compressed by 20 % in 20 ms frames, each asked for what is
   left of the total: the output has exactly the length asked for, and its
   fundamental, found by an independent scan of the spectrum (a Hann-windowed
   DFT at 0.02 % steps), is within 1 % of the input's. Also: no click at the
   seams (the largest step between samples stays that of the input), a
   frame without a period is left alone, silence is cut as asked, and the
   arguments are checked. */
#include "../../media.h"
#include "../harness.h"
#include <math.h>

#define PI 3.14159265358979323846
#define MAXN (48000 * 3)

static int16_t in[MAXN], out[MAXN * 2];

static void voiced(int16_t *x, int n, uint32_t rate, double f0)
{
    static double v[MAXN];
    double peak = 0;
    int i, h;
    for (i = 0; i < n; i++) {
        double t = (double)i / rate;
        v[i] = 0;
        for (h = 1; h * f0 < 3600; h++) {
            double f = h * f0;
            double a = 1.0 / (1 + pow((f - 700) / 150, 2)) + 0.6 / (1 + pow((f - 1200) / 200, 2)) +
                       0.3 / (1 + pow((f - 2600) / 300, 2));
            v[i] += a * sin(2 * PI * f * t + h * 0.7);
        }
        if (fabs(v[i]) > peak) peak = fabs(v[i]);
    }
    for (i = 0; i < n; i++) x[i] = (int16_t)(12000 * v[i] / peak);
}

/* the frequency within +-5 % of near whose DFT magnitude over x is largest */
static double fundamental(const int16_t *x, int n, uint32_t rate, double near)
{
    static double win[MAXN];
    double best = 0, bf = near, f;
    int i;
    for (i = 0; i < n; i++) win[i] = (0.5 - 0.5 * cos(2 * PI * i / (n - 1))) * x[i];
    for (f = near * 0.95; f <= near * 1.05; f *= 1.0002) {
        double re = 0, im = 0, w = 2 * PI * f / rate, c = 1, s = 0, cw = cos(w), sw = sin(w);
        for (i = 0; i < n; i++) {   /* the rotation e^{-jwi} kept by recurrence */
            double t = c * cw - s * sw;
            re += win[i] * c;
            im += win[i] * s;
            s = s * cw + c * sw;
            c = t;
        }
        if (re * re + im * im > best) { best = re * re + im * im; bf = f; }
    }
    return bf;
}

static int max_step(const int16_t *x, int n)
{
    int i, m = 0;
    for (i = 1; i < n; i++) { int d = abs(x[i] - x[i - 1]); if (d > m) m = d; }
    return m;
}

/* stretches x (n samples) by `change` samples in all, 20 ms frames at a
   time; returns the output length, or -1 */
static int stretch_all(const media_stretch *ts, const int16_t *x, int n, int change, int16_t *y, int *ops)
{
    int frame = (int)ts->rate / 50, pos = 0, len = 0, done = 0;
    *ops = 0;
    while (pos < n) {
        int k = n - pos < frame ? n - pos : frame, last = pos + k >= n, r, lo, hi;
        /* what is due by the end of this frame, on a straight line to the total */
        int due = (int)((long long)change * (pos + k) / n) - done;
        memcpy(y + len, x + pos, (size_t)k * sizeof *y);
        if (last) lo = hi = due;                          /* the total, exactly */
        else if (due > 0 && due >= ts->pmin) { lo = ts->pmin; hi = due; }
        else if (due < 0 && -due >= ts->pmin) { lo = due; hi = -ts->pmin; }
        else lo = hi = 0;
        r = media_stretch_process(ts, y + len, (size_t)k, (size_t)(MAXN * 2 - len), lo, hi);
        if (r < 0) return -1;
        if (r != k) {
            CHECKF(r - k >= lo && r - k <= hi, "changed by %d, asked %d..%d", r - k, lo, hi);
            (*ops)++;
        }
        done += r - k;
        len += r;
        pos += k;
    }
    return len;
}

static void check_rate(uint32_t rate, double f0)
{
    media_stretch ts;
    int n = (int)rate * 2, sign;
    double fin;
    CHECK_EQ_INT(media_stretch_init(&ts, rate), MEDIA_OK);
    voiced(in, n, rate, f0);
    fin = fundamental(in + rate / 2, (int)rate, rate, f0);
    for (sign = -1; sign <= 1; sign += 2) {
        int change = sign * n / 5, ops, len = stretch_all(&ts, in, n, change, out, &ops);
        double fout = fundamental(out + rate / 2, (int)rate, rate, f0);
        CHECKF(len == n + change, "%u Hz, f0 %.0f, %+d: %d samples out, %d asked", rate, f0, change, len, n + change);
        CHECKF(fabs(fout - fin) / fin < 0.01, "%u Hz, f0 %.0f, %+d %%: fundamental %.2f Hz, was %.2f", rate, f0, sign * 20, fout, fin);
        /* a period at a time: about 0.2 x 2 s / period operations */
        CHECKF(ops >= 0.2 * 2 * f0 / 2.2 && ops <= 0.2 * 2 * f0 * 1.2 + 2, "%d operations", ops);
        CHECKF(max_step(out, len) <= max_step(in, n) * 11 / 10, "%u Hz, %+d %%: a step of %d between samples (input %d)",
               rate, sign * 20, max_step(out, len), max_step(in, n));
    }
}

static void test_pitch_and_length_8k(void) { check_rate(8000, 110); check_rate(8000, 210); }
static void test_pitch_and_length_16k(void) { check_rate(16000, 110); check_rate(16000, 210); }
static void test_pitch_and_length_48k(void) { check_rate(48000, 140); }

/* a period removed from a periodic frame leaves the same waveform a period on */
static void test_period_removed_exactly(void)
{
    media_stretch ts;
    int i, r, worst = 0;
    int16_t x[400];
    media_stretch_init(&ts, 8000);
    for (i = 0; i < 320; i++) x[i] = (int16_t)(8000 * sin(2 * PI * i / 64.0) + 3000 * sin(4 * PI * i / 64.0 + 1));
    r = media_stretch_process(&ts, x, 160, 400, -120, -20);
    CHECK_EQ_INT(r, 96);   /* 160 - the period of 64 samples */
    for (i = 0; i < r; i++) {
        int want = (int16_t)(8000 * sin(2 * PI * i / 64.0) + 3000 * sin(4 * PI * i / 64.0 + 1));
        if (abs(x[i] - want) > worst) worst = abs(x[i] - want);
    }
    CHECKF(worst <= 1, "off by %d", worst);
    /* and lengthened: the period said twice */
    for (i = 0; i < 160; i++) x[i] = (int16_t)(8000 * sin(2 * PI * i / 64.0));
    r = media_stretch_process(&ts, x, 160, 400, 20, 120);
    CHECK(r == 224 || r == 160 + 128);
    worst = 0;
    for (i = 0; i < r; i++) { int want = (int16_t)(8000 * sin(2 * PI * i / 64.0)); if (abs(x[i] - want) > worst) worst = abs(x[i] - want); }
    CHECKF(worst <= 1, "off by %d", worst);
}

static void test_noise_left_alone_silence_cut(void)
{
    media_stretch ts;
    int16_t x[400], keep[160];
    int i;
    media_stretch_init(&ts, 8000);
    harness_seed(5);
    for (i = 0; i < 160; i++) x[i] = (int16_t)((int)(harness_rand() % 20001) - 10000);
    memcpy(keep, x, sizeof keep);
    CHECK_EQ_INT(media_stretch_process(&ts, x, 160, 400, -120, -20), 160);
    CHECK(memcmp(keep, x, sizeof keep) == 0);
    CHECK_EQ_INT(media_stretch_process(&ts, x, 160, 400, 20, 120), 160);
    /* one length allowed: done whatever the frame */
    CHECK_EQ_INT(media_stretch_process(&ts, x, 160, 400, -33, -33), 127);
    /* near silence: as much as allowed */
    for (i = 0; i < 160; i++) x[i] = (int16_t)((int)(harness_rand() % 41) - 20);
    CHECK_EQ_INT(media_stretch_process(&ts, x, 160, 400, -100, -20), 60);
    for (i = 0; i < 160; i++) x[i] = (int16_t)((int)(harness_rand() % 41) - 20);
    CHECK_EQ_INT(media_stretch_process(&ts, x, 160, 400, 20, 100), 260);
    /* a range the frame cannot take (2.5 ms of overlap must stay): nothing */
    CHECK_EQ_INT(media_stretch_process(&ts, x, 160, 400, -200, -150), 160);
    CHECK_EQ_INT(media_stretch_process(&ts, x, 160, 400, 0, 0), 160);
}

/* a jitter buffer's request: a period of at most what it asks, within the
   periods looked for; under the shortest period, nothing */
static void test_request(void)
{
    media_stretch ts;
    int i;
    int16_t x[400];
    media_stretch_init(&ts, 8000);
    for (i = 0; i < 320; i++) x[i] = (int16_t)(8000 * sin(2 * PI * i / 64.0));
    CHECK_EQ_INT(media_stretch_request(&ts, x, 160, 400, 10), 160);     /* 1.25 ms: under the 2.5 ms shortest */
    CHECK_EQ_INT(media_stretch_request(&ts, x, 160, 400, 0), 160);
    CHECK_EQ_INT(media_stretch_request(&ts, x, 160, 400, -100), 96);    /* the 64-sample period, within 100 */
    for (i = 0; i < 320; i++) x[i] = (int16_t)(8000 * sin(2 * PI * i / 64.0));
    CHECK_EQ_INT(media_stretch_request(&ts, x, 160, 400, 50), 160);     /* the period is longer than asked: left */
    CHECK_EQ_INT(media_stretch_request(&ts, x, 160, 400, 80), 224);
    CHECK_EQ_INT(media_stretch_request(NULL, x, 160, 400, 80), MEDIA_EINVAL);
}

static void test_arguments(void)
{
    media_stretch ts;
    int16_t x[200] = {0};
    CHECK_EQ_INT(media_stretch_init(&ts, 7999), MEDIA_EINVAL);
    CHECK_EQ_INT(media_stretch_init(&ts, 48001), MEDIA_EINVAL);
    CHECK_EQ_INT(media_stretch_init(NULL, 8000), MEDIA_EINVAL);
    CHECK_EQ_INT(media_stretch_init(&ts, 8000), MEDIA_OK);
    CHECK(ts.pmin == 20 && ts.pmax == 120);
    CHECK_EQ_INT(media_stretch_process(NULL, x, 160, 200, -40, -20), MEDIA_EINVAL);
    CHECK_EQ_INT(media_stretch_process(&ts, NULL, 160, 200, -40, -20), MEDIA_EINVAL);
    CHECK_EQ_INT(media_stretch_process(&ts, x, 160, 200, -20, -40), MEDIA_EINVAL);    /* lo > hi */
    CHECK_EQ_INT(media_stretch_process(&ts, x, 160, 200, -20, 20), MEDIA_EINVAL);     /* both ways */
    CHECK_EQ_INT(media_stretch_process(&ts, x, 160, 170, 20, 40), MEDIA_EINVAL);      /* no room */
    CHECK_EQ_INT(media_stretch_process(&ts, x, (size_t)-1, 200, -40, -20), MEDIA_EINVAL);
    CHECK_EQ_INT(media_stretch_process(&ts, x, 160, (size_t)-1, 20, 40), MEDIA_EINVAL);
}

int main(void)
{
    RUN(test_pitch_and_length_8k);
    RUN(test_pitch_and_length_16k);
    RUN(test_pitch_and_length_48k);
    RUN(test_period_removed_exactly);
    RUN(test_noise_left_alone_silence_cut);
    RUN(test_request);
    RUN(test_arguments);
    return harness_summary();
}
