/* libFuzzer target: RFC 4568's crypto attribute, the value after "a=crypto:"
   (the input, NUL-terminated), taken apart as an SRTP filter takes it: tag,
   suite, every key-param, the session parameters; and base64 both ways on
   the raw input. What parses must stay in bounds and round-trip. */
#include "../media.h"
#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_CHECK
#define FUZZ_CHECK(c) do { if (!(c)) abort(); } while (0)
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *v;
    media_sdp_crypto cr;
    media_sdp_crypto_key k, k2;
    media_sdp_crypto_params prm;
    char txt[4 * MEDIA_SDP_CRYPTO_KEY_MAX];
    uint8_t raw[256];
    int n, i, r;
    size_t kl, sl;
    if (size > 4096) return 0;
    v = (char *)malloc(size + 1);
    if (!v) return 0;
    memcpy(v, data, size);
    v[size] = 0;
    if (media_sdp_crypto_parse(&cr, v) == MEDIA_OK) {
        FUZZ_CHECK(cr.tag <= 999999999u);
        if (media_sdp_crypto_suite_info(cr.suite, &kl, &sl) == MEDIA_OK) FUZZ_CHECK(kl + sl <= MEDIA_SDP_CRYPTO_KEY_MAX);
        n = media_sdp_crypto_key_parse(&k, cr.key_params, 0);
        FUZZ_CHECK(n >= 1 || n == MEDIA_EPARSE);
        for (i = 0; i < n; i++) {
            FUZZ_CHECK(media_sdp_crypto_key_parse(&k, cr.key_params, i) == n);
            FUZZ_CHECK(k.key_len >= 1 && k.key_len <= MEDIA_SDP_CRYPTO_KEY_MAX && k.mki_len <= 128);
            FUZZ_CHECK(n == 1 || k.mki_len > 0);
            /* the key written back reads the same */
            r = media_base64_encode(txt, sizeof txt, k.key, k.key_len);
            FUZZ_CHECK(r > 0 && media_base64_decode(k2.key, sizeof k2.key, txt, (size_t)r) == k.key_len);
            FUZZ_CHECK(memcmp(k.key, k2.key, k.key_len) == 0);
        }
        if (n > 0) FUZZ_CHECK(media_sdp_crypto_key_parse(&k, cr.key_params, n) == MEDIA_ENOTFOUND);
        r = media_sdp_crypto_params_parse(&prm, cr.session_params);
        FUZZ_CHECK(r == MEDIA_OK || r == MEDIA_EPARSE || r == MEDIA_EUNSUPPORTED);
        if (r == MEDIA_OK) FUZZ_CHECK(prm.kdr >= -1 && prm.kdr <= 24 && (prm.wsh == 0 || prm.wsh >= 64));
    }
    /* base64: whatever decodes encodes back to the same bytes */
    r = media_base64_decode(raw, sizeof raw, v, size);
    FUZZ_CHECK(r >= 0 || r == MEDIA_EPARSE || r == MEDIA_ENOSPC);
    if (r >= 0 && r <= (int)(sizeof txt - 1) / 4 * 3) {
        int e = media_base64_encode(txt, sizeof txt, raw, (size_t)r);
        uint8_t back[sizeof raw];
        FUZZ_CHECK(e == (r + 2) / 3 * 4 && media_base64_decode(back, sizeof back, txt, (size_t)e) == r);
        FUZZ_CHECK(memcmp(back, raw, (size_t)r) == 0);
    }
    free(v);
    return 0;
}
