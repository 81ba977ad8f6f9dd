/* libFuzzer target: media_sdp_parse on arbitrary text. On success the
   description must write, parse back to the same fields and write the same
   bytes again; every typed accessor must answer without failing on what the
   parser accepted; and answering it as an offer must give an answer that
   round-trips and that the offerer side accepts. */
#include "../media.h"
#include "../tests/sdp_diff.h"
#include <stdlib.h>

#define FUZZ_CHECK(c) do { if (!(c)) abort(); } while (0)

static media_sdp s1, s2, ans;
static char w1[1 << 17], w2[1 << 17];

static void roundtrip(const media_sdp *s)
{
    int n1 = media_sdp_write(w1, sizeof w1, s), n2;
    FUZZ_CHECK(n1 > 0);
    FUZZ_CHECK(media_sdp_parse(&s2, w1, (size_t)n1) == MEDIA_OK);
    FUZZ_CHECK(sdp_diff(s, &s2) == NULL);
    n2 = media_sdp_write(w2, sizeof w2, &s2);
    FUZZ_CHECK(n1 == n2 && memcmp(w1, w2, (size_t)n1) == 0);
}

static void accessors(const media_sdp *s)
{
    int m, j, i;
    for (m = 0; m < s->media_count; m++) {
        for (j = 0; j < s->media[m].fmt_count && s->media[m].is_rtp; j++) {
            media_sdp_rtpmap r;
            int rc = media_sdp_rtpmap_get(s, m, s->media[m].pt[j], &r);
            FUZZ_CHECK(rc == MEDIA_OK || rc == MEDIA_ENOTFOUND);
            (void)media_sdp_fmtp_get(s, m, s->media[m].pt[j]);
        }
        FUZZ_CHECK((unsigned)media_sdp_direction_get(s, m) <= 3u);
        FUZZ_CHECK(media_sdp_ptime_get(s, m) >= 0 && media_sdp_maxptime_get(s, m) >= 0);
        (void)media_sdp_conn_get(s, m);
        (void)media_sdp_is_hold(s, m);
    }
    /* the parser validated these; their parse functions must agree */
    for (i = 0; i < s->attr_count; i++) {
        const char *n = media_sdp_attr_name_get(s, i), *v = media_sdp_attr_value_get(s, i);
        union { media_sdp_rtpmap a; media_sdp_candidate b; media_sdp_extmap c; media_sdp_ssrc d; media_sdp_rtcp_fb e;
                media_sdp_fingerprint f; media_sdp_setup g; media_sdp_crypto h; media_sdp_rtcp k; } u;
        if (!v) continue;
        if (!strcmp(n, "rtpmap")) FUZZ_CHECK(media_sdp_rtpmap_parse(&u.a, v) == MEDIA_OK);
        if (!strcmp(n, "candidate")) FUZZ_CHECK(media_sdp_candidate_parse(&u.b, v) == MEDIA_OK);
        if (!strcmp(n, "extmap")) FUZZ_CHECK(media_sdp_extmap_parse(&u.c, v) == MEDIA_OK);
        if (!strcmp(n, "ssrc")) FUZZ_CHECK(media_sdp_ssrc_parse(&u.d, v) == MEDIA_OK);
        if (!strcmp(n, "rtcp-fb")) FUZZ_CHECK(media_sdp_rtcp_fb_parse(&u.e, v) == MEDIA_OK);
        if (!strcmp(n, "fingerprint")) FUZZ_CHECK(media_sdp_fingerprint_parse(&u.f, v) == MEDIA_OK);
        if (!strcmp(n, "setup")) FUZZ_CHECK(media_sdp_setup_parse(&u.g, v) == MEDIA_OK);
        if (!strcmp(n, "crypto")) FUZZ_CHECK(media_sdp_crypto_parse(&u.h, v) == MEDIA_OK);
        if (!strcmp(n, "rtcp")) FUZZ_CHECK(media_sdp_rtcp_parse(&u.k, v) == MEDIA_OK);
    }
}

