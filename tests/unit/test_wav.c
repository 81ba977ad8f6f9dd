/* WAV read/write and sample-rate conversion.
   Oracles: the RIFF/WAVE layout written out byte by byte from the format's
   definition; ffmpeg (files it writes are read here sample for sample as its
   own decoder reads them; files written here are read back by ffmpeg); for the
   resampler, least-squares sine fits of the output (amplitude and residual)
   and its energy for tones above the output's Nyquist frequency. */
#define _POSIX_C_SOURCE 200809L
#include "../../media.h"
#include "../harness.h"
#include <math.h>
#include <unistd.h>

#define PI 3.14159265358979323846

static const char *tmp_path(const char *name)
{
    static char path[4][512];
    static int k;
    const char *t = getenv("TMPDIR");
    k = (k + 1) % 4;
    snprintf(path[k], sizeof path[k], "%s/media_wav_%ld_%s", t && *t ? t : "/tmp", (long)getpid(), name);
    return path[k];
}

static int have_ffmpeg(void) { return system("ffmpeg -version >/dev/null 2>&1") == 0; }

/* whole file into memory */
static long slurp(const char *path, uint8_t *buf, long cap)
{
    FILE *fp = fopen(path, "rb");
    long n;
    if (!fp) return -1;
    n = (long)fread(buf, 1, (size_t)cap, fp);
    fclose(fp);
    return n;
}

/* ---- headers ---- */

/* A 16-bit stereo 44.1 kHz header spelled out from the RIFF/WAVE definition */
static void test_header_pcm16_by_hand(void)
{
    static const uint8_t want[44] = {
        'R', 'I', 'F', 'F', 0x2C, 0x00, 0x00, 0x00, 'W', 'A', 'V', 'E',       /* 36 + 8 data bytes */
        'f', 'm', 't', ' ', 16, 0, 0, 0, 1, 0, 2, 0,                          /* PCM, 2 channels */
        0x44, 0xAC, 0x00, 0x00, 0x10, 0xB1, 0x02, 0x00, 4, 0, 16, 0,          /* 44100, 176400 B/s, block 4, 16 bits */
        'd', 'a', 't', 'a', 8, 0, 0, 0 };
    media_wav_info info, back;
    uint8_t buf[64];
    memset(&info, 0, sizeof info);
    info.format = MEDIA_WAV_PCM16;
    info.sample_rate = 44100;
    info.channels = 2;
    info.data_bytes = 8;
    CHECK_EQ_INT(media_wav_header_write(buf, sizeof buf, &info), 44);
    CHECK(memcmp(buf, want, 44) == 0);
    CHECK_EQ_INT(media_wav_parse(&back, want, 44), MEDIA_OK);
    CHECK(back.format == 1 && back.sample_rate == 44100 && back.channels == 2 && back.block == 4);
    CHECK(back.data_offset == 44 && back.data_bytes == 8);
    CHECK_EQ_INT(media_wav_header_write(buf, 43, &info), MEDIA_ENOSPC);
}

