/* G.711 against an oracle written from the recommendation itself, not from our code:
   the quantisation tables (ITU-T G.711 Tables 1a/2a: where each segment starts,
   its step, the decoded value at the middle of each interval) are spelled out
   below and searched linearly, and 16-bit input is reduced to 14 (mu-law) or 13
   (A-law) bits the way the ITU-T G.191 reference does: negative samples are
   one's-complemented before the low bits are dropped. */
#include "../../media.h"
#include "../harness.h"

/* mu-law, 14-bit magnitude scale (Table 2a): segment 0 has a first interval of
   width 1 (0) and then width 2 up to 31; segments 1..7 start at these decision
   values with 16 steps of 4, 8, ... 256; the top interval ends at 8159. */
static const int ulaw_seg_start[8] = { 0, 31, 95, 223, 479, 991, 2015, 4063 };
static const int ulaw_seg_step[8] = { 2, 4, 8, 16, 32, 64, 128, 256 };
/* A-law, 13-bit magnitude scale (Table 1a): segments 0 and 1 both have step 2. */
static const int alaw_seg_start[8] = { 0, 32, 64, 128, 256, 512, 1024, 2048 };
static const int alaw_seg_step[8] = { 2, 2, 4, 8, 16, 32, 64, 128 };

static int ulaw_lo[128], ulaw_y[128];   /* interval start, decoded value, per magnitude index */
static int alaw_lo[128], alaw_y[128];

static void build_oracle(void)
{
    int s, q;
    for (s = 0; s < 8; s++) {
        for (q = 0; q < 16; q++) {
            int k = s * 16 + q;
            if (s == 0) {
                /* 0 is its own interval [0,1); then [1,3), [3,5), ... decoded 0, 2, 4 ... */
                ulaw_lo[k] = q == 0 ? 0 : 2 * q - 1;
                ulaw_y[k] = 2 * q;
            } else {
                ulaw_lo[k] = ulaw_seg_start[s] + q * ulaw_seg_step[s];
                ulaw_y[k] = ulaw_lo[k] + ulaw_seg_step[s] / 2;
            }
            alaw_lo[k] = alaw_seg_start[s] + q * alaw_seg_step[s];
            alaw_y[k] = alaw_lo[k] + alaw_seg_step[s] / 2;
        }
    }
}

static int mag_index(const int *lo, int m)
{
    int k = 0;
    while (k < 127 && lo[k + 1] <= m) k++;
    return k;
}

static uint8_t oracle_ulaw_enc(int x)
{
    int neg = x < 0;
    int m = (neg ? -x - 1 : x) >> 2;    /* one's complement, then 16 -> 14 bits */
    return (uint8_t)(0xFF ^ ((neg << 7) | mag_index(ulaw_lo, m)));   /* all bits inverted */
}
static int oracle_ulaw_dec(uint8_t c)
{
    int v = c ^ 0xFF, y = ulaw_y[v & 0x7F] * 4;
    return (v & 0x80) ? -y : y;
}
static uint8_t oracle_alaw_enc(int x)
{
    int neg = x < 0;
    int m = (neg ? -x - 1 : x) >> 3;    /* 16 -> 13 bits */
    return (uint8_t)((((!neg) << 7) | mag_index(alaw_lo, m)) ^ 0x55);  /* even bits inverted */
}
static int oracle_alaw_dec(uint8_t c)
{
    int v = c ^ 0x55, y = alaw_y[v & 0x7F] * 8;
    return (v & 0x80) ? y : -y;
}

/* Sun's classic g711.c mu-law encoder (negates instead of complementing): a
   different, widely used implementation that must differ from the reference. */
static uint8_t sun_ulaw_enc(int x)
{
    static const int seg_uend[8] = { 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF };
    int pcm = x >> 2, mask, seg;
    if (pcm < 0) { pcm = -pcm; mask = 0x7F; } else mask = 0xFF;
    if (pcm > 8159) pcm = 8159;
    pcm += 33;
    for (seg = 0; seg < 8 && pcm > seg_uend[seg]; seg++) {}
    if (seg >= 8) return (uint8_t)(0x7F ^ mask);
    return (uint8_t)(((seg << 4) | ((pcm >> (seg + 1)) & 0xF)) ^ mask);
}
static uint8_t sun_alaw_enc(int x)
{
    static const int seg_aend[8] = { 0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF };
    int pcm = x >> 3, mask, seg, aval;
    if (pcm >= 0) mask = 0xD5; else { mask = 0x55; pcm = -pcm - 1; }
    for (seg = 0; seg < 8 && pcm > seg_aend[seg]; seg++) {}
    if (seg >= 8) return (uint8_t)(0x7F ^ mask);
    aval = seg << 4;
    aval |= seg < 2 ? (pcm >> 1) & 0xF : (pcm >> seg) & 0xF;
    return (uint8_t)(aval ^ mask);
}

