/* Encodes FRAMES 20 ms frames of random audio with one law. run.sh runs it under
   cachegrind's branch simulator at two sizes: the difference in conditional
   branches (and mispredictions) per extra sample is the encoder's own. */
#define MEDIA_IMPLEMENTATION
#include "../../media.h"
#include <stdlib.h>

int main(int argc, char **argv)
{
    static int16_t pcm[4096 * 160];
    static uint8_t out[160];
    long frames = argc > 1 ? atol(argv[1]) : 100, f;
    int law = argc > 2 ? atoi(argv[2]) : 0;
    uint64_t x = 88172645463325252ull;
    unsigned sum = 0;
    size_t i;
    if (frames > 4096) frames = 4096;
    /* the same input whatever the frame count, so only the encoding work differs */
    for (i = 0; i < 4096 * 160; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        pcm[i] = (int16_t)(x >> (48 + (x & 7)));   /* random sign and magnitude scale */
    }
    for (f = 0; f < frames; f++) {
        if (law) media_pcma_encode(out, pcm + f * 160, 160);
        else media_pcmu_encode(out, pcm + f * 160, 160);
        sum += out[f % 160];
    }
    return (int)(sum & 1) * 0;
}