/* G.711 needs cbSize and a fact chunk (non-PCM formats) */
static void test_header_g711(void)
{
    media_wav_info info, back;
    uint8_t buf[64];
    memset(&info, 0, sizeof info);
    info.format = MEDIA_WAV_PCMU;
    info.sample_rate = 8000;
    info.channels = 1;
    info.data_bytes = 8001;
    CHECK_EQ_INT(media_wav_header_write(buf, sizeof buf, &info), 58);
    CHECK(memcmp(buf + 12, "fmt ", 4) == 0 && buf[16] == 18 && buf[20] == 7 && buf[34] == 8);
    CHECK(memcmp(buf + 38, "fact", 4) == 0 && buf[42] == 4 && buf[46] == 0x41 && buf[47] == 0x1F);   /* 8001 frames */
    CHECK(memcmp(buf + 50, "data", 4) == 0 && buf[54] == 0x41 && buf[55] == 0x1F);
    CHECK(buf[4] == (uint8_t)(50 + 8001 + 1) && buf[5] == (uint8_t)((50 + 8001 + 1) >> 8));      /* odd data: pad byte counted */
    CHECK_EQ_INT(media_wav_parse(&back, buf, 58), MEDIA_OK);
    CHECK(back.format == MEDIA_WAV_PCMU && back.block == 1 && back.data_offset == 58 && back.data_bytes == 8001);
    info.format = MEDIA_WAV_PCMA;
    info.channels = 2;
    CHECK_EQ_INT(media_wav_header_write(buf, sizeof buf, &info), 58);
    CHECK_EQ_INT(media_wav_parse(&back, buf, 58), MEDIA_OK);
    CHECK(back.format == MEDIA_WAV_PCMA && back.block == 2 && back.channels == 2);
    info.format = 3;   /* float */
    CHECK_EQ_INT(media_wav_header_write(buf, sizeof buf, &info), MEDIA_EINVAL);
}

/* Extensible format, chunks before fmt and data, and every malformed form */
static void test_parse_variants_and_malformed(void)
{
    uint8_t f[128];
    media_wav_info info;
    int n = 0;
    static const uint8_t guid_tail[14] = { 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71 };
    memcpy(f, "RIFF\0\0\0\0WAVE", 12); n = 12;
    memcpy(f + n, "LIST\3\0\0\0abc\0", 12); n += 12;           /* odd size: padded */
    memcpy(f + n, "fmt \x28\0\0\0", 8); n += 8;
    memset(f + n, 0, 40);
    f[n] = 0xFE; f[n + 1] = 0xFF; f[n + 2] = 1;                 /* extensible, mono */
    f[n + 4] = 0x80; f[n + 5] = 0x3E;                          /* 16000 */
    f[n + 12] = 2; f[n + 14] = 16; f[n + 16] = 22; f[n + 18] = 16;
    f[n + 24] = 1;                                             /* subformat PCM */
    memcpy(f + n + 26, guid_tail, 14);
    n += 40;
    memcpy(f + n, "data\x10\0\0\0", 8); n += 8;
    CHECK_EQ_INT(media_wav_parse(&info, f, (size_t)n), MEDIA_OK);
    CHECK(info.format == MEDIA_WAV_PCM16 && info.sample_rate == 16000 && info.channels == 1 && info.data_offset == (uint64_t)n);
    /* every truncation before the data chunk: ask for more, never read past */
    {
        int k;
        for (k = 0; k < n; k++) {
            uint8_t *copy = (uint8_t *)malloc((size_t)k + 1);
            memcpy(copy, f, (size_t)k);
            CHECK_EQ_INT(media_wav_parse(&info, copy, (size_t)k), MEDIA_EAGAIN);
            free(copy);
        }
    }
    f[n - 8 - 40 + 26] ^= 1;   /* not the KSDATAFORMAT GUID */
    CHECK_EQ_INT(media_wav_parse(&info, f, (size_t)n), MEDIA_EUNSUPPORTED);
    f[n - 8 - 40 + 26] ^= 1;
    f[n - 8 - 40 + 24] = 3;    /* float subformat */
    CHECK_EQ_INT(media_wav_parse(&info, f, (size_t)n), MEDIA_EUNSUPPORTED);
    f[n - 8 - 40 + 24] = 1;
    f[n - 8 - 40 + 12] = 4;    /* block align disagrees with the format */
    CHECK_EQ_INT(media_wav_parse(&info, f, (size_t)n), MEDIA_EPARSE);
    f[n - 8 - 40 + 12] = 2;
    f[n - 8 - 40 + 4] = 0x40; f[n - 8 - 40 + 5] = 0x1F;   /* 8000: fine */
    CHECK_EQ_INT(media_wav_parse(&info, f, (size_t)n), MEDIA_OK);
    f[n - 8 - 40 + 4] = 0x20; f[n - 8 - 40 + 5] = 0x4E; f[n - 8 - 40 + 6] = 1;   /* 85536 Hz */
    CHECK_EQ_INT(media_wav_parse(&info, f, (size_t)n), MEDIA_EUNSUPPORTED);
    /* WAVs we do not read: big-endian, and the 64-bit forms (EBU Tech 3306 RF64, ITU-R BS.2088 BW64) */
    CHECK_EQ_INT(media_wav_parse(&info, (const uint8_t *)"RIFX\0\0\0\0WAVE", 12), MEDIA_EUNSUPPORTED);
    CHECK_EQ_INT(media_wav_parse(&info, (const uint8_t *)"RF64\xff\xff\xff\xffWAVE", 12), MEDIA_EUNSUPPORTED);
    CHECK_EQ_INT(media_wav_parse(&info, (const uint8_t *)"BW64\xff\xff\xff\xffWAVE", 12), MEDIA_EUNSUPPORTED);
    CHECK_EQ_INT(media_wav_parse(&info, (const uint8_t *)"RIFF\0\0\0\0AVI ", 12), MEDIA_EPARSE);
    /* data before fmt */
    CHECK_EQ_INT(media_wav_parse(&info, (const uint8_t *)"RIFF\0\0\0\0WAVEdata\0\0\0\0", 20), MEDIA_EPARSE);
    /* fmt too short */
    CHECK_EQ_INT(media_wav_parse(&info, (const uint8_t *)"RIFF\0\0\0\0WAVEfmt \4\0\0\0abcd", 24), MEDIA_EPARSE);
    /* a chunk claiming 4 GB: more needed, no overflow */
    CHECK_EQ_INT(media_wav_parse(&info, (const uint8_t *)"RIFF\0\0\0\0WAVEjunk\xff\xff\xff\xff", 20), MEDIA_EAGAIN);
    CHECK_EQ_INT(media_wav_parse(NULL, f, 12), MEDIA_EINVAL);
}

