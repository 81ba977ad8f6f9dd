/* In-band DTMF detection (media_dtmf_detector) against ITU-T Q.24's
   acceptance figures, on tone pairs made here from their definition (two
   sines at Q.23's frequencies, levels in dBm0: 0 dBm0 is a sine 3.17 dB
   below mu-law's full scale), fed 20 ms at a time at 8, 16 and 48 kHz:
   every digit at its nominal frequencies and 1.5 % off accepted, 3.5 % off
   rejected; 8 dB normal and 4 dB reverse twist accepted; 40 ms tones
   accepted with their duration, 23 ms ones rejected, 40 ms pauses keep
   repeated digits apart; -26 dBm0 per tone, and 15 dB SNR in white noise,
   accepted. spandsp's detector (a widely deployed one, not ours) reads the
   same 8 kHz signals beside it where it is linked: ours must accept all it
   accepts there and reject what Q.24 says to; and spandsp's generator's
   digits must all be read. No digit from chords, sweeps and a voiced
   speech-like signal.

   Call progress and fax (media_tone_detector): busy, reorder and ringback
   at North American frequencies and cadences and at Europe's 425 Hz,
   CNG and CED (and ANSam, CED with its 15 Hz modulation), each reported
   once at the moment its cadence is complete; nothing from a steady dial
   tone, DTMF or a voice. */
#include "../../media.h"
#include "../harness.h"
#include <limits.h>
#include <math.h>
#ifdef HAVE_SPANDSP_DTMF
#include <spandsp.h>
#endif

#define PI 3.14159265358979323846
#define MAXN (48000 * 8)

static const double freqs[8] = { 697, 770, 852, 941, 1209, 1336, 1477, 1633 };
static const char keys[] = "123A456B789C*0#D";
static int16_t sig[MAXN];
static uint64_t seed = 1;

static double gauss(void)
{
    double u1, u2;
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    u1 = ((double)(seed >> 11) + 1.0) / 9007199254740993.0;
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    u2 = (double)(seed >> 11) / 9007199254740992.0;
    return sqrt(-2 * log(u1)) * cos(2 * PI * u2);
}

static int16_t clip(double v) { return (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : floor(v + 0.5)); }

/* one digit in silence (or noise snr dB under the pair; > 100: none): 200
   ms before it, 300 after; low tone at lo dBm0, high at lo + hi_minus_lo */
static size_t make(uint32_t rate, int key, double lo, double hi_minus_lo, double dev, double ms, double snr, double phase)
{
    const double a1 = 22700 * pow(10, lo / 20), a2 = a1 * pow(10, hi_minus_lo / 20);
    const double f1 = freqs[key / 4] * (1 + dev), f2 = freqs[4 + key % 4] * (1 + dev);
    const size_t at = rate / 5 + (size_t)(phase * rate / 1000), len = (size_t)(ms * rate / 1000), n = at + len + rate * 3 / 10;
    const double sd = sqrt((a1 * a1 + a2 * a2) / 2 * pow(10, -snr / 10));
    size_t i;
    for (i = 0; i < n; i++) {
        double v = snr <= 100 ? sd * gauss() : 0;
        if (i >= at && i < at + len) {
            double t = (double)(i - at) / rate;
            v += a1 * sin(2 * PI * f1 * t + 0.3 * key) + a2 * sin(2 * PI * f2 * t + 1.1);
        }
        sig[i] = clip(v);
    }
    return n;
}

/* what the detector reads in sig[0..n), fed 20 ms at a time */
static int detect(uint32_t rate, size_t n, char *got, uint32_t *dur)
{
    media_dtmf_detector d;
    media_dtmf_digit out[4];
    size_t i, step = rate / 50;
    int k = 0, r, j;
    CHECK_EQ_INT(media_dtmf_detector_init(&d, rate), MEDIA_OK);
    for (i = 0; i < n; i += step) {
        r = media_dtmf_detect(&d, sig + i, n - i < step ? n - i : step, out, 4);
        for (j = 0; j < r && k < 63; j++) { got[k] = out[j].digit; if (dur) dur[k] = out[j].duration_ms; k++; }
    }
    got[k] = 0;
    return k;
}

