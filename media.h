/* media.h - v0.1.0 - public domain or MIT (your choice; full text at the end of this file)

   The media half of a VoIP call in one C file: G.711, RTP/RTCP packets, and
   receiver statistics with an E-model MOS estimate. SDP offer/answer, the
   jitter buffer and the poll-driven session are being added in that order.

   Do this:
      #define MEDIA_IMPLEMENTATION
   before you include this file in *one* C or C++ file to create the implementation.

      // in exactly one .c file
      #define MEDIA_IMPLEMENTATION
      #include "media.h"

   Every other file just #includes "media.h". Link with -lm (the E-model uses log/pow).

   ============================================================================
   1. QUICK START
   ============================================================================

   Encode 20 ms of audio as PCMU straight into a datagram, put the RTP header
   in front, parse it back, feed the receiver statistics, ask for a MOS:

      int16_t pcm[160];              // 20 ms at 8 kHz, from your microphone
      uint8_t wire[1500];
      media_rtp_packet out, in;
      media_rtp_stats st;
      int n;

      media_rtp_stats_init(&st, 8000);                     // once per source
      media_pcmu_encode(wire + MEDIA_RTP_HEADER_SIZE, pcm, 160);
      memset(&out, 0, sizeof out);
      out.payload_type = 0; out.seq = 1000; out.timestamp = 160000; out.ssrc = 0x1234;
      out.payload = wire + MEDIA_RTP_HEADER_SIZE; out.payload_len = 160;
      n = media_rtp_write(wire, sizeof wire, &out);        // 172; the payload is not copied
      // ... sendto(fd, wire, n, ...) ... n = recvfrom(fd, wire, ...) ...
      if (n > 0 && media_rtp_parse(&in, wire, (size_t)n) == MEDIA_OK)   // in.payload points into wire
          media_rtp_stats_update(&st, &in, media_now_us());
      printf("lost %lld, jitter %.1f ms, MOS %.2f\n", (long long)media_rtp_stats_lost(&st),
             media_rtp_stats_jitter_ms(&st), media_rtp_stats_mos(&st, 40.0, MEDIA_EMODEL_G711_IE, MEDIA_EMODEL_G711_BPL));

   ============================================================================
   2. WHAT IS IN HERE (banners are greppable: search for ">>rtp" and so on)
   ============================================================================

      >>common   results, media_result_string(), media_now_us()
      >>g711     PCMU/PCMA (ITU-T G.711), bit-exact with the G.191 reference
      >>rtp      RTP header parse/write (RFC 3550), RFC 8285 header extensions
      >>rtcp     compound RTCP parse (SR, RR, SDES, BYE, APP; others kept raw),
                 SR/RR+SDES and BYE writers, NTP time helpers
      >>stats    RFC 3550 A.1/A.3/A.8 receiver statistics, ITU-T G.107 E-model

   Each section stands on its own: take the RTP parser without the statistics, or
   the statistics without the parser (they only share the packet struct).

   ============================================================================
   3. BUILD OPTIONS (define before including, identically in every file)
   ============================================================================

      MEDIA_IMPLEMENTATION  emit the implementation (in one translation unit)
      MEDIA_STATIC          make every function static (several private copies
                            of media.h in one program then never clash)
      MEDIADEF              decoration of every public function (default extern)
      MEDIA_MALLOC(sz,u) MEDIA_REALLOC(p,sz,u) MEDIA_FREE(p,u)
                            allocator; define all three or none. u is the user
                            pointer of the object that allocates (may be NULL)
      MEDIA_ASSERT(x)       internal consistency checks (default: assert)
      MEDIA_NO_SOCKETS      leave out everything that needs a socket API
      MEDIA_NO_STDIO        leave out everything that needs files (<stdio.h>)
                            (nothing in this version needs either; the session
                            and WAV parts will honour them)
      MEDIA_NO_SIMD         use only the portable scalar code (SSE2 is used
                            where the compiler targets it; results are identical)

   Capacities are macros with defaults, checked at compile time:

      MEDIA_RTCP_MAX_PACKETS     packets kept from one compound RTCP datagram (16)
      MEDIA_RTCP_MAX_REPORTS     report blocks kept from one compound (64)
      MEDIA_RTCP_MAX_SDES_ITEMS  SDES items kept from one compound (32)
      MEDIA_RTCP_MAX_SDES_CHUNKS SDES chunks kept from one compound (31)
      MEDIA_RTCP_MAX_BYE_SSRCS   BYE sources kept from one compound (31)

   Whatever a compound holds beyond a capacity is counted in media_rtcp.omitted,
   never written out of bounds; the packets themselves stay reachable raw.

   With -std=c99 and glibc the implementation needs POSIX declarations
   (clock_gettime). media.h defines _POSIX_C_SOURCE itself when it is the first
   include of the implementation file; if another system header comes first,
   define _POSIX_C_SOURCE 200809L at the top of that file or build with gnu99.

   ============================================================================
   4. MEMORY, ERRORS, THREADS
   ============================================================================

   Nothing in this version allocates: every object lives in memory you provide
   (a struct on the stack or inside your own structs). Parsers alias the buffer
   you hand them: the packet struct points into it and is valid while it is.

   Functions return int: >= 0 is success (a byte count where one makes sense),
   < 0 is a media_result. media_result_string() describes each. There is no
   global "last error" and the library prints nothing.

   There is no global state at all, so any function may be called from any
   thread; one object (a stats struct, a packet) belongs to one thread at a time.

   ============================================================================
   5. G.711
   ============================================================================

   media_pcmu_* / media_pcma_* convert between 16-bit linear PCM and 8-bit
   G.711 codes exactly as the ITU-T G.191 reference does: negative samples are
   one's-complemented before the low bits are dropped, which differs from Sun's
   g711.c (and Python's audioop) on a few hundred negative mu-law inputs. The
   encoders are branch-free (SSE2 where the target has it, a segment table
   otherwise); decoding is a table lookup.

   ============================================================================
   6. RTP AND RTCP
   ============================================================================

   media_rtp_parse() validates version 2, the CSRC list, the extension length
   and the padding count against the datagram length and returns MEDIA_EPARSE
   for anything malformed; nothing is read past len. media_rtp_write() is the
   inverse; if pkt->payload already points at the right place inside buf (you
   encoded straight into buf + media_rtp_header_size(pkt)) nothing is copied.

   RFC 8285 header extensions: media_rtp_ext_next() walks the elements of a
   parsed packet, media_rtp_ext_find() looks one up by id, media_rtp_ext_write()
   builds an extension block (one-byte form when every element fits it).

   media_rtcp_parse() splits a compound datagram with the checks of RFC 3550
   appendix A.2 (version, first packet SR or RR unless MEDIA_RTCP_REDUCED_SIZE,
   padding only on the last packet, lengths adding up to the datagram).
   Unknown packet types are kept raw and intact in the packet list.
   media_rtcp_write_report() writes SR or RR (+ SDES CNAME); media_rtcp_write_bye()
   appends a BYE.

   ============================================================================
   7. RECEIVER STATISTICS AND MOS
   ============================================================================

   media_rtp_stats follows RFC 3550 appendix A: A.1 source validation (a new
   source must show MEDIA_RTP_MIN_SEQUENTIAL in-order packets; a jump of more
   than MEDIA_RTP_MAX_DROPOUT restarts the count after two sequential packets),
   A.3 loss (cumulative and per report interval, the 24-bit signed clamp), A.8
   interarrival jitter. Lost is expected - received, as the RFC and tshark count
   it, so duplicates offset losses; duplicates and reordering are counted on
   their own too. media_rtp_stats_report_block() fills the RTCP report block
   (with LSR/DLSR once media_rtp_stats_sender_report() has seen an SR), and
   media_rtcp_rtt_us() turns a report block the peer sent back into a round trip.

   media_emodel_r() is the ITU-T G.107 E-model with its default parameters for
   everything a VoIP endpoint cannot measure; it takes one-way delay, the
   codec's Ie and Bpl, packet loss and burstiness. media_emodel_mos() maps R to
   MOS (G.107 Annex B). Defaults give R = 93.2, MOS = 4.41.

   ============================================================================
   8. LIMITS
   ============================================================================

   RTP: 15 CSRCs (the header's own limit), extension blocks up to 65535 words.
   RTCP: see the capacity macros above. Sizes are size_t; functions that return
   a byte count refuse (MEDIA_EINVAL) sizes that do not fit an int.
   Statistics: clock rates up to 1048576 Hz; for jitter, arrival gaps longer
   than about 19 hours count as 19 hours (the arithmetic stays in 64 bits).
*/

/* The implementation needs POSIX declarations; they must be requested before the
   first system header, i.e. here, before the header section includes <stdint.h>. */
#if defined(MEDIA_IMPLEMENTATION) && !defined(_WIN32) && !defined(_POSIX_C_SOURCE) && \
    !defined(_GNU_SOURCE) && !defined(_DEFAULT_SOURCE) && !defined(_XOPEN_SOURCE) && \
    !defined(MEDIA_H) && !defined(__APPLE__)
#define _POSIX_C_SOURCE 200809L
#endif

#ifndef MEDIA_H
#define MEDIA_H

#define MEDIA_VERSION_MAJOR 0
#define MEDIA_VERSION_MINOR 1
#define MEDIA_VERSION_PATCH 0
#define MEDIA_VERSION_STRING "0.1.0"

#include <stddef.h>
#include <stdint.h>

#ifndef MEDIADEF
#  ifdef MEDIA_STATIC
#    if defined(__GNUC__) || defined(__clang__)
#      define MEDIADEF static __attribute__((unused))
#    else
#      define MEDIADEF static
#    endif
#  else
#    define MEDIADEF extern
#  endif
#endif

/* Capacities. Every count read from the network is clamped to these. */
#ifndef MEDIA_RTCP_MAX_PACKETS
#define MEDIA_RTCP_MAX_PACKETS 16
#endif
#ifndef MEDIA_RTCP_MAX_REPORTS
#define MEDIA_RTCP_MAX_REPORTS 64
#endif
#ifndef MEDIA_RTCP_MAX_SDES_ITEMS
#define MEDIA_RTCP_MAX_SDES_ITEMS 32
#endif
#ifndef MEDIA_RTCP_MAX_SDES_CHUNKS
#define MEDIA_RTCP_MAX_SDES_CHUNKS 31
#endif
#ifndef MEDIA_RTCP_MAX_BYE_SSRCS
#define MEDIA_RTCP_MAX_BYE_SSRCS 31
#endif
#if MEDIA_RTCP_MAX_PACKETS < 1 || MEDIA_RTCP_MAX_PACKETS > 65535
#error "MEDIA_RTCP_MAX_PACKETS must be 1..65535"
#endif
#if MEDIA_RTCP_MAX_REPORTS < 1 || MEDIA_RTCP_MAX_REPORTS > 65535
#error "MEDIA_RTCP_MAX_REPORTS must be 1..65535"
#endif
#if MEDIA_RTCP_MAX_SDES_ITEMS < 1 || MEDIA_RTCP_MAX_SDES_ITEMS > 65535
#error "MEDIA_RTCP_MAX_SDES_ITEMS must be 1..65535"
#endif
#if MEDIA_RTCP_MAX_SDES_CHUNKS < 1 || MEDIA_RTCP_MAX_SDES_CHUNKS > 65535
#error "MEDIA_RTCP_MAX_SDES_CHUNKS must be 1..65535"
#endif
#if MEDIA_RTCP_MAX_BYE_SSRCS < 1 || MEDIA_RTCP_MAX_BYE_SSRCS > 65535
#error "MEDIA_RTCP_MAX_BYE_SSRCS must be 1..65535"
#endif