/* ---- files ---- */

/* Written here, read back here and by ffmpeg: every format, mono and stereo */
static void test_write_read_roundtrip(void)
{
    static const uint32_t fmts[3] = { MEDIA_WAV_PCM16, MEDIA_WAV_PCMU, MEDIA_WAV_PCMA };
    static int16_t pcm[2 * 12345], back[2 * 12345 + 10];
    int fi, ch, i;
    harness_seed(11);
    for (i = 0; i < 2 * 12345; i++) pcm[i] = (int16_t)(harness_rand() & 0xFFFF);
    for (fi = 0; fi < 3; fi++) for (ch = 1; ch <= 2; ch++) {
        media_wav_file w, r;
        const char *path = tmp_path("rt.wav");
        int n, total = 0;
        CHECK_EQ_INT(media_wav_open_write(&w, path, fmts[fi], 16000, (uint32_t)ch), MEDIA_OK);
        /* in uneven pieces */
        for (i = 0; i < 12345; i += 1000) CHECK_EQ_INT(media_wav_write(&w, pcm + i * ch, (size_t)(12345 - i < 1000 ? 12345 - i : 1000)), MEDIA_OK);
        CHECK_EQ_INT(media_wav_close(&w), MEDIA_OK);
        CHECK_EQ_INT(media_wav_open_read(&r, path), MEDIA_OK);
        CHECK(r.info.format == fmts[fi] && r.info.channels == (uint32_t)ch && r.info.sample_rate == 16000);
        while ((n = media_wav_read(&r, back + total * ch, 777)) > 0) total += n;
        CHECK_EQ_INT(n, 0);
        CHECK_EQ_INT(total, 12345);
        for (i = 0; i < 12345 * ch; i++) {
            int16_t want = fmts[fi] == MEDIA_WAV_PCM16 ? pcm[i] : fmts[fi] == MEDIA_WAV_PCMU ?
                           media_pcmu_to_linear(media_pcmu_from_linear(pcm[i])) : media_pcma_to_linear(media_pcma_from_linear(pcm[i]));
            if (back[i] != want) { CHECKF(0, "format %u ch %d sample %d: %d vs %d", fmts[fi], ch, i, back[i], want); break; }
        }
        /* loop playback: rewind and read the start again */
        CHECK_EQ_INT(media_wav_rewind(&r), MEDIA_OK);
        CHECK_EQ_INT(media_wav_read(&r, back, 10), 10);
        CHECK_EQ_INT(media_wav_close(&r), MEDIA_OK);
        if (have_ffmpeg()) {
            /* ffmpeg decodes our file to raw 16-bit: the same samples */
            char cmd[1200];
            const char *raw = tmp_path("rt.raw");
            static uint8_t rb[4 * 12345 + 16];
            long got;
            snprintf(cmd, sizeof cmd, "timeout 20 ffmpeg -hide_banner -loglevel error -y -i %s -f s16le %s", path, raw);
            CHECK_EQ_INT(system(cmd), 0);
            got = slurp(raw, rb, (long)sizeof rb);
            CHECK_EQ_INT(got, 2L * 12345 * ch);
            if (got == 2L * 12345 * ch) {
                int bad = 0;
                for (i = 0; i < 12345 * ch; i++) bad += (int16_t)(rb[2 * i] | rb[2 * i + 1] << 8) != back[i];
                CHECKF(bad == 0, "ffmpeg reads %d samples differently", bad);
            }
            remove(raw);
        }
        remove(path);
    }
    if (!have_ffmpeg()) TEST_SKIP("ffmpeg not installed (our files not checked by another reader)");
}