#ifdef HAVE_SPANDSP_DTMF
static char sp_got[64];
static int sp_n;
static void sp_digits(void *user, const char *d, int len)
{
    (void)user;
    while (len-- > 0 && sp_n < 63) sp_got[sp_n++] = *d++;
}
/* spandsp's detector on sig[0..n) (8 kHz): the digits it reads */
static int spandsp_detect(size_t n)
{
    dtmf_rx_state_t *s = dtmf_rx_init(NULL, sp_digits, NULL);
    sp_n = 0;
    if (!s) return -1;
    dtmf_rx(s, sig, (int)n);
    dtmf_rx_free(s);
    sp_got[sp_n] = 0;
    return sp_n;
}
#endif

static const uint32_t rates[3] = { 8000, 16000, 48000 };

/* every digit at 0 and +-1.5 % accepted, at +-3.5 % and +-4 % rejected */
static void test_frequency_tolerance(void)
{
    static const double accept[3] = { -0.015, 0, 0.015 }, reject[4] = { -0.04, -0.035, 0.035, 0.04 };
    int r, key, k, missed = 0, false_ok = 0, sp_acc = 0, sp_rej_bad = 0, both = 0;
    char got[64];
    for (r = 0; r < 3; r++)
        for (key = 0; key < 16; key++) {
            for (k = 0; k < 3; k++) {
                size_t n = make(rates[r], key, -10, 0, accept[k], 60, 999, 3.3 * k);
                int ok = detect(rates[r], n, got, NULL) == 1 && got[0] == keys[key];
                missed += !ok;
#ifdef HAVE_SPANDSP_DTMF
                if (rates[r] == 8000 && spandsp_detect(n) == 1 && sp_got[0] == keys[key]) { sp_acc++; both += ok; }
#endif
            }
            for (k = 0; k < 4; k++) {
                size_t n = make(rates[r], key, -10, 0, reject[k], 60, 999, 1.7 * k);
                false_ok += detect(rates[r], n, got, NULL) != 0;
#ifdef HAVE_SPANDSP_DTMF
                if (rates[r] == 8000) sp_rej_bad += spandsp_detect(n) != 0;
#endif
            }
        }
    CHECKF(missed == 0, "%d of 144 tone pairs within 1.5 %% missed", missed);
    CHECKF(false_ok == 0, "%d of 192 tone pairs 3.5 %% or more off accepted", false_ok);
    CHECKF(both == sp_acc, "spandsp accepted %d at 8 kHz that we did not", sp_acc - both);
#ifdef HAVE_SPANDSP_DTMF
    printf("      within 1.5 %%: 144 of 144 read (spandsp at 8 kHz: %d of 48); 3.5 %% off: 0 of 192 (spandsp: %d of 64)\n",
           sp_acc, sp_rej_bad);
#else
    (void)sp_rej_bad;
#endif
}

/* twist: low group 8 dB over the high (normal) and the high 4 dB over the
   low (reverse) accepted; 14 dB normal and 10 dB reverse rejected */
static void test_twist(void)
{
    int r, key, missed = 0, false_ok = 0;
    char got[64];
    for (r = 0; r < 3; r++)
        for (key = 0; key < 16; key++) {
            size_t n;
            n = make(rates[r], key, -6, -8, 0, 60, 999, 0);
            missed += !(detect(rates[r], n, got, NULL) == 1 && got[0] == keys[key]);
            n = make(rates[r], key, -12, 4, 0, 60, 999, 0);
            missed += !(detect(rates[r], n, got, NULL) == 1 && got[0] == keys[key]);
            n = make(rates[r], key, -6, -14, 0, 60, 999, 0);
            false_ok += detect(rates[r], n, got, NULL) != 0;
            n = make(rates[r], key, -16, 10, 0, 60, 999, 0);
            false_ok += detect(rates[r], n, got, NULL) != 0;
        }
    CHECKF(missed == 0, "%d of 96 pairs with 8 dB normal or 4 dB reverse twist missed", missed);
    CHECKF(false_ok == 0, "%d of 96 pairs with 14 dB normal or 10 dB reverse twist accepted", false_ok);
}

