/* Many parties and streams (the manual's section 12): media_mixer,
   media_bridge and groups of sessions on one description.

   Mixer: N-1 mixing checked against its definition. Every listener's
   output is compared sample for sample with a direct O(N^2) sum of the
   others' input, saturated to 16 bits (N = 1..64, signals that clip and
   signals that don't); a party joining or leaving at every phase of a frame
   is checked by superposition (the run with it, less the run without it, is
   exactly its own audio while it was there and zero elsewhere); rates other
   than the mix's are checked by tone level and frequency (a least-squares
   sine fit, independent of the resampler); active-speaker changes by their
   timing against the hysteresis asked for; and a three-party conference of
   real sessions on the simulated network, where each hears the other two
   tones and not its own.

   Bridge: two sessions back to back between two phones on the simulated
   network, A - [a = b] - B (and C - [c] for a transfer). Relayed, what B
   receives is A's packets byte for byte under b's SSRC, on one sequence
   and timeline that never goes back across a transfer, a file played to B
   and back; RTCP translated well enough that A measures its round trip to
   B through the bridge (the network's delay is known), and B's view of A's
   loss reaches A. Transcoded (PCMU on one leg, PCMA on the other), each
   phone hears the other's tone at its level. DTMF crosses as RFC 4733
   events either way, never as tones. Destroying either side first is safe.

   Streams: groups of sessions (media_session_group_*), each session one
   audio m-line. Two streams each way carry four different tones and each
   arrives only where its m-line says; a hold of one stream is a re-offer
   that keeps both m-lines in place (RFC 3264 8) and leaves the other
   stream alone; a SIPREC-style offer (two sendonly streams, a=mid,
   a=label, after a video m-line) is answered by a group of recorders, each
   m-line in place with its mid; an offer with fewer audio m-lines than the
   group is refused before any session is touched. The SDP layer's part
   (any audio m-line as the live one, in answers and answer processing) is
   checked against hand-written descriptions. */
#define NET_EPS 6
#include "../sessnet.h"
#include <math.h>
#include <unistd.h>

/* ---- the mixer ---- */

#define PI 3.14159265358979323846

static int16_t clamp16(long v) { return (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v); }

static media_mixer *make(uint32_t rate, int parties, media_mixer_config *out)
{
    media_mixer_config c;
    int err = 1;
    media_mixer *m;
    media_mixer_config_init(&c);
    c.rate = rate;
    c.max_parties = parties;
    if (out) c = *out;
    m = media_mixer_create(&c, &err);
    CHECKF(m && err == MEDIA_OK, "create: %d", err);
    return m;
}

/* least-squares amplitude of a sine at f, in dB against full scale */
static double tone_dbfs(const int16_t *x, size_t n, double f, double rate)
{
    double ss = 0, sc = 0, cc = 0, xs = 0, xc = 0, a, b, det;
    size_t i;
    for (i = 0; i < n; i++) {
        double w = 2 * PI * f * (double)i / rate, s = sin(w), c = cos(w);
        ss += s * s; cc += c * c; sc += s * c; xs += x[i] * s; xc += x[i] * c;
    }
    det = ss * cc - sc * sc;
    a = (xs * cc - xc * sc) / det;
    b = (xc * ss - xs * sc) / det;
    return 20 * log10(sqrt(a * a + b * b) / 32768.0 + 1e-12);
}

static int16_t rnd16(int amp) { return (int16_t)((long)(harness_rand() % (uint32_t)(2 * amp + 1)) - amp); }

/* Every listener hears exactly the saturated sum of the others, and the mix
   callback the saturated sum of everyone. */
static int16_t g_mixed[960];
static int g_mixes;
static void on_mix(media_mixer *m, const int16_t *pcm, size_t n, uint32_t rate, void *u)
{
    (void)m; (void)rate; (void)u;
    memcpy(g_mixed, pcm, n * sizeof *pcm);
    g_mixes++;
}

static void test_sums_exact(void)
{
    static int16_t in[64][160], out[160];
    int n;
    harness_seed(7);
    for (n = 1; n <= 64; n++) {
        int amp, frame, i, j, s, bad = 0, clipped = 0;
        for (amp = 0; amp < 2; amp++) {
            media_mixer_config c;
            media_mixer *m;
            media_mixer_config_init(&c);
            c.max_parties = 64;
            c.mix = on_mix;
            m = make(8000, 64, &c);
            if (!m) return;
            for (i = 0; i < n; i++) CHECK_EQ_INT(media_mixer_join(m, MEDIA_MIXER_TALK), i);
            for (frame = 0; frame < 3; frame++) {
                for (i = 0; i < n; i++) {
                    for (s = 0; s < 160; s++) in[i][s] = rnd16(amp ? 32767 : 32767 / n);
                    CHECK_EQ_INT(media_mixer_put(m, i, in[i], 160, 8000), MEDIA_OK);
                }
                g_mixes = 0;
                CHECK_EQ_INT(media_mixer_mix(m), MEDIA_OK);
                CHECK_EQ_INT(g_mixes, 1);
                for (s = 0; s < 160; s++) {
                    long all = 0;
                    for (j = 0; j < n; j++) all += in[j][s];
                    if (g_mixed[s] != clamp16(all)) bad++;
                }
                for (i = 0; i < n; i++) {
                    CHECK_EQ_INT(media_mixer_get(m, i, out, 160, 8000), 160);
                    for (s = 0; s < 160; s++) {
                        long others = 0;
                        for (j = 0; j < n; j++) if (j != i) others += in[j][s];
                        if (out[s] != clamp16(others)) bad++;
                        clipped += others != clamp16(others);
                    }
                }
            }
            CHECKF(bad == 0, "N=%d %s: %d samples differ from the direct sum", n, amp ? "full scale" : "scaled", bad);
            if (amp && n > 2) CHECKF(clipped > 0, "N=%d at full scale clipped nothing: saturation untested", n);
            if (!amp) CHECKF(clipped == 0, "N=%d: scaled inputs clipped", n);
            media_mixer_destroy(m);
        }
    }
}

/* Sums beyond 16 bits saturate with the right sign, never wrap, even with
   64 parties at full scale and +24 dB. */