/* RFC 3550 appendix A.1 constants, overridable for unusual streams. */
#ifndef MEDIA_RTP_MIN_SEQUENTIAL
#define MEDIA_RTP_MIN_SEQUENTIAL 2
#endif
#ifndef MEDIA_RTP_MAX_DROPOUT
#define MEDIA_RTP_MAX_DROPOUT 3000
#endif
#ifndef MEDIA_RTP_MAX_MISORDER
#define MEDIA_RTP_MAX_MISORDER 100
#endif
#if MEDIA_RTP_MIN_SEQUENTIAL < 1 || MEDIA_RTP_MAX_DROPOUT < 1 || MEDIA_RTP_MAX_MISORDER < 1 || \
    MEDIA_RTP_MAX_DROPOUT + MEDIA_RTP_MAX_MISORDER >= 65536
#error "MEDIA_RTP_MIN_SEQUENTIAL/MAX_DROPOUT/MAX_MISORDER out of range"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------
   >>common
   --------------------------------------------------------------------------- */

/* One list makes both the enum and media_result_string(), so they cannot drift.
   The numbers are stable: new codes are only ever appended. */
#define MEDIA_RESULT_LIST(X) \
    X(MEDIA_OK,            0, "success") \
    X(MEDIA_ERROR,        -1, "unspecified error") \
    X(MEDIA_EINVAL,       -2, "invalid argument") \
    X(MEDIA_ENOMEM,       -3, "out of memory") \
    X(MEDIA_ENOSPC,       -4, "buffer or capacity too small") \
    X(MEDIA_EPARSE,       -5, "malformed input") \
    X(MEDIA_ENOTFOUND,    -6, "not found") \
    X(MEDIA_EUNSUPPORTED, -7, "not supported") \
    X(MEDIA_ESTATE,       -8, "not allowed in the current state") \
    X(MEDIA_EAGAIN,       -9, "nothing available yet, try again later") \
    X(MEDIA_ESOCKET,     -10, "socket error") \
    X(MEDIA_EIO,         -11, "file input/output error") \
    X(MEDIA_ETIMEOUT,    -12, "timed out") \
    X(MEDIA_ENEGOTIATION,-13, "no common codec or stream") \
    X(MEDIA_EREJECTED,   -14, "rejected by the handler or the peer")

typedef enum media_result {
#define MEDIA__RESULT_ENUM(name, value, text) name = value,
    MEDIA_RESULT_LIST(MEDIA__RESULT_ENUM)
#undef MEDIA__RESULT_ENUM
} media_result;

/* A static English description of a media_result ("unknown result" for others). */
MEDIADEF const char *media_result_string(int result);

/* Microseconds from a monotonic clock (never jumps with wall-clock changes).
   The origin is arbitrary; only differences mean anything. */
MEDIADEF uint64_t media_now_us(void);

/* ---------------------------------------------------------------------------
   >>g711
   --------------------------------------------------------------------------- */

/* One sample: 16-bit linear PCM to its G.711 code, and a code back to 16-bit
   linear (the middle of its quantisation interval, as G.191 expands it). */
MEDIADEF uint8_t media_pcmu_from_linear(int16_t s);
MEDIADEF int16_t media_pcmu_to_linear(uint8_t u);
MEDIADEF uint8_t media_pcma_from_linear(int16_t s);
MEDIADEF int16_t media_pcma_to_linear(uint8_t a);

/* n samples, same results as the one-sample functions; dst and src must not
   overlap. Any n and any alignment. */
MEDIADEF void media_pcmu_encode(uint8_t *dst, const int16_t *src, size_t n);
MEDIADEF void media_pcmu_decode(int16_t *dst, const uint8_t *src, size_t n);
MEDIADEF void media_pcma_encode(uint8_t *dst, const int16_t *src, size_t n);
MEDIADEF void media_pcma_decode(int16_t *dst, const uint8_t *src, size_t n);

/* ---------------------------------------------------------------------------
   >>rtp
   --------------------------------------------------------------------------- */

#define MEDIA_RTP_HEADER_SIZE 12
#define MEDIA_RTP_MAX_CSRC 15
#define MEDIA_RTP_EXT_ONE_BYTE 0xBEDEu  /* RFC 8285 4.2 */
#define MEDIA_RTP_EXT_TWO_BYTE 0x1000u  /* RFC 8285 4.3, low 4 bits are "appbits" */

typedef struct media_rtp_packet {
    /* laid out so the fields a bare header leaves constant sit together */
    uint8_t  version;        /* always 2 after a successful parse; ignored by write */
    uint8_t  marker;         /* 0 or 1 */
    uint8_t  payload_type;   /* 0..127 */
    uint8_t  csrc_count;     /* 0..15 */
    uint8_t  has_extension;  /* X bit; ext/ext_len may still be empty */
    uint8_t  padding;        /* padding bytes at the end incl. the count byte; 0 = none */
    uint16_t ext_profile;    /* "defined by profile" field, e.g. MEDIA_RTP_EXT_ONE_BYTE */
    uint16_t seq;
    uint32_t timestamp;
    uint32_t ssrc;
    const uint8_t *payload;
    size_t   payload_len;
    const uint8_t *ext;      /* extension data after its 4-byte header */
    size_t   ext_len;        /* bytes, a multiple of 4 */
    uint32_t csrc[MEDIA_RTP_MAX_CSRC];
} media_rtp_packet;

/* One RFC 8285 element. In the one-byte form id is 1..14 and len 1..16; in the
   two-byte form id is 1..255 and len 0..255. */
typedef struct media_rtp_ext_element {
    uint8_t id;
    uint8_t len;
    const uint8_t *data;
} media_rtp_ext_element;

/* Parses one RTP datagram. pkt aliases buf. Returns MEDIA_OK or MEDIA_EPARSE
   (MEDIA_EINVAL for NULL arguments). */
MEDIADEF int media_rtp_parse(media_rtp_packet *pkt, const uint8_t *buf, size_t len);

/* Bytes the header of pkt takes: 12 + CSRCs + extension. */
MEDIADEF size_t media_rtp_header_size(const media_rtp_packet *pkt);

/* Writes pkt into buf. Returns the datagram length, MEDIA_ENOSPC if cap is too
   small, MEDIA_EINVAL for impossible fields (payload type > 127, more than 15
   CSRCs, extension length not a multiple of 4). The payload may already sit at
   buf + media_rtp_header_size(pkt) (then it is not touched), and pkt may be a
   packet parsed from buf itself with a changed header: extension and payload
   are moved safely. */
MEDIADEF int media_rtp_write(uint8_t *buf, size_t cap, const media_rtp_packet *pkt);

/* Walks the RFC 8285 elements of a parsed packet. Start with *pos = 0.
   Returns 1 and fills el for each element, 0 at the end, MEDIA_EPARSE if the
   block is malformed, MEDIA_EUNSUPPORTED if the profile is not an RFC 8285 one. */
MEDIADEF int media_rtp_ext_next(const media_rtp_packet *pkt, size_t *pos, media_rtp_ext_element *el);

/* Finds element id. Returns its length (>= 0) and sets el, or MEDIA_ENOTFOUND. */
MEDIADEF int media_rtp_ext_find(const media_rtp_packet *pkt, int id, media_rtp_ext_element *el);

/* Encodes count elements into dst as an extension block (without its 4-byte
   header: point pkt->ext at dst). Uses the one-byte form when every element fits
   it, otherwise the two-byte form; *profile receives the matching profile value.
   Pads with zero bytes to a multiple of 4. Returns the block length, or
   MEDIA_ENOSPC / MEDIA_EINVAL (id 0, data NULL). dst must not overlap the data. */
MEDIADEF int media_rtp_ext_write(uint8_t *dst, size_t cap, uint16_t *profile,
                                 const media_rtp_ext_element *el, size_t count);

/* Wrap-safe comparisons: the signed distance from b to a. */
MEDIADEF int32_t media_rtp_seq_diff(uint16_t a, uint16_t b);
MEDIADEF int32_t media_rtp_ts_diff(uint32_t a, uint32_t b);

/* ---------------------------------------------------------------------------
   >>rtcp
   --------------------------------------------------------------------------- */

enum {
    MEDIA_RTCP_SR = 200, MEDIA_RTCP_RR = 201, MEDIA_RTCP_SDES = 202,
    MEDIA_RTCP_BYE = 203, MEDIA_RTCP_APP = 204
};
enum {
    MEDIA_SDES_END = 0, MEDIA_SDES_CNAME = 1, MEDIA_SDES_NAME = 2, MEDIA_SDES_EMAIL = 3,
    MEDIA_SDES_PHONE = 4, MEDIA_SDES_LOC = 5, MEDIA_SDES_TOOL = 6, MEDIA_SDES_NOTE = 7,
    MEDIA_SDES_PRIV = 8
};
/* media_rtcp_parse flags */
#define MEDIA_RTCP_REDUCED_SIZE 1u   /* RFC 5506: accept compounds not led by SR/RR */

typedef struct media_rtcp_report_block {
    uint32_t ssrc;            /* the source this block is about */
    uint8_t  fraction_lost;   /* lost/expected in the interval, 8-bit fixed point */
    int32_t  cumulative_lost; /* 24-bit signed on the wire */
    uint32_t highest_seq;     /* extended highest sequence number received */
    uint32_t jitter;          /* RTP timestamp units */
    uint32_t lsr;             /* middle 32 bits of the last SR's NTP time, 0 = none */
    uint32_t dlsr;            /* delay since that SR, 1/65536 s */
} media_rtcp_report_block;

typedef struct media_rtcp_sdes_item {
    uint8_t type;             /* MEDIA_SDES_* */
    uint8_t len;
    const char *text;         /* aliases the datagram; not NUL-terminated. For PRIV
                                 it starts with the prefix length byte. */
} media_rtcp_sdes_item;

typedef struct media_rtcp_sdes_chunk {
    uint32_t ssrc;
    uint16_t first_item;      /* index into media_rtcp.items */
    uint16_t item_count;
} media_rtcp_sdes_chunk;

