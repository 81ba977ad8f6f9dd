/* The common section: result codes are a stable contract (their numbers are
   asserted literally), each has its own description, the clock is monotonic,
   and no function takes a length or capacity that does not fit an int. */
#define _POSIX_C_SOURCE 200809L
#include "../../media.h"
#include "../harness.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void test_result_numbers_are_stable(void)
{
    CHECK_EQ_INT(MEDIA_OK, 0);
    CHECK_EQ_INT(MEDIA_ERROR, -1);
    CHECK_EQ_INT(MEDIA_EINVAL, -2);
    CHECK_EQ_INT(MEDIA_ENOMEM, -3);
    CHECK_EQ_INT(MEDIA_ENOSPC, -4);
    CHECK_EQ_INT(MEDIA_EPARSE, -5);
    CHECK_EQ_INT(MEDIA_ENOTFOUND, -6);
    CHECK_EQ_INT(MEDIA_EUNSUPPORTED, -7);
    CHECK_EQ_INT(MEDIA_ESTATE, -8);
    CHECK_EQ_INT(MEDIA_EAGAIN, -9);
    CHECK_EQ_INT(MEDIA_ESOCKET, -10);
    CHECK_EQ_INT(MEDIA_EIO, -11);
    CHECK_EQ_INT(MEDIA_ETIMEOUT, -12);
    CHECK_EQ_INT(MEDIA_ENEGOTIATION, -13);
    CHECK_EQ_INT(MEDIA_EREJECTED, -14);
}

static void test_every_result_has_its_own_description(void)
{
    int a, b;
    for (a = MEDIA_EREJECTED; a <= MEDIA_OK; a++) {
        const char *s = media_result_string(a);
        CHECK(s != NULL && s[0] != 0 && strcmp(s, "unknown result") != 0);
        for (b = a + 1; b <= MEDIA_OK; b++) CHECKF(strcmp(s, media_result_string(b)) != 0, "%d and %d share a description", a, b);
    }
    CHECK(strcmp(media_result_string(1), "unknown result") == 0);
    CHECK(strcmp(media_result_string(-1000), "unknown result") == 0);
    CHECK(strcmp(media_result_string(MEDIA_EPARSE), "malformed input") == 0);
}

static void test_clock_is_monotonic(void)
{
    uint64_t prev = media_now_us(), t;
    int i, back = 0;
    for (i = 0; i < 100000; i++) {
        t = media_now_us();
        if (t < prev) back++;
        prev = t;
    }
    CHECK_EQ_INT(back, 0);
    CHECK(prev > 0);
}

static void test_version_macros(void)
{
    char v[32];
    snprintf(v, sizeof v, "%d.%d.%d", MEDIA_VERSION_MAJOR, MEDIA_VERSION_MINOR, MEDIA_VERSION_PATCH);
    CHECK(strcmp(v, MEDIA_VERSION_STRING) == 0);
}

/* A recv() of -1 passed on as a length is SIZE_MAX: every function taking a
   length or a capacity refuses one beyond INT_MAX (MEDIA_EINVAL), and those
   that return nothing leave their output alone, before reading a byte (the
   inputs here are short and valid: under ASan a read past them fails) */