static void test_saturation(void)
{
    media_mixer_config c;
    media_mixer *m;
    int16_t hi[160], lo[160], out[160];
    int i, s, wrong = 0;
    media_mixer_config_init(&c);
    c.max_parties = 64;
    m = make(8000, 64, &c);
    if (!m) return;
    for (s = 0; s < 160; s++) { hi[s] = 32767; lo[s] = -32768; }
    for (i = 0; i < 64; i++) {
        CHECK_EQ_INT(media_mixer_join(m, MEDIA_MIXER_TALK), i);
        CHECK_EQ_INT(media_mixer_gain_set(m, i, 24.0), MEDIA_OK);
    }
    for (i = 0; i < 64; i++) CHECK_EQ_INT(media_mixer_put(m, i, i == 0 ? lo : hi, 160, 8000), MEDIA_OK);
    media_mixer_mix(m);
    for (i = 0; i < 64; i++) {
        CHECK_EQ_INT(media_mixer_get(m, i, out, 160, 8000), 160);
        for (s = 0; s < 160; s++) wrong += out[s] != 32767;
    }
    for (i = 0; i < 64; i++) CHECK_EQ_INT(media_mixer_put(m, i, lo, 160, 8000), MEDIA_OK);
    media_mixer_mix(m);
    for (i = 0; i < 64; i++) {
        CHECK_EQ_INT(media_mixer_get(m, i, out, 160, 8000), 160);
        for (s = 0; s < 160; s++) wrong += out[s] != -32768;
    }
    CHECKF(wrong == 0, "%d samples not saturated to the sum's sign", wrong);
    media_mixer_destroy(m);
}

/* Roles and gain: muted and listen-only parties are not heard but hear;
   speak-only parties are heard and get nothing; +6.02 dB doubles exactly,
   -6.02 dB halves, -96 dB is silence. */
static void test_roles_and_gain(void)
{
    media_mixer *m = make(8000, 4, NULL);
    int16_t x[4][160], out[160];
    int i, s, bad = 0, a, b, l, k;
    if (!m) return;
    a = media_mixer_join(m, MEDIA_MIXER_TALK);
    b = media_mixer_join(m, MEDIA_MIXER_TALK | MEDIA_MIXER_MUTED);
    l = media_mixer_join(m, MEDIA_MIXER_LISTEN);
    k = media_mixer_join(m, MEDIA_MIXER_SPEAK);
    CHECK(a == 0 && b == 1 && l == 2 && k == 3);
    for (i = 0; i < 4; i++) for (s = 0; s < 160; s++) x[i][s] = (int16_t)(2 * rnd16(2000));
    for (i = 0; i < 4; i++) media_mixer_put(m, i, x[i], 160, 8000);
    media_mixer_mix(m);
    CHECK_EQ_INT(media_mixer_get(m, a, out, 160, 8000), 160);
    for (s = 0; s < 160; s++) bad += out[s] != x[k][s];                 /* not b, not l, not itself */
    CHECK_EQ_INT(media_mixer_get(m, b, out, 160, 8000), 160);
    for (s = 0; s < 160; s++) bad += out[s] != x[a][s] + x[k][s];       /* muted still hears */
    CHECK_EQ_INT(media_mixer_get(m, l, out, 160, 8000), 160);
    for (s = 0; s < 160; s++) bad += out[s] != x[a][s] + x[k][s];
    CHECK_EQ_INT(media_mixer_get(m, k, out, 160, 8000), 0);             /* speak-only hears nothing */
    CHECKF(bad == 0, "roles: %d samples wrong", bad);

    CHECK_EQ_INT(media_mixer_flags_set(m, b, MEDIA_MIXER_TALK), MEDIA_OK);   /* unmuted */
    CHECK_EQ_INT(media_mixer_gain_set(m, a, 20 * log10(2.0)), MEDIA_OK);
    CHECK_EQ_INT(media_mixer_gain_set(m, b, -20 * log10(2.0)), MEDIA_OK);
    CHECK_EQ_INT(media_mixer_gain_set(m, k, -96.0), MEDIA_OK);
    for (i = 0; i < 4; i++) media_mixer_put(m, i, x[i], 160, 8000);
    media_mixer_mix(m);
    CHECK_EQ_INT(media_mixer_get(m, l, out, 160, 8000), 160);
    bad = 0;
    for (s = 0; s < 160; s++) bad += out[s] != clamp16(2 * x[a][s] + x[b][s] / 2);
    CHECKF(bad == 0, "gain: %d samples differ from 2a + b/2", bad);
    CHECK_EQ_INT(media_mixer_gain_set(m, a, 24.5), MEDIA_EINVAL);
    CHECK_EQ_INT(media_mixer_gain_set(m, a, NAN), MEDIA_EINVAL);
    CHECK_EQ_INT(media_mixer_flags_set(m, a, 8), MEDIA_EINVAL);
    media_mixer_destroy(m);
}

/* One run on a clock of one sample a step, a mix every 160 steps: parties
   0-2 put each frame before it is mixed (in uneven chunks); party 3 (when
   `with`) joins at step t_join, puts 7 samples every 7 steps of its own
   stream from then on, and leaves at step t_leave. Party 2's output and
   party 3's are kept. */
#define JL_FRAMES 12
#define JL_LEN (160 * JL_FRAMES)
static int16_t jl_src[4][JL_LEN];
static void join_leave_run(int with, int t_join, int t_leave, int16_t *heard2, int16_t *heard3, int *n3)
{
    static const int chunks[] = { 37, 37, 1, 50, 35 };
    media_mixer *m = make(8000, 8, NULL);
    int t, i, k, got, n2 = 0, d = -1, dput = 0;
    *n3 = 0;
    if (!m) return;
    for (i = 0; i < 3; i++) media_mixer_join(m, MEDIA_MIXER_TALK);
    for (t = 0; t < JL_LEN; t++) {
        if (with && t == t_join) d = media_mixer_join(m, MEDIA_MIXER_TALK);
        if (with && t == t_leave) { media_mixer_leave(m, d); d = -1; }
        if (d >= 0 && (t - t_join + 1) % 7 == 0) {
            media_mixer_put(m, d, jl_src[3] + dput, 7, 8000);
            dput += 7;
        }
        if ((t + 1) % 160 == 0) {
            for (i = 0; i < 3; i++)
                for (k = 0, got = t + 1 - 160; k < 5; got += chunks[k++])
                    media_mixer_put(m, i, jl_src[i] + got, (size_t)chunks[k], 8000);
            media_mixer_mix(m);
            got = media_mixer_get(m, 2, heard2 + n2, 160, 8000);
            n2 += got > 0 ? got : 0;
            if (d >= 0) {
                got = media_mixer_get(m, d, heard3 + *n3, 160, 8000);
                *n3 += got > 0 ? got : 0;
            }
        }
    }
    CHECK_EQ_INT(n2, JL_LEN);
    media_mixer_destroy(m);
}

