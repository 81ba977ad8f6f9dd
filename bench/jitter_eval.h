/* The interface between bench/jitter_eval.c and bench/jitter_policy.c, which
   is compiled twice: against media.h and against the media.h before the
   playout work (git f0c6833), so one binary replays each trace through the
   old policy and the new one. Plain C types only: the two headers' own
   types never meet. */
#ifndef JITTER_EVAL_H
#define JITTER_EVAL_H
#include <stdint.h>

#define JE_FRAME 160          /* samples per 20 ms packet at 8 kHz */
#define JE_SEQ0 60000

typedef struct je_pkt { int64_t send_us, arrival_us; uint32_t ts; uint16_t seq; } je_pkt;   /* arrival < 0: lost */

enum { JE_PLAIN, JE_STRETCHED, JE_AFTER_DROP, JE_CONCEALED, JE_INSERTED };
typedef struct je_chunk { int64_t out_pos, src_pos; int len, kind; } je_chunk;   /* src_pos -1: no source */

typedef struct je_run {
    /* in */
    const je_pkt *order; long n;     /* received packets, in arrival order */
    const je_pkt *trace;             /* all packets, by seq - JE_SEQ0 */
    int64_t phase_us;                /* the playout clock's first tick: first arrival + phase */
    const int16_t *src;              /* the sent audio (JE_FRAME a packet), or NULL */
    /* out (arrays the caller sized) */
    int16_t *out; long out_cap, out_n;
    je_chunk *chunk; long chunk_cap, nchunk;
    double *frame_delay; int64_t *frame_time; long nframe;
    long late, concealed, dropped, inserted;
    double stretched_ms, compressed_ms;
} je_run;

void je_run_new(je_run *r);
void je_run_old(je_run *r);
#endif
