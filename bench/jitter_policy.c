/* One playout policy's replay of a trace, as its session plays it: compiled
   by bench/run.sh against media.h (je_run_new) and against the media.h of
   git f0c6833, before the playout work (je_run_old). Packets go in at their
   arrival; a 20 ms clock asks for frames as that version's session does
   (the old one at the tick, the new one at each frame's own due time);
   the audio is the source's frame for each FRAME (as if decoded), the
   concealment for a LOST or GAP, blended at a dropped frame's seam, and,
   new, lengthened or shortened where the buffer asks. */
#define MEDIA_STATIC
#define MEDIA_IMPLEMENTATION
#include JP_HEADER
#include "jitter_eval.h"
#if MEDIA_VERSION_MINOR < 2        /* the old media.h: before the 0.2 names */
#define media_jitter_stats_get media_jitter_get_stats
#endif
#include <string.h>

static void jp_chunk(je_run *r, int64_t src_pos, int len, int kind)
{
    if (r->nchunk < r->chunk_cap) {
        je_chunk *c = &r->chunk[r->nchunk++];
        c->out_pos = r->out_n;
        c->src_pos = src_pos;
        c->len = len;
        c->kind = kind;
    }
}

static void jp_emit(je_run *r, const int16_t *pcm, int n)
{
    if (r->out_n + n > r->out_cap) n = (int)(r->out_cap - r->out_n);
    if (n > 0) memcpy(r->out + r->out_n, pcm, (size_t)n * sizeof *pcm);
    if (n > 0) r->out_n += n;
}

void JP_NAME(je_run *r)
{
    static media_jitter jb;
    media_jitter_config cfg;
    media_jitter_stats st;
    media_plc plc;
#ifdef MEDIA_JITTER_STRETCH
    media_stretch ts;
#endif
    static uint8_t payload[JE_FRAME];   /* G.711-sized; the audio comes from r->src */
    int16_t pcm[JE_FRAME * 2];
    long k = 0, pending = 0, frames = 0;
    int64_t tick, t0 = r->order[0].arrival_us + r->phase_us, end = r->order[r->n - 1].arrival_us + 1000000;
    r->out_n = r->nchunk = r->nframe = 0;
    r->late = r->concealed = r->dropped = r->inserted = 0;
    r->stretched_ms = r->compressed_ms = 0;
    media_jitter_config_init(&cfg);   /* defaults, as a session uses them */
#ifdef MEDIA_JITTER_STRETCH
    cfg.stretch = r->src != NULL;
    media_stretch_init(&ts, 8000);
#endif
    media_jitter_init(&jb, &cfg);
    media_plc_init(&plc, 8000);
    for (tick = t0; tick < end; tick += 20000) {
        media_jitter_frame f;
        int rc;
        for (; k < r->n && r->order[k].arrival_us <= tick; k++) {
            media_rtp_packet p;
            memset(&p, 0, sizeof p);
            p.version = 2; p.seq = r->order[k].seq; p.timestamp = r->order[k].ts; p.ssrc = 0x1234;
            p.payload = payload; p.payload_len = JE_FRAME;
            if (media_jitter_put(&jb, &p, (uint64_t)r->order[k].arrival_us) == MEDIA_JITTER_LATE) r->late++;
        }
        for (;;) {
#ifdef MEDIA_JITTER_STRETCH
            int64_t now = jb.next_play_us < tick ? jb.next_play_us : tick;   /* each frame at its own due time */
#else
            int64_t now = tick;
#endif
            if ((rc = media_jitter_get(&jb, (uint64_t)now, &f)) == MEDIA_JITTER_NONE) break;
            if (rc == MEDIA_JITTER_FRAME) {
                long idx = (uint16_t)(f.seq - JE_SEQ0);
                int len = JE_FRAME, kind = f.flags & MEDIA_JITTER_DISCONTINUITY ? JE_AFTER_DROP : JE_PLAIN;
                r->frame_delay[r->nframe] = (double)(now - r->trace[idx].send_us) / 1000.0;
                r->frame_time[r->nframe++] = now;
                frames++;
                r->concealed += pending;   /* only what lies between frames counts */
                pending = 0;
                if (!r->src) continue;
                if (f.flags & MEDIA_JITTER_DISCONTINUITY) media_plc_conceal(&plc, pcm, 0);
                memcpy(pcm, r->src + idx * JE_FRAME, sizeof(int16_t) * JE_FRAME);
                media_plc_good(&plc, pcm, JE_FRAME);
#ifdef MEDIA_JITTER_STRETCH
                if ((f.flags & MEDIA_JITTER_STRETCH) && f.stretch) {   /* as the session does */
                    int n = media_stretch_request(&ts, pcm, JE_FRAME, sizeof pcm / sizeof pcm[0], f.stretch);
                    if (n > 0 && n != JE_FRAME) {
                        media_jitter_stretched(&jb, n - JE_FRAME);
                        len = n;
                        kind = JE_STRETCHED;
                    }
                }
#endif
                jp_chunk(r, idx * JE_FRAME, len, kind);
                jp_emit(r, pcm, len);
            } else {
                if (frames) pending++;
                if (f.flags & MEDIA_JITTER_INSERTED) r->inserted++;
                if (!r->src || !frames) continue;
                media_plc_conceal(&plc, pcm, JE_FRAME);
                jp_chunk(r, -1, JE_FRAME, f.flags & MEDIA_JITTER_INSERTED ? JE_INSERTED : JE_CONCEALED);
                jp_emit(r, pcm, JE_FRAME);
            }
        }
    }
    media_jitter_stats_get(&jb, &st);
    r->dropped = (long)st.dropped;
#ifdef MEDIA_JITTER_STRETCH
    r->stretched_ms = (double)st.stretched_us / 1000.0;
    r->compressed_ms = (double)(st.compressed_us + st.silence_cut_us) / 1000.0;
#endif
}