/* A party that joins or leaves, at any phase of the frame, changes nothing
   for the others but adding its own audio: the run with it, less the run
   without it, is exactly its samples (as many as it had put by each mix,
   in order, nothing lost or repeated) while it was there, and zero before
   and after. And it hears the others from its first mix on. */
static void test_join_leave_every_phase(void)
{
    static int16_t with2[JL_LEN], without2[JL_LEN], heard3[JL_LEN], dummy[JL_LEN];
    int i, s, phase, bad = 0, bad3 = 0, badn = 0, n3;
    harness_seed(11);
    for (i = 0; i < 4; i++) for (s = 0; s < JL_LEN; s++) jl_src[i][s] = rnd16(4000);
    join_leave_run(0, 0, 0, without2, dummy, &n3);
    for (phase = 0; phase < 160; phase++) {
        const int t_join = 3 * 160 + phase, t_leave = 8 * 160 + (phase * 7) % 160;
        const int first = (t_join + 1 + 159) / 160, last = (t_leave + 1 + 159) / 160 - 1;   /* mixes 1-based */
        int mix, taken = 0;
        join_leave_run(1, t_join, t_leave, with2, heard3, &n3);
        for (mix = 1; mix <= JL_FRAMES; mix++) {
            int avail = 0, take = 0;
            if (mix >= first && mix <= last) {
                avail = (160 * mix - t_join) / 7 * 7 - taken;   /* what it had put and not yet had mixed */
                take = avail < 160 ? avail : 160;
            }
            for (s = 0; s < 160; s++) {
                int diff = with2[(mix - 1) * 160 + s] - without2[(mix - 1) * 160 + s];
                bad += diff != (s < take ? jl_src[3][taken + s] : 0);
            }
            taken += take;
        }
        badn += n3 != (last - first + 1) * 160;
        for (s = 0; s < n3; s++) {
            int at = (first - 1) * 160 + s;
            bad3 += heard3[s] != jl_src[0][at] + jl_src[1][at] + jl_src[2][at];
        }
    }
    CHECKF(bad == 0, "what the others heard of a party joining and leaving at each phase: %d samples off", bad);
    CHECKF(bad3 == 0, "what the joiner heard: %d samples off", bad3);
    CHECKF(badn == 0, "the joiner's output was not one frame per mix it took part in (%d phases)", badn);
}

/* Parties at other rates: a 16 kHz party's 1000 Hz tone and an 8 kHz
   party's 600 Hz tone, mixed at 8 kHz, heard by a 48 kHz party at their
   levels (within 0.2 dB) and frequencies; the 16 kHz party hears the 600 Hz
   tone and nothing of its own. Samples in match samples out over time. */
static void test_rates(void)
{
    static int16_t a16[320], c8[160], out48[48000], out16[16000], out8[8000];
    media_mixer *m = make(8000, 4, NULL);
    int f, s, a, c, l, n48 = 0, n16 = 0, n8 = 0, got;
    const double amp = 32768 * pow(10, -10 / 20.0), amp2 = 32768 * pow(10, -16 / 20.0);
    if (!m) return;
    a = media_mixer_join(m, MEDIA_MIXER_TALK);
    c = media_mixer_join(m, MEDIA_MIXER_TALK);
    l = media_mixer_join(m, MEDIA_MIXER_LISTEN);
    for (f = 0; f < 50; f++) {
        for (s = 0; s < 320; s++) a16[s] = (int16_t)floor(amp * sin(2 * PI * 1000 * (f * 320 + s) / 16000.0) + 0.5);
        for (s = 0; s < 160; s++) c8[s] = (int16_t)floor(amp2 * sin(2 * PI * 600 * (f * 160 + s) / 8000.0) + 0.5);
        CHECK_EQ_INT(media_mixer_put(m, a, a16, 320, 16000), MEDIA_OK);
        CHECK_EQ_INT(media_mixer_put(m, c, c8, 160, 8000), MEDIA_OK);
        media_mixer_mix(m);
        if ((got = media_mixer_get(m, l, out48 + n48, 960, 48000)) > 0) n48 += got;
        if ((got = media_mixer_get(m, a, out16 + n16, 320, 16000)) > 0) n16 += got;
        if ((got = media_mixer_get(m, c, out8 + n8, 160, 8000)) > 0) n8 += got;
    }
    /* the converters' delay holds back a few ms once, then every frame is whole */
    CHECKF(n48 > 48000 - 480 && n48 <= 48000, "48 kHz listener got %d of 48000", n48);
    CHECKF(n16 > 16000 - 160 && n16 <= 16000, "16 kHz party got %d of 16000", n16);
    CHECK_EQ_INT(n8, 8000);   /* at the mix's rate every frame is whole (the 16 kHz input's first came short) */
    CHECK_NEAR(tone_dbfs(out48 + 4800, 38400, 1000, 48000), -10, 0.2);
    CHECK_NEAR(tone_dbfs(out48 + 4800, 38400, 600, 48000), -16, 0.2);
    CHECK_NEAR(tone_dbfs(out16 + 1600, 12800, 600, 16000), -16, 0.2);
    CHECKF(tone_dbfs(out16 + 1600, 12800, 1000, 16000) < -100, "the 16 kHz party hears itself at %.1f dBFS",
           tone_dbfs(out16 + 1600, 12800, 1000, 16000));
    CHECK_NEAR(tone_dbfs(out8 + 800, 6400, 1000, 8000), -10, 0.2);
    CHECKF(tone_dbfs(out8 + 800, 6400, 600, 8000) < -100, "the 8 kHz party hears itself");
    media_mixer_destroy(m);
}