/* One packet of a compound. The fields that apply depend on type. */
typedef struct media_rtcp_packet {
    uint8_t  type;            /* MEDIA_RTCP_* or any other packet type, kept raw */
    uint8_t  count;           /* RC, SC or APP subtype */
    const uint8_t *data;      /* the whole packet from its header, padding excluded */
    size_t   size;
    uint32_t ssrc;            /* SR, RR, APP: the sender. Others: first word after the header, or 0 */
    /* type-specific from here to the end (zeroed where they do not apply). SR sender info: */
    uint64_t ntp;
    uint32_t rtp_timestamp;
    uint32_t packet_count;
    uint32_t octet_count;
    /* SR/RR: media_rtcp.reports[first .. first + n); SDES: chunks; BYE: bye_ssrcs */
    uint16_t first;
    uint16_t n;
    /* BYE reason (may be empty); APP name, data */
    const char *reason;
    uint8_t  reason_len;
    char     name[5];         /* APP name, NUL-terminated */
    const uint8_t *app_data;
    size_t   app_len;
} media_rtcp_packet;

typedef struct media_rtcp {
    uint16_t packet_count;
    uint16_t report_count;
    uint16_t chunk_count;
    uint16_t item_count;
    uint16_t bye_count;
    uint32_t omitted;         /* packets/blocks/items that did not fit a capacity */
    media_rtcp_packet       packets[MEDIA_RTCP_MAX_PACKETS];
    media_rtcp_report_block reports[MEDIA_RTCP_MAX_REPORTS];
    media_rtcp_sdes_chunk   chunks[MEDIA_RTCP_MAX_SDES_CHUNKS];
    media_rtcp_sdes_item    items[MEDIA_RTCP_MAX_SDES_ITEMS];
    uint32_t                bye_ssrcs[MEDIA_RTCP_MAX_BYE_SSRCS];
} media_rtcp;

/* Parses a compound RTCP datagram into c (which aliases buf). Returns the number
   of packets in the compound (>= 1), or MEDIA_EPARSE. */
MEDIADEF int media_rtcp_parse(media_rtcp *c, const uint8_t *buf, size_t len, unsigned flags);

/* What an endpoint reports periodically: SR when is_sender, else RR. */
typedef struct media_rtcp_report {
    uint32_t ssrc;
    int      is_sender;
    uint64_t ntp;             /* SR only: wall clock when the SR is sent */
    uint32_t rtp_timestamp;   /* SR only: RTP time of the same instant */
    uint32_t packet_count;
    uint32_t octet_count;
    const media_rtcp_report_block *blocks;
    size_t   block_count;     /* more than 31 continue in further RR packets */
    const char *cname;        /* SDES CNAME; NULL or "" for none */
} media_rtcp_report;

/* Writes SR or RR (+ SDES CNAME). Returns bytes written or MEDIA_ENOSPC/EINVAL. */
MEDIADEF int media_rtcp_write_report(uint8_t *buf, size_t cap, const media_rtcp_report *r);

/* Writes a BYE for count SSRCs (1..31) with an optional reason (<= 255 bytes).
   RFC 3550 wants it to follow a report in the same compound: write the report,
   then the BYE at buf + its length. */
MEDIADEF int media_rtcp_write_bye(uint8_t *buf, size_t cap, const uint32_t *ssrcs, size_t count,
                                  const char *reason);

/* NTP time: 64-bit (32.32 seconds since 1900) and the "middle 32 bits" (16.16)
   that LSR and DLSR use. */
MEDIADEF uint64_t media_ntp_from_unix_us(uint64_t unix_us);
MEDIADEF uint64_t media_ntp_to_unix_us(uint64_t ntp);
MEDIADEF uint32_t media_ntp_middle(uint64_t ntp);
MEDIADEF uint32_t media_ntp_short_from_us(uint64_t us);   /* duration -> 16.16 */
MEDIADEF uint64_t media_ntp_short_to_us(uint32_t v);      /* 16.16 -> duration */
MEDIADEF uint64_t media_ntp_now(void);                    /* wall clock as NTP */

/* Round trip from a report block the peer sent about our stream (RFC 3550
   6.4.1): arrival - LSR - DLSR. arrival_ntp is our wall clock as NTP when the
   block arrived. Returns MEDIA_OK and *rtt_us, MEDIA_ENOTFOUND when the block
   carries no LSR, MEDIA_EINVAL when the result would be negative. */
MEDIADEF int media_rtcp_rtt_us(const media_rtcp_report_block *rb, uint64_t arrival_ntp, uint32_t *rtt_us);

/* ---------------------------------------------------------------------------
   >>stats
   --------------------------------------------------------------------------- */

/* What media_rtp_stats_update() made of a packet (all >= 0). */
enum {
    MEDIA_RTP_ACCEPTED = 0,   /* valid, in order (possibly after a gap) */
    MEDIA_RTP_PROBATION = 1,  /* new source not yet validated; not counted */
    MEDIA_RTP_DUPLICATE = 2,  /* seen before (counted as received, as A.1 does) */
    MEDIA_RTP_REORDERED = 3,  /* older than the highest sequence seen */
    MEDIA_RTP_BAD_SEQ = 4,    /* a jump beyond MAX_DROPOUT; dropped unless repeated */
    MEDIA_RTP_RESTARTED = 5   /* the jump was confirmed: counting restarted */
};

/* Receiver statistics for one source. Plain fields are readable at any time. */
typedef struct media_rtp_stats {
    uint32_t ssrc;
    uint32_t clock_rate;
    /* RFC 3550 A.1 state */
    uint16_t max_seq;
    uint32_t cycles;          /* shifted count of sequence wraps */
    uint32_t base_seq;
    uint32_t bad_seq;
    uint32_t probation;
    uint32_t received;        /* A.1 semantics: valid packets incl. duplicates */
    uint32_t expected_prior;
    uint32_t received_prior;
    /* A.8 jitter, kept in 1/256 RTP units for precision */
    uint64_t jitter_q8;
    uint64_t last_arrival_us;
    uint32_t last_timestamp;
    int      have_transit;
    /* our own counters */
    uint64_t packets;         /* every packet offered, in probation or not */
    uint64_t bytes;           /* payload bytes of those */
    uint32_t duplicates;
    uint32_t reordered;
    uint32_t bad_seq_count;
    uint32_t restarts;
    uint32_t ssrc_changes;
    uint32_t loss_events;     /* gaps seen in order: for the burst ratio */
    uint32_t gap_lost;        /* packets missing in those gaps */
    uint64_t seen_lo, seen_hi;/* bitmap of the last 128 extended sequence numbers */
    int      started;
    /* last SR from this source, for LSR/DLSR */
    uint32_t lsr;
    uint64_t lsr_arrival_us;
} media_rtp_stats;

/* clock_rate in Hz (0 means 8000; capped at 1048576). */
MEDIADEF void media_rtp_stats_init(media_rtp_stats *st, uint32_t clock_rate);

/* Feeds one received packet (arrival on the media_now_us() timeline or any
   other monotonic microsecond clock). A different SSRC from the one seen so far
   starts the source afresh (counted in ssrc_changes). Returns MEDIA_RTP_*. */
MEDIADEF int media_rtp_stats_update(media_rtp_stats *st, const media_rtp_packet *pkt, uint64_t arrival_us);

/* Extended highest sequence, expected and lost (expected - received; negative
   when duplicates outnumber losses) since the source was validated. */
MEDIADEF uint32_t media_rtp_stats_ext_max(const media_rtp_stats *st);
MEDIADEF uint32_t media_rtp_stats_expected(const media_rtp_stats *st);
MEDIADEF int64_t  media_rtp_stats_lost(const media_rtp_stats *st);
MEDIADEF double   media_rtp_stats_loss_percent(const media_rtp_stats *st);
MEDIADEF uint32_t media_rtp_stats_jitter(const media_rtp_stats *st);     /* RTP units */
MEDIADEF double   media_rtp_stats_jitter_ms(const media_rtp_stats *st);
/* Gilbert-model burst ratio (1 = random loss, > 1 bursty) from the gaps seen. */
MEDIADEF double   media_rtp_stats_burst_ratio(const media_rtp_stats *st);

/* Remembers an SR from this source so later report blocks carry LSR/DLSR. */
MEDIADEF void media_rtp_stats_sender_report(media_rtp_stats *st, uint64_t sr_ntp, uint64_t arrival_us);

/* Fills a report block about this source as of now_us (same clock as arrival)
   and starts a new reporting interval (A.3). */
MEDIADEF void media_rtp_stats_report_block(media_rtp_stats *st, media_rtcp_report_block *rb, uint64_t now_us);

/* ITU-T G.107 E-model. Codec figures come from ITU-T G.113 Appendix I:
   G.711 has Ie 0 and Bpl 25.1 with packet-loss concealment (4.3 without). */
#define MEDIA_EMODEL_G711_IE 0.0
#define MEDIA_EMODEL_G711_BPL 25.1

typedef struct media_emodel_params {
    double delay_ms;       /* one-way mouth-to-ear delay T (Ta = T, Tr = 2T) */
    double ie;
    double bpl;
    double loss_percent;   /* Ppl */
    double burst_ratio;    /* BurstR, 1 for random loss */
} media_emodel_params;

/* The transmission rating R (0..100, 93.2 for a perfect narrowband call). */
MEDIADEF double media_emodel_r(const media_emodel_params *p);
/* R to an estimated mean opinion score, 1.0 .. 4.5. */
MEDIADEF double media_emodel_mos(double r);
/* The MOS of this stream from its loss and burstiness, one_way_delay_ms and the
   codec's Ie and Bpl (e.g. MEDIA_EMODEL_G711_IE, MEDIA_EMODEL_G711_BPL). */
MEDIADEF double media_rtp_stats_mos(const media_rtp_stats *st, double one_way_delay_ms, double ie, double bpl);

#ifdef __cplusplus
}
#endif
#endif /* MEDIA_H */

/* ===========================================================================
   IMPLEMENTATION
   =========================================================================== */
#if defined(MEDIA_IMPLEMENTATION) && !defined(MEDIA_IMPLEMENTATION_DONE)
#define MEDIA_IMPLEMENTATION_DONE

#if defined(MEDIA_MALLOC) && defined(MEDIA_REALLOC) && defined(MEDIA_FREE)
/* all three supplied */
#elif !defined(MEDIA_MALLOC) && !defined(MEDIA_REALLOC) && !defined(MEDIA_FREE)
#include <stdlib.h>
#define MEDIA_MALLOC(sz, u) ((void)(u), malloc(sz))
#define MEDIA_REALLOC(p, sz, u) ((void)(u), realloc((p), (sz)))
#define MEDIA_FREE(p, u) ((void)(u), free(p))
#else
#error "define all of MEDIA_MALLOC, MEDIA_REALLOC and MEDIA_FREE, or none"
#endif

