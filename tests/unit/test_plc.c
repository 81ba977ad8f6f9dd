/* G.711 packet-loss concealment. A voiced, speech-like synthetic signal (a
   harmonic source with a gliding pitch through three formants, in syllables)
   goes through PCMU, 20 ms frames are lost at random (seeded), and the
   concealed frames are compared with the original by segmental SNR for three
   ways of filling the holes: silence, repeating the previous frame, and the
   codec's conceal(). The assertions are orderings with margins; the frame
   after each loss (where conceal() blends back into real audio) must stay
   close to the clean decode, and the whole-signal figures are printed too.
   Also: the seam left by a frame dropped to shrink the delay is blended, not
   a click. */
#include "../../media.h"
#include "../harness.h"
#include <math.h>

#define PI 3.14159265358979323846

#define RATE 8000
#define FRAME 160
#define SECONDS 20
#define N (RATE * SECONDS)

static int16_t orig[N], coded[N], out_sil[N], out_rep[N], out_plc[N];

static void speech_like(int16_t *x, int n, uint64_t seed)
{
    /* source: harmonics of f0 (gliding 90-150 Hz, a few Hz per 20 ms as in
       voiced speech), weighted by three formant resonances (700, 1200,
       2600 Hz), in 250 ms syllables (200 ms voiced, 50 ms pause) */
    static double v[N];
    double phase = 0, peak = 0;
    int i, h;
    (void)seed;
    for (i = 0; i < n; i++) {
        double t = (double)i / RATE, f0, env, in_syl = fmod(t, 0.25);
        f0 = 120 + 15 * sin(2 * PI * 0.4 * t);
        phase += 2 * PI * f0 / RATE;
        v[i] = 0;
        for (h = 1; h * f0 < 3600; h++) {
            double f = h * f0;
            double a = 1.0 / (1 + pow((f - 700) / 150, 2)) + 0.6 / (1 + pow((f - 1200) / 200, 2)) +
                       0.3 / (1 + pow((f - 2600) / 300, 2));
            v[i] += a * sin(h * phase);
        }
        env = in_syl < 0.2 ? sin(PI * in_syl / 0.2) : 0.0;
        v[i] *= env;
        if (fabs(v[i]) > peak) peak = fabs(v[i]);
    }
    for (i = 0; i < n; i++) x[i] = (int16_t)(12000 * v[i] / peak);
}

/* 10 log10(signal / error) of one 20 ms segment, clamped to -10..35 dB; -99 when it is a pause */
static double snr_frame(const int16_t *ref, const int16_t *y)
{
    double e = 0, p = 0, snr;
    int i;
    for (i = 0; i < FRAME; i++) { double d = (double)ref[i] - y[i]; p += (double)ref[i] * ref[i]; e += d * d; }
    if (p < FRAME * 100.0 * 100.0) return -99;   /* pauses do not count */
    snr = 10 * log10(p / (e + 1));
    return snr > 35 ? 35 : snr < -10 ? -10 : snr;
}

/* mean segmental SNR over the frames selected by sel (1 = lost, 2 = just after a loss, 3 = all) */
static uint8_t lostmap[N / FRAME];
static double seg_snr(const int16_t *y, int sel)
{
    double sum = 0;
    int segs = 0, f;
    for (f = 1; f < N / FRAME; f++) {
        int kind = lostmap[f] ? 1 : lostmap[f - 1] ? 2 : 0;
        double v;
        if (sel != 3 && kind != sel) continue;
        v = snr_frame(orig + f * FRAME, y + f * FRAME);
        if (v == -99) continue;
        sum += v;
        segs++;
    }
    return segs ? sum / segs : 0;
}

static void run(double loss, uint64_t seed)
{
    const media_codec *c = media_codec_pcmu();
    static media_plc plc;
    uint8_t enc[FRAME];
    int f;
    CHECK(c->state_size == sizeof(media_plc) && c->conceal != NULL);
    CHECK_EQ_INT(c->create(&plc, c, NULL, MEDIA_CODEC_DECODER), MEDIA_OK);
    harness_seed(seed);
    for (f = 0; f < N / FRAME; f++) {
        int16_t *o = orig + f * FRAME;
        int lost = f > 0 && harness_rand() % 10000 < (uint32_t)(loss * 10000);
        lostmap[f] = (uint8_t)lost;
        c->encode(NULL, enc, sizeof enc, o, FRAME);
        media_pcmu_decode(coded + f * FRAME, enc, FRAME);
        if (!lost) {
            memcpy(out_sil + f * FRAME, coded + f * FRAME, sizeof(int16_t) * FRAME);
            memcpy(out_rep + f * FRAME, coded + f * FRAME, sizeof(int16_t) * FRAME);
            CHECK_EQ_INT(c->decode(&plc, out_plc + f * FRAME, FRAME, enc, FRAME), FRAME);
        } else {
            memset(out_sil + f * FRAME, 0, sizeof(int16_t) * FRAME);
            memcpy(out_rep + f * FRAME, out_rep + (f - 1) * FRAME, sizeof(int16_t) * FRAME);
            CHECK_EQ_INT(c->conceal(&plc, out_plc + f * FRAME, FRAME), FRAME);
        }
    }
}