/* Active speaker: the loudest above -40 dBFS takes over after 200 ms at
   3 dB above the speaker; 1 dB louder, or 10 dB louder for 100 ms, does
   not; after 1 s below the threshold there is no speaker. */
static int g_spk[16], g_nspk, g_spk_at[16], g_frame;
static void on_speaker(media_mixer *m, int party, void *u)
{
    (void)m; (void)u;
    if (g_nspk < 16) { g_spk_at[g_nspk] = g_frame; g_spk[g_nspk++] = party; }
}
static void speak(media_mixer *m, const double db[3], int frames)
{
    int16_t x[160];
    int i, s;
    for (; frames > 0; frames--, g_frame++) {
        for (i = 0; i < 3; i++) {
            double amp = db[i] <= -100 ? 0 : 32768 * pow(10, db[i] / 20);
            for (s = 0; s < 160; s++) x[s] = (int16_t)(amp * sin(2 * PI * (400 + 100 * i) * (g_frame * 160 + s) / 8000.0));
            media_mixer_put(m, i, x, 160, 8000);
        }
        media_mixer_mix(m);
    }
}
static void test_active_speaker(void)
{
    media_mixer_config c;
    media_mixer *m;
    media_mixer_party_stats st;
    const double a[3] = { -20, -100, -100 }, b1[3] = { -20, -19, -100 }, b10[3] = { -20, -10, -100 };
    const double quiet[3] = { -100, -100, -100 }, soft[3] = { -50, -100, -100 };
    int i;
    media_mixer_config_init(&c);
    c.speaker = on_speaker;
    m = make(8000, 3, &c);
    if (!m) return;
    for (i = 0; i < 3; i++) media_mixer_join(m, MEDIA_MIXER_TALK);
    g_nspk = 0; g_frame = 0;
    speak(m, soft, 25);                    /* below the threshold: nobody */
    CHECK_EQ_INT(g_nspk, 0);
    speak(m, a, 25);                       /* frames 25..: A after 200 ms = 10 frames */
    CHECK_EQ_INT(g_nspk, 1);
    CHECK_EQ_INT(g_spk[0], 0);
    CHECK_EQ_INT(g_spk_at[0], 25 + 9);
    CHECK_EQ_INT(media_mixer_speaker_get(m), 0);
    speak(m, b1, 50);                      /* 1 dB louder: A stays */
    speak(m, b10, 5);                      /* 10 dB louder for 100 ms (and its decay): A stays */
    speak(m, a, 10);
    CHECK_EQ_INT(g_nspk, 1);
    speak(m, b10, 20);                     /* for 400 ms: B after 200 */
    CHECK_EQ_INT(g_nspk, 2);
    CHECK_EQ_INT(g_spk[1], 1);
    CHECK_EQ_INT(g_spk_at[1], 25 + 25 + 50 + 5 + 10 + 9);
    CHECK_EQ_INT(media_mixer_party_stats_get(m, 1, &st), MEDIA_OK);
    CHECK_EQ_INT(st.speaker, 1);
    CHECK_NEAR(st.level_db, -13.0, 0.3);   /* a sine 10 dB below full scale: -13 dBFS of power */
    g_frame = 0;
    speak(m, quiet, 80);                   /* silence: nobody 1 s after B's level fell under -40 */
    CHECK_EQ_INT(g_nspk, 3);
    CHECK_EQ_INT(g_spk[2], -1);
    /* -13 to -40 dBFS at 1.74 dB a frame: 16 frames, then 50 */
    CHECKF(g_spk_at[2] >= 50 + 14 && g_spk_at[2] <= 50 + 17, "no speaker after %d frames of silence", g_spk_at[2] + 1);
    CHECK_EQ_INT(media_mixer_party_stats_get(m, 1, &st), MEDIA_OK);
    CHECK_EQ_INT(st.speaker, 0);
    CHECK(st.level_db < -60);
    /* the speaker leaving is a change too */
    g_frame = 0;
    speak(m, a, 10);
    CHECK_EQ_INT(g_nspk, 4);
    CHECK_EQ_INT(media_mixer_leave(m, 0), MEDIA_OK);
    CHECK_EQ_INT(g_nspk, 5);
    CHECK_EQ_INT(g_spk[4], -1);
    media_mixer_destroy(m);
}

/* The recording is the mix callback's frames, sample for sample. */
static void test_record(void)
{
    static int16_t cb[50 * 160], file[50 * 160 + 1];
    media_mixer_config c;
    media_mixer *m;
    media_wav_file f;
    char path[256];
    int16_t x[160];
    int i, s, n;
    const char *tmp = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/media_mixer_%ld.wav", tmp && *tmp ? tmp : "/tmp", (long)getpid());
    media_mixer_config_init(&c);
    c.mix = on_mix;
    m = make(16000, 2, &c);
    if (!m) return;
    CHECK_EQ_INT(media_mixer_record(m, "/nonexistent-dir/x.wav"), MEDIA_EIO);
    media_mixer_join(m, MEDIA_MIXER_TALK);
    media_mixer_join(m, MEDIA_MIXER_TALK);
    c.rate = 8000;
    media_mixer_destroy(m);
    m = make(8000, 2, &c);
    if (!m) return;
    media_mixer_join(m, MEDIA_MIXER_TALK);
    media_mixer_join(m, MEDIA_MIXER_TALK);
    CHECK_EQ_INT(media_mixer_record(m, path), MEDIA_OK);
    for (i = 0; i < 50; i++) {
        for (s = 0; s < 160; s++) x[s] = rnd16(20000);
        media_mixer_put(m, 0, x, 160, 8000);
        for (s = 0; s < 160; s++) x[s] = rnd16(20000);
        media_mixer_put(m, 1, x, 160, 8000);
        media_mixer_mix(m);
        memcpy(cb + i * 160, g_mixed, sizeof x);
    }
    CHECK_EQ_INT(media_mixer_record(m, NULL), MEDIA_OK);
    media_mixer_mix(m);   /* not recorded */
    CHECK_EQ_INT(media_wav_open_read(&f, path), MEDIA_OK);
    CHECK_EQ_INT(f.info.sample_rate, 8000);
    n = media_wav_read(&f, file, 50 * 160 + 1);
    CHECK_EQ_INT(n, 50 * 160);
    CHECK(n == 50 * 160 && memcmp(file, cb, sizeof cb) == 0);
    media_wav_close(&f);
    remove(path);
    media_mixer_destroy(m);   /* destroying while recording finishes the file */
}