/* Files ffmpeg writes (with its LIST chunk first): read sample for sample as
   ffmpeg itself decodes them */
static void test_read_ffmpeg_files(void)
{
    static const char *codecs[3] = { "pcm_s16le", "pcm_mulaw", "pcm_alaw" };
    static const char *rates[3] = { "8000", "44100", "48000" };
    int c, k;
    if (!have_ffmpeg()) TEST_SKIP("ffmpeg not installed");
    for (c = 0; c < 3; c++) for (k = 0; k < 3; k++) {
        char cmd[1400];
        const char *wav = tmp_path("ff.wav"), *raw = tmp_path("ff.raw");
        static uint8_t rb[4 * 48000];
        static int16_t ours[2 * 48000];
        media_wav_file r;
        long got;
        int n, total = 0, i, bad = 0, ch = k == 1 ? 2 : 1;
        snprintf(cmd, sizeof cmd, "timeout 20 ffmpeg -hide_banner -loglevel error -y -f lavfi -i "
                 "'sine=frequency=%d:sample_rate=%s:duration=0.5' -ac %d -metadata title=media.h -c:a %s %s && "
                 "timeout 20 ffmpeg -hide_banner -loglevel error -y -i %s -f s16le %s",
                 300 + 100 * c, rates[k], ch, codecs[c], wav, wav, raw);
        if (system(cmd) != 0) { CHECKF(0, "ffmpeg failed: %s", cmd); continue; }
        got = slurp(raw, rb, (long)sizeof rb);
        CHECK_EQ_INT(media_wav_open_read(&r, wav), MEDIA_OK);
        CHECK(r.info.sample_rate == (uint32_t)atoi(rates[k]) && r.info.channels == (uint32_t)ch);
        while ((n = media_wav_read(&r, ours + total * ch, 1000)) > 0) total += n;
        media_wav_close(&r);
        CHECK_EQ_INT(2L * total * ch, got);
        for (i = 0; i < total * ch && 2 * i + 1 < got; i++)
            if (ours[i] != (int16_t)(rb[2 * i] | rb[2 * i + 1] << 8)) bad++;
        CHECKF(bad == 0, "%s %s Hz: %d samples differ", codecs[c], rates[k], bad);
        remove(wav);
        remove(raw);
    }
}

