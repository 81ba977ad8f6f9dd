/* libFuzzer target: media_opus.h on what a peer controls. The input's first
   line is taken as the peer's fmtp (handed to the encoder's create()), the
   rest as a sequence of length-prefixed payloads fed to decode(), recover()
   and conceal() of a decoder state, with the encoder run in between. Nothing
   may crash, read or write out of bounds, or return a count it did not write. */
#define _POSIX_C_SOURCE 200809L
#define MEDIA_OPUS_IMPLEMENTATION
#include "../media.h"
#include "../media_opus.h"
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint32_t rates[5] = { 8000, 12000, 16000, 24000, 48000 };
    media_opus_config oc;
    media_opus opus;   /* what the codec keeps (c: a copy of opus.codec) */
    media_codec c;
    char fmtp[256];
    size_t i = 0, n = 0;
    void *enc, *dec;
    int16_t pcm[5760 + 16];
    uint8_t out[1500];
    media_opus_config_init(&oc);
    if (size < 2) return 0;
    oc.sample_rate = rates[data[0] % 5];
    oc.dtx = data[1] & 1;
    oc.cbr = (data[1] >> 1) & 1;
    oc.fec = (data[1] >> 2) & 1;
    data += 2; size -= 2;
    if (media_opus_init(&opus, &oc) != MEDIA_OK) return 0;
    c = opus.codec;
    while (i < size && data[i] != '\n' && n + 1 < sizeof fmtp) fmtp[n++] = (char)data[i++];
    fmtp[n] = 0;
    if (i < size) i++;
    enc = calloc(1, c.encoder_state_size);
    dec = calloc(1, c.state_size);
    if (!enc || !dec) { free(enc); free(dec); return 0; }
    c.create(enc, &c, fmtp, MEDIA_CODEC_ENCODER);
    c.create(dec, &c, fmtp, MEDIA_CODEC_DECODER);
    while (i + 2 <= size) {
        size_t len = (size_t)data[i] | (size_t)(data[i + 1] & 0x07) << 8, frame = oc.sample_rate / 50;
        int op = data[i + 1] >> 3, r;
        i += 2;
        if (len > size - i) len = size - i;
        switch (op & 3) {
        case 0:
            r = c.decode(dec, pcm, sizeof pcm / sizeof pcm[0] - 16, data + i, len);
            if (r > (int)(sizeof pcm / sizeof pcm[0] - 16)) abort();
            break;
        case 1:
            r = c.recover(dec, pcm, frame, data + i, len);
            if (r > (int)frame) abort();
            break;
        case 2:
            r = c.conceal(dec, pcm, (size_t)(len % 6000));
            if (r != (int)(len % 6000) && r >= 0) abort();
            break;
        default:
            memset(pcm, 0, sizeof pcm);
            memcpy(pcm, data + i, len < sizeof pcm ? len : sizeof pcm);
            r = c.encode(enc, out, sizeof out, pcm, frame);
            if (r > (int)sizeof out) abort();
            (void)c.control(enc, MEDIA_CODEC_CTL_REMOTE_LOSS, (int)(len % 120) - 10);
            break;
        }
        i += len;
    }
    free(enc);
    free(dec);
    return 0;
}
