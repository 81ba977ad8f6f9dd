/* make demo: a whole call on loopback, in real time, between two sessions in
   this process. "caller" announces a prompt and dials digits; "callee" answers,
   records what it hears and talks back with a tone. One poll() loop drives both,
   the way you would drive many from your own event loop.
   Both offer Opus first when media_opus.h has libopus (make demo links it when
   pkg-config finds it; -DMEDIA_OPUS_NO_LIBOPUS otherwise), then PCMU. */
#define _POSIX_C_SOURCE 200809L
#define MEDIA_IMPLEMENTATION
#define MEDIA_OPUS_IMPLEMENTATION
#include "../media.h"
#include "../media_opus.h"
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define RATE 8000
#define PI 3.14159265358979
#define PROMPT_SECONDS 2.5
static const char *prompt_path = "build/demo_prompt.wav", *record_path = "build/demo_received.wav";

typedef struct party {
    const char *name;
    media_session *s;
    char digits[32];
    uint32_t durations[32];
    int ndigits;
    uint64_t phase;
    int hung_up;
} party;

/* A spoken-like prompt: a gliding voiced tone (three harmonics) in syllables. */
static int write_prompt(void)
{
    media_wav_file f;
    int16_t pcm[RATE / 50];
    size_t n = (size_t)(RATE * PROMPT_SECONDS), i, k;
    double ph = 0;
    if (media_wav_open_write(&f, prompt_path, MEDIA_WAV_PCM16, RATE, 1) != MEDIA_OK) return -1;
    for (i = 0; i < n; i += k) {
        k = n - i < RATE / 50 ? n - i : RATE / 50;
        for (size_t j = 0; j < k; j++) {
            double t = (double)(i + j) / RATE;
            double f0 = 140 + 40 * sin(2 * PI * 0.7 * t);
            double env = 0.5 - 0.5 * cos(2 * PI * fmod(t, 0.25) / 0.25);
            ph += 2 * PI * f0 / RATE;
            pcm[j] = (int16_t)(6000 * env * (sin(ph) + 0.6 * sin(2 * ph) + 0.3 * sin(3 * ph)));
        }
        if (media_wav_write(&f, pcm, k) != MEDIA_OK) return -1;
    }
    return media_wav_close(&f);
}

static void on_play_complete(media_session *s, int id, int result, void *user)
{
    party *p = (party *)user;
    (void)id;
    printf("%-6s prompt finished (%s); dialing 1234#\n", p->name, media_result_string(result));
    media_session_dtmf_send(s, "1234#");
}

static void on_dtmf(media_session *s, char digit, uint32_t ms, void *user)
{
    party *p = (party *)user;
    (void)s;
    if (p->ndigits < 31) { p->durations[p->ndigits] = ms; p->digits[p->ndigits++] = digit; }
    printf("%-6s heard DTMF '%c' (%u ms)\n", p->name, digit, (unsigned)ms);
    if (digit == '#') media_session_record_stop(s);
}

static int on_audio_out(media_session *s, int16_t *pcm, size_t n, uint32_t rate, void *user)
{
    party *p = (party *)user;
    (void)s;
    for (size_t i = 0; i < n; i++, p->phase++) pcm[i] = (int16_t)(3000 * sin(2 * PI * 425 * (double)p->phase / rate));
    return (int)n;
}

static void on_stop(media_session *s, int reason, void *user)
{
    (void)s; (void)reason;
    ((party *)user)->hung_up = 1;
}

static void on_negotiated(media_session *s, int result, const media_sdp_result *r, void *user)
{
    (void)s;
    if (result == MEDIA_OK)
        printf("%-6s negotiated %s/%u, payload type %d, %d ms, DTMF payload type %d\n", ((party *)user)->name,
               r->codec->name, (unsigned)r->codec->clock_rate, r->payload_type, r->ptime_ms, r->telephone_event_pt);
}

/* st: the party's statistics as the call ended (read before the BYE, which
   empties the callee's jitter buffer) */
static void print_stats(const party *p, const media_session_stats *sp)
{
    media_session_stats st = *sp;
    char rtt[32];
    if (st.rtt_ms < 0) snprintf(rtt, sizeof rtt, "unknown");   /* no RTCP report has given it */
    else snprintf(rtt, sizeof rtt, "%.2f ms", st.rtt_ms);
    printf("%-6s sent %llu packets, received %llu, lost %lld (%.1f %%), jitter %.2f ms, RTT %s, "
           "jitter buffer %.0f ms, concealed %llu, RTCP sent %llu / received %llu, MOS %.2f\n",
           p->name, (unsigned long long)st.packets_sent, (unsigned long long)st.packets_received,
           (long long)st.lost, st.loss_percent, st.jitter_ms, rtt, st.jitter_delay_ms,
           (unsigned long long)st.concealed, (unsigned long long)st.rtcp_sent, (unsigned long long)st.rtcp_received, st.mos);
}