/* An RF64 file as ffmpeg writes one: not ours to read, and said so
   (MEDIA_EUNSUPPORTED, not MEDIA_EPARSE: it is a WAV) */
static void test_rf64_refused(void)
{
    const char *wav = tmp_path("rf64.wav");
    char cmd[600];
    media_wav_file r;
    if (!have_ffmpeg()) TEST_SKIP("ffmpeg not installed");
    snprintf(cmd, sizeof cmd, "timeout 20 ffmpeg -hide_banner -loglevel error -y -f lavfi -i "
             "'sine=frequency=400:sample_rate=8000:duration=0.2' -c:a pcm_s16le -rf64 always %s", wav);
    if (system(cmd) != 0) { CHECKF(0, "ffmpeg failed: %s", cmd); return; }
    CHECK_EQ_INT(media_wav_open_read(&r, wav), MEDIA_EUNSUPPORTED);
    remove(wav);
}

/* The header on disk is kept current: a recording cut off without close
   (a crash) is still a valid file holding all but the last second */
static void test_recording_survives_a_crash(void)
{
    static int16_t pcm[8000 * 5 / 2];
    static uint8_t file[200000];
    media_wav_file w;
    media_wav_info info;
    const char *path = tmp_path("crash.wav");
    long n;
    int i;
    for (i = 0; i < 20000; i++) pcm[i] = (int16_t)(8000 * sin(2 * PI * 440 * i / 8000.0));
    CHECK_EQ_INT(media_wav_open_write(&w, path, MEDIA_WAV_PCMU, 8000, 1), MEDIA_OK);
    for (i = 0; i < 20000; i += 160) CHECK_EQ_INT(media_wav_write(&w, pcm + i, 160), MEDIA_OK);
    fflush((FILE *)w._fp);
    n = slurp(path, file, (long)sizeof file);
    CHECK_EQ_INT(n, 58 + 20000);
    CHECK_EQ_INT(media_wav_parse(&info, file, (size_t)n), MEDIA_OK);
    CHECKF(info.data_bytes >= 16000 && info.data_bytes <= 20000, "header says %llu bytes", (unsigned long long)info.data_bytes);
    CHECK_EQ_INT(media_wav_close(&w), MEDIA_OK);
    n = slurp(path, file, (long)sizeof file);
    CHECK_EQ_INT(media_wav_parse(&info, file, (size_t)n), MEDIA_OK);
    CHECK(info.data_bytes == 20000 && file[4] == (uint8_t)(20050) && file[5] == (uint8_t)(20050 >> 8));
    remove(path);
    /* errors */
    CHECK_EQ_INT(media_wav_open_read(&w, tmp_path("does-not-exist.wav")), MEDIA_EIO);
    CHECK_EQ_INT(media_wav_open_write(&w, "/nonexistent-dir/x.wav", MEDIA_WAV_PCM16, 8000, 1), MEDIA_EIO);
    CHECK_EQ_INT(media_wav_open_write(&w, path, MEDIA_WAV_PCM16, 7999, 1), MEDIA_EINVAL);
    CHECK_EQ_INT(media_wav_open_write(&w, path, MEDIA_WAV_PCM16, 8000, 3), MEDIA_EINVAL);
}

/* ---- resampling ---- */