static void check_loss(double loss, uint64_t seed)
{
    double sil, rep, plc;
    run(loss, seed);
    sil = seg_snr(out_sil, 1); rep = seg_snr(out_rep, 1); plc = seg_snr(out_plc, 1);
    printf("  %2.0f %% loss, concealed frames: segmental SNR silence %.2f dB, repeat %.2f dB, PLC %.2f dB\n",
           loss * 100, sil, rep, plc);
    printf("  %2.0f %% loss, frames after a loss: clean decode %.2f dB, PLC blend %.2f dB; whole signal: silence %.2f, "
           "repeat %.2f, PLC %.2f dB\n", loss * 100, seg_snr(coded, 2), seg_snr(out_plc, 2), seg_snr(out_sil, 3),
           seg_snr(out_rep, 3), seg_snr(out_plc, 3));
    CHECKF(plc >= sil + 3, "PLC %.2f dB not clearly above silence %.2f dB", plc, sil);
    CHECKF(plc >= rep + 3, "PLC %.2f dB not clearly above repetition %.2f dB", plc, rep);
    /* the blend back into real audio touches only its first millisecond */
    CHECKF(seg_snr(out_plc, 2) >= 24, "frames after a loss only %.2f dB", seg_snr(out_plc, 2));
}

static void test_plc_5_percent(void) { speech_like(orig, N, 1); check_loss(0.05, 11); }
static void test_plc_15_percent(void) { speech_like(orig, N, 1); check_loss(0.15, 12); }

/* A long loss fades to silence by 60 ms; real audio afterwards is blended in. */
static void test_fade_and_recovery(void)
{
    static media_plc plc;
    int16_t buf[FRAME * 5];
    int i, peak_early = 0, peak_late = 0;
    media_plc_init(&plc, RATE);
    speech_like(orig, N, 2);
    media_plc_good(&plc, orig + 1000, FRAME * 2);     /* voiced history */
    media_plc_conceal(&plc, buf, FRAME * 4);          /* 80 ms */
    for (i = 0; i < FRAME / 2; i++) if (abs(buf[i]) > peak_early) peak_early = abs(buf[i]);
    for (i = 3 * FRAME; i < 4 * FRAME; i++) if (abs(buf[i]) > peak_late) peak_late = abs(buf[i]);
    CHECK(peak_early > 1000);                         /* it does continue the voice */
    CHECK_EQ_INT(peak_late, 0);                       /* silent after 60 ms */
    /* with no history at all, concealment is silence */
    media_plc_init(&plc, RATE);
    media_plc_conceal(&plc, buf, FRAME);
    for (i = 0; i < FRAME; i++) CHECK(buf[i] == 0);
    CHECK_EQ_INT(media_plc_init(&plc, 4000), MEDIA_EINVAL);
}

/* A frame dropped to shrink the delay leaves a seam; conceal(pcm, 0) before the
   next frame blends it. On a low two-tone signal (whose own sample-to-sample
   steps are small) the raw seam jumps far above the largest natural step; the
   blended one stays near it. */
static void test_seam_blend(void)
{
    static media_plc plc;
    static int16_t tone[FRAME * 8], raw[FRAME * 6], blended[FRAME * 6];
    const media_codec *c = media_codec_pcma();
    uint8_t enc[FRAME];
    int f, i, trials, natural = 0, worst_raw = 0, worst_blend = 0;
    for (trials = 0; trials < 40; trials++) {
        double ph = trials * 0.37;
        for (i = 0; i < FRAME * 8; i++)
            tone[i] = (int16_t)(6000 * sin(2 * PI * 190 * i / RATE + ph) + 4000 * sin(2 * PI * 310 * i / RATE + 2 * ph));
        c->create(&plc, c, NULL, MEDIA_CODEC_DECODER);
        /* frames 0, 1, 2, then 4, 5 (3 dropped) */
        for (f = 0; f < 5; f++) {
            int src = f < 3 ? f : f + 1;
            c->encode(NULL, enc, sizeof enc, tone + src * FRAME, FRAME);
            media_pcma_decode(raw + f * FRAME, enc, FRAME);
            if (f == 3) CHECK_EQ_INT(c->conceal(&plc, NULL, 0), 0);
            c->decode(&plc, blended + f * FRAME, FRAME, enc, FRAME);
        }
        for (i = 1; i < 3 * FRAME; i++) if (abs(raw[i] - raw[i - 1]) > natural) natural = abs(raw[i] - raw[i - 1]);
        if (abs(raw[3 * FRAME] - raw[3 * FRAME - 1]) > worst_raw) worst_raw = abs(raw[3 * FRAME] - raw[3 * FRAME - 1]);
        for (i = 3 * FRAME; i < 4 * FRAME; i++)
            if (abs(blended[i] - blended[i - 1]) > worst_blend) worst_blend = abs(blended[i] - blended[i - 1]);
    }
    printf("  seam: largest natural step %d, raw seam up to %d, blended up to %d\n", natural, worst_raw, worst_blend);
    CHECK(worst_raw > 3 * natural);
    CHECK(worst_blend <= natural + natural / 2);
}

int main(void)
{
    RUN(test_plc_5_percent);
    RUN(test_plc_15_percent);
    RUN(test_fade_and_recovery);
    RUN(test_seam_blend);
    return harness_summary();
}