#ifndef MEDIA_ASSERT
#include <assert.h>
#define MEDIA_ASSERT(x) assert(x)
#endif

#include <string.h>
#include <limits.h>
#include <math.h>

#if defined(_WIN32)
#include <windows.h>
#else
#include <time.h>
#if !defined(CLOCK_MONOTONIC)
#error "media.h: the implementation needs POSIX clocks. Define _POSIX_C_SOURCE 200809L before the first #include of this file, or build with -std=gnu99/gnu11."
#endif
#endif

#if !defined(MEDIA_NO_SIMD) && (defined(__SSE2__) || defined(_M_X64) || \
    (defined(_M_IX86_FP) && _M_IX86_FP >= 2))
#include <emmintrin.h>
#define MEDIA__SSE2 1
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* >>common implementation ------------------------------------------------- */

MEDIADEF const char *media_result_string(int result)
{
    switch (result) {
#define MEDIA__RESULT_CASE(name, value, text) case value: return text;
    MEDIA_RESULT_LIST(MEDIA__RESULT_CASE)
#undef MEDIA__RESULT_CASE
    default: return "unknown result";
    }
}

MEDIADEF uint64_t media_now_us(void)
{
#if defined(_WIN32)
    LARGE_INTEGER f, c;
    QueryPerformanceFrequency(&f);
    QueryPerformanceCounter(&c);
    return (uint64_t)(c.QuadPart / f.QuadPart) * 1000000u +
           (uint64_t)(c.QuadPart % f.QuadPart) * 1000000u / (uint64_t)f.QuadPart;
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
#endif
}

/* Big-endian access on byte arrays: no casts, no alignment assumptions. */
static uint16_t media__rd16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static uint32_t media__rd32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static void media__wr16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void media__wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

/* Keeps rarely taken general paths out of line so the fast paths stay leaf
   functions (no register spills). Optional: without it the code is the same. */
#if defined(__GNUC__) || defined(__clang__)
#define MEDIA__NOINLINE __attribute__((noinline))
#elif defined(_MSC_VER)
#define MEDIA__NOINLINE __declspec(noinline)
#else
#define MEDIA__NOINLINE
#endif

/* >>g711 implementation ---------------------------------------------------
   Both laws split a magnitude into a segment (exponent) and a 4-bit step within
   it. The G.191 reference finds the segment with a loop; here floor(log2) comes
   from a 256-entry table (scalar) or from the exponent of a float (SSE2), so no
   branch depends on the signal. Negative samples are one's-complemented (x ^ -1)
   as in the reference, never negated. */

#define MEDIA__R2(x) x, x
#define MEDIA__R4(x) MEDIA__R2(x), MEDIA__R2(x)
#define MEDIA__R8(x) MEDIA__R4(x), MEDIA__R4(x)
#define MEDIA__R16(x) MEDIA__R8(x), MEDIA__R8(x)
#define MEDIA__R32(x) MEDIA__R16(x), MEDIA__R16(x)
#define MEDIA__R64(x) MEDIA__R32(x), MEDIA__R32(x)
#define MEDIA__R128(x) MEDIA__R64(x), MEDIA__R64(x)
static const uint8_t media__log2_tab[256] = {
    0, 0, 1, 1, MEDIA__R4(2), MEDIA__R8(3), MEDIA__R16(4), MEDIA__R32(5), MEDIA__R64(6), MEDIA__R128(7)
};

/* Decoding is one table lookup: 256 entries per law, each computed here by the
   compiler from the expansion rule (mu-law: ((2q + 33) << seg) - 33, scaled by 4;
   A-law: 2q + 1, or (2q + 33) << (seg - 1), scaled by 8), never typed by hand. */
#define MEDIA__UV(c) (255 - (c))
#define MEDIA__UMAG(c) (((((MEDIA__UV(c) & 15) << 3) + 132) << ((MEDIA__UV(c) >> 4) & 7)) - 132)
#define MEDIA__ULAW(c) ((int16_t)(((c) & 0x80) ? MEDIA__UMAG(c) : -MEDIA__UMAG(c)))
#define MEDIA__AX(c) (((c) ^ 0x55) & 0x7F)
#define MEDIA__ANZ(x) (((x) >> 4) != 0)
#define MEDIA__AMAG(x) (((((x) & 15) << 4) + 8 + (MEDIA__ANZ(x) << 8)) << (((x) >> 4) - MEDIA__ANZ(x)))
#define MEDIA__ALAW(c) ((int16_t)(((c) & 0x80) ? MEDIA__AMAG(MEDIA__AX(c)) : -MEDIA__AMAG(MEDIA__AX(c))))
#define MEDIA__T4(f, b) f(b), f(b + 1), f(b + 2), f(b + 3)
#define MEDIA__T16(f, b) MEDIA__T4(f, b), MEDIA__T4(f, b + 4), MEDIA__T4(f, b + 8), MEDIA__T4(f, b + 12)
#define MEDIA__T64(f, b) MEDIA__T16(f, b), MEDIA__T16(f, b + 16), MEDIA__T16(f, b + 32), MEDIA__T16(f, b + 48)
#define MEDIA__T256(f) MEDIA__T64(f, 0), MEDIA__T64(f, 64), MEDIA__T64(f, 128), MEDIA__T64(f, 192)
static const int16_t media__ulaw_tab[256] = { MEDIA__T256(MEDIA__ULAW) };
static const int16_t media__alaw_tab[256] = { MEDIA__T256(MEDIA__ALAW) };

static void media__g711_decode(int16_t *dst, const uint8_t *src, size_t n, const int16_t *tab)
{
    size_t i;
    for (i = 0; i + 4 <= n; i += 4) {
        int16_t a = tab[src[i]], b = tab[src[i + 1]], c = tab[src[i + 2]], d = tab[src[i + 3]];
        dst[i] = a; dst[i + 1] = b; dst[i + 2] = c; dst[i + 3] = d;
    }
    for (n &= 3, dst += i, src += i, i = 0; i < n; i++) dst[i] = tab[src[i]];
}

static uint8_t media__ulaw_enc(int x)
{
    int neg = -(x < 0);                 /* 0 or -1 */
    int a = ((x ^ neg) >> 2) + 33;      /* 14-bit magnitude + bias, 33..8224 */
    int over = a - 0x1FFF;
    int seg, q;
    a -= over & -(over > 0);            /* clip to 0x1FFF without a branch */
    seg = media__log2_tab[a >> 5];
    q = (a >> (seg + 1)) & 15;
    return (uint8_t)(((seg << 4) | q) ^ 0xFF ^ (neg & 0x80));
}

MEDIADEF int16_t media_pcmu_to_linear(uint8_t u) { return media__ulaw_tab[u]; }

static uint8_t media__alaw_enc(int x)
{
    int neg = -(x < 0);
    int ix = (x ^ neg) >> 4;            /* 0..2047 */
    int seg = media__log2_tab[ix >> 3];
    int q = (ix >> (seg - (seg != 0))) & 15;
    return (uint8_t)(((seg << 4) | q) ^ 0xD5 ^ (neg & 0x80));
}

MEDIADEF int16_t media_pcma_to_linear(uint8_t a) { return media__alaw_tab[a]; }

MEDIADEF uint8_t media_pcmu_from_linear(int16_t s) { return media__ulaw_enc(s); }
MEDIADEF uint8_t media_pcma_from_linear(int16_t s) { return media__alaw_enc(s); }

#ifdef MEDIA__SSE2
/* 8 samples -> 8 mu-law (law 0) or A-law (law 1) codes in the low half of the result. */
static __m128i media__g711_enc8(__m128i x, int law)
{
    const __m128i zero = _mm_setzero_si128();
    __m128i neg = _mm_srai_epi16(x, 15);
    __m128i m = _mm_xor_si128(x, neg);                     /* one's complement */
    __m128i a, lo, hi, mag, code;
    if (law == 0) {
        a = _mm_min_epi16(_mm_add_epi16(_mm_srli_epi16(m, 2), _mm_set1_epi16(33)), _mm_set1_epi16(0x1FFF));
    } else {
        m = _mm_srli_epi16(m, 4);                          /* 0..2047 */
        a = _mm_max_epi16(m, _mm_set1_epi16(16));          /* segment 0 handled below */
    }
    /* float(a): exponent gives the segment, the top 4 mantissa bits the step */
    lo = _mm_castps_si128(_mm_cvtepi32_ps(_mm_unpacklo_epi16(a, zero)));
    hi = _mm_castps_si128(_mm_cvtepi32_ps(_mm_unpackhi_epi16(a, zero)));
    mag = _mm_packs_epi32(_mm_srli_epi32(lo, 19), _mm_srli_epi32(hi, 19));
    if (law == 0) {
        mag = _mm_sub_epi16(mag, _mm_set1_epi16(0x840));   /* (127 + 5) << 4 */
        code = _mm_xor_si128(mag, _mm_set1_epi16(0xFF));
    } else {
        /* (127 + 3) << 4, plus min(m, 16) - 16 which is 0 above segment 0 and
           turns float(16) into m below it (segments 0 and 1 share a step) */
        mag = _mm_add_epi16(_mm_sub_epi16(mag, _mm_set1_epi16(0x820 + 16)), _mm_min_epi16(m, _mm_set1_epi16(16)));
        code = _mm_xor_si128(mag, _mm_set1_epi16(0xD5));
    }
    return _mm_xor_si128(code, _mm_and_si128(neg, _mm_set1_epi16(0x80)));
}

#endif

/* law 0 = mu-law, 1 = A-law; a constant at every call, so each caller gets its own loop */
static void media__g711_encode(uint8_t *dst, const int16_t *src, size_t n, int law)
{
    size_t i = 0;
#ifdef MEDIA__SSE2
    for (; i + 16 <= n; i += 16) {
        __m128i a = media__g711_enc8(_mm_loadu_si128((const __m128i *)(const void *)(src + i)), law);
        __m128i b = media__g711_enc8(_mm_loadu_si128((const __m128i *)(const void *)(src + i + 8)), law);
        _mm_storeu_si128((__m128i *)(void *)(dst + i), _mm_packus_epi16(a, b));
    }
    /* the tail gets an explicit bound below 16, so inlining into callers with
       fixed-size arrays cannot provoke loop-bound warnings */
    n &= 15;
    dst += i;
    src += i;
    i = 0;
#endif
    for (; i < n; i++) dst[i] = law ? media__alaw_enc(src[i]) : media__ulaw_enc(src[i]);
}

MEDIADEF void media_pcmu_encode(uint8_t *dst, const int16_t *src, size_t n) { media__g711_encode(dst, src, n, 0); }
MEDIADEF void media_pcma_encode(uint8_t *dst, const int16_t *src, size_t n) { media__g711_encode(dst, src, n, 1); }