/* 40 ms accepted (its duration read within 3 ms), 23 and 20 ms rejected,
   whatever the tone's phase against the detector's windows */
static void test_duration(void)
{
    int r, key, missed = 0, false_ok = 0, bad_dur = 0;
    uint32_t dur[64], lo = 999, hi = 0;
    char got[64];
    for (r = 0; r < 3; r++)
        for (key = 0; key < 16; key++) {
            double ph = 0.37 * key + r;
            size_t n = make(rates[r], key, -10, 0, 0, 40, 999, ph);
            if (detect(rates[r], n, got, dur) == 1 && got[0] == keys[key]) {
                bad_dur += dur[0] < 37 || dur[0] > 43;
                if (dur[0] < lo) lo = dur[0];
                if (dur[0] > hi) hi = dur[0];
            } else {
                missed++;
            }
            n = make(rates[r], key, -10, 0, 0, 23, 999, ph);
            false_ok += detect(rates[r], n, got, NULL) != 0;
            n = make(rates[r], key, -10, 0, 0, 20, 999, ph + 1.9);
            false_ok += detect(rates[r], n, got, NULL) != 0;
        }
    CHECKF(missed == 0 && bad_dur == 0, "40 ms tones: %d missed, %d read outside 37..43 ms", missed, bad_dur);
    CHECKF(false_ok == 0, "%d of 96 tones of 23 or 20 ms accepted", false_ok);
    printf("      40 ms tones read as %u..%u ms; 23 and 20 ms ones: none\n", (unsigned)lo, (unsigned)hi);
}

/* a string of digits, each 40 ms, 40 ms apart (the same digit repeated too) */
static void test_interdigit_pause(void)
{
    static const char want[] = "1155#*0D9";
    int r;
    char got[64];
    for (r = 0; r < 3; r++) {
        const uint32_t rate = rates[r];
        size_t n = 0, i, k;
        memset(sig, 0, sizeof sig);
        n = rate / 10;
        for (k = 0; want[k]; k++) {
            int key = (int)(strchr(keys, want[k]) - keys);
            double f1 = freqs[key / 4], f2 = freqs[4 + key % 4], a = 22700 * pow(10, -10 / 20.0);
            for (i = 0; i < rate / 25; i++, n++) sig[n] = clip(a * sin(2 * PI * f1 * i / rate) + a * sin(2 * PI * f2 * i / rate));
            n += rate / 25;
        }
        n += rate / 5;
        CHECKF(detect(rate, n, got, NULL) == 9 && !strcmp(got, want), "%u Hz: read \"%s\" for \"%s\"", (unsigned)rate, got, want);
    }
}

/* -26 dBm0 a tone, and white noise 15 dB under the pair (at -10 and at
   -26 dBm0), each digit 60 ms */
static void test_level_and_noise(void)
{
    int r, key, missed[3] = { 0, 0, 0 };
    char got[64];
    for (r = 0; r < 3; r++)
        for (key = 0; key < 16; key++) {
            size_t n = make(rates[r], key, -26, 0, 0, 60, 999, 0);
            missed[0] += !(detect(rates[r], n, got, NULL) == 1 && got[0] == keys[key]);
            n = make(rates[r], key, -10, 0, 0, 60, 15, 0);
            missed[1] += !(detect(rates[r], n, got, NULL) == 1 && got[0] == keys[key]);
            n = make(rates[r], key, -26, 0, 0, 60, 15, 0);
            missed[2] += !(detect(rates[r], n, got, NULL) == 1 && got[0] == keys[key]);
        }
    CHECKF(missed[0] + missed[1] + missed[2] == 0, "missed at -26 dBm0: %d, at 15 dB SNR: %d, both: %d (of 48 each)",
           missed[0], missed[1], missed[2]);
    /* the corner of all: 40 ms, the weaker tone at -26 dBm0, 8 dB normal
       twist, 1.5 % off, noise 15 dB under the pair (7 dB under the weak tone) */
    {
        int total = 0, read = 0;
        for (r = 0; r < 3; r++)
            for (key = 0; key < 16; key++) {
                size_t n = make(rates[r], key, -18, -8, key & 1 ? 0.015 : -0.015, 40, 15, 0);
                read += detect(rates[r], n, got, NULL) == 1 && got[0] == keys[key];
                total++;
            }
        CHECKF(read >= total * 9 / 10, "every limit at once: %d of %d read", read, total);
        printf("      every limit at once (40 ms, -26 dBm0 weak tone, 8 dB twist, 1.5 %% off, 15 dB SNR): %d of %d read\n",
               read, total);
    }
}