static void test_oracle_matches_standard_tables(void)
{
    /* figures printed in G.711 Table 2a (mu-law) and 1a (A-law) */
    CHECK_EQ_INT(ulaw_lo[1], 1); CHECK_EQ_INT(ulaw_lo[2], 3); CHECK_EQ_INT(ulaw_lo[16], 31);
    CHECK_EQ_INT(ulaw_lo[17], 35); CHECK_EQ_INT(ulaw_lo[32], 95); CHECK_EQ_INT(ulaw_lo[48], 223);
    CHECK_EQ_INT(ulaw_lo[112], 4063); CHECK_EQ_INT(ulaw_lo[127], 7903);
    CHECK_EQ_INT(ulaw_y[0], 0); CHECK_EQ_INT(ulaw_y[1], 2); CHECK_EQ_INT(ulaw_y[15], 30);
    CHECK_EQ_INT(ulaw_y[16], 33); CHECK_EQ_INT(ulaw_y[32], 99); CHECK_EQ_INT(ulaw_y[48], 231);
    CHECK_EQ_INT(ulaw_y[64], 495); CHECK_EQ_INT(ulaw_y[127], 8031);
    CHECK_EQ_INT(alaw_y[0], 1); CHECK_EQ_INT(alaw_y[16], 33); CHECK_EQ_INT(alaw_y[32], 66);
    CHECK_EQ_INT(alaw_y[127], 4032); CHECK_EQ_INT(alaw_lo[127], 3968);
}

static void test_known_characters(void)
{
    CHECK_EQ_INT(media_pcmu_from_linear(0), 0xFF);
    CHECK_EQ_INT(media_pcmu_from_linear(-1), 0x7F);
    CHECK_EQ_INT(media_pcmu_from_linear(32767), 0x80);
    CHECK_EQ_INT(media_pcmu_from_linear(-32768), 0x00);
    CHECK_EQ_INT(media_pcma_from_linear(0), 0xD5);
    CHECK_EQ_INT(media_pcma_from_linear(-1), 0x55);
    CHECK_EQ_INT(media_pcma_from_linear(32767), 0xAA);
    CHECK_EQ_INT(media_pcma_from_linear(-32768), 0x2A);
    CHECK_EQ_INT(media_pcmu_to_linear(0xFF), 0);
    CHECK_EQ_INT(media_pcmu_to_linear(0x7F), 0);
    CHECK_EQ_INT(media_pcmu_to_linear(0x80), 32124);
    CHECK_EQ_INT(media_pcmu_to_linear(0x00), -32124);
    CHECK_EQ_INT(media_pcma_to_linear(0xD5), 8);
    CHECK_EQ_INT(media_pcma_to_linear(0x55), -8);
    CHECK_EQ_INT(media_pcma_to_linear(0xAA), 32256);
    CHECK_EQ_INT(media_pcma_to_linear(0x2A), -32256);
    /* the reference's one's complement: -4 reduces to magnitude 0, not 1 */
    CHECK_EQ_INT(media_pcmu_from_linear(-4), 0x7F);
    CHECK_EQ_INT(media_pcmu_from_linear(-5), 0x7E);
}

static void test_pcmu_encode_all_inputs(void)
{
    int x;
    for (x = -32768; x <= 32767; x++) {
        uint8_t want = oracle_ulaw_enc(x), got = media_pcmu_from_linear((int16_t)x);
        CHECKF(got == want, "pcmu(%d) = 0x%02X, reference 0x%02X", x, got, want);
    }
}

static void test_pcma_encode_all_inputs(void)
{
    int x;
    for (x = -32768; x <= 32767; x++) {
        uint8_t want = oracle_alaw_enc(x), got = media_pcma_from_linear((int16_t)x);
        CHECKF(got == want, "pcma(%d) = 0x%02X, reference 0x%02X", x, got, want);
    }
}

static void test_decode_all_codes(void)
{
    int c;
    for (c = 0; c < 256; c++) {
        CHECKF(media_pcmu_to_linear((uint8_t)c) == oracle_ulaw_dec((uint8_t)c), "pcmu decode 0x%02X", c);
        CHECKF(media_pcma_to_linear((uint8_t)c) == oracle_alaw_dec((uint8_t)c), "pcma decode 0x%02X", c);
    }
}

/* The buffer functions take the SIMD path where there is one: every input, at
   every alignment and length remainder, must match the reference too. */