MEDIADEF void media_pcmu_decode(int16_t *dst, const uint8_t *src, size_t n)
{
    media__g711_decode(dst, src, n, media__ulaw_tab);
}

MEDIADEF void media_pcma_decode(int16_t *dst, const uint8_t *src, size_t n)
{
    media__g711_decode(dst, src, n, media__alaw_tab);
}

/* >>rtp implementation ---------------------------------------------------- */

MEDIADEF int32_t media_rtp_seq_diff(uint16_t a, uint16_t b)
{
    return (int32_t)(int16_t)(uint16_t)(a - b);
}

MEDIADEF int32_t media_rtp_ts_diff(uint32_t a, uint32_t b)
{
    uint32_t d = a - b;
    /* two's-complement reinterpretation without implementation-defined conversion */
    return d <= 0x7FFFFFFFu ? (int32_t)d : -(int32_t)(~d) - 1;
}

static MEDIA__NOINLINE int media__rtp_parse_general(media_rtp_packet *pkt, const uint8_t *buf, size_t len)
{
    size_t off;
    unsigned b0, cc, i;
    if (!pkt || (!buf && len)) return MEDIA_EINVAL;
    if (len < MEDIA_RTP_HEADER_SIZE) return MEDIA_EPARSE;
    b0 = buf[0];
    if ((b0 >> 6) != 2) return MEDIA_EPARSE;
    cc = b0 & 15;
    off = MEDIA_RTP_HEADER_SIZE + 4u * cc;
    if (off > len) return MEDIA_EPARSE;
    pkt->version = 2;
    pkt->marker = (uint8_t)(buf[1] >> 7);
    pkt->payload_type = (uint8_t)(buf[1] & 0x7F);
    pkt->csrc_count = (uint8_t)cc;
    pkt->seq = media__rd16(buf + 2);
    pkt->timestamp = media__rd32(buf + 4);
    pkt->ssrc = media__rd32(buf + 8);
    for (i = 0; i < cc; i++) pkt->csrc[i] = media__rd32(buf + 12 + 4 * i);
    pkt->has_extension = (uint8_t)((b0 >> 4) & 1);
    pkt->ext_profile = 0;
    pkt->ext = NULL;
    pkt->ext_len = 0;
    if (b0 & 0x10) {
        size_t words;
        if (len - off < 4) return MEDIA_EPARSE;
        pkt->ext_profile = media__rd16(buf + off);
        words = media__rd16(buf + off + 2);
        off += 4;
        if (words * 4 > len - off) return MEDIA_EPARSE;
        pkt->ext = buf + off;
        pkt->ext_len = words * 4;
        off += words * 4;
    }
    pkt->padding = 0;
    if (b0 & 0x20) {
        /* the count includes itself, so 0 is malformed, and it may not eat the header */
        unsigned pad = buf[len - 1];
        if (pad == 0 || pad > len - off) return MEDIA_EPARSE;
        pkt->padding = (uint8_t)pad;
    }
    pkt->payload = buf + off;
    pkt->payload_len = len - off - pkt->padding;
    return MEDIA_OK;
}

MEDIADEF int media_rtp_parse(media_rtp_packet *pkt, const uint8_t *buf, size_t len)
{
    /* Fast path: almost every packet is a bare 12-byte header (V=2 and no
       padding, extension or CSRC). The general path handles the rest. */
    if (pkt && buf && len >= MEDIA_RTP_HEADER_SIZE && buf[0] == 0x80) {
        unsigned b1 = buf[1];
        pkt->version = 2;
        pkt->marker = (uint8_t)(b1 >> 7);
        pkt->payload_type = (uint8_t)(b1 & 0x7F);
        pkt->csrc_count = 0;
        pkt->has_extension = 0;
        pkt->padding = 0;
        pkt->ext_profile = 0;
        pkt->seq = media__rd16(buf + 2);
        pkt->timestamp = media__rd32(buf + 4);
        pkt->ssrc = media__rd32(buf + 8);
        pkt->payload = buf + MEDIA_RTP_HEADER_SIZE;
        pkt->payload_len = len - MEDIA_RTP_HEADER_SIZE;
        pkt->ext = NULL;
        pkt->ext_len = 0;
        return MEDIA_OK;
    }
    return media__rtp_parse_general(pkt, buf, len);
}

MEDIADEF size_t media_rtp_header_size(const media_rtp_packet *pkt)
{
    size_t n = MEDIA_RTP_HEADER_SIZE + 4u * (pkt->csrc_count & 15u);
    if (pkt->has_extension || pkt->ext_len) n += 4 + pkt->ext_len;
    return n;
}

static void media__rtp_write_bare(uint8_t *buf, const media_rtp_packet *pkt)
{
    buf[0] = 0x80;
    buf[1] = (uint8_t)((pkt->marker ? 0x80 : 0) | pkt->payload_type);
    media__wr16(buf + 2, pkt->seq);
    media__wr32(buf + 4, pkt->timestamp);
    media__wr32(buf + 8, pkt->ssrc);
}

static MEDIA__NOINLINE int media__rtp_write_bare_copy(uint8_t *buf, const media_rtp_packet *pkt)
{
    if (!pkt->payload) return MEDIA_EINVAL;
    memmove(buf + MEDIA_RTP_HEADER_SIZE, pkt->payload, pkt->payload_len);
    media__rtp_write_bare(buf, pkt);
    return (int)(MEDIA_RTP_HEADER_SIZE + pkt->payload_len);
}

static MEDIA__NOINLINE int media__rtp_write_general(uint8_t *buf, size_t cap, const media_rtp_packet *pkt)
{
    size_t hdr, total, i;
    int x;
    if (!buf || !pkt) return MEDIA_EINVAL;
    if (pkt->payload_type > 127 || pkt->csrc_count > MEDIA_RTP_MAX_CSRC || (pkt->ext_len & 3) ||
        pkt->ext_len > 4u * 65535u || (pkt->ext_len && !pkt->ext) || (pkt->payload_len && !pkt->payload))
        return MEDIA_EINVAL;
    hdr = media_rtp_header_size(pkt);
    x = pkt->has_extension || pkt->ext_len;
    if (pkt->payload_len > (size_t)INT_MAX - hdr - 255) return MEDIA_EINVAL;
    total = hdr + pkt->payload_len + pkt->padding;
    if (total > cap) return MEDIA_ENOSPC;
    /* Move extension data and payload before writing any header byte: their
       source may be this very buffer (a packet parsed from buf, rewritten with
       more or fewer CSRCs). Both shift the same way, so moving the leading part
       first when shifting left, and the trailing part first when shifting right,
       never overwrites a source that is still to be read. */
    {
        uint8_t *ext_dst = buf + 16 + 4u * pkt->csrc_count, *pay_dst = buf + hdr;
        int ext_moves = x && pkt->ext_len && pkt->ext != ext_dst;
        int pay_moves = pkt->payload_len && pkt->payload != pay_dst;
        if (ext_moves && pkt->ext > ext_dst) {
            memmove(ext_dst, pkt->ext, pkt->ext_len);
            if (pay_moves) memmove(pay_dst, pkt->payload, pkt->payload_len);
        } else {
            if (pay_moves) memmove(pay_dst, pkt->payload, pkt->payload_len);
            if (ext_moves) memmove(ext_dst, pkt->ext, pkt->ext_len);
        }
    }
    buf[0] = (uint8_t)(0x80 | (pkt->padding ? 0x20 : 0) | (x ? 0x10 : 0) | pkt->csrc_count);
    buf[1] = (uint8_t)((pkt->marker ? 0x80 : 0) | pkt->payload_type);
    media__wr16(buf + 2, pkt->seq);
    media__wr32(buf + 4, pkt->timestamp);
    media__wr32(buf + 8, pkt->ssrc);
    for (i = 0; i < pkt->csrc_count; i++) media__wr32(buf + 12 + 4 * i, pkt->csrc[i]);
    if (x) {
        media__wr16(buf + 12 + 4u * pkt->csrc_count, pkt->ext_profile);
        media__wr16(buf + 14 + 4u * pkt->csrc_count, (uint32_t)(pkt->ext_len / 4));
    }
    if (pkt->padding) {
        uint8_t *p = buf + hdr + pkt->payload_len;
        memset(p, 0, pkt->padding - 1u);
        p[pkt->padding - 1] = pkt->padding;
    }
    return (int)total;
}

MEDIADEF int media_rtp_write(uint8_t *buf, size_t cap, const media_rtp_packet *pkt)
{
    /* Fast path: a bare 12-byte header. With the payload already in place (the
       sender encoded straight into buf + 12) nothing is called, so no registers
       are saved; a payload elsewhere is copied by a small helper. */
    if (buf && pkt && (pkt->csrc_count | pkt->has_extension | pkt->padding) == 0 && pkt->ext_len == 0 &&
        pkt->payload_type <= 127 && cap >= MEDIA_RTP_HEADER_SIZE && pkt->payload_len <= cap - MEDIA_RTP_HEADER_SIZE &&
        pkt->payload_len <= (size_t)INT_MAX - MEDIA_RTP_HEADER_SIZE) {
        if (pkt->payload != buf + MEDIA_RTP_HEADER_SIZE && pkt->payload_len) return media__rtp_write_bare_copy(buf, pkt);
        media__rtp_write_bare(buf, pkt);
        return (int)(MEDIA_RTP_HEADER_SIZE + pkt->payload_len);
    }
    return media__rtp_write_general(buf, cap, pkt);
}

MEDIADEF int media_rtp_ext_next(const media_rtp_packet *pkt, size_t *pos, media_rtp_ext_element *el)
{
    size_t p, n;
    const uint8_t *e;
    if (!pkt || !pos || !el) return MEDIA_EINVAL;
    e = pkt->ext;
    n = pkt->ext_len;
    p = *pos;
    if (pkt->ext_profile == MEDIA_RTP_EXT_ONE_BYTE) {
        while (p < n) {
            unsigned id = e[p] >> 4, l = (e[p] & 15u) + 1;
            if (e[p] == 0) { p++; continue; }          /* padding byte */
            if (id == 15) break;                         /* RFC 8285 4.2: stop here */
            if (l > n - p - 1) return MEDIA_EPARSE;
            el->id = (uint8_t)id;
            el->len = (uint8_t)l;
            el->data = e + p + 1;
            *pos = p + 1 + l;
            return 1;
        }
    } else if ((pkt->ext_profile & 0xFFF0u) == MEDIA_RTP_EXT_TWO_BYTE) {
        while (p < n) {
            unsigned l;
            if (e[p] == 0) { p++; continue; }          /* padding byte */
            if (n - p < 2) return MEDIA_EPARSE;
            l = e[p + 1];
            if (l > n - p - 2) return MEDIA_EPARSE;
            el->id = e[p];
            el->len = (uint8_t)l;
            el->data = e + p + 2;
            *pos = p + 2 + l;
            return 1;
        }
    } else {
        return MEDIA_EUNSUPPORTED;
    }
    *pos = n;
    return 0;
}