/* spandsp's own generator: its digits all read, in order */
static void test_spandsp_generator(void)
{
#ifdef HAVE_SPANDSP_DTMF
    dtmf_tx_state_t *tx = dtmf_tx_init(NULL);
    char got[64];
    int n = 0, k;
    CHECK(tx != NULL);
    if (!tx) return;
    dtmf_tx_put(tx, keys, -1);
    memset(sig, 0, sizeof sig);
    while (n < MAXN - 160 && (k = dtmf_tx(tx, sig + n, 160)) > 0) n += k;
    n += 2000;
    dtmf_tx_free(tx);
    CHECKF(detect(8000, (size_t)n, got, NULL) == 16 && !strcmp(got, keys), "spandsp's \"%s\" read as \"%s\"", keys, got);
#else
    /* not linked here (the MSan build): the same digits from Q.23's definition, 50 ms each */
    char got[64];
    size_t n = 0, i, k;
    memset(sig, 0, sizeof sig);
    for (k = 0; k < 16; k++, n += 400)
        for (i = 0; i < 400; i++, n++)
            sig[n] = clip(8000 * sin(2 * PI * freqs[k / 4] * i / 8000.0) + 8000 * sin(2 * PI * freqs[4 + k % 4] * i / 8000.0));
    CHECKF(detect(8000, n + 800, got, NULL) == 16 && !strcmp(got, keys), "\"%s\" read as \"%s\"", keys, got);
#endif
}

/* no digit from chords, sweeps, a voiced speech-like signal */
static void test_no_digits_from_other_sounds(void)
{
    char got[64];
    int falses = 0, r;
    double secs = 0;
    for (r = 0; r < 3; r++) {
        const uint32_t rate = rates[r];
        const size_t n = (size_t)rate * 4;
        size_t i;
        int h, kind;
        for (kind = 0; kind < 4; kind++) {
            for (i = 0; i < n; i++) {
                double t = (double)i / rate, v = 0;
                if (kind == 0) {          /* chords of a few notes, changing every half second */
                    int c = (int)(t * 2);
                    for (h = 0; h < 4; h++) v += 3000 * sin(2 * PI * 220 * pow(2, ((c * 5 + h * 4) % 24) / 12.0) * t);
                } else if (kind == 1) {   /* a glide 300-3400 Hz every half second, over a steady 941 Hz */
                    double u = fmod(t, 0.5);  /* it passes each column frequency within 1.5 % in 8 ms */
                    v = 8000 * sin(2 * PI * (300 * u + 6200 * u * u / 2)) + 4000 * sin(2 * PI * 941 * t);
                } else {                  /* voiced speech: harmonics of a moving pitch through formants */
                    double f0 = (kind == 2 ? 110 : 210) * (1 + 0.15 * sin(2 * PI * 0.7 * t));
                    for (h = 1; h * f0 < 3500; h++) {
                        double f = h * f0;
                        double a = 1 / (1 + pow((f - 700) / 120, 2)) + 0.7 / (1 + pow((f - 1220) / 150, 2)) +
                                   0.3 / (1 + pow((f - 2500) / 250, 2));
                        v += 6000 * a * sin(2 * PI * f0 * h * t + h);
                    }
                }
                sig[i] = clip(v);
            }
            falses += detect(rate, n, got, NULL);
            secs += 4;
        }
    }
    CHECKF(falses == 0, "%d digits read from %.0f s of chords, sweeps and voice", falses, secs);
}