/* Capacities and arguments: each refused with its result, nothing else moved. */
static void test_capacities(void)
{
    media_mixer_config c;
    media_mixer *m;
    int16_t x[160] = { 0 };
    static char mem[1 << 16];
    size_t need;
    int err = 0;
    media_mixer_config_init(&c);
    c.rate = 11025;
    CHECK_EQ_INT(media_mixer_size(&c), 0);   /* 220.5 samples a frame */
    CHECK(media_mixer_create(&c, &err) == NULL && err == MEDIA_EINVAL);
    media_mixer_config_init(&c);
    c.queue_frames = 1;
    CHECK_EQ_INT(media_mixer_size(&c), 0);
    memset(&c, 0, sizeof c);
    c.rate = 8000; c.frame_ms = 20; c.max_parties = 2; c.queue_frames = 3;
    CHECK_EQ_INT(media_mixer_size(&c), 0);   /* not from config_init */
    media_mixer_config_init(&c);
    c.max_parties = 2;
    c.converters = 1;
    need = media_mixer_size(&c);
    CHECK(need > 0 && need <= sizeof mem);
    CHECK_EQ_INT(media_mixer_init((media_mixer *)(void *)mem, need - 1, &c), MEDIA_ENOSPC);
    CHECK_EQ_INT(media_mixer_init((media_mixer *)(void *)mem, need, &c), MEDIA_OK);
    m = (media_mixer *)(void *)mem;
    CHECK_EQ_INT(media_mixer_join(m, 0x10), MEDIA_EINVAL);
    CHECK_EQ_INT(media_mixer_join(m, MEDIA_MIXER_TALK), 0);
    CHECK_EQ_INT(media_mixer_join(m, MEDIA_MIXER_TALK), 1);
    CHECK_EQ_INT(media_mixer_join(m, MEDIA_MIXER_TALK), MEDIA_ENOSPC);
    CHECK_EQ_INT(media_mixer_put(m, 0, x, 160, 16000), MEDIA_OK);      /* takes the one converter */
    CHECK_EQ_INT(media_mixer_put(m, 1, x, 160, 16000), MEDIA_ENOSPC);
    CHECK_EQ_INT(media_mixer_get(m, 1, x, 160, 48000), MEDIA_ENOSPC);
    CHECK_EQ_INT(media_mixer_put(m, 1, x, 160, 8000), MEDIA_OK);       /* its own rate needs none */
    CHECK_EQ_INT(media_mixer_put(m, 1, x, 160, 7999), MEDIA_EINVAL);
    CHECK_EQ_INT(media_mixer_put(m, 1, x, 160, 48001), MEDIA_EINVAL);
    CHECK_EQ_INT(media_mixer_put(m, 1, NULL, 160, 8000), MEDIA_EINVAL);
    CHECK_EQ_INT(media_mixer_put(m, 1, x, (size_t)INT_MAX + 1, 8000), MEDIA_EINVAL);
    CHECK_EQ_INT(media_mixer_put(m, 2, x, 160, 8000), MEDIA_EINVAL);
    CHECK_EQ_INT(media_mixer_put(m, -1, x, 160, 8000), MEDIA_EINVAL);
    CHECK_EQ_INT(media_mixer_get(m, 1, x, 160, 8000), 0);              /* nothing mixed yet */
    CHECK_EQ_INT(media_mixer_leave(m, 0), MEDIA_OK);                  /* frees the converter */
    CHECK_EQ_INT(media_mixer_leave(m, 0), MEDIA_EINVAL);
    CHECK_EQ_INT(media_mixer_put(m, 1, x, 160, 16000), MEDIA_OK);
    CHECK_EQ_INT(media_mixer_join(m, MEDIA_MIXER_TALK), 0);           /* the lowest free number */
    CHECK_EQ_INT(media_mixer_mix(NULL), MEDIA_EINVAL);
    CHECK_EQ_INT(media_mixer_speaker_get(NULL), -1);
    CHECK_EQ_INT(media_mixer_record(m, NULL), MEDIA_OK);   /* all a mixer in caller memory needs */
}

/* Queues: a party putting faster than the mix loses the oldest (counted),
   one getting slower than the mix too; a party whose input stops is an
   underrun each frame, but only after it has put something. */
static void test_queues(void)
{
    media_mixer *m = make(8000, 3, NULL);
    media_mixer_party_stats st;
    int16_t x[640], out[640];
    int i;
    if (!m) return;
    for (i = 0; i < 640; i++) x[i] = (int16_t)i;
    media_mixer_join(m, MEDIA_MIXER_TALK);
    media_mixer_join(m, MEDIA_MIXER_TALK);
    media_mixer_join(m, MEDIA_MIXER_LISTEN);
    CHECK_EQ_INT(media_mixer_put(m, 0, x, 640, 8000), MEDIA_OK);   /* four frames into three */
    media_mixer_mix(m);
    CHECK_EQ_INT(media_mixer_get(m, 2, out, 160, 8000), 160);
    CHECK(out[0] == 160 && out[159] == 319);                         /* the oldest frame went */
    media_mixer_party_stats_get(m, 0, &st);
    CHECK_EQ_INT(st.input_dropped, 160);
    CHECK_EQ_INT(st.samples_in, 640);
    media_mixer_party_stats_get(m, 1, &st);
    CHECK_EQ_INT(st.underruns, 0);                                   /* never put: not an underrun */
    media_mixer_put(m, 1, x, 80, 8000);
    for (i = 0; i < 5; i++) media_mixer_mix(m);
    media_mixer_party_stats_get(m, 1, &st);
    CHECK_EQ_INT(st.underruns, 5);
    CHECK_EQ_INT(st.frames, 6);
    media_mixer_party_stats_get(m, 2, &st);                          /* 6 frames mixed, 1 taken, 3 held */
    CHECK_EQ_INT(st.output_dropped, 2 * 160);
    CHECK_EQ_INT(media_mixer_get(m, 2, out, 640, 8000), 480);
    media_mixer_destroy(m);
}

