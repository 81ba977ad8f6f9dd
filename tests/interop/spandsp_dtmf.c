/* spandsp_dtmf FILE.wav: the DTMF digits spandsp's detector (dtmf_rx, a
   widely deployed one, not ours) reads in an 8 kHz mono WAV; prints them on
   one line. Reading the WAV goes through media.h. */
#define _POSIX_C_SOURCE 200809L
#define MEDIA_IMPLEMENTATION
#include "../../media.h"
#include <stdio.h>
#include <spandsp.h>

static char got[256];
static int n;

static void digits(void *user, const char *d, int len)
{
    (void)user;
    while (len-- > 0 && n < 255) got[n++] = *d++;
}

int main(int argc, char **argv)
{
    media_wav_file f;
    int16_t pcm[160];
    dtmf_rx_state_t *rx;
    int k;
    if (argc != 2 || media_wav_open_read(&f, argv[1]) != MEDIA_OK) { fprintf(stderr, "usage: spandsp_dtmf FILE.wav\n"); return 2; }
    if (f.info.sample_rate != 8000 || f.info.channels != 1 || !(rx = dtmf_rx_init(NULL, digits, NULL))) {
        fprintf(stderr, "spandsp_dtmf: %s: 8 kHz mono only\n", argv[1]);
        return 2;
    }
    while ((k = media_wav_read(&f, pcm, 160)) > 0) dtmf_rx(rx, pcm, k);
    media_wav_close(&f);
    dtmf_rx_free(rx);
    got[n] = 0;
    printf("%s\n", got);
    return 0;
}