/* least-squares fit of a cos + b sin + c at w over y[0..n): amplitude, rms residual */
static void sine_fit(const int16_t *y, int n, double w, double *amp, double *res)
{
    double m[3][4], x[3], e = 0;
    int i, r, c, k;
    memset(m, 0, sizeof m);
    for (i = 0; i < n; i++) {
        double v[3];
        v[0] = cos(w * i); v[1] = sin(w * i); v[2] = 1;
        for (r = 0; r < 3; r++) { for (c = 0; c < 3; c++) m[r][c] += v[r] * v[c]; m[r][3] += v[r] * y[i]; }
    }
    for (k = 0; k < 3; k++)
        for (r = k + 1; r < 3; r++) { double f = m[r][k] / m[k][k]; for (c = k; c < 4; c++) m[r][c] -= f * m[k][c]; }
    for (k = 2; k >= 0; k--) { double t = m[k][3]; for (c = k + 1; c < 3; c++) t -= m[k][c] * x[c]; x[k] = t / m[k][k]; }
    *amp = sqrt(x[0] * x[0] + x[1] * x[1]);
    for (i = 0; i < n; i++) { double d = y[i] - (x[0] * cos(w * i) + x[1] * sin(w * i) + x[2]); e += d * d; }
    *res = sqrt(e / n);
}

/* Stepped sine sweeps between every pair of common rates: up to 0.9 of the
   lower Nyquist frequency the gain is flat within 0.1 dB and everything else
   in the output (images, aliases, distortion) is 60 dB down; tones between the
   output's and the input's Nyquist frequencies come out 60 dB down. */
static void test_resampler_sweeps(void)
{
    static const uint32_t rates[7] = { 8000, 11025, 16000, 22050, 32000, 44100, 48000 };
    static int16_t in[12000], out[12000 * 6 + 64];
    static media_resampler rs;
    double worst_gain = 0, worst_res = -200, worst_alias = -200;
    int a, b, k, i;
    for (a = 0; a < 7; a++) for (b = 0; b < 7; b++) {
        uint32_t fi = rates[a], fo = rates[b], low = fi < fo ? fi : fo;
        if (a == b) continue;
        for (k = 1; k <= 9; k++) {
            const double A = 12000;
            double f = k <= 5 ? 0.9 * low / 2 * k / 5 : fo / 2.0 * (1.001 + (k - 6) * 0.33);
            int nin = (int)(fi / 4), nout, skip, m;
            size_t used;
            if (k > 5 && (fi < fo || f >= fi / 2.0)) continue;
            for (i = 0; i < nin; i++) in[i] = (int16_t)floor(A * sin(2 * PI * f * i / fi) + 0.5);
            CHECK_EQ_INT(media_resampler_init(&rs, fi, fo, 1), MEDIA_OK);
            nout = media_resampler_process(&rs, out, sizeof out / sizeof out[0], in, (size_t)nin, &used);
            CHECK_EQ_INT((long)used, nin);
            skip = nout / 5;
            m = nout - 2 * skip;
            if (k <= 5) {
                double amp, res, g, rr;
                sine_fit(out + skip, m, 2 * PI * f / fo, &amp, &res);
                g = 20 * log10(amp / A);
                rr = 20 * log10(res / (A / sqrt(2.0)));
                if (fabs(g) > worst_gain) worst_gain = fabs(g);
                if (rr > worst_res) worst_res = rr;
                CHECKF(fabs(g) <= 0.1 && rr <= -60, "%u -> %u Hz, %.0f Hz: gain %.3f dB, residual %.1f dB", fi, fo, f, g, rr);
            } else {
                double e = 0, al;
                for (i = skip; i < skip + m; i++) e += (double)out[i] * out[i];
                al = 20 * log10((sqrt(e / m) + 1e-9) / (A / sqrt(2.0)));
                if (al > worst_alias) worst_alias = al;
                CHECKF(al <= -60, "%u -> %u Hz, %.0f Hz: alias %.1f dB", fi, fo, f, al);
            }
        }
    }
    printf("  42 rate pairs: passband gain within %.4f dB, residual <= %.1f dB, aliases <= %.1f dB\n",
           worst_gain, worst_res, worst_alias);
}

/* Streaming in odd pieces gives the same samples as one call; stereo keeps
   its channels apart; timing: the first output is aligned with the first
   input, and n inputs make n * out / in outputs once flushed */