/* How close the recording is to the prompt: segmental SNR over 20 ms frames,
   each aligned on its own (the jitter buffer moves the audio by whole frames
   while it adapts its delay, so one global alignment would not do). */
static double recording_snr(int *lag_out, double *level_db)
{
    static int16_t src[RATE * 4], rec[RATE * 8];
    media_wav_file f;
    int ns, nr, lag = INT_MIN, frames = 0, windows = 0, win_n = 0;
    double total = 0, win_sig = 0, win_got = 0, levels[64];
    if (media_wav_open_read(&f, prompt_path) != MEDIA_OK) return -1;
    ns = media_wav_read(&f, src, RATE * 4);
    media_wav_close(&f);
    if (media_wav_open_read(&f, record_path) != MEDIA_OK) return -1;
    nr = media_wav_read(&f, rec, RATE * 8);
    media_wav_close(&f);
    if (ns <= 0 || nr <= 0) return -1;
    for (int at = 0; at + 160 <= ns; at += 160) {
        double sig = 0, err = 0, best_c = -1e300;
        int lo = lag == INT_MIN ? 0 : lag - 400, hi = lag == INT_MIN ? RATE / 4 : lag + 400, best = lo;
        for (int i = 0; i < 160; i++) sig += (double)src[at + i] * src[at + i];
        if (sig / 160 < 250000) continue;   /* only frames with something to hear */
        for (int l = lo < -at ? -at : lo; l <= hi && at + l + 160 <= nr; l++) {   /* a dropped frame makes it negative */
            double c = 0, e = 1;
            for (int i = 0; i < 160; i++) { c += (double)src[at + i] * rec[at + l + i]; e += (double)rec[at + l + i] * rec[at + l + i]; }
            c /= sqrt(e);
            if (c > best_c) { best_c = c; best = l; }
        }
        double got = 1;
        for (int i = 0; i < 160; i++) {
            double d = (double)rec[at + best + i] - src[at + i];
            err += d * d;
            got += (double)rec[at + best + i] * rec[at + best + i];
        }
        /* levels over 100 ms (a few ms of alignment error moves a single
           frame's energy at a syllable's edge) */
        win_sig += sig;
        win_got += got;
        if (++win_n == 5 && windows < 64) {
            levels[windows++] = 10 * log10(win_got / win_sig);
            win_sig = win_got = 0;
            win_n = 0;
        }
        if (lag == INT_MIN) *lag_out = best;
        lag = best;
        total += err > 0 ? fmin(10 * log10(sig / err), 60) : 60;
        frames++;
    }
    /* the median level of the 100 ms windows against the prompt's */
    if (windows) {
        for (int i = 1; i < windows; i++)
            for (int j = i; j > 0 && levels[j - 1] > levels[j]; j--) { double t = levels[j]; levels[j] = levels[j - 1]; levels[j - 1] = t; }
        *level_db = levels[windows / 2];
    }
    return frames ? total / frames : -1;
}