MEDIADEF int media_rtp_ext_find(const media_rtp_packet *pkt, int id, media_rtp_ext_element *el)
{
    size_t pos = 0;
    int r;
    while ((r = media_rtp_ext_next(pkt, &pos, el)) == 1)
        if (el->id == id) return el->len;
    return r < 0 ? r : MEDIA_ENOTFOUND;
}

MEDIADEF int media_rtp_ext_write(uint8_t *dst, size_t cap, uint16_t *profile,
                                 const media_rtp_ext_element *el, size_t count)
{
    size_t i, n = 0, total;
    int one = 1;
    if ((!dst && cap) || !profile || (!el && count)) return MEDIA_EINVAL;
    for (i = 0; i < count; i++) {
        if (el[i].id == 0 || (el[i].len && !el[i].data)) return MEDIA_EINVAL;
        if (el[i].id > 14 || el[i].len == 0 || el[i].len > 16) one = 0;
    }
    for (i = 0; i < count; i++) n += (one ? 1u : 2u) + el[i].len;
    total = (n + 3) & ~(size_t)3;
    if (total > 4u * 65535u) return MEDIA_EINVAL;
    if (total > cap) return MEDIA_ENOSPC;
    for (i = 0, n = 0; i < count; i++) {
        if (one) {
            dst[n++] = (uint8_t)((el[i].id << 4) | (el[i].len - 1));
        } else {
            dst[n++] = el[i].id;
            dst[n++] = el[i].len;
        }
        if (el[i].len) memcpy(dst + n, el[i].data, el[i].len);
        n += el[i].len;
    }
    while (n < total) dst[n++] = 0;
    *profile = (uint16_t)(one ? MEDIA_RTP_EXT_ONE_BYTE : MEDIA_RTP_EXT_TWO_BYTE);
    return (int)total;
}

/* >>rtcp implementation --------------------------------------------------- */

static void media__rtcp_rb_read(media_rtcp_report_block *rb, const uint8_t *p)
{
    uint32_t cl = media__rd32(p + 4) & 0xFFFFFFu;
    rb->ssrc = media__rd32(p);
    rb->fraction_lost = p[4];
    /* sign-extend the 24-bit field */
    rb->cumulative_lost = (int32_t)(cl & 0x7FFFFFu) - (int32_t)(cl & 0x800000u);
    rb->highest_seq = media__rd32(p + 8);
    rb->jitter = media__rd32(p + 12);
    rb->lsr = media__rd32(p + 16);
    rb->dlsr = media__rd32(p + 20);
}

/* Parses the report blocks of an SR/RR that start at p; room checked by the caller. */
static void media__rtcp_reports(media_rtcp *c, media_rtcp_packet *pk, const uint8_t *p, unsigned rc)
{
    unsigned i;
    pk->first = c->report_count;
    pk->n = 0;
    for (i = 0; i < rc; i++) {
        if (c->report_count >= MEDIA_RTCP_MAX_REPORTS) { c->omitted++; continue; }
        media__rtcp_rb_read(&c->reports[c->report_count++], p + 24u * i);
        pk->n++;
    }
}

static int media__rtcp_sdes(media_rtcp *c, media_rtcp_packet *pk, const uint8_t *p, size_t len)
{
    size_t off = 4;
    unsigned k, sc = pk->count;
    pk->first = c->chunk_count;
    pk->n = 0;
    for (k = 0; k < sc; k++) {
        media_rtcp_sdes_chunk *ch = NULL;
        if (len - off < 4) return MEDIA_EPARSE;
        if (c->chunk_count < MEDIA_RTCP_MAX_SDES_CHUNKS) {
            ch = &c->chunks[c->chunk_count++];
            ch->ssrc = media__rd32(p + off);
            ch->first_item = c->item_count;
            ch->item_count = 0;
            pk->n++;
        } else {
            c->omitted++;
        }
        off += 4;
        for (;;) {
            unsigned type, l;
            if (off >= len) return MEDIA_EPARSE;            /* no END item */
            type = p[off];
            if (type == MEDIA_SDES_END) {
                /* END plus null octets up to the next 32-bit boundary */
                size_t next = (off + 4) & ~(size_t)3;
                if (next > len) return MEDIA_EPARSE;
                for (; off < next; off++)
                    if (p[off] != 0) return MEDIA_EPARSE;
                break;
            }
            if (len - off < 2) return MEDIA_EPARSE;
            l = p[off + 1];
            if (l > len - off - 2) return MEDIA_EPARSE;
            if (type == MEDIA_SDES_PRIV && (l < 1 || p[off + 2] > l - 1)) return MEDIA_EPARSE;
            if (ch && c->item_count < MEDIA_RTCP_MAX_SDES_ITEMS) {
                media_rtcp_sdes_item *it = &c->items[c->item_count++];
                it->type = (uint8_t)type;
                it->len = (uint8_t)l;
                it->text = (const char *)(const void *)(p + off + 2);
                ch->item_count++;
            } else {
                c->omitted++;
            }
            off += 2 + l;
        }
    }
    if (off != len) return MEDIA_EPARSE;  /* chunks must fill the packet exactly */
    return MEDIA_OK;
}

MEDIADEF int media_rtcp_parse(media_rtcp *c, const uint8_t *buf, size_t len, unsigned flags)
{
    size_t off = 0;
    if (!c || (!buf && len)) return MEDIA_EINVAL;
    c->packet_count = c->report_count = c->chunk_count = c->item_count = c->bye_count = 0;
    c->omitted = 0;
    /* RFC 3550 A.2: a compound is whole 32-bit words, begins with SR or RR */
    if (len < 4 || (len & 3)) return MEDIA_EPARSE;
    if (!(flags & MEDIA_RTCP_REDUCED_SIZE) && buf[1] != MEDIA_RTCP_SR && buf[1] != MEDIA_RTCP_RR)
        return MEDIA_EPARSE;
    while (off < len) {
        const uint8_t *p = buf + off;
        size_t size, body;
        unsigned rc, pt;
        media_rtcp_packet tmp, *pk;
        /* len and every packet size are whole words, so a header always fits here */
        if ((p[0] >> 6) != 2) return MEDIA_EPARSE;
        size = ((size_t)media__rd16(p + 2) + 1) * 4;
        if (size > len - off) return MEDIA_EPARSE;
        rc = p[0] & 31u;
        pt = p[1];
        body = size;
        if (p[0] & 0x20) {
            /* only the last packet of a compound may be padded */
            unsigned pad = p[size - 1];
            if (off + size != len || pad == 0 || pad > size - 4) return MEDIA_EPARSE;
            body = size - pad;
        }
        uint16_t nrep = 0, nch = 0, nit = 0, nbye = 0;
        if (c->packet_count < MEDIA_RTCP_MAX_PACKETS) {
            pk = &c->packets[c->packet_count];
        } else {
            /* beyond capacity: parse to validate, then roll back what it stored */
            pk = &tmp;
            nrep = c->report_count; nch = c->chunk_count; nit = c->item_count; nbye = c->bye_count;
        }
        /* every field is set, so callers may read any of them whatever the type */
        pk->type = (uint8_t)pt;
        pk->count = (uint8_t)rc;
        pk->data = p;
        pk->size = body;
        pk->ssrc = body >= 8 ? media__rd32(p + 4) : 0;
        /* the type-specific fields follow ntp to the end of the struct */
        memset(&pk->ntp, 0, sizeof *pk - offsetof(media_rtcp_packet, ntp));
        switch (pt) {
        case MEDIA_RTCP_SR:
            if (body < 28 + 24u * rc) return MEDIA_EPARSE;
            pk->ntp = ((uint64_t)media__rd32(p + 8) << 32) | media__rd32(p + 12);
            pk->rtp_timestamp = media__rd32(p + 16);
            pk->packet_count = media__rd32(p + 20);
            pk->octet_count = media__rd32(p + 24);
            media__rtcp_reports(c, pk, p + 28, rc);
            break;
        case MEDIA_RTCP_RR:
            if (body < 8 + 24u * rc) return MEDIA_EPARSE;
            media__rtcp_reports(c, pk, p + 8, rc);
            break;
        case MEDIA_RTCP_SDES: {
            int r = media__rtcp_sdes(c, pk, p, body);
            if (r < 0) return r;
            pk->ssrc = 0;
            break;
        }
        case MEDIA_RTCP_BYE: {
            unsigned i;
            size_t roff = 4 + 4u * rc;
            if (body < roff) return MEDIA_EPARSE;
            pk->first = c->bye_count;
            for (i = 0; i < rc; i++) {
                if (c->bye_count >= MEDIA_RTCP_MAX_BYE_SSRCS) { c->omitted++; continue; }
                c->bye_ssrcs[c->bye_count++] = media__rd32(p + 4 + 4 * i);
                pk->n++;
            }
            pk->reason = "";
            if (roff < body) {
                unsigned rl = p[roff];
                if (rl > body - roff - 1) return MEDIA_EPARSE;
                pk->reason = (const char *)(const void *)(p + roff + 1);
                pk->reason_len = (uint8_t)rl;
            }
            break;
        }
        case MEDIA_RTCP_APP:
            if (body < 12) return MEDIA_EPARSE;
            memcpy(pk->name, p + 8, 4);
            pk->name[4] = 0;
            pk->app_data = p + 12;
            pk->app_len = body - 12;
            break;
        default:
            break;  /* kept raw: type, count, data, size */
        }
        if (pk == &tmp) {
            /* validated, but not kept: neither are its blocks, chunks and items,
               which would otherwise use up room no kept packet can reach */
            c->omitted += 1u + (uint32_t)(c->report_count - nrep) + (uint32_t)(c->chunk_count - nch) +
                          (uint32_t)(c->item_count - nit) + (uint32_t)(c->bye_count - nbye);
            c->report_count = nrep; c->chunk_count = nch; c->item_count = nit; c->bye_count = nbye;
        } else {
            c->packet_count++;
        }
        off += size;
    }
    return (int)c->packet_count;
}

static void media__rtcp_rb_write(uint8_t *p, const media_rtcp_report_block *rb)
{
    int32_t cl = rb->cumulative_lost;
    if (cl > 0x7FFFFF) cl = 0x7FFFFF;
    if (cl < -0x800000) cl = -0x800000;
    media__wr32(p, rb->ssrc);
    media__wr32(p + 4, ((uint32_t)rb->fraction_lost << 24) | ((uint32_t)cl & 0xFFFFFFu));
    media__wr32(p + 8, rb->highest_seq);
    media__wr32(p + 12, rb->jitter);
    media__wr32(p + 16, rb->lsr);
    media__wr32(p + 20, rb->dlsr);
}