static void test_resampler_streaming(void)
{
    static int16_t in[2 * 4410], one[2 * 8000 + 64], pieces[2 * 8000 + 64];
    static media_resampler r1, r2;
    int i, n1 = 0, n2 = 0, at = 0;
    size_t used;
    for (i = 0; i < 4410; i++) {
        in[2 * i] = (int16_t)(10000 * sin(2 * PI * 1000 * i / 44100.0));
        in[2 * i + 1] = (int16_t)(10000 * sin(2 * PI * 2500 * i / 44100.0));
    }
    media_resampler_init(&r1, 44100, 8000, 2);
    media_resampler_init(&r2, 44100, 8000, 2);
    n1 = media_resampler_process(&r1, one, 8000, in, 4410, &used);
    n1 += media_resampler_process(&r1, one + 2 * n1, 8000 - (size_t)n1, NULL, 300, &used);   /* flush */
    while (at < 4410) {
        size_t chunk = (size_t)(1 + (at * 7) % 333), got;
        if (chunk > (size_t)(4410 - at)) chunk = (size_t)(4410 - at);
        /* a small output window too: the call stops short and resumes */
        n2 += media_resampler_process(&r2, pieces + 2 * n2, 37, in + 2 * at, chunk, &got);
        at += (int)got;
    }
    while (1) { int k = media_resampler_process(&r2, pieces + 2 * n2, 37, NULL, 0, &used); if (k <= 0) break; n2 += k; }
    n2 += media_resampler_process(&r2, pieces + 2 * n2, 8000 - (size_t)n2, NULL, 300, &used);
    CHECK_EQ_INT(n1, n2);
    CHECK(memcmp(one, pieces, (size_t)n1 * 4) == 0);
    /* every input reached an output (4410 x 8000 / 44100 = 800), and no more than the flush allows */
    CHECKF(n1 >= 800 && n1 <= 4710 * 8000 / 44100 + 1, "%d outputs for 4410 + 300 inputs at 44.1 -> 8 kHz", n1);
    {
        double amp, res;
        int16_t l[800], r[800];
        for (i = 0; i < 800; i++) { l[i] = one[2 * i]; r[i] = one[2 * i + 1]; }
        sine_fit(l + 100, 600, 2 * PI * 1000 / 8000, &amp, &res);
        CHECK(fabs(20 * log10(amp / 10000)) < 0.1 && res < 10);
        sine_fit(r + 100, 600, 2 * PI * 2500 / 8000, &amp, &res);
        CHECK(fabs(20 * log10(amp / 10000)) < 0.1 && res < 10);
    }
    /* aligned: an impulse at input 0 peaks at output 0 */
    {
        int16_t imp[64], o[600];
        int best = 0, n;
        memset(imp, 0, sizeof imp);
        imp[0] = 30000;
        media_resampler_init(&r1, 8000, 48000, 1);
        n = media_resampler_process(&r1, o, 600, imp, 64, &used);
        CHECK(n > 60);
        for (i = 1; i < n; i++) if (abs(o[i]) > abs(o[best])) best = i;
        CHECK_EQ_INT(best, 0);
        CHECK(o[0] > 28400 && o[0] < 28600);   /* the kernel's peak: 0.95 (cutoff at 0.95 of Nyquist) */
    }
    CHECK_EQ_INT(media_resampler_init(&r1, 7999, 8000, 1), MEDIA_EINVAL);
    CHECK_EQ_INT(media_resampler_init(&r1, 8000, 48001, 1), MEDIA_EINVAL);
    CHECK_EQ_INT(media_resampler_init(&r1, 8000, 16000, 3), MEDIA_EINVAL);
}

int main(void)
{
    RUN(test_header_pcm16_by_hand);
    RUN(test_header_g711);
    RUN(test_parse_variants_and_malformed);
    RUN(test_write_read_roundtrip);
    RUN(test_read_ffmpeg_files);
    RUN(test_rf64_refused);
    RUN(test_recording_survives_a_crash);
    RUN(test_resampler_sweeps);
    RUN(test_resampler_streaming);
    return harness_summary();
}