int main(void)
{
    party caller = { "caller", NULL, { 0 }, { 0 }, 0, 0, 0 }, callee = { "callee", NULL, { 0 }, { 0 }, 0, 0, 0 };
    media_session_config c;
    char offer[2048], answer[2048];
    int n, err, lag = 0, with_opus;
    double level_db = -99;
    media_opus_config opus_cfg;
    static media_opus opus;
    const media_codec *codecs[3];
    size_t ncodecs = 0;
    media_session_stats st;
    uint64_t start, hangup_at = 0;
    media_session_stats at_end[2];
    int closed = 0;
    double snr;

    if (write_prompt() != MEDIA_OK) { fprintf(stderr, "cannot write %s\n", prompt_path); return 1; }

    /* Opus at the prompt's 8 kHz when it is there (narrowband at 24 kbit/s), else PCMU */
    media_opus_config_init(&opus_cfg);
    opus_cfg.sample_rate = RATE;
    opus_cfg.bitrate = 24000;
    with_opus = media_opus_init(&opus, &opus_cfg) == MEDIA_OK;
    if (with_opus) codecs[ncodecs++] = &opus.codec;
    codecs[ncodecs++] = media_codec_pcmu();
    codecs[ncodecs++] = media_codec_telephone_event();
    printf("codecs offered: %s\n", with_opus ? "opus (media_opus.h, libopus), PCMU" : "PCMU (media_opus.h built without libopus)");

    media_session_config_init(&c);
    c.codecs = codecs;
    c.codec_count = ncodecs;
    c.local_address = "127.0.0.1";
    c.handler.user = &caller;
    c.handler.play_complete = on_play_complete;
    c.handler.dtmf = on_dtmf;
    c.handler.session_stop = on_stop;
    c.handler.negotiation_complete = on_negotiated;
    c.rtcp_interval_ms = 1000;
    caller.s = media_session_create(&c, &err);
    c.handler.user = &callee;
    c.handler.play_complete = NULL;
    c.handler.audio_out = on_audio_out;
    callee.s = media_session_create(&c, &err);
    if (!caller.s || !callee.s) { fprintf(stderr, "create: %s\n", media_result_string(err)); return 1; }

    /* offer/answer, as a SIP stack would carry it */
    n = media_session_offer_create(caller.s, offer, sizeof offer);
    if (n < 0 || media_session_remote_sdp_set(callee.s, offer, (size_t)n) != MEDIA_OK ||
        (n = media_session_answer_create(callee.s, answer, sizeof answer)) < 0 ||
        media_session_remote_sdp_set(caller.s, answer, (size_t)n) != MEDIA_OK) {
        fprintf(stderr, "negotiation failed\n");
        return 1;
    }
    printf("--- offer ---\n%s--- answer ---\n%s-------------\n", offer, answer);
    media_session_play(caller.s, prompt_path, 1);
    media_session_record(callee.s, record_path, MEDIA_RECORD_RECEIVED);

    /* the event loop: wait on every socket for as long as the sessions allow */
    start = media_now_us();
    while (!caller.hung_up && media_now_us() - start < 15000000u) {
        struct pollfd fds[4];
        int nf = 0, t1, t2, i;
        party *ps[2] = { &caller, &callee };
        t1 = media_session_poll(caller.s);
        t2 = media_session_poll(callee.s);
        for (i = 0; i < 2; i++)
            for (int w = 0; w < 2; w++) {
                int fd = media_session_fd_get(ps[i]->s, w);
                if (fd >= 0) { fds[nf].fd = fd; fds[nf].events = POLLIN; fds[nf].revents = 0; nf++; }
            }
        if (!hangup_at && caller.ndigits == 0 && callee.ndigits == 5) hangup_at = media_now_us() + 500000;
        if (hangup_at && media_now_us() >= hangup_at && !closed) {
            media_session_stats_get(caller.s, &at_end[0]);
            media_session_stats_get(callee.s, &at_end[1]);
            media_session_close(caller.s);
            closed = 1;
        }
        (void)poll(fds, (nfds_t)nf, t1 < 0 ? (t2 < 0 ? 0 : t2) : (t2 < 0 || t1 < t2 ? t1 : t2));
    }
    for (n = 0; n < 5; n++) media_session_poll(callee.s);   /* the BYE */

    printf("\n");
    print_stats(&caller, &at_end[0]);
    print_stats(&callee, &at_end[1]);
    printf("callee received DTMF \"%s\"\n", callee.digits);
    snr = recording_snr(&lag, &level_db);
    media_session_stats_get(callee.s, &st);
    printf("recording %s vs prompt (%s): segmental SNR %.1f dB, level %+.1f dB (median of 100 ms), "
           "first frame %.1f ms later\n", record_path, st.codec ? st.codec : "?", snr, level_db, lag * 1000.0 / RATE);
    if (with_opus)
        printf("(Opus keeps how the prompt sounds, not each sample: a segmental SNR of a few dB is what it gives, and the\n"
               " level is what is checked; PCMU keeps the waveform: about 37 dB, built with -DMEDIA_OPUS_NO_LIBOPUS)\n");
    media_session_destroy(caller.s);
    media_session_destroy(callee.s);
    /* G.711 keeps the waveform (about 37 dB here); Opus keeps how it sounds,
       not each sample (a segmental SNR of a few dB), so for it the level is
       what is checked */
    return strcmp(callee.digits, "1234#") == 0 && (with_opus ? fabs(level_db) <= 1 : snr > 25) ? 0 : 1;
}