/* poll: mixes what is due, says when the next frame is, and skips rather
   than bursts when called very late. */
static void test_poll(void)
{
    media_mixer *m = make(8000, 2, NULL);
    media_mixer_party_stats st;
    const uint64_t t0 = 5000000;
    if (!m) return;
    media_mixer_join(m, MEDIA_MIXER_TALK);
    CHECK_EQ_INT(media_mixer_poll(m, t0), 20);
    CHECK_EQ_INT(media_mixer_poll(m, t0 + 19001), 1);
    CHECK_EQ_INT(media_mixer_poll(m, t0 + 20000), 20);
    media_mixer_party_stats_get(m, 0, &st);
    CHECK_EQ_INT(st.frames, 2);
    CHECK_EQ_INT(media_mixer_poll(m, t0 + 1000000 + 5000), 15);      /* 48 frames due: 3 mixed */
    media_mixer_party_stats_get(m, 0, &st);
    CHECK_EQ_INT(st.frames, 5);
    CHECK_EQ_INT(media_mixer_poll(m, t0 + 1020000), 20);
    media_mixer_party_stats_get(m, 0, &st);
    CHECK_EQ_INT(st.frames, 6);
    media_mixer_destroy(m);
}

/* A conference of real sessions on the simulated network: three phones,
   each sending its own tone, called into three sessions joined to one
   mixer. Each phone hears the other two tones at their level (within 1 dB
   after G.711) and its own at least 40 dB down. */
static media_mixer *g_conf;
static int conf_party(void *u) { return (int)((ep *)u - g_ep) - 3; }
static void conf_in(media_session *s, const int16_t *pcm, size_t n, uint32_t rate, void *u)
{
    (void)s;
    CHECK_EQ_INT(media_mixer_put(g_conf, conf_party(u), pcm, n, rate), MEDIA_OK);
}
static int conf_out(media_session *s, int16_t *pcm, size_t n, uint32_t rate, void *u)
{
    int got = media_mixer_get(g_conf, conf_party(u), pcm, n, rate);
    (void)s;
    return got > 0 ? got : 0;
}
static void test_conference_of_sessions(void)
{
    static const double tones[3] = { 440, 700, 1100 };
    static const char *ips[6] = { "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.1.1", "10.0.1.2", "10.0.1.3" };
    media_session_config c;
    media_mixer_party_stats st;
    int i, j;
    uint64_t end;
    net_reset();
    g_conf = make(8000, 3, NULL);
    if (!g_conf) return;
    for (i = 0; i < 6; i++) {
        ep_config(&c, i, ips[i], (uint16_t)(4000 + 10 * i));
        if (i >= 3) {
            c.handler.audio_in = conf_in;
            c.handler.audio_out = conf_out;
            CHECK_EQ_INT(media_mixer_join(g_conf, MEDIA_MIXER_TALK), i - 3);
        } else {
            g_ep[i].tone_hz = tones[i];
        }
        CHECK(ep_create(i, &c) != NULL);
    }
    for (i = 0; i < 3; i++) CHECK_EQ_INT(net_negotiate(i, i + 3), MEDIA_OK);
    for (end = vnow + 3000000; vnow < end;) {
        media_mixer_poll(g_conf, vnow);
        net_run_ms(1);
    }
    for (i = 0; i < 3; i++) {
        const ep *e = &g_ep[i];
        const size_t from = 8000, len = e->ncap > from ? e->ncap - from : 0;   /* after the first second */
        CHECKF(len >= 12000, "phone %d heard %zu samples", i, len);
        if (len < 12000) continue;
        printf("      phone %d (%4.0f Hz) hears", i, tones[i]);
        for (j = 0; j < 3; j++) printf(" %4.0f Hz at %6.1f%s", tones[j], tone_dbfs(e->cap + from, len, tones[j], 8000), j < 2 ? "," : " dBFS\n");
        for (j = 0; j < 3; j++) {
            double db = tone_dbfs(e->cap + from, len, tones[j], 8000);
            double want = 20 * log10(8000 / 32768.0);
            if (j == i) CHECKF(db < want - 40, "phone %d hears its own %.0f Hz at %.1f dBFS", i, tones[j], db);
            else CHECKF(fabs(db - want) < 1.0, "phone %d hears %.0f Hz at %.1f dBFS, sent at %.1f", i, tones[j], db, want);
        }
        CHECK_EQ_INT(media_mixer_party_stats_get(g_conf, i, &st), MEDIA_OK);
        CHECKF(st.underruns < 5 && st.input_dropped == 0 && st.output_dropped == 0,
               "party %d: %u underruns, %u in and %u out dropped", i, st.underruns, st.input_dropped, st.output_dropped);
    }
    net_reset();
    media_mixer_destroy(g_conf);
}

/* ---- the bridge ---- */

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

/* ---- several streams on one description ---- */

static void setup4(void)
{
    static const char *ips[4] = { "10.0.0.1", "10.0.0.1", "10.0.0.2", "10.0.0.2" };
    static const double tones[4] = { 440, 1000, 700, 1500 };
    media_session_config c;
    int i;
    net_reset();
    for (i = 0; i < 4; i++) {
        ep_config(&c, i, ips[i], (uint16_t)(4000 + 2 * (i & 1) * 10));
        g_ep[i].tone_hz = tones[i];
        CHECK(ep_create(i, &c) != NULL);
    }
}

/* count of "m=" lines, and the n-th m= line's port */
static int mlines(const char *sdp) { int n = 0; const char *p = sdp; while ((p = strstr(p, "m=")) != NULL) { n++; p += 2; } return n; }
static int mport(const char *sdp, int k)
{
    const char *p = sdp;
    while (k-- >= 0) { if (!(p = strstr(p, "m="))) return -1; p += 2; }
    return atoi(strchr(p, ' ') + 1);
}

static double heard(int i, double hz)
{
    const ep *e = &g_ep[i];
    size_t from = e->ncap > 8000 ? e->ncap - 8000 : 0;
    return sine_snr(e->cap + from, e->ncap - from, hz, 8000);
}

