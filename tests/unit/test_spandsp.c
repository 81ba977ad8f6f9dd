/* spandsp's G.711 (a widely deployed implementation, not ours) as a second
   oracle: its decoders and A-law encoder must agree with media.h everywhere; its
   mu-law encoder rounds negative samples by negation where the G.191 reference
   (and media.h) one's-complements them, so the two may differ only on negative
   inputs, by one code. Built with -DHAVE_SPANDSP when its headers are present. */
#include "../../media.h"
#include "../harness.h"
#ifdef HAVE_SPANDSP
#include <spandsp/telephony.h>
#include <spandsp/bit_operations.h>
#include <spandsp/g711.h>
#endif

static void test_decoders_agree_with_spandsp(void)
{
#ifdef HAVE_SPANDSP
    int c;
    for (c = 0; c < 256; c++) {
        CHECKF(media_pcmu_to_linear((uint8_t)c) == ulaw_to_linear((uint8_t)c), "mu-law code 0x%02X", c);
        CHECKF(media_pcma_to_linear((uint8_t)c) == alaw_to_linear((uint8_t)c), "A-law code 0x%02X", c);
    }
#else
    TEST_SKIP("spandsp headers (libspandsp-dev) not installed");
#endif
}

static void test_encoders_against_spandsp(void)
{
#ifdef HAVE_SPANDSP
    static int16_t all[65536];
    static uint8_t u[65536], a[65536];
    int x, diff = 0;
    for (x = 0; x < 65536; x++) all[x] = (int16_t)(x - 32768);
    media_pcmu_encode(u, all, 65536);
    media_pcma_encode(a, all, 65536);
    for (x = 0; x < 65536; x++) {
        int s = all[x], su = linear_to_ulaw(s);
        CHECKF(a[x] == linear_to_alaw(s), "A-law differs from spandsp at %d", s);
        if (u[x] != su) {
            diff++;
            CHECKF(s < 0 && (u[x] - su == 1 || su - u[x] == 1), "mu-law at %d: ours 0x%02X, spandsp 0x%02X", s, u[x], su);
        }
    }
    printf("  mu-law inputs where spandsp rounds differently from the G.191 reference: %d\n", diff);
    CHECK(diff > 0 && diff < 1000);
#else
    TEST_SKIP("spandsp headers (libspandsp-dev) not installed");
#endif
}

int main(void)
{
    RUN(test_decoders_agree_with_spandsp);
    RUN(test_encoders_against_spandsp);
    return harness_summary();
}
