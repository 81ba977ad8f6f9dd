/* bench_srtp: what media_srtp.h costs on top of libsrtp2. The same 200 RTP
   packets (20 ms of G.711 each, 172 bytes) are protected and then
   unprotected through media_srtp.h's filter (the functions a session calls,
   with the keys a negotiation gave them) and through libsrtp2 directly with
   the same policy, in interleaved rounds from fresh contexts; each figure is
   the best round. Reported: nanoseconds per packet both ways, each suite,
   and the overhead (target <= 3 %). Without libsrtp2 (MEDIA_SRTP_NO_LIBSRTP)
   it says so and exits. */
#define _POSIX_C_SOURCE 200809L
#define MEDIA_IMPLEMENTATION
#define MEDIA_SRTP_IMPLEMENTATION
#include "../media.h"
#include "../media_srtp.h"
#include "bench.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef MEDIA_SRTP_NO_LIBSRTP
int main(void)
{
    printf("bench_srtp: built without libsrtp2 (MEDIA_SRTP_NO_LIBSRTP): nothing to measure\n");
    return 0;
}
#else
#include <srtp2/srtp.h>

#define PACKETS 200
#define SRTP_ROUNDS 300

static uint8_t clear[PACKETS][172];
static uint8_t buf[PACKETS][172 + MEDIA_SRTP_OVERHEAD];
static int len[PACKETS];

static void make_packets(void)
{
    int i, k;
    for (i = 0; i < PACKETS; i++) {
        uint8_t *p = clear[i];
        p[0] = 0x80; p[1] = 0;
        p[2] = (uint8_t)(i >> 8); p[3] = (uint8_t)i;
        p[4] = 0; p[5] = 0; p[6] = (uint8_t)(i * 160 >> 8); p[7] = (uint8_t)(i * 160);
        p[8] = 0x12; p[9] = 0x34; p[10] = 0x56; p[11] = 0x78;
        for (k = 12; k < 172; k++) p[k] = (uint8_t)(k * 7 + i);
    }
}

/* libsrtp2's own: the policy media_srtp.h makes for the suite */
static srtp_t direct(int suite, const uint8_t *key, int inbound)
{
    srtp_policy_t p;
    srtp_t s;
    memset(&p, 0, sizeof p);
    if (suite == 0) { srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtp); srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtcp); }
    else if (suite == 1) { srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&p.rtp); srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtcp); }
    else if (suite == 2) { srtp_crypto_policy_set_aes_gcm_128_16_auth(&p.rtp); srtp_crypto_policy_set_aes_gcm_128_16_auth(&p.rtcp); }
    else { srtp_crypto_policy_set_aes_gcm_256_16_auth(&p.rtp); srtp_crypto_policy_set_aes_gcm_256_16_auth(&p.rtcp); }
    p.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
    p.key = (unsigned char *)(uintptr_t)key;
    p.window_size = 128;
    if (srtp_create(&s, &p) != srtp_err_status_ok) { fprintf(stderr, "srtp_create failed\n"); exit(1); }
    return s;
}

int main(void)
{
    static const char *const names[4] = { "AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32", "AEAD_AES_128_GCM", "AEAD_AES_256_GCM" };
    static media_srtp tx, rx;
    media_session_config ctx_cfg, crx_cfg;
    int suite;
    make_packets();
    if (media_srtp_init(&tx, NULL) != MEDIA_OK || media_srtp_init(&rx, NULL) != MEDIA_OK) { fprintf(stderr, "no media_srtp\n"); return 1; }
    media_session_config_init(&ctx_cfg);
    media_session_config_init(&crx_cfg);
    media_srtp_attach(&tx, &ctx_cfg);
    media_srtp_attach(&rx, &crx_cfg);
    printf("SRTP per packet (172-byte G.711 packets, best of %d rounds of %d): protect, unprotect\n", SRTP_ROUNDS, PACKETS);
    for (suite = 0; suite < 4; suite++) {
        double best_f[2] = { 1e9, 1e9 }, best_d[2] = { 1e9, 1e9 };
        size_t kl = media__srtp_size(names[suite]);
        int r, i;
        for (r = 0; r < SRTP_ROUNDS; r++) {
            media_sdp_crypto_key k;
            srtp_t dt, dr;
            double t0, t1, t2;
            /* media_srtp.h: fresh contexts from a "negotiation" */
            media__srtp_drop(&tx._tx); media__srtp_drop(&tx._rx); tx._st.suite = -2;
            media__srtp_drop(&rx._tx); media__srtp_drop(&rx._rx); rx._st.suite = -2;
            memset(&k, 0, sizeof k);
            k.key_len = (uint8_t)kl;
            memcpy(k.key, rx._keys[suite], kl);
            if (tx._sdes.keys(&tx, suite, &k, NULL) != 0) return 1;
            memcpy(k.key, tx._keys[suite], kl);
            if (rx._sdes.keys(&rx, suite, &k, NULL) != 0) return 1;
            for (i = 0; i < PACKETS; i++) memcpy(buf[i], clear[i], 172);
            t0 = now_s();
            for (i = 0; i < PACKETS; i++) len[i] = ctx_cfg.filter.protect(&tx, buf[i], 172, sizeof buf[i], 0);
            t1 = now_s();
            for (i = 0; i < PACKETS; i++) if (crx_cfg.filter.unprotect(&rx, buf[i], (size_t)len[i], 0) != 172) return 1;
            t2 = now_s();
            if (t1 - t0 < best_f[0]) best_f[0] = t1 - t0;
            if (t2 - t1 < best_f[1]) best_f[1] = t2 - t1;
            /* libsrtp2 directly, same keys and policy */
            dt = direct(suite, tx._keys[suite], 0);
            dr = direct(suite, tx._keys[suite], 1);
            for (i = 0; i < PACKETS; i++) memcpy(buf[i], clear[i], 172);
            t0 = now_s();
            for (i = 0; i < PACKETS; i++) { int n = 172; srtp_protect(dt, buf[i], &n); len[i] = n; }
            t1 = now_s();
            for (i = 0; i < PACKETS; i++) { int n = len[i]; if (srtp_unprotect(dr, buf[i], &n) != srtp_err_status_ok) return 1; }
            t2 = now_s();
            srtp_dealloc(dt);
            srtp_dealloc(dr);
            if (t1 - t0 < best_d[0]) best_d[0] = t1 - t0;
            if (t2 - t1 < best_d[1]) best_d[1] = t2 - t1;
        }
        printf("  %-24s media_srtp.h %6.0f %6.0f ns   libsrtp2 %6.0f %6.0f ns   overhead %+5.1f %% %+5.1f %%\n", names[suite],
               best_f[0] / PACKETS * 1e9, best_f[1] / PACKETS * 1e9, best_d[0] / PACKETS * 1e9, best_d[1] / PACKETS * 1e9,
               (best_f[0] / best_d[0] - 1) * 100, (best_f[1] / best_d[1] - 1) * 100);
    }
    media_srtp_free(&tx);
    media_srtp_free(&rx);
    return 0;
}
#endif