static void test_two_streams_each_way(void)
{
    media_session *a[2], *b[2];
    char offer[4096], answer[4096];
    int n, k;
    setup4();
    a[0] = g_ep[0].s; a[1] = g_ep[1].s; b[0] = g_ep[2].s; b[1] = g_ep[3].s;
    n = media_session_group_offer_create(a, 2, offer, sizeof offer);
    CHECKF(n > 0 && mlines(offer) == 2 && mport(offer, 0) == 4000 && mport(offer, 1) == 4020, "offer %d: %s", n, offer);
    CHECK_EQ_INT(media_session_group_remote_sdp_set(b, 2, offer, (size_t)n), MEDIA_OK);
    n = media_session_group_answer_create(b, 2, answer, sizeof answer);
    CHECKF(n > 0 && mlines(answer) == 2 && mport(answer, 0) == 4000 && mport(answer, 1) == 4020, "answer: %s", answer);
    CHECK_EQ_INT(media_session_group_remote_sdp_set(a, 2, answer, (size_t)n), MEDIA_OK);
    for (k = 0; k < 4; k++) CHECK_EQ_INT(media_session_stream_get(g_ep[k].s, NULL, 0), k & 1);
    for (k = 0; k < 4; k++) g_ep[k].next_poll = vnow;
    net_run_ms(2000);
    /* each hears its own m-line's peer and nothing of the other stream */
    CHECKF(heard(2, 440) > 30 && heard(3, 1000) > 30, "B0 hears 440 at %.1f, B1 1000 at %.1f", heard(2, 440), heard(3, 1000));
    CHECKF(heard(0, 700) > 30 && heard(1, 1500) > 30, "A0 hears 700 at %.1f, A1 1500 at %.1f", heard(0, 700), heard(1, 1500));
    CHECKF(heard(2, 1000) < 0 && heard(3, 440) < 0, "the streams are apart (%.1f, %.1f)", heard(2, 1000), heard(3, 440));

    /* stream 1 on hold: a re-offer of both m-lines, in place */
    CHECK_EQ_INT(media_session_hold(a[1]), MEDIA_OK);
    n = media_session_group_offer_create(a, 2, offer, sizeof offer);
    CHECKF(n > 0 && mlines(offer) == 2 && mport(offer, 0) == 4000 && mport(offer, 1) == 4020, "re-offer: %s", offer);
    CHECK(n > 0 && strstr(offer, "a=sendonly") && strstr(offer, "a=sendrecv") &&
          strstr(offer, "a=sendrecv") < strstr(offer, "a=sendonly"));
    CHECK(n > 0 && strstr(offer, "o=- ") && strstr(offer, " 2 IN IP4"));   /* the version moved on once */
    CHECK_EQ_INT(media_session_group_remote_sdp_set(b, 2, offer, (size_t)n), MEDIA_OK);
    n = media_session_group_answer_create(b, 2, answer, sizeof answer);
    CHECK(n > 0 && strstr(answer, "a=recvonly") && strstr(answer, "a=sendrecv") < strstr(answer, "a=recvonly"));
    CHECK_EQ_INT(media_session_group_remote_sdp_set(a, 2, answer, (size_t)n), MEDIA_OK);
    CHECK_EQ_INT(media_session_state_get(a[0]), MEDIA_STATE_ACTIVE);
    CHECK_EQ_INT(media_session_state_get(a[1]), MEDIA_STATE_HELD);
    CHECK_EQ_INT(media_session_state_get(b[1]), MEDIA_STATE_PAUSED);
    g_ep[0].ncap = g_ep[2].ncap = 0;
    net_run_ms(1500);
    CHECKF(heard(2, 440) > 30 && heard(0, 700) > 30, "stream 0 goes on during the hold (%.1f, %.1f)", heard(2, 440), heard(0, 700));
    CHECK_EQ_INT(media_session_resume(a[1]), MEDIA_OK);
    n = media_session_group_offer_create(a, 2, offer, sizeof offer);
    CHECK(n > 0 && mlines(offer) == 2 && !strstr(offer, "a=sendonly"));
    CHECK_EQ_INT(media_session_group_remote_sdp_set(b, 2, offer, (size_t)n), MEDIA_OK);
    n = media_session_group_answer_create(b, 2, answer, sizeof answer);
    CHECK_EQ_INT(media_session_group_remote_sdp_set(a, 2, answer, (size_t)n), MEDIA_OK);
    g_ep[3].ncap = 0;
    net_run_ms(1500);
    CHECKF(heard(3, 1000) > 30, "stream 1 back after the resume (%.1f)", heard(3, 1000));
    net_reset();
}

/* SIPREC-style: a recording client offers two sendonly streams (the two
   directions of a call), after a video m-line we do not take */
static void test_recording_offer(void)
{
    static const char offer[] =
        "v=0\r\no=src 7 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
        "m=video 4002 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
        "m=audio 4000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\na=label:1\r\na=mid:caller\r\na=sendonly\r\n"
        "m=audio 4020 RTP/AVP 8 0\r\na=label:2\r\na=mid:callee\r\na=sendonly\r\n";
    media_session *r[2];
    char answer[4096], mid[16];
    int n;
    setup4();
    r[0] = g_ep[2].s; r[1] = g_ep[3].s;
    CHECK_EQ_INT(media_session_group_remote_sdp_set(r, 2, offer, sizeof offer - 1), MEDIA_OK);
    n = media_session_group_answer_create(r, 2, answer, sizeof answer);
    CHECKF(n > 0 && mlines(answer) == 3 && mport(answer, 0) == 0 && mport(answer, 1) == 4000 && mport(answer, 2) == 4020,
           "answer: %s", answer);
    CHECK(n > 0 && strstr(answer, "a=mid:caller") && strstr(answer, "a=mid:callee") &&
          strstr(answer, "a=mid:caller") < strstr(answer, "a=mid:callee"));
    CHECK(n > 0 && strstr(answer, "m=audio 4020 RTP/AVP 8") != NULL);   /* the offer's first choice on that line */
    CHECK_EQ_INT(media_session_stream_get(r[0], mid, sizeof mid), 1);
    CHECK(!strcmp(mid, "caller"));
    CHECK_EQ_INT(media_session_stream_get(r[1], mid, sizeof mid), 2);
    CHECK(!strcmp(mid, "callee"));
    CHECK_EQ_INT(media_session_stream_get(r[1], mid, 3), MEDIA_ENOSPC);
    net_run_ms(100);
    CHECK_EQ_INT(media_session_state_get(r[0]), MEDIA_STATE_PAUSED);   /* they send, we listen */
    CHECK_EQ_INT(media_session_state_get(r[1]), MEDIA_STATE_PAUSED);
    net_reset();
}