static int16_t all_pcm[65536 + 64];
static uint8_t all_codes[65536 + 64];
static void test_buffer_functions_all_inputs(void)
{
    static uint8_t enc[65536 + 64];
    static int16_t dec[65536 + 64];
    size_t i, off, n;
    for (i = 0; i < 65536; i++) all_pcm[i] = (int16_t)((int)i - 32768);
    for (off = 0; off < 3; off++) {
        n = 65536 - off * 7;
        media_pcmu_encode(enc + off, all_pcm + off, n);
        for (i = 0; i < n; i++) CHECKF(enc[off + i] == oracle_ulaw_enc(all_pcm[off + i]), "pcmu_encode at %d", (int)(off + i));
        media_pcma_encode(enc + off, all_pcm + off, n);
        for (i = 0; i < n; i++) CHECKF(enc[off + i] == oracle_alaw_enc(all_pcm[off + i]), "pcma_encode at %d", (int)(off + i));
    }
    for (i = 0; i < 65536; i++) all_codes[i] = (uint8_t)(i * 7 + (i >> 8));
    for (off = 0; off < 3; off++) {
        n = 4096 + 5 - off;
        media_pcmu_decode(dec + off, all_codes + off, n);
        for (i = 0; i < n; i++) CHECKF(dec[off + i] == oracle_ulaw_dec(all_codes[off + i]), "pcmu_decode at %d", (int)i);
        media_pcma_decode(dec + off, all_codes + off, n);
        for (i = 0; i < n; i++) CHECKF(dec[off + i] == oracle_alaw_dec(all_codes[off + i]), "pcma_decode at %d", (int)i);
    }
    /* short frames (the scalar tail alone) */
    for (n = 0; n < 20; n++) {
        media_pcmu_encode(enc, all_pcm + 30000, n);
        for (i = 0; i < n; i++) CHECK(enc[i] == oracle_ulaw_enc(all_pcm[30000 + i]));
    }
}

static void test_round_trip_codes(void)
{
    int c;
    for (c = 0; c < 256; c++) {
        /* mu-law 0x7F is "negative zero": it decodes to 0, which encodes as 0xFF */
        int want = c == 0x7F ? 0xFF : c;
        CHECKF(media_pcmu_from_linear(media_pcmu_to_linear((uint8_t)c)) == want, "pcmu round trip 0x%02X", c);
        CHECKF(media_pcma_from_linear(media_pcma_to_linear((uint8_t)c)) == c, "pcma round trip 0x%02X", c);
    }
}

static void test_differs_from_sun_where_expected(void)
{
    /* A-law encoders agree everywhere; Sun's mu-law negates negative samples and
       so lands one code away on boundary inputs, only for negative samples. */
    int x, diff = 0;
    for (x = -32768; x <= 32767; x++) {
        uint8_t ours = media_pcmu_from_linear((int16_t)x), sun = sun_ulaw_enc(x);
        CHECKF(sun_alaw_enc(x) == media_pcma_from_linear((int16_t)x), "A-law differs from Sun at %d", x);
        if (ours != sun) {
            diff++;
            CHECKF(x < 0, "mu-law differs from Sun at non-negative %d", x);
            CHECKF(ours - sun == 1 || sun - ours == 1, "mu-law codes not adjacent at %d", x);
        }
    }
    printf("  mu-law inputs where the reference and Sun's g711.c differ: %d\n", diff);
    CHECK(diff >= 100 && diff <= 1000);
}

static void test_quantisation_error_bound(void)
{
    /* every decoded value lies within half a step of the input (after clipping) */
    int x;
    for (x = -32768; x <= 32767; x += 1) {
        int u = media_pcmu_to_linear(media_pcmu_from_linear((int16_t)x));
        int a = media_pcma_to_linear(media_pcma_from_linear((int16_t)x));
        int ax = x < 0 ? -x : x;
        int ustep = ax < 124 ? 8 : (ax >= 32124 ? 2048 : 0), astep = 0, s;
        for (s = 7; s >= 0 && !ustep; s--) if (ax >= (ulaw_seg_start[s] * 4)) ustep = ulaw_seg_step[s] * 4;
        for (s = 7; s >= 0 && !astep; s--) if (ax >= alaw_seg_start[s] * 8) astep = alaw_seg_step[s] * 8;
        if (ax < 32124) CHECKF(abs(u - x) <= ustep / 2 + 4, "mu-law error at %d: %d", x, u);
        if (ax < 32256) CHECKF(abs(a - x) <= astep / 2 + 8, "A-law error at %d: %d", x, a);
    }
}

int main(void)
{
    build_oracle();
    RUN(test_oracle_matches_standard_tables);
    RUN(test_known_characters);
    RUN(test_pcmu_encode_all_inputs);
    RUN(test_pcma_encode_all_inputs);
    RUN(test_decode_all_codes);
    RUN(test_buffer_functions_all_inputs);
    RUN(test_round_trip_codes);
    RUN(test_differs_from_sun_where_expected);
    RUN(test_quantisation_error_bound);
    return harness_summary();
}