MEDIADEF int media_rtcp_write_report(uint8_t *buf, size_t cap, const media_rtcp_report *r)
{
    size_t nb, first, extra_pkts, total, cname_len = 0, sdes = 0, off, i, done;
    if (!buf || !r || (!r->blocks && r->block_count)) return MEDIA_EINVAL;
    nb = r->block_count;
    if (nb > 31u * 64u) return MEDIA_EINVAL;
    first = nb < 31 ? nb : 31;
    extra_pkts = (nb - first + 30) / 31;
    total = (r->is_sender ? 28u : 8u) + 24u * nb + 8u * extra_pkts;
    if (r->cname && r->cname[0]) {
        cname_len = strlen(r->cname);
        if (cname_len > 255) return MEDIA_EINVAL;
        /* header, SSRC, type, length, text, then END and zero fill to a word */
        sdes = 8 + ((2 + cname_len + 1 + 3) & ~(size_t)3);
    }
    total += sdes;
    if (total > cap) return MEDIA_ENOSPC;
    off = 0;
    done = 0;
    /* the first packet is the SR or RR; any further blocks go into extra RRs */
    while (done < nb || off == 0) {
        size_t k = nb - done < 31 ? nb - done : 31;
        int sr = off == 0 && r->is_sender;
        size_t plen = (sr ? 28u : 8u) + 24u * k;
        uint8_t *p = buf + off;
        p[0] = (uint8_t)(0x80 | k);
        p[1] = (uint8_t)(sr ? MEDIA_RTCP_SR : MEDIA_RTCP_RR);
        media__wr16(p + 2, (uint32_t)(plen / 4 - 1));
        media__wr32(p + 4, r->ssrc);
        if (sr) {
            media__wr32(p + 8, (uint32_t)(r->ntp >> 32));
            media__wr32(p + 12, (uint32_t)r->ntp);
            media__wr32(p + 16, r->rtp_timestamp);
            media__wr32(p + 20, r->packet_count);
            media__wr32(p + 24, r->octet_count);
        }
        for (i = 0; i < k; i++) media__rtcp_rb_write(p + (sr ? 28 : 8) + 24 * i, &r->blocks[done + i]);
        done += k;
        off += plen;
    }
    if (sdes) {
        uint8_t *p = buf + off;
        p[0] = 0x81;
        p[1] = MEDIA_RTCP_SDES;
        media__wr16(p + 2, (uint32_t)(sdes / 4 - 1));
        media__wr32(p + 4, r->ssrc);
        p[8] = MEDIA_SDES_CNAME;
        p[9] = (uint8_t)cname_len;
        memcpy(p + 10, r->cname, cname_len);
        memset(p + 10 + cname_len, 0, sdes - 10 - cname_len);
        off += sdes;
    }
    MEDIA_ASSERT(off == total);
    return (int)total;
}

MEDIADEF int media_rtcp_write_bye(uint8_t *buf, size_t cap, const uint32_t *ssrcs, size_t count,
                                  const char *reason)
{
    size_t rl = reason ? strlen(reason) : 0, total, i;
    if (!buf || !ssrcs || count == 0 || count > 31 || rl > 255) return MEDIA_EINVAL;
    total = 4 + 4 * count + (rl ? (1 + rl + 3) & ~(size_t)3 : 0);
    if (total > cap) return MEDIA_ENOSPC;
    buf[0] = (uint8_t)(0x80 | count);
    buf[1] = MEDIA_RTCP_BYE;
    media__wr16(buf + 2, (uint32_t)(total / 4 - 1));
    for (i = 0; i < count; i++) media__wr32(buf + 4 + 4 * i, ssrcs[i]);
    if (rl) {
        uint8_t *p = buf + 4 + 4 * count;
        p[0] = (uint8_t)rl;
        memcpy(p + 1, reason, rl);
        memset(p + 1 + rl, 0, total - (size_t)(p + 1 + rl - buf));
    }
    return (int)total;
}

#define MEDIA__NTP_UNIX_OFFSET 2208988800u  /* seconds from 1900 to 1970 */

MEDIADEF uint64_t media_ntp_from_unix_us(uint64_t unix_us)
{
    uint64_t sec = unix_us / 1000000u, us = unix_us % 1000000u;
    return ((sec + MEDIA__NTP_UNIX_OFFSET) << 32) + (us << 32) / 1000000u;
}

MEDIADEF uint64_t media_ntp_to_unix_us(uint64_t ntp)
{
    uint64_t sec = (ntp >> 32) - MEDIA__NTP_UNIX_OFFSET;
    /* rounded so that from(to(x)) and to(from(x)) are stable */
    return sec * 1000000u + (((ntp & 0xFFFFFFFFu) * 1000000u + 0x80000000u) >> 32);
}

MEDIADEF uint32_t media_ntp_middle(uint64_t ntp) { return (uint32_t)(ntp >> 16); }

MEDIADEF uint32_t media_ntp_short_from_us(uint64_t us)
{
    return (uint32_t)(((us % 1000000u) << 16) / 1000000u + ((us / 1000000u) << 16));
}

MEDIADEF uint64_t media_ntp_short_to_us(uint32_t v)
{
    return (uint64_t)(v >> 16) * 1000000u + (((uint64_t)(v & 0xFFFFu) * 1000000u + 0x8000u) >> 16);
}