/* fewer audio m-lines than sessions: refused, nothing negotiated */
static void test_group_errors(void)
{
    static const char offer[] = "v=0\r\no=x 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";
    media_session *r[2];
    char buf[2048];
    setup4();
    r[0] = g_ep[2].s; r[1] = g_ep[3].s;
    CHECK_EQ_INT(media_session_group_remote_sdp_set(r, 2, offer, sizeof offer - 1), MEDIA_ENEGOTIATION);
    CHECK_EQ_INT(media_session_state_get(r[0]), MEDIA_STATE_IDLE);
    CHECK_EQ_INT(media_session_group_answer_create(r, 2, buf, sizeof buf), MEDIA_ESTATE);
    r[1] = r[0];
    CHECK_EQ_INT(media_session_group_offer_create(r, 2, buf, sizeof buf), MEDIA_EINVAL);
    CHECK_EQ_INT(media_session_group_offer_create(r, 0, buf, sizeof buf), MEDIA_EINVAL);
    r[1] = g_ep[3].s;
    CHECK_EQ_INT(media_session_group_offer_create(r, 2, buf, 100), MEDIA_ENOSPC);
    net_reset();
}

/* The SDP layer alone: the live audio m-line is any one, in answers (the
   first we can take, or the one asked for) and in answer processing (the
   one the answer accepted). */
static void test_sdp_any_audio_mline(void)
{
    static const char two[] = "v=0\r\no=x 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
                              "m=audio 5000 RTP/AVP 9\r\nm=audio 5002 RTP/AVP 8\r\n";   /* G.722 we lack, then PCMA */
    static media_sdp o, a, a2;
    media_sdp_oa_config cfg;
    media_sdp_result r;
    char text[2048];
    CHECK_EQ_INT(media_sdp_parse(&o, two, sizeof two - 1), MEDIA_OK);
    media_sdp_oa_config_init(&cfg);
    cfg.address = "10.0.0.9";
    cfg.port = 6000;
    CHECK_EQ_INT(media_sdp_answer_create(&a, &o, &cfg, &r), MEDIA_OK);
    CHECK_EQ_INT(r.media_index, 1);
    CHECK_EQ_INT(a.media[0].port, 0);
    CHECK_EQ_INT(a.media[1].port, 6000);
    cfg.stream = 1;                                  /* m-line 0 only: nothing in common */
    CHECK_EQ_INT(media_sdp_answer_create(&a2, &o, &cfg, &r), MEDIA_ENEGOTIATION);
    /* our offer of two audio m-lines, the answer taking the second */
    cfg.stream = 0;
    {
        static const char ours[] = "v=0\r\no=- 1 1 IN IP4 10.0.0.9\r\ns=-\r\nc=IN IP4 10.0.0.9\r\nt=0 0\r\n"
                                   "m=audio 6000 RTP/AVP 0\r\nm=audio 6002 RTP/AVP 0\r\n";
        static const char theirs[] = "v=0\r\no=y 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
                                     "m=audio 0 RTP/AVP 0\r\nm=audio 5002 RTP/AVP 0\r\n";
        CHECK_EQ_INT(media_sdp_parse(&o, ours, sizeof ours - 1), MEDIA_OK);
        CHECK_EQ_INT(media_sdp_parse(&a, theirs, sizeof theirs - 1), MEDIA_OK);
        CHECK_EQ_INT(media_sdp_answer_process(&r, &o, &a, &cfg), MEDIA_OK);
        CHECK_EQ_INT(r.media_index, 1);
        CHECK_EQ_INT(r.remote_rtp_port, 5002);
        cfg.stream = 1;
        CHECK_EQ_INT(media_sdp_answer_process(&r, &o, &a, &cfg), MEDIA_EREJECTED);
        cfg.stream = 3;
        CHECK_EQ_INT(media_sdp_answer_process(&r, &o, &a, &cfg), MEDIA_EINVAL);
    }
    /* a re-offer from an answer keeps the live m-line where it was */
    cfg.stream = 0;
    CHECK_EQ_INT(media_sdp_parse(&o, two, sizeof two - 1), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_create(&a, &o, &cfg, &r), MEDIA_OK);
    cfg.previous = &a;
    CHECK_EQ_INT(media_sdp_offer_create(&a2, &cfg), MEDIA_OK);
    CHECK_EQ_INT(a2.media_count, 2);
    CHECK_EQ_INT(a2.media[0].port, 0);
    CHECK_EQ_INT(a2.media[1].port, 6000);
    CHECK(media_sdp_write(text, sizeof text, &a2) > 0);
}

int main(void)
{
    pcmu_only[0] = media_codec_pcmu();
    pcma_only[0] = media_codec_pcma();
    pcmu_only[1] = pcma_only[1] = media_codec_telephone_event();
    /* the mixer */
    RUN(test_sums_exact);
    RUN(test_saturation);
    RUN(test_roles_and_gain);
    RUN(test_join_leave_every_phase);
    RUN(test_rates);
    RUN(test_active_speaker);
    RUN(test_record);
    RUN(test_capacities);
    RUN(test_queues);
    RUN(test_poll);
    RUN(test_conference_of_sessions);
    /* the bridge */
    RUN(test_relay_exact);
    RUN(test_relay_wraps_and_accounting);
    RUN(test_relay_switches);
    RUN(test_transcode);
    RUN(test_dtmf_through);
    RUN(test_lifetimes);
    /* streams */
    RUN(test_two_streams_each_way);
    RUN(test_recording_offer);
    RUN(test_group_errors);
    RUN(test_sdp_any_audio_mline);
    (void)frames_above;
    return harness_summary();
}
