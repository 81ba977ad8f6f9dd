/* libFuzzer target: media_wav_parse on arbitrary bytes. Never crashes, never
   reads past len (ASan), and what it accepts is consistent: a supported
   format, a block size that matches it, the data inside the buffer's reach,
   and a header written from it parses back to the same description. */
#include "../media.h"
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(c) do { if (!(c)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    media_wav_info info, back;
    uint8_t *copy = (uint8_t *)malloc(size ? size : 1), h[64];
    int rc, n;
    memcpy(copy, data, size);   /* exact-size heap copy: any over-read is caught */
    rc = media_wav_parse(&info, copy, size);
    FUZZ_CHECK(rc == MEDIA_OK || rc == MEDIA_EAGAIN || rc == MEDIA_EPARSE || rc == MEDIA_EUNSUPPORTED);
    if (rc == MEDIA_OK) {
        FUZZ_CHECK(info.format == MEDIA_WAV_PCM16 || info.format == MEDIA_WAV_PCMA || info.format == MEDIA_WAV_PCMU);
        FUZZ_CHECK(info.channels >= 1 && info.channels <= 2 && info.sample_rate >= 8000 && info.sample_rate <= 48000);
        FUZZ_CHECK(info.block == info.channels * (info.format == MEDIA_WAV_PCM16 ? 2u : 1u));
        FUZZ_CHECK(info.data_offset >= 20 && info.data_offset <= size);
        n = media_wav_header_write(h, sizeof h, &info);
        FUZZ_CHECK(n == 44 || n == 58);
        FUZZ_CHECK(media_wav_parse(&back, h, (size_t)n) == MEDIA_OK);
        FUZZ_CHECK(back.format == info.format && back.channels == info.channels && back.sample_rate == info.sample_rate &&
                   back.data_bytes == (info.data_bytes > 0xFFFFFFFFu - 64 ? 0xFFFFFFFFu - 64 : info.data_bytes));
    }
    free(copy);
    return 0;
}