static void test_lengths_beyond_int(void)
{
    static const size_t big[2] = { (size_t)INT_MAX + 1u, (size_t)-1 };
    uint8_t pkt[172], out[1500], ext[8] = { 1, 2, 3, 4 };
    int16_t pcm[320], keep[320];
    char sdp_text[] = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";
    static media_sdp sdp;
    media_rtp_packet p;
    media_rtcp rtcp;
    media_rtcp_report rep;
    media_rtp_ext_element el;
    media_plc plc;
    media_stretch ts;
    media_wav_info wi;
    media_wav_file wf;
    media_resampler rs;
    media_addr addr;
    uint16_t profile;
    uint32_t ssrc = 7;
    size_t used;
    char path[512], text[64];
    const char *tmp = getenv("TMPDIR");
    int i, k;
    memset(pkt, 0, sizeof pkt);
    pkt[0] = 0x80;
    for (i = 0; i < 320; i++) pcm[i] = keep[i] = (int16_t)(i * 97);
    memset(&rep, 0, sizeof rep);
    rep.ssrc = 1;
    el.id = 1; el.len = 2; el.data = ext;
    CHECK_EQ_INT(media_plc_init(&plc, 8000), MEDIA_OK);
    CHECK_EQ_INT(media_stretch_init(&ts, 8000), MEDIA_OK);
    CHECK_EQ_INT(media_resampler_init(&rs, 8000, 16000, 1), MEDIA_OK);
    CHECK_EQ_INT(media_addr_parse(&addr, "127.0.0.1", 4000), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_parse(&sdp, sdp_text, strlen(sdp_text)), MEDIA_OK);
    snprintf(path, sizeof path, "%s/media_lengths_%ld.wav", tmp && *tmp ? tmp : "/tmp", (long)getpid());
    for (k = 0; k < 2; k++) {
        size_t n = big[k];
        memset(out, 0xA5, sizeof out);
        media_pcmu_encode(out, pcm, n);
        media_pcma_encode(out, pcm, n);
        CHECKF(out[0] == 0xA5 && out[1499] == 0xA5, "G.711 encode of %zu samples wrote", n);
        media_pcmu_decode(pcm, pkt, n);
        media_pcma_decode(pcm, pkt, n);
        media_plc_good(&plc, pcm, n);
        media_plc_conceal(&plc, pcm, n);
        CHECKF(memcmp(pcm, keep, sizeof pcm) == 0, "G.711 decode or concealment of %zu samples wrote", n);
        CHECK_EQ_INT(media_rtp_parse(&p, pkt, n), MEDIA_EINVAL);
        memset(&p, 0, sizeof p);
        p.version = 2; p.payload = pkt + 12; p.payload_len = 160;
        CHECK_EQ_INT(media_rtp_write(out, n, &p), MEDIA_EINVAL);
        p.csrc_count = 1;   /* the general path too */
        CHECK_EQ_INT(media_rtp_write(out, n, &p), MEDIA_EINVAL);
        CHECK_EQ_INT(media_rtp_ext_write(out, n, &profile, &el, 1), MEDIA_EINVAL);
        CHECK_EQ_INT(media_rtp_ext_write(out, sizeof out, &profile, &el, n), MEDIA_EINVAL);
        CHECK_EQ_INT(media_rtcp_parse(&rtcp, pkt, n, 0), MEDIA_EINVAL);
        CHECK_EQ_INT(media_rtcp_report_write(out, n, &rep), MEDIA_EINVAL);
        CHECK_EQ_INT(media_rtcp_bye_write(out, n, &ssrc, 1, NULL), MEDIA_EINVAL);
        CHECK_EQ_INT(media_stretch_process(&ts, pcm, n, 320, 20, 40), MEDIA_EINVAL);
        CHECK_EQ_INT(media_stretch_process(&ts, pcm, 160, n, 20, 40), MEDIA_EINVAL);
        CHECK_EQ_INT(media_sdp_parse(&sdp, sdp_text, n), MEDIA_EINVAL);
        CHECK_EQ_INT(media_sdp_parse(&sdp, sdp_text, strlen(sdp_text)), MEDIA_OK);
        CHECK_EQ_INT(media_sdp_write(text, n, &sdp), MEDIA_EINVAL);
        CHECK_EQ_INT(media_wav_parse(&wi, pkt, n), MEDIA_EINVAL);
        memset(&wi, 0, sizeof wi);
        wi.format = MEDIA_WAV_PCM16; wi.sample_rate = 8000; wi.channels = 1;
        CHECK_EQ_INT(media_wav_header_write(out, n, &wi), MEDIA_EINVAL);
        CHECK_EQ_INT(media_resampler_process(&rs, pcm, n, pcm, 10, &used), MEDIA_EINVAL);
        CHECK_EQ_INT(media_resampler_process(&rs, pcm, 20, pcm, n, &used), MEDIA_EINVAL);
        CHECK_EQ_INT(media_addr_string(text, n, &addr), MEDIA_EINVAL);
        if (media_wav_open_write(&wf, path, MEDIA_WAV_PCM16, 8000, 1) == MEDIA_OK) {
            CHECK_EQ_INT(media_wav_write(&wf, pcm, n), MEDIA_EINVAL);
            CHECK_EQ_INT(media_wav_write(&wf, pcm, 160), MEDIA_OK);
            CHECK_EQ_INT(media_wav_close(&wf), MEDIA_OK);
            CHECK_EQ_INT(media_wav_open_read(&wf, path), MEDIA_OK);
            CHECK_EQ_INT(media_wav_read(&wf, pcm, n), MEDIA_EINVAL);
            CHECK_EQ_INT(media_wav_read(&wf, pcm, 160), 160);
            media_wav_close(&wf);
            memcpy(pcm, keep, sizeof pcm);
        } else {
            CHECKF(0, "cannot write %s", path);
        }
    }
    remove(path);
}

int main(void)
{
    RUN(test_result_numbers_are_stable);
    RUN(test_every_result_has_its_own_description);
    RUN(test_clock_is_monotonic);
    RUN(test_version_macros);
    RUN(test_lengths_beyond_int);
    return harness_summary();
}