MEDIADEF uint64_t media_ntp_now(void)
{
#if defined(_WIN32)
    FILETIME ft;
    uint64_t t;
    GetSystemTimeAsFileTime(&ft);
    t = ((uint64_t)ft.dwHighDateTime << 32) | ft.dwLowDateTime;  /* 100 ns since 1601 */
    return media_ntp_from_unix_us(t / 10u - 11644473600000000u);
#else
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return media_ntp_from_unix_us((uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u);
#endif
}

MEDIADEF int media_rtcp_rtt_us(const media_rtcp_report_block *rb, uint64_t arrival_ntp, uint32_t *rtt_us)
{
    uint32_t a, rtt;
    if (!rb || !rtt_us) return MEDIA_EINVAL;
    if (rb->lsr == 0) return MEDIA_ENOTFOUND;
    a = media_ntp_middle(arrival_ntp);
    rtt = a - rb->lsr - rb->dlsr;                   /* modulo 2^32, 16.16 seconds */
    if (rtt > 0x7FFFFFFFu) return MEDIA_EINVAL;     /* clocks disagree: arrival before send */
    *rtt_us = (uint32_t)media_ntp_short_to_us(rtt);
    return MEDIA_OK;
}

/* >>stats implementation -------------------------------------------------- */

#define MEDIA__MAX_CLOCK (1u << 20)

static void media__stats_init_seq(media_rtp_stats *st, uint16_t seq)
{
    /* RFC 3550 A.1 init_seq() */
    st->base_seq = seq;
    st->max_seq = seq;
    st->bad_seq = 65536u + 1;  /* so seq == bad_seq is false */
    st->cycles = 0;
    st->received = 0;
    st->received_prior = 0;
    st->expected_prior = 0;
    st->loss_events = 0;
    st->gap_lost = 0;
    st->seen_lo = 1;           /* bit 0 = max_seq itself */
    st->seen_hi = 0;
}

MEDIADEF void media_rtp_stats_init(media_rtp_stats *st, uint32_t clock_rate)
{
    memset(st, 0, sizeof *st);
    /* RTP clocks run from 8 kHz to 90 kHz (video) or 192 kHz; the cap keeps the
       jitter arithmetic inside 64 bits for any input */
    st->clock_rate = clock_rate == 0 ? 8000 : clock_rate > MEDIA__MAX_CLOCK ? MEDIA__MAX_CLOCK : clock_rate;
}

/* The seen-bitmap: bit i stands for extended sequence (cycles + max_seq) - i. */
static void media__stats_shift(media_rtp_stats *st, uint32_t k)
{
    if (k >= 128) { st->seen_hi = st->seen_lo = 0; return; }
    if (k >= 64) { st->seen_hi = st->seen_lo << (k - 64); st->seen_lo = 0; return; }
    if (k == 0) return;
    st->seen_hi = (st->seen_hi << k) | (st->seen_lo >> (64 - k));
    st->seen_lo <<= k;
}

/* Marks distance back from max_seq; returns 1 if it was already marked. */
static int media__stats_mark(media_rtp_stats *st, uint32_t back)
{
    uint64_t *w, bit;
    int was;
    if (back >= 128) return 0;
    w = back < 64 ? &st->seen_lo : &st->seen_hi;
    bit = (uint64_t)1 << (back & 63);
    was = (*w & bit) != 0;
    *w |= bit;
    return was;
}

MEDIADEF int media_rtp_stats_update(media_rtp_stats *st, const media_rtp_packet *pkt, uint64_t arrival_us)
{
    uint16_t seq = pkt->seq;
    uint16_t udelta;
    int verdict = MEDIA_RTP_ACCEPTED;

    if (!st->started || pkt->ssrc != st->ssrc) {
        if (st->started) st->ssrc_changes++;
        st->started = 1;
        st->ssrc = pkt->ssrc;
        media__stats_init_seq(st, seq);
        st->max_seq = (uint16_t)(seq - 1);
        st->probation = MEDIA_RTP_MIN_SEQUENTIAL;
        st->have_transit = 0;
        st->jitter_q8 = 0;
    }
    st->packets++;
    st->bytes += pkt->payload_len;

    /* A.8 interarrival jitter for every packet, in arrival order (as tshark does).
       D is computed from deltas so no absolute clock conversion is needed; it is
       kept in 1/16 RTP units and jitter in 1/256, to avoid the rounding of A.8's
       integer code while producing the same estimator. */
    if (st->have_transit) {
        /* arrival deltas may be negative (A.8's D is symmetric); gaps beyond ~19
           hours are clamped so that delta * rate * 16 stays below 2^60 */
        const uint64_t lim = (uint64_t)1 << 36;
        uint64_t up = arrival_us - st->last_arrival_us, dn = st->last_arrival_us - arrival_us;
        int64_t dus = arrival_us >= st->last_arrival_us ? (int64_t)(up < lim ? up : lim)
                                                        : -(int64_t)(dn < lim ? dn : lim);
        int64_t d = dus * (int64_t)st->clock_rate * 16 / 1000000 -
                    (int64_t)media_rtp_ts_diff(pkt->timestamp, st->last_timestamp) * 16;
        uint64_t ad = (uint64_t)(d < 0 ? -d : d);
        st->jitter_q8 = st->jitter_q8 + ad - ((st->jitter_q8 + 8) >> 4);
    }
    st->have_transit = 1;
    st->last_arrival_us = arrival_us;
    st->last_timestamp = pkt->timestamp;

    /* A.1 update_seq() */
    udelta = (uint16_t)(seq - st->max_seq);
    if (st->probation) {
        if (seq == (uint16_t)(st->max_seq + 1)) {
            st->probation--;
            st->max_seq = seq;
            if (st->probation == 0) {
                media__stats_init_seq(st, seq);
                st->received++;
                return MEDIA_RTP_ACCEPTED;
            }
        } else {
            st->probation = MEDIA_RTP_MIN_SEQUENTIAL - 1;
            st->max_seq = seq;
        }
        return MEDIA_RTP_PROBATION;
    } else if (udelta < MEDIA_RTP_MAX_DROPOUT) {
        if (udelta == 0) {
            verdict = MEDIA_RTP_DUPLICATE;
            st->duplicates++;
        } else {
            if (seq < st->max_seq) st->cycles += 65536u;  /* wrapped */
            if (udelta > 1) {
                st->loss_events++;
                st->gap_lost += udelta - 1u;
            }
            st->max_seq = seq;
            media__stats_shift(st, udelta);
            st->seen_lo |= 1;
        }
    } else if (udelta <= 65536u - MEDIA_RTP_MAX_MISORDER) {
        if (seq == st->bad_seq) {
            /* two sequential packets: the source restarted; accept this one */
            media__stats_init_seq(st, seq);
            st->restarts++;
            verdict = MEDIA_RTP_RESTARTED;
        } else {
            st->bad_seq = (uint16_t)(seq + 1);
            st->bad_seq_count++;
            return MEDIA_RTP_BAD_SEQ;
        }
    } else {
        /* older than max_seq: a duplicate or a reordered packet */
        uint32_t back = (uint16_t)(st->max_seq - seq);
        if (media__stats_mark(st, back)) {
            verdict = MEDIA_RTP_DUPLICATE;
            st->duplicates++;
        } else {
            verdict = MEDIA_RTP_REORDERED;
            st->reordered++;
            if (st->gap_lost) st->gap_lost--;  /* a hole it filled was not a loss */
        }
    }
    st->received++;
    return verdict;
}

MEDIADEF uint32_t media_rtp_stats_ext_max(const media_rtp_stats *st) { return st->cycles + st->max_seq; }

MEDIADEF uint32_t media_rtp_stats_expected(const media_rtp_stats *st)
{
    if (!st->started || st->probation) return 0;
    return media_rtp_stats_ext_max(st) - st->base_seq + 1;
}

MEDIADEF int64_t media_rtp_stats_lost(const media_rtp_stats *st)
{
    return (int64_t)media_rtp_stats_expected(st) - (int64_t)st->received;
}

MEDIADEF double media_rtp_stats_loss_percent(const media_rtp_stats *st)
{
    uint32_t e = media_rtp_stats_expected(st);
    int64_t l = media_rtp_stats_lost(st);
    return (e == 0 || l <= 0) ? 0.0 : 100.0 * (double)l / (double)e;
}

MEDIADEF uint32_t media_rtp_stats_jitter(const media_rtp_stats *st) { return (uint32_t)((st->jitter_q8 + 128) >> 8); }

MEDIADEF double media_rtp_stats_jitter_ms(const media_rtp_stats *st)
{
    return (double)st->jitter_q8 / 256.0 * 1000.0 / (double)st->clock_rate;
}

MEDIADEF double media_rtp_stats_burst_ratio(const media_rtp_stats *st)
{
    /* Gilbert model: p = P(loss after a received packet), q = P(receipt after a
       loss); BurstR = 1 / (p + q) (G.107 B.3). */
    double p, q, r;
    if (st->loss_events == 0 || st->gap_lost == 0 || st->received == 0) return 1.0;
    p = (double)st->loss_events / (double)st->received;
    q = (double)st->loss_events / (double)st->gap_lost;
    if (q > 1.0) q = 1.0;
    r = 1.0 / (p + q);
    return r < 1.0 ? 1.0 : r;
}

MEDIADEF void media_rtp_stats_sender_report(media_rtp_stats *st, uint64_t sr_ntp, uint64_t arrival_us)
{
    st->lsr = media_ntp_middle(sr_ntp);
    st->lsr_arrival_us = arrival_us;
}

MEDIADEF void media_rtp_stats_report_block(media_rtp_stats *st, media_rtcp_report_block *rb, uint64_t now_us)
{
    /* RFC 3550 A.3 */
    uint32_t expected = media_rtp_stats_expected(st);
    int64_t lost = (int64_t)expected - (int64_t)st->received;
    uint32_t expected_interval = expected - st->expected_prior;
    uint32_t received_interval = st->received - st->received_prior;
    int64_t lost_interval = (int64_t)expected_interval - (int64_t)received_interval;
    st->expected_prior = expected;
    st->received_prior = st->received;
    rb->ssrc = st->ssrc;
    if (lost > 0x7FFFFF) lost = 0x7FFFFF;
    if (lost < -0x800000) lost = -0x800000;
    rb->cumulative_lost = (int32_t)lost;
    if (expected_interval == 0 || lost_interval <= 0) rb->fraction_lost = 0;
    else if ((uint64_t)lost_interval >= expected_interval) rb->fraction_lost = 255;  /* all lost: 256 does not fit */
    else rb->fraction_lost = (uint8_t)(((uint64_t)lost_interval << 8) / expected_interval);
    rb->highest_seq = media_rtp_stats_ext_max(st);
    rb->jitter = media_rtp_stats_jitter(st);
    rb->lsr = st->lsr;
    rb->dlsr = st->lsr ? media_ntp_short_from_us(now_us - st->lsr_arrival_us) : 0;
}

/* ITU-T G.107 (06/2015) E-model. Parameters that an endpoint cannot measure keep
   the recommendation's default values (Table 1); with all defaults R = 93.2. */
MEDIADEF double media_emodel_r(const media_emodel_params *p)
{
    const double SLR = 8, RLR = 2, STMR = 15, Dr = 3, Ds = 3, TELR = 65, WEPL = 110;
    const double qdu = 1, Nc = -70, Nfor = -64, Ps = 35, Pr = 35, A = 0, mT = 100, sT = 1;
    double T = p->delay_ms > 0 ? p->delay_ms : 0, Ta = T, Tr = 2 * T;
    double LSTR = STMR + Dr, OLR = SLR + RLR;
    double Nfo = Nfor + RLR;
    double Pre = Pr + 10 * log10(1 + pow(10, (10 - LSTR) / 10));
    double Nor = RLR - 121 + Pre + 0.008 * (Pre - 35) * (Pre - 35);
    double Nos = Ps - SLR - Ds - 100 + 0.004 * (Ps - OLR - Ds - 14) * (Ps - OLR - Ds - 14);
    double No = 10 * log10(pow(10, Nc / 10) + pow(10, Nos / 10) + pow(10, Nor / 10) + pow(10, Nfo / 10));
    double Ro = 15 - 1.5 * (SLR + No);
    /* simultaneous impairments Is = Iolr + Ist + Iq */
    double Xolr = OLR + 0.2 * (64 + No - RLR);
    double Iolr = 20 * (pow(1 + pow(Xolr / 8, 8), 1.0 / 8) - Xolr / 8);
    double STMRo = -10 * log10(pow(10, -STMR / 10) + exp(-T / 4) * pow(10, -TELR / 10));
    double Ist = 12 * pow(1 + pow((STMRo - 13) / 6, 8), 1.0 / 8) -
                 28 * pow(1 + pow((STMRo + 1) / 19.4, 35), 1.0 / 35) -
                 13 * pow(1 + pow((STMRo - 3) / 33, 13), 1.0 / 13) + 29;
    double Q = 37 - 15 * log10(qdu);
    double G = 1.07 + 0.258 * Q + 0.0602 * Q * Q;
    double Z = 46.0 / 30 - G / 40;
    double Y = (Ro - 100) / 15 + 46.0 / 8.4 - G / 9;
    double Iq = 15 * log10(1 + pow(10, Y) + pow(10, Z));
    double Is = Iolr + Ist + Iq;
    /* delay impairments Id = Idte + Idle + Idd */
    double Roe = -1.5 * (No - RLR);
    double TERV = TELR - 40 * log10((1 + T / 10) / (1 + T / 150)) + 6 * exp(-0.3 * T * T);
    double Re = 80 + 2.5 * (TERV - 14);
    double Idte = ((Roe - Re) / 2 + sqrt((Roe - Re) * (Roe - Re) / 4 + 100) - 1) * (1 - exp(-T));
    double Rle = 10.5 * (WEPL + 7) * pow(Tr + 1, -0.25);
    double Idle = (Ro - Rle) / 2 + sqrt((Ro - Rle) * (Ro - Rle) / 4 + 169);
    double Idd = 0, Id, Ieff, ppl = p->loss_percent, burst = p->burst_ratio;
    if (Ta > mT) {
        double X = log10(Ta / mT) / log10(2.0), e = 6 * sT;
        Idd = 25 * (pow(1 + pow(X, e), 1 / e) - 3 * pow(1 + pow(X / 3, e), 1 / e) + 2);
    }
    Id = Idte + Idle + Idd;
    /* effective equipment impairment with loss */
    if (ppl < 0) ppl = 0;
    if (ppl > 100) ppl = 100;
    if (burst < 1) burst = 1;
    Ieff = p->ie + (95 - p->ie) * ppl / (ppl / burst + p->bpl);
    return Ro - Is - Id - Ieff + A;
}

MEDIADEF double media_emodel_mos(double r)
{
    double m;
    if (r <= 0) return 1.0;
    if (r >= 100) return 4.5;
    m = 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6;
    return m < 1.0 ? 1.0 : m;  /* the cubic dips just below 1 for R under 6.5 */
}

MEDIADEF double media_rtp_stats_mos(const media_rtp_stats *st, double one_way_delay_ms, double ie, double bpl)
{
    media_emodel_params p;
    p.delay_ms = one_way_delay_ms;
    p.ie = ie;
    p.bpl = bpl;
    p.loss_percent = media_rtp_stats_loss_percent(st);
    p.burst_ratio = media_rtp_stats_burst_ratio(st);
    return media_emodel_mos(media_emodel_r(&p));
}

#ifdef __cplusplus
}
#endif
#endif /* MEDIA_IMPLEMENTATION */

/*
------------------------------------------------------------------------------
This software is available under 2 licenses -- choose whichever you prefer.
------------------------------------------------------------------------------
ALTERNATIVE A - MIT License
Copyright (c) 2026 the media.h authors
Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:
The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.
THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
------------------------------------------------------------------------------
ALTERNATIVE B - Public Domain (www.unlicense.org)
This is free and unencumbered software released into the public domain.
Anyone is free to copy, modify, publish, use, compile, sell, or distribute this
software, either in source code form or as a compiled binary, for any purpose,
commercial or non-commercial, and by any means.
In jurisdictions that recognize copyright laws, the author or authors of this
software dedicate any and all copyright interest in the software to the public
domain. We make this dedication for the benefit of the public at large and to
the detriment of our heirs and successors. We intend this dedication to be an
overt act of relinquishment in perpetuity of all present and future rights to
this software under copyright law.
THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN
ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION
WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
------------------------------------------------------------------------------
*/