/* our SRTP keys (SDES): all four suites, fixed keys */
static const uint8_t k_cm[30] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30 };
static const uint8_t k_gcm[44] = { 44, 43, 42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23,
                                   22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 };
static const media_sdp_srtp_suite suites[4] = {
    { "AES_CM_128_HMAC_SHA1_80", k_cm }, { "AES_CM_128_HMAC_SHA1_32", k_cm },
    { "AEAD_AES_128_GCM", k_gcm }, { "AEAD_AES_256_GCM", k_gcm }
};

static void negotiate(const media_sdp *offer, int srtp, int stream)
{
    media_sdp_oa_config cfg;
    media_sdp_result res, res2;
    media_sdes sdes;
    int rc;
    media_sdp_oa_config_init(&cfg);
    cfg.address = "192.0.2.1";
    cfg.port = 4000;
    cfg.rtcp_mux = 1;
    cfg.stream = stream;   /* 0: the first audio m-line we can take; k: m-line k - 1 only */
    if (srtp) {
        memset(&sdes, 0, sizeof sdes);
        sdes.policy = srtp == 1 ? MEDIA_SRTP_OPTIONAL : MEDIA_SRTP_REQUIRED;
        sdes.suites = suites;
        sdes.count = 4;
        cfg.sdes = &sdes;
    }
    rc = media_sdp_answer_create(&ans, offer, &cfg, &res);
    if (rc != MEDIA_OK && rc != MEDIA_ENEGOTIATION) {
        /* only capacity limits may stop an answer (the offer was near one) */
        FUZZ_CHECK(rc == MEDIA_ENOSPC);
        return;
    }
    FUZZ_CHECK(ans.media_count == offer->media_count);
    roundtrip(&ans);
    if (rc == MEDIA_OK) {
        FUZZ_CHECK(res.accepted && res.codec && res.media_index >= 0);
        if (stream) {
            size_t m;
            FUZZ_CHECK(res.media_index == stream - 1);
            for (m = 0; m < ans.media_count; m++) FUZZ_CHECK((int)m == stream - 1 || ans.media[m].port == 0);
        }
        /* SRTP: a suite only with keys on, its key readable from the offer,
           and required means never clear */
        FUZZ_CHECK(res.srtp_suite >= -1 && res.srtp_suite < (srtp ? 4 : 0));
        if (srtp == 2) FUZZ_CHECK(res.srtp_suite >= 0);
        if (res.srtp_suite >= 0) {
            media_sdp_crypto_key key;
            FUZZ_CHECK(media_sdp_srtp_key_get(offer, &res, cfg.sdes, &key, NULL) == MEDIA_OK);
        }
        /* we as offerer accept the answer we would give to ourselves */
        rc = media_sdp_answer_process(&res2, offer, &ans, &cfg);
        if (media_sdp_direction_get(offer, res.media_index) == MEDIA_SDP_SENDRECV && rc == MEDIA_OK)
            FUZZ_CHECK(res2.codec == res.codec);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (media_sdp_parse(&s1, (const char *)data, size) != MEDIA_OK) {
        FUZZ_CHECK(s1.media_count == 0 && s1.attr_count == 0 && s1.error_line >= 1);
        return 0;
    }
    roundtrip(&s1);
    accessors(&s1);
    negotiate(&s1, 0, 0);
    negotiate(&s1, 1, 0);
    negotiate(&s1, 2, 0);
    if (s1.media_count > 1) negotiate(&s1, 0, (int)s1.media_count);   /* the last m-line as the stream */
    /* edits keep it writable and parseable */
    if (s1.media_count && s1.media[0].is_rtp && s1.media[0].fmt_count) {
        FUZZ_CHECK(media_sdp_format_remove(&s1, 0, s1.media[0].pt[0]) == MEDIA_OK);
        if (media_sdp_direction_set(&s1, 0, MEDIA_SDP_SENDONLY) >= 0) FUZZ_CHECK(media_sdp_direction_get(&s1, 0) == MEDIA_SDP_SENDONLY);
        roundtrip(&s1);
    }
    return 0;
}