/* cadence: on_ms of f1 (+ f2 when not 0), off_ms of silence, cycles times;
   am: 15 Hz amplitude modulation depth (ANSam) */
static size_t cadence(uint32_t rate, double f1, double f2, int on_ms, int off_ms, int cycles, double am)
{
    const double a = 22700 * pow(10, -20 / 20.0);
    size_t n = 0, i;
    int c;
    for (c = 0; c < cycles; c++) {
        for (i = 0; i < (size_t)on_ms * rate / 1000 && n < MAXN; i++, n++) {
            double t = (double)n / rate;
            sig[n] = clip(a * (1 + am * sin(2 * PI * 15 * t)) * (sin(2 * PI * f1 * t) + (f2 > 0 ? sin(2 * PI * f2 * t) : 0)));
        }
        for (i = 0; i < (size_t)off_ms * rate / 1000 && n < MAXN; i++, n++) sig[n] = 0;
    }
    return n;
}

/* the tones read in sig[0..n), 20 ms at a time: how many, the first */
static int tones(uint32_t rate, size_t n, media_tone_event *first)
{
    media_tone_detector t;
    media_tone_event ev[4];
    size_t i, step = rate / 50;
    int got = 0, k;
    CHECK_EQ_INT(media_tone_detector_init(&t, rate), MEDIA_OK);
    for (i = 0; i < n; i += step) {
        k = media_tone_detect(&t, sig + i, n - i < step ? n - i : step, ev, 4);
        if (k > 0 && !got) *first = ev[0];
        got += k > 0 ? k : 0;
    }
    return got;
}

static void test_call_progress(void)
{
    static const struct { const char *name; double f1, f2; int on, off, cycles, tone, region; double at_s; } cases[] = {
        { "North American busy", 480, 620, 500, 500, 3, MEDIA_TONE_BUSY, 1, 1.5 },
        { "North American reorder", 480, 620, 250, 250, 4, MEDIA_TONE_CONGESTION, 1, 0.75 },
        { "North American ringback", 440, 480, 2000, 4000, 2, MEDIA_TONE_RINGBACK, 1, 6.0 },
        { "European busy", 425, 0, 500, 500, 3, MEDIA_TONE_BUSY, 2, 1.5 },
        { "European congestion", 425, 0, 200, 200, 4, MEDIA_TONE_CONGESTION, 2, 0.6 },
        { "European ringback", 425, 0, 1000, 4000, 2, MEDIA_TONE_RINGBACK, 2, 5.0 },
        { "fax CNG", 1100, 0, 500, 3000, 2, MEDIA_TONE_FAX_CNG, 0, 0.5 },
        { "fax CED", 2100, 0, 3000, 0, 1, MEDIA_TONE_FAX_CED, 0, 0.5 },
    };
    int r, k;
    for (r = 0; r < 3; r++)
        for (k = 0; k < (int)(sizeof cases / sizeof *cases); k++) {
            media_tone_event e;
            size_t n = cadence(rates[r], cases[k].f1, cases[k].f2, cases[k].on, cases[k].off, cases[k].cycles, 0);
            int got = tones(rates[r], n, &e);
            CHECKF(got == 1 && e.tone == cases[k].tone && e.region == cases[k].region &&
                   fabs(e.at_ms / 1000.0 - cases[k].at_s) <= 0.06,
                   "%u Hz, %s: %d tones, the first %d (region %d) at %.3f s, want %d (%d) at %.2f s", (unsigned)rates[r],
                   cases[k].name, got, got ? e.tone : 0, got ? e.region : 0, got ? e.at_ms / 1000.0 : 0, cases[k].tone,
                   cases[k].region, cases[k].at_s);
        }
    /* ANSam: CED with its 15 Hz modulation (20 %) */
    {
        media_tone_event e;
        size_t n = cadence(8000, 2100, 0, 3000, 0, 1, 0.2);
        CHECK(tones(8000, n, &e) == 1 && e.tone == MEDIA_TONE_FAX_CED);
    }
}

