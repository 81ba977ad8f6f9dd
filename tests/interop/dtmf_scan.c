/* dtmf_scan FILE.wav...: the in-band DTMF digits media_dtmf_detector reads
   in each file (any rate media.h reads), 20 ms at a time; prints the
   digits with where they end and a total line "N digits in S s". */
#define _POSIX_C_SOURCE 200809L
#define MEDIA_IMPLEMENTATION
#include "../../media.h"
#include <stdio.h>

int main(int argc, char **argv)
{
    int a, total = 0;
    double secs = 0;
    for (a = 1; a < argc; a++) {
        static media_dtmf_detector d;
        media_wav_file f;
        int16_t pcm[2 * 960];
        media_dtmf_digit got[4];
        int n, k, rc;
        if ((rc = media_wav_open_read(&f, argv[a])) != MEDIA_OK) {
            fprintf(stderr, "dtmf_scan: %s: %s\n", argv[a], media_result_string(rc));
            return 2;
        }
        if (f.info.channels != 1 || media_dtmf_detector_init(&d, f.info.sample_rate) != MEDIA_OK) {
            fprintf(stderr, "dtmf_scan: %s: mono, 8-48 kHz only\n", argv[a]);
            media_wav_close(&f);
            return 2;
        }
        while ((n = media_wav_read(&f, pcm, f.info.sample_rate / 50)) > 0) {
            k = media_dtmf_detect(&d, pcm, (size_t)n, got, 4);
            for (rc = 0; rc < k; rc++)
                printf("%s: '%c' %u ms, ending at %.2f s\n", argv[a], got[rc].digit, (unsigned)got[rc].duration_ms,
                       got[rc].end_ms / 1000.0);
            total += k > 0 ? k : 0;
            secs += (double)n / f.info.sample_rate;
        }
        media_wav_close(&f);
    }
    printf("%d digits in %.1f s\n", total, secs);
    return 0;
}