static void test_no_call_progress_from_other_sounds(void)
{
    media_tone_event e;
    size_t n;
    int falses = 0;
    n = cadence(8000, 350, 440, 8000, 0, 1, 0);    /* North American dial tone: steady */
    falses += tones(8000, n, &e);
    n = cadence(8000, 425, 0, 8000, 0, 1, 0);      /* European dial tone: steady */
    falses += tones(8000, n, &e);
    n = make(8000, 5, -10, 0, 0, 120, 999, 0);      /* a DTMF digit */
    falses += tones(8000, n, &e);
    {
        size_t i;
        int h;
        n = 8000 * 8;
        for (i = 0; i < n; i++) {   /* a voice: harmonics of a moving pitch through formants, syllables */
            double t = (double)i / 8000, v = 0, f0 = 120 * (1 + 0.15 * sin(2 * PI * 0.7 * t));
            for (h = 1; h * f0 < 3500; h++)
                v += 5000 / (1 + pow((h * f0 - 600) / 150, 2)) * sin(2 * PI * f0 * h * t + h);
            sig[i] = clip(v * (fmod(t, 0.5) < 0.3 ? 1 : 0.05));
        }
        falses += tones(8000, n, &e);
    }
    CHECKF(falses == 0, "%d tones read in dial tones, a DTMF digit and a voice", falses);
}

static void test_arguments(void)
{
    media_dtmf_detector d;
    media_dtmf_digit out[1];
    int16_t x[8] = { 0 };
    CHECK_EQ_INT(media_dtmf_detector_init(&d, 7999), MEDIA_EINVAL);
    CHECK_EQ_INT(media_dtmf_detector_init(&d, 48001), MEDIA_EINVAL);
    CHECK_EQ_INT(media_dtmf_detector_init(NULL, 8000), MEDIA_EINVAL);
    CHECK_EQ_INT(media_dtmf_detector_init(&d, 8000), MEDIA_OK);
    CHECK_EQ_INT(media_dtmf_detect(&d, NULL, 8, out, 1), MEDIA_EINVAL);
    CHECK_EQ_INT(media_dtmf_detect(&d, x, 8, NULL, 1), MEDIA_EINVAL);
    CHECK_EQ_INT(media_dtmf_detect(&d, x, (size_t)INT_MAX + 1, out, 1), MEDIA_EINVAL);
    CHECK_EQ_INT(media_dtmf_detect(&d, x, 8, NULL, 0), 0);
    CHECK_EQ_INT(media_dtmf_detector_current(&d), 0);
    /* a digit ended while nothing was asked for waits for the next call */
    {
        size_t n = make(8000, 5, -10, 0, 0, 80, 999, 0), i;
        char now = 0;
        for (i = 0; i < n; i += 80) {
            CHECK_EQ_INT(media_dtmf_detect(&d, sig + i, n - i < 80 ? n - i : 80, NULL, 0), 0);
            if (media_dtmf_detector_current(&d)) now = media_dtmf_detector_current(&d);
        }
        CHECK_EQ_INT(now, '5');
        CHECK_EQ_INT(media_dtmf_detect(&d, x, 0, out, 1), 1);
        CHECK(out[0].digit == '5' && out[0].duration_ms >= 77 && out[0].duration_ms <= 83);
        CHECK(out[0].end_ms >= 275 && out[0].end_ms <= 300);
    }
}

int main(void)
{
    RUN(test_frequency_tolerance);
    RUN(test_twist);
    RUN(test_duration);
    RUN(test_interdigit_pause);
    RUN(test_level_and_noise);
    RUN(test_spandsp_generator);
    RUN(test_no_digits_from_other_sounds);
    RUN(test_call_progress);
    RUN(test_no_call_progress_from_other_sounds);
    RUN(test_arguments);
    return harness_summary();
}
