/* media.h - v0.2.0 - public domain or MIT (your choice; full text at the end of this file)

   The media half of a VoIP call in one C file: G.711 with packet-loss
   concealment, RTP/RTCP packets, receiver statistics with an E-model MOS
   estimate, an adaptive jitter buffer, SDP with RFC 3264 offer/answer, WAV
   files, and the poll-driven media session that makes a call of them.

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

   The media side of one call: answer the offer your SIP stack hands you,
   put the answer in its 200 OK, and pump the session from the event loop
   you already have until the call ends (BYE either way):

      media_session_config cfg;
      media_session *s;
      char answer[2048];
      int err, ms;

      media_session_config_init(&cfg);             // PCMU, PCMA, DTMF; any even port
      cfg.local_address = my_address;              // yours, as your SDP gives it
      cfg.handler.dtmf = on_digit;                 // every callback is optional
      cfg.handler.user = my_call;                  // and handed back to each
      if (!(s = media_session_create(&cfg, &err))) return err;
      if ((err = media_session_remote_sdp_set(s, offer, offer_len)) != MEDIA_OK ||
          (err = media_session_answer_create(s, answer, sizeof answer)) < 0) {
          media_session_destroy(s);                // 488 Not Acceptable Here
          return err;
      }
      send_200_ok(answer);
      media_session_play(s, "welcome.wav", 1);
      while ((ms = media_session_poll(s)) >= 0)    // never blocks
          wait_readable(media_session_fd_get(s, 0), media_session_fd_get(s, 1), ms);
      media_session_destroy(s);

   wait_readable() is your loop: poll(), epoll, libuv (examples/). Section
   11 is the session's contract. Every other section is a module that works
   on its own (RTP without the session, the jitter buffer without RTP...).

   ============================================================================
   2. WHAT IS IN HERE (banners are greppable: search for ">>rtp" and so on)
   ============================================================================

      >>common   results, media_result_string(), media_now_us()
      >>g711     PCMU/PCMA (ITU-T G.711), bit-exact with the G.191 reference
      >>codec    media_codec: what negotiation and the session know of a codec;
                 PCMU, PCMA and telephone-event built in, yours plug in alike
      >>rtp      RTP header parse/write (RFC 3550), RFC 8285 header extensions
      >>rtcp     compound RTCP parse (SR, RR, SDES, BYE, APP; others kept raw),
                 SR/RR+SDES and BYE writers, NTP time helpers
      >>stats    RFC 3550 A.1/A.3/A.8 receiver statistics, ITU-T G.107 E-model
      >>jitter   adaptive jitter buffer (media_jitter) and packet-loss
                 concealment for PCM (media_plc, G.711 Appendix I style)
      >>stretch  a frame of PCM made a pitch period longer or shorter
      >>tones    tones in the audio: DTMF (ITU-T Q.24), call progress, fax
      >>sdp      SDP parse/write (RFC 8866), typed accessors, edits, RFC 3264
                 offer/answer
      >>wav      WAV read/write (16-bit PCM, A-law, mu-law) and sample-rate
                 conversion between any rates from 8 to 48 kHz
      >>mixer    media_mixer: N-1 conference mixing at any rates, active speaker
      >>session  media_session: one call's media, pumped from your event loop;
                 media_bridge: two of them back to back (relay or transcode)
      >>sockets  (implementation) the POSIX sockets behind the session's transport
      >>layouts  the insides of the objects you place yourself (private)
      >>aliases  the names before 0.2

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
      MEDIA_NO_STDIO        leave out everything that needs files (<stdio.h>):
                            the media_wav_file functions (WAV headers in memory
                            and the resampler stay)
                            (the session then needs a custom transport)
      MEDIA_NO_SIMD         use only the portable scalar code (SSE2 is used
                            where the compiler targets it; results are identical)

   Capacities are macros with defaults, checked at compile time:

      MEDIA_RTCP_MAX_PACKETS     packets kept from one compound RTCP datagram (16)
      MEDIA_RTCP_MAX_REPORTS     report blocks kept from one compound (64)
      MEDIA_RTCP_MAX_SDES_ITEMS  SDES items kept from one compound (32)
      MEDIA_RTCP_MAX_SDES_CHUNKS SDES chunks kept from one compound (31)
      MEDIA_RTCP_MAX_BYE_SSRCS   BYE sources kept from one compound (31)
      MEDIA_JITTER_SLOTS         packets a jitter buffer holds (64)
      MEDIA_JITTER_BYTES         payload bytes it holds (8192: 960 ms of G.711 at 20 ms,
                                 1 s of jitter; raise it for longer or high-bitrate)
      MEDIA_JITTER_MAX_PAYLOAD   largest payload it takes (1500)
      MEDIA_PLC_MAX_RATE         highest rate media_plc serves (8000; sets its size)
      MEDIA_SDP_MAX_MEDIA        m= lines in one SDP (16)
      MEDIA_SDP_MAX_ATTRS        a= lines in one SDP, all levels (384)
      MEDIA_SDP_MAX_LINES        other lines (i u e p b t r z k, unknown) (64)
      MEDIA_SDP_MAX_FORMATS      formats on one m= line (64)
      MEDIA_SDP_TEXT_SIZE        bytes of strings one SDP keeps (16384)
      MEDIA_SDP_MAX_FMTP         bytes of the peer's fmtp kept for our encoder (160;
                                 cut at a parameter boundary)

   Whatever a compound holds beyond a capacity is counted in media_rtcp.omitted,
   never written out of bounds; the packets themselves stay reachable raw. An
   SDP beyond a capacity is refused with MEDIA_ENOSPC and the line, never cut.

   With -std=c99/c11 and glibc the implementation needs POSIX declarations
   (clock_gettime), which a strict ISO build hides. There, and only there,
   media.h defines _POSIX_C_SOURCE 200809L itself when it is the first include
   of the implementation file, and that is what the rest of your file sees
   (usleep and other pre-2008 or BSD functions stay hidden: define
   _DEFAULT_SOURCE first if you want them). If another system header comes
   first, define _POSIX_C_SOURCE 200809L at the top of that file. With
   gnu99/gnu11, C++ or your own feature macros, media.h defines none.

   ============================================================================
   4. MEMORY, ERRORS, NAMES, THREADS
   ============================================================================

   Only the session allocates (one block at create; its negotiation calls
   borrow scratch and return it): every other object lives in memory you
   provide (a struct on the stack or inside your own structs; media_sdp and
   media_jitter are large, so static or inside your call object). Parsers alias the buffer
   you hand them: the packet struct points into it and is valid while it is.

   Functions return int: >= 0 is success (a byte count where one makes sense),
   < 0 is a media_result. media_result_string() describes each. There is no
   global "last error" of ours and the library prints nothing; after
   MEDIA_EIO (a file could not be opened, read or written) errno is as the
   failing system call left it, so strerror(errno) says why (no such file,
   permission). A file that opens but is not a WAV is MEDIA_EPARSE, one in
   an encoding or at a rate we do not take is MEDIA_EUNSUPPORTED. Lengths
   and capacities beyond INT_MAX are refused (MEDIA_EINVAL) by every
   function that takes one, before it reads a byte: a recv() of -1 passed on
   as a size_t is not a packet.

   Names follow one rule, media_<module>_<object>_<verb>: the module is the
   section (rtp, sdp, jitter, session...), the object is left out where it
   is the module's own (media_session_poll, media_jitter_put), and the verb
   comes last (media_sdp_format_add, media_rtcp_report_write,
   media_session_dtmf_send). Reading something out ends in _get
   (media_session_stats_get, media_sdp_ptime_get, media_session_state_get);
   a figure computed from state is named by the figure (media_rtp_stats_lost,
   media_emodel_mos); a yes/no question reads as one (media_sdp_is_hold,
   media_addr_equal). media_jitter_put/get are the buffer's two verbs, not a
   reader. Types are media_<module>_<object>, constants MEDIA_<MODULE>_<NAME>,
   times carry their unit (ptime_ms, arrival_us), and one concept has one name
   everywhere (a jitter buffer's delay bounds: min_delay_ms in
   media_jitter_config, jitter_min_delay_ms in the session's). Names with
   two underscores (media__, MEDIA__) and members with a leading one
   (a struct's _private) are ours and change without notice. The names
   before 0.2 still work (>>aliases).

   There is no global state at all, so any function may be called from any
   thread; one object (a stats struct, a packet, a session) belongs to one
   thread at a time. Nothing starts threads or timers.

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

   Encode 20 ms of PCMU straight into a datagram, put the RTP header in
   front, parse it back, feed the receiver statistics, ask for a MOS:

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
   media_rtcp_report_write() writes SR or RR (+ SDES CNAME); media_rtcp_bye_write()
   appends a BYE.

   ============================================================================
   7. RECEIVER STATISTICS AND MOS
   ============================================================================

   media_rtp_stats follows RFC 3550 appendix A: A.1 source validation (a new
   source must show MEDIA_RTP_MIN_SEQUENTIAL in-order packets; a jump of more
   than MEDIA_RTP_MAX_DROPOUT restarts the count after two sequential packets),
   A.3 loss (cumulative and per report interval, the 24-bit signed clamp;
   a restart of the same source's numbering keeps what it had lost), A.8
   interarrival jitter over the packets A.1 accepts (a timestamp more than
   10 s off the arrival clock starts a new timeline instead of counting as
   jitter). Lost is expected - received, as the RFC and tshark count it, so
   duplicates offset losses; duplicates and reordering are counted on their
   own too. media_rtp_stats_report_block() fills the RTCP report block
   (with LSR/DLSR once media_rtp_stats_sender_report() has seen an SR), and
   media_rtcp_rtt_us() turns a report block the peer sent back into a round trip.

   media_emodel_r() is the ITU-T G.107 E-model with its default parameters for
   everything a VoIP endpoint cannot measure; it takes one-way delay, the
   codec's Ie and Bpl, packet loss and burstiness. media_emodel_mos() maps R to
   MOS (G.107 Annex B). Defaults give R = 93.2, MOS = 4.41.

   ============================================================================
   8. JITTER BUFFER AND CONCEALMENT
   ============================================================================

   media_jitter lives in your memory (large: static or inside your call
   object), allocates nothing and copies payloads in. Put every RTP packet
   as it arrives; ask for audio with the same clock:

      media_jitter jb;                       // once
      media_jitter_init(&jb, NULL);          // 8 kHz, 20 ms, adaptive, up to what it holds
      ...
      media_jitter_put(&jb, &pkt, media_now_us());            // on each packet
      ...
      while ((kind = media_jitter_get(&jb, media_now_us(), &f)) != MEDIA_JITTER_NONE) {
          if (kind == MEDIA_JITTER_FRAME) codec->decode(st, pcm, cap, f.payload, f.len);
          else codec->conceal(st, pcm, f.samples);            // LOST or GAP
          if (f.flags & MEDIA_JITTER_DISCONTINUITY) ...       // see below
      }

   It handles reordering, duplicates (dropped, counted), late packets
   (dropped, counted), losses (LOST: conceal), silence and DTX (a timestamp
   gap with consecutive sequence numbers is GAP, not loss), sequence and
   timestamp wrap, ptime changes, a new SSRC or a timestamp/sequence jump
   (start over at the current delay, counted; a stream restarted under the
   same SSRC with its numbers set back by less than a jump starts over after
   8 of its packets came late), clock drift (the delay moved as below),
   floods (bounded; the oldest go, counted). Delay is adapted to the network
   (the >>jitter implementation banner has the algorithm, where the delay
   sits and when it moves) within [min_delay_ms, max_delay_ms];
   fixed_delay_ms > 0 fixes it. The ceiling is memory, not a guess: max_delay_ms 0 (the default) is
   as much as MEDIA_JITTER_BYTES and MEDIA_JITTER_SLOTS hold of the stream's
   packets, less two (960 ms of G.711 at 20 ms with the defaults, 620 ms at
   10 ms; stats.max_us says what it is now); raise them for more. The
   one-way delay itself costs nothing: a path of 1.5 s is served like one of
   1 ms; what the buffer holds is the delay's variation.

   How it moves. With config.stretch set (the session sets it), a move
   inside speech is asked of you: the FRAME carries MEDIA_JITTER_STRETCH
   and .stretch, the most by which to lengthen (> 0) or shorten (< 0) it;
   media_stretch_request() makes that a range of pitch periods,
   media_stretch_process() applies it to the decoded PCM, and
   media_jitter_stretched() tells the buffer what was done (counted
   in stats.stretched_us / compressed_us). In silence, silence is held or
   cut instead (stats.silence_cut_us). Without stretching, or beyond the
   ceiling, whole frames go: dropped at talkspurt starts or in silence when
   one comes soon, otherwise the next FRAME carries MEDIA_JITTER_DISCONTINUITY,
   and calling conceal(state, pcm, 0) before decoding it blends the seam (no
   click); a frame is inserted (LOST with MEDIA_JITTER_INSERTED) to grow.
   A packet not there at its time while the delay is under target is
   waited for (GAP) rather than lost.

   media_stretch (caller memory, 8-48 kHz) changes a frame's length by
   overlap-adding it with itself one pitch period on: the fundamental stays
   within 1 % at +-20 %, the length is what was asked, a frame with no
   period in the range is left alone.

   media_plc conceals lost PCM frames by repeating the last pitch periods
   (found to a fraction of a sample) with overlap, fading over 60 ms, and
   blends real audio back in. PCMU and PCMA use it as their conceal(); their
   state (codec->state_size bytes) is a media_plc.

   ============================================================================
   9. SDP AND OFFER/ANSWER
   ============================================================================

   Parse an offer, answer it, send the answer:

      static media_sdp offer, answer;            // large: not on a small stack
      media_sdp_oa_config cfg;
      media_sdp_result res;
      char text[4096];

      if (media_sdp_parse(&offer, body, body_len) != MEDIA_OK)
          return reply_400(offer.error_line);   // MEDIA_EPARSE / MEDIA_ENOSPC + line
      media_sdp_oa_config_init(&cfg);            // PCMU, PCMA, telephone-event
      cfg.address = "192.0.2.10";                // ours (IPv4 or IPv6)
      cfg.port = 40000;                          // our RTP port (RTCP on 40001)
      if (media_sdp_answer_create(&answer, &offer, &cfg, &res) != MEDIA_OK)
          return reply_488();                    // nothing in common
      if (media_sdp_write(text, sizeof text, &answer) < 0)
          return reply_500();                    // MEDIA_ENOSPC: text too small
      // res.codec, res.payload_type, res.remote_address, res.remote_rtp_port,
      // res.remote_rtcp_port, res.ptime_ms, res.direction, res.telephone_event_pt

   The model. A media_sdp holds the description and every string of it (an
   arena inside the struct; fields are 16-bit offsets, media_sdp_str_get()
   gives the C string), so it outlives the text it came from and copies
   with memcpy.
   o=, s=, c= and m= are split into fields; every a= line is kept, in order, as
   (name, value); every other line (i u e p b t r z k, and letters SDP does not
   define) as (type, text). media_sdp_write() puts them back in RFC 8866 order
   with CRLF, so parse -> write -> parse gives the same struct for any input.

   Accessors read the common attributes: rtpmap (or RFC 3551's table for a
   static type without one), fmtp and its parameters, ptime, maxptime,
   direction, c= (media level over session level), rtcp, rtcp-mux, mid; and
   media_sdp_*_parse() read one value of ssrc, extmap, rtcp-fb, candidate,
   fingerprint, setup or crypto. The parser checks all of these (and rejects
   malformed ones with the line), so on a parsed SDP they do not fail.

   Deviations accepted, because real peers send them: LF or CRLF or a mix, no
   newline at the end, blank lines, blanks at the end of a line, runs of spaces
   or tabs between fields, lines out of RFC order (written back in order), an
   empty s= (kept as "-"), no s= or no t= at all (added as "s=-" and "t=0 0"), an
   m= line without formats, a fractional ptime ("22.5": 22 ms), a=ptime:0 or
   a=maxptime:0 (a packet time of nothing: read as absent), attribute names
   in any case, unknown line letters (kept). Refused (MEDIA_EPARSE): anything
   before v=0, NUL bytes, a lone CR, lines without "x=", a second v=, o=, s= or
   session-level c=, o=/t=/r=/z=/s= at media level, missing o=, wrong field
   counts, numbers out of range, malformed values of the attributes above.

   Offer/answer (RFC 3264). media_sdp_offer_create() writes one audio m-line
   from cfg.codecs; media_sdp_answer_create() answers every m-line in order,
   takes the first audio RTP/AVP(F) stream it has a codec for (or the one
   cfg.stream names) and refuses the rest with port 0;
   media_sdp_answer_process() checks an answer against our offer (the first
   of our audio m-lines the answer accepted, or cfg.stream's): only encodings we offered, under our numbers or (RFC 3264 6.1
   allows it) numbers of the answerer's own, which we then send with. Codecs match by name (any case), clock rate and channels; the answer
   uses the offerer's numbers; cfg.strategy orders them (the offer's order,
   ours, required codecs, or your select() function). telephone-event is
   answered only at the clock rate of an answered codec, with the event ranges
   intersected. Directions follow RFC 3264 6.1 against cfg.direction (what we
   want): a sendonly offer gets recvonly, a hold while we hold gets inactive,
   c=0.0.0.0 counts as the peer not receiving. a=rtcp is always written; the
   peer's a=rtcp and rtcp-mux are honoured. For a re-offer or a later answer,
   set cfg.previous to our last SDP: its origin is kept, the version goes up,
   payload numbers and m-lines are kept.

   SRTP keys (RFC 4568 SDES), with cfg.sdes: the suites we do, each with our
   master key, and a policy. MEDIA_SRTP_REQUIRED offers RTP/SAVP,
   MEDIA_SRTP_OPTIONAL offers RTP/AVP (best effort, as PBXes do), both with
   one a=crypto line per suite, tagged 1, 2, ... in our order. An answer
   takes the offer's first crypto line it can use and writes its tag, suite
   and our key; RTP/SAVP without SRTP, or no usable line while SRTP is
   required (by us, or by the offer's RTP/SAVP), refuses the stream: never a
   fall-back to clear RTP. Usable: one of our suites, one key of its size,
   no MKI, and no session parameter but WSH (a KDR, UNENCRYPTED_SRTP or
   _SRTCP, UNAUTHENTICATED_SRTP, FEC_ORDER or FEC_KEY, or any unknown one
   without a leading "-", makes the line unusable: RFC 4568 has the answerer
   pass such lines over). The offerer takes the answer's line only under a
   tag it offered, with that tag's suite. result.srtp_suite says which
   suite (-1: clear RTP); media_sdp_srtp_key_get() reads the peer's key
   from its description. The parts of a crypto line are public too
   (media_sdp_crypto_key_parse, _params_parse, _suite_info, base64).
   What SRTP then protects, and what it leaves readable (the RTP header is
   authenticated, not encrypted; SDES keys travel in the signalling), and
   how media_srtp.h makes its keys: the top of media_srtp.h.

   ============================================================================
   10. WAV FILES AND RESAMPLING
   ============================================================================

   media_wav_file reads and writes 16-bit PCM, A-law and mu-law WAV files,
   mono or stereo, 8 to 48 kHz, as 16-bit interleaved samples:

      media_wav_file f;
      if (media_wav_open_read(&f, "prompt.wav") == MEDIA_OK) {
          while ((n = media_wav_read(&f, pcm, 160)) > 0) ...;   // frames
          media_wav_close(&f);
      }

   Reading skips chunks it does not need (LIST, fact, bext...), accepts
   WAVE_FORMAT_EXTENSIBLE and files whose data size says 0 or too much (cut
   or streamed recordings: the file's end is used). Writing keeps the header on
   disk current at least once per second of audio, so a recording cut short
   by a crash still plays. media_wav_parse() and media_wav_header_write() do the same
   on memory, without stdio.

   media_resampler converts between any two rates from 8 to 48 kHz: flat
   within 0.01 dB up to 0.9 of the lower rate's Nyquist frequency, everything
   above it at least 70 dB down (measured: worst alias -81 dB, passband
   residual -78 dB over every pair of 8, 11.025, 16, 22.05, 32, 44.1, 48 kHz).
   Caller-owned; costs about 2 x 44 x (in/out, at least 1)
   multiply-adds per output sample and channel.

   ============================================================================
   11. THE SESSION
   ============================================================================

   One media_session is the media side of one call: sockets (or your
   transport), offer/answer, the jitter buffer, codecs, RTCP, DTMF, files.
   The quick start answers an offer; to make one, media_session_offer_create()
   writes it for your INVITE and media_session_remote_sdp_set() takes the
   200 OK's answer. A loop that knows which socket woke it (epoll) calls
   media_session_poll_ready(s, MEDIA_READY_RTP or _RTCP, or 0 for a timer)
   instead of poll: it reads only those, a system call or two less a packet
   (examples/epoll_many.c).

   A config starts from media_session_config_init() (or pass NULL for every
   default): one filled any other way is refused with MEDIA_EINVAL, since
   several of its fields mean something else at 0 than their defaults.

   States (media_session_state_get, state_change): IDLE, NEGOTIATING (first
   offer out or in), READY (negotiated, media starts at the next poll),
   ACTIVE, PAUSED (the peer holds us: we do not send), HELD (we hold: we do
   not listen and offer sendonly), TERMINATED (after close; destroy is left).

   Transport. By default the session binds an even RTP port and the next one
   for RTCP (RFC 3550 11) on local_address, from port_min..port_max or from
   the kernel's ephemeral ports; "::" takes IPv4 peers too. rtcp-mux is
   offered and accepted (then everything uses the RTP socket and
   media_session_fd_get(s, 1) is -1). Once the peer's address is known (and
   cfg.latch is off) the sockets are connected to it: the kernel drops other
   sources before they wake anyone (so st.foreign stays 0 there), send()
   costs less than sendto(), and an ICMP "port unreachable" for a peer not
   listening is counted (st.unreachable), not an error. With cfg.send set the
   session opens no socket: it hands you each datagram with its destination,
   and you give it what arrives with media_session_receive(_from) (ICE, TURN,
   DTLS-SRTP stacks, tests). Our own sockets sit behind that same seam (the
   >>sockets section, the only socket code; MEDIA_NO_SOCKETS leaves it out).
   Between the session and either transport, cfg.filter (media_packet_filter)
   protects every packet we send and unprotects every one that arrives, RTP
   and RTCP: SRTP plugs in there; what it refuses is counted
   (st.protect_errors, st.unprotect_errors), never parsed. cfg.now_us
   replaces the clock, cfg.seed the randomness: with both a whole call is
   reproducible. The clock should be monotonic; one that steps back by more
   than a frame is counted (st.clock_steps_back) and the session's time
   carries on from where it was, rather than waiting for the clock to
   catch up.

   Poll reads the clock once, receives everything waiting (at most 256
   datagrams per socket), plays out what the jitter buffer has due (decode,
   conceal, RFC 3389 comfort noise; recorded and handed to audio_in; once
   media runs, on the sending tick, so one wake-up a frame does both), makes
   the frames due (DTMF events, else the play queue, else audio_out, else
   silence; muted: silence), sends them (marker on the first packet after not
   sending; timestamps follow the clock across pauses, files and holds),
   sends RTCP when RFC 3550 6.3 says (minimum 5 s, the first after half;
   randomised, reconsidered; SR when we sent since the report before last,
   else RR, with SDES CNAME; a BYE at close), checks the RTP timeout and the
   statistics and quality timers, and returns the milliseconds until its next
   deadline. Called late, it sends at most MEDIA_SESSION_MAX_BURST frames and
   skips the rest (the timestamps jump; nothing bursts).

   Callbacks (media_session_handler) may call every action and
   media_session_stats_get(); not media_session_poll() (MEDIA_ESTATE).
   handler.log says in words what the statistics only count: the line a
   remote SDP failed at, why packets were refused (once a second per
   reason, with how many more), a socket's error; nothing is formatted
   unless it is set.
   media_session_destroy() inside a callback takes effect when the outermost
   media_session_* call returns; media_session_close() at the next poll.

   Negotiation: offer_create / remote_sdp_set / answer_create drive RFC 3264
   through the >>sdp functions (re-offers keep the origin, payload numbers and
   m-lines). The offer and answer callbacks see each description (ours
   before it is written: edit it; the peer's: return < 0 to refuse it), the
   codec_negotiation callback orders the codecs both have, and
   negotiation_complete reports the result. hold/resume change what the next
   offer says; send it to the peer yourself. With cfg.sdes (SRTP by SDES,
   see >>sdp; media_srtp.h fills it and cfg.filter), every description
   carries our keys, and each negotiation hands the filter the agreed suite
   and the peer's key (sdes->keys) before its media flows: the answerer's
   as it answers, so early media from the offerer gets through; a filter
   that will not take them refuses the description (MEDIA_EREJECTED).

   Receiving: RTP only from the address the peer's SDP gave, under the
   payload types either description gives. What latching trusts (cfg.latch,
   for peers behind NAT): the SDP's address, or else the first address that
   sends two packets in sequence (A.1's probation: junk and made-up SSRCs
   never latch); after that only the same stream (its SSRC, its sequence
   continued, four packets in a row) from a new address once the latched one
   has gone quiet for three frames (a NAT rebinding), or the SDP's own
   address, which always takes it back; RTCP on its own port from the latched
   host. MEDIA_LATCH_STRICT never moves once latched. The stream in play is
   kept while it is alive: another SSRC or a jump in its sequence takes over
   only after three quiet frames and two packets in sequence (RFC 3550 A.1),
   or at once after its BYE; our own SSRC looped back is dropped. So a
   spoofer, even at the peer's exact address, cannot interrupt a live stream
   or pull our packets to itself; what it can do, without SRTP, is take over
   a stream that has stalled for three frames and hold it while it keeps
   sending. With SRTP (cfg.filter, media_srtp.h) every datagram is
   authenticated before any of this: a spoofer without the key is refused
   outright (st.unprotect_errors), and only packets the peer really sent
   can move the latch (one seen before is refused as a replay); an
   attacker on the path that delays the peer's own packets is another
   matter. What is refused is counted (st.foreign, st.strays). An RFC 4733
   key press is one dtmf callback, at its end; the time an event covers plays
   out and is recorded as silence, never as a tone. The rest (SSRC
   collisions, the peer's BYE and RTCP) is in the implementation's
   "receiving" banner.

   Memory: one block per session, under 20 KiB with G.711 (test_session
   holds it there; most of it the jitter buffer's MEDIA_JITTER_BYTES), more
   with a codec that keeps more state and with cfg.resample (a
   media_resampler). Negotiation calls borrow scratch for three media_sdp
   and free it before they return.

   ============================================================================
   12. MANY PARTIES AND STREAMS
   ============================================================================

   media_mixer is a conference: each party hears the sum of everyone else
   who speaks, at its own rate, and never itself. It knows nothing of
   sessions; a session's audio goes in through audio_in and its share comes
   back out through audio_out, two lines each:

      static void to_mixer(media_session *s, const int16_t *pcm, size_t n, uint32_t rate, void *user)
      {
          struct member *p = user;
          media_mixer_put(p->mixer, p->party, pcm, n, rate);
      }
      static int from_mixer(media_session *s, int16_t *pcm, size_t n, uint32_t rate, void *user)
      {
          struct member *p = user;
          int got = media_mixer_get(p->mixer, p->party, pcm, n, rate);
          return got > 0 ? got : 0;               // what is missing is sent as silence
      }
      ...
      p->party = media_mixer_join(mixer, MEDIA_MIXER_TALK);   // before its session starts
      cfg.handler.audio_in = to_mixer;
      cfg.handler.audio_out = from_mixer;
      cfg.handler.user = p;
      ...
      ms = media_mixer_poll(mixer, media_now_us());    // in your loop, beside the sessions

   poll mixes a frame every frame_ms: one frame of each speaking party's
   input (silence for what has not arrived) goes into a 32-bit sum, and
   each listener is given the sum less its own part, saturated to 16 bits
   (no limiter: below full scale the mix is the exact sum). The cost is two
   passes a party, not one per pair: a 100-party conference is 100 parties'
   work. Raw PCM (files, a sound card, a TTS engine) goes through the same
   put and get; media_mixer_mix() makes one frame on your own clock.

   Each party has an input and an output queue of queue_frames frames: the
   phase between a session's ticks and the mixer's is absorbed there (a
   frame or two of delay), and what overflows is dropped oldest first and
   counted (media_mixer_party_stats). Joining and leaving take effect at
   the next frame mixed, whole: nobody else hears a partial frame or a
   missing sample. Rates other than the mix's are converted per party (the
   >>wav resampler, two per party, cfg.converters of them at once); mix at
   the highest rate you want heard (an 8 kHz mix of wideband parties is a
   narrowband conference). Roles: MEDIA_MIXER_TALK, _LISTEN (a recorder, a
   supervisor), _SPEAK (music, an announcement), _MUTED on top; a gain per
   party from -96 to +24 dB on what the others hear of it. The speaker
   callback reports the active speaker: the loudest above
   speaker_threshold_db, once speaker_margin_db above the current one for
   speaker_hold_ms; nobody after speaker_release_ms under the threshold.
   media_mixer_record() writes the whole mix to a WAV file, the mix
   callback hands it to you.

   Memory: media_mixer_size() bytes, yours (media_mixer_init) or one
   allocation (media_mixer_create); nothing after. Per party its two
   queues and a frame of the sum (2.6 KB at 8 kHz, 20 ms, 3 frames queued),
   and with converters 21 KB for its two resamplers.

   media_bridge puts two sessions back to back, the media of a B2BUA or an
   SBC: what a's peer sends goes to b's peer and the other way round.

      media_bridge *br = media_bridge_create(a, b, NULL, &err);   // both negotiated, or not yet
      ...                                                        // poll both as ever
      media_bridge_destroy(br);                                  // a transfer: then bridge b to c

   A payload both legs negotiated (same codec, same clock) is relayed: not
   decoded, sent on b's SSRC with its sequence number and timestamp moved
   by an offset, so b's peer sees one stream that never goes back while
   the origin changes under it (a new SSRC, a restart, a transfer to
   another leg, a file b plays in between: music on hold). Loss, reordering
   and silences pass through as they were; a CSRC list and header
   extensions stay behind (their meaning was negotiated on the other leg).
   RTCP is translated, not copied (RFC 3550 7.2): the origin's SR goes out
   under b's SSRC with its RTP time moved by the same offset and b's
   counts, and report blocks about what b sends come back as blocks about
   the origin, so round trips and loss are measured end to end. A relayed stream is not decoded, so
   audio_in and recording of it stop; MEDIA_BRIDGE_TRANSCODE decodes
   everything. Otherwise (another codec, another rate) the bridge
   transcodes: a decodes as for itself (jitter buffer, concealment) and b
   encodes what a played out, converted to b's rate (PCMU <-> Opus at 48
   kHz). RFC 4733 key presses cross as events either way, never as tones.
   Each session keeps its own statistics (per leg), latching, SRTP, hold;
   media_bridge_stats_get() says per direction what was relayed, transcoded,
   passed as events and dropped. Either session may be destroyed first.

   More than one stream on a description (the two directions of a call
   recorded as two streams, SIPREC style; two parties on one offer): a
   group of sessions, session i the description's i-th audio m-line, each
   with its own sockets, codec, jitter buffer and statistics:

      media_session *rec[2] = { caller_side, callee_side };
      media_session_group_remote_sdp_set(rec, 2, offer, offer_len);
      n = media_session_group_answer_create(rec, 2, answer, sizeof answer);
      media_session_stream_get(rec[1], mid, sizeof mid);   // its m-line and a=mid

   media_session_group_offer_create() offers, hold and resume of one
   session are group re-offers, and every m-line stays in its place (RFC
   3264 8); m-lines no session takes (video) are refused in place. Below
   the sessions, media_sdp_oa_config.stream picks the m-line an answer,
   an answer's check or a re-offer is about.

   ============================================================================
   13. TONES IN THE AUDIO
   ============================================================================

   media_dtmf_detector finds DTMF key presses sent as sound (ITU-T Q.23
   tones), as Q.24 asks of a receiver: each of the 16 digits within 1.5 %
   of its frequencies is taken, one 3.5 % off is not; twist up to 8 dB
   normal (the low tone louder) and 4 dB reverse; a tone of 40 ms is a
   digit, one of 23 ms is not, a pause of 40 ms separates two; from
   -26 dBm0 a tone, and with white noise 15 dB under the pair. A digit is
   reported when it ends, with how long it sounded (read from the power
   envelope, within 3 ms); media_dtmf_detector_current() says which is
   sounding now. Any rate from 8 to 48 kHz, in your memory, about 0.75 us
   per 20 ms at 8 kHz:

      media_dtmf_detector det;                  // yours: static or in your call
      media_dtmf_digit got[4];
      media_dtmf_detector_init(&det, 8000);
      ...
      n = media_dtmf_detect(&det, pcm, 160, got, 4);      // each frame heard
      for (i = 0; i < n; i++) printf("%c (%u ms)\n", got[i].digit, got[i].duration_ms);

   Speech seldom looks like a digit to it: none in 12 minutes of
   synthesised speech in twelve voices (make test runs a part of that).
   A session with cfg.inband_dtmf runs one on what it plays out and reports
   its digits through the dtmf callback, media_session_dtmf_source_get()
   saying MEDIA_DTMF_SOURCE_INBAND; a press a peer sends both as tones and
   as RFC 4733 events is reported once. The other way, a peer that took
   no telephone-event gets media_session_dtmf_send()'s digits as Q.23 tones
   in the audio (the low group at -9 dBm0, the high at -7; cfg's duration
   and gap), instead of MEDIA_EUNSUPPORTED.

   media_tone_detector tells what the far end's network or machine plays:
   busy, reorder (congestion) and ringback at North American frequencies
   (480+620, 440+480 Hz) or Europe's 425 Hz, each by its cadence and
   reported once as soon as the cadence is complete (busy after two
   bursts, ringback at the second ring), and a fax or modem: CNG (1100 Hz)
   and CED, ANS or ANSam (2100 Hz). Same use as the DTMF detector, 25 ms
   blocks, any rate from 8 to 48 kHz. A session with cfg.tones runs one on
   what it plays out and calls handler.tone.

   ============================================================================
   14. LIMITS
   ============================================================================

   RTP: 15 CSRCs (the header's own limit), extension blocks up to 65535 words.
   RTCP: see the capacity macros above. Sizes are size_t; every function that
   takes one refuses a size that does not fit an int (MEDIA_EINVAL; one that
   returns nothing does nothing).
   Statistics: clock rates up to 1048576 Hz; for jitter, arrival gaps longer
   than about 19 hours count as 19 hours (the arithmetic stays in 64 bits).
   SDP: see the capacity macros; a session negotiates one audio m-line (more
   take a group of sessions, section 12); RTP/SAVP(F) only with SDES keys
   (cfg.sdes: DTLS-SRTP's UDP/TLS/RTP/SAVPF is refused); multicast
   addresses are read but the "/ttl" part is dropped in results.
*/

/* The implementation needs POSIX declarations; they must be requested before the
   first system header, i.e. here, before the header section includes <stdint.h>.
   Only a strict ISO build (-std=c99/c11) hides them; in any other the C library
   shows them by default, and a macro of ours would hide what it shows besides. */
#if defined(MEDIA_IMPLEMENTATION) && !defined(_WIN32) && !defined(_POSIX_C_SOURCE) && \
    !defined(_GNU_SOURCE) && !defined(_DEFAULT_SOURCE) && !defined(_XOPEN_SOURCE) && \
    !defined(MEDIA_H) && !defined(__APPLE__) && defined(__STRICT_ANSI__)
#define _POSIX_C_SOURCE 200809L
#endif

#ifndef MEDIA_H
#define MEDIA_H

#define MEDIA_VERSION_MAJOR 0
#define MEDIA_VERSION_MINOR 2
#define MEDIA_VERSION_PATCH 0
#define MEDIA_VERSION_STRING "0.2.0"

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

/* Jitter buffer and concealment capacities. */
#ifndef MEDIA_JITTER_SLOTS
#define MEDIA_JITTER_SLOTS 64         /* packets queued at once */
#endif
#ifndef MEDIA_JITTER_BYTES
#define MEDIA_JITTER_BYTES 8192       /* payload bytes queued at once (its ceiling: 960 ms of G.711 at 20 ms) */
#endif
#ifndef MEDIA_JITTER_MAX_PAYLOAD
#define MEDIA_JITTER_MAX_PAYLOAD 1500 /* largest payload accepted */
#endif
#ifndef MEDIA_PLC_MAX_RATE
#define MEDIA_PLC_MAX_RATE 8000       /* highest sample rate media_plc serves (sets its size) */
#endif
#if MEDIA_JITTER_SLOTS < 4 || MEDIA_JITTER_SLOTS > 4096
#error "MEDIA_JITTER_SLOTS must be 4..4096"
#endif
#if MEDIA_JITTER_BYTES < 256 || MEDIA_JITTER_BYTES > 65532
#error "MEDIA_JITTER_BYTES must be 256..65532 (payloads are addressed with 16 bits)"
#endif
#if MEDIA_JITTER_MAX_PAYLOAD < 1 || MEDIA_JITTER_MAX_PAYLOAD > MEDIA_JITTER_BYTES / 2
#error "MEDIA_JITTER_MAX_PAYLOAD must be 1..MEDIA_JITTER_BYTES/2"
#endif
#if MEDIA_PLC_MAX_RATE < 8000 || MEDIA_PLC_MAX_RATE > 48000
#error "MEDIA_PLC_MAX_RATE must be 8000..48000"
#endif

/* SDP capacities: one media_sdp holds this much. */
#ifndef MEDIA_SDP_MAX_MEDIA
#define MEDIA_SDP_MAX_MEDIA 16        /* m= lines */
#endif
#ifndef MEDIA_SDP_MAX_ATTRS
#define MEDIA_SDP_MAX_ATTRS 384       /* a= lines, all levels together */
#endif
#ifndef MEDIA_SDP_MAX_LINES
#define MEDIA_SDP_MAX_LINES 64        /* other lines (i u e p b t r z k, unknown), all levels */
#endif
#ifndef MEDIA_SDP_MAX_FORMATS
#define MEDIA_SDP_MAX_FORMATS 64      /* formats on one m= line */
#endif
#ifndef MEDIA_SDP_TEXT_SIZE
#define MEDIA_SDP_TEXT_SIZE 16384     /* bytes of strings (about the SDP's size) */
#endif
#if MEDIA_SDP_MAX_MEDIA < 1 || MEDIA_SDP_MAX_MEDIA > 1024
#error "MEDIA_SDP_MAX_MEDIA must be 1..1024"
#endif
#if MEDIA_SDP_MAX_ATTRS < 16 || MEDIA_SDP_MAX_ATTRS > 65535
#error "MEDIA_SDP_MAX_ATTRS must be 16..65535"
#endif
#if MEDIA_SDP_MAX_LINES < 4 || MEDIA_SDP_MAX_LINES > 65535
#error "MEDIA_SDP_MAX_LINES must be 4..65535"
#endif
#if MEDIA_SDP_MAX_FORMATS < 4 || MEDIA_SDP_MAX_FORMATS > 255
#error "MEDIA_SDP_MAX_FORMATS must be 4..255"
#endif
#if MEDIA_SDP_TEXT_SIZE < 512 || MEDIA_SDP_TEXT_SIZE > 65535
#error "MEDIA_SDP_TEXT_SIZE must be 512..65535 (strings are addressed with 16 bits)"
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
   >>codec
   --------------------------------------------------------------------------- */

/* A codec as negotiation and the session see it: what goes into SDP (name,
   RTP clock rate, channels, static payload type or dynamic, default fmtp), the
   default packet time, and the functions that turn PCM into payload and back.
   PCMU, PCMA and telephone-event are built in; media_opus.h supplies Opus the
   same way, and your own codecs are a struct like these.

   What a session does with a codec that does more (media_opus.h's Opus): the
   peer's fmtp for what we send goes to the encoder's create(); a lost packet
   whose successor is already queued goes to the codec's recover() (in-band
   FEC, counted in stats.recovered; such a codec gets a frame of minimum
   jitter delay); the loss the peer reports in RTCP goes to its control()
   (adaptation, shown in stats.codec_bitrate and codec_fec_percent); an
   encode() of 0 bytes is DTX: nothing is sent (stats.dtx_frames), the next
   packet carries the marker, and the receiver counts a gap the jitter buffer
   knows to be in sequence as silence, not concealment. */
#define MEDIA_CODEC_EVENTS 1u   /* flags: RFC 4733 telephone-event, not audio */
/* flags: encode() keeps no state: it gets NULL, create()/destroy() run for the
   decoding side only, and a session reserves no encoder state (G.711) */
#define MEDIA_CODEC_STATELESS_ENCODER 2u
/* flags: decode() with a NULL state decodes and keeps nothing, and what
   conceal() needs of the past is rebuilt by create() then decode() of the
   last MEDIA_CODEC_HISTORY_MS of payloads, oldest first: a session plays a
   run of good frames without keeping it and rebuilds the history from the
   jitter buffer (media_jitter_played_get) only when a loss needs it (G.711) */
#define MEDIA_CODEC_HISTORY_FROM_PAYLOADS 4u
#define MEDIA_CODEC_HISTORY_MS 60

typedef struct media_codec media_codec;
struct media_codec {
    /* what it is */
    const char *name;          /* encoding name in a=rtpmap: "PCMU", "opus" (matched case-insensitively) */
    uint32_t clock_rate;       /* RTP clock rate; 0 for telephone-event: "at the audio codec's rate" */
    uint32_t sample_rate;      /* PCM rate encode() takes and decode() gives */
    uint8_t  channels;         /* as in a=rtpmap (1 when omitted there) */
    int8_t   static_pt;        /* RFC 3551 static payload type 0..95, or -1 for dynamic */
    uint16_t frame_ms;         /* default packet time */
    uint32_t flags;            /* MEDIA_CODEC_EVENTS, _STATELESS_ENCODER, _HISTORY_FROM_PAYLOADS */
    const char *fmtp;          /* a=fmtp parameters we offer and answer with, or NULL */
    /* the memory a stream needs: state_size for a decoder, encoder_state_size
       for an encoder (0: state_size as well) */
    size_t   state_size;
    size_t   encoder_state_size;
    /* All optional for event codecs. create() gets zeroed memory of the size
       for its side (MEDIA_CODEC_ENCODER or MEDIA_CODEC_DECODER; a state serves
       one side) and the peer's fmtp (NULL when none); encode returns payload
       bytes, decode and conceal return samples written, each < 0 on error. */
    int  (*create)(void *state, const media_codec *codec, const char *remote_fmtp, int side);
    void (*destroy)(void *state);
    int  (*encode)(void *state, uint8_t *dst, size_t cap, const int16_t *pcm, size_t samples);
    int  (*decode)(void *state, int16_t *pcm, size_t cap, const uint8_t *payload, size_t len);
    int  (*conceal)(void *state, int16_t *pcm, size_t samples);
    /* Optional. control(): MEDIA_CODEC_CTL_* requests, < 0 when not handled.
       recover(): the lost frame before the packet `next` rebuilt from the
       redundancy inside next (Opus in-band FEC), or concealed when next
       carries none: samples written, < 0 on error (then conceal() is used). */
    int  (*control)(void *state, int request, int value);
    int  (*recover)(void *state, int16_t *pcm, size_t samples, const uint8_t *next, size_t next_len);
    void *user;                /* for your own codecs; media.h never touches it */
};

/* create()'s side */
#define MEDIA_CODEC_ENCODER 1
#define MEDIA_CODEC_DECODER 2

/* control() requests. */
#define MEDIA_CODEC_CTL_REMOTE_LOSS 1   /* value: % of our packets the peer reports lost
                                           (RTCP): adapt (FEC, bitrate); returns 0 */
#define MEDIA_CODEC_CTL_GET_BITRATE 2   /* returns the encoder's target, bits/s */
#define MEDIA_CODEC_CTL_GET_FEC 3       /* returns the loss % in-band FEC is tuned for, 0: off */

/* The built-in codecs: static descriptions, valid for the whole program. */
MEDIADEF const media_codec *media_codec_pcmu(void);             /* PT 0, 8000 Hz, 20 ms */
MEDIADEF const media_codec *media_codec_pcma(void);             /* PT 8, 8000 Hz, 20 ms */
MEDIADEF const media_codec *media_codec_telephone_event(void);  /* RFC 4733, fmtp "0-16" */

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
MEDIADEF int media_rtcp_report_write(uint8_t *buf, size_t cap, const media_rtcp_report *r);

/* Writes a BYE for count SSRCs (1..31) with an optional reason (<= 255 bytes).
   RFC 3550 wants it to follow a report in the same compound: write the report,
   then the BYE at buf + its length. */
MEDIADEF int media_rtcp_bye_write(uint8_t *buf, size_t cap, const uint32_t *ssrcs, size_t count,
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
    /* what every packet reads and writes first: two cache lines */
    int      started;
    uint32_t ssrc;
    uint32_t clock_rate;
    uint16_t max_seq;         /* RFC 3550 A.1 state */
    uint32_t cycles;          /* shifted count of sequence wraps */
    uint32_t probation;
    uint32_t received;        /* A.1 semantics: valid packets incl. duplicates */
    uint32_t last_timestamp;  /* A.8 jitter, kept in 1/256 RTP units for precision */
    int      have_transit;
    uint64_t jitter_q8;
    uint64_t last_arrival_us;
    uint64_t packets;         /* every packet offered, in probation or not */
    uint64_t bytes;           /* payload bytes of those */
    uint64_t seen_lo, seen_hi;/* bitmap of the last 128 extended sequence numbers */
    /* the rest of A.1 */
    uint32_t base_seq;
    uint32_t bad_seq;
    uint32_t expected_prior;
    uint32_t received_prior;
    int32_t lost_before;      /* lost and expected before the source restarted its numbering */
    uint32_t expected_before; /* (kept: the same source goes on) */
    /* our own counters */
    uint32_t duplicates;
    uint32_t reordered;
    uint32_t bad_seq_count;
    uint32_t restarts;
    uint32_t ssrc_changes;
    uint32_t loss_events;     /* gaps seen in order: for the burst ratio */
    uint32_t gap_lost;        /* packets missing in those gaps */
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

/* ---------------------------------------------------------------------------
   >>jitter
   --------------------------------------------------------------------------- */

/* What media_jitter_get() hands out (return values, all >= 0). */
enum {
    MEDIA_JITTER_NONE = 0,   /* nothing due yet (call again later) */
    MEDIA_JITTER_FRAME = 1,  /* a received frame: decode it */
    MEDIA_JITTER_LOST = 2,   /* a frame is missing (or one is inserted to grow the delay): conceal it */
    MEDIA_JITTER_GAP = 3     /* nothing arrived for this time: silence or DTX (or a loss not known
                                yet); conceal briefly or play comfort noise */
};
/* What media_jitter_put() made of a packet (>= 0; < 0 is an error). */
enum {
    MEDIA_JITTER_QUEUED = 0,
    MEDIA_JITTER_LATE = 1,       /* its time has passed: dropped */
    MEDIA_JITTER_DUPLICATE = 2,  /* already queued or played: dropped */
    MEDIA_JITTER_RESYNCED = 3,   /* queued, after starting over (new SSRC, timestamp jump) */
    MEDIA_JITTER_DROPPED = 4,    /* no room and older than everything queued: dropped (overflow) */
    MEDIA_JITTER_REFUSED = 5     /* timed ahead of the stream and of its place in the sequence, alone:
                                    dropped (rejected; see the >>jitter banner's "Outliers") */
};
/* media_jitter_frame.flags */
#define MEDIA_JITTER_INSERTED 1u       /* LOST only: not a loss, a frame inserted to grow the delay */
#define MEDIA_JITTER_DISCONTINUITY 2u  /* FRAME: the frame before it was dropped to shrink the delay
                                          (tell the decoder: conceal(state, pcm, 0) blends the seam) */
#define MEDIA_JITTER_TALKSPURT 4u      /* FRAME: first frame of a talkspurt (marker, or after a gap) */
#define MEDIA_JITTER_SILENCE 8u        /* GAP: known silence (the packet after it is here, in sequence) */
#define MEDIA_JITTER_STRETCH 16u       /* FRAME (config.stretch): change its length by up to .stretch */

typedef struct media_jitter_config {
    uint32_t clock_rate;        /* RTP clock rate (8000) */
    uint32_t frame_ms;          /* packet time assumed until the stream shows its own (20) */
    uint32_t min_delay_ms;      /* adaptive delay bounds (0, 0); a max of 0 is what the */
    uint32_t max_delay_ms;      /* memory holds (MEDIA_JITTER_BYTES and _SLOTS, for the stream's packets) */
    uint32_t initial_delay_ms;  /* before anything is measured (20) */
    uint32_t fixed_delay_ms;    /* > 0: fixed mode at this delay (drift is still absorbed) */
    /* Samples (RTP units) in a payload, e.g. its length for G.711; NULL: from
       the timestamps of neighbouring packets. */
    int (*duration)(const uint8_t *payload, size_t len, void *user);
    void *user;
    /* 1: the caller can change a frame's length (time-scale modification,
       media_stretch): delay changes in speech are asked of it (.stretch of
       a FRAME) instead of dropping or inserting whole frames. 0 (default):
       whole frames. */
    int stretch;
} media_jitter_config;

typedef struct media_jitter_frame {
    const uint8_t *payload;     /* FRAME: valid until the next put/get/reset */
    size_t len;
    uint32_t timestamp;         /* RTP timestamp of the frame (or of the missing time) */
    uint16_t seq;
    uint8_t payload_type;
    uint8_t marker;
    uint32_t samples;           /* duration in RTP units */
    uint32_t flags;             /* MEDIA_JITTER_INSERTED, _DISCONTINUITY, _TALKSPURT, _STRETCH */
    /* with MEDIA_JITTER_STRETCH: RTP units by which to lengthen (> 0) or
       shorten (< 0) this frame at most (never more than its duration);
       report what was done with media_jitter_stretched() */
    int32_t stretch;
} media_jitter_frame;

typedef struct media_jitter_stats {
    int64_t delay_us;           /* current: playout offset above the fastest recent packet; over
                                   max_us only until get() drops the excess (packets that came in a
                                   burst, a ceiling that fell with the packets' size or time) */
    int64_t target_us;          /* what the estimator wants it to be */
    int64_t buffered_us;        /* audio queued, first queued frame to the end of the last */
    uint64_t packets;           /* put() calls with a packet */
    uint64_t played;            /* frames handed out as FRAME */
    uint64_t lost;              /* LOST frames for packets known to be missing */
    uint64_t gap;               /* GAP frames */
    uint64_t silence;           /* of those, confirmed silence (DTX: the next packet was in sequence) */
    uint64_t inserted;          /* LOST frames inserted to grow the delay */
    uint64_t dropped;           /* queued frames dropped to shrink the delay */
    uint64_t late;              /* packets after their playout time */
    uint64_t duplicates;
    uint64_t overflow;          /* queued packets dropped for room (flood, capacity) */
    uint64_t flushed;           /* queued packets dropped by a resync or reset */
    uint64_t rejected;          /* packets refused: payload larger than MEDIA_JITTER_MAX_PAYLOAD,
                                   or MEDIA_JITTER_REFUSED */
    uint64_t resyncs;           /* new SSRC or timestamp jump */
    uint32_t queued;            /* packets in the buffer now */
    int64_t max_us;             /* the ceiling now: max_delay_ms, or what the memory holds */
    uint64_t stretched_us;      /* time added by lengthening frames (media_jitter_stretched) */
    uint64_t compressed_us;     /* time removed by shortening frames */
    uint64_t silence_cut_us;    /* time removed from silences */
} media_jitter_stats;

typedef struct media_jitter media_jitter;   /* yours to place; members private (>>layouts) */

/* Defaults: 8000 Hz, 20 ms, adaptive from 0 to what the memory holds, 20 ms at start. */
MEDIADEF void media_jitter_config_init(media_jitter_config *cfg);
/* MEDIA_OK, or MEDIA_EINVAL (clock 0 or above 1048576, min > max). */
MEDIADEF int media_jitter_init(media_jitter *jb, const media_jitter_config *cfg);
/* Drops everything queued and forgets the stream (counters kept). */
MEDIADEF void media_jitter_reset(media_jitter *jb);
/* Queues a parsed packet (its payload is copied) that arrived at arrival_us
   (any monotonic microsecond clock; the same one get() is given). Returns
   MEDIA_JITTER_QUEUED/_LATE/_DUPLICATE/_RESYNCED/_DROPPED/_REFUSED, or MEDIA_ENOSPC for a payload
   above MEDIA_JITTER_MAX_PAYLOAD, MEDIA_EINVAL for NULL. */
MEDIADEF int media_jitter_put(media_jitter *jb, const media_rtp_packet *pkt, uint64_t arrival_us);
/* The frame due at now_us: MEDIA_JITTER_FRAME, _LOST, _GAP, or _NONE when
   nothing is due. Call it until it returns NONE each time you want audio. */
MEDIADEF int media_jitter_get(media_jitter *jb, uint64_t now_us, media_jitter_frame *out);
/* The frame get() hands out next, when it is here (MEDIA_JITTER_FRAME, out
   filled as get() would), else MEDIA_JITTER_NONE; changes nothing. After a
   LOST it is the packet after the loss: where in-band FEC is found. */
MEDIADEF int media_jitter_peek(const media_jitter *jb, media_jitter_frame *out);
/* A frame already played, by its sequence number, while the buffer's memory
   still holds its payload (the last MEDIA_JITTER_SLOTS played, until the
   byte ring writes over them): MEDIA_JITTER_FRAME with out filled as get()
   did, else MEDIA_ENOTFOUND. For a decoder that rebuilds its history from
   payloads when it needs it (MEDIA_CODEC_HISTORY_FROM_PAYLOADS). */
MEDIADEF int media_jitter_played_get(const media_jitter *jb, uint16_t seq, media_jitter_frame *out);
/* With config.stretch: the FRAME just handed out was played `samples` (RTP
   units) longer (> 0) or shorter (< 0) than its duration; the playout clock
   follows. MEDIA_OK, or MEDIA_EINVAL (NULL, or more than a second). */
MEDIADEF int media_jitter_stretched(media_jitter *jb, int32_t samples);
/* The counters as of now. */
MEDIADEF void media_jitter_stats_get(const media_jitter *jb, media_jitter_stats *st);

/* Packet-loss concealment for 16-bit PCM (G.711 Appendix I style): keep the
   recent signal, and on a loss repeat its last pitch periods with overlap-add,
   fading out over 60 ms; when real audio resumes, blend into it. PCMU and PCMA
   use it as their conceal(); use it directly with any other PCM source. */
typedef struct media_plc media_plc;         /* yours to place; members private (>>layouts) */

MEDIADEF int media_plc_init(media_plc *plc, uint32_t sample_rate);   /* 8000..48000 */
/* A frame of real audio (in place: its start may be blended). */
MEDIADEF void media_plc_good(media_plc *plc, int16_t *pcm, size_t n);
/* n samples of concealment; n == 0 announces a seam (a dropped frame) that
   the next media_plc_good() blends over. */
MEDIADEF void media_plc_conceal(media_plc *plc, int16_t *pcm, size_t n);

/* ---------------------------------------------------------------------------
   >>stretch
   --------------------------------------------------------------------------- */

/* Time-scale modification of PCM a pitch period at a time, for a playout
   delay that moves without a seam: a frame is shortened by overlap-adding
   it with itself one period later (a period of voice gone, pitch kept) or
   lengthened by repeating a period the same way. The period is the lag of
   best normalised correlation within the range asked for; a frame that is
   not periodic enough at any lag there (a consonant, a transient) is left
   alone, unless it is nearly silent (then any lag does). Needs only the frame
   itself: nothing is kept between calls, nothing to feed on other frames. */
typedef struct media_stretch media_stretch; /* yours to place; members private (>>layouts) */

/* 8000..48000 Hz: MEDIA_OK or MEDIA_EINVAL. */
MEDIADEF int media_stretch_init(media_stretch *ts, uint32_t sample_rate);
/* Changes the length of the n samples in pcm (room for cap) by d samples,
   lo <= d <= hi (both < 0: shorten; both > 0: lengthen), and returns the
   new length n + d; returns n when no lag in the range suits the frame (or
   the range allows none: |d| must leave 2.5 ms of overlap in the frame), and
   MEDIA_EINVAL for bad arguments (NULL, n + hi > cap, lo > hi, signs
   mixed, n or cap beyond an int). A range of one value (lo == hi) is done
   whatever the frame: that is how an exact total is reached. */
MEDIADEF int media_stretch_process(const media_stretch *ts, int16_t *pcm, size_t n, size_t cap, int lo, int hi);
/* What a jitter buffer's request (a FRAME's .stretch, in samples at this
   rate) becomes: lengthen (want > 0) or shorten (< 0) by a pitch period of
   at most |want| samples, within the periods ts looks for. The new length,
   n when nothing suits (or |want| is under the shortest period), or
   MEDIA_EINVAL as above. */
MEDIADEF int media_stretch_request(const media_stretch *ts, int16_t *pcm, size_t n, size_t cap, int want);

/* ---------------------------------------------------------------------------
   >>tones
   --------------------------------------------------------------------------- */

/* DTMF in the audio itself (ITU-T Q.23 tones, detected as Q.24 asks): for
   peers that send key presses as sound (no telephone-event negotiated, or a
   transcoding hop in between). Any PCM rate from 8 to 48 kHz; a digit is
   reported when it ends, with how long it sounded. */
typedef struct media_dtmf_detector media_dtmf_detector;   /* yours to place; members private (>>layouts) */

typedef struct media_dtmf_digit {
    char digit;                 /* '0'-'9', '*', '#', 'A'-'D' */
    uint32_t duration_ms;       /* how long the tone pair sounded */
    uint64_t end_ms;            /* when it stopped, in ms of the PCM fed so far */
} media_dtmf_digit;

/* 8000..48000 Hz: MEDIA_OK or MEDIA_EINVAL. */
MEDIADEF int media_dtmf_detector_init(media_dtmf_detector *d, uint32_t sample_rate);
/* Takes n samples; returns how many digits ended (written to out, up to
   cap; more wait for the next call), or MEDIA_EINVAL. */
MEDIADEF int media_dtmf_detect(media_dtmf_detector *d, const int16_t *pcm, size_t n, media_dtmf_digit *out, size_t cap);
/* The digit sounding now (recognised, not yet ended), or 0. */
MEDIADEF char media_dtmf_detector_current(const media_dtmf_detector *d);

/* Call-progress and fax tones, for IVRs, diallers and fax-aware gateways:
   what the far end's network or machine plays, told by frequency and
   cadence. North America (ITU-T E.180 / Bell): ringback 440+480 Hz,
   busy and reorder 480+620 Hz; Europe (CEPT): 425 Hz for all three. */
#define MEDIA_TONE_RINGBACK 1      /* ~1-2 s on, 3-4 s off: reported at the second ring */
#define MEDIA_TONE_BUSY 2          /* ~0.5 s on, 0.5 s off: after two cycles */
#define MEDIA_TONE_CONGESTION 3    /* ~0.25 s on, 0.25 s off (reorder): after two cycles */
#define MEDIA_TONE_FAX_CNG 4       /* 1100 Hz for 0.5 s: a calling fax */
#define MEDIA_TONE_FAX_CED 5       /* 2100 Hz (CED, ANS, ANSam) for 0.5 s: an answering fax or modem */

typedef struct media_tone_detector media_tone_detector;   /* yours to place; members private (>>layouts) */

typedef struct media_tone_event {
    int tone;                   /* MEDIA_TONE_* */
    int region;                 /* 1: North American frequencies, 2: European (425 Hz); 0: fax */
    uint64_t at_ms;             /* when it was recognised, in ms of the PCM fed so far */
} media_tone_event;

/* 8000..48000 Hz: MEDIA_OK or MEDIA_EINVAL. */
MEDIADEF int media_tone_detector_init(media_tone_detector *t, uint32_t sample_rate);
/* Takes n samples; returns how many tones were recognised (written to out,
   up to cap; more wait for the next call), or MEDIA_EINVAL. Each is
   reported once until it stops. */
MEDIADEF int media_tone_detect(media_tone_detector *t, const int16_t *pcm, size_t n, media_tone_event *out, size_t cap);

/* ---------------------------------------------------------------------------
   >>sdp
   --------------------------------------------------------------------------- */

/* Levels: attribute and line functions take a media index (0..media_count-1)
   or MEDIA_SDP_SESSION for the session level. */
#define MEDIA_SDP_SESSION (-1)

/* Directions (RFC 3264 section 5.1); zero is the default, sendrecv. */
typedef enum media_sdp_direction {
    MEDIA_SDP_SENDRECV = 0,
    MEDIA_SDP_SENDONLY = 1,
    MEDIA_SDP_RECVONLY = 2,
    MEDIA_SDP_INACTIVE = 3
} media_sdp_direction;

/* A piece of a value string: not NUL-terminated, print with "%.*s". */
typedef struct media_sdp_span {
    const char *ptr;
    size_t len;
} media_sdp_span;

/* Strings live in media_sdp.text; a field holding an offset there is a
   media_sdp_ref (0 is the empty string). media_sdp_str_get() turns it into a
   NUL-terminated C string. Offsets, not pointers: a media_sdp can be copied
   with memcpy or assignment and stays valid. */
typedef uint16_t media_sdp_ref;

typedef struct media_sdp_conn {   /* c= (and the address part of o=) */
    media_sdp_ref nettype;        /* "IN" */
    media_sdp_ref addrtype;       /* "IP4", "IP6" */
    media_sdp_ref address;        /* as written, multicast "/ttl/n" included; 0 = no c= line */
    uint8_t family;               /* 4, 6, or 0 for another address type */
} media_sdp_conn;

typedef struct media_sdp_attr {   /* a=name or a=name:value */
    media_sdp_ref name;
    media_sdp_ref value;          /* 0 when the line had no ':' */
    uint16_t name_len, value_len;
} media_sdp_attr;

typedef struct media_sdp_line {   /* any other line: i u e p b t r z k, unknown letters, extra c= */
    char type;
    media_sdp_ref value;
    uint16_t len;
} media_sdp_line;

typedef struct media_sdp_media {
    media_sdp_ref media;          /* "audio", "video", "application", ... */
    uint16_t port;
    uint16_t nports;              /* the "/2" of m=audio 49170/2; 0 when not written */
    media_sdp_ref proto;          /* "RTP/AVP", "UDP/TLS/RTP/SAVPF", "udptl", ... */
    uint8_t is_rtp;               /* proto contains RTP/: formats are payload types */
    uint16_t fmt_count;
    uint8_t pt[MEDIA_SDP_MAX_FORMATS];  /* payload types, in order (is_rtp) */
    media_sdp_ref fmt;            /* the format list as text when !is_rtp */
    media_sdp_conn conn;          /* media-level c=; conn.address 0 when absent */
    uint16_t attr_first, attr_count;   /* its slice of media_sdp.attr */
    uint16_t line_first, line_count;   /* its slice of media_sdp.line */
} media_sdp_media;

/* A whole session description. Everything it refers to is inside it, so it
   outlives the text it was parsed from and can be edited. Large (see the
   capacity macros): keep it in a struct of yours or a static, not a small stack. */
typedef struct media_sdp {
    media_sdp_ref origin_username;  /* o=<username> <sess-id> <sess-version> <nettype> <addrtype> <address> */
    media_sdp_ref origin_sess_id;
    uint64_t origin_version;
    media_sdp_conn origin;
    media_sdp_ref name;             /* s= */
    media_sdp_conn conn;            /* session-level c=; conn.address 0 when absent */
    uint16_t media_count;
    uint16_t attr_count, session_attrs;   /* attrs in use; the first session_attrs are session level */
    uint16_t line_count, session_lines;
    uint16_t text_len;              /* bytes of text in use (strings are NUL-terminated) */
    int error_line;                 /* after a failed parse: 1-based line of the error */
    media_sdp_media media[MEDIA_SDP_MAX_MEDIA];
    media_sdp_attr attr[MEDIA_SDP_MAX_ATTRS];
    media_sdp_line line[MEDIA_SDP_MAX_LINES];
    char text[MEDIA_SDP_TEXT_SIZE];
} media_sdp;

/* Parses an SDP (RFC 8866) of len bytes (no NUL needed). Returns MEDIA_OK;
   MEDIA_EPARSE for malformed input and MEDIA_ENOSPC when a capacity macro is too
   small, both with sdp->error_line set; MEDIA_EINVAL for NULL arguments. On
   failure the struct holds an empty description. Deviations accepted are
   listed in the manual (section SDP). */
MEDIADEF int media_sdp_parse(media_sdp *sdp, const char *text, size_t len);

/* Writes canonical SDP: CRLF line ends, RFC 8866 line order, one space between
   fields, every attribute and unknown line in order. Returns the length
   written (NUL-terminated), MEDIA_ENOSPC if cap is too small. */
MEDIADEF int media_sdp_write(char *buf, size_t cap, const media_sdp *sdp);

/* An empty description: v=0, o=<username or "-"> <sess_id> <version> IN IP4|IP6
   <address>, s=-, c= with the same address, t=0 0. Returns MEDIA_OK, or
   MEDIA_EINVAL for a NULL/empty address or strings with spaces or line breaks. */
MEDIADEF int media_sdp_init(media_sdp *sdp, const char *username, uint64_t sess_id,
                            uint64_t version, const char *address);

/* The NUL-terminated string of a ref ("" for 0 or out of range). */
MEDIADEF const char *media_sdp_str_get(const media_sdp *sdp, media_sdp_ref ref);

/* ---- attributes: generic access ---- */

/* Index (into sdp->attr) of the next attribute called name (ASCII
   case-insensitive) at level, after index `after` (-1 to start). Returns the
   index or MEDIA_ENOTFOUND. */
MEDIADEF int media_sdp_attr_find(const media_sdp *sdp, int level, const char *name, int after);
/* Name and value of attribute i; the value is NULL when the line had no ':'. */
MEDIADEF const char *media_sdp_attr_name_get(const media_sdp *sdp, int i);
MEDIADEF const char *media_sdp_attr_value_get(const media_sdp *sdp, int i);
/* Value of the first attribute called name at level, or NULL. */
MEDIADEF const char *media_sdp_attr_get(const media_sdp *sdp, int level, const char *name);

/* ---- typed accessors (media level falls back to session level where RFC 8866 says so) ---- */

typedef struct media_sdp_rtpmap {   /* a=rtpmap:<pt> <encoding>/<clock>[/<channels>] */
    int payload_type;
    media_sdp_span encoding;
    uint32_t clock_rate;
    uint32_t channels;               /* 1 when omitted */
    int is_static;                   /* 1 when taken from RFC 3551's table (no a=rtpmap) */
} media_sdp_rtpmap;

/* rtpmap of payload type pt in media m: the a=rtpmap line, or for a static
   type without one RFC 3551's table. MEDIA_ENOTFOUND for a dynamic (or
   unassigned) type without a=rtpmap. */
MEDIADEF int media_sdp_rtpmap_get(const media_sdp *sdp, int m, int pt, media_sdp_rtpmap *out);
/* The parameters of a=fmtp:<pt> <params> (NUL-terminated), or NULL. */
MEDIADEF const char *media_sdp_fmtp_get(const media_sdp *sdp, int m, int pt);
/* The value of key in a "k1=v1;k2=v2" fmtp string (case-insensitive key,
   spaces around ';' allowed). MEDIA_OK or MEDIA_ENOTFOUND. */
MEDIADEF int media_sdp_fmtp_param(media_sdp_span *value, const char *fmtp, const char *key);
/* The same value as a decimal number ("maxplaybackrate=16000"): MEDIA_OK,
   MEDIA_ENOTFOUND (no such key), or MEDIA_EPARSE (not digits, or over
   4294967295); *value is set on MEDIA_OK only. */
MEDIADEF int media_sdp_fmtp_number(uint32_t *value, const char *fmtp, const char *key);
/* a=ptime / a=maxptime in whole ms (media, else session level); 0 when absent. */
MEDIADEF int media_sdp_ptime_get(const media_sdp *sdp, int m);
MEDIADEF int media_sdp_maxptime_get(const media_sdp *sdp, int m);
/* a=sendrecv/sendonly/recvonly/inactive of media m (media, else session level,
   else sendrecv). Does not look at port 0 or c=0.0.0.0: see media_sdp_is_hold(). */
MEDIADEF media_sdp_direction media_sdp_direction_get(const media_sdp *sdp, int m);
/* The c= that applies to media m: its own, else the session's; NULL if none. */
MEDIADEF const media_sdp_conn *media_sdp_conn_get(const media_sdp *sdp, int m);
/* 1 when media m is put on hold the RFC 2543 way (c= 0.0.0.0, or :: for IPv6). */
MEDIADEF int media_sdp_is_hold(const media_sdp *sdp, int m);
/* a=rtcp-mux present (media, else session level). */
MEDIADEF int media_sdp_rtcp_mux_get(const media_sdp *sdp, int m);
/* a=mid value or NULL. */
MEDIADEF const char *media_sdp_mid_get(const media_sdp *sdp, int m);

/* ---- typed attribute values: parse one attribute's value ---- */

typedef struct media_sdp_rtcp {          /* RFC 3605: a=rtcp:<port> [IN IP4|IP6 <address>] */
    uint16_t port;
    uint8_t family;                      /* 0 when no address given */
    media_sdp_span address;
} media_sdp_rtcp;

typedef struct media_sdp_ssrc {          /* RFC 5576: a=ssrc:<ssrc> <attribute>[:<value>] */
    uint32_t ssrc;
    media_sdp_span attribute, value;
} media_sdp_ssrc;

typedef struct media_sdp_extmap {        /* RFC 8285: a=extmap:<id>[/<direction>] <uri> [<attributes>] */
    int id;
    int has_direction;
    media_sdp_direction direction;
    media_sdp_span uri, attributes;
} media_sdp_extmap;

typedef struct media_sdp_rtcp_fb {       /* RFC 4585: a=rtcp-fb:<pt>|* <type> [<subtype>...] */
    int payload_type;                    /* -1 for "*" */
    media_sdp_span type, params;
} media_sdp_rtcp_fb;

typedef struct media_sdp_candidate {     /* RFC 8839: a=candidate:... */
    media_sdp_span foundation;
    uint32_t component;
    media_sdp_span transport;            /* "UDP", "TCP" */
    uint32_t priority;
    media_sdp_span address;              /* IPv4, IPv6 or an mDNS/FQDN name */
    uint16_t port;
    media_sdp_span type;                 /* "host", "srflx", "prflx", "relay" */
    media_sdp_span raddr;                /* empty when absent */
    int rport;                           /* -1 when absent */
    media_sdp_span extensions;           /* the rest ("generation 0 ufrag ..."), may be empty */
} media_sdp_candidate;

typedef struct media_sdp_fingerprint {   /* RFC 8122: a=fingerprint:<hash> <XX:XX:...> */
    media_sdp_span hash, value;
} media_sdp_fingerprint;

typedef enum media_sdp_setup {           /* RFC 4145: a=setup */
    MEDIA_SDP_SETUP_ACTPASS = 0,
    MEDIA_SDP_SETUP_ACTIVE = 1,
    MEDIA_SDP_SETUP_PASSIVE = 2,
    MEDIA_SDP_SETUP_HOLDCONN = 3
} media_sdp_setup;

typedef struct media_sdp_crypto {        /* RFC 4568: a=crypto:<tag> <suite> <key-params> [<session-params>] */
    uint32_t tag;
    media_sdp_span suite, key_params, session_params;
} media_sdp_crypto;

/* Each parses the value string of one attribute (what media_sdp_attr_value_get()
   returns) and returns MEDIA_OK or MEDIA_EPARSE. The parser applies the same
   functions, so on a parsed media_sdp they succeed. */
MEDIADEF int media_sdp_rtpmap_parse(media_sdp_rtpmap *out, const char *value);
MEDIADEF int media_sdp_rtcp_parse(media_sdp_rtcp *out, const char *value);
MEDIADEF int media_sdp_ssrc_parse(media_sdp_ssrc *out, const char *value);
MEDIADEF int media_sdp_extmap_parse(media_sdp_extmap *out, const char *value);
MEDIADEF int media_sdp_rtcp_fb_parse(media_sdp_rtcp_fb *out, const char *value);
MEDIADEF int media_sdp_candidate_parse(media_sdp_candidate *out, const char *value);
MEDIADEF int media_sdp_fingerprint_parse(media_sdp_fingerprint *out, const char *value);
MEDIADEF int media_sdp_setup_parse(media_sdp_setup *out, const char *value);
MEDIADEF int media_sdp_crypto_parse(media_sdp_crypto *out, const char *value);

/* RFC 4568's parts of a crypto attribute, for an SRTP filter (media_srtp.h)
   or your own. A key-param: "inline:" the master key then the master salt
   in base64, optionally "|" its lifetime (packets, "2^n" or a number) and
   "|" an MKI "value:length" (the bytes each packet then carries). */
#define MEDIA_SDP_CRYPTO_KEY_MAX 46      /* key + salt bytes: AES-256 with a 14-byte salt */
typedef struct media_sdp_crypto_key {
    uint8_t key[MEDIA_SDP_CRYPTO_KEY_MAX];   /* master key, then master salt */
    uint8_t key_len;
    uint8_t mki_len;                     /* 0: no MKI; else 1..128 bytes */
    uint32_t mki;                        /* its value */
    uint64_t lifetime;                   /* packets; 0 when not given */
} media_sdp_crypto_key;
/* The index-th key-param (0: the first) of key_params: the number of
   key-params there are, MEDIA_ENOTFOUND when index is past them, MEDIA_EPARSE
   for a malformed one (not inline, broken base64, more than
   MEDIA_SDP_CRYPTO_KEY_MAX bytes, lifetime or MKI malformed or out of range,
   several keys without an MKI each). */
MEDIADEF int media_sdp_crypto_key_parse(media_sdp_crypto_key *out, media_sdp_span key_params, int index);

typedef struct media_sdp_crypto_params {  /* session parameters (RFC 4568 6.3) */
    int kdr;                             /* key derivation rate, 2^kdr packets (0..24); -1: not given */
    uint32_t wsh;                        /* replay window size hint (>= 64); 0: not given */
    uint8_t unencrypted_srtp, unencrypted_srtcp, unauthenticated_srtp;
    uint8_t fec;                         /* FEC_ORDER or FEC_KEY given */
} media_sdp_crypto_params;
/* Session parameters: MEDIA_OK, MEDIA_EPARSE for a malformed known one,
   MEDIA_EUNSUPPORTED for an unknown one not marked optional with a leading
   "-" (RFC 4568 6.3.7: the attribute is then invalid; "-" ones are skipped). */
MEDIADEF int media_sdp_crypto_params_parse(media_sdp_crypto_params *out, media_sdp_span session_params);

/* The master key and salt lengths of a crypto suite by its SDP name (RFC 4568,
   6188, 7714; ASCII case-insensitive, as ABNF strings are): MEDIA_OK,
   MEDIA_ENOTFOUND. */
MEDIADEF int media_sdp_crypto_suite_info(media_sdp_span suite, size_t *key_len, size_t *salt_len);

/* Base64 (RFC 4648, padded): encode returns the characters written (NUL
   added; MEDIA_ENOSPC when cap cannot hold them and the NUL), decode the
   bytes written (padding optional; MEDIA_EPARSE for a character outside the
   alphabet or a length no encoding has, MEDIA_ENOSPC when cap is short). */
MEDIADEF int media_base64_encode(char *dst, size_t cap, const uint8_t *src, size_t len);
MEDIADEF int media_base64_decode(uint8_t *dst, size_t cap, const char *src, size_t len);
/* 1 when a span equals a C string, ASCII case-insensitively. */
MEDIADEF int media_sdp_span_equal(media_sdp_span s, const char *str);

/* ---- edits (all return MEDIA_OK or the index created, else < 0) ---- */

/* Appends a=name[:value] at level (value NULL for a flag attribute). Known
   attributes are validated like the parser does (MEDIA_EINVAL if malformed). */
MEDIADEF int media_sdp_attr_add(media_sdp *sdp, int level, const char *name, const char *value);
/* Removes attribute i; or every attribute called name at level (returns how many). */
MEDIADEF int media_sdp_attr_remove_at(media_sdp *sdp, int i);
MEDIADEF int media_sdp_attr_remove(media_sdp *sdp, int level, const char *name);
/* Replaces the first name at level with the new value (removing any others of
   that name) or appends it. */
MEDIADEF int media_sdp_attr_set(media_sdp *sdp, int level, const char *name, const char *value);
/* Replaces any direction attribute at level with dir (always written, sendrecv too). */
MEDIADEF int media_sdp_direction_set(media_sdp *sdp, int level, media_sdp_direction dir);
/* Removes payload type pt from media m with its rtpmap, fmtp and rtcp-fb lines. */
MEDIADEF int media_sdp_format_remove(media_sdp *sdp, int m, int pt);
/* Appends payload type pt to media m (MEDIA_EINVAL if present or not RTP). */
MEDIADEF int media_sdp_format_add(media_sdp *sdp, int m, int pt);
/* Sets the c= line of a level ("IN IP4" or "IN IP6" from the address form). */
MEDIADEF int media_sdp_conn_set(media_sdp *sdp, int level, const char *address);
MEDIADEF int media_sdp_port_set(media_sdp *sdp, int m, uint16_t port);
/* Increments the o= session version (RFC 3264 section 8: every changed offer). */
MEDIADEF int media_sdp_version_bump(media_sdp *sdp);
/* Appends an m= line; returns its index. */
MEDIADEF int media_sdp_media_add(media_sdp *sdp, const char *media, uint16_t port, const char *proto);
/* Appends any other line (type one of i u e p b k or an unknown letter) at level. */
MEDIADEF int media_sdp_line_add(media_sdp *sdp, int level, char type, const char *value);

/* ---- offer/answer (RFC 3264) ---- */

/* SRTP keys in offer/answer (RFC 4568 SDES). media.h writes and reads the
   a=crypto lines and picks a suite; an SRTP filter (media_srtp.h) says what
   it can do, holds the keys and does the cryptography. */
typedef enum media_srtp_policy {
    MEDIA_SRTP_OFF = 0,       /* clear RTP: an RTP/SAVP stream is refused, a=crypto ignored */
    MEDIA_SRTP_OPTIONAL = 1,  /* offer RTP/AVP with a=crypto (best effort); SRTP whenever the peer
                                 offers or answers a suite we do, clear RTP when it does not */
    MEDIA_SRTP_REQUIRED = 2   /* offer RTP/SAVP; refuse any stream without a crypto line we can use */
} media_srtp_policy;

typedef struct media_sdp_srtp_suite {    /* a suite we do, and our master key for it */
    const char *name;                    /* as a=crypto spells it: "AES_CM_128_HMAC_SHA1_80" */
    const uint8_t *key;                  /* key then salt, of media_sdp_crypto_suite_info()'s sizes */
} media_sdp_srtp_suite;

typedef struct media_sdes {
    media_srtp_policy policy;
    const media_sdp_srtp_suite *suites;  /* what we offer and accept, in preference order */
    size_t count;
    /* For a session: each negotiation's outcome, before its media flows.
       suite indexes suites (-1: clear RTP; remote and params NULL), remote
       is the peer's key for it (it sends with that one, we with ours).
       < 0 refuses the description (MEDIA_EREJECTED). */
    int (*keys)(void *ctx, int suite, const media_sdp_crypto_key *remote, const media_sdp_crypto_params *params);
    void *ctx;
} media_sdes;

/* How the answerer orders (and filters) the codecs both sides have. */
typedef enum media_sdp_strategy {
    MEDIA_SDP_OFFERER_ORDER = 0,   /* the offer's order (default; what RFC 3264 expects) */
    MEDIA_SDP_LOCAL_ORDER = 1,     /* our codec list's order */
    MEDIA_SDP_REQUIRED = 2,        /* every codec in `required` must be offered, else the
                                      stream is refused; they come first, in that order */
    MEDIA_SDP_SELECT = 3           /* the select() function decides */
} media_sdp_strategy;

typedef struct media_sdp_match {   /* one codec both sides have */
    const media_codec *codec;      /* ours */
    int payload_type;              /* the offerer's number for it */
    const char *remote_fmtp;       /* the offer's fmtp for it, or NULL */
} media_sdp_match;

typedef struct media_sdp_oa_config {
    const media_codec *const *codecs;   /* ours, in preference order (NULL: PCMU, PCMA, telephone-event) */
    size_t codec_count;
    media_sdp_strategy strategy;
    const media_codec *const *required; /* for MEDIA_SDP_REQUIRED */
    size_t required_count;
    /* MEDIA_SDP_SELECT: matches are in the offer's order; write the indices of
       the chosen ones into order (first = preferred) and return how many (0
       refuses the stream). */
    int (*select)(const media_sdp_match *matches, int count, int *order, void *user);
    void *user;
    media_sdp_direction direction;      /* what we want: sendrecv, sendonly (we hold), ... */
    const char *address;                /* our address, IPv4 or IPv6 text (required) */
    uint16_t port;                      /* our RTP port (required) */
    uint16_t rtcp_port;                 /* 0: port + 1 */
    int rtcp_mux;                       /* offer rtcp-mux / accept it when offered */
    uint16_t ptime_ms;                  /* ms we want to receive; 0: the first codec's frame_ms */
    uint16_t maxptime_ms;               /* 0: not written */
    const char *username;               /* o= username; NULL: "-" */
    uint64_t session_id;                /* o= sess-id (when there is no previous); 0: one made from the clock */
    uint64_t session_version;           /* o= sess-version (when there is no previous) */
    /* Our last SDP in this dialog (offer or answer), or NULL. A new offer keeps
       its m-lines, origin and payload numbers and increments the version. */
    const media_sdp *previous;
    const media_sdes *sdes;             /* SRTP keys (NULL: none, as MEDIA_SRTP_OFF) */
    /* The audio m-line to negotiate, as its index + 1: an answer refuses
       (port 0) every other one, answer_process reads that one, a re-offer
       keeps it live (several streams on one description, a session each).
       0: the first audio m-line that can be used. */
    int stream;
} media_sdp_oa_config;

/* Fills defaults: built-in codecs, offerer order, sendrecv, no ports. */
MEDIADEF void media_sdp_oa_config_init(media_sdp_oa_config *cfg);

#define MEDIA_SDP_MAX_ADDRESS 64          /* bytes for an address, NUL included */
#ifndef MEDIA_SDP_MAX_FMTP
#define MEDIA_SDP_MAX_FMTP 160            /* bytes of the peer's fmtp kept in a result, NUL included */
#endif
#if MEDIA_SDP_MAX_FMTP < 16
#error "MEDIA_SDP_MAX_FMTP must be at least 16"
#endif
#define MEDIA_SDP_MAX_NEGOTIATED 8        /* codecs kept in a negotiation result */

/* What a negotiation settled for the (first) audio stream. */
typedef struct media_sdp_result {
    int media_index;                     /* m-line of the audio stream, -1 if none */
    int accepted;                        /* 0: refused (port 0 in the answer) */
    const media_codec *codec;            /* what we send (first of codecs[]) */
    int payload_type;
    int codec_count;                     /* every codec in the answer, answer order */
    const media_codec *codecs[MEDIA_SDP_MAX_NEGOTIATED];
    int payload_types[MEDIA_SDP_MAX_NEGOTIATED];
    int telephone_event_pt;              /* at the codec's clock rate, -1 if none */
    uint8_t events[32];                  /* telephone-event numbers both accept, bitmap */
    media_sdp_direction direction;       /* what we do: SENDONLY = we send, do not receive */
    int remote_hold;                     /* the peer holds us (sendonly, inactive or c=0.0.0.0) */
    char remote_address[MEDIA_SDP_MAX_ADDRESS];
    uint8_t remote_family;               /* 4 or 6 */
    uint16_t remote_rtp_port;
    char remote_rtcp_address[MEDIA_SDP_MAX_ADDRESS];
    uint16_t remote_rtcp_port;
    int16_t srtp_suite;                  /* SRTP: the suite agreed, an index in cfg->sdes->suites;
                                            -1: clear RTP (media_sdp_srtp_key_get: the peer's key) */
    int rtcp_mux;
    int ptime_ms;                        /* ms we send (the peer's a=ptime, within its maxptime) */
    int remote_maxptime_ms;              /* 0 if the peer gave none */
    uint64_t remote_version;             /* the peer's o= version */
    /* the peer's a=fmtp for payload_type ("" when none; cut at a ';' when
       longer): what it asks of our encoder */
    char remote_fmtp[MEDIA_SDP_MAX_FMTP];
} media_sdp_result;

/* Builds an offer: one audio m-line with our codecs (static types by number,
   dynamic from 96, telephone-event at each audio clock rate), rtpmap for each,
   fmtp where the codec has one, ptime, a=rtcp, rtcp-mux if configured and the
   direction. With cfg->previous, its m-lines, origin and payload numbers are kept
   and the version incremented (re-offer: hold, resume, codec or port change). */
MEDIADEF int media_sdp_offer_create(media_sdp *offer, const media_sdp_oa_config *cfg);

/* Answers an offer: same m-lines in the same order, the first usable audio
   stream answered, everything else refused with port 0. Fills *result.
   Returns MEDIA_OK, or MEDIA_ENEGOTIATION when no audio stream could be
   accepted (the answer, all streams refused, is still written). */
MEDIADEF int media_sdp_answer_create(media_sdp *answer, const media_sdp *offer,
                                     const media_sdp_oa_config *cfg, media_sdp_result *result);

/* The offerer's side: checks the answer against our offer (same m-lines,
   only formats we offered) and fills *result. MEDIA_OK, MEDIA_EREJECTED when
   the audio stream was refused, MEDIA_ENEGOTIATION when the answer is invalid. */
MEDIADEF int media_sdp_answer_process(media_sdp_result *result, const media_sdp *offer,
                                      const media_sdp *answer, const media_sdp_oa_config *cfg);
/* The peer's key for the suite a negotiation agreed (result->srtp_suite), from
   the peer's description (the offer we answered, or the answer to ours) and
   the cfg->sdes it was negotiated with; params may be NULL. MEDIA_OK, or
   MEDIA_ENOTFOUND (clear RTP, or not that description). */
MEDIADEF int media_sdp_srtp_key_get(const media_sdp *theirs, const media_sdp_result *result, const media_sdes *sdes,
                                    media_sdp_crypto_key *key, media_sdp_crypto_params *params);

/* ---------------------------------------------------------------------------
   >>wav
   --------------------------------------------------------------------------- */

/* WAV encodings (the fmt chunk's format tag). */
#define MEDIA_WAV_PCM16 1u
#define MEDIA_WAV_PCMA 6u
#define MEDIA_WAV_PCMU 7u

typedef struct media_wav_info {
    uint32_t format;            /* MEDIA_WAV_PCM16, _PCMA or _PCMU */
    uint32_t sample_rate;       /* 8000..48000 */
    uint32_t channels;          /* 1 or 2 */
    uint32_t block;             /* bytes per frame (all channels) */
    uint64_t data_offset;       /* where the samples start */
    uint64_t data_bytes;        /* as the data chunk declares it (0xFFFFFFFF: unknown, streamed) */
} media_wav_info;

/* Reads a WAV header from the start of a file held in buf[0..len): RIFF/WAVE,
   a fmt chunk with 16-bit PCM, A-law or mu-law (plain or WAVE_FORMAT_EXTENSIBLE),
   other chunks skipped, up to the data chunk's header. MEDIA_OK, MEDIA_EAGAIN
   when buf ends before the data chunk, MEDIA_EPARSE when malformed or not a
   WAV, MEDIA_EUNSUPPORTED for other encodings, rates or channel counts and
   for the WAVs we do not read (RF64/BW64 64-bit, RIFX big-endian). */
MEDIADEF int media_wav_parse(media_wav_info *info, const uint8_t *buf, size_t len);
/* Writes the header for info (format, sample_rate, channels, data_bytes):
   44 bytes for PCM16, 58 for G.711 (fmt with cbSize, and a fact chunk).
   Returns its length, MEDIA_ENOSPC or MEDIA_EINVAL. */
MEDIADEF int media_wav_header_write(uint8_t *buf, size_t cap, const media_wav_info *info);

#ifndef MEDIA_NO_STDIO
/* A WAV file being read or written (stdio). Samples are 16-bit, interleaved. */
typedef struct media_wav_file {
    media_wav_info info;        /* the file's format: read it after open_read */
    /* private */
    void *_fp;                  /* FILE * */
    uint64_t _done;             /* data bytes read or written so far */
    uint64_t _end;              /* reading: data bytes there are */
    uint64_t _synced;           /* writing: data bytes the header on disk counts */
    int _writing, _header_len;
} media_wav_file;

/* MEDIA_OK, MEDIA_EIO (cannot open or read), or what media_wav_parse says. */
MEDIADEF int media_wav_open_read(media_wav_file *f, const char *path);
/* Up to frames frames into pcm (channels x frames samples); returns frames
   read, 0 at the end, MEDIA_EIO. */
MEDIADEF int media_wav_read(media_wav_file *f, int16_t *pcm, size_t frames);
MEDIADEF int media_wav_rewind(media_wav_file *f);
/* Creates (truncates) path, a regular file (anything else there, a
   directory, a device, a pipe: MEDIA_EINVAL; MEDIA_EIO when it cannot be
   created, errno says why). The header on disk is brought up to date at
   least once per second of audio written and at close, so a file cut short
   by a crash still plays up to the last second. */
MEDIADEF int media_wav_open_write(media_wav_file *f, const char *path, uint32_t format,
                                  uint32_t sample_rate, uint32_t channels);
/* Appends frames (interleaved 16-bit, encoded to the file's format): MEDIA_OK,
   MEDIA_EIO (errno says why), MEDIA_EINVAL (not open for writing). */
MEDIADEF int media_wav_write(media_wav_file *f, const int16_t *pcm, size_t frames);
/* Finishes a written file (final sizes, pad byte) and closes it. */
MEDIADEF int media_wav_close(media_wav_file *f);
#endif

/* Sample-rate conversion between any two rates from 8000 to 48000 Hz, 1 or 2
   channels: a Kaiser-windowed sinc (about 70 dB stopband from the lower rate's
   Nyquist frequency, flat within 0.01 dB to 0.9 of it), evaluated at the exact
   rational position of each output sample. Delay: none (the first output is
   aligned with the first input); feed silence (src NULL) to flush the end. */
typedef struct media_resampler media_resampler;   /* yours to place; members private (>>layouts) */

/* Rates 8000..48000 Hz, channels 1 or 2: MEDIA_OK or MEDIA_EINVAL. */
MEDIADEF int media_resampler_init(media_resampler *r, uint32_t in_rate, uint32_t out_rate, uint32_t channels);
/* Converts interleaved frames: takes from src[0..src_frames) (NULL: silence),
   writes up to dst_frames, stores the frames taken in *used; returns the
   frames written. Call again with the rest of src when it stops short. */
MEDIADEF int media_resampler_process(media_resampler *r, int16_t *dst, size_t dst_frames,
                                     const int16_t *src, size_t src_frames, size_t *used);

/* ---------------------------------------------------------------------------
   >>mixer
   --------------------------------------------------------------------------- */

#ifndef MEDIA_MIXER_MAX_PARTIES
#define MEDIA_MIXER_MAX_PARTIES 1024   /* most parties a mixer can be made for */
#endif
#if MEDIA_MIXER_MAX_PARTIES < 1 || MEDIA_MIXER_MAX_PARTIES > 65535
#error "MEDIA_MIXER_MAX_PARTIES must be 1..65535"
#endif

/* A party's role (media_mixer_join, media_mixer_flags_set). */
#define MEDIA_MIXER_SPEAK  1u   /* the others hear it */
#define MEDIA_MIXER_LISTEN 2u   /* it hears the others */
#define MEDIA_MIXER_TALK   3u   /* both: a participant */
#define MEDIA_MIXER_MUTED  4u   /* for now nobody hears it; its role stays */

typedef struct media_mixer media_mixer;   /* media_mixer_size() bytes, yours or from create */

typedef struct media_mixer_config {
    uint32_t rate;              /* the mix's rate, 8000 (default) .. 48000 */
    uint32_t frame_ms;          /* 20; 5..60, a whole number of samples at rate */
    int max_parties;            /* 16; 1..MEDIA_MIXER_MAX_PARTIES */
    int converters;             /* parties that may be at a rate other than the mix's at
                                   once (each costs two media_resamplers); -1 (default): all */
    int queue_frames;           /* frames each party's input and output hold: 3 (2..16) */
    int speaker_threshold_db;   /* -40: level (dBFS) at which a party counts as speaking */
    int speaker_margin_db;      /* 3: how much louder than the speaker another must be */
    int speaker_hold_ms;        /* 200: for how long, to take over */
    int speaker_release_ms;     /* 1000: silence after which there is no speaker */
    /* The active speaker changed: a party, or -1 for nobody. */
    void (*speaker)(media_mixer *m, int party, void *user);
    /* Every frame's mix of all who speak (what a listen-only party hears). */
    void (*mix)(media_mixer *m, const int16_t *pcm, size_t samples, uint32_t rate, void *user);
    void *user;
    uint32_t _initialised;
} media_mixer_config;

typedef struct media_mixer_party_stats {
    uint64_t frames;            /* frames mixed since it joined */
    uint64_t samples_in;        /* taken by put, at the rate put gave */
    uint64_t samples_out;       /* handed out by get, at the rate get asked */
    uint32_t underruns;         /* frames mixed with less than a frame of its input (after its first put) */
    uint32_t input_dropped;     /* samples (mix rate) dropped because put ran ahead of the mix */
    uint32_t output_dropped;    /* samples (mix rate) dropped because get fell behind the mix */
    float level_db;             /* what it says, dBFS after its gain, smoothed; -100 for silence */
    int speaker;                /* 1 while it is the active speaker */
} media_mixer_party_stats;

MEDIADEF void media_mixer_config_init(media_mixer_config *cfg);
/* Bytes a mixer with cfg needs (NULL: the defaults); 0 if cfg is invalid. */
MEDIADEF size_t media_mixer_size(const media_mixer_config *cfg);
/* Makes a mixer in your memory (size from media_mixer_size, aligned as
   malloc aligns): nothing is allocated then or later. MEDIA_OK, MEDIA_EINVAL
   (a config out of range or not from config_init), MEDIA_ENOSPC (size). */
MEDIADEF int media_mixer_init(media_mixer *m, size_t size, const media_mixer_config *cfg);
/* The same in one allocation (MEDIA_MALLOC); destroy frees it. */
MEDIADEF media_mixer *media_mixer_create(const media_mixer_config *cfg, int *err);
/* Finishes a recording and frees a mixer from create. (One in your memory
   needs nothing but media_mixer_record(m, NULL) if it records.) */
MEDIADEF void media_mixer_destroy(media_mixer *m);
/* A new party (MEDIA_MIXER_TALK, _SPEAK or _LISTEN, | _MUTED): its number
   (0..max_parties-1, the lowest free), or MEDIA_ENOSPC. It is heard and
   hears from the next frame mixed. */
MEDIADEF int media_mixer_join(media_mixer *m, unsigned flags);
/* The party is gone from the next frame mixed; what it had queued is dropped. */
MEDIADEF int media_mixer_leave(media_mixer *m, int party);
MEDIADEF int media_mixer_flags_set(media_mixer *m, int party, unsigned flags);
/* What the others hear of the party, -96..+24 dB (0 on joining); -96 and
   below is silence. MEDIA_OK or MEDIA_EINVAL. */
MEDIADEF int media_mixer_gain_set(media_mixer *m, int party, double gain_db);
/* The party's audio (mono, 8000..48000 Hz; converted when not the mix's
   rate) queued for the frames to come. MEDIA_OK; MEDIA_ENOSPC when it needs
   a converter and none is free; MEDIA_EINVAL. */
MEDIADEF int media_mixer_put(media_mixer *m, int party, const int16_t *pcm, size_t samples, uint32_t rate);
/* What the party hears (everyone else who speaks, never itself), at rate:
   up to samples of it; returns how many there were (what has been mixed
   and not yet taken), or MEDIA_ENOSPC / MEDIA_EINVAL as put. */
MEDIADEF int media_mixer_get(media_mixer *m, int party, int16_t *pcm, size_t samples, uint32_t rate);
/* Mixes one frame now: one frame of each speaking party's input, summed;
   each listening party gets the sum less its own. MEDIA_OK. */
MEDIADEF int media_mixer_mix(media_mixer *m);
/* Mixes every frame due by now_us (the first call starts the clock; late by
   more than queue_frames frames, the rest are skipped rather than burst) and
   returns the milliseconds until the next is due. */
MEDIADEF int media_mixer_poll(media_mixer *m, uint64_t now_us);
/* The active speaker, or -1. */
MEDIADEF int media_mixer_speaker_get(const media_mixer *m);
MEDIADEF int media_mixer_party_stats_get(const media_mixer *m, int party, media_mixer_party_stats *st);
#ifndef MEDIA_NO_STDIO
/* Records every frame's mix to a 16-bit WAV file at the mix's rate; NULL
   stops and finishes the file. MEDIA_OK, or what media_wav_open_write says. */
MEDIADEF int media_mixer_record(media_mixer *m, const char *path);
#endif

/* ---------------------------------------------------------------------------
   >>session
   --------------------------------------------------------------------------- */

/* Session capacities. */
#ifndef MEDIA_SESSION_MAX_CODECS
#define MEDIA_SESSION_MAX_CODECS 8     /* codecs in a session's list (telephone-event included) */
#endif
#ifndef MEDIA_SESSION_SDP_SIZE
#define MEDIA_SESSION_SDP_SIZE 2048    /* bytes of our last offer or answer, kept as text */
#endif
#ifndef MEDIA_SESSION_PLAY_QUEUE
#define MEDIA_SESSION_PLAY_QUEUE 4     /* WAV files queued for playback, the playing one included */
#endif
#ifndef MEDIA_SESSION_MAX_FRAME
#define MEDIA_SESSION_MAX_FRAME 2880   /* PCM samples in one frame (60 ms at 48 kHz) */
#endif
#ifndef MEDIA_SESSION_MAX_BURST
#define MEDIA_SESSION_MAX_BURST 3      /* packets one late poll sends to catch up; the rest is skipped */
#endif
#ifndef MEDIA_SESSION_DTMF_QUEUE
#define MEDIA_SESSION_DTMF_QUEUE 32    /* digits waiting to be sent */
#endif
#ifndef MEDIA_SESSION_MAX_PACKET
#define MEDIA_SESSION_MAX_PACKET 1500  /* largest datagram sent or received */
#endif
#ifndef MEDIA_SESSION_FILTER_OVERHEAD
#define MEDIA_SESSION_FILTER_OVERHEAD 64   /* most bytes a packet filter adds (SRTP: tag, MKI, index) */
#endif
#if MEDIA_SESSION_MAX_CODECS < 1 || MEDIA_SESSION_MAX_CODECS > 64
#error "MEDIA_SESSION_MAX_CODECS must be 1..64"
#endif
#if MEDIA_SESSION_SDP_SIZE < 512 || MEDIA_SESSION_SDP_SIZE > 65535
#error "MEDIA_SESSION_SDP_SIZE must be 512..65535"
#endif
#if MEDIA_SESSION_PLAY_QUEUE < 1 || MEDIA_SESSION_PLAY_QUEUE > 256
#error "MEDIA_SESSION_PLAY_QUEUE must be 1..256"
#endif
#if MEDIA_SESSION_MAX_FRAME < 160 || MEDIA_SESSION_MAX_FRAME > 65535
#error "MEDIA_SESSION_MAX_FRAME must be 160..65535"
#endif
#if MEDIA_SESSION_MAX_BURST < 1 || MEDIA_SESSION_MAX_BURST > 100
#error "MEDIA_SESSION_MAX_BURST must be 1..100"
#endif
#if MEDIA_SESSION_DTMF_QUEUE < 1 || MEDIA_SESSION_DTMF_QUEUE > 4096
#error "MEDIA_SESSION_DTMF_QUEUE must be 1..4096"
#endif
#if MEDIA_SESSION_MAX_PACKET < 256 || MEDIA_SESSION_MAX_PACKET > 65535
#error "MEDIA_SESSION_MAX_PACKET must be 256..65535"
#endif
#if MEDIA_SESSION_FILTER_OVERHEAD < 0 || MEDIA_SESSION_FILTER_OVERHEAD > 1024
#error "MEDIA_SESSION_FILTER_OVERHEAD must be 0..1024"
#endif

/* An IP address and port, without any socket header. */
typedef struct media_addr {
    uint8_t family;             /* 4, 6, or 0 for none */
    uint16_t port;
    uint8_t ip[16];             /* IPv4 in the first 4 bytes */
} media_addr;

/* Reads an IPv4 ("192.0.2.1") or IPv6 ("2001:db8::1", "::ffff:1.2.3.4") address
   in numeric form. MEDIA_OK or MEDIA_EINVAL. */
MEDIADEF int media_addr_parse(media_addr *a, const char *text, uint16_t port);
/* Writes the address (not the port) in numeric form. Length or MEDIA_ENOSPC. */
MEDIADEF int media_addr_string(char *buf, size_t cap, const media_addr *a);
/* 1 when family, address and port are the same (IPv4-mapped IPv6 equals IPv4). */
MEDIADEF int media_addr_equal(const media_addr *a, const media_addr *b);

typedef struct media_session media_session;

/* media_session_state_get() values. */
typedef enum media_state {
    MEDIA_STATE_IDLE = 0,        /* created, nothing negotiated */
    MEDIA_STATE_NEGOTIATING = 1, /* first offer made or received, no answer yet */
    MEDIA_STATE_READY = 2,       /* negotiated; media starts at the next poll */
    MEDIA_STATE_ACTIVE = 3,      /* media flowing */
    MEDIA_STATE_PAUSED = 4,      /* the peer holds us: we do not send */
    MEDIA_STATE_HELD = 5,        /* we hold the peer (media_session_hold) */
    MEDIA_STATE_TERMINATED = 6   /* closed: only destroy is left */
} media_state;

/* stream_start/stream_stop directions */
#define MEDIA_STREAM_SEND 1
#define MEDIA_STREAM_RECEIVE 2

/* What stream_error() returns. */
#define MEDIA_ERROR_CONTINUE 0   /* note it and go on (the default) */
#define MEDIA_ERROR_RETRY 1      /* try again: restart the RTP timer, keep reading the socket */
#define MEDIA_ERROR_STOP 2       /* close the session */

/* cfg.latch */
#define MEDIA_LATCH_OFF 0
#define MEDIA_LATCH_ON 1       /* the first source; later a NAT rebinding of the same stream */
#define MEDIA_LATCH_STRICT 2   /* the first source, for good */

/* Quality levels of the quality alert. */
#define MEDIA_QUALITY_GOOD 0
#define MEDIA_QUALITY_FAIR 1
#define MEDIA_QUALITY_POOR 2
#define MEDIA_QUALITY_CRITICAL 3

/* media_session_record() what */
#define MEDIA_RECORD_RECEIVED 1  /* mono: what we play out */
#define MEDIA_RECORD_SENT 2      /* mono: what we send */
#define MEDIA_RECORD_BOTH 3      /* stereo: received left, sent right */

/* media_request kinds */
#define MEDIA_REQUEST_RTP 1      /* an RTP packet with a payload type nothing negotiated */
#define MEDIA_REQUEST_RTCP_APP 2 /* an RTCP APP packet */

/* Everything about a call in one snapshot (media_session_stats_get). */
typedef struct media_session_stats {
    int state;                   /* media_state */
    int quality;                 /* MEDIA_QUALITY_* of the last evaluation */
    const char *codec;           /* what we send, NULL before negotiation */
    int payload_type;
    uint32_t ptime_ms;
    uint64_t duration_ms;        /* since media started */
    uint32_t local_ssrc, remote_ssrc;
    /* sent */
    uint64_t packets_sent, bytes_sent;     /* RTP, payload bytes */
    uint64_t rtcp_sent;
    uint64_t dtmf_sent;                    /* digits, each counted with its first end packet */
    /* received (RFC 3550 A.1/A.3/A.8, over every source the peer used) */
    uint64_t packets_received, bytes_received;
    int64_t lost;                          /* expected - received (duplicates offset it, as in RTCP and tshark) */
    double loss_percent;                   /* what never arrived: (lost + duplicates) / expected */
    double jitter_ms;                      /* A.8 interarrival jitter */
    double jitter_mean_ms, jitter_max_ms;  /* of A.8 after every packet, as tshark's stream analysis */
    uint64_t duplicates, reordered;
    uint64_t late;                         /* arrived after their playout time */
    uint64_t concealed;                    /* frames concealed (lost, late or missing) */
    uint64_t recovered;                    /* of those, rebuilt from the next packet's FEC */
    uint64_t dtx_frames;                   /* frames our codec did not send (DTX in silence) */
    int32_t codec_bitrate;                 /* our encoder's target bits/s where it has one (Opus), else 0 */
    int codec_fec_percent;                 /* the loss % our in-band FEC is tuned for, 0: none */
    double jitter_delay_ms;                /* the jitter buffer's current delay (over the ceiling
                                              only until it plays on: media_jitter_stats) */
    double rtt_ms;                         /* from RTCP LSR/DLSR; -1 until a report gives it */
    double mos;                            /* E-model estimate (listening, incl. delay) */
    uint64_t rtcp_received;
    uint64_t dtmf_received;                /* key presses */
    /* what the peer reports about our stream (its RTCP) */
    int have_remote_report;
    uint32_t remote_fraction_lost;         /* 0..255 as on the wire */
    double remote_loss_percent;            /* of the last report interval */
    int32_t remote_lost;                   /* cumulative */
    double remote_jitter_ms;
    /* problems, each counted and survived */
    uint64_t malformed_rtp, malformed_rtcp;
    uint64_t foreign;                      /* from an address other than the peer's */
    uint64_t unknown_pt;                   /* payload types nobody negotiated */
    uint32_t ssrc_changes;                 /* the peer started a new source */
    uint32_t collisions;                   /* the peer used our SSRC: we changed ours */
    uint32_t clock_steps_back;             /* cfg.now_us went backwards: the session's time held
                                              where it was and went on from there */
    uint32_t strays;                       /* RTP refused from the peer's address while its stream
                                              is alive: another SSRC, a jump in its sequence, our
                                              own SSRC looped back */
    uint64_t send_errors, receive_errors;
    uint64_t unreachable;                  /* ICMP "port unreachable" for what we sent: the peer not
                                              listening (yet); our own sockets, connected, only */
    /* how the playout delay moved (see >>jitter): voice lengthened or
       shortened a pitch period at a time, silence cut, whole frames
       dropped or inserted (at the ceiling, or where no period was found) */
    double stretched_ms, compressed_ms, silence_cut_ms;
    uint64_t frames_dropped, frames_inserted;
    double jitter_max_delay_ms;            /* the jitter buffer's ceiling now (what its memory holds,
                                              or cfg.jitter_max_delay_ms) */
    uint64_t protect_errors, unprotect_errors;   /* packets cfg.filter refused, sent and received */
} media_session_stats;

/* Callbacks; all optional (NULL: the default in brackets). user is
   media_session_handler.user. Each may call the actions below and
   media_session_stats_get(); none may call media_session_poll(). destroy()
   inside a callback takes effect when the outermost media_session_* call
   returns; close() takes effect at the next poll, wherever it is called. */
typedef struct media_session_handler {
    void (*session_start)(media_session *s, void *user);            /* media starts */
    void (*session_stop)(media_session *s, int reason, void *user);  /* closed (reason: MEDIA_OK, or why) */
    /* Our offer before it is written (is_local 1, edit it), or the peer's offer
       (is_local 0). Return < 0 to refuse it. [accept] */
    int  (*offer)(media_session *s, media_sdp *sdp, int is_local, void *user);
    /* The same for answers: ours before it is written, or the peer's. [accept] */
    int  (*answer)(media_session *s, media_sdp *sdp, int is_local, void *user);
    /* Codecs both sides have, in the offer's order: write the indices of those
       to use into order (first = preferred) and return how many; 0 refuses.
       [cfg.strategy] */
    int  (*codec_negotiation)(media_session *s, const media_sdp_match *matches, int count, int *order,
                              void *user);
    /* An offer/answer exchange finished: result MEDIA_OK (r filled) or why not. */
    void (*negotiation_complete)(media_session *s, int result, const media_sdp_result *r, void *user);
    void (*state_change)(media_session *s, int old_state, int new_state, void *user);
    void (*stream_start)(media_session *s, int direction, void *user);   /* MEDIA_STREAM_* */
    void (*stream_stop)(media_session *s, int direction, void *user);
    /* MEDIA_ETIMEOUT (no RTP for cfg.rtp_timeout_ms; said once until RTP flows
       again, or after every timeout with RETRY), MEDIA_ESOCKET (send or receive
       failed; at most once a second, every failure is counted in the stats).
       Return MEDIA_ERROR_*; STOP closes the session and session_stop reports
       the error. [continue] */
    int  (*stream_error)(media_session *s, int error, void *user);
    void (*stats)(media_session *s, const media_session_stats *st, void *user);   /* every stats_interval_ms */
    /* The quality level changed (evaluated every quality_interval_ms). */
    void (*quality_alert)(media_session *s, int level, const media_session_stats *st, void *user);
    /* One key press: '0'-'9', '*', '#', 'A'-'D', '!' (flash), with its duration; RFC 4733,
       or with cfg.inband_dtmf tones in the audio (media_session_dtmf_source_get). */
    void (*dtmf)(media_session *s, char digit, uint32_t duration_ms, void *user);
    /* cfg.tones: a call-progress or fax tone recognised (MEDIA_TONE_*; region 1 North
       American, 2 European, 0 fax), once until it stops. */
    void (*tone)(media_session *s, int tone, int region, void *user);
    void (*play_complete)(media_session *s, int id, int result, void *user);
    void (*record_complete)(media_session *s, int result, void *user);
    /* Decoded audio as it plays out (rate Hz, mono). */
    void (*audio_in)(media_session *s, const int16_t *pcm, size_t samples, uint32_t rate, void *user);
    /* Audio to send when no file plays: fill up to samples, return how many (the
       rest is silence); 0 sends silence. */
    int  (*audio_out)(media_session *s, int16_t *pcm, size_t samples, uint32_t rate, void *user);
    /* Something the session does not handle itself: MEDIA_REQUEST_RTP with the
       whole datagram, MEDIA_REQUEST_RTCP_APP with the APP packet from its header
       (name at data + 8). Return 1 if you handled it; an RTP packet nobody
       handled is counted in unknown_pt. */
    int  (*media_request)(media_session *s, int kind, const uint8_t *data, size_t len, void *user);
    /* What the session could not use, in words (MEDIA_LOG_*): the SDP line a
       remote description failed at, why a packet was refused (each reason at
       most once a second, with how many more since), a socket's error. The
       message is built only when this is set. */
    void (*log)(media_session *s, int level, const char *message, void *user);
    void *user;
} media_session_handler;

#define MEDIA_LOG_ERROR 0     /* the call cannot go on as asked (a socket failing, an SDP refused) */
#define MEDIA_LOG_WARNING 1   /* something refused or lost, the call goes on (a malformed packet) */

/* Quality levels: the worst of MOS, loss and jitter decides. */
typedef struct media_session_thresholds {
    double mos[3];               /* below [0]: fair, [1]: poor, [2]: critical (4.0, 3.6, 3.1) */
    double loss_percent[3];      /* above: (1, 3, 10) */
    double jitter_ms[3];         /* above: (30, 60, 120) */
} media_session_thresholds;

/* A packet filter between the session and the wire, RTP and RTCP alike
   (SRTP is one: protect on send, unprotect on receive). protect() changes
   the packet in place and returns its new length, at most cap (len +
   overhead); unprotect() likewise, at most len. A result < 0 drops the
   packet, counted in stats.protect_errors / unprotect_errors. Both run on
   the session's thread, inside poll() or receive(), like callbacks.
   Zeroed (the default): none. */
typedef struct media_packet_filter {
    int (*protect)(void *ctx, uint8_t *packet, size_t len, size_t cap, int is_rtcp);
    int (*unprotect)(void *ctx, uint8_t *packet, size_t len, int is_rtcp);
    size_t overhead;             /* the most protect() adds (<= MEDIA_SESSION_FILTER_OVERHEAD) */
    void *ctx;
} media_packet_filter;

typedef struct media_session_config {
    /* Transport. Our own sockets unless send is set. */
    const char *local_address;   /* bind address, IPv4 or IPv6 ("0.0.0.0"; "::" takes both) */
    const char *sdp_address;     /* address written into c= (NULL: local_address, or a guess for wildcards) */
    uint16_t port_min, port_max; /* RTP and RTCP ports from this range (even RTP port, RTCP on +1;
                                    port_min alone: exactly that RTP port); 0, 0: any */
    int rtcp_mux;                /* offer and accept RTCP on the RTP port (1) */
    int latch;                   /* symmetric RTP: send to where the peer's RTP comes from (0: off;
                                    MEDIA_LATCH_ON, or MEDIA_LATCH_STRICT: never moves once latched) */
    /* Set by media_session_config_init(). Several fields mean something else
       at 0 than their defaults (rtcp_mux, rtp_timeout_ms...), so a config
       that did not start there is refused (MEDIA_EINVAL), never run
       silently different. */
    uint32_t _initialised;
    /* Custom transport: the session opens no socket and hands every datagram here;
       feed what arrives with media_session_receive(). Returns < 0 on failure. */
    int (*send)(media_session *s, const uint8_t *data, size_t len, int is_rtcp, const media_addr *to, void *user);
    /* Between the session and either transport (SRTP is one): see media_packet_filter. */
    media_packet_filter filter;
    /* SRTP keys in the SDP (RFC 4568), for a filter that does SRTP (media_srtp.h sets both). */
    const media_sdes *sdes;
    /* Custom clock in microseconds, monotonic (NULL: media_now_us). */
    uint64_t (*now_us)(void *user);
    uint64_t seed;               /* random source for SSRC, sequence and timestamp (0: from the clock) */
    /* Media. */
    const media_codec *const *codecs;   /* preference order (NULL: PCMU, PCMA, telephone-event) */
    size_t codec_count;
    media_sdp_strategy strategy;        /* how an answer orders codecs (see >>sdp) */
    int inband_dtmf;             /* also hear DTMF sent as tones in the audio (media_dtmf_detector, in the
                                    allocation): the dtmf callback reports those too, and
                                    media_session_dtmf_source_get() says which it is (0) */
    const media_codec *const *required;
    size_t required_count;
    uint32_t ptime_ms;           /* what we ask to receive (0: the first codec's) */
    /* The jitter buffer's delay (see >>jitter): adaptive between min and max
       (0, 0: up to what its memory holds), initial before anything is
       measured (20), fixed when > 0 (0). */
    uint32_t jitter_min_delay_ms, jitter_max_delay_ms, jitter_initial_delay_ms, jitter_fixed_delay_ms;
    int resample;                /* reserve a rate converter (sizeof(media_resampler)) so WAV files of any rate
                                    play; without it play() wants the codec's rate (0) */
    int tones;                   /* listen for call-progress and fax tones in what plays out
                                    (media_tone_detector, in the allocation): handler.tone (0) */
    const char *cname;           /* RTCP SDES CNAME (NULL: generated) */
    uint32_t dtmf_duration_ms;   /* each digit sent (100) */
    uint32_t dtmf_gap_ms;        /* pause between digits (60) */
    /* Timers. */
    uint32_t rtcp_interval_ms;   /* RFC 3550 minimum interval (5000; the first report after half) */
    uint32_t stats_interval_ms;  /* stats callback (0: never) */
    uint32_t quality_interval_ms;/* quality evaluation (1000) */
    uint32_t rtp_timeout_ms;     /* no RTP this long while we expect it: stream_error (30000; 0: never) */
    media_session_thresholds quality;
    media_session_handler handler;
} media_session_config;

/* Defaults: bind 0.0.0.0 any port, PCMU/PCMA/telephone-event, 20 ms, rtcp-mux
   offered, jitter adaptive (20 ms at start, up to what the buffer holds), RTCP every 5 s, RTP timeout 30 s. */
MEDIADEF void media_session_config_init(media_session_config *cfg);
/* Creates a session: one allocation (its size depends on the codecs and on
   cfg->resample), sockets bound unless cfg->send is set. NULL on failure with
   *err (may be NULL) set: MEDIA_EINVAL, MEDIA_ENOMEM, MEDIA_ESOCKET. */
MEDIADEF media_session *media_session_create(const media_session_config *cfg, int *err);
/* Closes files (a recording stays a valid WAV), sockets, frees. NULL is fine.
   Inside a callback: takes effect when the outermost media_session_* call
   returns (the manual's section 11). No BYE is sent: call
   media_session_close() and poll once first for that. */
MEDIADEF void media_session_destroy(media_session *s);

/* Offer/answer (RFC 3264). offer_create writes our offer (initial or re-offer:
   hold, resume, codec or address change) into sdp, NUL-terminated, and returns
   its length. remote_sdp_set takes the peer's answer to it, or the peer's
   offer, which answer_create then answers. Returns MEDIA_OK / a length, or
   MEDIA_ESTATE (wrong moment), MEDIA_EPARSE (malformed SDP), MEDIA_ENEGOTIATION
   (nothing in common), MEDIA_EREJECTED (refused by a handler or the peer),
   MEDIA_EUNSUPPORTED (the peer's c= or a=rtcp gives a host name: the session
   resolves nothing, so put the address in first), MEDIA_ENOSPC. These calls allocate scratch for three parsed
   descriptions and free it before they return. */
MEDIADEF int media_session_offer_create(media_session *s, char *sdp, size_t cap);
MEDIADEF int media_session_remote_sdp_set(media_session *s, const char *sdp, size_t len);
MEDIADEF int media_session_answer_create(media_session *s, char *sdp, size_t cap);
/* Several sessions on one description (SIPREC-style recording of two
   streams, two parties on one offer): session i is the group's i-th audio
   m-line, each with its own sockets, codec and statistics; the group's
   description is written and read whole. The same moments and results as
   the calls above; a re-offer keeps every m-line in place. The group's
   description must fit MEDIA_SESSION_SDP_SIZE (MEDIA_ENOSPC); an offer with
   fewer audio m-lines than sessions is MEDIA_ENEGOTIATION before any
   session is touched. */
MEDIADEF int media_session_group_offer_create(media_session *const *s, size_t n, char *sdp, size_t cap);
MEDIADEF int media_session_group_remote_sdp_set(media_session *const *s, size_t n, const char *sdp, size_t len);
MEDIADEF int media_session_group_answer_create(media_session *const *s, size_t n, char *sdp, size_t cap);
/* The m-line a session's stream is (-1 before a negotiation), and its
   a=mid into mid[0..cap) ("" when it has none; mid may be NULL). */
MEDIADEF int media_session_stream_get(const media_session *s, char *mid, size_t cap);

/* Does everything due now and returns the milliseconds until it wants to be
   called again (>= 0); MEDIA_ESTATE once terminated. Never blocks. Reads
   whatever waits on its sockets first. */
MEDIADEF int media_session_poll(media_session *s);
/* The same for a loop that knows which sockets are readable (epoll, kqueue,
   libuv): ready has bit 0 set when fd 0 is, bit 1 for fd 1; only those are
   read, one datagram each, and 0 (a timer) reads nothing. A socket that still
   holds datagrams stays readable for a level-triggered loop, which brings it
   back: this saves the system calls that find nothing to read, which is most
   of what a session costs beyond its sendto and recvfrom. */
#define MEDIA_READY_RTP 1u
#define MEDIA_READY_RTCP 2u
MEDIADEF int media_session_poll_ready(media_session *s, unsigned ready);
/* 0: RTP socket, 1: RTCP socket; -1 for none (custom transport, or RTCP muxed). */
MEDIADEF int media_session_fd_get(const media_session *s, int which);
/* Custom transport: a datagram that arrived for the session. The _from form
   also gives its source, so source filtering and latching apply. MEDIA_OK,
   or the reason it was refused (also counted in the statistics). */
MEDIADEF int media_session_receive(media_session *s, const uint8_t *data, size_t len, int is_rtcp);
MEDIADEF int media_session_receive_from(media_session *s, const uint8_t *data, size_t len, int is_rtcp,
                                        const media_addr *from);

/* MEDIA_STATE_* now (MEDIA_EINVAL for NULL). */
MEDIADEF int media_session_state_get(const media_session *s);
/* Everything the session counts, as of now (also inside callbacks). */
MEDIADEF void media_session_stats_get(const media_session *s, media_session_stats *st);
/* Our RTP address as bound (port 0 with a custom transport). */
MEDIADEF int media_session_local_addr_get(const media_session *s, media_addr *rtp);

/* Actions: any time, also from inside callbacks. */
#ifndef MEDIA_NO_STDIO
/* Queues a WAV file (16-bit PCM, A-law or mu-law; mono or stereo, mixed down;
   any rate from 8 to 48 kHz with cfg.resample). loops: times to play it, 0 =
   until stopped (a file with no audio asked to loop completes with
   MEDIA_ENOTFOUND). Returns its id (> 0), MEDIA_ENOSPC when the queue is full,
   MEDIA_EIO / MEDIA_EPARSE for the file, MEDIA_EUNSUPPORTED for an encoding
   it cannot read or, without cfg.resample, a rate other than the codec's. */
MEDIADEF int media_session_play(media_session *s, const char *path, int loops);
/* Records to a 16-bit WAV at the codec's rate (what: MEDIA_RECORD_*). The file
   is valid whenever the session ends, destroy included. */
MEDIADEF int media_session_record(media_session *s, const char *path, int what);
/* Closes the recording (record_complete with the result); MEDIA_ESTATE when none. */
MEDIADEF int media_session_record_stop(media_session *s);
#endif
/* Holds the playing file where it is (audio_out or silence is sent meanwhile)
   and goes on from there. */
MEDIADEF int media_session_play_pause(media_session *s);
MEDIADEF int media_session_play_resume(media_session *s);
/* Stops the playing file and empties the queue (play_complete(MEDIA_ERROR) for each). */
MEDIADEF int media_session_play_stop(media_session *s);
/* Switches what we send to another negotiated codec (MEDIA_ENOTFOUND if not negotiated). */
MEDIADEF int media_session_codec_set(media_session *s, const media_codec *codec);
/* Where the digit the dtmf callback is reporting came from:
   MEDIA_DTMF_SOURCE_RFC4733 (events) or MEDIA_DTMF_SOURCE_INBAND (tones in
   the audio, cfg.inband_dtmf). A peer that sends a press both ways is
   reported once, by the first to end. */
#define MEDIA_DTMF_SOURCE_RFC4733 0
#define MEDIA_DTMF_SOURCE_INBAND 1
MEDIADEF int media_session_dtmf_source_get(const media_session *s);
/* Queues digits ("0-9*#A-D", '!' = flash; ',' = a pause of 500 ms): RFC 4733
   events, or, when the peer took no telephone-event, Q.23 tones in the audio
   (low group -9 dBm0, high -7 dBm0; a flash is then left out). */
MEDIADEF int media_session_dtmf_send(media_session *s, const char *digits);
/* Hold: we stop listening and the next offer says sendonly; resume undoes it.
   Send the new offer (offer_create) to the peer. */
MEDIADEF int media_session_hold(media_session *s);
MEDIADEF int media_session_resume(media_session *s);
/* Sends silence instead of audio while on. */
MEDIADEF int media_session_mute(media_session *s, int on);
/* Ends the call: RTCP BYE at the next poll, files closed, state TERMINATED. */
MEDIADEF int media_session_close(media_session *s);

/* Two sessions back to back: what each one's peer sends goes to the other's
   peer (a B2BUA's media, an SBC's relay; the manual's section 12). */
typedef struct media_bridge media_bridge;

#define MEDIA_BRIDGE_AUTO 0        /* relay what both legs can carry, transcode the rest */
#define MEDIA_BRIDGE_RELAY 1       /* never decode: what the other leg cannot carry is dropped */
#define MEDIA_BRIDGE_TRANSCODE 2   /* always decode and encode again (audio_in, recording, your processing) */

typedef struct media_bridge_config {
    int mode;                      /* MEDIA_BRIDGE_AUTO */
    uint32_t _initialised;
} media_bridge_config;

/* One direction: what one leg's peer sent, on its way to the other's. */
typedef struct media_bridge_stats {
    uint64_t relayed;              /* RTP packets forwarded without decoding */
    uint64_t transcoded;           /* frames decoded on this leg, handed to the other's encoder */
    uint64_t events;               /* RFC 4733 packets passed on as events (relayed ones counted in both) */
    uint64_t rtcp;                 /* RTCP compounds translated onto the other leg */
    uint64_t dropped;              /* packets the other leg could not take (a payload it did not
                                      negotiate, in RELAY mode; it not sending: hold, a file playing) */
    uint32_t switches;             /* new origins for the relayed stream: a new SSRC or numbering,
                                      the other leg's own audio in between (each is one continuous
                                      sequence and timestamp on the wire, marker set) */
    uint32_t queue_dropped;        /* transcoding: samples dropped as the other leg fell behind */
    int relaying;                  /* 1 while packets pass undecoded */
} media_bridge_stats;

MEDIADEF void media_bridge_config_init(media_bridge_config *cfg);
/* Bridges a and b (each in one bridge at most; MEDIA_ESTATE if either is
   in one), one allocation (MEDIA_MALLOC, a's handler.user). Either session
   may be destroyed first; the bridge then passes nothing. NULL on failure
   with *err: MEDIA_EINVAL, MEDIA_ESTATE, MEDIA_ENOMEM. */
MEDIADEF media_bridge *media_bridge_create(media_session *a, media_session *b, const media_bridge_config *cfg, int *err);
/* Unbridges (each session goes back to its own audio) and frees. */
MEDIADEF void media_bridge_destroy(media_bridge *br);
/* from: 0 for what a's peer sends (toward b), 1 for b's. */
MEDIADEF int media_bridge_stats_get(const media_bridge *br, int from, media_bridge_stats *st);

/* ---------------------------------------------------------------------------
   >>layouts
   --------------------------------------------------------------------------- */

/* The objects you place yourself (static, on the stack, inside your call
   struct) and hand to their functions by pointer. Their size is public so
   that you can; what is inside is ours, changes between versions, and is
   read through the functions (media_jitter_stats_get...). */

typedef struct media__jitter_slot {
    int64_t ts;                 /* extended timestamp */
    uint32_t seq;               /* extended sequence number */
    uint32_t samples;           /* from config.duration, 0 when unknown */
    uint16_t off, len;          /* payload in the pool */
    uint8_t used, marker, pt;
    uint8_t gen;                /* the pool's generation when its payload was written (low bits) */
} media__jitter_slot;

#define MEDIA__JITTER_BLOCKS 8   /* estimator window: BLOCKS x 64 packets */
#define MEDIA__JITTER_TOP 3      /* largest transits kept per block: the quantile is at most
                                    the ceil(0.4 % x 512) = 3rd largest of the window */

struct media_jitter {
    /* cache lines (test_jitter asserts them; see the >>jitter implementation) */
    /* line 0: get() */
    int64_t grow_below;          /* get()'s playout offsets outside [grow_below, shrink_above] */
    int64_t shrink_above;        /* adjust the delay (from target, base, frame and max) */
    int64_t frame_us;            /* frame_ts in microseconds */
    int64_t excess_since_us;     /* since when the delay has been above target (shrink patience) */
    uint64_t played_mask;        /* played sequence numbers behind play_seq (duplicates) */
    uint64_t played;             /* st.played */
    uint32_t flags_next;         /* flags for the next FRAME, and MEDIA__JB_IN_GAP */
    uint8_t shrinking;           /* a shrink began: go on down (media__jb_bounds) */
    uint8_t stretch;             /* cfg.stretch */
    uint8_t fixed;               /* cfg.fixed_delay_ms > 0 */
    uint8_t pad_;
    int32_t want;                /* the next FRAME's .stretch (MEDIA_JITTER_STRETCH) */
    uint32_t pad2_;              /* (line 1 starts on its line) */
    /* line 1: both */
    int64_t next_play_us;        /* when play_ts plays (INT64_MAX until started) */
    int64_t play_ts;             /* first sample not yet played */
    uint64_t mul;                /* microseconds per RTP unit, 2^-20 fixed point */
    int64_t frame_ts;            /* packet duration assumed for what is not known */
    uint32_t play_seq;           /* next sequence number to play */
    uint32_t ts_raw_off;         /* RTP timestamp = extended one + this (fixed per stream) */
    uint32_t queued;             /* packets in the buffer now (st.queued) */
    uint32_t pending_gap;        /* GAP frames since the last packet: silence or loss, decided later */
    int64_t ref_ts;              /* extended timestamp of the reference packet */
    uint32_t ref_seq;            /* extended seq of the reference packet */
    uint32_t pool_gen;           /* +1 each time the pool's writing starts over at 0 */
    /* lines 2-3: put() */
    uint64_t packets;            /* st.packets */
    int64_t target;              /* target transit (arrival minus media time), us */
    int64_t base;                /* smallest recent transit */
    int64_t late_jump_us, early_jump_us;  /* how far off the stream a packet starts it over */
    int (*duration)(const uint8_t *payload, size_t len, void *user);   /* cfg.duration */
    uint8_t started;
    uint8_t suspect;             /* the last packet's transit was far below base: this one confirms it or not */
    uint16_t pad3_;
    uint32_t head, room_end;     /* payload ring (pool) filled at head; [head, room_end) known free */
    uint32_t max_delta;          /* cfg.clock_rate / 8: the longest packet time taken from timestamps */
    /* the estimator's block being filled (the others are below): the
       smallest transit and the largest few, and how many */
    int64_t cur_top[MEDIA__JITTER_TOP], cur_min;
    uint32_t cur_n;
    uint16_t blk_cur;            /* its place in blk[] once complete */
    uint16_t cur_maxlen;         /* the largest payload in it (sets the memory's ceiling) */
    uint32_t ssrc;
    uint32_t frame_seen;         /* a packet time the timestamps showed once, not yet taken */
    /* the rest */
    media_jitter_config cfg;
    uint8_t blk_n[MEDIA__JITTER_BLOCKS];  /* transits in each block of blk[] */
    int64_t seed;                /* delay to keep across a resync until measured again */
    int64_t late_at_us;          /* arrival of the last late packet (media__jb_late_run) */
    int64_t late_delay;          /* the delay before the run of late packets began */
    int64_t max_us;              /* the ceiling: cfg.max_delay_ms, or what the memory holds */
    uint32_t ceil_len;           /* the payload length max_us was worked out for */
    uint32_t late_seq, late_run; /* its sequence number; late in sequence at the stream's pace */
    uint32_t old_n;              /* transits in the completed blocks */
    /* estimator: per block of 64 transits, the smallest and the largest few */
    struct { int64_t top[MEDIA__JITTER_TOP], min; } blk[MEDIA__JITTER_BLOCKS];
    int64_t old_top[MEDIA__JITTER_TOP];  /* the completed blocks, merged */
    int64_t old_min;
    int64_t suspect_t;           /* that transit (media__jb_outlier) */
    int64_t rise;                /* how much the last block's high transits rose over the block before's */
    uint32_t blocks;             /* blocks completed */
    uint32_t spike_blk;          /* the last of them with a spike */
    uint32_t spike_recur;        /* that spike came soon after the one before: spikes recur */
    uint32_t suspect_seq;        /* the sequence number of the suspect (media__jb_outlier) */
    media_jitter_stats st;       /* the rarer counters (the three above are copied in by stats_get) */
    media__jitter_slot slot[MEDIA_JITTER_SLOTS];
    uint8_t pool[MEDIA_JITTER_BYTES];
};

#define MEDIA_PLC_HISTORY 390    /* at 8 kHz: three periods of the longest pitch (15 ms) + the search window */
struct media_plc {
    uint32_t rate;
    int pitch;                   /* samples, of the current concealment */
    double pitch_f;              /* the same with its fraction */
    double corr;                 /* how periodic the history was (0..1) */
    int lost;                    /* samples concealed in the current loss */
    int pos;                     /* read position in the pitch buffer */
    int merge;                   /* blend the next good frame into the concealment */
    int hist_len, pbuf_len;
    int hist_end;                /* hist is a ring: the hist_len samples before hist_end */
    int16_t hist[(MEDIA_PLC_HISTORY * MEDIA_PLC_MAX_RATE + 7999) / 8000];
    int16_t pbuf[(MEDIA_PLC_HISTORY * MEDIA_PLC_MAX_RATE + 7999) / 8000];
    int16_t tail[(MEDIA_PLC_MAX_RATE + 99) / 100];   /* continuation for the blend (up to 10 ms) */
};

struct media_stretch {
    uint32_t rate;
    int pmin, pmax;              /* a voice's pitch periods, 2.5..15 ms in samples: the range to ask */
    int xmin;                    /* shortest overlap (2.5 ms) */
    int step;                    /* the coarse search's stride (rate / 4000) */
    int quiet;                   /* mean square below which a frame counts as silent */
};

#define MEDIA__DTMF_MAX_HALF 306   /* a half-window at 48 kHz (6.375 ms) */
#define MEDIA__DTMF_SUBS 64        /* sub-block powers kept: the tone's start is found in them */
#define MEDIA__DTMF_QUEUE 8        /* ended digits not yet handed out */

struct media_dtmf_detector {
    uint32_t rate, half, sub;    /* samples in a half-window, in a sub-block (a third of it) */
    float coef[8], cosw[8], sinw[8];      /* Goertzel at the 8 frequencies */
    float rot_re[8], rot_im[8];  /* a half's DFT from its Goertzel state */
    float sh_re[8], sh_im[8];    /* one half later */
    float guard[16];             /* Goertzel at 0.95 and 1.05 of each frequency */
    float s1[8], s2[8], prev_re[8], prev_im[8];
    float energy, prev_energy, sub_acc, tone_pow;
    uint32_t filled, sub_filled, hist_pos, sub_pos;
    int16_t hist[2 * MEDIA__DTMF_MAX_HALF];   /* the last window's samples, a ring */
    float subs[MEDIA__DTMF_SUBS];             /* sub-block mean powers, a ring */
    int cand, cand_n, active, fails, halves;
    uint32_t active_subs;        /* sub-blocks at the tone's power since it started */
    uint64_t samples;            /* fed so far */
    media_dtmf_digit queue[MEDIA__DTMF_QUEUE];
    int q_head, q_n;
};

#define MEDIA__TONE_BINS 6
struct media_tone_detector {
    uint32_t rate, block;        /* samples in a 25 ms block */
    float coef[MEDIA__TONE_BINS];
    float s1[MEDIA__TONE_BINS], s2[MEDIA__TONE_BINS], energy;
    uint32_t filled;
    uint64_t blocks;             /* blocks seen */
    int cls, run;                /* the class of the run going on (0: none), its length in blocks */
    int last_cls;                /* the class of the last run of tone */
    int on[2], off[2];           /* that class's last two on and off lengths (blocks); -1: not yet */
    int reported;                /* the tone reported for the cadence going on (0: none) */
    media_tone_event queue[4];
    int q_head, q_n;
};

#define MEDIA__RS_W 44                 /* kernel half-width, in periods of the lower rate */
#define MEDIA__RS_OS 24                /* kernel table points per period */
#define MEDIA__RS_HIST (2 * MEDIA__RS_W * 6 + 256)   /* input kept per channel (ratio up to 6) */
struct media_resampler {
    uint32_t in_rate, out_rate, channels;
    uint32_t frac;              /* next output's time past hist[pos], in 1/out_rate input samples */
    int pos, len;               /* that input sample, and how many are held */
    int reach;                  /* kernel half-width in input samples */
    float step;                 /* kernel table points per input sample */
    float gain;
    float kernel[MEDIA__RS_W * MEDIA__RS_OS + 4];
    float hist[2][MEDIA__RS_HIST];
};

/* >>aliases: the names before 0.2, kept for one release. The rule they
   broke is in the manual's section 4; MEDIA_NO_OLD_NAMES leaves them out
   (a build that defines it finds every old name still in its code).
   Renamed fields have no alias (a macro cannot rename a member): in
   media_sdp_oa_config ptime, maxptime are ptime_ms, maxptime_ms; in
   media_sdp_result ptime, remote_maxptime are ptime_ms, remote_maxptime_ms;
   in media_session_config jitter_min_ms, jitter_max_ms, jitter_initial_ms,
   jitter_fixed_ms are jitter_min_delay_ms... (jitter_max_ms in the
   statistics is the interarrival jitter's maximum, another thing). */
#ifndef MEDIA_NO_OLD_NAMES
#define media_rtcp_write_report      media_rtcp_report_write
#define media_rtcp_write_bye         media_rtcp_bye_write
#define media_jitter_get_stats       media_jitter_stats_get
#define media_jitter_played          media_jitter_played_get
#define media_sdp_get_rtpmap         media_sdp_rtpmap_get
#define media_sdp_get_fmtp           media_sdp_fmtp_get
#define media_sdp_get_ptime          media_sdp_ptime_get
#define media_sdp_get_maxptime       media_sdp_maxptime_get
#define media_sdp_get_direction      media_sdp_direction_get
#define media_sdp_get_conn           media_sdp_conn_get
#define media_sdp_get_rtcp_mux       media_sdp_rtcp_mux_get
#define media_sdp_get_mid            media_sdp_mid_get
#define media_sdp_attr_name          media_sdp_attr_name_get
#define media_sdp_attr_value         media_sdp_attr_value_get
#define media_sdp_str                media_sdp_str_get
#define media_sdp_span_eq            media_sdp_span_equal
#define media_sdp_set_direction      media_sdp_direction_set
#define media_sdp_remove_format      media_sdp_format_remove
#define media_sdp_add_format         media_sdp_format_add
#define media_sdp_set_connection     media_sdp_conn_set
#define media_sdp_set_port           media_sdp_port_set
#define media_sdp_bump_version       media_sdp_version_bump
#define media_sdp_add_media          media_sdp_media_add
#define media_sdp_create_offer       media_sdp_offer_create
#define media_sdp_create_answer      media_sdp_answer_create
#define media_sdp_process_answer     media_sdp_answer_process
#define media_session_create_offer   media_session_offer_create
#define media_session_set_remote_sdp media_session_remote_sdp_set
#define media_session_create_answer  media_session_answer_create
#define media_session_get_stats      media_session_stats_get
#define media_session_set_codec      media_session_codec_set
#define media_session_send_dtmf      media_session_dtmf_send
#define media_session_state          media_session_state_get
#define media_session_fd             media_session_fd_get
#define media_session_local_addr     media_session_local_addr_get
#define media_resample               media_resampler_process
#define media_wav_header             media_wav_header_write
#endif

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
#include <errno.h>
#include <stdarg.h>
#ifndef MEDIA_NO_STDIO
#include <stdio.h>
#if !defined(_WIN32)
#include <unistd.h>   /* ftruncate: a recording cut back (media__wav_cut) */
#include <sys/stat.h> /* stat: a WAV is written to a regular file */
#endif
#endif

#if defined(_WIN32)
#include <windows.h>
#else
#include <time.h>
#if !defined(CLOCK_MONOTONIC)
#error "media.h: the implementation needs POSIX clocks. Define _POSIX_C_SOURCE 200809L before the first #include of this file, or build with -std=gnu99/gnu11."
#endif
#endif

#ifndef MEDIA_NO_SOCKETS
#if defined(_WIN32)
#error "media.h: the session's sockets are POSIX only for now; define MEDIA_NO_SOCKETS and use a custom transport"
#endif
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <unistd.h>
#include <errno.h>
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

static size_t media__align16(size_t n) { return (n + 15u) & ~(size_t)15u; }
static size_t media__align64(size_t n) { return (n + 63u) & ~(size_t)63u; }

MEDIADEF const char *media_result_string(int result)
{
    switch (result) {
#define MEDIA__RESULT_CASE(name, value, text) case value: return text;
    MEDIA_RESULT_LIST(MEDIA__RESULT_CASE)
#undef MEDIA__RESULT_CASE
    default: return "unknown result";
    }
}

/* A length or capacity a function refuses: one that does not fit the int
   its result is (a recv() of -1 passed on is SIZE_MAX). */
#define MEDIA__TOO_LONG(n) ((n) > (size_t)INT_MAX)

/* The functions a packet goes through, grouped by the compiler (GCC puts
   them in .text.hot): together they take a few pages of code instead of
   being spread over the whole library, which matters where every system
   call leaves the TLB and the caches cold for what comes after it. */
#if defined(__GNUC__) || defined(__clang__)
#define MEDIA__HOT_TEXT __attribute__((hot))
#else
#define MEDIA__HOT_TEXT
#endif

MEDIA__HOT_TEXT MEDIADEF uint64_t media_now_us(void)
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
/* Starts a per-packet entry point on a cache line: where its common path
   falls across lines otherwise changes with whatever code precedes it, and
   that alone moved the jitter buffer's cost by 20 % between builds. */
#if defined(__GNUC__) || defined(__clang__)
#define MEDIA__CACHE_ALIGNED __attribute__((aligned(64)))
#else
#define MEDIA__CACHE_ALIGNED
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

MEDIA__HOT_TEXT static void media__g711_decode(int16_t *dst, const uint8_t *src, size_t n, const int16_t *tab)
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
MEDIA__HOT_TEXT static __m128i media__g711_enc8(__m128i x, int law)
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
MEDIA__HOT_TEXT static void media__g711_encode(uint8_t *dst, const int16_t *src, size_t n, int law)
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

MEDIA__HOT_TEXT MEDIADEF void media_pcmu_encode(uint8_t *dst, const int16_t *src, size_t n)
{
    if (!MEDIA__TOO_LONG(n)) media__g711_encode(dst, src, n, 0);
}

MEDIA__HOT_TEXT MEDIADEF void media_pcma_encode(uint8_t *dst, const int16_t *src, size_t n)
{
    if (!MEDIA__TOO_LONG(n)) media__g711_encode(dst, src, n, 1);
}

MEDIA__HOT_TEXT MEDIADEF void media_pcmu_decode(int16_t *dst, const uint8_t *src, size_t n)
{
    if (!MEDIA__TOO_LONG(n)) media__g711_decode(dst, src, n, media__ulaw_tab);
}

MEDIA__HOT_TEXT MEDIADEF void media_pcma_decode(int16_t *dst, const uint8_t *src, size_t n)
{
    if (!MEDIA__TOO_LONG(n)) media__g711_decode(dst, src, n, media__alaw_tab);
}

/* >>codec implementation -------------------------------------------------- */

/* G.711's state is its packet-loss concealment. */
static int media__g711_create(void *state, const media_codec *codec, const char *remote_fmtp, int side)
{
    (void)remote_fmtp;
    (void)side;   /* only decoders have state: their concealment */
    return state ? media_plc_init((media_plc *)state, codec->sample_rate) : MEDIA_OK;
}

static int media__g711_conceal(void *state, int16_t *pcm, size_t samples)
{
    if (!state) { if (samples) memset(pcm, 0, samples * sizeof *pcm); }
    else media_plc_conceal((media_plc *)state, pcm, samples);
    return samples > (size_t)INT_MAX ? MEDIA_EINVAL : (int)samples;
}

/* One G.711 byte per sample both ways; the session keeps frames far below INT_MAX. */
static int media__g711_sizes(size_t cap, size_t n)
{
    if (n > cap) return MEDIA_ENOSPC;
    if (n > (size_t)INT_MAX) return MEDIA_EINVAL;
    return (int)n;
}

MEDIA__HOT_TEXT static int media__g711_enc(void (*law)(uint8_t *, const int16_t *, size_t), uint8_t *dst, size_t cap,
                           const int16_t *pcm, size_t n)
{
    int r = media__g711_sizes(cap, n);
    if (r >= 0) law(dst, pcm, n);
    return r;
}

/* decode, then let the concealment keep its history (and blend a seam) */
MEDIA__HOT_TEXT static int media__g711_dec(void (*law)(int16_t *, const uint8_t *, size_t), void *state, int16_t *pcm, size_t cap,
                           const uint8_t *payload, size_t len)
{
    int r = media__g711_sizes(cap, len);
    if (r >= 0) {
        law(pcm, payload, len);
        if (state) media_plc_good((media_plc *)state, pcm, len);
    }
    return r;
}

MEDIA__HOT_TEXT static int media__pcmu_enc(void *state, uint8_t *dst, size_t cap, const int16_t *pcm, size_t n)
{
    (void)state;
    return media__g711_enc(media_pcmu_encode, dst, cap, pcm, n);
}
MEDIA__HOT_TEXT static int media__pcmu_dec(void *state, int16_t *pcm, size_t cap, const uint8_t *payload, size_t len)
{
    return media__g711_dec(media_pcmu_decode, state, pcm, cap, payload, len);
}
MEDIA__HOT_TEXT static int media__pcma_enc(void *state, uint8_t *dst, size_t cap, const int16_t *pcm, size_t n)
{
    (void)state;
    return media__g711_enc(media_pcma_encode, dst, cap, pcm, n);
}
MEDIA__HOT_TEXT static int media__pcma_dec(void *state, int16_t *pcm, size_t cap, const uint8_t *payload, size_t len)
{
    return media__g711_dec(media_pcma_decode, state, pcm, cap, payload, len);
}

static const media_codec media__codec_pcmu = {
    "PCMU", 8000, 8000, 1, 0, 20, MEDIA_CODEC_STATELESS_ENCODER | MEDIA_CODEC_HISTORY_FROM_PAYLOADS, NULL, sizeof(media_plc), 0,
    media__g711_create, NULL, media__pcmu_enc, media__pcmu_dec, media__g711_conceal, NULL, NULL, NULL
};
static const media_codec media__codec_pcma = {
    "PCMA", 8000, 8000, 1, 8, 20, MEDIA_CODEC_STATELESS_ENCODER | MEDIA_CODEC_HISTORY_FROM_PAYLOADS, NULL, sizeof(media_plc), 0,
    media__g711_create, NULL, media__pcma_enc, media__pcma_dec, media__g711_conceal, NULL, NULL, NULL
};
/* 0-16: the DTMF digits and flash (RFC 4733 section 3.2). */
static const media_codec media__codec_te = {
    "telephone-event", 0, 0, 1, -1, 0, MEDIA_CODEC_EVENTS, "0-16", 0, 0,
    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
};

MEDIADEF const media_codec *media_codec_pcmu(void) { return &media__codec_pcmu; }
MEDIADEF const media_codec *media_codec_pcma(void) { return &media__codec_pcma; }
MEDIADEF const media_codec *media_codec_telephone_event(void) { return &media__codec_te; }

/* >>rtp implementation ---------------------------------------------------- */

MEDIA__HOT_TEXT MEDIADEF int32_t media_rtp_seq_diff(uint16_t a, uint16_t b)
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
    if (!pkt || (!buf && len) || MEDIA__TOO_LONG(len)) return MEDIA_EINVAL;
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

MEDIA__HOT_TEXT MEDIADEF int media_rtp_parse(media_rtp_packet *pkt, const uint8_t *buf, size_t len)
{
    /* Fast path: almost every packet is a bare 12-byte header (V=2 and no
       padding, extension or CSRC). The general path handles the rest. */
    if (pkt && buf && len - MEDIA_RTP_HEADER_SIZE <= (size_t)INT_MAX - MEDIA_RTP_HEADER_SIZE && buf[0] == 0x80) {
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

MEDIA__HOT_TEXT MEDIADEF size_t media_rtp_header_size(const media_rtp_packet *pkt)
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
    if (!buf || !pkt || MEDIA__TOO_LONG(cap)) return MEDIA_EINVAL;
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

MEDIA__HOT_TEXT MEDIADEF int media_rtp_write(uint8_t *buf, size_t cap, const media_rtp_packet *pkt)
{
    /* Fast path: a bare 12-byte header. With the payload already in place (the
       sender encoded straight into buf + 12) nothing is called, so no registers
       are saved; a payload elsewhere is copied by a small helper. */
    if (buf && pkt && (pkt->csrc_count | pkt->has_extension | pkt->padding) == 0 && pkt->ext_len == 0 &&
        pkt->payload_type <= 127 && cap - MEDIA_RTP_HEADER_SIZE <= (size_t)INT_MAX - MEDIA_RTP_HEADER_SIZE &&
        pkt->payload_len <= cap - MEDIA_RTP_HEADER_SIZE) {
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
    if ((!dst && cap) || !profile || (!el && count) || MEDIA__TOO_LONG(cap) || MEDIA__TOO_LONG(count)) return MEDIA_EINVAL;
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
    if (!c || (!buf && len) || MEDIA__TOO_LONG(len)) return MEDIA_EINVAL;
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

MEDIADEF int media_rtcp_report_write(uint8_t *buf, size_t cap, const media_rtcp_report *r)
{
    size_t nb, first, extra_pkts, total, cname_len = 0, sdes = 0, off, i, done;
    if (!buf || !r || (!r->blocks && r->block_count) || MEDIA__TOO_LONG(cap)) return MEDIA_EINVAL;
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

MEDIADEF int media_rtcp_bye_write(uint8_t *buf, size_t cap, const uint32_t *ssrcs, size_t count,
                                  const char *reason)
{
    size_t rl = reason ? strlen(reason) : 0, total, i;
    if (!buf || !ssrcs || count == 0 || count > 31 || rl > 255 || MEDIA__TOO_LONG(cap)) return MEDIA_EINVAL;
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

/* A.8 interarrival jitter, in arrival order (as tshark does), over the
   packets A.1 accepts: one it does not (a stranger's in probation, a jump
   not confirmed) would put any transit it liked into the estimate. D is
   computed from deltas so no absolute clock conversion is needed; it is
   kept in 1/16 RTP units and jitter in 1/256, to avoid the rounding of A.8's
   integer code while producing the same estimator. accumulate 0 only
   records the packet as the next one's predecessor. */
MEDIA__HOT_TEXT static void media__stats_transit(media_rtp_stats *st, const media_rtp_packet *pkt, uint64_t arrival_us,
                                                 int accumulate)
{
    if (st->have_transit && accumulate) {
        /* arrival deltas may be negative (A.8's D is symmetric); gaps beyond ~19
           hours are clamped so that delta * rate * 16 stays below 2^60 */
        const uint64_t lim = (uint64_t)1 << 36;
        uint64_t up = arrival_us - st->last_arrival_us, dn = st->last_arrival_us - arrival_us;
        int64_t dus = arrival_us >= st->last_arrival_us ? (int64_t)(up < lim ? up : lim)
                                                        : -(int64_t)(dn < lim ? dn : lim);
        int64_t d = dus * (int64_t)st->clock_rate * 16 / 1000000 -
                    (int64_t)media_rtp_ts_diff(pkt->timestamp, st->last_timestamp) * 16;
        uint64_t ad = (uint64_t)(d < 0 ? -d : d);
        /* a timestamp 10 s off the arrival clock is a new timeline (a media
           clock restarted, a corrupted packet), not jitter: it starts the
           transit afresh instead of filling A.8 with hours */
        if (ad <= (uint64_t)st->clock_rate * 16 * 10) st->jitter_q8 = st->jitter_q8 + ad - ((st->jitter_q8 + 8) >> 4);
    }
    st->have_transit = 1;
    st->last_arrival_us = arrival_us;
    st->last_timestamp = pkt->timestamp;
}

MEDIA__HOT_TEXT MEDIADEF int media_rtp_stats_update(media_rtp_stats *st, const media_rtp_packet *pkt, uint64_t arrival_us)
{
    uint16_t seq = pkt->seq;
    uint16_t udelta;
    int verdict = MEDIA_RTP_ACCEPTED;

    if (!st->started || pkt->ssrc != st->ssrc) {
        if (st->started) st->ssrc_changes++;
        st->started = 1;
        st->ssrc = pkt->ssrc;
        st->lost_before = 0;   /* a new source: its own count */
        st->expected_before = 0;
        media__stats_init_seq(st, seq);
        st->max_seq = (uint16_t)(seq - 1);
        st->probation = MEDIA_RTP_MIN_SEQUENTIAL;
        st->have_transit = 0;
        st->jitter_q8 = 0;
    }
    st->packets++;
    st->bytes += pkt->payload_len;

    /* A.1 update_seq() */
    udelta = (uint16_t)(seq - st->max_seq);
    if (st->probation) {
        if (seq == (uint16_t)(st->max_seq + 1)) {
            st->probation--;
            st->max_seq = seq;
            if (st->probation == 0) {
                media__stats_init_seq(st, seq);
                st->received++;
                media__stats_transit(st, pkt, arrival_us, 1);   /* after one in sequence: that gap is A.8's */
                return MEDIA_RTP_ACCEPTED;
            }
        } else {
            st->probation = MEDIA_RTP_MIN_SEQUENTIAL - 1;
            st->max_seq = seq;
        }
        media__stats_transit(st, pkt, arrival_us, 0);
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
            /* two sequential packets: the source restarted; accept this one,
               and keep what it had lost (A.1 would start the count over) */
            int64_t l = media_rtp_stats_lost(st);
            st->lost_before = l > INT32_MAX ? INT32_MAX : l < INT32_MIN ? INT32_MIN : (int32_t)l;
            st->expected_before += media_rtp_stats_expected(st);
            media__stats_init_seq(st, seq);
            st->restarts++;
            st->have_transit = 0;   /* new numbering, new timestamps: no D across the jump */
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
    media__stats_transit(st, pkt, arrival_us, 1);
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
    return st->lost_before + (int64_t)media_rtp_stats_expected(st) - (int64_t)st->received;
}

MEDIADEF double media_rtp_stats_loss_percent(const media_rtp_stats *st)
{
    uint64_t e = (uint64_t)media_rtp_stats_expected(st) + st->expected_before;
    int64_t l = media_rtp_stats_lost(st);
    return (e == 0 || l <= 0) ? 0.0 : (uint64_t)l >= e ? 100.0 : 100.0 * (double)l / (double)e;
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
    int64_t lost = st->lost_before + (int64_t)expected - (int64_t)st->received;   /* media_rtp_stats_lost */
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

/* >>jitter implementation -------------------------------------------------
   The algorithm, in short. Each packet's transit t = arrival - media time
   (its timestamp in microseconds) is recorded; network delay variation and
   clock drift both show up in t. The target transit is a high quantile of t
   over the last 512 packets (the k-th largest, k = 0.4 % of them, from the 3
   largest of each block of 64) plus a 2 ms guard; it rises at once and
   falls only by more than a 2 ms deadband. `base` is the smallest t in that
   window and delay = offset - base, kept within [min, ceiling]. Frames play
   at media time + offset, measured when get() is called (fixed mode: on
   the buffer's own schedule). The offset stays inside a band (see
   media__jb_bounds): below it the delay grows (a stretch, a held silence
   or frame, a waited-for packet), above it the delay shrinks (a stretch, a
   cut silence, a dropped frame) -- at once in silence, at a talkspurt
   start or above the ceiling, else after a patience of 2 s / (excess in
   frames)^2, then on until it reaches target (+ frame/4 when stretching).
   Late packets raise the quantile at once; high transits leave the window
   after ~10 s: fast up, slow down. Two refinements: a path that climbed
   over each of the last blocks adds its smaller climb to the target, and a
   lone spike is left out of the quantile once two blocks follow it, unless
   spikes recur (media__jb_summarise). A new SSRC, a sequence jump or a
   timestamp far outside the stream starts over at the current delay.

   Where the delay sits, and when it moves. The playout offset has a band:
   from the estimated quantile of the packets' transit (none of them would
   be late) to a frame above target; fixed, from a frame below the delay
   asked for to a frame above it, kept on the buffer's own schedule. The
   delay moves only when the offset leaves the band, and a move of one frame
   (or less) lands inside it, so a grow never invites a shrink or the other
   way round; the target itself only falls by more than 2 ms. On a clean
   path (constant delay at any phase against your clock, or jitter under a
   frame) nothing moves after the first second: every packet plays, in
   order, none dropped or inserted (tested over 10 simulated minutes at 50
   phases). The price of never moving: the delay may rest up to a frame
   above target (the initial 20 ms above the fastest packet stays). A first
   packet faster or slower than the rest by under a frame does not move a
   fixed delay; clock drift does, a frame at a time.

   Long paths. A rising delay is met by stretching as soon as the target
   passes the offset (a late packet raises it at once), and a delay that has
   climbed block after block (three blocks of 64 packets in a row) adds the
   smaller of its last two climbs to the target: the climb is met before it
   arrives. A delay that falls is followed once the higher transits have
   left the estimator's window (~10 s). On a path of 1.1 s +- 300 ms
   (wandering, queued, so nothing overtakes) about 0.6 % of packets come late
   with the defaults (the buffer before this design: 8 %; make bench; the
   tests hold it to 1 %, stretching or moving whole frames).

   Spikes. A queue that stalls delivers what it held at once: the head of a
   spike is late whatever the delay was, unless the delay was already held
   for the spike before it. So a lone spike is forgotten two blocks (2.6 s)
   after it, not after 10 s, and spikes that recur (the next within 6
   blocks, 7.7 s) are held for the whole window, so their heads play. A
   spike: in one block, or two adjacent, three transits above the blocks'
   median by two frames and by twice the median's distance to the lowest
   block (a wandering path is not spiking), and no other block with two
   there. The line is near where the E-model weighs the two the same: for
   225 ms spikes on a 60 ms path, holding costs as much as losing them
   every 5.5 s, and between 5.5 and 7.7 s we keep the heads (make bench
   shows R for both cadences).

   Outliers: one packet's timestamp moves neither the delay, nor the
   ceiling, nor the media clock. A transit more than two frames below the
   window's smallest is the path getting faster (a queue that drained, a
   new route, a first packet that came late) or a timestamp that lies
   (garbled, forged, a sender that jumped its clock); alone it cannot say
   which, and taken it would lower base, so that the delay measured from
   base read far over the ceiling. It stays out of the estimate until the
   next number agrees (its transit within two frames). If its timestamp is
   also ahead of its place (past the newest packet's by more than the
   longest packet time, 1/8 s, for each number it is ahead) it is not
   queued either (MEDIA_JITTER_REFUSED, counted in rejected): played, it
   would hold playout in a made-up silence up to its time while the real
   stream went late behind it. A sender that really jumped its timestamps
   forward loses that one packet (concealed) and goes on from the next.
   The other way, a packet later than the target whose timestamp is behind
   its place by as much is late or queued as usual but kept out of the
   estimate (a real spike's head, its timestamp in its place, raises the
   target; a garbled one would raise it to the ceiling). A new packet time
   is taken when two pairs in a row show it (a forged 4 ms one would cut
   the ceiling, counted in packets, to a fifth). A frame whose whole time
   has played when its turn comes is late, never played with the media
   clock set back. A restart keeps the delay only up to the new stream's
   ceiling.

   Layout (struct media_jitter in >>layouts). With a thousand streams every
   cache line the packet path touches is a miss, so get() reads lines 0-1
   and put() lines 1-3 only (the session aligns the struct on a line;
   test_jitter asserts where each field sits). A field either path reads
   belongs on its line, the rest after them. */

#define MEDIA__JB_BLOCK 64
#define MEDIA__JB_TS0 ((int64_t)1 << 24)       /* extended timestamps start here: never negative */
#define MEDIA__JB_SEQ0 0x40000000u
#define MEDIA__JB_GUARD_US 2000
#define MEDIA__JB_DEADBAND_US 2000
#define MEDIA__JB_PATIENCE_US 2000000
#define MEDIA__JB_SPIKE_RECUR 6   /* blocks (7.7 s of 20 ms packets): spikes closer than this recur */
#define MEDIA__JB_IN_GAP 0x400u   /* in flags_next: the last output was GAP (>> 8 = MEDIA_JITTER_TALKSPURT) */

static int64_t media__jb_us(const media_jitter *jb, int64_t ts)
{
    if (ts < 0) ts = 0;
    return (int64_t)(((uint64_t)ts * jb->mul) >> 20);
}

/* microseconds of n RTP units, rounded the way media__jb_us() is */
static int64_t media__jb_span_us(const media_jitter *jb, int64_t n)
{
    return media__jb_us(jb, MEDIA__JB_TS0 + n) - media__jb_us(jb, MEDIA__JB_TS0);
}

/* RTP units in us microseconds (rounded down) */
static int64_t media__jb_units(const media_jitter *jb, int64_t us)
{
    return (int64_t)(((uint64_t)(us > 0 ? us : 0) << 20) / jb->mul);
}

/* get()'s common case is one range check on the playout offset: outside
   [grow_below, shrink_above] the delay is adjusted (media__jb_get_slow).
   Adaptive, the band starts at the quantile itself (target - guard): no
   packet the window has seen would be late; with stretching at target, so
   a rising delay is met a pitch period at a time before packets come late
   (below the quantile still, a frame that is not here is waited for). It
   ends a frame above target, so a frame dropped from above it still leaves the offset
   over target, and a frame added below it stays under the end: neither
   undoes the other. Fixed, the band reaches a frame below the delay asked
   for, so a first packet faster than the rest by less than a frame (the
   window's minimum rises once it leaves) moves nothing. Once a shrink
   begins with stretching (a pitch period at a time), the band's end comes
   down to target + frame/4 until it gets there. */
static void media__jb_bounds(media_jitter *jb)
{
    int64_t fus = jb->frame_us;
    jb->grow_below = jb->target - (jb->fixed ? fus : jb->stretch ? 0 : MEDIA__JB_GUARD_US);
    jb->shrink_above = jb->target + (jb->shrinking && jb->stretch ? fus / 4 : fus);
    if (jb->base + jb->max_us + fus / 2 < jb->shrink_above) jb->shrink_above = jb->base + jb->max_us + fus / 2;
}

/* The ceiling: max_delay_ms when set, else what the memory holds of this
   stream: its largest recent payload in MEDIA_JITTER_BYTES (one lost to
   the ring's wrap) and packets in MEDIA_JITTER_SLOTS, less the frame
   playing and the packet arriving. */
static void media__jb_ceiling(media_jitter *jb)
{
    int64_t frames = MEDIA_JITTER_SLOTS, cfgmax = (int64_t)jb->cfg.max_delay_ms * 1000, mem;
    if (jb->ceil_len && MEDIA_JITTER_BYTES / jb->ceil_len - 1 < frames) frames = MEDIA_JITTER_BYTES / jb->ceil_len - 1;
    frames -= 2;
    mem = (frames > 1 ? frames : 1) * jb->frame_us;
    jb->max_us = cfgmax && cfgmax < mem ? cfgmax : mem;
}

/* a shrink ends once the offset is down to where it was going */
static void media__jb_shrunk(media_jitter *jb, int64_t off)
{
    if (jb->shrinking && off <= jb->shrink_above) {
        jb->shrinking = 0;
        media__jb_bounds(jb);
    }
}

static void media__jb_set_frame(media_jitter *jb, int64_t n)
{
    jb->frame_ts = n;
    jb->frame_us = media__jb_span_us(jb, n);
    media__jb_ceiling(jb);
    media__jb_bounds(jb);
}

/* ---- payload bytes ----
   Payloads are copied in arrival order into a ring. Nothing is freed
   explicitly: when the room known to be free runs out, the oldest payload
   still queued is found (one pass over the slots, every few dozen packets)
   and the room recomputed. A payload handed out by get() stays intact until
   the next put(), the only writer, and after it for as long as
   media__jb_intact() says (the session rebuilds G.711's concealment history
   from played payloads). */

static void media__jb_pool_reset(media_jitter *jb)
{
    jb->head = 0;
    jb->room_end = MEDIA_JITTER_BYTES;
    jb->pool_gen++;
}

/* Whether a slot's payload is still in the pool: written in this
   generation, or in the previous one where the writing has not come back
   to it yet. (The generation kept in the slot is 8 bits: exact while fewer
   than 256 generations pass, far more than a slot lives.) */
static int media__jb_intact(const media_jitter *jb, const media__jitter_slot *s)
{
    uint8_t d = (uint8_t)(jb->pool_gen - s->gen);
    return d == 0 || (d == 1 && jb->head <= s->off);
}

static int media__jb_alloc_slow(media_jitter *jb, uint32_t len)
{
    uint32_t q, tail = 0, dmin = UINT32_MAX, at;
    if (!jb->queued) media__jb_pool_reset(jb);
    else {
        /* what is queued lies between the play position and the newest packet */
        for (q = jb->play_seq; (int32_t)(jb->ref_seq - q) >= 0 && q - jb->play_seq < MEDIA_JITTER_SLOTS; q++) {
            const media__jitter_slot *s = &jb->slot[q % MEDIA_JITTER_SLOTS];
            uint32_t dist = (s->off + MEDIA_JITTER_BYTES - jb->head) % MEDIA_JITTER_BYTES;
            if (s->used && s->seq == q && s->len && dist < dmin) { dmin = dist; tail = s->off; }
        }
        if (dmin == 0) return -1;                      /* the oldest starts at head: full */
        if (dmin == UINT32_MAX) media__jb_pool_reset(jb);   /* only empty payloads queued */
        else if (tail > jb->head) jb->room_end = tail;
        else if (MEDIA_JITTER_BYTES - jb->head >= len) jb->room_end = MEDIA_JITTER_BYTES;
        else { jb->head = 0; jb->room_end = tail; jb->pool_gen++; }   /* wrap; the end stays unused */
    }
    if (jb->room_end - jb->head < len) return -1;
    at = jb->head;
    jb->head += len;
    return (int)at;
}

static media__jitter_slot *media__jb_slot(media_jitter *jb, uint32_t seq)
{
    media__jitter_slot *s = &jb->slot[seq % MEDIA_JITTER_SLOTS];
    return s->used && s->seq == seq ? s : NULL;
}

/* duration of a queued frame: told by config.duration or by the next packet, else assumed */
static int64_t media__jb_dur(const media_jitter *jb, const media__jitter_slot *s)
{
    return s->samples ? s->samples : jb->frame_ts;
}

static void media__jb_drop_slot(media_jitter *jb, media__jitter_slot *s)
{
    s->used = 0;
    jb->queued--;
}

/* ---- estimator ---- */

static void media__jb_block_start(media_jitter *jb, int b)
{
    int i;
    jb->blk_n[b] = 0;
    jb->blk[b].min = INT64_MAX;
    for (i = 0; i < MEDIA__JITTER_TOP; i++) jb->blk[b].top[i] = INT64_MIN;
}

static void media__jb_cur_start(media_jitter *jb)
{
    int i;
    jb->cur_n = 0;
    jb->cur_min = INT64_MAX;
    for (i = 0; i < MEDIA__JITTER_TOP; i++) jb->cur_top[i] = INT64_MIN;
}

static int64_t media__jb_max(int64_t a, int64_t b) { return a > b ? a : b; }
static int64_t media__jb_min(int64_t a, int64_t b) { return a < b ? a : b; }

/* r = the three largest of two sorted (largest first) triples; r may be a.
   The k-th largest of the union is the largest of min(a[i], b[j]) over
   i + j = k - 2, with a[-1] = b[-1] = +infinity. Unused entries are INT64_MIN. */
static void media__jb_top3(int64_t *r, const int64_t *a, const int64_t *b)
{
    int64_t r0 = media__jb_max(a[0], b[0]);
    int64_t r1 = media__jb_max(media__jb_max(a[1], b[1]), media__jb_min(a[0], b[0]));
    int64_t r2 = media__jb_max(media__jb_max(a[2], b[2]), media__jb_max(media__jb_min(a[0], b[1]), media__jb_min(a[1], b[0])));
    r[0] = r0;
    r[1] = r1;
    r[2] = r2;
}

/* blocks from the one being filled back to b: 1 for the last completed */
static int media__jb_age(const media_jitter *jb, int b)
{
    return (jb->blk_cur - b + MEDIA__JITTER_BLOCKS) % MEDIA__JITTER_BLOCKS;
}

/* The completed blocks change only when one completes: their merged largest
   values, count and minimum are kept, so an estimate merges just two triples.
   A lone spike is left out of the merge once two blocks have followed it:
   its head was late whatever the delay was (a queue that stalls delivers
   what it held at once), and holding its height for the rest of the window
   would only add delay. A spike lifts one block, or two adjacent, well
   over the others (see the manual's "Spikes"); it recurs when the one
   before it was within MEDIA__JB_SPIKE_RECUR blocks, and then it is held. */
static void media__jb_summarise(media_jitter *jb)
{
    int b, i, n = 0, hi = -1, hi2 = -1, skip1 = -1, skip2 = -1;
    int64_t tops[MEDIA__JITTER_BLOCKS], peak[MEDIA__JITTER_TOP], over;
    for (b = 0; b < MEDIA__JITTER_BLOCKS; b++) {   /* the two highest blocks, and each block's highest */
        if (b == jb->blk_cur || jb->blk_n[b] != MEDIA__JB_BLOCK) continue;
        for (i = n++; i > 0 && tops[i - 1] > jb->blk[b].top[0]; i--) tops[i] = tops[i - 1];
        tops[i] = jb->blk[b].top[0];
        if (hi < 0 || jb->blk[b].top[0] > jb->blk[hi].top[0]) { hi2 = hi; hi = b; }
        else if (hi2 < 0 || jb->blk[b].top[0] > jb->blk[hi2].top[0]) hi2 = b;
    }
    if (n >= 4) {   /* a spike: over the blocks' median by two frames, and by twice as much as the lowest block is under it */
        int adjacent = media__jb_age(jb, hi) - media__jb_age(jb, hi2) == 1 || media__jb_age(jb, hi2) - media__jb_age(jb, hi) == 1;
        int alone = 1;
        over = tops[n / 2] + media__jb_max(2 * jb->frame_us, 2 * (tops[n / 2] - tops[0]));
        peak[0] = jb->blk[hi].top[0]; peak[1] = jb->blk[hi].top[1]; peak[2] = jb->blk[hi].top[2];
        if (adjacent) media__jb_top3(peak, peak, jb->blk[hi2].top);
        b = (jb->blk_cur + MEDIA__JITTER_BLOCKS - 1) % MEDIA__JITTER_BLOCKS;
        if (jb->blk[b].top[1] > over) {   /* the block just completed holds a spike */
            uint32_t gap = jb->blocks - jb->spike_blk;
            if (gap > 1) jb->spike_recur = gap <= MEDIA__JB_SPIKE_RECUR;   /* (1: the same spike, over a block's end) */
            jb->spike_blk = jb->blocks;
        }
        for (b = 0; b < MEDIA__JITTER_BLOCKS; b++)
            if (b != jb->blk_cur && jb->blk_n[b] && b != hi && !(adjacent && b == hi2) && jb->blk[b].top[1] > over) alone = 0;
        if (alone && !jb->spike_recur && peak[2] > over && media__jb_age(jb, hi) > 2 && (!adjacent || media__jb_age(jb, hi2) > 2)) {
            skip1 = hi;
            skip2 = adjacent ? hi2 : -1;
        }
    }
    jb->old_n = 0;
    jb->old_min = INT64_MAX;
    jb->old_top[0] = jb->old_top[1] = jb->old_top[2] = INT64_MIN;
    for (b = 0; b < MEDIA__JITTER_BLOCKS; b++) {
        if (b == jb->blk_cur) continue;
        jb->old_n += jb->blk_n[b];
        jb->old_min = media__jb_min(jb->old_min, jb->blk[b].min);
        if (b != skip1 && b != skip2) media__jb_top3(jb->old_top, jb->old_top, jb->blk[b].top);
    }
    {   /* a path whose delay climbs, block after block: the next will be higher still */
        int b1 = (jb->blk_cur + MEDIA__JITTER_BLOCKS - 1) % MEDIA__JITTER_BLOCKS;
        int b2 = (jb->blk_cur + MEDIA__JITTER_BLOCKS - 2) % MEDIA__JITTER_BLOCKS;
        int b3 = (jb->blk_cur + MEDIA__JITTER_BLOCKS - 3) % MEDIA__JITTER_BLOCKS;
        jb->rise = 0;
        if (jb->blk_n[b1] == MEDIA__JB_BLOCK && jb->blk_n[b2] == MEDIA__JB_BLOCK && jb->blk_n[b3] == MEDIA__JB_BLOCK)
            jb->rise = media__jb_max(0, media__jb_min(jb->blk[b1].top[2] - jb->blk[b2].top[2], jb->blk[b2].top[2] - jb->blk[b3].top[2]));
    }
}

static MEDIA__NOINLINE void media__jb_estimate(media_jitter *jb)
{
    int64_t best[MEDIA__JITTER_TOP], base, rel, lo, hi;
    int k;
    uint32_t n = jb->old_n + jb->cur_n;
    if (!n) return;
    media__jb_top3(best, jb->old_top, jb->cur_top);
    base = media__jb_min(jb->old_min, jb->cur_min);
    k = (int)((n * 4 + 999) / 1000);            /* 0.4 % of the window: 1..3, never more than n */
    if (k > MEDIA__JITTER_TOP) k = MEDIA__JITTER_TOP;
    jb->base = base;
    rel = best[k - 1] + MEDIA__JB_GUARD_US + jb->rise - base;
    if (jb->cfg.fixed_delay_ms) rel = (int64_t)jb->cfg.fixed_delay_ms * 1000;
    else if (n < MEDIA__JB_BLOCK && rel < jb->seed) rel = jb->seed;   /* until a block is measured */
    lo = (int64_t)jb->cfg.min_delay_ms * 1000;
    hi = jb->max_us > lo ? jb->max_us : lo;
    if (rel > hi) rel = hi;
    if (rel < lo) rel = lo;
    /* up at once; down only by more than the deadband: the quantile's
       wobble (microseconds on a steady path) never moves the band */
    if (base + rel > jb->target || base + rel < jb->target - MEDIA__JB_DEADBAND_US) jb->target = base + rel;
    media__jb_bounds(jb);
}

static MEDIA__NOINLINE void media__jb_block_done(media_jitter *jb)
{
    int b = jb->blk_cur, i;
    for (i = 0; i < MEDIA__JITTER_TOP; i++) jb->blk[b].top[i] = jb->cur_top[i];
    jb->blk[b].min = jb->cur_min;
    jb->blk_n[b] = (uint8_t)jb->cur_n;
    if (jb->cur_maxlen != jb->ceil_len) {
        jb->ceil_len = jb->cur_maxlen;
        media__jb_ceiling(jb);
    }
    jb->cur_maxlen = 0;
    jb->blocks++;
    jb->blk_cur = (uint16_t)((b + 1) % MEDIA__JITTER_BLOCKS);
    media__jb_block_start(jb, jb->blk_cur);   /* the oldest, replaced by the one now filled */
    media__jb_cur_start(jb);
    media__jb_summarise(jb);
}

/* Records transit t and re-estimates every 16 packets, and at once when a
   packet is (nearly) late or below the window's minimum. Whether t is among
   the largest is a coin toss each time, so the block's minimum and top three
   are kept with selects rather than branches (a mispredicted branch costs
   more than the whole update). */
MEDIA__HOT_TEXT static void media__jb_observe(media_jitter *jb, int64_t t)
{
    int now = (t > jb->target - MEDIA__JB_GUARD_US) | (t < jb->base);
    int64_t *top = jb->cur_top, x, y;
    unsigned n;
    jb->cur_min = media__jb_min(jb->cur_min, t);
    x = media__jb_min(top[0], t);
    top[0] = media__jb_max(top[0], t);
    y = media__jb_min(top[1], x);
    top[1] = media__jb_max(top[1], x);
    top[2] = media__jb_max(top[2], y);
    n = ++jb->cur_n;
    if (n == MEDIA__JB_BLOCK) media__jb_block_done(jb);
    if (now || (n & 15) == 0) media__jb_estimate(jb);
}

/* ("Outliers" in the banner) 0: as usual; 1: on, unobserved; 2: refuse it. */
static MEDIA__NOINLINE int media__jb_outlier(media_jitter *jb, int64_t t, uint32_t eseq, int64_t ets, int32_t ahead)
{
    int64_t m = 2 * jb->frame_us;
    int was = jb->suspect;
    jb->suspect = 0;
    if (t > jb->target)
        return jb->ref_ts - ets > (int64_t)(ahead < 0 ? 1 - ahead : 1) * jb->max_delta;
    if (t >= jb->base - m) return 0;
    if (was && eseq == jb->suspect_seq + 1 && t - jb->suspect_t <= m && jb->suspect_t - t <= m) return 0;   /* the next agrees */
    jb->suspect = 1;
    jb->suspect_t = t;
    jb->suspect_seq = eseq;
    return ets - jb->ref_ts > (int64_t)(ahead > 1 ? ahead : 1) * jb->max_delta ? 2 : 1;
}

/* ---- stream ---- */

static void media__jb_flush(media_jitter *jb)
{
    int i;
    for (i = 0; i < MEDIA_JITTER_SLOTS; i++)
        if (jb->slot[i].used) { jb->slot[i].used = 0; jb->st.flushed++; }
    jb->queued = 0;
    media__jb_pool_reset(jb);
}

static void media__jb_start(media_jitter *jb, const media_rtp_packet *p, int64_t arrival, int64_t delay)
{
    int64_t t0, f = (int64_t)jb->cfg.frame_ms * jb->cfg.clock_rate / 1000;
    int b;
    media__jb_flush(jb);
    jb->started = 1;
    jb->ssrc = p->ssrc;
    jb->ref_seq = MEDIA__JB_SEQ0 + p->seq;
    jb->ref_ts = MEDIA__JB_TS0;
    jb->ts_raw_off = p->timestamp - (uint32_t)MEDIA__JB_TS0;
    jb->play_seq = jb->ref_seq;
    jb->play_ts = MEDIA__JB_TS0;
    t0 = arrival - media__jb_us(jb, MEDIA__JB_TS0);
    jb->ceil_len = (uint32_t)p->payload_len;
    jb->cur_maxlen = 0;
    media__jb_set_frame(jb, f > 0 ? f : 1);
    /* the delay kept over a restart fits under the new stream's ceiling
       (larger packets, a shorter packet time: fewer fit in the memory) */
    if (delay > jb->max_us && !jb->cfg.fixed_delay_ms) delay = jb->max_us;
    jb->next_play_us = arrival + delay;
    for (b = 0; b < MEDIA__JITTER_BLOCKS; b++) media__jb_block_start(jb, b);
    media__jb_cur_start(jb);
    jb->blk_cur = 0;
    jb->spike_blk = jb->blocks - 1000;   /* none yet */
    jb->spike_recur = 0;
    media__jb_summarise(jb);
    jb->seed = delay;
    jb->base = t0;
    jb->target = t0 + delay;
    jb->shrinking = 0;
    media__jb_bounds(jb);
    jb->want = 0;
    jb->excess_since_us = 0;
    jb->pending_gap = 0;
    jb->played_mask = 0;
    jb->flags_next = MEDIA_JITTER_TALKSPURT;
    jb->late_run = 0;
    jb->suspect = 0;
    jb->frame_seen = 0;
}

MEDIADEF void media_jitter_config_init(media_jitter_config *cfg)
{
    if (!cfg) return;
    memset(cfg, 0, sizeof *cfg);
    cfg->clock_rate = 8000;
    cfg->frame_ms = 20;
    cfg->min_delay_ms = 0;
    cfg->max_delay_ms = 0;
    cfg->initial_delay_ms = 20;
}

MEDIADEF int media_jitter_init(media_jitter *jb, const media_jitter_config *cfg)
{
    media_jitter_config def;
    int64_t ceil;
    if (!jb) return MEDIA_EINVAL;
    if (!cfg) { media_jitter_config_init(&def); cfg = &def; }
    if (cfg->clock_rate < 1000 || cfg->clock_rate > 1048576 || (cfg->max_delay_ms && cfg->min_delay_ms > cfg->max_delay_ms) ||
        cfg->max_delay_ms > 60000 || cfg->min_delay_ms > 60000 || cfg->frame_ms == 0 || cfg->frame_ms > 1000)
        return MEDIA_EINVAL;
    memset(jb, 0, offsetof(media_jitter, slot));
    memset(jb->slot, 0, sizeof jb->slot);
    jb->cfg = *cfg;
    jb->duration = cfg->duration;
    jb->max_delta = cfg->clock_rate / 8;
    jb->mul = (((uint64_t)1000000 << 20) + cfg->clock_rate / 2) / cfg->clock_rate;
    jb->stretch = cfg->stretch != 0;
    jb->fixed = cfg->fixed_delay_ms != 0;
    /* past the longest the ceiling can be: a packet this far off the stream starts it over */
    ceil = cfg->max_delay_ms ? (int64_t)cfg->max_delay_ms * 1000 : (int64_t)MEDIA_JITTER_SLOTS * cfg->frame_ms * 1000;
    if (ceil < (int64_t)cfg->min_delay_ms * 1000) ceil = (int64_t)cfg->min_delay_ms * 1000;
    jb->late_jump_us = 1000000 + ceil;
    jb->early_jump_us = 500000 + ceil;
    jb->max_us = ceil;
    jb->next_play_us = INT64_MAX;
    media__jb_pool_reset(jb);
    return MEDIA_OK;
}

MEDIADEF void media_jitter_reset(media_jitter *jb)
{
    if (!jb) return;
    media__jb_flush(jb);
    jb->started = 0;
    jb->next_play_us = INT64_MAX;
}

/* Skips the play position forward to seq, dropping what is queued before it. */
static void media__jb_skip_to(media_jitter *jb, uint32_t seq, uint64_t *counter)
{
    while ((int32_t)(seq - jb->play_seq) > 0) {
        media__jitter_slot *s = media__jb_slot(jb, jb->play_seq);
        if (s) {
            if (jb->play_ts < s->ts + media__jb_dur(jb, s)) jb->play_ts = s->ts + media__jb_dur(jb, s);
            media__jb_drop_slot(jb, s);
            (*counter)++;
        }
        jb->play_seq++;
        jb->played_mask <<= 1;
    }
}

/* A new SSRC (or the first packet), or a packet that no longer fits the
   stream: a restarted sequence, or a timestamp that jumped (the far end
   parked and resumed): start over at delay (the first packet: at the
   configured one). */
static MEDIA__NOINLINE int media__jb_resync(media_jitter *jb, const media_rtp_packet *p, int64_t arrival, int64_t delay)
{
    int again = jb->started;
    if (!again) delay = jb->cfg.fixed_delay_ms ? (int64_t)jb->cfg.fixed_delay_ms * 1000
                                               : (int64_t)jb->cfg.initial_delay_ms * 1000;
    else jb->st.resyncs++;
    media__jb_start(jb, p, arrival, delay);
    return again;
}

/* Late packets numbered far behind what was played (more than the 64 the
   duplicate check remembers), coming in sequence at the stream's own pace,
   are not stragglers (those are a few numbers back, or arrive in a burst
   after a stall): the sender restarted its stream under the same SSRC with
   its numbers and timestamps set back by less than a jump (a PBX
   re-anchoring a transferred call, a device restarted with the same seed).
   After MEDIA__JB_LATE_RESTART of them the stream starts over from the
   last, at the delay from before them (their lateness pushed the estimate
   up). A path whose delay grows past the maximum is not this: its late
   packets are the ones just given up on, and the maximum holds. */
#define MEDIA__JB_LATE_RESTART 8
static int media__jb_late_run(media_jitter *jb, uint32_t eseq, int64_t arrival, int64_t delay)
{
    if (eseq != jb->late_seq + 1u || !jb->late_run) { jb->late_run = 1; jb->late_delay = delay; }
    else if (arrival - jb->late_at_us >= jb->frame_us / 2) jb->late_run++;
    jb->late_seq = eseq;
    jb->late_at_us = arrival;
    return jb->late_run >= MEDIA__JB_LATE_RESTART;
}

#define MEDIA__JB_RESTART (-2)

/* A packet that is not simply ahead of the play position: a put() result
   when done with it, -1 to queue it, MEDIA__JB_RESTART to start the stream
   over from it. */
static MEDIA__NOINLINE int media__jb_put_odd(media_jitter *jb, uint32_t eseq, int64_t ets, int32_t d, int64_t arrival,
                                              int64_t delay)
{
    media__jitter_slot *s = &jb->slot[eseq % MEDIA_JITTER_SLOTS];
    if (d < 0 || ets < jb->play_ts) {
        /* a number already played is a duplicate, unless its slot still
           holds that packet and the timestamps differ: a new packet under an
           old number (a restarted stream) */
        if ((d < 0 && d >= -64 && ((jb->played_mask >> (-d - 1)) & 1) && !(s->seq == eseq && s->ts != ets)) ||
            (s->used && s->seq == eseq)) {
            jb->st.duplicates++;
            return MEDIA_JITTER_DUPLICATE;
        }
        if (d < -64 && media__jb_late_run(jb, eseq, arrival, delay)) return MEDIA__JB_RESTART;
        jb->st.late++;
        if (d >= 0) {   /* waited for during a gap, but its time has gone by */
            media__jb_skip_to(jb, eseq + 1, &jb->st.late);
            jb->pending_gap = 0;
        }
        return MEDIA_JITTER_LATE;
    }
    if (s->used && s->seq == eseq) { jb->st.duplicates++; return MEDIA_JITTER_DUPLICATE; }
    /* beyond the window (a flood): the oldest queued frames make room */
    if (d >= MEDIA_JITTER_SLOTS) media__jb_skip_to(jb, eseq - MEDIA_JITTER_SLOTS + 1, &jb->st.overflow);
    return -1;
}

/* No room for the payload: the oldest queued frames go, unless this one is
   older than all of them. -1: dropped. */
static MEDIA__NOINLINE int media__jb_make_room(media_jitter *jb, uint32_t eseq, uint32_t len)
{
    int at;
    while ((at = media__jb_alloc_slow(jb, len)) < 0) {
        uint32_t q = jb->play_seq;
        while (!media__jb_slot(jb, q)) {
            MEDIA_ASSERT(q - jb->play_seq < MEDIA_JITTER_SLOTS);   /* full, so something is queued */
            q++;
        }
        if ((int32_t)(eseq - q) < 0) { jb->st.overflow++; return -1; }
        media__jb_skip_to(jb, q + 1, &jb->st.overflow);
    }
    return at;
}

/* the packet time when config.duration tells it */
static MEDIA__NOINLINE void media__jb_told(media_jitter *jb, media__jitter_slot *s, const media_rtp_packet *pkt)
{
    int n = jb->cfg.duration(pkt->payload, pkt->payload_len, jb->cfg.user);
    if (n > 0) {
        s->samples = (uint32_t)n;
        if (s->samples != jb->frame_ts) media__jb_set_frame(jb, s->samples);
    } else {
        media__jitter_slot *prev = media__jb_slot(jb, s->seq - 1);
        int64_t delta = prev ? s->ts - prev->ts : 0;
        if (delta > 0 && !s->marker && delta <= (int64_t)jb->cfg.clock_rate / 8 && delta != jb->frame_ts)
            media__jb_set_frame(jb, delta);
    }
}

MEDIA__HOT_TEXT MEDIA__CACHE_ALIGNED MEDIADEF int media_jitter_put(media_jitter *jb, const media_rtp_packet *pkt, uint64_t arrival_us)
{
    int64_t a = (int64_t)arrival_us, ets, t, off, delay0;
    uint32_t eseq, len;
    int32_t d, ahead;
    int resynced = 0, at;
    media__jitter_slot *s;
    if (!jb || !pkt || (pkt->payload_len && !pkt->payload)) return MEDIA_EINVAL;
    jb->packets++;
    if (pkt->payload_len > MEDIA_JITTER_MAX_PAYLOAD) { jb->st.rejected++; return MEDIA_ENOSPC; }
    len = (uint32_t)pkt->payload_len;
    if (!jb->started || pkt->ssrc != jb->ssrc) resynced = media__jb_resync(jb, pkt, a, jb->target - jb->base);
    eseq = jb->ref_seq + (uint32_t)(int32_t)(int16_t)(uint16_t)(pkt->seq - (uint16_t)jb->ref_seq);
    ets = jb->ref_ts + (int32_t)(pkt->timestamp - ((uint32_t)jb->ref_ts + jb->ts_raw_off));
    t = a - media__jb_us(jb, ets);
    off = jb->next_play_us - media__jb_us(jb, jb->play_ts);
    ahead = (int32_t)(eseq - jb->ref_seq);
    /* a sequence jump, or a timestamp far outside the stream: start over */
    if ((uint32_t)ahead + (MEDIA_RTP_MAX_MISORDER + 1000) > MEDIA_RTP_MAX_DROPOUT + MEDIA_RTP_MAX_MISORDER + 1000 ||
        (uint64_t)t - (uint64_t)off + (uint64_t)jb->early_jump_us > (uint64_t)(jb->late_jump_us + jb->early_jump_us)) {
        media__jb_resync(jb, pkt, a, jb->target - jb->base);
        resynced = 1;
        eseq = jb->ref_seq;
        ets = jb->ref_ts;
        ahead = 0;
        t = a - media__jb_us(jb, ets);
    }
    delay0 = jb->target - jb->base;
    if (len > jb->cur_maxlen) jb->cur_maxlen = (uint16_t)len;
    if ((t < jb->base) | (t > jb->target) | jb->suspect) {   /* outside the window's transits: how far? */
        int o = media__jb_outlier(jb, t, eseq, ets, ahead);
        if (o == 2) { jb->st.rejected++; return MEDIA_JITTER_REFUSED; }
        if (o == 0) media__jb_observe(jb, t);
    } else {
        media__jb_observe(jb, t);
    }
    d = (int32_t)(eseq - jb->play_seq);
    s = &jb->slot[eseq % MEDIA_JITTER_SLOTS];
    if ((uint32_t)d >= MEDIA_JITTER_SLOTS || ets < jb->play_ts || s->used) {
        int rc = media__jb_put_odd(jb, eseq, ets, d, a, delay0);
        if (rc == MEDIA__JB_RESTART) {
            media__jb_resync(jb, pkt, a, jb->late_delay);
            resynced = 1;
            eseq = jb->ref_seq;
            ets = jb->ref_ts;
            ahead = 0;
            d = 0;
            s = &jb->slot[eseq % MEDIA_JITTER_SLOTS];
            media__jb_observe(jb, a - media__jb_us(jb, ets));
        } else if (rc >= 0) {
            return rc;
        }
    }
    if (jb->room_end - jb->head >= len) {
        at = (int)jb->head;
        jb->head += len;
    } else if ((at = media__jb_make_room(jb, eseq, len)) < 0) {
        return MEDIA_JITTER_DROPPED;
    }
    s->ts = ets;
    s->seq = eseq;
    s->samples = 0;
    s->off = (uint16_t)at;
    s->len = (uint16_t)len;
    s->gen = (uint8_t)jb->pool_gen;
    s->used = 1;
    s->marker = pkt->marker != 0;
    s->pt = pkt->payload_type;
    jb->queued++;
    /* the packet time, as the stream shows it: the previous packet's length
       when only the timestamps tell it (up to 1/8 s, not across a marker) */
    if (!jb->duration) {
        media__jitter_slot *prev = &jb->slot[(eseq - 1) % MEDIA_JITTER_SLOTS];
        int64_t delta = ets - prev->ts;
        if (prev->used && prev->seq == eseq - 1 && !s->marker && (uint64_t)(delta - 1) < jb->max_delta) {
            prev->samples = (uint32_t)delta;
            /* a new packet time once two pairs in a row show it: one
               garbled or forged timestamp would otherwise move the
               ceiling, which is counted in packets of that time */
            if (delta != jb->frame_ts) {
                if ((uint32_t)delta == jb->frame_seen) media__jb_set_frame(jb, delta);
                jb->frame_seen = (uint32_t)delta;
            } else if (jb->frame_seen) {
                jb->frame_seen = 0;
            }
        }
    } else {
        media__jb_told(jb, s, pkt);
    }
    if (ahead > 0) {   /* the newest packet: sequence and timestamps extend from it */
        jb->ref_seq = eseq;
        jb->ref_ts = ets;
    }
    /* the end of a gap: in sequence means it was silence */
    if (d == 0 && jb->pending_gap) {
        jb->st.silence += jb->pending_gap;
        jb->pending_gap = 0;
    }
    if (len) memcpy(jb->pool + at, pkt->payload, len);   /* last: fewer values live across the call */
    return resynced ? MEDIA_JITTER_RESYNCED : MEDIA_JITTER_QUEUED;
}

static void media__jb_emit(media_jitter *jb, media_jitter_frame *out, int64_t samples)
{
    out->timestamp = (uint32_t)jb->play_ts + jb->ts_raw_off;
    out->samples = (uint32_t)samples;
    jb->next_play_us += samples == jb->frame_ts ? jb->frame_us : media__jb_span_us(jb, samples);
}

/* the delay on the buffer's own schedule: what stats and the session report */
static int64_t media__jb_delay_us(const media_jitter *jb)
{
    /* (below the smallest transit for a moment, when the path slowed and
       playout has not caught up: every packet late, no delay to speak of) */
    int64_t d = jb->started ? jb->next_play_us - media__jb_us(jb, jb->play_ts) - jb->base : 0;
    return d > 0 ? d : 0;
}

/* Everything but the common case (see media_jitter_get): the delay adjusted,
   losses, silence. -1: play the frame at play_seq. */
static MEDIA__NOINLINE int media__jb_get_slow(media_jitter *jb, int64_t now, media_jitter_frame *out)
{
    int64_t off, fus, maxd;
    media__jitter_slot *s;
    int here;
    memset(out, 0, sizeof *out);
    /* the offset this frame really gets: the caller's clock may tick after
       it was due. A fixed delay is kept on the buffer's own schedule, so
       where the caller's ticks fall does not move it. */
    off = (jb->fixed ? jb->next_play_us : now) - media__jb_us(jb, jb->play_ts);
    fus = jb->frame_us;
    maxd = jb->max_us;
    s = media__jb_slot(jb, jb->play_seq);
    here = s && s->ts <= jb->play_ts;
    /* its turn, but its whole time has played already (a timestamp behind
       its place: garbled, forged): late. Played, it would set the media
       clock back, and the delay measured against it up. */
    if (here && s->ts + media__jb_dur(jb, s) <= jb->play_ts) {
        media__jb_skip_to(jb, jb->play_seq + 1, &jb->st.late);
        return media_jitter_get(jb, (uint64_t)now, out);
    }
    /* grow: below the band, or nothing here to play while under target (the
       packet is most likely just late: wait for it instead of losing it) */
    if ((off < jb->grow_below || (off < jb->target && !s && !jb->queued)) && off + fus - jb->base <= maxd) {
        jb->excess_since_us = 0;
        if (jb->shrinking) { jb->shrinking = 0; media__jb_bounds(jb); }
        out->seq = (uint16_t)jb->play_seq;
        if (!s && !jb->queued) {   /* hold: the media clock waits a frame */
            media__jb_emit(jb, out, jb->frame_ts);
            jb->st.gap++;
            jb->pending_gap++;
            jb->flags_next |= MEDIA__JB_IN_GAP;
            return MEDIA_JITTER_GAP;
        }
        if (s && !here) {          /* in a silence (DTX): hold it a frame longer */
            media__jb_emit(jb, out, jb->frame_ts);
            out->flags = MEDIA_JITTER_SILENCE;
            jb->st.gap++;
            jb->st.silence++;
            jb->flags_next |= MEDIA__JB_IN_GAP;
            return MEDIA_JITTER_GAP;
        }
        if (here && jb->stretch) {
            /* lengthened by up to what takes the offset to target + a frame,
               under the band's end whatever the caller does */
            jb->want = (int32_t)media__jb_min(media__jb_units(jb, jb->target + fus - off), jb->frame_ts);
            jb->flags_next |= MEDIA_JITTER_STRETCH;
            return -1;
        }
        media__jb_emit(jb, out, jb->frame_ts);
        out->flags = MEDIA_JITTER_INSERTED;
        jb->st.inserted++;
        return MEDIA_JITTER_LOST;
    }
    /* shrink: in silence or at a talkspurt start at once, else after a
       patience that shortens with the square of the excess (2 s at one
       frame, 0.5 s at two, ...); above the ceiling at once, by whole frames */
    if (off > jb->shrink_above) {
        int64_t excess = off - jb->target, x = excess / (fus > 0 ? fus : 1);
        int64_t patience = MEDIA__JB_PATIENCE_US / (x > 1 ? x * x : 1);
        int quiet = !s ? !jb->queued : (s->marker || s->ts > jb->play_ts);
        int over = off - jb->base > maxd + fus / 2;
        if (!jb->excess_since_us) jb->excess_since_us = now;
        if (quiet || over || jb->shrinking || now - jb->excess_since_us >= patience) {
            if (!jb->shrinking) { jb->shrinking = 1; media__jb_bounds(jb); }
            if (here && jb->stretch && !over) {
                jb->want = -(int32_t)media__jb_min(media__jb_units(jb, excess), jb->frame_ts);   /* never below target */
                jb->flags_next |= MEDIA_JITTER_STRETCH;
                return -1;
            }
            if (here) {
                /* above the ceiling, as many frames as it takes for the
                   delay on the buffer's own schedule to be under it again
                   at once (a path that shortened by half a second would
                   otherwise stay over it for a frame per frame); a caller
                   merely late still loses one frame, as before */
                int64_t left = off;
                do {
                    int64_t end = s->ts + media__jb_dur(jb, s), was = jb->play_ts;
                    media__jb_drop_slot(jb, s);
                    jb->st.dropped++;
                    jb->play_seq++;
                    jb->played_mask <<= 1;
                    if (end > was) {   /* (the clock never goes back: see "its whole time" above) */
                        jb->play_ts = end;
                        left -= media__jb_us(jb, end) - media__jb_us(jb, was);
                    }
                    s = media__jb_slot(jb, jb->play_seq);
                } while (over && s && s->ts <= jb->play_ts && media__jb_delay_us(jb) > maxd + fus / 2);
                if (!(jb->flags_next & MEDIA_JITTER_TALKSPURT)) jb->flags_next |= MEDIA_JITTER_DISCONTINUITY;
                media__jb_shrunk(jb, left);
            } else {
                /* in silence: cut up to a frame of it, not below target
                   (above the ceiling: the whole excess) */
                int64_t cut = over ? media__jb_delay_us(jb) - maxd : excess, skip;
                if (over && cut < fus) cut = fus;
                skip = media__jb_units(jb, cut);
                if (skip > jb->frame_ts && !over) skip = jb->frame_ts;
                if (s && s->ts - jb->play_ts < skip) skip = s->ts - jb->play_ts;
                jb->play_ts += skip;
                jb->st.silence_cut_us += (uint64_t)media__jb_span_us(jb, skip);
                media__jb_shrunk(jb, off - media__jb_span_us(jb, skip));
            }
        }
    } else {
        jb->excess_since_us = 0;
        if (jb->shrinking) { jb->shrinking = 0; media__jb_bounds(jb); }
    }
    out->seq = (uint16_t)jb->play_seq;
    if (s && s->ts <= jb->play_ts) return -1;
    if (s) {
        /* in sequence but later: a silence (DTX) before it */
        int64_t dur = s->ts - jb->play_ts < jb->frame_ts ? s->ts - jb->play_ts : jb->frame_ts;
        media__jb_emit(jb, out, dur);
        out->flags = MEDIA_JITTER_SILENCE;
        jb->play_ts += dur;
        jb->st.gap++;
        jb->st.silence++;
        jb->flags_next |= MEDIA__JB_IN_GAP;
        return MEDIA_JITTER_GAP;
    }
    if (jb->queued) {
        /* missing, and something after it is here: a loss */
        uint32_t q = jb->play_seq + 1;
        media__jitter_slot *n;
        int64_t dur;
        while (!(n = media__jb_slot(jb, q))) {
            MEDIA_ASSERT(q - jb->play_seq < MEDIA_JITTER_SLOTS);   /* everything queued is in the window */
            q++;
        }
        dur = (n->ts - jb->play_ts) / (int64_t)(q - jb->play_seq);
        if (dur > jb->frame_ts) dur = jb->frame_ts;
        if (dur <= 0) {   /* no time left for it: go straight to the next one */
            jb->st.lost += q - jb->play_seq;
            media__jb_skip_to(jb, q, &jb->st.late);
            return media_jitter_get(jb, (uint64_t)now, out);
        }
        media__jb_emit(jb, out, dur);
        jb->play_ts += dur;
        jb->play_seq++;
        jb->played_mask <<= 1;
        jb->st.lost++;
        jb->flags_next &= ~MEDIA__JB_IN_GAP;
        return MEDIA_JITTER_LOST;
    }
    /* nothing here: silence, or a loss not known yet */
    media__jb_emit(jb, out, jb->frame_ts);
    jb->play_ts += jb->frame_ts;
    jb->st.gap++;
    jb->pending_gap++;
    jb->flags_next |= MEDIA__JB_IN_GAP;
    return MEDIA_JITTER_GAP;
}

/* what get() and peek() say of a queued packet (flags aside) */
static void media__jb_frame_of(const media_jitter *jb, const media__jitter_slot *s, int64_t dur, media_jitter_frame *out)
{
    out->payload = jb->pool + s->off;
    out->len = s->len;
    out->timestamp = (uint32_t)s->ts + jb->ts_raw_off;
    out->seq = (uint16_t)s->seq;
    out->payload_type = s->pt;
    out->marker = s->marker;
    out->samples = (uint32_t)dur;
    out->stretch = 0;
}

MEDIA__HOT_TEXT MEDIA__CACHE_ALIGNED MEDIADEF int media_jitter_get(media_jitter *jb, uint64_t now_us, media_jitter_frame *out)
{
    int64_t now = (int64_t)now_us, off, dur;
    uint32_t f;
    media__jitter_slot *s;
    if (!jb || !out) return MEDIA_EINVAL;
    if (now < jb->next_play_us) { memset(out, 0, sizeof *out); return MEDIA_JITTER_NONE; }   /* also before a packet */
    /* the common case: the next frame is here, due, and the delay on target */
    off = (jb->fixed ? jb->next_play_us : now) - media__jb_us(jb, jb->play_ts);
    s = &jb->slot[jb->play_seq % MEDIA_JITTER_SLOTS];
    if (off >= jb->grow_below && off <= jb->shrink_above && s->used && s->seq == jb->play_seq && s->ts == jb->play_ts) {
        jb->excess_since_us = 0;
    } else {
        int rc = media__jb_get_slow(jb, now, out);
        if (rc >= 0) return rc;
        s = &jb->slot[jb->play_seq % MEDIA_JITTER_SLOTS];
    }
    /* play s: the marker, or a gap before it, starts a talkspurt */
    f = jb->flags_next;
    dur = media__jb_dur(jb, s);
    media__jb_frame_of(jb, s, dur, out);
    out->flags = ((f | f >> 8) & (7u | MEDIA_JITTER_STRETCH)) | ((uint32_t)s->marker << 2);
    out->stretch = jb->want;
    jb->want = 0;
    jb->flags_next = 0;
    jb->next_play_us += dur == jb->frame_ts ? jb->frame_us : media__jb_span_us(jb, dur);
    jb->play_ts = s->ts + dur;
    jb->play_seq++;
    jb->played_mask = (jb->played_mask << 1) | 1u;
    s->used = 0;
    jb->queued--;
    jb->pending_gap = 0;
    jb->played++;
    return MEDIA_JITTER_FRAME;
}

MEDIADEF int media_jitter_peek(const media_jitter *jb, media_jitter_frame *out)
{
    const media__jitter_slot *s;
    if (!jb || !out) return MEDIA_EINVAL;
    memset(out, 0, sizeof *out);
    s = &jb->slot[jb->play_seq % MEDIA_JITTER_SLOTS];
    if (!jb->started || !s->used || s->seq != jb->play_seq) return MEDIA_JITTER_NONE;
    media__jb_frame_of(jb, s, media__jb_dur(jb, s), out);
    return MEDIA_JITTER_FRAME;
}

MEDIADEF int media_jitter_played_get(const media_jitter *jb, uint16_t seq, media_jitter_frame *out)
{
    const media__jitter_slot *s;
    uint32_t back, ext;
    if (!jb || !out) return MEDIA_EINVAL;
    memset(out, 0, sizeof *out);
    back = (uint16_t)((uint16_t)jb->play_seq - seq);   /* 1: the one before play_seq */
    if (!jb->started || back == 0 || back > MEDIA_JITTER_SLOTS) return MEDIA_ENOTFOUND;
    ext = jb->play_seq - back;
    s = &jb->slot[ext % MEDIA_JITTER_SLOTS];
    if (s->seq != ext || s->used || !media__jb_intact(jb, s)) return MEDIA_ENOTFOUND;
    media__jb_frame_of(jb, s, media__jb_dur(jb, s), out);
    return MEDIA_JITTER_FRAME;
}

/* the current delay: playout offset above the fastest recent packet */

MEDIADEF int media_jitter_stretched(media_jitter *jb, int32_t samples)
{
    int64_t us;
    if (!jb || samples > (int32_t)jb->cfg.clock_rate || samples < -(int32_t)jb->cfg.clock_rate) return MEDIA_EINVAL;
    if (!jb->started || !samples) return MEDIA_OK;
    us = media__jb_span_us(jb, samples < 0 ? -(int64_t)samples : samples);
    if (samples > 0) { jb->next_play_us += us; jb->st.stretched_us += (uint64_t)us; }
    else { jb->next_play_us -= us; jb->st.compressed_us += (uint64_t)us; }
    media__jb_shrunk(jb, jb->next_play_us - media__jb_us(jb, jb->play_ts));
    return MEDIA_OK;
}

MEDIADEF void media_jitter_stats_get(const media_jitter *jb, media_jitter_stats *st)
{
    if (!jb || !st) return;
    *st = jb->st;
    st->max_us = jb->max_us;
    st->packets = jb->packets;
    st->played = jb->played;
    st->queued = jb->queued;
    if (!jb->started) return;
    st->delay_us = media__jb_delay_us(jb);
    st->target_us = jb->target - jb->base;
    st->buffered_us = 0;
    if (jb->queued) {
        int64_t end = jb->play_ts;
        uint32_t q;
        for (q = jb->play_seq; q != jb->play_seq + MEDIA_JITTER_SLOTS; q++) {
            const media__jitter_slot *s = &jb->slot[q % MEDIA_JITTER_SLOTS];
            if (s->used && s->seq == q && s->ts + media__jb_dur(jb, s) > end) end = s->ts + media__jb_dur(jb, s);
        }
        st->buffered_us = media__jb_us(jb, end) - media__jb_us(jb, jb->play_ts);
    }
}

/* >>plc implementation ----------------------------------------------------
   After ITU-T G.711 Appendix I's outline (own code): the pitch period is the
   lag (5-15 ms) of best normalised correlation between the last 20 ms and the
   signal before it; the concealment repeats the last period (two after 10 ms,
   three after 20 ms, to sound less buzzy), level-matched at the seam, fading
   by 20 % per 10 ms after the first 10 ms and silent after 60 ms; the first
   real frame after it is cross-faded from the concealment's continuation over
   a quarter period plus 4 ms per 10 ms lost (at most 10 ms). */

static int media__plc_scale(const media_plc *plc, int n8k) { return (int)((int64_t)n8k * (int64_t)plc->rate / 8000); }

MEDIADEF int media_plc_init(media_plc *plc, uint32_t sample_rate)
{
    if (!plc || sample_rate < 8000 || sample_rate > MEDIA_PLC_MAX_RATE) return MEDIA_EINVAL;
    memset(plc, 0, sizeof *plc);
    plc->rate = sample_rate;
    return MEDIA_OK;
}

static int media__plc_hist_cap(const media_plc *plc) { return media__plc_scale(plc, MEDIA_PLC_HISTORY); }

/* The period: the lag (5-15 ms) of best normalised correlation between the
   last 20 ms and the signal before it, refined to a fraction of a sample by a
   parabola through the neighbouring lags (an integer period drifts out of
   phase within a few periods at the higher harmonics). */
static double media__plc_pitch(media_plc *plc, const int16_t *h)
{
    int len = plc->hist_len, lo = media__plc_scale(plc, 40), hi = media__plc_scale(plc, 120);
    int w = media__plc_scale(plc, 80), best = hi, p, i;
    double score[(120 - 40 + 1) * (MEDIA_PLC_MAX_RATE / 8000) + 2], best_score = -1.0, best_xy = 0, best_yy = 1, xx = 1e-9;
    double frac = 0;
    const int16_t *x;
    int64_t yy_i = 0;
    if (w + hi > len) {            /* short history: the longest period that fits */
        w = len - hi;
        if (w < lo) { plc->corr = 0.5; return len / 2 > 1 ? (len / 2 < hi ? len / 2 : hi) : 1; }
    }
    x = h + len - w;
    for (i = 0; i < w; i++) xx += (double)x[i] * x[i];
    for (i = 0; i < w; i++) yy_i += (int32_t)x[i - lo] * x[i - lo];
    /* integer sums are exact (80 products of 2^30 at most per 10 ms, 6x that
       at 48 kHz), so the energy of the lagged window slides by one sample a
       lag instead of being summed again: a third of the work, same result */
    for (p = lo; p <= hi; p++) {
        const int16_t *y = x - p;
        int64_t xy_i = 0;
        double xy, yy;
        if (p > lo) yy_i += (int32_t)y[0] * y[0] - (int32_t)y[w] * y[w];
        for (i = 0; i < w; i++) xy_i += (int32_t)x[i] * y[i];
        xy = (double)xy_i;
        yy = (double)yy_i + 1e-9;
        score[p - lo] = xy / sqrt(yy);
        if (score[p - lo] > best_score) { best_score = score[p - lo]; best = p; best_xy = xy; best_yy = yy; }
    }
    if (best > lo && best < hi) {
        double a = score[best - lo - 1], b = score[best - lo], c = score[best - lo + 1], den = a - 2 * b + c;
        if (den < 0) frac = 0.5 * (a - c) / den;
        if (frac > 0.5) frac = 0.5;
        if (frac < -0.5) frac = -0.5;
    }
    /* how periodic the signal is decides how long the repetition is trusted */
    plc->corr = best_xy > 0 ? best_xy / sqrt(best_yy * xx) : 0;
    return best + frac;
}

/* pbuf at a fractional position (Catmull-Rom cubic, ends clamped) */
static double media__plc_at(const media_plc *plc, double pos)
{
    int i = (int)floor(pos), n = plc->pbuf_len, k;
    double f = pos - i, y[4];
    for (k = 0; k < 4; k++) {
        int j = i - 1 + k;
        y[k] = plc->pbuf[j < 0 ? 0 : j >= n ? n - 1 : j];
    }
    return y[1] + 0.5 * f * (y[2] - y[0] + f * (2 * y[0] - 5 * y[1] + 4 * y[2] - y[3] + f * (3 * (y[1] - y[2]) + y[3] - y[0])));
}

/* the periodic continuation of the last `span` samples, at sample k of the loss */
static double media__plc_wave(const media_plc *plc, double span, int k)
{
    return media__plc_at(plc, plc->pbuf_len + k - span * (floor(k / span) + 1));
}

/* sample k of the concealment (k counts from the start of the loss): the last
   1, 2 or 3 periods repeated, with the level at the seam matched */
static double media__plc_sample(const media_plc *plc, int k)
{
    double p = plc->pitch_f, v, gain, span;
    int len = plc->pbuf_len, ten = media__plc_scale(plc, 80), j;
    int periods = k < ten ? 1 : k < 2 * ten ? 2 : 3, seam = plc->pitch / 4 > 1 ? plc->pitch / 4 : 1;
    span = periods * p;
    if (span > len - 3) { span = p; periods = 1; }
    v = media__plc_wave(plc, span, k);
    /* the first quarter period: pull the repeated wave onto the last real sample */
    if (k < seam) v += (plc->pbuf[len - 1] - media__plc_at(plc, len - 1 - p)) * (double)(seam - k) / seam;
    /* entering 2 and 3 periods: blend from the previous pattern */
    if (periods > 1 && k - (periods - 1) * ten < seam) {
        double wgt = (double)(k - (periods - 1) * ten) / seam;
        v = media__plc_wave(plc, (periods - 1) * p, k) * (1 - wgt) + v * wgt;
    }
    gain = k < ten ? 1.0 : 1.0 - 0.2 * (double)(k - ten) / ten;
    /* less periodic, sooner faded: each period repeated is trusted as much as
       the correlation that found it */
    for (j = (int)(k / p); j > 0 && gain > 0; j--) gain *= plc->corr;
    return gain > 0 ? v * gain : 0.0;
}

static int16_t media__plc_clip(double v)
{
    return (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : (v < 0 ? v - 0.5 : v + 0.5));
}

/* Every good frame goes into the history, so it is a ring: a frame costs its
   own copy, not a shift of everything kept (the history is only read, made
   straight, when a loss begins). */
static void media__plc_push(media_plc *plc, const int16_t *pcm, size_t n)
{
    int cap = media__plc_hist_cap(plc), k;
    if ((int)n > cap) { pcm += n - (size_t)cap; n = (size_t)cap; }
    plc->hist_len = plc->hist_len + (int)n > cap ? cap : plc->hist_len + (int)n;
    while (n > 0) {
        k = cap - plc->hist_end < (int)n ? cap - plc->hist_end : (int)n;
        memcpy(plc->hist + plc->hist_end, pcm, (size_t)k * sizeof *pcm);
        plc->hist_end = plc->hist_end + k == cap ? 0 : plc->hist_end + k;
        pcm += k;
        n -= (size_t)k;
    }
}

/* The history in order, oldest first: in place when the ring has not wrapped under it, else copied into tmp. */
static const int16_t *media__plc_history(const media_plc *plc, int16_t *tmp)
{
    int cap = media__plc_hist_cap(plc), first = plc->hist_end - plc->hist_len;
    if (first >= 0) return plc->hist + first;
    memcpy(tmp, plc->hist + cap + first, (size_t)(-first) * sizeof *tmp);
    memcpy(tmp - first, plc->hist, (size_t)plc->hist_end * sizeof *tmp);
    return tmp;
}

/* length of the blend into real audio: a quarter period + 4 ms per 10 ms lost, at most 10 ms */
static int media__plc_merge_len(const media_plc *plc)
{
    int l = media__plc_scale(plc, 8);
    int cap = media__plc_scale(plc, 80);
    if (l < 1) l = 1;
    return l > cap ? cap : l;
}

MEDIADEF void media_plc_conceal(media_plc *plc, int16_t *pcm, size_t n)
{
    size_t i;
    int m;
    if (!plc || (!pcm && n) || MEDIA__TOO_LONG(n)) return;
    if (plc->lost == 0) {
        if (plc->hist_len < 2) {              /* nothing to repeat yet */
            if (n) memset(pcm, 0, n * sizeof *pcm);
            return;
        }
        int16_t straight[sizeof plc->hist / sizeof plc->hist[0]];
        const int16_t *h = media__plc_history(plc, straight);
        plc->pitch_f = media__plc_pitch(plc, h);
        if (plc->pitch_f > plc->hist_len - 3) plc->pitch_f = plc->hist_len > 4 ? plc->hist_len - 3 : 1;
        plc->pitch = (int)(plc->pitch_f + 0.5);
        /* the pattern to repeat: up to three periods (and room to interpolate) */
        plc->pbuf_len = 3 * plc->pitch + 4 < plc->hist_len ? 3 * plc->pitch + 4 : plc->hist_len;
        memcpy(plc->pbuf, h + plc->hist_len - plc->pbuf_len, (size_t)plc->pbuf_len * sizeof plc->pbuf[0]);
    }
    if (n == 0) {
        /* a seam, not a loss: the continuation to blend the next frame from */
        int l = plc->pitch / 4 > 8 ? plc->pitch / 4 : 8, k;
        if (l > media__plc_scale(plc, 80)) l = media__plc_scale(plc, 80);
        for (k = 0; k < l; k++) plc->tail[k] = media__plc_clip(media__plc_sample(plc, k));
        plc->merge = l;
        plc->lost = 0;
        return;
    }
    {
        /* the fade ends in silence after 60 ms: no need to compute it from there on */
        int silent = 6 * media__plc_scale(plc, 80);
        for (i = 0; i < n && plc->lost + (int)i < silent; i++) pcm[i] = media__plc_clip(media__plc_sample(plc, plc->lost + (int)i));
        if (i < n) memset(pcm + i, 0, (n - i) * sizeof *pcm);
    }
    plc->lost += (int)n;
    media__plc_push(plc, pcm, n);   /* a loss soon after this one finds history */
    m = media__plc_merge_len(plc);
    for (i = 0; i < (size_t)m; i++) plc->tail[i] = media__plc_clip(media__plc_sample(plc, plc->lost + (int)i));
    plc->merge = m;
}

MEDIADEF void media_plc_good(media_plc *plc, int16_t *pcm, size_t n)
{
    if (!plc || !pcm || MEDIA__TOO_LONG(n)) return;
    if (plc->merge) {
        int l = plc->merge, i;
        for (i = 0; i < l && i < (int)n; i++)
            pcm[i] = media__plc_clip(((double)plc->tail[i] * (l - i) + (double)pcm[i] * i) / l);
        plc->merge = 0;
    }
    plc->lost = 0;
    media__plc_push(plc, pcm, n);
}

/* >>stretch implementation ------------------------------------------------
   x is the frame. Shortening by p: y[i] = x[i] faded into x[i + p] over
   the whole of y (n - p samples), so y starts as x did and ends as x does,
   a period (if p is one) shorter. Lengthening by p: x[0, p), then x[p..n)
   faded into x[0..n - p), then x's last p samples: a period said twice.
   The lag is chosen by the normalised correlation of x[0, n - p) with
   x[p, n): on a stride of rate/4000 samples and lags first, then at every
   lag next to the best. */

static int64_t media__ts_dot(const int16_t *a, const int16_t *b, int n, int step)
{
    int64_t sum = 0;
    int i;
    for (i = 0; i < n; i += step) sum += (int32_t)a[i] * b[i];
    return sum;
}

MEDIADEF int media_stretch_init(media_stretch *ts, uint32_t sample_rate)
{
    if (!ts || sample_rate < 8000 || sample_rate > 48000) return MEDIA_EINVAL;
    memset(ts, 0, sizeof *ts);
    ts->rate = sample_rate;
    ts->pmin = (int)(sample_rate / 400);             /* 2.5 ms */
    ts->pmax = (int)(sample_rate * 15 / 1000);       /* 15 ms */
    ts->xmin = ts->pmin;
    ts->step = (int)(sample_rate / 4000);
    ts->quiet = 100 * 100;                           /* -50 dBov */
    return MEDIA_OK;
}

/* the lag in [a, b] whose overlap matches best, and how well (-1..1) */
static int media__ts_lag(const media_stretch *ts, const int16_t *x, int n, int a, int b, double *score)
{
    int p, best = a, step = ts->step, lo, hi;
    double bs = -2;
    int64_t e1 = 0, e2 = 0;
    /* stride: energies of x[0, n - p) and x[p, n) on the stride's samples,
       slid as p moves on by the stride */
    for (p = 0; p < n - a; p += step) { e1 += (int32_t)x[p] * x[p]; e2 += (int32_t)x[p + a] * x[p + a]; }
    for (p = a; p <= b; p += step) {
        int64_t c = media__ts_dot(x, x + p, n - p, step);
        double d = (double)e1 * (double)e2, v = d > 0 ? (double)c * (c < 0 ? -c : c) / d : 0;
        if (v > bs) { bs = v; best = p; }
        /* the next lag's windows: x[0, n - p - step) and x[p + step, n) */
        {
            int last = ((n - p - 1) / step) * step;   /* the one sample of the stride leaving x[0, n - p) */
            e1 -= (int32_t)x[last] * x[last];
            e2 -= (int32_t)x[p] * x[p];
        }
    }
    /* every lag next to the best, every sample */
    lo = best - step + 1 < a ? a : best - step + 1;
    hi = best + step - 1 > b ? b : best + step - 1;
    bs = -2;
    for (p = lo; p <= hi; p++) {
        int64_t c = media__ts_dot(x, x + p, n - p, 1);
        double d = (double)media__ts_dot(x, x, n - p, 1) * (double)media__ts_dot(x + p, x + p, n - p, 1);
        double v = d > 0 ? c / sqrt(d) : 0;
        if (v > bs) { bs = v; best = p; }
    }
    *score = bs;
    return best;
}

MEDIADEF int media_stretch_request(const media_stretch *ts, int16_t *pcm, size_t n, size_t cap, int want)
{
    if (!ts) return MEDIA_EINVAL;
    if (want > -ts->pmin && want < ts->pmin) return MEDIA__TOO_LONG(n) ? MEDIA_EINVAL : (int)n;   /* under a period */
    return want < 0 ? media_stretch_process(ts, pcm, n, cap, want < -ts->pmax ? -ts->pmax : want, -ts->pmin)
                    : media_stretch_process(ts, pcm, n, cap, ts->pmin, want < ts->pmax ? want : ts->pmax);
}

MEDIADEF int media_stretch_process(const media_stretch *ts, int16_t *pcm, size_t n, size_t cap, int lo, int hi)
{
    int len, a, b, p, i, shorten, l2;
    double score = 1;
    int64_t energy;
    if (!ts || !pcm || !ts->rate || n > (size_t)INT32_MAX / 4 || cap > (size_t)INT32_MAX / 4 || lo > hi ||
        (lo < 0 && hi > 0) || (hi > 0 && n + (size_t)hi > cap))
        return MEDIA_EINVAL;
    len = (int)n;
    shorten = lo < 0;
    a = shorten ? -hi : lo;          /* the lags allowed */
    b = shorten ? -lo : hi;
    if (a < 1) a = 1;
    if (b > len - ts->xmin) b = len - ts->xmin;   /* keep an overlap worth the name */
    if (a > b) return len;
    energy = media__ts_dot(pcm, pcm, len, 1);
    if (a == b) p = a;
    else if (energy < (int64_t)ts->quiet * len) p = b;    /* near silence: as much as allowed */
    else {
        p = media__ts_lag(ts, pcm, len, a, b, &score);
        if (score < 0.5) return len;   /* not periodic here: a seam would be heard */
    }
    l2 = 2 * (len - p);                /* the overlap, in half samples */
    if (shorten) {
        for (i = 0; i < len - p; i++)
            pcm[i] = (int16_t)(((int64_t)pcm[i] * (l2 - 2 * i - 1) + (int64_t)pcm[i + p] * (2 * i + 1)) / l2);
        return len - p;
    }
    /* from the end down, so each sample is read before it is written over */
    for (i = len + p - 1; i >= len; i--) pcm[i] = pcm[i - p];
    for (i = len - 1; i >= p; i--) {
        int k = i - p;
        pcm[i] = (int16_t)(((int64_t)pcm[i] * (l2 - 2 * k - 1) + (int64_t)pcm[k] * (2 * k + 1)) / l2);
    }
    return len + p;
}

/* >>tones implementation: DTMF -------------------------------------------

   The eight Q.23 frequencies by Goertzel's recurrence over half-windows of
   6.375 ms (51 samples at 8 kHz), each half's DFT kept as a complex value,
   so a window of two halves (12.75 ms, 78 Hz resolution: 697 and 770 Hz
   apart) is one complex addition away, hopped every half: each sample goes
   through the filters once. A window is a candidate digit when the
   strongest row and column tones are both above -32 dBm0, their twist is
   within 10.5 dB normal / 6.5 dB reverse (Q.24's 8 and 4, plus what a
   tone 1.5 % off its frequency loses in the filter and what noise at
   15 dB SNR moves), the other tones of each group at least 7 dB below, the pair at least 40 % of the window's power
   (speech spreads its power; a tone pair holds it), and each tone nearer
   its nominal frequency than 5 % to either side (two more Goertzels over
   the window, on candidates only: a tone 3.5 % off is nearer a guard, one
   1.5 % off is not). Three candidate windows in a row start the digit;
   two windows without it end it. Its duration is measured on the power
   envelope (sub-blocks of a third of a half, 2.1 ms): from where the power
   rose to a quarter of the pair's to where it fell below, so a 40 ms tone
   reads 40 ms whatever the windows' alignment, and a digit is reported
   only when that is at least 31 ms (Q.24: 40 ms accepted, 23 rejected). */

static const float media__dtmf_freq[8] = { 697, 770, 852, 941, 1209, 1336, 1477, 1633 };
static const char media__dtmf_keys[16] = { '1', '2', '3', 'A', '4', '5', '6', 'B', '7', '8', '9', 'C', '*', '0', '#', 'D' };

MEDIADEF int media_dtmf_detector_init(media_dtmf_detector *d, uint32_t sample_rate)
{
    int k;
    if (!d || sample_rate < 8000 || sample_rate > 48000) return MEDIA_EINVAL;
    memset(d, 0, sizeof *d);
    d->rate = sample_rate;
    d->half = (uint32_t)((sample_rate * 51u + 4000u) / 8000u);
    d->sub = d->half / 3;
    for (k = 0; k < 8; k++) {
        double w = 2 * 3.14159265358979323846 * media__dtmf_freq[k] / sample_rate;
        d->coef[k] = (float)(2 * cos(w));
        d->cosw[k] = (float)cos(w);
        d->sinw[k] = (float)sin(w);
        d->rot_re[k] = (float)cos(w * (d->half - 1));
        d->rot_im[k] = (float)-sin(w * (d->half - 1));
        d->sh_re[k] = (float)cos(w * d->half);
        d->sh_im[k] = (float)-sin(w * d->half);
        d->guard[2 * k] = (float)(2 * cos(w * 0.95));
        d->guard[2 * k + 1] = (float)(2 * cos(w * 1.05));
    }
    d->cand = -1;
    d->active = -1;
    return MEDIA_OK;
}

/* |DFT|^2 at the Goertzel coefficient c over the window held in the history */
static float media__dtmf_bin(const media_dtmf_detector *d, float c)
{
    const uint32_t n = 2 * d->half;
    float s1 = 0, s2 = 0;
    uint32_t i, at = d->hist_pos;
    for (i = 0; i < n; i++) {
        float s0 = (float)d->hist[at] + c * s1 - s2;
        s2 = s1;
        s1 = s0;
        if (++at == n) at = 0;
    }
    return s1 * s1 + s2 * s2 - c * s1 * s2;
}

/* the digit the window just completed shows, or -1 */
static int media__dtmf_window(media_dtmf_detector *d, const float *pw, float total)
{
    /* -32 dBm0 per tone: a sine of 22,700 x 10^(-32/20) (0 dBm0 = 3.17 dB below mu-law's full scale) */
    const float floor_pow = 162500.0f, normal = 11.2f, reverse = 4.47f, rel = 0.2f;
    int r = 0, c = 4, k;
    for (k = 1; k < 4; k++) if (pw[k] > pw[r]) r = k;
    for (k = 5; k < 8; k++) if (pw[k] > pw[c]) c = k;
    if (pw[r] < floor_pow || pw[c] < floor_pow || pw[r] > pw[c] * normal || pw[c] > pw[r] * reverse) return -1;
    if (pw[r] + pw[c] < 0.6f * total) return -1;
    for (k = 0; k < 8; k++) if (k != r && k != c && pw[k] > rel * pw[k < 4 ? r : c]) return -1;
    /* nearer its own frequency than 5 % to either side */
    {
        const float er = media__dtmf_bin(d, d->coef[r]), ec = media__dtmf_bin(d, d->coef[c]);
        if (media__dtmf_bin(d, d->guard[2 * r]) >= er || media__dtmf_bin(d, d->guard[2 * r + 1]) >= er ||
            media__dtmf_bin(d, d->guard[2 * c]) >= ec || media__dtmf_bin(d, d->guard[2 * c + 1]) >= ec) return -1;
    }
    d->tone_pow = pw[r] + pw[c];
    return r * 4 + (c - 4);
}

static void media__dtmf_end(media_dtmf_detector *d)
{
    uint32_t ms = (uint32_t)((uint64_t)d->active_subs * d->sub * 1000u / d->rate);
    if (ms >= 31 && d->q_n < MEDIA__DTMF_QUEUE) {
        media_dtmf_digit *g = &d->queue[(d->q_head + d->q_n++) % MEDIA__DTMF_QUEUE];
        g->digit = media__dtmf_keys[d->active];
        g->duration_ms = ms;
        g->end_ms = d->samples * 1000u / d->rate;
    }
    d->active = -1;
    d->active_subs = 0;
}

/* a half ended: the window of it and the one before */
static void media__dtmf_half(media_dtmf_detector *d)
{
    const float n2 = (float)(2 * d->half) * (float)(2 * d->half);
    float pw[8], total = (d->energy + d->prev_energy) / (float)(2 * d->half);
    int k, digit = -1;
    for (k = 0; k < 8; k++) {
        /* this half's DFT from its start: e^{-iw(M-1)} (s1 - e^{-iw} s2) */
        const float yr = d->s1[k] - d->cosw[k] * d->s2[k], yi = d->sinw[k] * d->s2[k];
        const float zr = d->rot_re[k] * yr - d->rot_im[k] * yi, zi = d->rot_re[k] * yi + d->rot_im[k] * yr;
        /* the window's: the previous half's plus this one's, one half later */
        const float xr = d->prev_re[k] + d->sh_re[k] * zr - d->sh_im[k] * zi;
        const float xi = d->prev_im[k] + d->sh_re[k] * zi + d->sh_im[k] * zr;
        pw[k] = 2 * (xr * xr + xi * xi) / n2;   /* a sine's mean power, A^2 / 2 */
        d->prev_re[k] = zr;
        d->prev_im[k] = zi;
        d->s1[k] = d->s2[k] = 0;
    }
    if (++d->halves >= 2) digit = media__dtmf_window(d, pw, total);
    d->prev_energy = d->energy;
    d->energy = 0;
    d->filled = 0;
    if (digit >= 0 && digit == d->cand) d->cand_n++;
    else { d->cand = digit; d->cand_n = digit >= 0; }
    if (d->active >= 0) {
        if (digit == d->active) d->fails = 0;
        else if (++d->fails >= 2) media__dtmf_end(d);
    }
    if (d->active < 0 && d->cand >= 0 && d->cand_n >= 3) {
        /* started: its power from where it rose, in the sub-blocks kept */
        uint32_t i, at = d->sub_pos;
        d->active = d->cand;
        d->fails = 0;
        d->active_subs = 0;
        for (i = 0; i < MEDIA__DTMF_SUBS; i++) {
            at = at ? at - 1 : MEDIA__DTMF_SUBS - 1;
            if (d->subs[at] < 0.25f * d->tone_pow) break;
            d->active_subs++;
        }
    }
}

/* m samples through the filters, none of them ending a sub-block or a half
   but the last: the state in locals (registers) for the run */
static void media__dtmf_run(media_dtmf_detector *d, const int16_t *x, uint32_t m)
{
    float s1[8], s2[8], c[8], e = 0;
    uint32_t i;
    int k;
    memcpy(s1, d->s1, sizeof s1);
    memcpy(s2, d->s2, sizeof s2);
    memcpy(c, d->coef, sizeof c);
#ifdef MEDIA__SSE2
    {   /* the eight filters as two vectors of four (the same sums, in the same order) */
        __m128 a1 = _mm_loadu_ps(s1), b1 = _mm_loadu_ps(s1 + 4), a2 = _mm_loadu_ps(s2), b2 = _mm_loadu_ps(s2 + 4);
        const __m128 ca = _mm_loadu_ps(c), cb = _mm_loadu_ps(c + 4);
        for (i = 0; i < m; i++) {
            const float v = (float)x[i];
            const __m128 vv = _mm_set1_ps(v);
            const __m128 a0 = _mm_sub_ps(_mm_add_ps(vv, _mm_mul_ps(ca, a1)), a2);
            const __m128 b0 = _mm_sub_ps(_mm_add_ps(vv, _mm_mul_ps(cb, b1)), b2);
            a2 = a1; a1 = a0;
            b2 = b1; b1 = b0;
            e += v * v;
        }
        _mm_storeu_ps(s1, a1); _mm_storeu_ps(s1 + 4, b1);
        _mm_storeu_ps(s2, a2); _mm_storeu_ps(s2 + 4, b2);
        (void)k;
    }
#else
    for (i = 0; i < m; i++) {
        const float v = (float)x[i];
        for (k = 0; k < 8; k++) {
            const float s0 = v + c[k] * s1[k] - s2[k];
            s2[k] = s1[k];
            s1[k] = s0;
        }
        e += v * v;
    }
#endif
    memcpy(d->s1, s1, sizeof s1);
    memcpy(d->s2, s2, sizeof s2);
    d->energy += e;
    d->sub_acc += e;
}

MEDIADEF int media_dtmf_detect(media_dtmf_detector *d, const int16_t *pcm, size_t n, media_dtmf_digit *out, size_t cap)
{
    size_t i = 0;
    int got = 0;
    if (!d || !d->rate || (!pcm && n) || (!out && cap) || MEDIA__TOO_LONG(n) || MEDIA__TOO_LONG(cap)) return MEDIA_EINVAL;
    while (i < n) {
        const uint32_t wn = 2 * d->half;
        uint32_t m = d->half - d->filled, first;
        if (d->sub - d->sub_filled < m) m = d->sub - d->sub_filled;
        if (n - i < m) m = (uint32_t)(n - i);
        media__dtmf_run(d, pcm + i, m);
        first = wn - d->hist_pos < m ? wn - d->hist_pos : m;   /* the window's samples, a ring */
        memcpy(d->hist + d->hist_pos, pcm + i, first * sizeof *pcm);
        memcpy(d->hist, pcm + i + first, (m - first) * sizeof *pcm);
        d->hist_pos = (d->hist_pos + m) % wn;
        d->samples += m;
        i += m;
        if ((d->sub_filled += m) == d->sub) {
            const float p = d->sub_acc / (float)d->sub;
            d->subs[d->sub_pos] = p;
            d->sub_pos = (d->sub_pos + 1) % MEDIA__DTMF_SUBS;
            if (d->active >= 0 && p >= 0.25f * d->tone_pow) d->active_subs++;
            d->sub_acc = 0;
            d->sub_filled = 0;
        }
        if ((d->filled += m) == d->half) media__dtmf_half(d);
    }
    while (got < (int)cap && d->q_n > 0) {
        out[got++] = d->queue[d->q_head];
        d->q_head = (d->q_head + 1) % MEDIA__DTMF_QUEUE;
        d->q_n--;
    }
    return got;
}

MEDIADEF char media_dtmf_detector_current(const media_dtmf_detector *d)
{
    return d && d->active >= 0 ? media__dtmf_keys[d->active] : 0;
}

/* >>tones implementation: call progress and fax ------------------------------

   25 ms blocks (40 Hz apart: 440 and 480 Hz fall in bins of their own),
   Goertzel at 425, 440, 480, 620, 1100 and 2100 Hz. A block is one tone
   when that tone's share of the block's power is at least 60 % (the pairs:
   both of them, neither 10 dB under the other) and the largest share of
   the five candidates; otherwise it is nothing. Runs of blocks make the
   cadence: a run ending, or the silence between two runs of the same
   tone ending, is where busy (two 400-650 ms bursts, 400-650 ms apart),
   congestion (150-350 ms), ringback (a 0.7-2.3 s ring, then 2.5-4.5 s of
   silence, then the next ring), CNG (one 1100 Hz burst of 400-700 ms) and
   CED (2100 Hz for 500 ms) are told. */

enum { MEDIA__T_NONE, MEDIA__T_NA_RING, MEDIA__T_NA_BUSY, MEDIA__T_EU, MEDIA__T_CNG, MEDIA__T_CED };
static const float media__tone_freq[MEDIA__TONE_BINS] = { 425, 440, 480, 620, 1100, 2100 };

MEDIADEF int media_tone_detector_init(media_tone_detector *t, uint32_t sample_rate)
{
    int k;
    if (!t || sample_rate < 8000 || sample_rate > 48000) return MEDIA_EINVAL;
    memset(t, 0, sizeof *t);
    t->rate = sample_rate;
    t->block = sample_rate / 40;
    for (k = 0; k < MEDIA__TONE_BINS; k++) t->coef[k] = (float)(2 * cos(2 * 3.14159265358979323846 * media__tone_freq[k] / sample_rate));
    t->on[0] = t->on[1] = t->off[0] = t->off[1] = -1;
    return MEDIA_OK;
}

static void media__tone_report(media_tone_detector *t, int tone, int cls)
{
    media_tone_event *e;
    if (t->reported == tone || t->q_n == 4) return;
    t->reported = tone;
    e = &t->queue[(t->q_head + t->q_n++) % 4];
    e->tone = tone;
    e->region = cls == MEDIA__T_NA_RING || cls == MEDIA__T_NA_BUSY ? 1 : cls == MEDIA__T_EU ? 2 : 0;
    e->at_ms = t->blocks * 25;
}

static int media__tone_in(int blocks, int lo_ms, int hi_ms) { return blocks >= 0 && blocks * 25 >= lo_ms && blocks * 25 <= hi_ms; }

/* a block ended: its class, and the cadence */
static void media__tone_block(media_tone_detector *t)
{
    const float n = (float)t->block, total = t->energy / n;
    float p[MEDIA__TONE_BINS], share[6] = { 0, 0, 0, 0, 0, 0 }, best = 0.6f;
    int k, cls = MEDIA__T_NONE;
    for (k = 0; k < MEDIA__TONE_BINS; k++) {
        p[k] = 2 * (t->s1[k] * t->s1[k] + t->s2[k] * t->s2[k] - t->coef[k] * t->s1[k] * t->s2[k]) / (n * n);
        t->s1[k] = t->s2[k] = 0;
    }
    t->energy = 0;
    t->filled = 0;
    t->blocks++;
    if (total > 1600.0f) {   /* -45 dBm0 and up */
        if (p[1] > 0.1f * p[2] && p[2] > 0.1f * p[1]) share[MEDIA__T_NA_RING] = (p[1] + p[2]) / total;
        if (p[2] > 0.1f * p[3] && p[3] > 0.1f * p[2]) share[MEDIA__T_NA_BUSY] = (p[2] + p[3]) / total;
        share[MEDIA__T_EU] = p[0] / total;
        share[MEDIA__T_CNG] = p[4] / total;
        share[MEDIA__T_CED] = p[5] / total;
        for (k = 1; k < 6; k++) if (share[k] >= best) { best = share[k]; cls = k; }
    }
    if (cls == t->cls) {
        t->run++;
        if (cls == MEDIA__T_CED && t->run == 20) media__tone_report(t, MEDIA_TONE_FAX_CED, cls);
        return;
    }
    if (t->cls != MEDIA__T_NONE) {   /* a tone ended */
        if (t->cls != t->last_cls) t->on[0] = t->on[1] = t->off[0] = t->off[1] = -1;
        t->last_cls = t->cls;
        t->on[0] = t->on[1];
        t->on[1] = t->run;
        if (t->cls == MEDIA__T_CNG && media__tone_in(t->run, 400, 700)) media__tone_report(t, MEDIA_TONE_FAX_CNG, t->cls);
        if (t->cls != MEDIA__T_CNG && t->cls != MEDIA__T_CED && t->cls != MEDIA__T_NA_RING) {
            if (media__tone_in(t->on[0], 400, 650) && media__tone_in(t->off[1], 400, 650) && media__tone_in(t->on[1], 400, 650))
                media__tone_report(t, MEDIA_TONE_BUSY, t->cls);
            else if (media__tone_in(t->on[0], 150, 350) && media__tone_in(t->off[1], 150, 350) &&
                     media__tone_in(t->on[1], 150, 350))
                media__tone_report(t, MEDIA_TONE_CONGESTION, t->cls);
        }
    } else if (cls == t->last_cls) {   /* the same tone again, after a silence */
        t->off[0] = t->off[1];
        t->off[1] = t->run;
        if ((cls == MEDIA__T_NA_RING || cls == MEDIA__T_EU) && media__tone_in(t->on[1], 700, 2300) &&
            media__tone_in(t->off[1], 2500, 4500))
            media__tone_report(t, MEDIA_TONE_RINGBACK, cls);
    }
    if (cls == MEDIA__T_NONE ? t->run > 200 : cls != t->last_cls) t->reported = 0;   /* 5 s of silence, or another tone */
    t->cls = cls;
    t->run = 1;
}

MEDIADEF int media_tone_detect(media_tone_detector *t, const int16_t *pcm, size_t n, media_tone_event *out, size_t cap)
{
    size_t i;
    int k, got = 0;
    if (!t || !t->rate || (!pcm && n) || (!out && cap) || MEDIA__TOO_LONG(n) || MEDIA__TOO_LONG(cap)) return MEDIA_EINVAL;
    for (i = 0; i < n; i++) {
        const float x = (float)pcm[i];
        for (k = 0; k < MEDIA__TONE_BINS; k++) {
            const float s0 = x + t->coef[k] * t->s1[k] - t->s2[k];
            t->s2[k] = t->s1[k];
            t->s1[k] = s0;
        }
        t->energy += x * x;
        if (++t->filled == t->block) media__tone_block(t);
    }
    while (got < (int)cap && t->q_n > 0) {
        out[got++] = t->queue[t->q_head];
        t->q_head = (t->q_head + 1) % 4;
        t->q_n--;
    }
    return got;
}

/* >>sdp implementation ----------------------------------------------------
   The parser copies each line it keeps into sdp->text once: an attribute
   "a=name:value" becomes "name\0value\0", other lines their value. o=, s=, c=
   and m= are split into fields because offer/answer and the edit helpers work
   on them; everything else stays a (type, text) pair so it is written back as
   it came. Typed attribute values are parsed on demand by the accessors, and
   once at parse time to reject malformed ones, with the same functions. */

#define MEDIA__SDP_V 1u
#define MEDIA__SDP_O 2u
#define MEDIA__SDP_S 4u
#define MEDIA__SDP_T 8u

static int media__lc(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

/* a[0..n) equals the NUL-terminated b, ASCII case-insensitively */
static int media__ieqn(const char *a, size_t n, const char *b)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (!b[i] || media__lc((unsigned char)a[i]) != media__lc((unsigned char)b[i])) return 0;
    return b[n] == 0;
}

static int media__ieq2(const char *a, const char *b, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (media__lc((unsigned char)a[i]) != media__lc((unsigned char)b[i])) return 0;
    return 1;
}

static int media__isdigit(int c) { return c >= '0' && c <= '9'; }

/* all digits, 1..20 of them, value <= max */
static int media__sdp_uint(const char *s, size_t n, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    size_t i;
    if (n == 0 || n > 20) return MEDIA_EPARSE;
    for (i = 0; i < n; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d > 9) return MEDIA_EPARSE;
        if (v > (max - d) / 10) return MEDIA_EPARSE;
        v = v * 10 + d;
    }
    *out = v;
    return MEDIA_OK;
}

/* Next space-separated token of [*p, end); runs of spaces (and tabs, which some
   phones emit) count as one separator. Returns 0 when there is none. */
static int media__sdp_tok(const char **p, const char *end, media_sdp_span *tok)
{
    const char *s = *p;
    while (s < end && (*s == ' ' || *s == '\t')) s++;
    tok->ptr = s;
    while (s < end && *s != ' ' && *s != '\t') s++;
    tok->len = (size_t)(s - tok->ptr);
    *p = s;
    return tok->len != 0;
}

static int media__sdp_tok_uint(const char **p, const char *end, uint64_t max, uint64_t *out)
{
    media_sdp_span t;
    if (!media__sdp_tok(p, end, &t)) return MEDIA_EPARSE;
    return media__sdp_uint(t.ptr, t.len, max, out);
}

/* the rest after skipping separators */
static media_sdp_span media__sdp_rest(const char *p, const char *end)
{
    media_sdp_span r;
    while (p < end && (*p == ' ' || *p == '\t')) p++;
    r.ptr = p;
    r.len = (size_t)(end - p);
    return r;
}

MEDIADEF int media_sdp_span_equal(media_sdp_span s, const char *str)
{
    return s.ptr && str && media__ieqn(s.ptr, s.len, str);
}

/* First '\n', '\r' or NUL in [p, end), or end. */
static const char *media__sdp_eol(const char *p, const char *end)
{
#ifdef MEDIA__SSE2
    const __m128i nl = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r'), z = _mm_setzero_si128();
    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, nl),
                                                 _mm_cmpeq_epi8(v, cr)), _mm_cmpeq_epi8(v, z)));
        if (m) {
#if defined(__GNUC__) || defined(__clang__)
            return p + __builtin_ctz(m);
#else
            while (!(m & 1u)) { m >>= 1; p++; }
            return p;
#endif
        }
        p += 16;
    }
#endif
    while (p < end && *p != '\n' && *p != '\r' && *p != 0) p++;
    return p;
}

/* ---- the string arena ---- */

static void media__sdp_clear(media_sdp *sdp)
{
    sdp->origin_username = sdp->origin_sess_id = 0;
    sdp->origin_version = 0;
    memset(&sdp->origin, 0, sizeof sdp->origin);
    memset(&sdp->conn, 0, sizeof sdp->conn);
    sdp->name = 0;
    sdp->media_count = sdp->attr_count = sdp->session_attrs = 0;
    sdp->line_count = sdp->session_lines = 0;
    sdp->text[0] = 0;
    sdp->text_len = 1;
}

/* Copies n bytes + NUL into the arena; returns the ref or 0 when full. */
static media_sdp_ref media__sdp_put(media_sdp *sdp, const char *s, size_t n)
{
    size_t at = sdp->text_len;
    if (n >= (size_t)MEDIA_SDP_TEXT_SIZE - at) return 0;
    memcpy(sdp->text + at, s, n);
    sdp->text[at + n] = 0;
    sdp->text_len = (uint16_t)(at + n + 1);
    return (media_sdp_ref)at;
}

MEDIADEF const char *media_sdp_str_get(const media_sdp *sdp, media_sdp_ref ref)
{
    if (!sdp || ref >= sdp->text_len) return "";
    return sdp->text + ref;
}

typedef struct media__sdp_refwalk {
    int mode;               /* 0: find the smallest ref >= lo; 1: rename from -> to */
    media_sdp_ref lo, min, from, to;
} media__sdp_refwalk;

static void media__sdp_ref1(media__sdp_refwalk *w, media_sdp_ref *r)
{
    if (*r == 0) return;
    if (w->mode == 0) { if (*r >= w->lo && *r < w->min) w->min = *r; }
    else if (*r == w->from) *r = w->to;
}

static void media__sdp_conn_refs(media__sdp_refwalk *w, media_sdp_conn *c)
{
    media__sdp_ref1(w, &c->nettype); media__sdp_ref1(w, &c->addrtype); media__sdp_ref1(w, &c->address);
}

static void media__sdp_walk(media_sdp *sdp, media__sdp_refwalk *w)
{
    int i;
    media__sdp_ref1(w, &sdp->origin_username); media__sdp_ref1(w, &sdp->origin_sess_id);
    media__sdp_conn_refs(w, &sdp->origin);
    media__sdp_ref1(w, &sdp->name);
    media__sdp_conn_refs(w, &sdp->conn);
    for (i = 0; i < sdp->media_count; i++) {
        media_sdp_media *m = &sdp->media[i];
        media__sdp_ref1(w, &m->media); media__sdp_ref1(w, &m->proto); media__sdp_ref1(w, &m->fmt);
        media__sdp_conn_refs(w, &m->conn);
    }
    for (i = 0; i < sdp->attr_count; i++) {
        media__sdp_ref1(w, &sdp->attr[i].name); media__sdp_ref1(w, &sdp->attr[i].value);
    }
    for (i = 0; i < sdp->line_count; i++) media__sdp_ref1(w, &sdp->line[i].value);
}

/* Edits append new strings and leave the old ones behind; when the arena is
   full, the live strings slide down in order. Quadratic in the number of
   fields, which is fine for something that happens once per thousands of edits. */
static void media__sdp_compact(media_sdp *sdp)
{
    media__sdp_refwalk w;
    unsigned dst = 1;
    w.lo = 1;
    for (;;) {
        size_t len;
        w.mode = 0; w.min = 0xFFFFu;
        media__sdp_walk(sdp, &w);
        if (w.min == 0xFFFFu) break;
        len = strlen(sdp->text + w.min) + 1;
        if (dst != w.min) memmove(sdp->text + dst, sdp->text + w.min, len);
        w.mode = 1; w.from = w.min; w.to = (media_sdp_ref)dst;
        media__sdp_walk(sdp, &w);
        w.lo = (media_sdp_ref)(w.min + len);
        dst += (unsigned)len;
    }
    sdp->text_len = (uint16_t)dst;
}

/* Edits make room for all the strings they add before adding any (a
   compaction moves strings, so refs held in local variables must not span one). */
static int media__sdp_reserve(media_sdp *sdp, size_t n)
{
    if (n < (size_t)MEDIA_SDP_TEXT_SIZE - sdp->text_len) return MEDIA_OK;
    media__sdp_compact(sdp);
    return n < (size_t)MEDIA_SDP_TEXT_SIZE - sdp->text_len ? MEDIA_OK : MEDIA_ENOSPC;
}

/* ---- typed attribute values ---- */

/* RFC 3551 table 4 and 5: the static payload types an SDP may use without a=rtpmap. */
typedef struct media__sdp_static { uint8_t pt; uint8_t channels; uint32_t rate; const char *name; } media__sdp_static;
static const media__sdp_static media__sdp_statics[] = {
    {0, 1, 8000, "PCMU"}, {3, 1, 8000, "GSM"}, {4, 1, 8000, "G723"}, {5, 1, 8000, "DVI4"},
    {6, 1, 16000, "DVI4"}, {7, 1, 8000, "LPC"}, {8, 1, 8000, "PCMA"}, {9, 1, 8000, "G722"},
    {10, 2, 44100, "L16"}, {11, 1, 44100, "L16"}, {12, 1, 8000, "QCELP"}, {13, 1, 8000, "CN"},
    {14, 1, 90000, "MPA"}, {15, 1, 8000, "G728"}, {16, 1, 11025, "DVI4"}, {17, 1, 22050, "DVI4"},
    {18, 1, 8000, "G729"}, {25, 1, 90000, "CelB"}, {26, 1, 90000, "JPEG"}, {28, 1, 90000, "nv"},
    {31, 1, 90000, "H261"}, {32, 1, 90000, "MPV"}, {33, 1, 90000, "MP2T"}, {34, 1, 90000, "H263"}
};

/* RFC 3551's meaning of a static payload type without a=rtpmap */
static int media__sdp_static_rtpmap(int pt, media_sdp_rtpmap *r)
{
    size_t k;
    for (k = 0; k < sizeof media__sdp_statics / sizeof media__sdp_statics[0]; k++) {
        const media__sdp_static *st = &media__sdp_statics[k];
        if (st->pt != pt) continue;
        r->payload_type = pt;
        r->encoding.ptr = st->name; r->encoding.len = strlen(st->name);
        r->clock_rate = st->rate;
        r->channels = st->channels;
        r->is_static = 1;
        return MEDIA_OK;
    }
    return MEDIA_ENOTFOUND;
}

MEDIADEF int media_sdp_rtpmap_parse(media_sdp_rtpmap *out, const char *value)
{
    const char *p, *end, *s1, *s2;
    uint64_t v;
    media_sdp_span enc;
    if (!out || !value) return MEDIA_EINVAL;
    p = value; end = value + strlen(value);
    if (media__sdp_tok_uint(&p, end, 127, &v)) return MEDIA_EPARSE;
    out->payload_type = (int)v;
    if (!media__sdp_tok(&p, end, &enc) || media__sdp_rest(p, end).len) return MEDIA_EPARSE;
    s1 = (const char *)memchr(enc.ptr, '/', enc.len);
    if (!s1 || s1 == enc.ptr) return MEDIA_EPARSE;
    out->encoding.ptr = enc.ptr; out->encoding.len = (size_t)(s1 - enc.ptr);
    end = enc.ptr + enc.len;
    s2 = (const char *)memchr(s1 + 1, '/', (size_t)(end - s1 - 1));
    if (media__sdp_uint(s1 + 1, (size_t)((s2 ? s2 : end) - s1 - 1), 0xFFFFFFFFu, &v) || v == 0) return MEDIA_EPARSE;
    out->clock_rate = (uint32_t)v;
    out->channels = 1;
    if (s2) {
        if (media__sdp_uint(s2 + 1, (size_t)(end - s2 - 1), 255, &v) || v == 0) return MEDIA_EPARSE;
        out->channels = (uint32_t)v;
    }
    out->is_static = 0;
    return MEDIA_OK;
}

static int media__sdp_family(media_sdp_span addrtype)
{
    if (media_sdp_span_equal(addrtype, "IP4")) return 4;
    if (media_sdp_span_equal(addrtype, "IP6")) return 6;
    return 0;
}

MEDIADEF int media_sdp_rtcp_parse(media_sdp_rtcp *out, const char *value)
{
    const char *p, *end;
    uint64_t v;
    media_sdp_span net, type;
    if (!out || !value) return MEDIA_EINVAL;
    p = value; end = value + strlen(value);
    if (media__sdp_tok_uint(&p, end, 65535, &v)) return MEDIA_EPARSE;
    out->port = (uint16_t)v;
    out->family = 0;
    out->address.ptr = p; out->address.len = 0;
    if (!media__sdp_tok(&p, end, &net)) return MEDIA_OK;
    if (!media__sdp_tok(&p, end, &type) || !media__sdp_tok(&p, end, &out->address) ||
        media__sdp_rest(p, end).len) return MEDIA_EPARSE;
    out->family = (uint8_t)media__sdp_family(type);
    return MEDIA_OK;
}

MEDIADEF int media_sdp_ssrc_parse(media_sdp_ssrc *out, const char *value)
{
    const char *p, *end, *colon;
    uint64_t v;
    media_sdp_span rest;
    if (!out || !value) return MEDIA_EINVAL;
    p = value; end = value + strlen(value);
    if (media__sdp_tok_uint(&p, end, 0xFFFFFFFFu, &v)) return MEDIA_EPARSE;
    out->ssrc = (uint32_t)v;
    rest = media__sdp_rest(p, end);
    colon = rest.len ? (const char *)memchr(rest.ptr, ':', rest.len) : NULL;
    out->attribute.ptr = rest.ptr;
    out->attribute.len = colon ? (size_t)(colon - rest.ptr) : rest.len;
    out->value.ptr = colon ? colon + 1 : end;
    out->value.len = colon ? (size_t)(end - colon - 1) : 0;
    if (colon && colon == rest.ptr) return MEDIA_EPARSE;
    return MEDIA_OK;
}

static int media__sdp_dir_word(media_sdp_span w, media_sdp_direction *d)
{
    if (media_sdp_span_equal(w, "sendrecv")) *d = MEDIA_SDP_SENDRECV;
    else if (media_sdp_span_equal(w, "sendonly")) *d = MEDIA_SDP_SENDONLY;
    else if (media_sdp_span_equal(w, "recvonly")) *d = MEDIA_SDP_RECVONLY;
    else if (media_sdp_span_equal(w, "inactive")) *d = MEDIA_SDP_INACTIVE;
    else return MEDIA_EPARSE;
    return MEDIA_OK;
}

MEDIADEF int media_sdp_extmap_parse(media_sdp_extmap *out, const char *value)
{
    const char *p, *end, *slash;
    uint64_t v;
    media_sdp_span id;
    if (!out || !value) return MEDIA_EINVAL;
    p = value; end = value + strlen(value);
    if (!media__sdp_tok(&p, end, &id)) return MEDIA_EPARSE;
    slash = (const char *)memchr(id.ptr, '/', id.len);
    /* RFC 8285: 1-14 one-byte, 1-255 two-byte; RFC 5285 reserved up to 4095 */
    if (media__sdp_uint(id.ptr, slash ? (size_t)(slash - id.ptr) : id.len, 4095, &v) || v == 0) return MEDIA_EPARSE;
    out->id = (int)v;
    out->has_direction = slash != NULL;
    out->direction = MEDIA_SDP_SENDRECV;
    if (slash) {
        media_sdp_span w;
        w.ptr = slash + 1; w.len = (size_t)(id.ptr + id.len - slash - 1);
        if (media__sdp_dir_word(w, &out->direction)) return MEDIA_EPARSE;
    }
    if (!media__sdp_tok(&p, end, &out->uri)) return MEDIA_EPARSE;
    out->attributes = media__sdp_rest(p, end);
    return MEDIA_OK;
}

MEDIADEF int media_sdp_rtcp_fb_parse(media_sdp_rtcp_fb *out, const char *value)
{
    const char *p, *end;
    uint64_t v;
    media_sdp_span pt;
    if (!out || !value) return MEDIA_EINVAL;
    p = value; end = value + strlen(value);
    if (!media__sdp_tok(&p, end, &pt)) return MEDIA_EPARSE;
    if (pt.len == 1 && pt.ptr[0] == '*') out->payload_type = -1;
    else if (media__sdp_uint(pt.ptr, pt.len, 127, &v)) return MEDIA_EPARSE;
    else out->payload_type = (int)v;
    if (!media__sdp_tok(&p, end, &out->type)) return MEDIA_EPARSE;
    out->params = media__sdp_rest(p, end);
    return MEDIA_OK;
}

MEDIADEF int media_sdp_candidate_parse(media_sdp_candidate *out, const char *value)
{
    const char *p, *end;
    uint64_t v;
    media_sdp_span typ, k;
    if (!out || !value) return MEDIA_EINVAL;
    p = value; end = value + strlen(value);
    /* RFC 8839 5.1: foundation is 1*32 ice-char */
    if (!media__sdp_tok(&p, end, &out->foundation) || out->foundation.len > 32) return MEDIA_EPARSE;
    if (media__sdp_tok_uint(&p, end, 256, &v) || v == 0) return MEDIA_EPARSE;
    out->component = (uint32_t)v;
    if (!media__sdp_tok(&p, end, &out->transport)) return MEDIA_EPARSE;
    if (media__sdp_tok_uint(&p, end, 0xFFFFFFFFu, &v)) return MEDIA_EPARSE;
    out->priority = (uint32_t)v;
    if (!media__sdp_tok(&p, end, &out->address)) return MEDIA_EPARSE;
    if (media__sdp_tok_uint(&p, end, 65535, &v)) return MEDIA_EPARSE;
    out->port = (uint16_t)v;
    if (!media__sdp_tok(&p, end, &typ) || !media_sdp_span_equal(typ, "typ") ||
        !media__sdp_tok(&p, end, &out->type)) return MEDIA_EPARSE;
    out->raddr.ptr = end; out->raddr.len = 0;
    out->rport = -1;
    for (;;) {
        const char *save = p;
        if (!media__sdp_tok(&p, end, &k)) break;
        if (media_sdp_span_equal(k, "raddr")) {
            if (!media__sdp_tok(&p, end, &out->raddr)) return MEDIA_EPARSE;
        } else if (media_sdp_span_equal(k, "rport")) {
            if (media__sdp_tok_uint(&p, end, 65535, &v)) return MEDIA_EPARSE;
            out->rport = (int)v;
        } else { p = save; break; }
    }
    out->extensions = media__sdp_rest(p, end);
    return MEDIA_OK;
}

MEDIADEF int media_sdp_fingerprint_parse(media_sdp_fingerprint *out, const char *value)
{
    const char *p, *end;
    size_t i;
    if (!out || !value) return MEDIA_EINVAL;
    p = value; end = value + strlen(value);
    if (!media__sdp_tok(&p, end, &out->hash) || !media__sdp_tok(&p, end, &out->value) ||
        media__sdp_rest(p, end).len) return MEDIA_EPARSE;
    for (i = 0; i < out->value.len; i++) {   /* 2UHEX *(":" 2UHEX), case-insensitive in practice */
        int c = media__lc((unsigned char)out->value.ptr[i]);
        if (i % 3 == 2 ? c != ':' : !(media__isdigit(c) || (c >= 'a' && c <= 'f'))) return MEDIA_EPARSE;
    }
    return out->value.len % 3 == 2 ? MEDIA_OK : MEDIA_EPARSE;
}

MEDIADEF int media_sdp_setup_parse(media_sdp_setup *out, const char *value)
{
    media_sdp_span w;
    if (!out || !value) return MEDIA_EINVAL;
    w = media__sdp_rest(value, value + strlen(value));
    if (media_sdp_span_equal(w, "actpass")) *out = MEDIA_SDP_SETUP_ACTPASS;
    else if (media_sdp_span_equal(w, "active")) *out = MEDIA_SDP_SETUP_ACTIVE;
    else if (media_sdp_span_equal(w, "passive")) *out = MEDIA_SDP_SETUP_PASSIVE;
    else if (media_sdp_span_equal(w, "holdconn")) *out = MEDIA_SDP_SETUP_HOLDCONN;
    else return MEDIA_EPARSE;
    return MEDIA_OK;
}

MEDIADEF int media_sdp_crypto_parse(media_sdp_crypto *out, const char *value)
{
    const char *p, *end;
    uint64_t v;
    if (!out || !value) return MEDIA_EINVAL;
    p = value; end = value + strlen(value);
    if (media__sdp_tok_uint(&p, end, 999999999u, &v)) return MEDIA_EPARSE;   /* RFC 4568: 1*9DIGIT */
    out->tag = (uint32_t)v;
    if (!media__sdp_tok(&p, end, &out->suite) || !media__sdp_tok(&p, end, &out->key_params)) return MEDIA_EPARSE;
    out->session_params = media__sdp_rest(p, end);
    return MEDIA_OK;
}

MEDIADEF int media_base64_encode(char *dst, size_t cap, const uint8_t *src, size_t len)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i, o = 0, need;
    if ((!dst && cap) || (!src && len) || MEDIA__TOO_LONG(cap) || len > (size_t)INT_MAX / 4 * 3 - 3) return MEDIA_EINVAL;
    need = (len + 2) / 3 * 4;
    if (need >= cap) return MEDIA_ENOSPC;
    for (i = 0; i + 2 < len; i += 3) {
        uint32_t v = (uint32_t)src[i] << 16 | (uint32_t)src[i + 1] << 8 | src[i + 2];
        dst[o++] = a[v >> 18]; dst[o++] = a[v >> 12 & 63]; dst[o++] = a[v >> 6 & 63]; dst[o++] = a[v & 63];
    }
    if (i < len) {
        uint32_t v = (uint32_t)src[i] << 16 | (i + 1 < len ? (uint32_t)src[i + 1] << 8 : 0);
        dst[o++] = a[v >> 18];
        dst[o++] = a[v >> 12 & 63];
        dst[o++] = i + 1 < len ? a[v >> 6 & 63] : '=';
        dst[o++] = '=';
    }
    dst[o] = 0;
    return (int)o;
}

static int media__b64(int c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

MEDIADEF int media_base64_decode(uint8_t *dst, size_t cap, const char *src, size_t len)
{
    size_t i, o = 0;
    uint32_t v = 0;
    int bits = 0;
    if ((!dst && cap) || (!src && len) || MEDIA__TOO_LONG(cap) || MEDIA__TOO_LONG(len)) return MEDIA_EINVAL;
    if (len % 4 == 0 && len && src[len - 1] == '=') len -= len > 1 && src[len - 2] == '=' ? 2 : 1;
    if (len % 4 == 1) return MEDIA_EPARSE;   /* 6 bits: no byte ends there */
    for (i = 0; i < len; i++) {
        int d = media__b64((unsigned char)src[i]);
        if (d < 0) return MEDIA_EPARSE;
        v = v << 6 | (uint32_t)d;
        if ((bits += 6) >= 8) {
            bits -= 8;
            if (o == cap) return MEDIA_ENOSPC;
            dst[o++] = (uint8_t)(v >> bits);
        }
    }
    return (int)o;
}

/* the span [p, end) up to the next c (or end); p moves past the c */
static media_sdp_span media__span_upto(const char **p, const char *end, char c)
{
    media_sdp_span r;
    const char *q = *p;
    while (q < end && *q != c) q++;
    r.ptr = *p;
    r.len = (size_t)(q - *p);
    *p = q < end ? q + 1 : q;
    return r;
}

MEDIADEF int media_sdp_crypto_key_parse(media_sdp_crypto_key *out, media_sdp_span key_params, int index)
{
    const char *p, *end;
    int n = 0, found = 0, with_mki = 0;
    if (!out || (!key_params.ptr && key_params.len) || index < 0 || MEDIA__TOO_LONG(key_params.len)) return MEDIA_EINVAL;
    p = key_params.ptr;
    end = p + key_params.len;
    if (p == end) return MEDIA_EPARSE;
    while (p < end) {
        media_sdp_crypto_key k;
        media_sdp_span param = media__span_upto(&p, end, ';'), part;
        const char *q = param.ptr, *qe = param.ptr + param.len;
        uint64_t v;
        int r;
        memset(&k, 0, sizeof k);
        if (param.len < 7 || !media__ieqn(q, 7, "inline:") || q[param.len - 1] == '|') return MEDIA_EPARSE;
        q += 7;
        part = media__span_upto(&q, qe, '|');
        r = media_base64_decode(k.key, sizeof k.key, part.ptr, part.len);
        if (r <= 0) return MEDIA_EPARSE;
        k.key_len = (uint8_t)r;
        if (q < qe || (part.ptr + part.len < qe)) {
            /* then lifetime and MKI, either left out: "|2^20|1:4", "|2^20", "|1:4" */
            media_sdp_span f1 = media__span_upto(&q, qe, '|'), f2 = media__span_upto(&q, qe, '|'), mki = f2;
            const char *colon;
            if (q < qe) return MEDIA_EPARSE;   /* a fourth field */
            if (f1.len && !memchr(f1.ptr, ':', f1.len)) {
                if (f1.len > 2 && f1.ptr[0] == '2' && f1.ptr[1] == '^') {
                    if (media__sdp_uint(f1.ptr + 2, f1.len - 2, 63, &v)) return MEDIA_EPARSE;
                    k.lifetime = (uint64_t)1 << v;
                } else if (media__sdp_uint(f1.ptr, f1.len, UINT64_MAX, &v) || v == 0) {
                    return MEDIA_EPARSE;
                } else {
                    k.lifetime = v;
                }
            } else {
                if (f2.len) return MEDIA_EPARSE;   /* an MKI, then something */
                mki = f1;
            }
            if (mki.len) {
                colon = (const char *)memchr(mki.ptr, ':', mki.len);
                if (!colon || media__sdp_uint(mki.ptr, (size_t)(colon - mki.ptr), UINT32_MAX, &v)) return MEDIA_EPARSE;
                k.mki = (uint32_t)v;
                if (media__sdp_uint(colon + 1, (size_t)(mki.ptr + mki.len - colon - 1), 128, &v) || v == 0 ||
                    (v < 4 && k.mki >> (8 * v))) return MEDIA_EPARSE;   /* 1..128 bytes, and the value fits */
                k.mki_len = (uint8_t)v;
            } else if (f1.len == 0 && f2.len == 0) {
                return MEDIA_EPARSE;   /* a "|" with nothing after it */
            }
        }
        with_mki += k.mki_len != 0;
        if (n == index) { *out = k; found = 1; }
        n++;
    }
    if (n > 1 && with_mki != n) return MEDIA_EPARSE;   /* RFC 4568 6.1: several keys, each with its MKI */
    return found ? n : MEDIA_ENOTFOUND;
}

MEDIADEF int media_sdp_crypto_params_parse(media_sdp_crypto_params *out, media_sdp_span session_params)
{
    const char *p, *end;
    if (!out || (!session_params.ptr && session_params.len) || MEDIA__TOO_LONG(session_params.len)) return MEDIA_EINVAL;
    memset(out, 0, sizeof *out);
    out->kdr = -1;
    p = session_params.ptr;
    end = p + session_params.len;
    while (p < end) {
        media_sdp_span t;
        uint64_t v;
        while (p < end && (*p == ' ' || *p == '\t')) p++;
        if (p == end) break;
        t.ptr = p;
        while (p < end && *p != ' ' && *p != '\t') p++;
        t.len = (size_t)(p - t.ptr);
        if (t.len > 4 && !memcmp(t.ptr, "KDR=", 4)) {
            if (media__sdp_uint(t.ptr + 4, t.len - 4, 24, &v)) return MEDIA_EPARSE;
            out->kdr = (int)v;
        } else if (t.len > 4 && !memcmp(t.ptr, "WSH=", 4)) {
            if (media__sdp_uint(t.ptr + 4, t.len - 4, UINT32_MAX, &v) || v < 64) return MEDIA_EPARSE;
            out->wsh = (uint32_t)v;
        } else if (t.len == 16 && !memcmp(t.ptr, "UNENCRYPTED_SRTP", 16)) {
            out->unencrypted_srtp = 1;
        } else if (t.len == 17 && !memcmp(t.ptr, "UNENCRYPTED_SRTCP", 17)) {
            out->unencrypted_srtcp = 1;
        } else if (t.len == 20 && !memcmp(t.ptr, "UNAUTHENTICATED_SRTP", 20)) {
            out->unauthenticated_srtp = 1;
        } else if ((t.len > 10 && !memcmp(t.ptr, "FEC_ORDER=", 10)) || (t.len > 8 && !memcmp(t.ptr, "FEC_KEY=", 8))) {
            out->fec = 1;
        } else if (t.ptr[0] != '-') {
            return MEDIA_EUNSUPPORTED;
        }
    }
    return MEDIA_OK;
}

MEDIADEF int media_sdp_crypto_suite_info(media_sdp_span suite, size_t *key_len, size_t *salt_len)
{
    static const struct { const char *name; uint8_t key, salt; } t[] = {
        { "AES_CM_128_HMAC_SHA1_80", 16, 14 }, { "AES_CM_128_HMAC_SHA1_32", 16, 14 },
        { "F8_128_HMAC_SHA1_80", 16, 14 },
        { "AES_192_CM_HMAC_SHA1_80", 24, 14 }, { "AES_192_CM_HMAC_SHA1_32", 24, 14 },
        { "AES_256_CM_HMAC_SHA1_80", 32, 14 }, { "AES_256_CM_HMAC_SHA1_32", 32, 14 },
        { "AEAD_AES_128_GCM", 16, 12 }, { "AEAD_AES_256_GCM", 32, 12 }
    };
    size_t i;
    if (!suite.ptr && suite.len) return MEDIA_EINVAL;
    for (i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strlen(t[i].name) == suite.len && media__ieqn(suite.ptr, suite.len, t[i].name)) {
            if (key_len) *key_len = t[i].key;
            if (salt_len) *salt_len = t[i].salt;
            return MEDIA_OK;
        }
    return MEDIA_ENOTFOUND;
}

/* ptime-style value: digits with an optional fraction ("20", "22.5"); whole
   milliseconds 0..65535, 0 (a packet time of nothing) read as absent */
static int media__sdp_ms(const char *v, size_t n, int *ms)
{
    const char *dot = (const char *)memchr(v, '.', n);
    size_t whole = dot ? (size_t)(dot - v) : n, i;
    uint64_t x;
    if (dot) for (i = whole + 1; i < n; i++) if (!media__isdigit((unsigned char)v[i])) return MEDIA_EPARSE;
    if (dot && whole + 1 == n) return MEDIA_EPARSE;
    if (media__sdp_uint(v, whole, 65535, &x)) return MEDIA_EPARSE;
    *ms = (int)x;
    return MEDIA_OK;
}

/* Checks the value of the attributes media.h interprets; others pass as they
   are. name is name_len bytes, value NUL-terminated or NULL. */
static int media__sdp_check_attr(const char *name, size_t name_len, const char *value, int is_rtp)
{
    union {
        media_sdp_rtpmap rtpmap; media_sdp_rtcp rtcp; media_sdp_ssrc ssrc; media_sdp_extmap extmap;
        media_sdp_rtcp_fb fb; media_sdp_candidate cand; media_sdp_fingerprint fp; media_sdp_setup setup;
        media_sdp_crypto crypto;
    } u;
    int ms;
    switch (name_len) {
    case 3:
        if (media__ieqn(name, 3, "mid")) return value && *value ? MEDIA_OK : MEDIA_EPARSE;
        break;
    case 4:
        if (media__ieqn(name, 4, "fmtp")) {
            const char *p, *end;
            media_sdp_span f;
            uint64_t v;
            if (!value) return MEDIA_EPARSE;
            p = value; end = value + strlen(value);
            if (!media__sdp_tok(&p, end, &f)) return MEDIA_EPARSE;
            return (is_rtp && media__sdp_uint(f.ptr, f.len, 127, &v)) ? MEDIA_EPARSE : MEDIA_OK;
        }
        if (media__ieqn(name, 4, "rtcp")) return value ? media_sdp_rtcp_parse(&u.rtcp, value) : MEDIA_EPARSE;
        if (media__ieqn(name, 4, "ssrc")) return value ? media_sdp_ssrc_parse(&u.ssrc, value) : MEDIA_EPARSE;
        break;
    case 5:
        if (media__ieqn(name, 5, "ptime"))
            return value ? media__sdp_ms(value, strlen(value), &ms) : MEDIA_EPARSE;
        if (media__ieqn(name, 5, "setup")) return value ? media_sdp_setup_parse(&u.setup, value) : MEDIA_EPARSE;
        break;
    case 6:
        if (media__ieqn(name, 6, "rtpmap")) return value ? media_sdp_rtpmap_parse(&u.rtpmap, value) : MEDIA_EPARSE;
        if (media__ieqn(name, 6, "extmap")) return value ? media_sdp_extmap_parse(&u.extmap, value) : MEDIA_EPARSE;
        if (media__ieqn(name, 6, "crypto")) return value ? media_sdp_crypto_parse(&u.crypto, value) : MEDIA_EPARSE;
        break;
    case 7:
        if (media__ieqn(name, 7, "rtcp-fb")) return value ? media_sdp_rtcp_fb_parse(&u.fb, value) : MEDIA_EPARSE;
        break;
    case 8:
        if (media__ieqn(name, 8, "maxptime"))
            return value ? media__sdp_ms(value, strlen(value), &ms) : MEDIA_EPARSE;
        break;
    case 9:
        if (media__ieqn(name, 9, "candidate")) return value ? media_sdp_candidate_parse(&u.cand, value) : MEDIA_EPARSE;
        break;
    case 11:
        if (media__ieqn(name, 11, "fingerprint")) return value ? media_sdp_fingerprint_parse(&u.fp, value) : MEDIA_EPARSE;
        break;
    default:
        break;
    }
    return MEDIA_OK;
}

/* ---- line and attribute slots ---- */

/* RFC 8866 section 5 order; r= shares t='s rank so repeat times stay with their
   t=, extra c= lines follow the typed one, unknown letters go last. */
static int media__sdp_rank(char type)
{
    switch (type) {
    case 'i': return 1; case 'u': return 2; case 'e': return 3; case 'p': return 4;
    case 'c': return 5; case 'b': return 6; case 't': case 'r': return 7; case 'z': return 8;
    case 'k': return 9; default: return 10;
    }
}

static int media__sdp_level_ok(const media_sdp *sdp, int level)
{
    return level >= MEDIA_SDP_SESSION && level < (int)sdp->media_count;
}

/* Inserts a line at its rank within the level (after lines of equal rank). */
static int media__sdp_line_insert(media_sdp *sdp, int level, char type, media_sdp_ref value, size_t len)
{
    unsigned first, count, pos, i;
    int rank = media__sdp_rank(type);
    if (sdp->line_count >= MEDIA_SDP_MAX_LINES) return MEDIA_ENOSPC;
    if (level < 0) { first = 0; count = sdp->session_lines; }
    else { first = sdp->media[level].line_first; count = sdp->media[level].line_count; }
    pos = first + count;
    while (pos > first && media__sdp_rank(sdp->line[pos - 1].type) > rank) pos--;
    memmove(&sdp->line[pos + 1], &sdp->line[pos], (sdp->line_count - pos) * sizeof sdp->line[0]);
    sdp->line[pos].type = type;
    sdp->line[pos].value = value;
    sdp->line[pos].len = (uint16_t)len;
    sdp->line_count++;
    if (level < 0) sdp->session_lines++;
    else sdp->media[level].line_count++;
    for (i = (unsigned)(level + 1); i < sdp->media_count; i++) sdp->media[i].line_first++;
    return (int)pos;
}

/* Inserts an attribute at the end of its level. */
static int media__sdp_attr_insert(media_sdp *sdp, int level, media_sdp_ref name, size_t nlen,
                                  media_sdp_ref value, size_t vlen)
{
    unsigned pos, i;
    if (sdp->attr_count >= MEDIA_SDP_MAX_ATTRS) return MEDIA_ENOSPC;
    if (level < 0) pos = sdp->session_attrs;
    else pos = (unsigned)sdp->media[level].attr_first + sdp->media[level].attr_count;
    memmove(&sdp->attr[pos + 1], &sdp->attr[pos], (sdp->attr_count - pos) * sizeof sdp->attr[0]);
    sdp->attr[pos].name = name;
    sdp->attr[pos].name_len = (uint16_t)nlen;
    sdp->attr[pos].value = value;
    sdp->attr[pos].value_len = (uint16_t)vlen;
    sdp->attr_count++;
    if (level < 0) sdp->session_attrs++;
    else sdp->media[level].attr_count++;
    for (i = (unsigned)(level + 1); i < sdp->media_count; i++) sdp->media[i].attr_first++;
    return (int)pos;
}

/* level of attribute i */
static int media__sdp_attr_level(const media_sdp *sdp, int i)
{
    int m;
    if (i < (int)sdp->session_attrs) return MEDIA_SDP_SESSION;
    for (m = 0; m < (int)sdp->media_count; m++)
        if (i < (int)sdp->media[m].attr_first + (int)sdp->media[m].attr_count) return m;
    return MEDIA_SDP_SESSION;
}

/* ---- parse ---- */

/* "<nettype> <addrtype> <address>" into c (strings copied). */
static int media__sdp_parse_conn(media_sdp *sdp, media_sdp_conn *c, const char *p, const char *end)
{
    media_sdp_span net, type, addr;
    if (!media__sdp_tok(&p, end, &net) || !media__sdp_tok(&p, end, &type) ||
        !media__sdp_tok(&p, end, &addr) || media__sdp_rest(p, end).len) return MEDIA_EPARSE;
    if (!(c->nettype = media__sdp_put(sdp, net.ptr, net.len)) ||
        !(c->addrtype = media__sdp_put(sdp, type.ptr, type.len)) ||
        !(c->address = media__sdp_put(sdp, addr.ptr, addr.len))) return MEDIA_ENOSPC;
    c->family = (uint8_t)media__sdp_family(type);
    return MEDIA_OK;
}

static int media__sdp_parse_origin(media_sdp *sdp, const char *p, const char *end)
{
    media_sdp_span user, id;
    uint64_t v;
    if (!media__sdp_tok(&p, end, &user) || !media__sdp_tok(&p, end, &id)) return MEDIA_EPARSE;
    if (media__sdp_tok_uint(&p, end, UINT64_MAX, &v)) return MEDIA_EPARSE;
    if (!(sdp->origin_username = media__sdp_put(sdp, user.ptr, user.len)) ||
        !(sdp->origin_sess_id = media__sdp_put(sdp, id.ptr, id.len))) return MEDIA_ENOSPC;
    sdp->origin_version = v;
    return media__sdp_parse_conn(sdp, &sdp->origin, p, end);
}

static int media__sdp_is_rtp_proto(media_sdp_span proto)
{
    size_t i;
    for (i = 0; i + 4 <= proto.len; i++)
        if (media__ieqn(proto.ptr + i, 3, "RTP") && proto.ptr[i + 3] == '/') return 1;
    return 0;
}

static int media__sdp_parse_m(media_sdp *sdp, const char *p, const char *end)
{
    media_sdp_media *m;
    media_sdp_span media, port, proto, f;
    const char *slash;
    uint64_t v;
    if (sdp->media_count >= MEDIA_SDP_MAX_MEDIA) return MEDIA_ENOSPC;
    m = &sdp->media[sdp->media_count];
    memset(&m->conn, 0, sizeof m->conn);
    if (!media__sdp_tok(&p, end, &media) || !media__sdp_tok(&p, end, &port) ||
        !media__sdp_tok(&p, end, &proto)) return MEDIA_EPARSE;
    slash = (const char *)memchr(port.ptr, '/', port.len);
    if (media__sdp_uint(port.ptr, slash ? (size_t)(slash - port.ptr) : port.len, 65535, &v)) return MEDIA_EPARSE;
    m->port = (uint16_t)v;
    m->nports = 0;
    if (slash) {
        if (media__sdp_uint(slash + 1, (size_t)(port.ptr + port.len - slash - 1), 65535, &v) || v == 0)
            return MEDIA_EPARSE;
        m->nports = (uint16_t)v;
    }
    m->is_rtp = (uint8_t)media__sdp_is_rtp_proto(proto);
    m->fmt_count = 0;
    m->fmt = 0;
    if (m->is_rtp) {
        while (media__sdp_tok(&p, end, &f)) {
            if (media__sdp_uint(f.ptr, f.len, 127, &v)) return MEDIA_EPARSE;
            if (m->fmt_count >= MEDIA_SDP_MAX_FORMATS) return MEDIA_ENOSPC;
            m->pt[m->fmt_count++] = (uint8_t)v;
        }
    } else {
        /* kept as text with single spaces: "webrtc-datachannel", "t38", "*" */
        char *o;
        media_sdp_span rest = media__sdp_rest(p, end);
        if (rest.len) {
            if (rest.len >= (size_t)MEDIA_SDP_TEXT_SIZE - sdp->text_len) return MEDIA_ENOSPC;
            m->fmt = sdp->text_len;
            o = sdp->text + sdp->text_len;
            while (media__sdp_tok(&p, end, &f)) {
                if (m->fmt_count++) *o++ = ' ';
                memcpy(o, f.ptr, f.len);
                o += f.len;
            }
            *o++ = 0;
            sdp->text_len = (uint16_t)(o - sdp->text);
        }
    }
    if (!(m->media = media__sdp_put(sdp, media.ptr, media.len)) ||
        !(m->proto = media__sdp_put(sdp, proto.ptr, proto.len))) return MEDIA_ENOSPC;
    m->attr_first = sdp->attr_count; m->attr_count = 0;
    m->line_first = sdp->line_count; m->line_count = 0;
    sdp->media_count++;
    return MEDIA_OK;
}

/* The session level is complete (first m= or the end): fill what real peers
   leave out so the description written back is a valid one. */
static int media__sdp_session_done(media_sdp *sdp, unsigned seen)
{
    if (!(seen & MEDIA__SDP_O)) return MEDIA_EPARSE;
    if (!(seen & MEDIA__SDP_S) && !(sdp->name = media__sdp_put(sdp, "-", 1))) return MEDIA_ENOSPC;
    if (!(seen & MEDIA__SDP_T)) {
        media_sdp_ref r = media__sdp_put(sdp, "0 0", 3);
        if (!r) return MEDIA_ENOSPC;
        return media__sdp_line_insert(sdp, MEDIA_SDP_SESSION, 't', r, 3) < 0 ? MEDIA_ENOSPC : MEDIA_OK;
    }
    return MEDIA_OK;
}

static int media__sdp_parse_line(media_sdp *sdp, int *level, unsigned *seen, const char *line, const char *end)
{
    char type = line[0];
    const char *v = line + 2;
    size_t vlen = (size_t)(end - v);
    media_sdp_ref r;
    int rc;
    if (type == 'a') {
        const char *colon = (const char *)memchr(v, ':', vlen);
        size_t nlen = colon ? (size_t)(colon - v) : vlen;
        size_t at = sdp->text_len;
        media_sdp_attr *a;
        if (nlen == 0) return MEDIA_EPARSE;
        if (sdp->attr_count >= MEDIA_SDP_MAX_ATTRS) return MEDIA_ENOSPC;
        if (vlen + 1 > (size_t)MEDIA_SDP_TEXT_SIZE - at) return MEDIA_ENOSPC;
        /* "name:value" -> "name\0value\0" in one copy */
        memcpy(sdp->text + at, v, vlen);
        sdp->text[at + nlen] = 0;
        sdp->text[at + vlen] = 0;
        a = &sdp->attr[sdp->attr_count];
        a->name = (media_sdp_ref)at;
        a->name_len = (uint16_t)nlen;
        a->value = colon ? (media_sdp_ref)(at + nlen + 1) : 0;
        a->value_len = colon ? (uint16_t)(vlen - nlen - 1) : 0;
        rc = media__sdp_check_attr(v, nlen, colon ? sdp->text + at + nlen + 1 : NULL,
                                   *level >= 0 && sdp->media[*level].is_rtp);
        if (rc) return rc;
        sdp->text_len = (uint16_t)(at + vlen + 1);
        sdp->attr_count++;
        if (*level < 0) sdp->session_attrs++;
        else sdp->media[*level].attr_count++;
        return MEDIA_OK;
    }
    switch (type) {
    case 'm':
        if (*level < 0 && (rc = media__sdp_session_done(sdp, *seen)) != MEDIA_OK) return rc;
        if ((rc = media__sdp_parse_m(sdp, v, end)) != MEDIA_OK) return rc;
        *level = sdp->media_count - 1;
        return MEDIA_OK;
    case 'c': {
        media_sdp_conn *c = *level < 0 ? &sdp->conn : &sdp->media[*level].conn;
        if (!c->address) return media__sdp_parse_conn(sdp, c, v, end);
        /* RFC 8866 5.7: several c= only at media level (layered multicast) */
        if (*level < 0) return MEDIA_EPARSE;
        {
            media_sdp_conn tmp;
            size_t keep = sdp->text_len;
            if ((rc = media__sdp_parse_conn(sdp, &tmp, v, end)) != MEDIA_OK) return rc;
            sdp->text_len = (uint16_t)keep;
        }
        break;
    }
    case 'o':
        if (*level >= 0 || (*seen & MEDIA__SDP_O)) return MEDIA_EPARSE;
        *seen |= MEDIA__SDP_O;
        return media__sdp_parse_origin(sdp, v, end);
    case 's':
        if (*level >= 0 || (*seen & MEDIA__SDP_S)) return MEDIA_EPARSE;
        *seen |= MEDIA__SDP_S;
        /* RFC 8866 5.3: "s= " or "s=-" when there is no name; trailing blanks
           are trimmed, so an empty one becomes "-" */
        if (!vlen) { v = "-"; vlen = 1; }
        return (sdp->name = media__sdp_put(sdp, v, vlen)) ? MEDIA_OK : MEDIA_ENOSPC;
    case 't': {
        const char *q = v;
        uint64_t x;
        if (*level >= 0) return MEDIA_EPARSE;
        if (media__sdp_tok_uint(&q, end, UINT64_MAX, &x) || media__sdp_tok_uint(&q, end, UINT64_MAX, &x) ||
            media__sdp_rest(q, end).len) return MEDIA_EPARSE;
        *seen |= MEDIA__SDP_T;
        break;
    }
    case 'r': case 'z':
        if (*level >= 0 || !(*seen & MEDIA__SDP_T) || !vlen) return MEDIA_EPARSE;
        break;
    case 'b': {
        const char *colon = (const char *)memchr(v, ':', vlen);
        uint64_t x;
        if (!colon || colon == v || media__sdp_uint(colon + 1, (size_t)(end - colon - 1), 0xFFFFFFFFu, &x))
            return MEDIA_EPARSE;
        break;
    }
    case 'v':
        return MEDIA_EPARSE;
    default:
        if (!((type >= 'a' && type <= 'z') || (type >= 'A' && type <= 'Z'))) return MEDIA_EPARSE;
        break;
    }
    if (!(r = media__sdp_put(sdp, v, vlen))) return MEDIA_ENOSPC;
    return media__sdp_line_insert(sdp, *level, type, r, vlen) < 0 ? MEDIA_ENOSPC : MEDIA_OK;
}

MEDIADEF int media_sdp_parse(media_sdp *sdp, const char *text, size_t len)
{
    const char *p, *end;
    int line = 0, level = MEDIA_SDP_SESSION, rc = MEDIA_OK;
    unsigned seen = 0;
    if (!sdp || (!text && len) || MEDIA__TOO_LONG(len)) return MEDIA_EINVAL;
    media__sdp_clear(sdp);
    sdp->error_line = 0;
    if (!text && len) return MEDIA_EINVAL;
    if (!text) text = "";
    p = text; end = text + len;
    while (p < end) {
        const char *e = media__sdp_eol(p, end), *next = end;
        line++;
        if (e < end) {
            if (*e == '\n') next = e + 1;
            else if (*e == '\r' && (e + 1 == end || e[1] == '\n')) next = e + 1 + (e + 1 < end);
            else { rc = MEDIA_EPARSE; break; }          /* NUL or a lone CR */
        }
        while (e > p && (e[-1] == ' ' || e[-1] == '\t')) e--;
        if (e == p) { p = next; continue; }             /* blank line */
        if (e - p < 2 || p[1] != '=') { rc = MEDIA_EPARSE; break; }
        if (!(seen & MEDIA__SDP_V)) {
            if (e - p != 3 || p[0] != 'v' || p[2] != '0') { rc = MEDIA_EPARSE; break; }
            seen |= MEDIA__SDP_V;
        } else if ((rc = media__sdp_parse_line(sdp, &level, &seen, p, e)) != MEDIA_OK) {
            break;
        }
        p = next;
    }
    if (rc == MEDIA_OK) {
        if (!(seen & MEDIA__SDP_V)) { rc = MEDIA_EPARSE; line = line ? line : 1; }
        else if (level < 0) { rc = media__sdp_session_done(sdp, seen); line++; }
    }
    if (rc != MEDIA_OK) {
        media__sdp_clear(sdp);
        sdp->error_line = line;
        return rc;
    }
    return MEDIA_OK;
}

/* ---- write ---- */

typedef struct media__sdp_out { char *o, *lim; } media__sdp_out;

/* appends n bytes; the NUL's byte was kept out of lim */
static int media__sdp_cat(media__sdp_out *w, const char *s, size_t n)
{
    if (n > (size_t)(w->lim - w->o)) return 0;
    memcpy(w->o, s, n);
    w->o += n;
    return 1;
}

static int media__sdp_catu(media__sdp_out *w, uint64_t v)
{
    char tmp[20];
    int n = 0;
    do { tmp[19 - n++] = (char)('0' + v % 10); v /= 10; } while (v);
    return media__sdp_cat(w, tmp + 20 - n, (size_t)n);
}

static int media__sdp_catr(media__sdp_out *w, const media_sdp *sdp, media_sdp_ref r)
{
    const char *s = sdp->text + r;
    return media__sdp_cat(w, s, strlen(s));
}

static int media__sdp_cat_conn(media__sdp_out *w, const media_sdp *sdp, const media_sdp_conn *c)
{
    return media__sdp_catr(w, sdp, c->nettype) && media__sdp_cat(w, " ", 1) &&
           media__sdp_catr(w, sdp, c->addrtype) && media__sdp_cat(w, " ", 1) &&
           media__sdp_catr(w, sdp, c->address);
}

static int media__sdp_write_level(media__sdp_out *w, const media_sdp *sdp, const media_sdp_conn *c,
                                  unsigned lfirst, unsigned lcount, unsigned afirst, unsigned acount)
{
    unsigned i = lfirst, lend = lfirst + lcount, aend = afirst + acount;
    char ln[2] = {0, '='};
    for (; i < lend && media__sdp_rank(sdp->line[i].type) < 5; i++) {
        ln[0] = sdp->line[i].type;
        if (!media__sdp_cat(w, ln, 2) || !media__sdp_cat(w, sdp->text + sdp->line[i].value, sdp->line[i].len) ||
            !media__sdp_cat(w, "\r\n", 2)) return 0;
    }
    if (c->address && !(media__sdp_cat(w, "c=", 2) && media__sdp_cat_conn(w, sdp, c) && media__sdp_cat(w, "\r\n", 2)))
        return 0;
    for (; i < lend; i++) {
        ln[0] = sdp->line[i].type;
        if (!media__sdp_cat(w, ln, 2) || !media__sdp_cat(w, sdp->text + sdp->line[i].value, sdp->line[i].len) ||
            !media__sdp_cat(w, "\r\n", 2)) return 0;
    }
    for (i = afirst; i < aend; i++) {
        const media_sdp_attr *a = &sdp->attr[i];
        size_t need = 4u + a->name_len + (a->value ? 1u + a->value_len : 0u);
        char *o = w->o;
        if (need > (size_t)(w->lim - o)) return 0;
        o[0] = 'a'; o[1] = '=';
        memcpy(o + 2, sdp->text + a->name, a->name_len);
        o += 2 + a->name_len;
        if (a->value) {
            *o++ = ':';
            memcpy(o, sdp->text + a->value, a->value_len);
            o += a->value_len;
        }
        o[0] = '\r'; o[1] = '\n';
        w->o = o + 2;
    }
    return 1;
}

MEDIADEF int media_sdp_write(char *buf, size_t cap, const media_sdp *sdp)
{
    media__sdp_out w;
    unsigned i, j;
    if (!buf || !sdp || MEDIA__TOO_LONG(cap)) return MEDIA_EINVAL;
    if (cap == 0) return MEDIA_ENOSPC;
    w.o = buf; w.lim = buf + cap - 1;
    if (!(media__sdp_cat(&w, "v=0\r\no=", 7) && media__sdp_catr(&w, sdp, sdp->origin_username) &&
          media__sdp_cat(&w, " ", 1) && media__sdp_catr(&w, sdp, sdp->origin_sess_id) &&
          media__sdp_cat(&w, " ", 1) && media__sdp_catu(&w, sdp->origin_version) &&
          media__sdp_cat(&w, " ", 1) && media__sdp_cat_conn(&w, sdp, &sdp->origin) &&
          media__sdp_cat(&w, "\r\ns=", 4) && media__sdp_catr(&w, sdp, sdp->name) && media__sdp_cat(&w, "\r\n", 2) &&
          media__sdp_write_level(&w, sdp, &sdp->conn, 0, sdp->session_lines, 0, sdp->session_attrs)))
        goto full;
    for (i = 0; i < sdp->media_count; i++) {
        const media_sdp_media *m = &sdp->media[i];
        if (!(media__sdp_cat(&w, "m=", 2) && media__sdp_catr(&w, sdp, m->media) && media__sdp_cat(&w, " ", 1) &&
              media__sdp_catu(&w, m->port))) goto full;
        if (m->nports && !(media__sdp_cat(&w, "/", 1) && media__sdp_catu(&w, m->nports))) goto full;
        if (!(media__sdp_cat(&w, " ", 1) && media__sdp_catr(&w, sdp, m->proto))) goto full;
        if (m->is_rtp) {
            for (j = 0; j < m->fmt_count; j++)
                if (!(media__sdp_cat(&w, " ", 1) && media__sdp_catu(&w, m->pt[j]))) goto full;
        } else if (m->fmt && !(media__sdp_cat(&w, " ", 1) && media__sdp_catr(&w, sdp, m->fmt))) {
            goto full;
        }
        if (!(media__sdp_cat(&w, "\r\n", 2) &&
              media__sdp_write_level(&w, sdp, &m->conn, m->line_first, m->line_count, m->attr_first, m->attr_count)))
            goto full;
    }
    *w.o = 0;
    return (int)(w.o - buf);
full:
    buf[0] = 0;
    return MEDIA_ENOSPC;
}

/* ---- generic attribute access ---- */

static void media__sdp_range(const media_sdp *sdp, int level, unsigned *first, unsigned *end)
{
    if (level < 0) { *first = 0; *end = sdp->session_attrs; }
    else { *first = sdp->media[level].attr_first; *end = *first + sdp->media[level].attr_count; }
}

static int media__sdp_find(const media_sdp *sdp, int level, const char *name, size_t nlen, int after)
{
    unsigned i, end;
    media__sdp_range(sdp, level, &i, &end);
    if (after >= (int)i) i = (unsigned)after + 1;
    for (; i < end; i++)
        if (sdp->attr[i].name_len == nlen && media__ieqn(sdp->text + sdp->attr[i].name, nlen, name)) return (int)i;
    return MEDIA_ENOTFOUND;
}

MEDIADEF int media_sdp_attr_find(const media_sdp *sdp, int level, const char *name, int after)
{
    if (!sdp || !name || !media__sdp_level_ok(sdp, level)) return MEDIA_EINVAL;
    return media__sdp_find(sdp, level, name, strlen(name), after);
}

MEDIADEF const char *media_sdp_attr_name_get(const media_sdp *sdp, int i)
{
    if (!sdp || i < 0 || i >= (int)sdp->attr_count || i >= MEDIA_SDP_MAX_ATTRS) return NULL;
    return sdp->text + sdp->attr[i].name;
}

MEDIADEF const char *media_sdp_attr_value_get(const media_sdp *sdp, int i)
{
    if (!sdp || i < 0 || i >= (int)sdp->attr_count || i >= MEDIA_SDP_MAX_ATTRS || !sdp->attr[i].value) return NULL;
    return sdp->text + sdp->attr[i].value;
}

MEDIADEF const char *media_sdp_attr_get(const media_sdp *sdp, int level, const char *name)
{
    int i = media_sdp_attr_find(sdp, level, name, -1);
    return i >= 0 ? media_sdp_attr_value_get(sdp, i) : NULL;
}

/* media level, then session level */
static int media__sdp_find2(const media_sdp *sdp, int m, const char *name, size_t nlen)
{
    int i = media__sdp_find(sdp, m, name, nlen, -1);
    return i >= 0 ? i : media__sdp_find(sdp, MEDIA_SDP_SESSION, name, nlen, -1);
}

/* The attribute at level m whose value starts with payload type pt. */
/* The payload type an rtpmap/fmtp/rtcp-fb value starts with (0..127, else -1),
   and where the rest of the value starts. */
static int media__sdp_lead_pt(const char *v, const char **rest)
{
    int x = 0, n = 0;
    while (media__isdigit((unsigned char)v[n]) && n < 4) x = x * 10 + (v[n++] - '0');
    if (!n || x > 127 || (v[n] != ' ' && v[n] != '\t' && v[n] != 0)) return -1;
    while (v[n] == ' ' || v[n] == '\t') n++;
    *rest = v + n;
    return x;
}

static int media__sdp_find_pt(const media_sdp *sdp, int m, const char *name, size_t nlen, int pt, const char **rest)
{
    int i = -1;
    while ((i = media__sdp_find(sdp, m, name, nlen, i)) >= 0) {
        const char *v = media_sdp_attr_value_get(sdp, i);
        if (v && media__sdp_lead_pt(v, rest) == pt) return i;
    }
    return MEDIA_ENOTFOUND;
}

MEDIADEF int media_sdp_rtpmap_get(const media_sdp *sdp, int m, int pt, media_sdp_rtpmap *out)
{
    const char *rest;
    int i;
    if (!sdp || !out || m < 0 || m >= (int)sdp->media_count || pt < 0 || pt > 127) return MEDIA_EINVAL;
    i = media__sdp_find_pt(sdp, m, "rtpmap", 6, pt, &rest);
    if (i >= 0) return media_sdp_rtpmap_parse(out, media_sdp_attr_value_get(sdp, i));
    return media__sdp_static_rtpmap(pt, out);
}

MEDIADEF const char *media_sdp_fmtp_get(const media_sdp *sdp, int m, int pt)
{
    const char *rest;
    if (!sdp || m < 0 || m >= (int)sdp->media_count) return NULL;
    return media__sdp_find_pt(sdp, m, "fmtp", 4, pt, &rest) >= 0 ? rest : NULL;
}

MEDIADEF int media_sdp_fmtp_param(media_sdp_span *value, const char *fmtp, const char *key)
{
    const char *p;
    size_t klen;
    if (!value || !fmtp || !key) return MEDIA_EINVAL;
    klen = strlen(key);
    p = fmtp;
    while (*p) {
        const char *k, *ke, *e = p;
        while (*e && *e != ';') e++;
        k = p;
        while (k < e && (*k == ' ' || *k == '\t')) k++;
        ke = k;
        while (ke < e && *ke != '=') ke++;
        if (ke < e) {
            const char *kt = ke, *vs = ke + 1, *ve = e;
            while (kt > k && (kt[-1] == ' ' || kt[-1] == '\t')) kt--;
            if ((size_t)(kt - k) == klen && media__ieqn(k, klen, key)) {
                while (vs < ve && (*vs == ' ' || *vs == '\t')) vs++;
                while (ve > vs && (ve[-1] == ' ' || ve[-1] == '\t')) ve--;
                value->ptr = vs; value->len = (size_t)(ve - vs);
                return MEDIA_OK;
            }
        }
        p = *e ? e + 1 : e;
    }
    return MEDIA_ENOTFOUND;
}

MEDIADEF int media_sdp_fmtp_number(uint32_t *value, const char *fmtp, const char *key)
{
    media_sdp_span v;
    uint64_t x = 0;
    size_t i;
    int rc;
    if (!value) return MEDIA_EINVAL;
    if ((rc = media_sdp_fmtp_param(&v, fmtp, key)) != MEDIA_OK) return rc;
    if (v.len == 0 || v.len > 10) return MEDIA_EPARSE;
    for (i = 0; i < v.len; i++) {
        if (v.ptr[i] < '0' || v.ptr[i] > '9') return MEDIA_EPARSE;
        x = x * 10 + (uint64_t)(v.ptr[i] - '0');
    }
    if (x > 0xFFFFFFFFu) return MEDIA_EPARSE;
    *value = (uint32_t)x;
    return MEDIA_OK;
}

static int media__sdp_get_ms(const media_sdp *sdp, int m, const char *name, size_t nlen)
{
    int i, ms = 0;
    const char *v;
    if (!sdp || m < 0 || m >= (int)sdp->media_count) return 0;
    i = media__sdp_find2(sdp, m, name, nlen);
    if (i < 0 || !(v = media_sdp_attr_value_get(sdp, i)) || media__sdp_ms(v, strlen(v), &ms)) return 0;
    return ms;
}

MEDIADEF int media_sdp_ptime_get(const media_sdp *sdp, int m) { return media__sdp_get_ms(sdp, m, "ptime", 5); }
MEDIADEF int media_sdp_maxptime_get(const media_sdp *sdp, int m) { return media__sdp_get_ms(sdp, m, "maxptime", 8); }

/* the direction attribute at one level, or -1 */
static int media__sdp_dir_at(const media_sdp *sdp, int level)
{
    unsigned i, end;
    media__sdp_range(sdp, level, &i, &end);
    for (; i < end; i++) {
        media_sdp_span w;
        media_sdp_direction d;
        if (sdp->attr[i].name_len != 8) continue;
        w.ptr = sdp->text + sdp->attr[i].name; w.len = 8;
        if (media__sdp_dir_word(w, &d) == MEDIA_OK) return (int)d;
    }
    return -1;
}

MEDIADEF media_sdp_direction media_sdp_direction_get(const media_sdp *sdp, int m)
{
    int d;
    if (!sdp || m < 0 || m >= (int)sdp->media_count) return MEDIA_SDP_SENDRECV;
    d = media__sdp_dir_at(sdp, m);
    if (d < 0) d = media__sdp_dir_at(sdp, MEDIA_SDP_SESSION);
    return d < 0 ? MEDIA_SDP_SENDRECV : (media_sdp_direction)d;
}

MEDIADEF const media_sdp_conn *media_sdp_conn_get(const media_sdp *sdp, int m)
{
    if (!sdp || m < 0 || m >= (int)sdp->media_count) return NULL;
    if (sdp->media[m].conn.address) return &sdp->media[m].conn;   /* RFC 8866 5.7: media level wins */
    return sdp->conn.address ? &sdp->conn : NULL;
}

MEDIADEF int media_sdp_is_hold(const media_sdp *sdp, int m)
{
    const media_sdp_conn *c = media_sdp_conn_get(sdp, m);
    const char *a;
    if (!c) return 0;
    a = sdp->text + c->address;
    return strcmp(a, "0.0.0.0") == 0 || strcmp(a, "::") == 0;
}

MEDIADEF int media_sdp_rtcp_mux_get(const media_sdp *sdp, int m)
{
    if (!sdp || m < 0 || m >= (int)sdp->media_count) return 0;
    return media__sdp_find2(sdp, m, "rtcp-mux", 8) >= 0;
}

MEDIADEF const char *media_sdp_mid_get(const media_sdp *sdp, int m)
{
    int i;
    if (!sdp || m < 0 || m >= (int)sdp->media_count) return NULL;
    i = media__sdp_find(sdp, m, "mid", 3, -1);
    return i >= 0 ? media_sdp_attr_value_get(sdp, i) : NULL;
}

/* ---- edits ---- */

/* no CR, LF or NUL (they would end the line); with no_space, no blanks either */
static int media__sdp_clean(const char *s, int no_space)
{
    for (; *s; s++)
        if (*s == '\r' || *s == '\n' || (no_space && (*s == ' ' || *s == '\t'))) return 0;
    return 1;
}

MEDIADEF int media_sdp_attr_add(media_sdp *sdp, int level, const char *name, const char *value)
{
    size_t nlen, vlen;
    media_sdp_ref rn, rv = 0;
    int rc, is_rtp;
    if (!sdp || !name || !media__sdp_level_ok(sdp, level)) return MEDIA_EINVAL;
    nlen = strlen(name);
    vlen = value ? strlen(value) : 0;
    if (!nlen || memchr(name, ':', nlen) || !media__sdp_clean(name, 1) || (value && !media__sdp_clean(value, 0)) ||
        nlen > 0xFFFFu || vlen > 0xFFFFu) return MEDIA_EINVAL;
    is_rtp = level >= 0 && sdp->media[level].is_rtp;
    if (media__sdp_check_attr(name, nlen, value, is_rtp)) return MEDIA_EINVAL;
    if (sdp->attr_count >= MEDIA_SDP_MAX_ATTRS) return MEDIA_ENOSPC;
    if ((rc = media__sdp_reserve(sdp, nlen + vlen + 2)) != MEDIA_OK) return rc;
    rn = media__sdp_put(sdp, name, nlen);
    if (value) rv = media__sdp_put(sdp, value, vlen);
    return media__sdp_attr_insert(sdp, level, rn, nlen, rv, vlen);
}

MEDIADEF int media_sdp_attr_remove_at(media_sdp *sdp, int i)
{
    int level, m;
    if (!sdp || i < 0 || i >= (int)sdp->attr_count) return MEDIA_EINVAL;
    level = media__sdp_attr_level(sdp, i);
    memmove(&sdp->attr[i], &sdp->attr[i + 1], (size_t)(sdp->attr_count - i - 1) * sizeof sdp->attr[0]);
    sdp->attr_count--;
    if (level < 0) sdp->session_attrs--;
    else sdp->media[level].attr_count--;
    for (m = level + 1; m < (int)sdp->media_count; m++) sdp->media[m].attr_first--;
    return MEDIA_OK;
}

MEDIADEF int media_sdp_attr_remove(media_sdp *sdp, int level, const char *name)
{
    int i, n = 0;
    if (!sdp || !name || !media__sdp_level_ok(sdp, level)) return MEDIA_EINVAL;
    while ((i = media_sdp_attr_find(sdp, level, name, -1)) >= 0) { media_sdp_attr_remove_at(sdp, i); n++; }
    return n;
}

MEDIADEF int media_sdp_attr_set(media_sdp *sdp, int level, const char *name, const char *value)
{
    int i, j, rc;
    size_t vlen;
    if (!sdp || !name || !media__sdp_level_ok(sdp, level)) return MEDIA_EINVAL;
    i = media_sdp_attr_find(sdp, level, name, -1);
    if (i < 0) return media_sdp_attr_add(sdp, level, name, value);
    vlen = value ? strlen(value) : 0;
    if ((value && !media__sdp_clean(value, 0)) || vlen > 0xFFFFu ||
        media__sdp_check_attr(name, strlen(name), value, level >= 0 && sdp->media[level].is_rtp)) return MEDIA_EINVAL;
    while ((j = media_sdp_attr_find(sdp, level, name, i)) >= 0) media_sdp_attr_remove_at(sdp, j);
    if ((rc = media__sdp_reserve(sdp, vlen + 1)) != MEDIA_OK) return rc;
    sdp->attr[i].value = value ? media__sdp_put(sdp, value, vlen) : 0;
    sdp->attr[i].value_len = (uint16_t)vlen;
    return i;
}

static const char *const media__sdp_dir_names[4] = {"sendrecv", "sendonly", "recvonly", "inactive"};

MEDIADEF int media_sdp_direction_set(media_sdp *sdp, int level, media_sdp_direction dir)
{
    int k;
    if (!sdp || !media__sdp_level_ok(sdp, level) || (unsigned)dir > 3u) return MEDIA_EINVAL;
    for (k = 0; k < 4; k++) media_sdp_attr_remove(sdp, level, media__sdp_dir_names[k]);
    return media_sdp_attr_add(sdp, level, media__sdp_dir_names[dir], NULL);
}

MEDIADEF int media_sdp_format_remove(media_sdp *sdp, int m, int pt)
{
    static const char *const names[3] = {"rtpmap", "fmtp", "rtcp-fb"};
    media_sdp_media *md;
    int j, k, found = 0;
    if (!sdp || m < 0 || m >= (int)sdp->media_count || !sdp->media[m].is_rtp) return MEDIA_EINVAL;
    md = &sdp->media[m];
    for (j = 0; j < (int)md->fmt_count; j++) {
        if (md->pt[j] != pt) continue;
        memmove(&md->pt[j], &md->pt[j + 1], (size_t)(md->fmt_count - j - 1));
        md->fmt_count--;
        j--;
        found = 1;
    }
    if (!found) return MEDIA_ENOTFOUND;
    for (k = 0; k < 3; k++) {
        const char *rest;
        int i;
        while ((i = media__sdp_find_pt(sdp, m, names[k], strlen(names[k]), pt, &rest)) >= 0)
            media_sdp_attr_remove_at(sdp, i);
    }
    return MEDIA_OK;
}

MEDIADEF int media_sdp_format_add(media_sdp *sdp, int m, int pt)
{
    media_sdp_media *md;
    int j;
    if (!sdp || m < 0 || m >= (int)sdp->media_count || !sdp->media[m].is_rtp || pt < 0 || pt > 127)
        return MEDIA_EINVAL;
    md = &sdp->media[m];
    for (j = 0; j < (int)md->fmt_count; j++) if (md->pt[j] == pt) return MEDIA_EINVAL;
    if (md->fmt_count >= MEDIA_SDP_MAX_FORMATS) return MEDIA_ENOSPC;
    md->pt[md->fmt_count++] = (uint8_t)pt;
    return MEDIA_OK;
}

/* "IN IP4|IP6 <address>" from the address's form */
static int media__sdp_set_conn(media_sdp *sdp, media_sdp_conn *c, const char *address)
{
    size_t n;
    int v6, rc;
    if (!address || !(n = strlen(address)) || !media__sdp_clean(address, 1)) return MEDIA_EINVAL;
    v6 = memchr(address, ':', n) != NULL;
    if ((rc = media__sdp_reserve(sdp, n + 8)) != MEDIA_OK) return rc;
    c->nettype = media__sdp_put(sdp, "IN", 2);
    c->addrtype = media__sdp_put(sdp, v6 ? "IP6" : "IP4", 3);
    c->address = media__sdp_put(sdp, address, n);
    c->family = (uint8_t)(v6 ? 6 : 4);
    return MEDIA_OK;
}

MEDIADEF int media_sdp_conn_set(media_sdp *sdp, int level, const char *address)
{
    if (!sdp || !media__sdp_level_ok(sdp, level)) return MEDIA_EINVAL;
    return media__sdp_set_conn(sdp, level < 0 ? &sdp->conn : &sdp->media[level].conn, address);
}

MEDIADEF int media_sdp_port_set(media_sdp *sdp, int m, uint16_t port)
{
    if (!sdp || m < 0 || m >= (int)sdp->media_count) return MEDIA_EINVAL;
    sdp->media[m].port = port;
    return MEDIA_OK;
}

MEDIADEF int media_sdp_version_bump(media_sdp *sdp)
{
    if (!sdp) return MEDIA_EINVAL;
    if (sdp->origin_version == UINT64_MAX) return MEDIA_ENOSPC;
    sdp->origin_version++;
    return MEDIA_OK;
}

MEDIADEF int media_sdp_media_add(media_sdp *sdp, const char *media, uint16_t port, const char *proto)
{
    media_sdp_media *m;
    media_sdp_span ps;
    size_t n1, n2;
    int rc;
    if (!sdp || !media || !proto || !(n1 = strlen(media)) || !(n2 = strlen(proto)) ||
        !media__sdp_clean(media, 1) || !media__sdp_clean(proto, 1)) return MEDIA_EINVAL;
    if (sdp->media_count >= MEDIA_SDP_MAX_MEDIA) return MEDIA_ENOSPC;
    if ((rc = media__sdp_reserve(sdp, n1 + n2 + 2)) != MEDIA_OK) return rc;
    m = &sdp->media[sdp->media_count];
    memset(m, 0, sizeof *m);
    m->media = media__sdp_put(sdp, media, n1);
    m->proto = media__sdp_put(sdp, proto, n2);
    m->port = port;
    ps.ptr = proto; ps.len = n2;
    m->is_rtp = (uint8_t)media__sdp_is_rtp_proto(ps);
    m->attr_first = sdp->attr_count;
    m->line_first = sdp->line_count;
    return sdp->media_count++;
}

MEDIADEF int media_sdp_line_add(media_sdp *sdp, int level, char type, const char *value)
{
    size_t n;
    int rc;
    if (!sdp || !value || !media__sdp_level_ok(sdp, level) || !media__sdp_clean(value, 0)) return MEDIA_EINVAL;
    if (!((type >= 'a' && type <= 'z') || (type >= 'A' && type <= 'Z'))) return MEDIA_EINVAL;
    /* the typed lines have their own functions; t= r= z= only at session level */
    if (type == 'a' || type == 'm' || type == 'v' || type == 'o' || type == 's' || type == 'c' ||
        (level >= 0 && (type == 't' || type == 'r' || type == 'z'))) return MEDIA_EINVAL;
    if (!(n = strlen(value)) || n > 0xFFFFu) return MEDIA_EINVAL;
    if (sdp->line_count >= MEDIA_SDP_MAX_LINES) return MEDIA_ENOSPC;
    if ((rc = media__sdp_reserve(sdp, n + 1)) != MEDIA_OK) return rc;
    return media__sdp_line_insert(sdp, level, type, media__sdp_put(sdp, value, n), n);
}

static int media__sdp_init(media_sdp *sdp, const char *username, const char *sess_id, uint64_t version,
                           const char *address)
{
    int rc;
    size_t nu = strlen(username), ni = strlen(sess_id);
    if (!nu || !ni || !media__sdp_clean(username, 1) || !media__sdp_clean(sess_id, 1)) return MEDIA_EINVAL;
    media__sdp_clear(sdp);
    sdp->error_line = 0;
    sdp->origin_username = media__sdp_put(sdp, username, nu);
    sdp->origin_sess_id = media__sdp_put(sdp, sess_id, ni);
    sdp->origin_version = version;
    sdp->name = media__sdp_put(sdp, "-", 1);
    if (!sdp->origin_username || !sdp->origin_sess_id || !sdp->name) return MEDIA_ENOSPC;
    if ((rc = media__sdp_set_conn(sdp, &sdp->origin, address)) != MEDIA_OK ||
        (rc = media__sdp_set_conn(sdp, &sdp->conn, address)) != MEDIA_OK) return rc;
    return media_sdp_line_add(sdp, MEDIA_SDP_SESSION, 't', "0 0") < 0 ? MEDIA_ENOSPC : MEDIA_OK;
}

static char *media__u64_str(char *buf, uint64_t v)   /* buf has 21 bytes */
{
    char *p = buf + 20;
    *p = 0;
    do { *--p = (char)('0' + v % 10); v /= 10; } while (v);
    return p;
}

MEDIADEF int media_sdp_init(media_sdp *sdp, const char *username, uint64_t sess_id, uint64_t version,
                            const char *address)
{
    char idb[21];
    if (!sdp) return MEDIA_EINVAL;
    return media__sdp_init(sdp, username ? username : "-", media__u64_str(idb, sess_id), version, address);
}

/* ---- offer/answer (RFC 3264) ---- */

static const media_codec *const media__default_codecs[3] = {
    &media__codec_pcmu, &media__codec_pcma, &media__codec_te
};

MEDIADEF void media_sdp_oa_config_init(media_sdp_oa_config *cfg)
{
    if (!cfg) return;
    memset(cfg, 0, sizeof *cfg);
    cfg->codecs = media__default_codecs;
    cfg->codec_count = 3;
}

/* directions as bits: 1 = send, 2 = receive */
static unsigned media__dir_bits(media_sdp_direction d)
{
    static const unsigned bits[4] = {3u, 1u, 2u, 0u};
    return bits[(unsigned)d & 3u];
}
static media_sdp_direction media__dir_from_bits(unsigned b)
{
    static const media_sdp_direction d[4] = {MEDIA_SDP_INACTIVE, MEDIA_SDP_SENDONLY, MEDIA_SDP_RECVONLY, MEDIA_SDP_SENDRECV};
    return d[b & 3u];
}

/* A little string builder for attribute values (no stdio needed). */
typedef struct media__sdp_buf { char s[512]; size_t n; int bad; } media__sdp_buf;
static void media__sb_cat(media__sdp_buf *b, const char *s, size_t n)
{
    if (b->bad || n >= sizeof b->s - b->n) { b->bad = 1; return; }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = 0;
}
static void media__sb_str(media__sdp_buf *b, const char *s) { media__sb_cat(b, s, strlen(s)); }
static void media__sb_u64(media__sdp_buf *b, uint64_t v) { char t[21]; media__sb_str(b, media__u64_str(t, v)); }

/* RFC 4733 event lists ("0-15,66") to and from a 256-bit map. Without an
   fmtp a receiver assumes 0-15 (RFC 4733 section 7.1.1). */
static void media__events_parse(uint8_t map[32], const char *s)
{
    memset(map, 0, 32);
    if (!s) s = "0-15";
    while (*s) {
        uint64_t a, b;
        const char *e = s, *dash;
        while (*e && *e != ',') e++;
        while (s < e && *s == ' ') s++;
        dash = (const char *)memchr(s, '-', (size_t)(e - s));
        if (!media__sdp_uint(s, (size_t)((dash ? dash : e) - s), 255, &a)) {
            const char *be = e;
            while (be > s && be[-1] == ' ') be--;
            if (!dash) b = a;
            else if (media__sdp_uint(dash + 1, (size_t)(be - dash - 1), 255, &b) || b < a) b = 256;
            if (!dash && media__sdp_uint(s, (size_t)(be - s), 255, &a)) b = 256;
            if (b < 256) for (; a <= b; a++) map[a >> 3] |= (uint8_t)(1u << (a & 7));
        }
        s = *e ? e + 1 : e;
    }
}

static int media__events_any(const uint8_t map[32])
{
    int i;
    for (i = 0; i < 32; i++) if (map[i]) return 1;
    return 0;
}

static void media__events_write(media__sdp_buf *b, const uint8_t map[32])
{
    int e = 0, first = 1;
    while (e < 256) {
        int f;
        if (!(e & 7) && !map[e >> 3]) { e += 8; continue; }   /* most of the map is empty */
        if (!(map[e >> 3] & (1u << (e & 7)))) { e++; continue; }
        f = e;
        while (e + 1 < 256 && (map[(e + 1) >> 3] & (1u << ((e + 1) & 7)))) e++;
        if (!first) media__sb_cat(b, ",", 1);
        media__sb_u64(b, (uint64_t)f);
        if (e > f) { media__sb_cat(b, "-", 1); media__sb_u64(b, (uint64_t)e); }
        first = 0;
        e++;
    }
}

static int media__codec_matches(const media_codec *c, const media_sdp_rtpmap *r)
{
    return media_sdp_span_equal(r->encoding, c->name) && (c->clock_rate == r->clock_rate || !c->clock_rate) &&
           (uint32_t)(c->channels ? c->channels : 1) == r->channels;
}

static int media__sdp_is_te(const media_sdp_rtpmap *r) { return media_sdp_span_equal(r->encoding, "telephone-event"); }

static const media_codec *media__find_te(const media_codec *const *codecs, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) if (codecs[i] && (codecs[i]->flags & MEDIA_CODEC_EVENTS)) return codecs[i];
    return NULL;
}

/* Appends an attribute the builders made themselves: no parse-back check,
   only that nothing in it could end the line. */
static int media__sdp_attr_raw(media_sdp *sdp, int m, const char *name, size_t nlen, const char *value, size_t vlen)
{
    media_sdp_ref rn, rv = 0;
    int rc;
    if (value && !media__sdp_clean(value, 0)) return MEDIA_EINVAL;
    if (sdp->attr_count >= MEDIA_SDP_MAX_ATTRS) return MEDIA_ENOSPC;
    if ((rc = media__sdp_reserve(sdp, nlen + vlen + 2)) != MEDIA_OK) return rc;
    rn = media__sdp_put(sdp, name, nlen);
    if (value) rv = media__sdp_put(sdp, value, vlen);
    return media__sdp_attr_insert(sdp, m, rn, nlen, rv, vlen);
}

/* a=rtpmap (and a=fmtp when fmtp) for one format */
static int media__sdp_add_rtpmap(media_sdp *sdp, int m, int pt, const char *enc, size_t enclen, uint32_t rate,
                                 uint32_t ch, const char *fmtp)
{
    media__sdp_buf b;
    int rc;
    b.n = 0; b.bad = 0; b.s[0] = 0;
    media__sb_u64(&b, (uint64_t)pt); media__sb_cat(&b, " ", 1); media__sb_cat(&b, enc, enclen);
    media__sb_cat(&b, "/", 1); media__sb_u64(&b, rate);
    if (ch > 1) { media__sb_cat(&b, "/", 1); media__sb_u64(&b, ch); }
    if (b.bad || memchr(enc, ' ', enclen) || memchr(enc, '/', enclen)) return MEDIA_EINVAL;
    if ((rc = media__sdp_attr_raw(sdp, m, "rtpmap", 6, b.s, b.n)) < 0) return rc;
    if (!fmtp || !*fmtp) return MEDIA_OK;
    b.n = 0; b.s[0] = 0;
    media__sb_u64(&b, (uint64_t)pt); media__sb_cat(&b, " ", 1); media__sb_str(&b, fmtp);
    if (b.bad) return MEDIA_EINVAL;
    rc = media__sdp_attr_raw(sdp, m, "fmtp", 4, b.s, b.n);
    return rc < 0 ? rc : MEDIA_OK;
}

/* ptime, maxptime, rtcp, rtcp-mux, mid and the direction: the tail of our audio m-line */
static int media__sdp_add_tail(media_sdp *sdp, int m, int ptime, int maxptime, unsigned rtcp_port, int mux,
                               const char *mid, media_sdp_direction dir)
{
    media__sdp_buf b;
    int rc = MEDIA_OK;
    b.bad = 0;
    if (rtcp_port > 65535u) return MEDIA_EINVAL;
    if (ptime > 0) { b.n = 0; media__sb_u64(&b, (uint64_t)ptime); rc = media__sdp_attr_raw(sdp, m, "ptime", 5, b.s, b.n); }
    if (rc >= 0 && maxptime > 0) { b.n = 0; media__sb_u64(&b, (uint64_t)maxptime); rc = media__sdp_attr_raw(sdp, m, "maxptime", 8, b.s, b.n); }
    /* RFC 3605: always say where RTCP goes, even at the default port + 1 */
    if (rc >= 0) { b.n = 0; media__sb_u64(&b, rtcp_port); rc = media__sdp_attr_raw(sdp, m, "rtcp", 4, b.s, b.n); }
    if (rc >= 0 && mux) rc = media__sdp_attr_raw(sdp, m, "rtcp-mux", 8, NULL, 0);
    if (rc >= 0 && mid) rc = media__sdp_attr_raw(sdp, m, "mid", 3, mid, strlen(mid));
    if (rc >= 0) rc = media__sdp_attr_raw(sdp, m, media__sdp_dir_names[dir], 8, NULL, 0);
    return rc < 0 ? rc : MEDIA_OK;
}

static int media__sdp_oa_check(const media_sdp_oa_config *cfg, const media_codec *const **codecs, size_t *n)
{
    if (!cfg || !cfg->address || !cfg->port || (unsigned)cfg->direction > 3u ||
        (cfg->codecs && !cfg->codec_count)) return MEDIA_EINVAL;
    *codecs = cfg->codecs ? cfg->codecs : media__default_codecs;
    *n = cfg->codecs ? cfg->codec_count : 3;
    return MEDIA_OK;
}

/* the origin of a new SDP of ours: kept from the previous one, version + 1 */
static int media__sdp_oa_origin(media_sdp *sdp, const media_sdp_oa_config *cfg)
{
    const media_sdp *prev = cfg->previous;
    char idb[21];
    if (prev) {
        if (prev->origin_version == UINT64_MAX) return MEDIA_EINVAL;
        return media__sdp_init(sdp, media_sdp_str_get(prev, prev->origin_username),
                               media_sdp_str_get(prev, prev->origin_sess_id), prev->origin_version + 1, cfg->address);
    }
    /* none given: one of our own (o= must tell this SDP's session from
       another's; a constant 0 does not): the clock's microseconds, mixed with
       where the caller's config and the new SDP live, so two made in one
       microsecond (two threads, or an offer and its answer) differ */
    if (!cfg->session_id) {
        uint64_t id = (media_now_us() ^ ((uint64_t)(size_t)cfg << 20) ^ ((uint64_t)(size_t)sdp << 7) * 0x9E3779B97F4A7C15ull) &
                      0x3FFFFFFFFFFFFFFFull;
        return media__sdp_init(sdp, cfg->username ? cfg->username : "-", media__u64_str(idb, id ? id : 1),
                               cfg->session_version, cfg->address);
    }
    return media__sdp_init(sdp, cfg->username ? cfg->username : "-", media__u64_str(idb, cfg->session_id),
                           cfg->session_version, cfg->address);
}

/* m-line i is audio over RTP */
static int media__sdp_is_audio(const media_sdp *sdp, int i)
{
    const media_sdp_media *m = &sdp->media[i];
    return m->is_rtp && media__ieqn(sdp->text + m->media, strlen(sdp->text + m->media), "audio");
}

/* first audio RTP m-line (with a port unless any_port) */
static int media__sdp_audio_index(const media_sdp *sdp, int any_port)
{
    int i;
    for (i = 0; i < (int)sdp->media_count; i++)
        if (media__sdp_is_audio(sdp, i) && (any_port || sdp->media[i].port)) return i;
    return -1;
}

/* the payload type sdp's media m used for this codec (name/rate/channels), or -1 */
static int media__sdp_pt_of(const media_sdp *sdp, int m, const char *name, uint32_t rate, uint32_t ch)
{
    int j;
    if (!sdp || m < 0) return -1;
    for (j = 0; j < (int)sdp->media[m].fmt_count; j++) {
        media_sdp_rtpmap r;
        int pt = sdp->media[m].pt[j];
        if (media_sdp_rtpmap_get(sdp, m, pt, &r) == MEDIA_OK && media_sdp_span_equal(r.encoding, name) &&
            r.clock_rate == rate && r.channels == ch) return pt;
    }
    return -1;
}

/* a copy of another description's m-line, refused (port 0) */
static int media__sdp_copy_refused(media_sdp *dst, const media_sdp *src, int i)
{
    const media_sdp_media *sm = &src->media[i];
    const char *mid = media_sdp_mid_get(src, i);
    int m = media_sdp_media_add(dst, media_sdp_str_get(src, sm->media), 0, media_sdp_str_get(src, sm->proto)), rc;
    if (m < 0) return m;
    if (sm->is_rtp != dst->media[m].is_rtp) return MEDIA_EINVAL;
    if (sm->is_rtp) {
        memcpy(dst->media[m].pt, sm->pt, sm->fmt_count);
        dst->media[m].fmt_count = sm->fmt_count;
    } else if (sm->fmt) {
        const char *f = media_sdp_str_get(src, sm->fmt);
        size_t n = strlen(f);
        if ((rc = media__sdp_reserve(dst, n + 1)) != MEDIA_OK) return rc;
        dst->media[m].fmt = media__sdp_put(dst, f, n);
        dst->media[m].fmt_count = sm->fmt_count;
    }
    if (mid && (rc = media_sdp_attr_add(dst, m, "mid", mid)) < 0) return rc;
    return m;
}

/* >>sdp implementation: SDES (RFC 4568). A crypto line we can use: one of
   our suites, one key of its size without an MKI, and no session parameter
   asking for what the filter does not do (key derivation, unencrypted or
   unauthenticated SRTP, FEC; a window size hint is only a hint). Other
   lines are skipped, as RFC 4568 7.1.2 has the answerer do. Returns the
   suite's index, or -1. */
static int media__sdes_line(const media_sdes *sdes, const char *value, media_sdp_crypto *cr, media_sdp_crypto_key *key,
                            media_sdp_crypto_params *prm)
{
    size_t i, kl, sl;
    if (!value || media_sdp_crypto_parse(cr, value) != MEDIA_OK) return -1;
    for (i = 0; i < sdes->count && i < 32767; i++)
        if (sdes->suites[i].name && sdes->suites[i].key && media_sdp_span_equal(cr->suite, sdes->suites[i].name)) break;
    if (i == sdes->count || i == 32767 || media_sdp_crypto_suite_info(cr->suite, &kl, &sl) != MEDIA_OK) return -1;
    if (media_sdp_crypto_key_parse(key, cr->key_params, 0) != 1 || key->mki_len || key->key_len != kl + sl) return -1;
    if (media_sdp_crypto_params_parse(prm, cr->session_params) != MEDIA_OK || prm->kdr >= 0 || prm->unencrypted_srtp ||
        prm->unencrypted_srtcp || prm->unauthenticated_srtp || prm->fec) return -1;
    return (int)i;
}

/* the first usable crypto line of m-line m (of suite `want`, or any when
   -1): its suite, -1 if none; its attribute index in *at */
static int media__sdes_find(const media_sdp *sdp, int m, const media_sdes *sdes, int want, int *at,
                            media_sdp_crypto *cr, media_sdp_crypto_key *key, media_sdp_crypto_params *prm)
{
    int i = -1, k;
    while ((i = media_sdp_attr_find(sdp, m, "crypto", i)) >= 0) {
        k = media__sdes_line(sdes, media_sdp_attr_value_get(sdp, i), cr, key, prm);
        if (k >= 0 && (want < 0 || k == want)) { *at = i; return k; }
    }
    return -1;
}

static int media__sdes_on(const media_sdp_oa_config *cfg)
{
    return cfg->sdes && cfg->sdes->policy != MEDIA_SRTP_OFF && cfg->sdes->count;
}

static int media__is_savp(const char *proto)
{
    return media__ieqn(proto, strlen(proto), "RTP/SAVP") || media__ieqn(proto, strlen(proto), "RTP/SAVPF");
}

/* a=crypto:<tag> <suite> inline:<our key> */
static int media__sdes_write(media_sdp *sdp, int m, uint32_t tag, const char *suite, size_t suite_len, const uint8_t *key)
{
    media__sdp_buf b;
    size_t kl, sl;
    media_sdp_span sp;
    char k64[4 * MEDIA_SDP_CRYPTO_KEY_MAX / 3 + 4];
    int n, rc;
    sp.ptr = suite; sp.len = suite_len;
    if (media_sdp_crypto_suite_info(sp, &kl, &sl) != MEDIA_OK || memchr(suite, ' ', suite_len)) return MEDIA_EINVAL;
    if ((n = media_base64_encode(k64, sizeof k64, key, kl + sl)) < 0) return n;
    b.n = 0; b.bad = 0; b.s[0] = 0;
    media__sb_u64(&b, tag); media__sb_cat(&b, " ", 1); media__sb_cat(&b, suite, suite_len);
    media__sb_cat(&b, " inline:", 8); media__sb_cat(&b, k64, (size_t)n);
    if (b.bad) return MEDIA_EINVAL;
    rc = media__sdp_attr_raw(sdp, m, "crypto", 6, b.s, b.n);
    return rc < 0 ? rc : MEDIA_OK;
}

MEDIADEF int media_sdp_srtp_key_get(const media_sdp *theirs, const media_sdp_result *result, const media_sdes *sdes,
                                    media_sdp_crypto_key *key, media_sdp_crypto_params *params)
{
    media_sdp_crypto cr;
    media_sdp_crypto_params prm;
    int at;
    if (!theirs || !result || !sdes || !key) return MEDIA_EINVAL;
    if (result->srtp_suite < 0 || result->media_index < 0 || result->media_index >= (int)theirs->media_count ||
        media__sdes_find(theirs, result->media_index, sdes, result->srtp_suite, &at, &cr, key, &prm) < 0)
        return MEDIA_ENOTFOUND;
    if (params) *params = prm;
    return MEDIA_OK;
}

MEDIADEF int media_sdp_offer_create(media_sdp *offer, const media_sdp_oa_config *cfg)
{
    const media_codec *const *codecs;
    const media_codec *te;
    const media_sdp *prev;
    size_t ncodecs, k;
    uint8_t used[128];
    int pts[MEDIA_SDP_MAX_FORMATS], idx[MEDIA_SDP_MAX_FORMATS];
    uint32_t te_rates[MEDIA_SDP_MAX_FORMATS];
    int te_pts[MEDIA_SDP_MAX_FORMATS];
    int n = 0, nte = 0, rc, m = -1, prevm = -1, i, next_dyn = 96, ptime, savp;
    if (!offer || media__sdp_oa_check(cfg, &codecs, &ncodecs)) return MEDIA_EINVAL;
    prev = cfg->previous;
    /* SRTP required: RTP/SAVP; optional: RTP/AVP with the keys (best effort) */
    savp = media__sdes_on(cfg) && cfg->sdes->policy == MEDIA_SRTP_REQUIRED;
    te = media__find_te(codecs, ncodecs);
    if ((rc = media__sdp_oa_origin(offer, cfg)) != MEDIA_OK) return rc;
    /* RFC 3264 8: a new offer keeps every earlier m-line, in place; ours is
       the live audio one (an answer of ours may have refused audio m-lines
       before it), else the first audio one */
    if (prev) {
        prevm = cfg->stream > 0 && cfg->stream <= (int)prev->media_count && media__sdp_is_audio(prev, cfg->stream - 1)
                    ? cfg->stream - 1 : media__sdp_audio_index(prev, 0);
        if (prevm < 0) prevm = media__sdp_audio_index(prev, 1);
        for (i = 0; i < (int)prev->media_count; i++) {
            if (i == prevm) {
                const char *pp = media_sdp_str_get(prev, prev->media[i].proto);
                size_t pl = strlen(pp);
                int fb = pl && (pp[pl - 1] == 'F' || pp[pl - 1] == 'f');
                m = media_sdp_media_add(offer, "audio", cfg->port, savp ? (fb ? "RTP/SAVPF" : "RTP/SAVP") : (fb ? "RTP/AVPF" : "RTP/AVP"));
            } else {
                m = media__sdp_copy_refused(offer, prev, i);
            }
            if (m < 0) return m;
        }
        m = prevm;
    }
    if (m < 0 && (m = media_sdp_media_add(offer, "audio", cfg->port, savp ? "RTP/SAVP" : "RTP/AVP")) < 0) return m;
    /* payload numbers: the previous ones, else static, else dynamic from 96 */
    memset(used, 0, sizeof used);
    for (k = 0; k < ncodecs && n < MEDIA_SDP_MAX_FORMATS; k++) {
        const media_codec *c = codecs[k];
        int pt;
        if (!c || !c->name || (c->flags & MEDIA_CODEC_EVENTS) || !c->clock_rate) continue;
        pt = media__sdp_pt_of(prev, prevm, c->name, c->clock_rate, c->channels ? c->channels : 1);
        if (pt < 0 && c->static_pt >= 0 && c->static_pt < 96) pt = c->static_pt;
        if (pt >= 0 && used[pt]) continue;
        if (pt >= 0) used[pt] = 1;
        pts[n] = pt; idx[n++] = (int)k;
    }
    for (i = 0; i < n; i++) {
        if (pts[i] >= 0) continue;
        while (next_dyn < 128 && used[next_dyn]) next_dyn++;
        if (next_dyn >= 128) return MEDIA_ENOSPC;
        pts[i] = next_dyn; used[next_dyn] = 1;
    }
    if (!n) return MEDIA_EINVAL;
    for (i = 0; i < n; i++) {
        const media_codec *c = codecs[idx[i]];
        if ((rc = media_sdp_format_add(offer, m, pts[i])) != MEDIA_OK) return rc;
        if ((rc = media__sdp_add_rtpmap(offer, m, pts[i], c->name, strlen(c->name), c->clock_rate,
                                        c->channels ? c->channels : 1, c->fmtp)) != MEDIA_OK) return rc;
    }
    /* telephone-event once per audio clock rate: the previous numbers first,
       then new ones from 101 (the customary number) */
    for (i = 0; te && i < n; i++) {
        uint32_t rate = codecs[idx[i]]->clock_rate;
        int j, dup = 0;
        for (j = 0; j < nte; j++) dup |= te_rates[j] == rate;
        if (!dup) { te_pts[nte] = -1; te_rates[nte++] = rate; }
    }
    for (i = 0; i < nte; i++) {
        int pt = media__sdp_pt_of(prev, prevm, "telephone-event", te_rates[i], 1);
        if (pt >= 0 && !used[pt]) { te_pts[i] = pt; used[pt] = 1; }
    }
    for (i = 0; i < nte; i++) {
        int pt;
        if (te_pts[i] >= 0) continue;
        for (pt = 101; pt < 128 && used[pt]; pt++) {}
        if (pt == 128) for (pt = 96; pt < 128 && used[pt]; pt++) {}
        if (pt == 128) return MEDIA_ENOSPC;
        te_pts[i] = pt; used[pt] = 1;
    }
    for (i = 0; i < nte; i++)
        if ((rc = media_sdp_format_add(offer, m, te_pts[i])) != MEDIA_OK ||
            (rc = media__sdp_add_rtpmap(offer, m, te_pts[i], "telephone-event", 15, te_rates[i], 1,
                                        te->fmtp ? te->fmtp : "0-15")) != MEDIA_OK)
            return rc;
    ptime = cfg->ptime_ms ? cfg->ptime_ms : codecs[idx[0]]->frame_ms;
    if ((rc = media__sdp_add_tail(offer, m, ptime, cfg->maxptime_ms, cfg->rtcp_port ? cfg->rtcp_port : (unsigned)cfg->port + 1u,
                                  cfg->rtcp_mux, prev ? media_sdp_mid_get(prev, prevm) : NULL, cfg->direction)) != MEDIA_OK)
        return rc;
    /* one crypto line per suite, tagged 1, 2, ... in our order */
    for (k = 0; media__sdes_on(cfg) && k < cfg->sdes->count && k < 32767; k++) {
        const media_sdp_srtp_suite *su = &cfg->sdes->suites[k];
        if (!su->name || !su->key) return MEDIA_EINVAL;
        if ((rc = media__sdes_write(offer, m, (uint32_t)k + 1, su->name, strlen(su->name), su->key)) != MEDIA_OK) return rc;
    }
    return MEDIA_OK;
}

static void media__result_init(media_sdp_result *res)
{
    memset(res, 0, sizeof *res);
    res->media_index = -1;
    res->payload_type = -1;
    res->telephone_event_pt = -1;
    res->srtp_suite = -1;
    res->direction = MEDIA_SDP_INACTIVE;
}

static int media__copy_addr(char *dst, const char *src, size_t n)
{
    if (n == 0 || n >= MEDIA_SDP_MAX_ADDRESS) return MEDIA_ENEGOTIATION;
    memcpy(dst, src, n);
    dst[n] = 0;
    return MEDIA_OK;
}

/* Where the peer wants media m: address (multicast "/ttl" cut off), RTP port,
   RTCP per RFC 3605 or port + 1 (RFC 3550 11), or the RTP port under rtcp-mux. */
static int media__result_remote(media_sdp_result *res, const media_sdp *peer, int m, int mux)
{
    const media_sdp_conn *c = media_sdp_conn_get(peer, m);
    const char *a, *slash;
    int i, rc;
    if (!c) return MEDIA_ENEGOTIATION;
    a = media_sdp_str_get(peer, c->address);
    slash = strchr(a, '/');
    if ((rc = media__copy_addr(res->remote_address, a, slash ? (size_t)(slash - a) : strlen(a))) != MEDIA_OK) return rc;
    res->remote_family = c->family;
    res->remote_rtp_port = peer->media[m].port;
    memcpy(res->remote_rtcp_address, res->remote_address, sizeof res->remote_address);
    res->rtcp_mux = mux;
    if (mux) {
        res->remote_rtcp_port = res->remote_rtp_port;
    } else if ((i = media__sdp_find(peer, m, "rtcp", 4, -1)) >= 0) {
        media_sdp_rtcp r;
        if (media_sdp_rtcp_parse(&r, media_sdp_attr_value_get(peer, i)) != MEDIA_OK) return MEDIA_ENEGOTIATION;
        res->remote_rtcp_port = r.port;
        if (r.family && (rc = media__copy_addr(res->remote_rtcp_address, r.address.ptr, r.address.len)) != MEDIA_OK)
            return rc;
    } else {
        res->remote_rtcp_port = (uint16_t)(res->remote_rtp_port + 1u);
    }
    res->remote_maxptime_ms = media_sdp_maxptime_get(peer, m);
    res->remote_version = peer->origin_version;
    return MEDIA_OK;
}

/* what we send at: the peer's ptime, else the codec's, within the peer's maxptime */
static int media__result_ptime(const media_sdp_result *res, const media_sdp *peer, int m)
{
    int p = media_sdp_ptime_get(peer, m);
    media_sdp_span v;
    uint64_t mp;
    if (!p) p = res->codec->frame_ms ? res->codec->frame_ms : 20;
    if (res->remote_maxptime_ms && p > res->remote_maxptime_ms) p = res->remote_maxptime_ms;
    /* an fmtp minptime (RFC 7587 for Opus): no shorter packets than that */
    if (media_sdp_fmtp_param(&v, media_sdp_fmtp_get(peer, m, res->payload_type), "minptime") == MEDIA_OK &&
        media__sdp_uint(v.ptr, v.len, 1000, &mp) == MEDIA_OK && (int)mp > p &&
        (!res->remote_maxptime_ms || (int)mp <= res->remote_maxptime_ms))
        p = (int)mp;
    return p;
}

/* The peer's direction as bits, with RFC 2543 hold (c= 0.0.0.0) taken as
   "does not receive" (RFC 3264 8.4). */
static unsigned media__peer_dir(const media_sdp *peer, int m, int *hold)
{
    unsigned b = media__dir_bits(media_sdp_direction_get(peer, m));
    if (media_sdp_is_hold(peer, m)) b &= ~2u;
    *hold = !(b & 2u);
    return b;
}

/* What we do, given what we want and what the peer does (bits: 1 send, 2
   receive): we send if it receives, we receive if it sends (RFC 3264 6.1). */
static media_sdp_direction media__dir_agree(media_sdp_direction want, unsigned peer)
{
    return media__dir_from_bits(media__dir_bits(want) & (((peer & 2u) ? 1u : 0u) | ((peer & 1u) ? 2u : 0u)));
}

static int media__same_codec(const media_codec *a, const media_codec *b)
{
    return a == b || (a->name && b->name && media__ieqn(a->name, strlen(a->name), b->name) &&
                      a->clock_rate == b->clock_rate && a->channels == b->channels);
}

/* Orders the matches by strategy into chosen[]; returns how many, 0 to refuse. */
static int media__oa_choose(const media_sdp_oa_config *cfg, const media_codec *const *codecs, size_t ncodecs,
                            const media_sdp_match *mt, int n, int *chosen)
{
    int k = 0, i, j;
    size_t c;
    if (cfg->strategy == MEDIA_SDP_SELECT && cfg->select) {
        int order[MEDIA_SDP_MAX_FORMATS];
        uint8_t taken[MEDIA_SDP_MAX_FORMATS];
        int got = cfg->select(mt, n, order, cfg->user);
        if (got <= 0) return 0;
        if (got > n) got = n;
        memset(taken, 0, sizeof taken);
        for (i = 0; i < got; i++) {   /* out-of-range or repeated picks are ignored */
            if (order[i] < 0 || order[i] >= n || taken[order[i]]) continue;
            taken[order[i]] = 1;
            chosen[k++] = order[i];
        }
        return k;
    }
    if (cfg->strategy == MEDIA_SDP_REQUIRED) {
        uint8_t taken[MEDIA_SDP_MAX_FORMATS];
        memset(taken, 0, sizeof taken);
        for (c = 0; c < cfg->required_count; c++) {
            for (i = 0; i < n && !(cfg->required[c] && media__same_codec(mt[i].codec, cfg->required[c])); i++) {}
            if (i == n) return 0;
            if (!taken[i]) { taken[i] = 1; chosen[k++] = i; }
        }
        for (i = 0; i < n; i++) if (!taken[i]) chosen[k++] = i;
        return k;
    }
    if (cfg->strategy == MEDIA_SDP_LOCAL_ORDER) {
        for (c = 0; c < ncodecs; c++)
            for (i = 0; i < n; i++) if (mt[i].codec == codecs[c]) chosen[k++] = i;
        return k;
    }
    for (j = 0; j < n; j++) chosen[k++] = j;
    return k;
}

/* What an offered m-line says about each of its formats, found in one pass
   over its attributes (the first a=rtpmap / a=fmtp of a number counts). */
typedef struct media__sdp_fmts {
    const char *rtpmap[128];
    const char *fmtp[128];
} media__sdp_fmts;

static void media__sdp_fmt_scan(const media_sdp *sdp, int m, media__sdp_fmts *f)
{
    unsigned i = sdp->media[m].attr_first, end = i + sdp->media[m].attr_count;
    memset(f, 0, sizeof *f);
    for (; i < end; i++) {
        const media_sdp_attr *a = &sdp->attr[i];
        const char *n = sdp->text + a->name, *v = sdp->text + a->value, **slot, *rest;
        int pt;
        if (!a->value) continue;
        if (a->name_len == 6 && media__ieqn(n, 6, "rtpmap")) slot = f->rtpmap;
        else if (a->name_len == 4 && media__ieqn(n, 4, "fmtp")) slot = f->fmtp;
        else continue;
        if ((pt = media__sdp_lead_pt(v, &rest)) < 0 || slot[pt]) continue;
        slot[pt] = slot == f->rtpmap ? v : rest;
    }
}

/* rtpmap of a format from the scan, or RFC 3551's table */
static int media__sdp_fmt_rtpmap(const media__sdp_fmts *f, int pt, media_sdp_rtpmap *r)
{
    if (f->rtpmap[pt]) return media_sdp_rtpmap_parse(r, f->rtpmap[pt]);
    return media__sdp_static_rtpmap(pt, r);
}

static int media__rtpmap_same(const media_sdp_rtpmap *a, const media_sdp_rtpmap *b)
{
    return a->clock_rate == b->clock_rate && a->channels == b->channels && a->encoding.len == b->encoding.len &&
           media__ieq2(a->encoding.ptr, b->encoding.ptr, a->encoding.len);
}

/* The offered format an answer's payload type pt stands for: the same
   number meaning the same encoding, or (RFC 3264 6.1: the answerer SHOULD
   keep our number, need not) another number whose rtpmap names an encoding
   we offered. The offered number, or -1: not something we offered. */
static int media__answer_fmt(const media_sdp_media *om, const media__sdp_fmts *fo, const media__sdp_fmts *fa, int pt,
                             media_sdp_rtpmap *ro)
{
    media_sdp_rtpmap ra;
    int i, offered = 0, have_ra = media__sdp_fmt_rtpmap(fa, pt, &ra) == MEDIA_OK;
    for (i = 0; i < (int)om->fmt_count; i++) offered |= om->pt[i] == pt;
    if (offered && media__sdp_fmt_rtpmap(fo, pt, ro) == MEDIA_OK) return !have_ra || media__rtpmap_same(ro, &ra) ? pt : -1;
    if (!have_ra) return -1;
    for (i = 0; i < (int)om->fmt_count; i++)
        if (media__sdp_fmt_rtpmap(fo, om->pt[i], ro) == MEDIA_OK && media__rtpmap_same(ro, &ra)) return om->pt[i];
    return -1;
}

/* Answers one offered audio m-line into answer media am. */
static int media__oa_answer_audio(media_sdp *answer, int am, const media_sdp *offer, int m,
                                  const media_sdp_oa_config *cfg, const media_codec *const *codecs, size_t ncodecs,
                                  media_sdp_result *res)
{
    const media_sdp_media *om = &offer->media[m];
    const media_codec *te = media__find_te(codecs, ncodecs);
    media__sdp_fmts f;
    media_sdp_match mt[MEDIA_SDP_MAX_FORMATS];
    media_sdp_rtpmap mr[MEDIA_SDP_MAX_FORMATS], ter[MEDIA_SDP_MAX_FORMATS];
    int te_pt[MEDIA_SDP_MAX_FORMATS], chosen[MEDIA_SDP_MAX_FORMATS];
    int n = 0, nte = 0, k, i, j, rc, mux;
    uint8_t local_ev[32];
    unsigned peer;
    media__sdp_fmt_scan(offer, m, &f);
    /* what both have, in the offer's order; each of our codecs once */
    for (j = 0; j < (int)om->fmt_count; j++) {
        media_sdp_rtpmap r;
        int pt = om->pt[j], dup = 0;
        size_t c;
        if (media__sdp_fmt_rtpmap(&f, pt, &r) != MEDIA_OK) continue;   /* dynamic without rtpmap */
        if (media__sdp_is_te(&r)) { if (te) { ter[nte] = r; te_pt[nte++] = pt; } continue; }
        for (c = 0; c < ncodecs; c++) {
            const media_codec *cd = codecs[c];
            if (!cd || !cd->name || (cd->flags & MEDIA_CODEC_EVENTS) || !media__codec_matches(cd, &r)) continue;
            for (i = 0; i < n; i++) dup |= mt[i].codec == cd;
            if (!dup) { mr[n] = r; mt[n].codec = cd; mt[n].payload_type = pt; mt[n].remote_fmtp = f.fmtp[pt]; n++; }
            break;
        }
    }
    k = n ? media__oa_choose(cfg, codecs, ncodecs, mt, n, chosen) : 0;
    if (k > MEDIA_SDP_MAX_NEGOTIATED) k = MEDIA_SDP_MAX_NEGOTIATED;
    if (k == 0) return MEDIA_ENEGOTIATION;
    mux = cfg->rtcp_mux && media_sdp_rtcp_mux_get(offer, m);
    res->media_index = m;
    res->codec_count = k;
    for (i = 0; i < k; i++) { res->codecs[i] = mt[chosen[i]].codec; res->payload_types[i] = mt[chosen[i]].payload_type; }
    res->codec = res->codecs[0];
    res->payload_type = res->payload_types[0];
    if ((rc = media__result_remote(res, offer, m, mux)) != MEDIA_OK) return rc;
    res->ptime_ms = media__result_ptime(res, offer, m);
    peer = media__peer_dir(offer, m, &res->remote_hold);
    res->direction = media__dir_agree(cfg->direction, peer);
    for (i = 0; i < k; i++) {
        const media_sdp_rtpmap *r = &mr[chosen[i]];
        int pt = res->payload_types[i];
        /* the offer's spelling of the name, our own fmtp */
        if ((rc = media_sdp_format_add(answer, am, pt)) != MEDIA_OK ||
            (rc = media__sdp_add_rtpmap(answer, am, pt, r->encoding.ptr, r->encoding.len, r->clock_rate, r->channels,
                                        res->codecs[i]->fmtp)) != MEDIA_OK) return rc;
    }
    /* telephone-event only at the clock rate of a codec we answered (the
       offer may list it at 16000 before 8000), once per rate, with the
       events both sides know */
    if (te) media__events_parse(local_ev, te->fmtp);
    for (j = 0; j < nte; j++) {
        uint8_t ev[32];
        int use = 0, e;
        media__sdp_buf b;
        for (i = 0; i < k; i++) use |= res->codecs[i]->clock_rate == ter[j].clock_rate;
        for (i = 0; i < j; i++) if (ter[i].clock_rate == ter[j].clock_rate) use = 0;
        if (!use) continue;
        media__events_parse(ev, f.fmtp[te_pt[j]]);
        for (e = 0; e < 32; e++) ev[e] &= local_ev[e];
        if (!media__events_any(ev)) continue;
        b.n = 0; b.bad = 0; b.s[0] = 0;
        media__events_write(&b, ev);
        if ((rc = media_sdp_format_add(answer, am, te_pt[j])) != MEDIA_OK ||
            (rc = media__sdp_add_rtpmap(answer, am, te_pt[j], ter[j].encoding.ptr, ter[j].encoding.len,
                                        ter[j].clock_rate, 1, b.s)) != MEDIA_OK)
            return rc;
        if (ter[j].clock_rate == res->codec->clock_rate) {
            res->telephone_event_pt = te_pt[j];
            memcpy(res->events, ev, sizeof ev);
        }
    }
    return media__sdp_add_tail(answer, am, cfg->ptime_ms ? cfg->ptime_ms : res->codec->frame_ms, cfg->maxptime_ms,
                               mux ? cfg->port : (cfg->rtcp_port ? cfg->rtcp_port : (unsigned)cfg->port + 1u),
                               mux, media_sdp_mid_get(offer, m), res->direction);
}

/* The peer's fmtp for the payload type we send with, whole parameters only. */
static void media__result_fmtp(media_sdp_result *r, const media_sdp *theirs, int m)
{
    const char *f = media_sdp_fmtp_get(theirs, m, r->payload_type);
    size_t n = f ? strlen(f) : 0;
    if (n >= sizeof r->remote_fmtp) {
        n = sizeof r->remote_fmtp - 1;
        while (n > 0 && f[n] != ';') n--;
    }
    if (n) memcpy(r->remote_fmtp, f, n);
    r->remote_fmtp[n] = 0;
}

/* The answer's keys: the first usable crypto line of the offer, answered
   with its tag and our key for its suite; none, and SRTP required (by us
   or by the offer's RTP/SAVP): the stream cannot be taken. */
static int media__oa_answer_sdes(media_sdp *answer, int am, const media_sdp *offer, int m, const media_sdp_oa_config *cfg,
                                 media_sdp_result *res)
{
    media_sdp_crypto cr;
    media_sdp_crypto_key key;
    media_sdp_crypto_params prm;
    int at, k;
    res->srtp_suite = -1;
    if (!media__sdes_on(cfg)) return MEDIA_OK;   /* (an RTP/SAVP offer never got here) */
    k = media__sdes_find(offer, m, cfg->sdes, -1, &at, &cr, &key, &prm);
    if (k < 0) return cfg->sdes->policy == MEDIA_SRTP_REQUIRED || media__is_savp(media_sdp_str_get(offer, offer->media[m].proto))
                      ? MEDIA_ENEGOTIATION : MEDIA_OK;
    res->srtp_suite = (int16_t)k;
    return media__sdes_write(answer, am, cr.tag, cr.suite.ptr, cr.suite.len, cfg->sdes->suites[k].key);
}

MEDIADEF int media_sdp_answer_create(media_sdp *answer, const media_sdp *offer,
                                     const media_sdp_oa_config *cfg, media_sdp_result *result)
{
    const media_codec *const *codecs;
    size_t ncodecs;
    int i, rc, am;
    if (!answer || !offer || !result || answer == offer || media__sdp_oa_check(cfg, &codecs, &ncodecs))
        return MEDIA_EINVAL;
    media__result_init(result);
    if ((rc = media__sdp_oa_origin(answer, cfg)) != MEDIA_OK) return rc;
    /* RFC 3264 6: one m-line per offered one, same order; ours is the first
       audio RTP stream we can take (or cfg->stream's), the others get port 0 */
    for (i = 0; i < (int)offer->media_count; i++) {
        const media_sdp_media *om = &offer->media[i];
        const char *proto = media_sdp_str_get(offer, om->proto);
        int usable = result->media_index < 0 && om->port != 0 && om->is_rtp && (!cfg->stream || i == cfg->stream - 1) &&
                     media__ieqn(media_sdp_str_get(offer, om->media), strlen(media_sdp_str_get(offer, om->media)), "audio") &&
                     (media__ieqn(proto, strlen(proto), "RTP/AVP") || media__ieqn(proto, strlen(proto), "RTP/AVPF") ||
                      (media__is_savp(proto) && media__sdes_on(cfg)));
        if (usable) {
            media_sdp_result keep = *result;
            if ((am = media_sdp_media_add(answer, "audio", cfg->port, proto)) < 0) return am;
            rc = media__oa_answer_audio(answer, am, offer, i, cfg, codecs, ncodecs, result);
            if (rc == MEDIA_OK) rc = media__oa_answer_sdes(answer, am, offer, i, cfg, result);
            if (rc == MEDIA_OK) { result->accepted = 1; continue; }
            if (rc != MEDIA_ENEGOTIATION) return rc;
            /* nothing in common: take the m-line back and refuse it */
            *result = keep;
            while (answer->media[am].attr_count) media_sdp_attr_remove_at(answer, answer->media[am].attr_first);
            answer->media_count--;
        }
        if ((am = media__sdp_copy_refused(answer, offer, i)) < 0) return am;
    }
    if (result->accepted) media__result_fmtp(result, offer, result->media_index);
    return result->accepted ? MEDIA_OK : MEDIA_ENEGOTIATION;
}

MEDIADEF int media_sdp_answer_process(media_sdp_result *result, const media_sdp *offer,
                                      const media_sdp *answer, const media_sdp_oa_config *cfg)
{
    const media_codec *const *codecs;
    size_t ncodecs, c;
    const media_sdp_media *om, *am;
    media__sdp_fmts fo, fa;
    int i, j, m, rc, k = 0, hold, nte = 0, te_pt[MEDIA_SDP_MAX_NEGOTIATED], te_opt[MEDIA_SDP_MAX_NEGOTIATED];
    uint32_t te_rate[MEDIA_SDP_MAX_NEGOTIATED];
    unsigned peer;
    if (!result || !offer || !answer || media__sdp_oa_check(cfg, &codecs, &ncodecs)) return MEDIA_EINVAL;
    media__result_init(result);
    if (answer->media_count != offer->media_count) return MEDIA_ENEGOTIATION;
    /* ours: cfg->stream's m-line, else the first offered audio one the
       answer accepted (else the first offered: refused) */
    if (cfg->stream) {
        m = cfg->stream - 1;
        if (m >= (int)offer->media_count || !media__sdp_is_audio(offer, m) || !offer->media[m].port) return MEDIA_EINVAL;
    } else {
        m = media__sdp_audio_index(offer, 0);
        if (m < 0) return MEDIA_EINVAL;
        for (i = m; i < (int)offer->media_count; i++)
            if (media__sdp_is_audio(offer, i) && offer->media[i].port && answer->media[i].port) { m = i; break; }
    }
    for (i = 0; i < (int)offer->media_count; i++) {
        const char *a = media_sdp_str_get(offer, offer->media[i].media);
        if (!media__ieqn(a, strlen(a), media_sdp_str_get(answer, answer->media[i].media))) return MEDIA_ENEGOTIATION;
    }
    om = &offer->media[m];
    am = &answer->media[m];
    result->media_index = m;
    if (am->port == 0) return MEDIA_EREJECTED;
    if (!am->is_rtp) return MEDIA_ENEGOTIATION;
    /* only formats we offered, meaning what we meant by them */
    media__sdp_fmt_scan(offer, m, &fo);
    media__sdp_fmt_scan(answer, m, &fa);
    for (j = 0; j < (int)am->fmt_count; j++) {
        media_sdp_rtpmap ro;
        int pt = am->pt[j], opt = media__answer_fmt(om, &fo, &fa, pt, &ro);
        if (opt < 0) return MEDIA_ENEGOTIATION;
        if (media__sdp_is_te(&ro)) {
            if (nte < MEDIA_SDP_MAX_NEGOTIATED) { te_pt[nte] = pt; te_opt[nte] = opt; te_rate[nte++] = ro.clock_rate; }
            continue;
        }
        for (c = 0; c < ncodecs; c++) {
            const media_codec *cd = codecs[c];
            if (!cd || !cd->name || (cd->flags & MEDIA_CODEC_EVENTS) || !media__codec_matches(cd, &ro)) continue;
            if (k < MEDIA_SDP_MAX_NEGOTIATED) { result->codecs[k] = cd; result->payload_types[k] = pt; k++; }
            break;
        }
    }
    if (!k) return MEDIA_ENEGOTIATION;
    result->codec_count = k;
    result->codec = result->codecs[0];
    result->payload_type = result->payload_types[0];
    for (j = 0; j < nte; j++) {
        uint8_t ev[32];
        int e;
        if (te_rate[j] != result->codec->clock_rate) continue;
        result->telephone_event_pt = te_pt[j];
        media__events_parse(result->events, fa.fmtp[te_pt[j]]);
        media__events_parse(ev, fo.fmtp[te_opt[j]]);
        for (e = 0; e < 32; e++) result->events[e] &= ev[e];
        break;
    }
    if ((rc = media__result_remote(result, answer, m, media_sdp_rtcp_mux_get(offer, m) &&
                                   media_sdp_rtcp_mux_get(answer, m))) != MEDIA_OK) return rc;
    result->ptime_ms = media__result_ptime(result, answer, m);
    peer = media__peer_dir(answer, m, &hold);
    result->remote_hold = hold;
    result->direction = media__dir_agree(media_sdp_direction_get(offer, m), peer);
    media__result_fmtp(result, answer, m);
    if (media__sdes_on(cfg)) {
        /* the answer's one crypto line: a suite we offered under that tag
           and can use, or, when it has none, clear RTP if ours was only
           best effort */
        media_sdp_crypto cr, ours;
        media_sdp_crypto_key key;
        media_sdp_crypto_params prm;
        int at = media_sdp_attr_find(answer, m, "crypto", -1), sk, o = -1;
        if (at < 0) {
            if (media__is_savp(media_sdp_str_get(offer, om->proto)) || cfg->sdes->policy == MEDIA_SRTP_REQUIRED)
                return MEDIA_ENEGOTIATION;
        } else {
            if ((sk = media__sdes_line(cfg->sdes, media_sdp_attr_value_get(answer, at), &cr, &key, &prm)) < 0)
                return MEDIA_ENEGOTIATION;
            while ((o = media_sdp_attr_find(offer, m, "crypto", o)) >= 0)
                if (media_sdp_crypto_parse(&ours, media_sdp_attr_value_get(offer, o)) == MEDIA_OK && ours.tag == cr.tag) break;
            if (o < 0 || ours.suite.len != cr.suite.len || !media__ieqn(ours.suite.ptr, ours.suite.len, cfg->sdes->suites[sk].name))
                return MEDIA_ENEGOTIATION;
            result->srtp_suite = (int16_t)sk;
        }
    }
    result->accepted = 1;
    return MEDIA_OK;
}

/* >>wav implementation ----------------------------------------------------- */

static uint32_t media__le32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint32_t media__le16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static void media__put_le32(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24); }
static void media__put_le16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }

/* the fmt chunk's body (n bytes) into info */
static int media__wav_fmt(media_wav_info *info, const uint8_t *p, uint32_t n)
{
    static const uint8_t ksdata_tail[14] = { 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71 };
    uint32_t tag, bits, bytes;
    if (n < 16) return MEDIA_EPARSE;
    tag = media__le16(p);
    info->channels = media__le16(p + 2);
    info->sample_rate = media__le32(p + 4);
    info->block = media__le16(p + 12);
    bits = media__le16(p + 14);
    if (tag == 0xFFFEu) {   /* WAVE_FORMAT_EXTENSIBLE: the real tag heads the subformat GUID */
        if (n < 40 || media__le16(p + 16) < 22) return MEDIA_EPARSE;
        if (memcmp(p + 26, ksdata_tail, sizeof ksdata_tail)) return MEDIA_EUNSUPPORTED;
        tag = media__le16(p + 24);
    }
    if (tag == MEDIA_WAV_PCM16 && bits == 16) bytes = 2;
    else if ((tag == MEDIA_WAV_PCMA || tag == MEDIA_WAV_PCMU) && bits == 8) bytes = 1;
    else return MEDIA_EUNSUPPORTED;
    info->format = tag;
    if (info->channels < 1 || info->channels > 2 || info->sample_rate < 8000 || info->sample_rate > 48000)
        return MEDIA_EUNSUPPORTED;
    if (info->block != bytes * info->channels) return MEDIA_EPARSE;
    return MEDIA_OK;
}

/* A WAV's first 12 bytes: RIFF/WAVE is ours; the 64-bit forms (RF64,
   BW64) and big-endian RIFX are WAVs we do not read; anything else is not a
   WAV. */
static int media__wav_magic(const uint8_t *h)
{
    if (memcmp(h + 8, "WAVE", 4)) return MEDIA_EPARSE;
    if (!memcmp(h, "RIFF", 4)) return MEDIA_OK;
    if (!memcmp(h, "RF64", 4) || !memcmp(h, "BW64", 4) || !memcmp(h, "RIFX", 4)) return MEDIA_EUNSUPPORTED;
    return MEDIA_EPARSE;
}

MEDIADEF int media_wav_parse(media_wav_info *info, const uint8_t *buf, size_t len)
{
    size_t at = 12;
    int have_fmt = 0, rc;
    if (!info || (!buf && len) || MEDIA__TOO_LONG(len)) return MEDIA_EINVAL;
    memset(info, 0, sizeof *info);
    if (len < 12) return MEDIA_EAGAIN;
    if ((rc = media__wav_magic(buf)) != MEDIA_OK) return rc;
    for (;;) {
        uint32_t size;
        if (len - at < 8) return MEDIA_EAGAIN;
        size = media__le32(buf + at + 4);
        if (!memcmp(buf + at, "data", 4)) {
            if (!have_fmt) return MEDIA_EPARSE;
            info->data_offset = at + 8;
            info->data_bytes = size;
            return MEDIA_OK;
        }
        if (!memcmp(buf + at, "fmt ", 4)) {
            if (len - at - 8 < size) return MEDIA_EAGAIN;
            if ((rc = media__wav_fmt(info, buf + at + 8, size)) != MEDIA_OK) return rc;
            have_fmt = 1;
        }
        /* chunks are padded to an even length */
        if ((uint64_t)len - at - 8 < (uint64_t)size + (size & 1)) return MEDIA_EAGAIN;
        at += 8 + (size_t)size + (size & 1);
    }
}

MEDIADEF int media_wav_header_write(uint8_t *buf, size_t cap, const media_wav_info *info)
{
    int g711, n;
    uint32_t bytes, block, data;
    if (!buf || !info || info->channels < 1 || info->channels > 2 || info->sample_rate < 8000 ||
        info->sample_rate > 48000 || MEDIA__TOO_LONG(cap)) return MEDIA_EINVAL;
    if (info->format != MEDIA_WAV_PCM16 && info->format != MEDIA_WAV_PCMA && info->format != MEDIA_WAV_PCMU)
        return MEDIA_EINVAL;
    g711 = info->format != MEDIA_WAV_PCM16;
    n = g711 ? 58 : 44;
    if (cap < (size_t)n) return MEDIA_ENOSPC;
    bytes = g711 ? 1 : 2;
    block = bytes * info->channels;
    data = info->data_bytes > 0xFFFFFFFFu - 64 ? 0xFFFFFFFFu - 64 : (uint32_t)info->data_bytes;
    memcpy(buf, "RIFF", 4);
    media__put_le32(buf + 4, (uint32_t)n - 8 + data + (data & 1));
    memcpy(buf + 8, "WAVEfmt ", 8);
    media__put_le32(buf + 16, g711 ? 18 : 16);
    media__put_le16(buf + 20, info->format);
    media__put_le16(buf + 22, info->channels);
    media__put_le32(buf + 24, info->sample_rate);
    media__put_le32(buf + 28, info->sample_rate * block);
    media__put_le16(buf + 32, block);
    media__put_le16(buf + 34, bytes * 8);
    if (g711) {   /* non-PCM: cbSize, and a fact chunk with the frame count */
        media__put_le16(buf + 36, 0);
        memcpy(buf + 38, "fact", 4);
        media__put_le32(buf + 42, 4);
        media__put_le32(buf + 46, data / block);
    }
    memcpy(buf + n - 8, "data", 4);
    media__put_le32(buf + n - 4, data);
    return n;
}

#ifndef MEDIA_NO_STDIO
MEDIADEF int media_wav_open_read(media_wav_file *f, const char *path)
{
    uint8_t head[64];
    FILE *fp;
    long size;
    uint64_t at = 12;
    int have_fmt = 0, rc;
    if (!f || !path) return MEDIA_EINVAL;
    memset(f, 0, sizeof *f);
    if (!(fp = fopen(path, "rb"))) return MEDIA_EIO;
    if (fseek(fp, 0, SEEK_END) || (size = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET)) {
        int e = errno;   /* why, for the caller: fclose may change it */
        fclose(fp);
        errno = e;
        return MEDIA_EIO;
    }
    /* walk the chunks with seeks: a big LIST or bext chunk may come first */
    rc = fread(head, 1, 12, fp) == 12 ? MEDIA_OK : MEDIA_EPARSE;
    if (rc == MEDIA_OK) rc = media__wav_magic(head);
    while (rc == MEDIA_OK) {
        uint32_t csize;
        if (fseek(fp, (long)at, SEEK_SET) || fread(head, 1, 8, fp) != 8) { rc = MEDIA_EPARSE; break; }
        csize = media__le32(head + 4);
        if (!memcmp(head, "data", 4)) {
            if (!have_fmt) { rc = MEDIA_EPARSE; break; }
            f->info.data_offset = at + 8;
            f->info.data_bytes = csize;
            break;
        }
        if (!memcmp(head, "fmt ", 4)) {
            if (csize > sizeof head || fread(head, 1, csize, fp) != csize) { rc = MEDIA_EPARSE; break; }
            rc = media__wav_fmt(&f->info, head, csize);
            have_fmt = 1;
        }
        at += 8 + (uint64_t)csize + (csize & 1);
        if (at > (uint64_t)size) rc = MEDIA_EPARSE;
    }
    if (rc != MEDIA_OK) { fclose(fp); memset(f, 0, sizeof *f); return rc; }
    /* a streamed file says 0 or 0xFFFFFFFF; a cut one says more than there is */
    f->_end = (uint64_t)size - f->info.data_offset;
    if (f->info.data_bytes && f->info.data_bytes != 0xFFFFFFFFu && f->info.data_bytes < f->_end) f->_end = f->info.data_bytes;
    f->_end -= f->_end % f->info.block;
    f->_fp = fp;
    return MEDIA_OK;
}

MEDIADEF int media_wav_read(media_wav_file *f, int16_t *pcm, size_t frames)
{
    uint8_t buf[512];
    size_t total = 0;
    if (!f || !f->_fp || f->_writing || (!pcm && frames) || MEDIA__TOO_LONG(frames)) return MEDIA_EINVAL;
    while (total < frames && f->_done < f->_end) {
        size_t left = frames - total, want, got, n, i;
        want = left > sizeof buf / f->info.block ? sizeof buf / f->info.block * f->info.block : left * f->info.block;
        if (want > f->_end - f->_done) want = (size_t)(f->_end - f->_done);
        got = fread(buf, 1, want, (FILE *)f->_fp);
        got -= got % f->info.block;
        if (!got) return total ? (int)total : (ferror((FILE *)f->_fp) ? MEDIA_EIO : 0);
        n = got / f->info.block;
        if (f->info.format == MEDIA_WAV_PCM16)
            for (i = 0; i < got / 2; i++) pcm[total * f->info.channels + i] = (int16_t)media__le16(buf + 2 * i);
        else if (f->info.format == MEDIA_WAV_PCMU) media_pcmu_decode(pcm + total * f->info.channels, buf, got);
        else media_pcma_decode(pcm + total * f->info.channels, buf, got);
        total += n;
        f->_done += got;
    }
    return (int)total;
}

MEDIADEF int media_wav_rewind(media_wav_file *f)
{
    if (!f || !f->_fp || f->_writing) return MEDIA_EINVAL;
    if (fseek((FILE *)f->_fp, (long)f->info.data_offset, SEEK_SET)) return MEDIA_EIO;
    f->_done = 0;
    return MEDIA_OK;
}

/* rewrites the header's sizes for what has been written */
static int media__wav_sync(media_wav_file *f)
{
    uint8_t h[58];
    FILE *fp = (FILE *)f->_fp;
    f->info.data_bytes = f->_done;
    if (media_wav_header_write(h, sizeof h, &f->info) < 0 || fseek(fp, 0, SEEK_SET) ||
        fwrite(h, 1, (size_t)f->_header_len, fp) != (size_t)f->_header_len ||
        fseek(fp, 0, SEEK_END) || fflush(fp)) return MEDIA_EIO;
    f->_synced = f->_done;
    return MEDIA_OK;
}

/* Ends a file being written at `bytes` of data (what came after is
   dropped): the header says so at close, and where the file has a POSIX
   descriptor it is cut there too (elsewhere the dropped bytes stay past the
   data chunk, where no reader looks). */
static int media__wav_cut(media_wav_file *f, uint64_t bytes)
{
    FILE *fp = (FILE *)f->_fp;
    if (!fp || !f->_writing || bytes > f->_done) return MEDIA_EINVAL;
    bytes -= bytes % f->info.block;
    if (fflush(fp)) return MEDIA_EIO;
#if !defined(_WIN32)
    if (ftruncate(fileno(fp), (off_t)((uint64_t)f->_header_len + bytes))) return MEDIA_EIO;
#endif
    if (fseek(fp, (long)((uint64_t)f->_header_len + bytes), SEEK_SET)) return MEDIA_EIO;
    f->_done = bytes;
    return MEDIA_OK;
}

MEDIADEF int media_wav_open_write(media_wav_file *f, const char *path, uint32_t format,
                                  uint32_t sample_rate, uint32_t channels)
{
    uint8_t h[58];
    int n;
    if (!f || !path) return MEDIA_EINVAL;
    memset(f, 0, sizeof *f);
    f->info.format = format;
    f->info.sample_rate = sample_rate;
    f->info.channels = channels;
    if ((n = media_wav_header_write(h, sizeof h, &f->info)) < 0) return n;
    f->info.block = (format == MEDIA_WAV_PCM16 ? 2 : 1) * channels;
    f->info.data_offset = (uint64_t)n;
#if !defined(_WIN32)
    {
        /* the header is rewritten in place as the file grows: a directory,
           a device or a pipe cannot take that (/dev/null would "record") */
        struct stat st;
        if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) return MEDIA_EINVAL;
    }
#endif
    if (!(f->_fp = fopen(path, "wb"))) return MEDIA_EIO;
    if (fwrite(h, 1, (size_t)n, (FILE *)f->_fp) != (size_t)n) { fclose((FILE *)f->_fp); f->_fp = NULL; return MEDIA_EIO; }
    f->_writing = 1;
    f->_header_len = n;
    return MEDIA_OK;
}

MEDIADEF int media_wav_write(media_wav_file *f, const int16_t *pcm, size_t frames)
{
    uint8_t buf[512];
    size_t samples, i, k;
    if (!f || !f->_fp || !f->_writing || (!pcm && frames) || MEDIA__TOO_LONG(frames)) return MEDIA_EINVAL;
    samples = frames * f->info.channels;
    for (i = 0; i < samples; i += k) {
        size_t bytes;
        k = samples - i;
        if (f->info.format == MEDIA_WAV_PCM16) {
            size_t j;
            if (k > sizeof buf / 2) k = sizeof buf / 2;
            for (j = 0; j < k; j++) media__put_le16(buf + 2 * j, (uint16_t)pcm[i + j]);
            bytes = 2 * k;
        } else {
            if (k > sizeof buf) k = sizeof buf;
            if (f->info.format == MEDIA_WAV_PCMU) media_pcmu_encode(buf, pcm + i, k);
            else media_pcma_encode(buf, pcm + i, k);
            bytes = k;
        }
        if (fwrite(buf, 1, bytes, (FILE *)f->_fp) != bytes) return MEDIA_EIO;
        f->_done += bytes;
    }
    if (f->_done - f->_synced >= (uint64_t)f->info.sample_rate * f->info.block) return media__wav_sync(f);
    return MEDIA_OK;
}

MEDIADEF int media_wav_close(media_wav_file *f)
{
    int rc = MEDIA_OK;
    if (!f || !f->_fp) return MEDIA_EINVAL;
    if (f->_writing) {
        if ((f->_done & 1) && fputc(0, (FILE *)f->_fp) == EOF) rc = MEDIA_EIO;   /* RIFF pad byte */
        if (media__wav_sync(f) != MEDIA_OK) rc = MEDIA_EIO;
    }
    if (fclose((FILE *)f->_fp)) rc = MEDIA_EIO;
    f->_fp = NULL;
    return rc;
}
#endif /* MEDIA_NO_STDIO */

/* ---- resampling ----
   Output sample n sits at input time n * in / out, kept exactly as a whole
   input sample and a fraction in 1/out units. Its value is the sum of the
   inputs within the kernel's reach, each weighted by the kernel at its
   distance (in periods of the lower rate), read from a table by 4-point
   Lagrange interpolation. For downsampling the kernel is stretched over more
   inputs and scaled by out / in. */

static double media__bessel_i0(double x)
{
    double sum = 1, term = 1, q = x * x / 4;
    int k;
    for (k = 1; k < 64 && term > sum * 1e-17; k++) {
        term *= q / ((double)k * k);
        sum += term;
    }
    return sum;
}

MEDIADEF int media_resampler_init(media_resampler *r, uint32_t in_rate, uint32_t out_rate, uint32_t channels)
{
    const double beta = 6.9, cutoff = 0.95;   /* ~70 dB; transition 0.9..1.0 of the lower Nyquist */
    uint32_t low, i;
    if (!r || in_rate < 8000 || in_rate > 48000 || out_rate < 8000 || out_rate > 48000 || channels < 1 || channels > 2)
        return MEDIA_EINVAL;
    memset(r, 0, sizeof *r);
    r->in_rate = in_rate;
    r->out_rate = out_rate;
    r->channels = channels;
    low = in_rate < out_rate ? in_rate : out_rate;
    r->reach = (int)((MEDIA__RS_W * in_rate + low - 1) / low);
    r->step = (float)((double)MEDIA__RS_OS * low / in_rate);
    r->gain = (float)((double)low / in_rate);
    for (i = 0; i < MEDIA__RS_W * MEDIA__RS_OS + 4; i++) {
        double t = (double)i / MEDIA__RS_OS, x = t / MEDIA__RS_W, s = cutoff;
        if (x >= 1) { r->kernel[i] = 0; continue; }
        if (i) s = sin(3.14159265358979323846 * cutoff * t) / (3.14159265358979323846 * t);
        r->kernel[i] = (float)(s * media__bessel_i0(beta * sqrt(1 - x * x)) / media__bessel_i0(beta));
    }
    /* silence before the first input, so the first output is centred on it */
    r->len = r->pos = r->reach;
    return MEDIA_OK;
}

MEDIADEF int media_resampler_process(media_resampler *r, int16_t *dst, size_t dst_frames,
                            const int16_t *src, size_t src_frames, size_t *used)
{
    float coef[2 * MEDIA__RS_W * 6 + 4];
    size_t out = 0, in = 0;
    uint32_t ch;
    if (used) *used = 0;
    if (!r || !r->in_rate || (!dst && dst_frames) || MEDIA__TOO_LONG(dst_frames) ||
        MEDIA__TOO_LONG(src_frames)) return MEDIA_EINVAL;
    while (out < dst_frames) {
        int j0, n, j;
        float frac;
        if (r->pos + r->reach + 1 >= r->len) {
            /* more input: first make room by dropping what no output needs */
            size_t take;
            if (in == src_frames) break;
            if (r->len == MEDIA__RS_HIST) {
                int drop = r->pos - r->reach - 1;
                for (ch = 0; ch < r->channels; ch++)
                    memmove(r->hist[ch], r->hist[ch] + drop, (size_t)(r->len - drop) * sizeof(float));
                r->pos -= drop;
                r->len -= drop;
            }
            take = (size_t)(MEDIA__RS_HIST - r->len);
            if (take > src_frames - in) take = src_frames - in;
            for (ch = 0; ch < r->channels; ch++) {
                float *h = r->hist[ch] + r->len;
                size_t k;
                if (!src) memset(h, 0, take * sizeof(float));
                else for (k = 0; k < take; k++) h[k] = src[(in + k) * r->channels + ch];
            }
            r->len += (int)take;
            in += take;
            continue;
        }
        /* the weights, shared by the channels */
        frac = (float)r->frac / (float)r->out_rate;
        j0 = r->pos - r->reach;
        n = 2 * r->reach + 2;
        for (j = 0; j < n; j++) {
            float u = ((float)(j - r->reach) - frac) * r->step, f, a, b, c, d;
            int k;
            if (u < 0) u = -u;
            k = (int)u;
            if (k >= MEDIA__RS_W * MEDIA__RS_OS) { coef[j] = 0; continue; }
            f = u - (float)k;
            a = r->kernel[k ? k - 1 : 1];   /* symmetric: k - 1 = -1 is 1 */
            b = r->kernel[k];
            c = r->kernel[k + 1];
            d = r->kernel[k + 2];
            coef[j] = (f - 1) * (f - 2) * ((f + 1) * b * 0.5f - f * a * (1.0f / 6)) +
                      f * (f + 1) * ((f - 1) * d * (1.0f / 6) - (f - 2) * c * 0.5f);
        }
        for (ch = 0; ch < r->channels; ch++) {
            const float *h = r->hist[ch] + j0;
            float acc = 0;
            for (j = 0; j < n; j++) acc += h[j] * coef[j];
            acc *= r->gain;
            acc += acc >= 0 ? 0.5f : -0.5f;
            dst[out * r->channels + ch] = (int16_t)(acc > 32767 ? 32767 : acc < -32768 ? -32768 : acc);
        }
        out++;
        r->frac += r->in_rate;
        r->pos += (int)(r->frac / r->out_rate);
        r->frac %= r->out_rate;
    }
    if (used) *used = in;
    return (int)out;
}

/* >>mixer implementation ---------------------------------------------------

   Each frame: one frame of every speaking party's input (after its gain) is
   added into one 32-bit sum; every listener gets the sum less its own part,
   saturated to 16 bits. That is N additions and N subtractions a sample,
   not N x (N-1), and the sum never wraps: 1024 parties at +24 dB stay
   inside 32 bits. Saturation, not a limiter: below full scale the mix is
   the exact sum (what the tests check), and a conference rarely has two
   people shouting at once.

   Parties are decoupled from the mix by two rings each, of queue_frames
   frames at the mix's rate: put fills the input, the mix takes a frame
   from it (what is missing is silence, counted as an underrun) and adds a
   frame to the output, get drains the output. A session's audio_in and
   audio_out run on its own ticks; the rings absorb the phase between those
   and the mixer's, and the one-frame granularity is what makes a join or a
   leave invisible to everyone else: the mix is made whole, a frame at a
   time, from whoever was there when it was made.

   Speaker: each party's power, smoothed (instant rise, then falling by
   about 9 dB in 100 ms, so a gap between syllables does not reset it), is
   compared in the linear domain (no log per frame): the loudest above the
   threshold takes over once it has been margin dB above the speaker for
   hold ms (a cough of 100 ms does not); the speaker is lost after
   release ms below the threshold. */

#define MEDIA__MIXER_INITIALISED 0x6D6D6978u   /* "mmix" */

typedef struct media__mixer_party {
    uint8_t used, started;
    uint16_t flags;
    int32_t gain;               /* Q12: 4096 is 0 dB */
    float gain_db;
    uint32_t in_rate, out_rate; /* the rates its converters are set for (0: none) */
    int conv;                   /* its converter pair, -1 for none */
    int16_t *in, *out;          /* rings of cap samples */
    uint32_t in_head, in_count, out_head, out_count;
    int32_t *part;              /* its share of the frame being mixed */
    int has_part;
    float power;                /* smoothed mean square, full scale = 1 */
    uint32_t held_ms;           /* speaker: how long it has been the candidate */
    media_mixer_party_stats st;
} media__mixer_party;

struct media_mixer {
    media_mixer_config cfg;
    uint32_t frame;             /* samples per frame at cfg.rate */
    uint32_t cap;               /* ring size, samples */
    int parties;                /* slots in use: the highest used + 1 */
    int converters;
    int speaker, candidate;
    uint32_t candidate_ms, quiet_ms;
    float threshold, margin, release;   /* power threshold, margin ratio, smoothing factor */
    uint64_t next_us;
    uint64_t skipped;           /* frames poll skipped */
    int32_t *sum;
    int16_t *mixed, *heard;     /* the whole mix; one listener's */
    int clock_started;
    media__mixer_party *party;
    media_resampler *conv;      /* 2 x converters */
    uint8_t *conv_used;
    int allocated;
#ifndef MEDIA_NO_STDIO
    media_wav_file rec;
    int recording;
#endif
};

MEDIADEF void media_mixer_config_init(media_mixer_config *cfg)
{
    if (!cfg) return;
    memset(cfg, 0, sizeof *cfg);
    cfg->rate = 8000;
    cfg->frame_ms = 20;
    cfg->max_parties = 16;
    cfg->converters = -1;
    cfg->queue_frames = 3;
    cfg->speaker_threshold_db = -40;
    cfg->speaker_margin_db = 3;
    cfg->speaker_hold_ms = 200;
    cfg->speaker_release_ms = 1000;
    cfg->_initialised = MEDIA__MIXER_INITIALISED;
}

/* the layout for cfg: offsets of each part, total in *total; 0 if invalid */
static int media__mixer_layout(const media_mixer_config *c, size_t off[5], size_t *total)
{
    size_t frame, cap, n, conv;
    if (c->_initialised != MEDIA__MIXER_INITIALISED || c->rate < 8000 || c->rate > 48000 ||
        c->frame_ms < 5 || c->frame_ms > 60 || c->rate * c->frame_ms % 1000 != 0 ||
        c->max_parties < 1 || c->max_parties > MEDIA_MIXER_MAX_PARTIES || c->converters < -1 ||
        c->queue_frames < 2 || c->queue_frames > 16 || c->speaker_hold_ms < 0 ||
        c->speaker_release_ms < 0 || c->speaker_margin_db < 0 || c->speaker_threshold_db > 0)
        return 0;
    n = (size_t)c->max_parties;
    conv = c->converters < 0 || (size_t)c->converters > n ? n : (size_t)c->converters;
    frame = (size_t)c->rate * c->frame_ms / 1000;
    cap = frame * (size_t)c->queue_frames;
    off[0] = media__align64(sizeof(media_mixer));                          /* parties */
    off[1] = off[0] + media__align64(n * sizeof(media__mixer_party));      /* converters */
    off[2] = off[1] + media__align64(2 * conv * sizeof(media_resampler));  /* their use */
    off[3] = off[2] + media__align64(conv + 1);                            /* sum, mixed */
    off[4] = off[3] + media__align64(frame * (sizeof(int32_t) + 2 * sizeof(int16_t)));   /* per party */
    *total = off[4] + n * media__align64(cap * 2 * sizeof(int16_t) + frame * sizeof(int32_t));
    return 1;
}

MEDIADEF size_t media_mixer_size(const media_mixer_config *cfg)
{
    media_mixer_config d;
    size_t off[5], total;
    if (!cfg) { media_mixer_config_init(&d); cfg = &d; }
    return media__mixer_layout(cfg, off, &total) ? total : 0;
}

MEDIADEF int media_mixer_init(media_mixer *m, size_t size, const media_mixer_config *cfg)
{
    media_mixer_config d;
    size_t off[5], total, per;
    char *base = (char *)m;
    int i;
    if (!cfg) { media_mixer_config_init(&d); cfg = &d; }
    if (!m || !media__mixer_layout(cfg, off, &total)) return MEDIA_EINVAL;
    if (size < total) return MEDIA_ENOSPC;
    memset(m, 0, total);
    m->cfg = *cfg;
    m->frame = cfg->rate * cfg->frame_ms / 1000;
    m->cap = m->frame * (uint32_t)cfg->queue_frames;
    m->converters = cfg->converters < 0 || cfg->converters > cfg->max_parties ? cfg->max_parties : cfg->converters;
    m->speaker = m->candidate = -1;
    m->threshold = (float)pow(10.0, cfg->speaker_threshold_db / 10.0);
    m->margin = (float)pow(10.0, cfg->speaker_margin_db / 10.0);
    m->release = (float)exp(-(double)cfg->frame_ms / 50.0);
    m->party = (media__mixer_party *)(void *)(base + off[0]);
    m->conv = (media_resampler *)(void *)(base + off[1]);
    m->conv_used = (uint8_t *)(base + off[2]);
    m->sum = (int32_t *)(void *)(base + off[3]);
    m->mixed = (int16_t *)(void *)(m->sum + m->frame);
    m->heard = m->mixed + m->frame;
    per = media__align64(m->cap * 2 * sizeof(int16_t) + m->frame * sizeof(int32_t));
    for (i = 0; i < cfg->max_parties; i++) {
        media__mixer_party *p = &m->party[i];
        char *mem = base + off[4] + (size_t)i * per;
        p->part = (int32_t *)(void *)mem;
        p->in = (int16_t *)(void *)(p->part + m->frame);
        p->out = p->in + m->cap;
        p->conv = -1;
    }
    return MEDIA_OK;
}

MEDIADEF media_mixer *media_mixer_create(const media_mixer_config *cfg, int *err)
{
    size_t size = media_mixer_size(cfg);
    media_mixer *m;
    int rc;
    if (err) *err = MEDIA_OK;
    if (!size) { if (err) *err = MEDIA_EINVAL; return NULL; }
    m = (media_mixer *)MEDIA_MALLOC(size, cfg ? cfg->user : NULL);
    if (!m) { if (err) *err = MEDIA_ENOMEM; return NULL; }
    if ((rc = media_mixer_init(m, size, cfg)) != MEDIA_OK) {
        MEDIA_FREE(m, cfg ? cfg->user : NULL);
        if (err) *err = rc;
        return NULL;
    }
    m->allocated = 1;
    return m;
}

MEDIADEF void media_mixer_destroy(media_mixer *m)
{
    if (!m) return;
#ifndef MEDIA_NO_STDIO
    media_mixer_record(m, NULL);
#endif
    if (m->allocated) MEDIA_FREE(m, m->cfg.user);
}

static media__mixer_party *media__mixer_party_get(const media_mixer *m, int party)
{
    if (!m || party < 0 || party >= m->cfg.max_parties || !m->party[party].used) return NULL;
    return &m->party[party];
}

static void media__mixer_gain(media__mixer_party *p, double db)
{
    p->gain_db = (float)db;
    p->gain = db <= -96.0 ? 0 : (int32_t)floor(4096.0 * pow(10.0, db / 20.0) + 0.5);
}

MEDIADEF int media_mixer_join(media_mixer *m, unsigned flags)
{
    int i;
    if (!m || (flags & ~(MEDIA_MIXER_TALK | MEDIA_MIXER_MUTED))) return MEDIA_EINVAL;
    for (i = 0; i < m->cfg.max_parties; i++) {
        media__mixer_party *p = &m->party[i];
        if (p->used) continue;
        p->used = 1;
        p->started = 0;
        p->flags = (uint16_t)flags;
        media__mixer_gain(p, 0.0);
        p->in_rate = p->out_rate = 0;
        p->conv = -1;
        p->in_head = p->in_count = p->out_head = p->out_count = 0;
        p->has_part = 0;
        p->power = 0;
        p->held_ms = 0;
        memset(&p->st, 0, sizeof p->st);
        p->st.level_db = -100.0f;
        if (i >= m->parties) m->parties = i + 1;
        return i;
    }
    return MEDIA_ENOSPC;
}

MEDIADEF int media_mixer_leave(media_mixer *m, int party)
{
    media__mixer_party *p = media__mixer_party_get(m, party);
    if (!p) return MEDIA_EINVAL;
    if (p->conv >= 0) m->conv_used[p->conv] = 0;
    p->used = 0;
    while (m->parties > 0 && !m->party[m->parties - 1].used) m->parties--;
    if (m->candidate == party) { m->candidate = -1; m->candidate_ms = 0; }
    if (m->speaker == party) {
        m->speaker = -1;
        if (m->cfg.speaker) m->cfg.speaker(m, -1, m->cfg.user);
    }
    return MEDIA_OK;
}

MEDIADEF int media_mixer_flags_set(media_mixer *m, int party, unsigned flags)
{
    media__mixer_party *p = media__mixer_party_get(m, party);
    if (!p || (flags & ~(MEDIA_MIXER_TALK | MEDIA_MIXER_MUTED))) return MEDIA_EINVAL;
    p->flags = (uint16_t)flags;
    if (!(flags & MEDIA_MIXER_LISTEN)) p->out_count = 0;   /* nothing stale when it listens again */
    return MEDIA_OK;
}

MEDIADEF int media_mixer_gain_set(media_mixer *m, int party, double gain_db)
{
    media__mixer_party *p = media__mixer_party_get(m, party);
    if (!p || !(gain_db <= 24.0)) return MEDIA_EINVAL;   /* NaN too */
    media__mixer_gain(p, gain_db);
    return MEDIA_OK;
}

/* appends n samples to a ring of cap, dropping the oldest if it overflows;
   returns how many were dropped */
static uint32_t media__ring_push(int16_t *ring, uint32_t cap, uint32_t *head, uint32_t *count,
                                 const int16_t *src, uint32_t n)
{
    uint32_t dropped = 0, tail, first;
    if (n > cap) { dropped = n - cap; src += dropped; n = cap; }
    if (*count + n > cap) {
        uint32_t d = *count + n - cap;
        *head = (*head + d) % cap;
        *count -= d;
        dropped += d;
    }
    tail = (*head + *count) % cap;
    first = cap - tail < n ? cap - tail : n;
    memcpy(ring + tail, src, first * sizeof *src);
    memcpy(ring, src + first, (n - first) * sizeof *src);
    *count += n;
    return dropped;
}

/* pcm through r (set up for its rates) onto a ring of cap: the samples the ring dropped */
static uint32_t media__ring_push_converted(media_resampler *r, int16_t *ring, uint32_t cap, uint32_t *head, uint32_t *count,
                                           const int16_t *pcm, size_t n)
{
    uint32_t dropped = 0;
    while (n > 0) {
        int16_t tmp[256];
        size_t used = 0;
        int got = media_resampler_process(r, tmp, sizeof tmp / sizeof *tmp, pcm, n, &used);
        if (got < 0) break;
        dropped += media__ring_push(ring, cap, head, count, tmp, (uint32_t)got);
        if (!used && !got) break;
        pcm += used;
        n -= used;
    }
    return dropped;
}

/* a free converter pair for p (kept until it leaves), set for its rates */
static int media__mixer_conv(media_mixer *m, media__mixer_party *p, int out, uint32_t rate)
{
    media_resampler *r;
    if (p->conv < 0) {
        int i;
        for (i = 0; i < m->converters && m->conv_used[i]; i++) {}
        if (i == m->converters) return MEDIA_ENOSPC;
        m->conv_used[i] = 1;
        p->conv = i;
    }
    r = &m->conv[2 * p->conv + out];
    if (out ? p->out_rate != rate : p->in_rate != rate) {
        int rc = out ? media_resampler_init(r, m->cfg.rate, rate, 1) : media_resampler_init(r, rate, m->cfg.rate, 1);
        if (rc != MEDIA_OK) return rc;
        if (out) p->out_rate = rate; else p->in_rate = rate;
    }
    return MEDIA_OK;
}

MEDIADEF int media_mixer_put(media_mixer *m, int party, const int16_t *pcm, size_t samples, uint32_t rate)
{
    media__mixer_party *p = media__mixer_party_get(m, party);
    int rc;
    if (!p || (!pcm && samples) || rate < 8000 || rate > 48000 || MEDIA__TOO_LONG(samples)) return MEDIA_EINVAL;
    p->started = 1;
    p->st.samples_in += samples;
    if (rate == m->cfg.rate) {
        p->st.input_dropped += media__ring_push(p->in, m->cap, &p->in_head, &p->in_count, pcm, (uint32_t)samples);
        return MEDIA_OK;
    }
    if ((rc = media__mixer_conv(m, p, 0, rate)) != MEDIA_OK) return rc;
    p->st.input_dropped +=
        media__ring_push_converted(&m->conv[2 * p->conv], p->in, m->cap, &p->in_head, &p->in_count, pcm, samples);
    return MEDIA_OK;
}

MEDIADEF int media_mixer_get(media_mixer *m, int party, int16_t *pcm, size_t samples, uint32_t rate)
{
    media__mixer_party *p = media__mixer_party_get(m, party);
    size_t done = 0;
    int rc;
    if (!p || (!pcm && samples) || rate < 8000 || rate > 48000 || MEDIA__TOO_LONG(samples)) return MEDIA_EINVAL;
    if (rate != m->cfg.rate && (rc = media__mixer_conv(m, p, 1, rate)) != MEDIA_OK) return rc;
    while (done < samples && p->out_count > 0) {
        uint32_t run = m->cap - p->out_head < p->out_count ? m->cap - p->out_head : p->out_count;
        size_t used;
        if (rate == m->cfg.rate) {
            used = samples - done < run ? samples - done : run;
            memcpy(pcm + done, p->out + p->out_head, used * sizeof *pcm);
            done += used;
        } else {
            int got = media_resampler_process(&m->conv[2 * p->conv + 1], pcm + done, samples - done,
                                              p->out + p->out_head, run, &used);
            if (got < 0) return got;
            done += (size_t)got;
            if (!used && !got) break;
        }
        p->out_head = (p->out_head + (uint32_t)used) % m->cap;
        p->out_count -= (uint32_t)used;
    }
    p->st.samples_out += done;
    return (int)done;
}

static int16_t media__sat16(int32_t v) { return (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v); }

/* who speaks now, with hysteresis (see the banner) */
static void media__mixer_speaker(media_mixer *m)
{
    int i, best = -1, was = m->speaker;
    float bp = 0, sp = m->speaker >= 0 ? m->party[m->speaker].power : 0;
    for (i = 0; i < m->parties; i++) {
        const media__mixer_party *p = &m->party[i];
        if (p->used && p->power >= m->threshold && p->power > bp) { best = i; bp = p->power; }
    }
    if (sp >= m->threshold) m->quiet_ms = 0;
    else if (m->speaker >= 0 && (m->quiet_ms += m->cfg.frame_ms) >= (uint32_t)m->cfg.speaker_release_ms)
        m->speaker = -1;
    if (best >= 0 && best != m->speaker && (m->speaker < 0 || sp < m->threshold || bp >= sp * m->margin)) {
        if (m->candidate != best) { m->candidate = best; m->candidate_ms = 0; }
        if ((m->candidate_ms += m->cfg.frame_ms) >= (uint32_t)m->cfg.speaker_hold_ms) {
            m->speaker = best;
            m->quiet_ms = 0;
            m->candidate = -1;
        }
    } else {
        m->candidate = -1;
    }
    if (m->speaker != was) {
        if (was >= 0) m->party[was].st.speaker = 0;
        if (m->speaker >= 0) m->party[m->speaker].st.speaker = 1;
        if (m->cfg.speaker) m->cfg.speaker(m, m->speaker, m->cfg.user);
    }
}

MEDIADEF int media_mixer_mix(media_mixer *m)
{
    const uint32_t n = m ? m->frame : 0;
    int32_t *sum;
    int i;
    uint32_t k;
    if (!m) return MEDIA_EINVAL;
    sum = m->sum;
    memset(sum, 0, n * sizeof *sum);
    for (i = 0; i < m->parties; i++) {
        media__mixer_party *p = &m->party[i];
        uint32_t have, first, j;
        int64_t energy = 0;
        float power;
        if (!p->used) continue;
        p->has_part = 0;
        p->st.frames++;
        have = p->in_count < n ? p->in_count : n;
        if (have < n && p->started) p->st.underruns++;
        if (have && (p->flags & (MEDIA_MIXER_SPEAK | MEDIA_MIXER_MUTED)) == MEDIA_MIXER_SPEAK && p->gain) {
            const int32_t g = p->gain;
            int32_t *part = p->part;
            first = m->cap - p->in_head < have ? m->cap - p->in_head : have;
            for (j = 0; j < first; j++) part[j] = p->in[p->in_head + j];
            for (j = first; j < have; j++) part[j] = p->in[j - first];
            for (j = have; j < n; j++) part[j] = 0;
            for (j = 0; j < have; j++) energy += (int64_t)part[j] * part[j];
            if (g != 4096)
                for (j = 0; j < have; j++) part[j] = (int32_t)(((int64_t)part[j] * g + 2048) >> 12);
            for (j = 0; j < n; j++) sum[j] += part[j];
            p->has_part = 1;
        }
        p->in_head = (p->in_head + have) % m->cap;
        p->in_count -= have;
        /* power after the gain, full scale 1; instant rise, falling with a 50 ms time constant */
        power = p->has_part ? (float)((double)energy / n / (32768.0 * 32768.0)) * ((float)p->gain / 4096.0f) * ((float)p->gain / 4096.0f) : 0.0f;
        p->power = power >= p->power ? power : p->power * m->release + power * (1.0f - m->release);
    }
    for (k = 0; k < n; k++) m->mixed[k] = media__sat16(sum[k]);
    if (m->cfg.mix) m->cfg.mix(m, m->mixed, n, m->cfg.rate, m->cfg.user);
#ifndef MEDIA_NO_STDIO
    if (m->recording && media_wav_write(&m->rec, m->mixed, n) != MEDIA_OK) {
        media_wav_close(&m->rec);   /* a full disk ends the recording, not the conference */
        m->recording = 0;
    }
#endif
    for (i = 0; i < m->parties; i++) {
        media__mixer_party *p = &m->party[i];
        if (!p->used || !(p->flags & MEDIA_MIXER_LISTEN)) continue;
        if (p->has_part) {
            int16_t *out = m->heard;
            const int32_t *part = p->part;
            for (k = 0; k < n; k++) out[k] = media__sat16(sum[k] - part[k]);
            p->st.output_dropped += media__ring_push(p->out, m->cap, &p->out_head, &p->out_count, out, n);
        } else {
            p->st.output_dropped += media__ring_push(p->out, m->cap, &p->out_head, &p->out_count, m->mixed, n);
        }
    }
    media__mixer_speaker(m);
    return MEDIA_OK;
}

MEDIADEF int media_mixer_poll(media_mixer *m, uint64_t now_us)
{
    const uint64_t frame_us = m ? (uint64_t)m->cfg.frame_ms * 1000 : 0;
    int burst = 0;
    if (!m) return MEDIA_EINVAL;
    if (!m->clock_started) { m->clock_started = 1; m->next_us = now_us; }
    while (now_us >= m->next_us) {
        if (burst++ == m->cfg.queue_frames) {
            uint64_t late = (now_us - m->next_us) / frame_us + 1;
            m->skipped += late;
            m->next_us += late * frame_us;
            break;
        }
        media_mixer_mix(m);
        m->next_us += frame_us;
    }
    return (int)((m->next_us - now_us + 999) / 1000);
}

MEDIADEF int media_mixer_speaker_get(const media_mixer *m)
{
    return m ? m->speaker : -1;
}

MEDIADEF int media_mixer_party_stats_get(const media_mixer *m, int party, media_mixer_party_stats *st)
{
    const media__mixer_party *p = media__mixer_party_get(m, party);
    if (!p || !st) return MEDIA_EINVAL;
    *st = p->st;
    st->level_db = p->power > 1e-10f ? (float)(10.0 * log10(p->power)) : -100.0f;
    return MEDIA_OK;
}

#ifndef MEDIA_NO_STDIO
MEDIADEF int media_mixer_record(media_mixer *m, const char *path)
{
    int rc = MEDIA_OK;
    if (!m) return MEDIA_EINVAL;
    if (m->recording) {
        rc = media_wav_close(&m->rec);
        m->recording = 0;
    }
    if (!path) return rc;
    if ((rc = media_wav_open_write(&m->rec, path, MEDIA_WAV_PCM16, m->cfg.rate, 1)) != MEDIA_OK) return rc;
    m->recording = 1;
    return MEDIA_OK;
}
#endif

/* >>session implementation ------------------------------------------------- */

/* ---- addresses (text form without inet_pton: MEDIA_NO_SOCKETS builds need them too) ---- */

static int media__addr_v4(uint8_t *ip, const char *t, size_t n)
{
    size_t i = 0;
    int part;
    for (part = 0; part < 4; part++) {
        unsigned v = 0, digits = 0;
        if (part && (i >= n || t[i++] != '.')) return 0;
        while (i < n && t[i] >= '0' && t[i] <= '9' && digits < 4) { v = v * 10 + (unsigned)(t[i++] - '0'); digits++; }
        if (!digits || digits > 3 || v > 255) return 0;
        ip[part] = (uint8_t)v;
    }
    return i == n;
}

static int media__hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* RFC 4291 2.2: eight groups, one "::" for a run of zero groups, an IPv4 tail */
static int media__addr_v6(uint8_t *ip, const char *t, size_t n)
{
    uint16_t g[8];
    int count = 0, gap = -1, k;
    size_t i = 0;
    if (n >= 2 && t[0] == ':' && t[1] == ':') { gap = 0; i = 2; }
    else if (n && t[0] == ':') return 0;
    while (i < n) {
        size_t start = i;
        unsigned v = 0;
        int h;
        if (count >= 8) return 0;
        while (i < n && (h = media__hexval(t[i])) >= 0 && i - start < 4) { v = (v << 4) | (unsigned)h; i++; }
        if (i < n && t[i] == '.') {            /* dotted IPv4 in the last 32 bits */
            if (count > 6 || !media__addr_v4(ip, t + start, n - start)) return 0;
            g[count++] = (uint16_t)((ip[0] << 8) | ip[1]);
            g[count++] = (uint16_t)((ip[2] << 8) | ip[3]);
            i = n;
            break;
        }
        if (i == start) return 0;
        g[count++] = (uint16_t)v;
        if (i == n) break;
        if (t[i] != ':') return 0;
        i++;
        if (i < n && t[i] == ':') {
            if (gap >= 0) return 0;
            gap = count;
            i++;
        } else if (i == n) {
            return 0;                          /* a single ':' at the end */
        }
    }
    if (gap < 0 ? count != 8 : count > 7) return 0;
    memset(ip, 0, 16);
    for (k = 0; k < count; k++) {
        int at = (gap >= 0 && k >= gap) ? 8 - (count - k) : k;
        ip[2 * at] = (uint8_t)(g[k] >> 8);
        ip[2 * at + 1] = (uint8_t)g[k];
    }
    return 1;
}

MEDIADEF int media_addr_parse(media_addr *a, const char *text, uint16_t port)
{
    size_t n;
    if (!a || !text) return MEDIA_EINVAL;
    memset(a, 0, sizeof *a);
    n = strlen(text);
    if (media__addr_v4(a->ip, text, n)) a->family = 4;
    else if (media__addr_v6(a->ip, text, n)) a->family = 6;
    else return MEDIA_EINVAL;
    a->port = port;
    return MEDIA_OK;
}

static const uint8_t media__v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF };

/* ::ffff:a.b.c.d is the IPv4 address a.b.c.d (what a dual-stack socket reports) */
static void media__addr_unmap(media_addr *a)
{
    if (a->family == 6 && !memcmp(a->ip, media__v4mapped, 12)) {
        memmove(a->ip, a->ip + 12, 4);
        memset(a->ip + 4, 0, 12);
        a->family = 4;
    }
}

MEDIA__HOT_TEXT MEDIADEF int media_addr_equal(const media_addr *a, const media_addr *b)
{
    media_addr x, y;
    if (!a || !b) return 0;
    x = *a; y = *b;
    media__addr_unmap(&x); media__addr_unmap(&y);
    return x.family == y.family && x.port == y.port && !memcmp(x.ip, y.ip, x.family == 4 ? 4 : 16);
}

/* an address and port in 32 bits (FNV-1a): a cheap first test before an exact one */
static uint32_t media__addr_hash(const media_addr *a)
{
    media_addr x = *a;
    uint32_t h = 2166136261u;
    int i;
    media__addr_unmap(&x);
    h = (h ^ x.family) * 16777619u;
    h = (h ^ (x.port & 0xFF)) * 16777619u;
    h = (h ^ (x.port >> 8)) * 16777619u;
    for (i = 0; i < (x.family == 4 ? 4 : 16); i++) h = (h ^ x.ip[i]) * 16777619u;
    return h;
}

MEDIADEF int media_addr_string(char *buf, size_t cap, const media_addr *a)
{
    char t[48];
    size_t n = 0;
    int i;
    if (!buf || !a || (a->family != 4 && a->family != 6) || MEDIA__TOO_LONG(cap)) return MEDIA_EINVAL;
    if (a->family == 4) {
        for (i = 0; i < 4; i++) {
            char d[4];
            int k = 0, v = a->ip[i];
            if (i) t[n++] = '.';
            do { d[k++] = (char)('0' + v % 10); v /= 10; } while (v);
            while (k) t[n++] = d[--k];
        }
    } else {
        /* RFC 5952: the longest run (>= 2) of zero groups becomes "::", hex in lower case */
        int best = -1, best_len = 1, run = 0;
        for (i = 0; i < 8; i++) {
            if (!a->ip[2 * i] && !a->ip[2 * i + 1]) {
                if (++run > best_len) { best_len = run; best = i - run + 1; }
            } else {
                run = 0;
            }
        }
        for (i = 0; i < 8; i++) {
            unsigned v = (unsigned)((a->ip[2 * i] << 8) | a->ip[2 * i + 1]);
            int sh, started = 0;
            if (i == best) { t[n++] = ':'; t[n++] = ':'; i += best_len - 1; continue; }
            if (i && !(best >= 0 && i == best + best_len)) t[n++] = ':';
            for (sh = 12; sh >= 0; sh -= 4) {
                unsigned d = (v >> sh) & 15u;
                if (d || started || sh == 0) { t[n++] = "0123456789abcdef"[d]; started = 1; }
            }
        }
    }
    if (n + 1 > cap) return MEDIA_ENOSPC;
    memcpy(buf, t, n);
    buf[n] = 0;
    return (int)n;
}

/* ---- the session object ---- */

enum { MEDIA__OA_STABLE = 0, MEDIA__OA_LOCAL_OFFER = 1, MEDIA__OA_REMOTE_OFFER = 2 };
enum { MEDIA__RX_AUDIO = 0, MEDIA__RX_EVENTS = 1, MEDIA__RX_CN = 2 };
enum { MEDIA__DT_IDLE = 0, MEDIA__DT_EVENT = 1, MEDIA__DT_ENDS = 2, MEDIA__DT_GAP = 3 };

#define MEDIA__RX_MAP (2 * MEDIA_SESSION_MAX_CODECS + 2)
#define MEDIA__RS_IN 256                 /* file frames held for the rate converter */
/* cfg.inband_dtmf, cfg.tones: the detectors, and the last press reported (either source) */
typedef struct media__inband {
    media_dtmf_detector det;             /* (rate 0 until the first audio) */
    media_tone_detector tones;           /* cfg.tones */
    uint64_t last_us;                    /* when the last press was reported (the one the callback has) */
    char last_digit;
    uint8_t last_source;
} media__inband;

#define MEDIA__BRIDGE_QUEUE (3 * MEDIA_SESSION_MAX_FRAME)   /* decoded samples waiting for the other leg's encoder */

/* One direction of a bridge: what from's peer sends, on its way to to's.
   What a relayed packet reads comes first (one line), then its counters. */
typedef struct media__bridge_dir {
    media_session *from, *to;            /* NULL once that session is destroyed */
    struct media__bridge_dir *rev;       /* the other way */
    /* relaying: out = in + offset, for the origin (SSRC, numbering) anchored last */
    uint32_t in_ssrc, ts_off, last_out_ts;
    uint16_t seq_off, in_seq, next_out_seq;
    uint8_t relaying, anchored, marker, have_out;
    uint8_t mapped;                      /* pt_map is up to date (a negotiation on either side clears it) */
    uint8_t mode;
    media_bridge_stats st;
    uint8_t pt_map[128];                 /* from's payload type -> to's; 255: to cannot carry it */
    /* events while transcoding: each on to's own numbering, from to's clock */
    uint8_t ev_active, transcoding;
    uint32_t ev_in_ts, ev_out_ts;
    int64_t ev_until_us;                 /* to sends no audio of its own before this */
    /* transcoding: decoded audio at to's rate, a ring */
    uint32_t q_head, q_count;
    media_resampler rs;                  /* (its rates: what it is set up for) */
    int16_t q[MEDIA__BRIDGE_QUEUE];
} media__bridge_dir;
#define MEDIA__PLAYOUT_SLACK 20000       /* us a due frame may wait for the sending tick */
#define MEDIA__GAP_CONCEALED 3           /* frames of a gap between audio counted as concealed */
#define MEDIA__DTMF_LOST_US 1000000u     /* the peer's audio this far past an event's end: it has ended
                                            (GStreamer's rtpdtmfmux holds events 0.6-0.9 s while audio flows) */
#define MEDIA__DTMF_QUIET_US 2000000u    /* nothing at all from the peer this long: it has ended */
#define MEDIA__DTMF_REORDER_US 120000u   /* how long an event's end may trail the next one's start */

typedef struct media__rx_entry {         /* a payload type the peer may send us */
    uint8_t pt, kind;
    uint32_t clock;
    const media_codec *codec;
} media__rx_entry;

typedef struct media__rx_map {
    int n;
    media__rx_entry e[MEDIA__RX_MAP];
} media__rx_map;

#ifndef MEDIA_NO_STDIO
typedef struct media__play_item {
    media_wav_file f;
    int id;
    int left;                            /* plays left, 0 = forever */
} media__play_item;
#endif

/* What every poll reads comes first (the config's clock and timeouts, the
   states, the timers): with a thousand sessions each poll starts from a cold
   cache, and every other cache line it touches costs a miss. Text and the
   negotiation's leftovers go last, next to the jitter buffer. */
/* A key press being received (RFC 4733): its timestamp is its name. */
typedef struct media__dtmf_rx {
    uint32_t ts, dur, clock;
    int code, ended, after;
    uint64_t first_us, last_us;          /* its first and latest packet */
    uint64_t after_us;                   /* when the peer's audio first went past its end */
} media__dtmf_rx;

struct media_session {
    /* Hot: with a thousand calls every line a packet touches is a miss, so
       the fields a poll (send a frame, play one) and a received packet use
       are packed at the start of the 64-byte aligned block: a poll reads
       lines 0-3, a received packet lines 2-5. The order is poll only, both,
       received only; within each, widest first (no padding). The jitter
       buffer follows the struct (media__jb). */
    /* poll only */
    int64_t tick_us, next_tick_us;       /* the sending clock */
    int64_t rtcp_next_us, stats_next_us, quality_next_us;
    uint64_t last_sent_us;
    /* the codecs and the handlers a packet goes through (copies of cfg's) */
    const media_codec *tx_codec, *rx_codec;
    void *enc_state, *dec_state;
    int (*send)(media_session *s, const uint8_t *data, size_t len, int is_rtcp, const media_addr *to, void *user);
    media_packet_filter filter;          /* cfg.filter */
    void (*audio_in)(media_session *s, const int16_t *pcm, size_t samples, uint32_t rate, void *user);
    int (*audio_out)(media_session *s, int16_t *pcm, size_t samples, uint32_t rate, void *user);
    struct media__bridge_dir *br;        /* a bridge (media_bridge): our way out of it (->rev feeds what we send) */
    /* counters a packet moves (media_session_stats has them by name) */
    uint64_t sent_packets, sent_bytes, concealed;
    uint32_t ts, frame_samples, ts_step;
    uint32_t rtp_timeout_ms;
    uint32_t lazy_end;                   /* frames played without their history kept (G.711): the */
    uint16_t lazy_n;                     /* last one's extended seq, how many */
    int16_t tx_pt, te_pt;
    uint16_t seq;
    uint16_t dt_len, nplay;              /* DTMF digits queued; files to play */
    int8_t cn_level;                     /* -1: no comfort noise running, else its level (0..127) */
    uint8_t gap_run;                     /* frames of nothing since the last decoded one (no CN), up to 255 */
    /* states and flags, a byte each */
    uint8_t negotiated, started, closing;
    uint8_t can_send, can_recv, local_hold, muted, sending, marker_next;
    uint8_t mux;                         /* res.rtcp_mux */
    uint8_t dt_state, rec_what;
    uint8_t plc_clean;                   /* the decoder's concealment has nothing to blend (lazy runs may start) */
    /* both */
    uint8_t terminated, depth, destroy_pending;   /* callbacks running; destroy asked for inside one */
    uint8_t jb_ready, timed_out, remote_known;
    uint8_t rx_bye;                      /* the peer's BYE came: stop receiving once drained */
    uint8_t dr_n;                        /* RFC 4733 events held (dr[]) */
    uint8_t connected;                   /* bit k: fd[k] is connected to the peer (media__connect) */
    int out_ret;                         /* what the last call out returned (MEDIA__OUT_INT) */
    uint32_t ssrc, jb_clock;
    int fd[2];
    uint32_t clock_back_ms;              /* added to the clock: what it has stepped back (media__clock) */
    uint64_t (*now_us)(void *user);      /* cfg.now_us, copied here */
    void *user;                          /* cfg.handler.user: every callback and the clock get it */
    uint64_t last_rtp_us;
    media__rx_entry rx_last;             /* the payload type found last in rx_map (pt 255: none) */
    /* received only */
    uint32_t peer_ssrc;
    uint8_t peer_known, rx_started, in_event;
    uint8_t rtt_known;                   /* a report has given st.rtt_ms */
    uint64_t recv_packets, recv_bytes;
    double jit_sum_ms, jit_max_ms;       /* A.8 jitter after every audio packet: sum, largest */
    uint32_t jit_n;
    uint32_t sdp_addr;                   /* the peer's RTP address as its SDP gave it (a hash): latching's anchor */
    media_rtp_stats rx;                  /* the fields at its start are per packet */
    /* ---- the rest, by feature (touched by timers, control calls and
       negotiation, not per packet) ---- */
    /* the call */
    int state;
    int close_reason;                    /* what session_stop reports: MEDIA_OK or the error that stopped it */
    uint8_t oa, paused, latched, rtcp_latched;
    uint8_t local_family;                /* local.family */
    uint8_t cand_n;                      /* the candidate source (media__source_gate): packets in a row */
    media_addr local;                    /* RTP; RTCP is port + 1 */
    media_addr remote_rtp, remote_rtcp;
    uint16_t cand_seq;                   /* the candidate's next sequence number */
    uint16_t stream;                     /* in a group: our audio m-line + 1 (media_sdp_oa_config.stream); 0: alone */
    uint16_t inband16;                   /* cfg.inband_dtmf, cfg.tones: where media__inband is, in 16 bytes from s (0: off) */
    uint32_t cand_ssrc, cand_addr;       /* its SSRC and address (a hash) */
    uint32_t ptime_ms;
    uint32_t gap_silence0;               /* (receiving) the buffer's silence count when the gap began (low bits) */
    uint64_t rng;
    /* receiving */
    media__rx_map rx_map;
    int64_t lost_old_sources;            /* lost from the peer's earlier sources (rx counts the current one) */
    /* statistics, quality, errors */
    media_session_stats st;
    uint64_t start_us;
    uint64_t last_error_us;
    struct { uint32_t expected, received; } quality;   /* at the last evaluation */
    /* RTCP (RFC 3550 6.3) */
    struct {
        int64_t last_us;
        double avg_size;
        uint64_t sent_at_last, sent_at_prev;   /* packets sent at the last two reports */
        uint64_t ntp0, clock0;           /* wall clock (NTP) at clock0 */
        uint64_t heard_at_report;        /* packets received at the last report: heard since? */
        uint32_t sr_lsr[4];              /* the NTP middles of our last SRs: what a report's LSR may be */
        uint8_t initial, bye_sent, sr_next;
        uint8_t collided;                /* we changed SSRC for a collision: our SSRC again is a loop */
    } rtcp;
    /* RFC 4733 out (dt_len and dt_state are in the hot block) */
    struct {
        uint32_t ts, dur, target;
        int head, code, ends, gap;
        char queue[MEDIA_SESSION_DTMF_QUEUE];
    } dtmf_tx;
    /* media__log: when each kind of refusal was last said (ms, wrapping), and how many since went unsaid */
    uint32_t log_at_ms[4];
    uint16_t log_quiet[4];
    uint32_t noise;                      /* comfort noise's generator */
    /* RFC 4733 in (dr_n is in the hot block) */
    struct {
        media__dtmf_rx held[2];          /* the oldest first; reported in that order */
        uint32_t done[4];                /* timestamps of events already reported */
        int done_n;
        int seq_n;
        uint16_t seq[16];                /* sequence numbers recent event packets took */
    } dtmf_rx;
    /* files */
    struct {
#ifndef MEDIA_NO_STDIO
        media__play_item queue[MEDIA_SESSION_PLAY_QUEUE];
#endif
        int next_id;
    } play;
    struct {
#ifndef MEDIA_NO_STDIO
        media_wav_file file;
#endif
        int16_t *ring;                   /* received audio waiting for the recording tick */
        size_t ring_cap, ring_r, ring_n;
        int ring_primed;                 /* the ring holds its frame in hand */
        uint32_t heard;                  /* (received) its bytes up to the last frame from a packet (a WAV holds < 4 GiB) */
    } rec;
    struct {
        media_resampler *rs;             /* in the allocation when cfg.resample */
        int16_t *in;
        uint64_t in_total, out_total;
        int in_pos, in_len, eof;
        uint32_t from;                   /* the rate rs was set up for (0: none) */
    } resample;
    media_stretch stretch;               /* for the received codec's rate (rate 0: none) */
    /* codec state sizes: encoder side (none for stateless encoders) and decoder side */
    uint32_t state_size, enc_size;
    media_session_config cfg;            /* a copy; its strings point into this struct */
    /* negotiation: touched at setup and re-offers only */
    media_sdp_result res;
    struct {
        size_t local_len;
        uint32_t sess_id;
        int pending_rc;
        media_sdp_result pending;        /* an answer made, not yet handed out */
        media__rx_map pending_map;
        char local[MEDIA_SESSION_SDP_SIZE];   /* our last offer or answer */
    } sdp;
    const media_codec *codecs[MEDIA_SESSION_MAX_CODECS];
    char sdp_address[MEDIA_SDP_MAX_ADDRESS];
    char cname[48];
    void *block;                         /* what was allocated (s is aligned inside it) */
};

/* Every call out to the user (callbacks, the custom transport, the packet
   filter) goes through one of these: depth says we are inside one, so a
   destroy() from there waits until we are out (media__leave), and a value
   it returns comes back through the session (out_ret), so nested calls
   cannot mix their results up. */
#define MEDIA__OUT(s, expr) do { (s)->depth++; expr; (s)->depth--; } while (0)
#define MEDIA__OUT_INT(s, expr) ((s)->depth++, (s)->out_ret = (int)(expr), (s)->depth--, (s)->out_ret)
#define MEDIA__CALL(s, fn, args) do { if ((s)->cfg.handler.fn) MEDIA__OUT(s, (s)->cfg.handler.fn args); } while (0)

/* handler.log: the message is made only when someone listens, and a refusal
   of one kind is said at most once a second (with how many went unsaid) */
enum { MEDIA__LOG_MALFORMED, MEDIA__LOG_SOURCE, MEDIA__LOG_PT, MEDIA__LOG_WIRE };   /* WIRE: the filter, the socket */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 5, 6)))
#endif
static void media__log(media_session *s, int level, int kind, uint64_t now, const char *fmt, ...);
static void media__log(media_session *s, int level, int kind, uint64_t now, const char *fmt, ...)
{
    char msg[320];
    va_list ap;
    if (!s->cfg.handler.log) return;
    if (kind >= 0) {
        uint32_t ms = (uint32_t)(now / 1000) | 1u;   /* (never 0: 0 is "not yet") */
        if (s->log_at_ms[kind] && ms - s->log_at_ms[kind] < 1000) {
            if (s->log_quiet[kind] < 65535) s->log_quiet[kind]++;
            return;
        }
        s->log_at_ms[kind] = ms;
    }
#ifndef MEDIA_NO_STDIO
    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (kind >= 0 && s->log_quiet[kind]) {
        size_t l = strlen(msg);
        (void)snprintf(msg + l, sizeof msg - l, " (and %u more since)", (unsigned)s->log_quiet[kind]);
    }
#else
    {   /* no formatting without stdio: the message's pattern */
        size_t l = strlen(fmt);
        if (l >= sizeof msg) l = sizeof msg - 1;
        memcpy(msg, fmt, l);
        msg[l] = 0;
        (void)ap;
    }
#endif
    if (kind >= 0) s->log_quiet[kind] = 0;
    MEDIA__OUT(s, s->cfg.handler.log(s, level, msg, s->user));
}

/* a system error for a message (strerror is not thread-safe everywhere, but
   the message is copied out at once and only made when someone listens) */
static const char *media__errno_text(int e)
{
    const char *t = strerror(e);
    return t ? t : "system error";
}

/* a source address for a message */
static const char *media__addr_text(char *buf, size_t cap, const media_addr *a)
{
    char ip[48];
    if (!a || media_addr_string(ip, sizeof ip, a) < 0) { buf[0] = '?'; buf[1] = 0; return buf; }
#ifndef MEDIA_NO_STDIO
    (void)snprintf(buf, cap, a->family == 6 ? "[%s]:%u" : "%s:%u", ip, (unsigned)a->port);
#else
    {
        size_t l = strlen(ip);
        if (l >= cap) l = cap - 1;
        memcpy(buf, ip, l);
        buf[l] = 0;
    }
#endif
    return buf;
}

MEDIA__HOT_TEXT static uint64_t media__sess_now(const media_session *s)
{
    return (s->now_us ? s->now_us(s->user) : media_now_us()) + (uint64_t)s->clock_back_ms * 1000u;
}

/* The clock as the session's timers need it: it never goes back. Once media
   runs the last frame's time is a floor; a clock found more than a frame
   below it (cfg.now_us stepped back: a wall clock, a VM restored) is
   counted and moved up to it for good, so every timer carries on from
   where it was instead of waiting out the step. (A step forward is met by
   the timers themselves: late frames are skipped, not burst.) */
MEDIA__HOT_TEXT static uint64_t media__clock(media_session *s)
{
    uint64_t now = media__sess_now(s);
    int64_t floor_us = s->next_tick_us - s->tick_us;
    if (s->started && (int64_t)now < floor_us - s->tick_us) {
        uint64_t back = (uint64_t)(floor_us - (int64_t)now);
        s->clock_back_ms += (uint32_t)((back + 999) / 1000);
        s->st.clock_steps_back++;
        media__log(s, MEDIA_LOG_WARNING, -1, 0, "the clock went back %llu ms: the session's time goes on from where it was",
                   (unsigned long long)(back / 1000));
        now = media__sess_now(s);
    }
    return now;
}

static uint32_t media__rand(media_session *s)   /* xorshift64* */
{
    s->rng ^= s->rng >> 12; s->rng ^= s->rng << 25; s->rng ^= s->rng >> 27;
    return (uint32_t)((s->rng * 2685821657736338717ull) >> 32);
}

static void media__set_state(media_session *s, int st)
{
    int old = s->state;
    if (old == st) return;
    s->state = st;
    MEDIA__CALL(s, state_change, (s, old, st, s->user));
}

static void media__update_state(media_session *s)
{
    if (s->terminated) media__set_state(s, MEDIA_STATE_TERMINATED);
    else if (!s->negotiated) media__set_state(s, s->oa != MEDIA__OA_STABLE ? MEDIA_STATE_NEGOTIATING : MEDIA_STATE_IDLE);
    else if (!s->started) media__set_state(s, MEDIA_STATE_READY);
    else if (s->local_hold) media__set_state(s, MEDIA_STATE_HELD);
    else if (s->res.remote_hold) media__set_state(s, MEDIA_STATE_PAUSED);
    else media__set_state(s, MEDIA_STATE_ACTIVE);
}

#define MEDIA__CONFIG_INITIALISED 0x6D636667u   /* "mcfg" */

MEDIADEF void media_session_config_init(media_session_config *cfg)
{
    if (!cfg) return;
    memset(cfg, 0, sizeof *cfg);
    cfg->local_address = "0.0.0.0";
    cfg->rtcp_mux = 1;
    cfg->jitter_max_delay_ms = 0;
    cfg->jitter_initial_delay_ms = 20;
    cfg->dtmf_duration_ms = 100;
    cfg->dtmf_gap_ms = 60;
    cfg->rtcp_interval_ms = 5000;
    cfg->quality_interval_ms = 1000;
    cfg->rtp_timeout_ms = 30000;
    cfg->quality.mos[0] = 4.0; cfg->quality.mos[1] = 3.6; cfg->quality.mos[2] = 3.1;
    cfg->quality.loss_percent[0] = 1; cfg->quality.loss_percent[1] = 3; cfg->quality.loss_percent[2] = 10;
    cfg->quality.jitter_ms[0] = 30; cfg->quality.jitter_ms[1] = 60; cfg->quality.jitter_ms[2] = 120;
    cfg->_initialised = MEDIA__CONFIG_INITIALISED;
}

static int media__copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap) return MEDIA_EINVAL;
    memcpy(dst, src, n + 1);
    return MEDIA_OK;
}


/* The jitter buffer sits on the line after the struct: its address is a
   constant offset, not a pointer to load first. */
static media_jitter *media__jb(const media_session *s)
{
    return (media_jitter *)(void *)((char *)s + media__align64(sizeof *s));
}


/* ---- several sessions on one description ----
   Each session negotiates its own m-line (s->stream, what
   media_sdp_oa_config.stream says) of one description; the group's text is
   stitched from theirs: the session part (v= o= s= c= t=) of the first
   session's, each m-section from the session that owns it (the others are
   the first's, refused), a session whose address differs from the first's
   saying so in a c= line of its own. The whole text is then every
   session's "ours", so each reads answers and makes re-offers against the
   real description. */

/* where the m-sections of an SDP text start (at most cap), their number */
static int media__sdp_sections(const char *t, size_t len, size_t *start, int cap)
{
    size_t i;
    int n = 0;
    for (i = 0; i + 1 < len; i++)
        if ((i == 0 || t[i - 1] == '\n') && t[i] == 'm' && t[i + 1] == '=') {
            if (n < cap) start[n] = i;
            n++;
        }
    return n;
}

/* the session-level c= line of an SDP text (before its first m=), or NULL; its length in *n */
static const char *media__sdp_c_line(const char *t, size_t len, size_t *n)
{
    size_t i, e;
    for (i = 0; i + 1 < len; i++) {
        if (i && t[i - 1] != '\n') continue;
        if (t[i] == 'm' && t[i + 1] == '=') return NULL;
        if (t[i] == 'c' && t[i + 1] == '=') {
            for (e = i; e < len && t[e] != '\n'; e++) {}
            *n = e < len ? e + 1 - i : e - i;
            return t + i;
        }
    }
    return NULL;
}

/* stitches the sessions' descriptions (each s[i]->sdp.local) into out; every session keeps it as its own */
static int media__group_stitch(media_session *const *s, size_t n, char *out, size_t cap)
{
    size_t st[MEDIA_SDP_MAX_MEDIA + 1], len = 0, k, c0n = 0;
    const char *base = s[0]->sdp.local, *c0;
    int total, j;
    char text[MEDIA_SESSION_SDP_SIZE];
    total = media__sdp_sections(base, s[0]->sdp.local_len, st, MEDIA_SDP_MAX_MEDIA);
    if (total > MEDIA_SDP_MAX_MEDIA) return MEDIA_ENOSPC;
    len = total ? st[0] : s[0]->sdp.local_len;   /* the session part */
    memcpy(text, base, len);
    if ((int)n > total) total = (int)n;   /* a first offer: a section from each */
    c0 = media__sdp_c_line(base, s[0]->sdp.local_len, &c0n);
    for (j = 0; j < total; j++) {
        const media_session *o = s[0];
        size_t ost[MEDIA_SDP_MAX_MEDIA + 1], a, b, cn = 0;
        const char *ot, *c;
        int on, pick = j;
        for (k = 0; k < n; k++) if (s[k]->stream == (uint16_t)(j + 1)) o = s[k];
        ot = o->sdp.local;
        on = media__sdp_sections(ot, o->sdp.local_len, ost, MEDIA_SDP_MAX_MEDIA);
        if (on > MEDIA_SDP_MAX_MEDIA) return MEDIA_ENOSPC;
        if (on == 1 && o->stream == (uint16_t)(j + 1)) pick = 0;   /* its first offer: its one m-line */
        if (pick >= on) return MEDIA_EINVAL;
        a = ost[pick];
        b = pick + 1 < on ? ost[pick + 1] : o->sdp.local_len;
        c = media__sdp_c_line(ot, o->sdp.local_len, &cn);
        if (c && o != s[0] && (!c0 || cn != c0n || memcmp(c, c0, cn))) {
            size_t m1 = a;
            while (m1 < b && ot[m1] != '\n') m1++;
            m1 = m1 < b ? m1 + 1 : b;   /* after the m= line: the section's own address */
            if (len + (m1 - a) + cn + (b - m1) >= sizeof text) return MEDIA_ENOSPC;
            memcpy(text + len, ot + a, m1 - a); len += m1 - a;
            memcpy(text + len, c, cn); len += cn;
            memcpy(text + len, ot + m1, b - m1); len += b - m1;
        } else {
            if (len + (b - a) >= sizeof text) return MEDIA_ENOSPC;
            memcpy(text + len, ot + a, b - a); len += b - a;
        }
    }
    if (len + 1 > cap) return MEDIA_ENOSPC;
    memcpy(out, text, len);
    out[len] = 0;
    for (k = 0; k < n; k++) {
        memcpy(s[k]->sdp.local, text, len);
        s[k]->sdp.local[len] = 0;
        s[k]->sdp.local_len = len;
    }
    return (int)len;
}

static int media__group_check(media_session *const *s, size_t n)
{
    size_t i, j;
    if (!s || !n || n > MEDIA_SDP_MAX_MEDIA) return MEDIA_EINVAL;
    for (i = 0; i < n; i++) {
        if (!s[i]) return MEDIA_EINVAL;
        for (j = 0; j < i; j++) if (s[j] == s[i]) return MEDIA_EINVAL;
    }
    return MEDIA_OK;
}

MEDIADEF int media_session_group_offer_create(media_session *const *s, size_t n, char *sdp, size_t cap)
{
    char one[MEDIA_SESSION_SDP_SIZE];
    size_t i;
    int rc;
    if ((rc = media__group_check(s, n)) != MEDIA_OK || !sdp || MEDIA__TOO_LONG(cap)) return MEDIA_EINVAL;
    for (i = 0; i < n; i++) {
        if (!s[i]->stream || !s[i]->sdp.local_len) s[i]->stream = (uint16_t)(i + 1);   /* a first offer: m-line i */
        if ((rc = media_session_offer_create(s[i], one, sizeof one)) < 0) return rc;
    }
    return media__group_stitch(s, n, sdp, cap);
}

MEDIADEF int media_session_group_remote_sdp_set(media_session *const *s, size_t n, const char *sdp, size_t len)
{
    size_t st[MEDIA_SDP_MAX_MEDIA + 1], i;
    int rc, first = MEDIA_OK, sections, k, audio = 0;
    if ((rc = media__group_check(s, n)) != MEDIA_OK || !sdp || MEDIA__TOO_LONG(len)) return MEDIA_EINVAL;
    if (s[0]->oa != MEDIA__OA_LOCAL_OFFER) {
        /* an offer: session i takes its i-th audio m-line */
        sections = media__sdp_sections(sdp, len, st, MEDIA_SDP_MAX_MEDIA);
        for (k = 0; k < sections && k < MEDIA_SDP_MAX_MEDIA && audio < (int)n; k++)
            if (len - st[k] > 8 && !memcmp(sdp + st[k], "m=audio ", 8)) s[audio++]->stream = (uint16_t)(k + 1);
        if (audio < (int)n) return MEDIA_ENEGOTIATION;
    }
    for (i = 0; i < n; i++)
        if ((rc = media_session_remote_sdp_set(s[i], sdp, len)) != MEDIA_OK && first == MEDIA_OK) first = rc;
    return first;
}

MEDIADEF int media_session_group_answer_create(media_session *const *s, size_t n, char *sdp, size_t cap)
{
    char one[MEDIA_SESSION_SDP_SIZE];
    size_t i;
    int rc, len;
    if ((rc = media__group_check(s, n)) != MEDIA_OK || !sdp || MEDIA__TOO_LONG(cap)) return MEDIA_EINVAL;
    for (i = 0; i < n; i++) if (s[i]->oa != MEDIA__OA_REMOTE_OFFER) return MEDIA_ESTATE;
    if ((len = media__group_stitch(s, n, sdp, cap)) < 0) return len;
    for (i = 0; i < n; i++)
        if ((rc = media_session_answer_create(s[i], one, sizeof one)) < 0) return rc;
    return len;
}

MEDIADEF int media_session_stream_get(const media_session *s, char *mid, size_t cap)
{
    size_t st[MEDIA_SDP_MAX_MEDIA + 1], a, b, e;
    int m, on;
    if (!s) return MEDIA_EINVAL;
    if (mid && cap) mid[0] = 0;
    m = s->negotiated ? s->res.media_index : -1;
    if (m < 0 || !mid || !cap) return m;
    on = media__sdp_sections(s->sdp.local, s->sdp.local_len, st, MEDIA_SDP_MAX_MEDIA);
    if (m >= on || m >= MEDIA_SDP_MAX_MEDIA) return m;
    b = m + 1 < on ? st[m + 1] : s->sdp.local_len;
    for (a = st[m]; a + 6 < b; a++) {
        if (!a || s->sdp.local[a - 1] != '\n' || memcmp(s->sdp.local + a, "a=mid:", 6)) continue;
        for (e = a + 6; e < b && s->sdp.local[e] != '\r' && s->sdp.local[e] != '\n'; e++) {}
        if (e - (a + 6) + 1 > cap) return MEDIA_ENOSPC;
        memcpy(mid, s->sdp.local + a + 6, e - (a + 6));
        mid[e - (a + 6)] = 0;
        break;
    }
    return m;
}

/* the transport seam (>>sockets) */
static int media__sock_open(media_session *s);
static void media__sock_close(media_session *s);
static void media__sock_connect(media_session *s);
static int media__sock_send(media_session *s, int which, const uint8_t *d, size_t n, const media_addr *to);
static void media__sock_drain(media_session *s, int which, int max, uint64_t now);
static void media__sock_guess_address(char *out, size_t cap, int family);
static int media__bridge_rtp(media_session *s, const media_rtp_packet *p, const struct media__rx_entry *e, uint64_t now);
static void media__bridge_pcm(media_session *s, const int16_t *pcm, size_t n, uint32_t rate);
static int media__bridge_fill(media_session *to, int16_t *pcm, size_t n, uint64_t now);
static void media__bridge_rtcp(media_session *s, const media_rtcp *c, uint64_t now);
static void media__bridge_detach(media_session *s);

static int media__is_wildcard(const media_addr *a)
{
    static const uint8_t zero[16] = { 0 };
    return !memcmp(a->ip, zero, a->family == 4 ? 4 : 16);
}

/* ---- create / destroy ---- */

MEDIADEF media_session *media_session_create(const media_session_config *cfg, int *err)
{
    media_session *s;
    media_session_config c;
    media_addr bind_to;
    size_t i, n, total, state_max = 0, enc_max = 0, off;
    void *block;
    uint32_t max_rate = 8000;
    int rc = MEDIA_EINVAL;
    uint64_t now;
    static const media_codec *(*const builtin[3])(void) = {
        media_codec_pcmu, media_codec_pcma, media_codec_telephone_event
    };
    if (err) *err = MEDIA_EINVAL;
    if (cfg && cfg->_initialised != MEDIA__CONFIG_INITIALISED) return NULL;   /* (*err: MEDIA_EINVAL) */
    if (cfg) c = *cfg; else media_session_config_init(&c);
    if (!c.local_address) c.local_address = "0.0.0.0";
    if (media_addr_parse(&bind_to, c.local_address, 0) != MEDIA_OK) return NULL;
    n = c.codecs ? c.codec_count : 3;
    if (n == 0 || n > MEDIA_SESSION_MAX_CODECS) return NULL;
    if (c.filter.overhead > MEDIA_SESSION_FILTER_OVERHEAD || !c.filter.protect != !c.filter.unprotect) return NULL;
    for (i = 0; i < n; i++) {
        const media_codec *cd = c.codecs ? c.codecs[i] : builtin[i]();
        if (!cd || !cd->name) return NULL;
        if (!(cd->flags & MEDIA_CODEC_EVENTS)) {
            if (!cd->encode || !cd->decode || !cd->sample_rate || cd->sample_rate > 192000 || !cd->clock_rate)
                return NULL;
            if (cd->state_size > (size_t)INT_MAX || cd->encoder_state_size > (size_t)INT_MAX) return NULL;
            if (cd->state_size > state_max) state_max = cd->state_size;
            if (!(cd->flags & MEDIA_CODEC_STATELESS_ENCODER)) {
                size_t es = cd->encoder_state_size ? cd->encoder_state_size : cd->state_size;
                if (es > enc_max) enc_max = es;
            }
            if (cd->sample_rate > max_rate) max_rate = cd->sample_rate;
        }
    }
    /* one allocation: the struct, the codec states (decoder; encoder unless
       every codec encodes without one), the recording ring (120 ms at the
       highest rate), and the rate converter when asked for */
    total = media__align64(sizeof *s) + media__align64(sizeof(media_jitter));
    total += media__align16(enc_max) + media__align16(state_max);
    total += media__align16((size_t)max_rate * 120 / 1000 * sizeof(int16_t));
    if (c.resample) total += media__align16(sizeof(media_resampler)) + media__align16(MEDIA__RS_IN * sizeof(int16_t));
    if (c.inband_dtmf || c.tones) total += media__align16(sizeof(media__inband));
    block = MEDIA_MALLOC(total + 63, c.handler.user);
    if (!block) { if (err) *err = MEDIA_ENOMEM; return NULL; }
    /* on a cache line: the hot fields then take the fewest lines */
    s = (media_session *)(void *)((char *)block + ((64 - (uintptr_t)block % 64) % 64));
    memset(s, 0, total);
    s->block = block;
    off = media__align64(sizeof *s);
    off += media__align64(sizeof(media_jitter));
    s->state_size = (uint32_t)state_max;
    s->enc_size = (uint32_t)enc_max;
    s->enc_state = enc_max ? (void *)((char *)s + off) : NULL;
    off += media__align16(enc_max);
    s->dec_state = state_max ? (void *)((char *)s + off) : NULL;
    off += media__align16(state_max);
    s->rec.ring = (int16_t *)(void *)((char *)s + off);
    s->rec.ring_cap = (size_t)max_rate * 120 / 1000;
    off += media__align16(s->rec.ring_cap * sizeof(int16_t));
    if (c.resample) {
        s->resample.rs = (media_resampler *)(void *)((char *)s + off);
        off += media__align16(sizeof(media_resampler));
        s->resample.in = (int16_t *)(void *)((char *)s + off);
        off += media__align16(MEDIA__RS_IN * sizeof(int16_t));
    }
    if (c.inband_dtmf || c.tones) {
        if (off / 16 > 0xFFFF) { MEDIA_FREE(block, c.handler.user); if (err) *err = MEDIA_ENOMEM; return NULL; }
        s->inband16 = (uint16_t)(off / 16);
    }
    s->cfg = c;
    s->now_us = c.now_us;
    s->user = c.handler.user;
    s->send = c.send;
    s->filter = c.filter;
    s->audio_in = c.handler.audio_in;
    s->audio_out = c.handler.audio_out;
    s->rx_last.pt = 255;
    s->rtp_timeout_ms = c.rtp_timeout_ms;
    for (i = 0; i < n; i++) s->codecs[i] = c.codecs ? c.codecs[i] : builtin[i]();
    s->cfg.codecs = s->codecs;
    s->cfg.codec_count = n;
    s->fd[0] = s->fd[1] = -1;
    now = media__sess_now(s);
    s->rng = c.seed ? c.seed : (now ^ ((uint64_t)(uintptr_t)s << 16) ^ media_ntp_now());
    if (!s->rng) s->rng = 0x9E3779B97F4A7C15ull;
    s->cfg.local_address = NULL;   /* (only create reads it: s->local is what it said) */
    s->local = bind_to;
    s->local_family = bind_to.family;
    if (!c.send) {
        if ((rc = media__sock_open(s)) != MEDIA_OK) goto fail;
    } else {
        s->local.port = c.port_min ? (uint16_t)((c.port_min + 1u) & ~1u) : 9;   /* 9: "discard", as WebRTC writes */
    }
    rc = MEDIA_EINVAL;
    if (c.sdp_address) {
        media_addr t;
        if (media_addr_parse(&t, c.sdp_address, 0) != MEDIA_OK ||
            media__copy_str(s->sdp_address, sizeof s->sdp_address, c.sdp_address) != MEDIA_OK) goto fail;
    } else if (!media__is_wildcard(&bind_to)) {
        if (media__copy_str(s->sdp_address, sizeof s->sdp_address, c.local_address) != MEDIA_OK) goto fail;
    } else {
        media__sock_guess_address(s->sdp_address, sizeof s->sdp_address, bind_to.family);
    }
    s->cfg.sdp_address = s->sdp_address;
    if (c.cname) {
        if (media__copy_str(s->cname, sizeof s->cname, c.cname) != MEDIA_OK) goto fail;
    } else {
        /* RFC 7022: a random CNAME per session is fine and leaks nothing */
        static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (i = 0; i < 16; i++) s->cname[i] = b64[media__rand(s) & 63];
    }
    s->cfg.cname = s->cname;
    s->ssrc = media__rand(s);
    s->seq = (uint16_t)media__rand(s);
    s->ts = media__rand(s);
    s->sdp.sess_id = media__rand(s) & 0x7FFFFFFFu;
    s->tx_pt = s->te_pt = -1;
    s->cn_level = -1;
    s->noise = media__rand(s) | 1u;
    s->rtcp.clock0 = now;
    s->rtcp.ntp0 = media_ntp_now();
    s->st.local_ssrc = s->ssrc;
    s->st.payload_type = -1;
    s->rtcp.initial = 1;
    s->rtcp.avg_size = 100;
    s->play.next_id = 1;
    if (err) *err = MEDIA_OK;
    return s;
fail:
    media__sock_close(s);
    MEDIA_FREE(s->block, c.handler.user);
    if (err) *err = rc;
    return NULL;
}

/* The encoder's state, or NULL for a codec that encodes without one. */
static void *media__enc_state(const media_session *s, const media_codec *c)
{
    return c && !(c->flags & MEDIA_CODEC_STATELESS_ENCODER) ? s->enc_state : NULL;
}

static void media__codec_drop(const media_codec *c, void *state)
{
    if (c && c->destroy && state) c->destroy(state);
}

#ifndef MEDIA_NO_STDIO
/* The recording, finished. A call that ends with the peer gone quiet (the
   RTP timeout) is recorded (received) to its last frame from a packet, not
   through the wait that found it gone. */
static int media__rec_close(media_session *s)
{
    if (s->rec_what == MEDIA_RECORD_RECEIVED && s->timed_out && s->rec.heard < s->rec.file._done)
        (void)media__wav_cut(&s->rec.file, s->rec.heard);
    return media_wav_close(&s->rec.file);
}
#endif

static void media__files_close(media_session *s)
{
#ifndef MEDIA_NO_STDIO
    int i;
    for (i = 0; i < s->nplay; i++) media_wav_close(&s->play.queue[i].f);
    s->nplay = 0;
    if (s->rec_what) { media__rec_close(s); s->rec_what = 0; }
#else
    (void)s;
#endif
}

static void media__destroy_now(media_session *s)
{
    void *user = s->user;
    media__bridge_detach(s);
    media__files_close(s);
    media__codec_drop(s->tx_codec, media__enc_state(s, s->tx_codec));
    media__codec_drop(s->rx_codec, s->dec_state);
    media__sock_close(s);
    MEDIA_FREE(s->block, user);
    (void)user;
}

MEDIADEF void media_session_destroy(media_session *s)
{
    if (!s) return;
    if (s->depth > 0) { s->destroy_pending = 1; return; }
    media__destroy_now(s);
}

/* After a public call that ran callbacks: a destroy asked for inside one happens now. */
MEDIA__HOT_TEXT static int media__leave(media_session *s, int rc)
{
    if (s->destroy_pending && s->depth == 0) media__destroy_now(s);
    return rc;
}

MEDIADEF int media_session_state_get(const media_session *s) { return s ? s->state : MEDIA_EINVAL; }

MEDIADEF int media_session_fd_get(const media_session *s, int which)
{
    if (!s || which < 0 || which > 1) return -1;
    if (which == 1 && s->negotiated && s->res.rtcp_mux) return -1;
    return s->fd[which];
}

MEDIADEF int media_session_local_addr_get(const media_session *s, media_addr *rtp)
{
    if (!s || !rtp) return MEDIA_EINVAL;
    *rtp = s->local;
    return MEDIA_OK;
}

/* ---- offer/answer ---- */

static int media__sess_select(const media_sdp_match *m, int count, int *order, void *user)
{
    media_session *s = (media_session *)user;
    int r;
    r = MEDIA__OUT_INT(s, s->cfg.handler.codec_negotiation(s, m, count, order, s->user));
    return r;
}

static void media__oa_config(media_session *s, media_sdp_oa_config *oc, const media_sdp *previous)
{
    media_sdp_oa_config_init(oc);
    oc->codecs = s->codecs;
    oc->codec_count = s->cfg.codec_count;
    oc->strategy = s->cfg.handler.codec_negotiation ? MEDIA_SDP_SELECT : s->cfg.strategy;
    oc->required = s->cfg.required;
    oc->required_count = s->cfg.required_count;
    oc->select = media__sess_select;
    oc->user = s;
    oc->direction = s->local_hold ? MEDIA_SDP_SENDONLY : MEDIA_SDP_SENDRECV;
    oc->address = s->sdp_address;
    oc->port = s->local.port;
    oc->rtcp_port = (uint16_t)(s->local.port + 1u);
    oc->rtcp_mux = s->cfg.rtcp_mux;
    oc->ptime_ms = (uint16_t)(s->cfg.ptime_ms > 65535 ? 0 : s->cfg.ptime_ms);
    oc->session_id = s->sdp.sess_id;
    oc->session_version = 1;
    oc->previous = previous;
    oc->sdes = s->cfg.sdes;
    oc->stream = s->stream;
}

/* A negotiation's SRTP outcome to the filter, before its media flows: the
   suite and the peer's key, from the peer's description (theirs), or clear
   RTP. */
static int media__sdes_keys(media_session *s, const media_sdp_result *r, const media_sdp *theirs, const media_sdp_oa_config *oc)
{
    const media_sdes *d = s->cfg.sdes;
    media_sdp_crypto_key key;
    media_sdp_crypto_params prm;
    int rc;
    if (!d || !d->keys) return MEDIA_OK;
    if (r->srtp_suite < 0) rc = d->keys(d->ctx, -1, NULL, NULL);
    else if (media_sdp_srtp_key_get(theirs, r, oc->sdes, &key, &prm) != MEDIA_OK) return MEDIA_ENEGOTIATION;
    else rc = d->keys(d->ctx, r->srtp_suite, &key, &prm);
    memset(&key, 0, sizeof key);   /* no key left on the stack */
    return MEDIA__OUT_INT(s, rc) < 0 ? MEDIA_EREJECTED : MEDIA_OK;
}

static int media__is_cn(const media_sdp_rtpmap *r)
{
    return media_sdp_span_equal(r->encoding, "CN");
}

static void media__rx_add(media__rx_map *map, int pt, int kind, uint32_t clock, const media_codec *c)
{
    int i;
    for (i = 0; i < map->n; i++) if (map->e[i].pt == pt) return;   /* the first meaning wins */
    if (map->n >= MEDIA__RX_MAP) return;
    map->e[map->n].pt = (uint8_t)pt;
    map->e[map->n].kind = (uint8_t)kind;
    map->e[map->n].clock = clock;
    map->e[map->n].codec = c;
    map->n++;
}

/* The payload types of one description's audio stream (m-line m; -1: the
   first audio one) that mean something to us. */
static void media__rx_scan(media_session *s, media__rx_map *map, const media_sdp *sdp, int m)
{
    int j;
    if (!sdp) return;
    if (m < 0 || m >= (int)sdp->media_count) m = media__sdp_audio_index(sdp, 1);
    size_t c;
    if (m < 0) return;
    for (j = 0; j < (int)sdp->media[m].fmt_count; j++) {
        media_sdp_rtpmap r;
        int pt = sdp->media[m].pt[j];
        if (media_sdp_rtpmap_get(sdp, m, pt, &r) != MEDIA_OK) continue;
        if (media__sdp_is_te(&r)) { media__rx_add(map, pt, MEDIA__RX_EVENTS, r.clock_rate, NULL); continue; }
        if (media__is_cn(&r)) { media__rx_add(map, pt, MEDIA__RX_CN, r.clock_rate, NULL); continue; }
        for (c = 0; c < s->cfg.codec_count; c++) {
            const media_codec *cd = s->codecs[c];
            if (!(cd->flags & MEDIA_CODEC_EVENTS) && media__codec_matches(cd, &r)) {
                media__rx_add(map, pt, MEDIA__RX_AUDIO, cd->clock_rate, cd);
                break;
            }
        }
    }
}

/* What the peer may send: the numbers of our description (RFC 3264 says it
   must use those), then its own numbers for the same things (known failure of
   other stacks: DTMF under the peer's own telephone-event number), and RFC
   3551's comfort noise. */
static void media__rx_build(media_session *s, media__rx_map *map, const media_sdp *ours, const media_sdp *theirs, int m)
{
    map->n = 0;
    media__rx_scan(s, map, ours, m);
    media__rx_scan(s, map, theirs, m);
    media__rx_add(map, 13, MEDIA__RX_CN, 8000, NULL);
}

/* The entry for a payload type; the last one found is kept beside the hot
   fields, where a stream of one codec finds it without reading the map. */
MEDIA__HOT_TEXT static const media__rx_entry *media__rx_find(media_session *s, int pt)
{
    int i;
    if (s->rx_last.pt == pt) return &s->rx_last;
    for (i = 0; i < s->rx_map.n; i++) {
        if (s->rx_map.e[i].pt == pt) { s->rx_last = s->rx_map.e[i]; return &s->rx_last; }
    }
    return NULL;
}

static int media__parse_local(media_session *s, media_sdp *out)
{
    return media_sdp_parse(out, s->sdp.local, s->sdp.local_len);
}

static int media__sess_sdp_out(media_session *s, char *buf, size_t cap, const media_sdp *sdp)
{
    int n = media_sdp_write(buf, cap, sdp);
    if (n < 0) return n;
    if ((size_t)n >= sizeof s->sdp.local) return MEDIA_ENOSPC;
    memcpy(s->sdp.local, buf, (size_t)n + 1);
    s->sdp.local_len = (size_t)n;
    return n;
}

static void media__tx_setup(media_session *s)
{
    uint32_t rate = s->tx_codec->sample_rate, clock = s->tx_codec->clock_rate;
    uint32_t p = s->ptime_ms;
    if (p < 10) p = 10;
    if (p > 120) p = 120;
    while (p > 10 && (uint64_t)p * rate / 1000 > MEDIA_SESSION_MAX_FRAME) p -= 10;
    s->ptime_ms = p;
    s->frame_samples = p * rate / 1000;
    s->ts_step = p * clock / 1000;
    s->tick_us = (int64_t)p * 1000;
    s->st.ptime_ms = p;
}

/* The receive statistics start over (new source or clock): keep what they counted. */
/* The loss of the source that is ending (a new SSRC, or a new clock that
   restarts the statistics), kept in the session's total. Duplicates and
   reordering are counters of rx's own that a new SSRC does not reset. */
static void media__rx_fold(media_session *s)
{
    if (!s->rx.started) return;
    s->lost_old_sources += media_rtp_stats_lost(&s->rx);
}

/* The encoder gets the peer's fmtp: what it asks of our stream (Opus: its
   bandwidth, bitrate, FEC, DTX). */
static void media__tx_codec(media_session *s, const media_codec *c, const char *remote_fmtp)
{
    if (s->tx_codec == c) return;
    media__codec_drop(s->tx_codec, media__enc_state(s, s->tx_codec));
    if (s->enc_state) memset(s->enc_state, 0, s->enc_size);
    s->tx_codec = c;
    if (c->create && !(c->flags & MEDIA_CODEC_STATELESS_ENCODER))
        (void)c->create(s->enc_state, c, remote_fmtp && *remote_fmtp ? remote_fmtp : NULL, MEDIA_CODEC_ENCODER);
}

static void media__jb_setup(media_session *s, uint32_t clock, const media_codec *c)
{
    media_jitter_config jc;
    media_jitter_config_init(&jc);
    jc.clock_rate = clock;
    jc.frame_ms = s->cfg.ptime_ms ? s->cfg.ptime_ms : 20;
    jc.min_delay_ms = s->cfg.jitter_min_delay_ms;
    /* a codec that rebuilds a loss from the next packet (Opus FEC) needs
       that packet here when the lost one is due: a frame more of delay */
    if (c && c->recover && jc.min_delay_ms < jc.frame_ms) jc.min_delay_ms = jc.frame_ms;
    jc.max_delay_ms = s->cfg.jitter_max_delay_ms;
    jc.initial_delay_ms = s->cfg.jitter_initial_delay_ms;
    jc.fixed_delay_ms = s->cfg.jitter_fixed_delay_ms;
    jc.stretch = 1;   /* every codec decodes to PCM here: media__stretch */
    if (jc.max_delay_ms && jc.max_delay_ms < jc.min_delay_ms) jc.max_delay_ms = jc.min_delay_ms;
    if (media_jitter_init(media__jb(s), &jc) == MEDIA_OK) { s->jb_ready = 1; s->jb_clock = clock; }
    if (s->rx.clock_rate != clock) {
        /* statistics restart with the clock (A.8 jitter is in its units);
           the counters of what arrived twice or out of order run on */
        uint32_t dup = s->rx.duplicates, reord = s->rx.reordered;
        media__rx_fold(s);
        media_rtp_stats_init(&s->rx, clock);
        s->rx.duplicates = dup;
        s->rx.reordered = reord;
    }
}


/* Puts a negotiation result into effect (media may be running: re-offers). */
static void media__apply(media_session *s, const media_sdp_result *r, const media__rx_map *map)
{
    media_addr rtp, rtcp;
    int dir = r->direction;
    s->res = *r;
    s->mux = r->rtcp_mux;
    s->rx_map = *map;
    s->rx_last.pt = 255;
    if (media_addr_parse(&rtp, r->remote_address, r->remote_rtp_port) == MEDIA_OK &&
        media_addr_parse(&rtcp, r->remote_rtcp_address, r->remote_rtcp_port) == MEDIA_OK && r->remote_rtp_port) {
        s->sdp_addr = media__addr_hash(&rtp);
        if (!s->remote_known || !media_addr_equal(&rtp, &s->remote_rtp) || !media_addr_equal(&rtcp, &s->remote_rtcp)) {
            s->remote_rtp = rtp;
            s->remote_rtcp = rtcp;
            s->latched = s->rtcp_latched = 0;
        }
        s->remote_known = !media__is_wildcard(&rtp);
    } else {
        s->remote_known = 0;
    }
    media__sock_connect(s);
    media__tx_codec(s, r->codec, r->remote_fmtp);
    s->tx_pt = r->payload_type;
    s->te_pt = r->telephone_event_pt;
    s->ptime_ms = (uint32_t)(r->ptime_ms > 0 ? r->ptime_ms : 20);
    media__tx_setup(s);
    s->can_send = dir == MEDIA_SDP_SENDRECV || dir == MEDIA_SDP_SENDONLY;
    s->can_recv = dir == MEDIA_SDP_SENDRECV || dir == MEDIA_SDP_RECVONLY;
    if (!s->jb_ready) media__jb_setup(s, r->codec->clock_rate, r->codec);
    s->st.codec = r->codec->name;
    s->st.payload_type = r->payload_type;
    s->negotiated = 1;
    if (s->br) s->br->mapped = s->br->rev->mapped = 0;   /* a bridge's payload map follows */
    media__update_state(s);
}

static media_sdp *media__scratch(media_session *s)
{
    (void)s;   /* (a MEDIA_MALLOC of yours may not use its user pointer) */
    return (media_sdp *)MEDIA_MALLOC(3 * sizeof(media_sdp), s->user);
}

MEDIADEF int media_session_offer_create(media_session *s, char *sdp, size_t cap)
{
    media_sdp *w;
    media_sdp_oa_config oc;
    int rc, have_prev;
    if (!s || !sdp || MEDIA__TOO_LONG(cap)) return MEDIA_EINVAL;
    if (s->terminated || s->closing || s->oa == MEDIA__OA_REMOTE_OFFER) return MEDIA_ESTATE;
    if (!(w = media__scratch(s))) return MEDIA_ENOMEM;
    have_prev = s->sdp.local_len && media__parse_local(s, &w[0]) == MEDIA_OK;
    media__oa_config(s, &oc, have_prev ? &w[0] : NULL);
    rc = media_sdp_offer_create(&w[1], &oc);
    if (rc == MEDIA_OK && s->cfg.handler.offer) {
        if (MEDIA__OUT_INT(s, s->cfg.handler.offer(s, &w[1], 1, s->user)) < 0) rc = MEDIA_EREJECTED;
    }
    if (rc == MEDIA_OK && (rc = media__sess_sdp_out(s, sdp, cap, &w[1])) >= 0) {
        s->oa = MEDIA__OA_LOCAL_OFFER;
        /* be ready for media before the answer arrives (RFC 3264 5.1) */
        if (!s->negotiated) { media__rx_build(s, &s->rx_map, &w[1], NULL, s->stream - 1); s->rx_last.pt = 255; }
        media__update_state(s);
    }
    MEDIA_FREE(w, s->user);
    return media__leave(s, rc);
}

static void media__complete(media_session *s, int rc, const media_sdp_result *r)
{
    MEDIA__CALL(s, negotiation_complete, (s, rc, rc == MEDIA_OK ? r : NULL, s->user));
}

/* the line a remote SDP failed at, quoted (up to 100 characters) */
static void media__log_sdp_line(media_session *s, const char *sdp, size_t len, int line, int rc)
{
    size_t i = 0, end;
    int at = 1;
    if (!s->cfg.handler.log) return;
    while (at < line && i < len) if (sdp[i++] == '\n') at++;
    for (end = i; end < len && end - i < 100 && sdp[end] != '\r' && sdp[end] != '\n'; end++) {}
    media__log(s, MEDIA_LOG_ERROR, -1, 0, "the remote SDP was refused at line %d (%s): %.*s", line, media_result_string(rc),
               (int)(end - i), sdp + i);
}

/* The peer's addresses must be addresses: RFC 8866 lets c= (and a=rtcp)
   carry a host name, but resolving one would block the caller's loop, so a
   name is refused with the line it is on (MEDIA_EUNSUPPORTED), never taken
   and then sent nowhere. */
static int media__remote_numeric(media_session *s, const media_sdp_result *r, const char *sdp, size_t len)
{
    media_addr a;
    const char *name;
    size_t i = 0, n;
    int line = 1;
    if (!r->accepted) return MEDIA_OK;
    if (media_addr_parse(&a, r->remote_address, 0) != MEDIA_OK) name = r->remote_address;
    else if (media_addr_parse(&a, r->remote_rtcp_address, 0) != MEDIA_OK) name = r->remote_rtcp_address;
    else return MEDIA_OK;
    n = strlen(name);
    /* the first line that names it (c= or a=rtcp), for the log */
    while (i < len) {
        size_t end = i, k;
        while (end < len && sdp[end] != '\n') end++;
        for (k = i; n && k + n <= end; k++) if (!memcmp(sdp + k, name, n)) break;
        if (n && k + n <= end && (sdp[i] == 'c' || sdp[i] == 'a')) break;
        i = end + 1;
        line++;
    }
    media__log_sdp_line(s, sdp, len, line, MEDIA_EUNSUPPORTED);
    return MEDIA_EUNSUPPORTED;
}

MEDIADEF int media_session_remote_sdp_set(media_session *s, const char *sdp, size_t len)
{
    media_sdp *w;
    media_sdp_oa_config oc;
    media_sdp_result r;
    media__rx_map map;
    int rc;
    if (!s || !sdp || MEDIA__TOO_LONG(len)) return MEDIA_EINVAL;
    if (s->terminated || s->closing || s->oa == MEDIA__OA_REMOTE_OFFER) return MEDIA_ESTATE;
    if (!(w = media__scratch(s))) return MEDIA_ENOMEM;
    /* w[0]: the peer's description, w[1]: ours before, w[2]: our answer */
    rc = media_sdp_parse(&w[0], sdp, len);
    if (rc != MEDIA_OK) media__log_sdp_line(s, sdp, len, w[0].error_line, rc);
    if (rc == MEDIA_OK && s->oa == MEDIA__OA_LOCAL_OFFER) {
        /* the answer to our offer */
        if (s->cfg.handler.answer) {
            if (MEDIA__OUT_INT(s, s->cfg.handler.answer(s, &w[0], 0, s->user)) < 0) rc = MEDIA_EREJECTED;
        }
        if (rc == MEDIA_OK && (rc = media__parse_local(s, &w[1])) == MEDIA_OK) {
            media__oa_config(s, &oc, NULL);
            rc = media_sdp_answer_process(&r, &w[1], &w[0], &oc);
            if (rc == MEDIA_OK) rc = media__remote_numeric(s, &r, sdp, len);
            if (rc == MEDIA_OK) rc = media__sdes_keys(s, &r, &w[0], &oc);
            if (rc == MEDIA_OK) {
                media__rx_build(s, &map, &w[1], &w[0], r.media_index);
                s->oa = MEDIA__OA_STABLE;   /* before apply, which derives the state from it */
                media__apply(s, &r, &map);
            }
        }
        s->oa = MEDIA__OA_STABLE;            /* refused or failed: the offer is over too */
        media__complete(s, rc, &r);
        media__update_state(s);
    } else if (rc == MEDIA_OK) {
        /* an offer: answered now, the answer handed out by answer_create */
        int have_prev = s->sdp.local_len && media__parse_local(s, &w[1]) == MEDIA_OK;
        if (s->cfg.handler.offer) {
            if (MEDIA__OUT_INT(s, s->cfg.handler.offer(s, &w[0], 0, s->user)) < 0) rc = MEDIA_EREJECTED;
        }
        if (rc == MEDIA_OK) {
            media__oa_config(s, &oc, have_prev ? &w[1] : NULL);
            rc = media_sdp_answer_create(&w[2], &w[0], &oc, &r);
            if (rc == MEDIA_OK) rc = media__remote_numeric(s, &r, sdp, len);
            if (rc == MEDIA_OK) rc = media__sdes_keys(s, &r, &w[0], &oc);
            if ((rc == MEDIA_OK || rc == MEDIA_ENEGOTIATION) && s->cfg.handler.answer) {
                if (MEDIA__OUT_INT(s, s->cfg.handler.answer(s, &w[2], 1, s->user)) < 0) rc = MEDIA_EREJECTED;
            }
        }
        if (rc == MEDIA_OK || rc == MEDIA_ENEGOTIATION) {
            char tmp[MEDIA_SESSION_SDP_SIZE];
            int n = media__sess_sdp_out(s, tmp, sizeof tmp, &w[2]);
            if (n < 0) {
                rc = n;
            } else {
                s->sdp.pending = r;
                s->sdp.pending_rc = rc;
                media__rx_build(s, &s->sdp.pending_map, &w[2], &w[0], r.media_index);
                s->oa = MEDIA__OA_REMOTE_OFFER;
                media__update_state(s);
            }
        }
    }
    if (rc == MEDIA_ENEGOTIATION) media__log(s, MEDIA_LOG_ERROR, -1, 0, "the remote SDP has no codec in common with ours");
    else if (rc == MEDIA_EREJECTED) media__log(s, MEDIA_LOG_ERROR, -1, 0, "the remote SDP was refused by the offer/answer callback");
    MEDIA_FREE(w, s->user);
    return media__leave(s, rc);
}

MEDIADEF int media_session_answer_create(media_session *s, char *sdp, size_t cap)
{
    int rc;
    if (!s || !sdp || MEDIA__TOO_LONG(cap)) return MEDIA_EINVAL;
    if (s->oa != MEDIA__OA_REMOTE_OFFER) return MEDIA_ESTATE;
    if (s->sdp.local_len + 1 > cap) return MEDIA_ENOSPC;
    memcpy(sdp, s->sdp.local, s->sdp.local_len + 1);
    s->oa = MEDIA__OA_STABLE;
    rc = s->sdp.pending_rc;
    if (rc == MEDIA_OK) media__apply(s, &s->sdp.pending, &s->sdp.pending_map);
    media__complete(s, rc, &s->sdp.pending);
    media__update_state(s);
    return media__leave(s, rc == MEDIA_OK || rc == MEDIA_ENEGOTIATION ? (int)s->sdp.local_len : rc);
}

/* ---- sending ---- */

static void media__stream_error(media_session *s, int error, uint64_t now)
{
    int act = MEDIA_ERROR_CONTINUE;
    if (error == MEDIA_ESOCKET) {
        /* one report a second at most: a dead route fails every packet */
        if (s->last_error_us && now - s->last_error_us < 1000000u) return;
        s->last_error_us = now;
    }
    if (s->cfg.handler.stream_error) {
        act = MEDIA__OUT_INT(s, s->cfg.handler.stream_error(s, error, s->user));
    }
    if (error == MEDIA_ETIMEOUT) {
        if (act == MEDIA_ERROR_RETRY) s->last_rtp_us = now;      /* report again after another timeout */
        else s->timed_out = 1;                                   /* until RTP flows again */
    }
    if (act == MEDIA_ERROR_STOP) {
        if (!s->closing) s->close_reason = error;
        s->closing = 1;
    }
}

/* The packet filter on a copy of one packet, protecting it (sending) or
   unprotecting it: its new length, or -1 when the filter refused it
   (counted and said). */
static int media__filter(media_session *s, int sending, uint8_t *pkt, size_t len, int is_rtcp, uint64_t now)
{
    size_t most = sending ? len + s->filter.overhead : len;
    int r = sending ? MEDIA__OUT_INT(s, s->filter.protect(s->filter.ctx, pkt, len, most, is_rtcp))
                    : MEDIA__OUT_INT(s, s->filter.unprotect(s->filter.ctx, pkt, len, is_rtcp));
    if (r >= 0 && (size_t)r <= most) return r;
    if (sending) s->st.protect_errors++;
    else s->st.unprotect_errors++;
    media__log(s, sending ? MEDIA_LOG_ERROR : MEDIA_LOG_WARNING, MEDIA__LOG_WIRE, now, "the packet filter refused %s %s packet (%d)",
               sending ? "to protect an" : "a received", is_rtcp ? "RTCP" : "RTP", r);
    return -1;
}

/* Everything we send goes out here: through the packet filter (cfg.filter:
   SRTP's protect), then to the transport, ours (>>sockets) or the caller's
   (cfg.send), the same way. */
MEDIA__HOT_TEXT static int media__send(media_session *s, const uint8_t *d, size_t n, int is_rtcp, uint64_t now)
{
    const media_addr *to = is_rtcp && !s->mux ? &s->remote_rtcp : &s->remote_rtp;
    uint8_t w[MEDIA_SESSION_MAX_PACKET + MEDIA_SESSION_FILTER_OVERHEAD];
    int r;
    if (!s->remote_known) return MEDIA_ESTATE;
    if (s->filter.protect) {
        if (n > MEDIA_SESSION_MAX_PACKET) return MEDIA_ENOSPC;
        memcpy(w, d, n);
        if ((r = media__filter(s, 1, w, n, is_rtcp, now)) < 0) return MEDIA_ERROR;
        d = w;
        n = (size_t)r;
    }
    if (s->send) {
        r = MEDIA__OUT_INT(s, s->send(s, d, n, is_rtcp, to, s->user)) < 0 ? MEDIA_ESOCKET : MEDIA_OK;
    } else {
        r = media__sock_send(s, is_rtcp && !s->mux, d, n, to);
    }
    if (r == MEDIA_OK) return MEDIA_OK;
    {
        int e = errno;
        char at[64];
        s->st.send_errors++;
        media__log(s, r == MEDIA_EAGAIN ? MEDIA_LOG_WARNING : MEDIA_LOG_ERROR, MEDIA__LOG_WIRE, now, "sending %s to %s: %s",
                   is_rtcp ? "RTCP" : "RTP", media__addr_text(at, sizeof at, to),
                   s->send ? "the transport's send failed" : r == MEDIA_EAGAIN ? "the socket's buffer is full: dropped"
                                                                               : media__errno_text(e));
    }
    if (r != MEDIA_EAGAIN) media__stream_error(s, MEDIA_ESOCKET, now);   /* a full socket buffer drops, no more */
    return MEDIA_ESOCKET;
}

MEDIA__HOT_TEXT static int media__send_rtp(media_session *s, int pt, int marker, uint32_t ts, const uint8_t *payload_at,
                           uint8_t *buf, size_t payload_len, uint64_t now)
{
    media_rtp_packet p;
    int n;
    memset(&p, 0, sizeof p);
    p.payload_type = (uint8_t)pt;
    p.marker = (uint8_t)marker;
    p.seq = s->seq++;
    p.timestamp = ts;
    p.ssrc = s->ssrc;
    p.payload = payload_at;
    p.payload_len = payload_len;
    n = media_rtp_write(buf, MEDIA_SESSION_MAX_PACKET, &p);
    if (n < 0) return n;
    if (!s->sending) {
        s->sending = 1;
        MEDIA__CALL(s, stream_start, (s, MEDIA_STREAM_SEND, s->user));
    }
    s->last_sent_us = now;
    if ((n = media__send(s, buf, (size_t)n, 0, now)) != MEDIA_OK) return n;
    /* what left (RFC 3550's sender's packet count): a send that failed is
       the receiver's loss, not ours to report as sent */
    s->sent_packets++;
    s->sent_bytes += payload_len;
    return MEDIA_OK;
}

/* ---- DTMF out (RFC 4733 2.5) ----
   Cfg.dtmf_duration_ms per digit (100), cfg.dtmf_gap_ms
   between digits (60); packets every ptime with the event's start timestamp,
   marker on the first, growing duration, three end packets each with its own
   sequence number, then audio again at the clock's timestamp. */

static int media__dtmf_code(char c)
{
    static const char keys[] = "0123456789*#ABCD!";
    const char *k;
    if (c >= 'a' && c <= 'd') c = (char)(c - 'a' + 'A');
    for (k = keys; *k; k++) if (*k == c) return (int)(k - keys);
    return -1;
}

/* One tick of the digit being sent: 1 when an event packet took the tick's place. */
static int media__dtmf_tick(media_session *s, uint32_t ts, uint8_t *buf, uint64_t now)
{
    uint8_t *pl = buf + MEDIA_RTP_HEADER_SIZE;
    int marker = 0;
    if (s->te_pt < 0) return 0;   /* no telephone-event: tones in the audio (media__dtmf_inband_fill) */
    if (s->dt_state == MEDIA__DT_GAP) {
        if (--s->dtmf_tx.gap > 0) return 0;
        s->dt_state = MEDIA__DT_IDLE;
    }
    if (s->dt_state == MEDIA__DT_IDLE) {
        char c;
        uint32_t rate = s->tx_codec->clock_rate;
        if (!s->dt_len) return 0;
        c = s->dtmf_tx.queue[s->dtmf_tx.head];
        s->dtmf_tx.head = (s->dtmf_tx.head + 1) % MEDIA_SESSION_DTMF_QUEUE;
        s->dt_len--;
        if (c == ',') {
            s->dt_state = MEDIA__DT_GAP;
            s->dtmf_tx.gap = (int)(500 / s->ptime_ms) + 1;
            return 0;
        }
        s->dtmf_tx.code = media__dtmf_code(c);
        s->dtmf_tx.ts = ts;
        s->dtmf_tx.dur = 0;
        s->dtmf_tx.target = (uint32_t)((uint64_t)s->cfg.dtmf_duration_ms * rate / 1000);
        if (s->dtmf_tx.target < s->ts_step) s->dtmf_tx.target = s->ts_step;
        if (s->dtmf_tx.target > 65535u - s->ts_step) s->dtmf_tx.target = 65535u - s->ts_step;   /* one segment */
        s->dt_state = MEDIA__DT_EVENT;
        s->dtmf_tx.ends = 0;
        marker = 1;
    }
    if (s->dt_state == MEDIA__DT_EVENT) {
        s->dtmf_tx.dur += s->ts_step;
        if (s->dtmf_tx.dur >= s->dtmf_tx.target) { s->dtmf_tx.dur = s->dtmf_tx.target; s->dt_state = MEDIA__DT_ENDS; }
    }
    if (s->dt_state == MEDIA__DT_ENDS && ++s->dtmf_tx.ends == 1)
        s->st.dtmf_sent++;   /* with its first end packet the peer has it whole (the repeats are for loss; a BYE may cut them) */
    pl[0] = (uint8_t)s->dtmf_tx.code;
    pl[1] = (uint8_t)((s->dt_state == MEDIA__DT_ENDS ? 0x80 : 0) | 10);   /* E bit, volume -10 dBm0 */
    pl[2] = (uint8_t)(s->dtmf_tx.dur >> 8);
    pl[3] = (uint8_t)s->dtmf_tx.dur;
    /* the end packet goes out three times, each with its own sequence number */
    (void)media__send_rtp(s, s->te_pt, marker, s->dtmf_tx.ts, pl, buf, 4, now);
    if (s->dt_state == MEDIA__DT_ENDS && s->dtmf_tx.ends >= 3) {
        s->dt_state = MEDIA__DT_GAP;
        s->dtmf_tx.gap = (int)((s->cfg.dtmf_gap_ms + s->ptime_ms - 1) / s->ptime_ms);
        if (s->dtmf_tx.gap < 1) s->dtmf_tx.gap = 1;
        s->dtmf_tx.gap++;          /* the first gap tick is consumed on entry */
    }
    return 1;
}

/* ---- playback ---- */

#ifndef MEDIA_NO_STDIO
/* Mono frames from a file (stereo mixed down). */
static int media__play_read(media__play_item *it, int16_t *dst, size_t want)
{
    int16_t tmp[512];
    size_t got = 0, i;
    int r;
    if (it->f.info.channels == 1) return media_wav_read(&it->f, dst, want);
    while (got < want) {
        size_t k = want - got > 256 ? 256 : want - got;
        r = media_wav_read(&it->f, tmp, k);
        if (r < 0) return got ? (int)got : r;
        if (r == 0) break;
        for (i = 0; i < (size_t)r; i++) dst[got + i] = (int16_t)(((int)tmp[2 * i] + tmp[2 * i + 1]) >> 1);
        got += (size_t)r;
    }
    return (int)got;
}

/* Frames at rate from the playing file through the rate converter; 0 at its end. */
static int media__play_convert(media_session *s, media__play_item *it, int16_t *dst, size_t want, uint32_t rate)
{
    size_t got = 0;
    if (s->resample.from != it->f.info.sample_rate) {
        if (media_resampler_init(s->resample.rs, it->f.info.sample_rate, rate, 1) != MEDIA_OK) return MEDIA_EUNSUPPORTED;
        s->resample.from = it->f.info.sample_rate;
        s->resample.in_pos = s->resample.in_len = s->resample.eof = 0;
        s->resample.in_total = s->resample.out_total = 0;
    }
    while (got < want) {
        size_t used = 0;
        int r;
        if (s->resample.in_pos == s->resample.in_len && !s->resample.eof) {
            r = media__play_read(it, s->resample.in, MEDIA__RS_IN);
            if (r < 0) return r;
            s->resample.in_pos = 0;
            s->resample.in_len = r;
            s->resample.in_total += (uint64_t)r;
            if (r == 0) s->resample.eof = 1;
        }
        if (s->resample.eof) {
            /* the converter holds the file's last few ms: flush them with silence */
            uint64_t due = (s->resample.in_total * rate + s->resample.rs->in_rate - 1) / s->resample.rs->in_rate;
            size_t k = want - got;
            if (s->resample.out_total >= due) break;
            if (k > due - s->resample.out_total) k = (size_t)(due - s->resample.out_total);
            r = media_resampler_process(s->resample.rs, dst + got, k, NULL, k * 8 + 64, &used);
        } else {
            r = media_resampler_process(s->resample.rs, dst + got, want - got, s->resample.in + s->resample.in_pos,
                               (size_t)(s->resample.in_len - s->resample.in_pos), &used);
            s->resample.in_pos += (int)used;
        }
        if (r < 0) return r;
        got += (size_t)r;
        s->resample.out_total += (uint64_t)r;
    }
    return (int)got;
}

static void media__play_pop(media_session *s, int result)
{
    int id = s->play.queue[0].id;
    media_wav_close(&s->play.queue[0].f);
    memmove(&s->play.queue[0], &s->play.queue[1], (size_t)(s->nplay - 1) * sizeof s->play.queue[0]);
    s->nplay--;
    s->resample.from = 0;
    MEDIA__CALL(s, play_complete, (s, id, result, s->user));
}
#endif

/* Fills pcm from the play queue; returns the samples filled (the rest is up to the caller). */
static size_t media__play_fill(media_session *s, int16_t *pcm, size_t n, uint32_t rate)
{
    size_t got = 0;
#ifndef MEDIA_NO_STDIO
    int spins = 0;
    while (got < n && s->nplay > 0 && !s->paused && spins++ < 4 * MEDIA_SESSION_PLAY_QUEUE + 8) {
        media__play_item *it = &s->play.queue[0];
        int r;
        if (it->f.info.sample_rate == rate) r = media__play_read(it, pcm + got, n - got);
        else if (s->resample.rs) r = media__play_convert(s, it, pcm + got, n - got, rate);
        else r = MEDIA_EUNSUPPORTED;
        if (r > 0) { got += (size_t)r; spins = 0; continue; }
        /* a file with no audio cannot loop: said, not waited on forever */
        if (r == 0 && it->f._end == 0 && it->left != 1) r = MEDIA_ENOTFOUND;
        if (r == 0 && it->f._end > 0 && (it->left == 0 || --it->left > 0) && media_wav_rewind(&it->f) == MEDIA_OK) {
            s->resample.in_pos = s->resample.in_len = s->resample.eof = 0;    /* the converter runs on across the loop */
            s->resample.in_total = s->resample.out_total = 0;
            continue;
        }
        media__play_pop(s, r < 0 ? r : MEDIA_OK);
    }
#else
    (void)s; (void)pcm; (void)n; (void)rate;
#endif
    return got;
}

/* ---- recording ----
   Received audio alone is written as it plays out. Beside the sent audio
   (stereo) it waits in a ring for the sending tick; the playout and the tick
   run on timers of their own, so the ring keeps a frame in hand: without it,
   every time the two swap order within a period the received side would get a
   frame of silence and lag a frame behind from then on.

   Play() takes 16-bit PCM, A-law, mu-law WAV, mono or stereo (mixed
   down), at the codec's rate, or any rate 8-48 kHz with cfg.resample = 1.
   record() writes 16-bit PCM at the codec's rate: what is received (as it
   plays out), what is sent, or both as stereo on the sending clock
   (received left, a frame behind so the two timers never shift it); the
   header is kept current every second and at destroy, so the file is always
   valid. A call that ends because the peer went quiet (the RTP timeout) is
   recorded, received alone, to its last frame from a packet: the wait that
   found the peer gone is not in the file. */

#ifndef MEDIA_NO_STDIO
/* Writes interleaved frames; a failed write ends the recording (record_complete). */
static void media__rec_write(media_session *s, const int16_t *pcm, size_t frames)
{
    int rc = media_wav_write(&s->rec.file, pcm, frames);
    if (rc < 0) {
        media_wav_close(&s->rec.file);
        s->rec_what = 0;
        MEDIA__CALL(s, record_complete, (s, rc, s->user));
    }
}

/* The oldest received sample waiting for the recording, or silence when none is. */
static int16_t media__ring_pop(media_session *s)
{
    int16_t v;
    if (!s->rec.ring_n) return 0;
    v = s->rec.ring[s->rec.ring_r];
    s->rec.ring_r = (s->rec.ring_r + 1) % s->rec.ring_cap;
    s->rec.ring_n--;
    return v;
}
#endif

/* Audio just played out. */
static void media__rec_received(media_session *s, const int16_t *pcm, size_t n)
{
#ifndef MEDIA_NO_STDIO
    size_t i;
    if (s->rec_what == MEDIA_RECORD_RECEIVED) { media__rec_write(s, pcm, n); return; }
    if (s->rec_what != MEDIA_RECORD_BOTH) return;
    for (i = 0; i < n; i++) {
        if (s->rec.ring_n == s->rec.ring_cap) { s->rec.ring_r = (s->rec.ring_r + 1) % s->rec.ring_cap; s->rec.ring_n--; }  /* oldest goes */
        s->rec.ring[(s->rec.ring_r + s->rec.ring_n) % s->rec.ring_cap] = pcm[i];
        s->rec.ring_n++;
    }
#else
    (void)s; (void)pcm; (void)n;
#endif
}

/* One sending tick: the sent frame, beside the received audio in stereo. */
static void media__record_tick(media_session *s, const int16_t *sent, size_t n)
{
#ifndef MEDIA_NO_STDIO
    int16_t buf[512];
    size_t done = 0, i;
    int take;
    if (s->rec_what == MEDIA_RECORD_SENT) { media__rec_write(s, sent, n); return; }
    if (s->rec_what != MEDIA_RECORD_BOTH) return;
    /* start taking once two frames wait, stop again (and wait) on an underrun */
    if (!s->rec.ring_primed && s->rec.ring_n >= 2 * n) s->rec.ring_primed = 1;
    else if (s->rec.ring_primed && s->rec.ring_n < n) s->rec.ring_primed = 0;
    take = s->rec.ring_primed;
    while (done < n && s->rec_what) {
        size_t k = n - done > 256 ? 256 : n - done;
        for (i = 0; i < k; i++) {
            buf[2 * i] = take ? media__ring_pop(s) : 0;
            buf[2 * i + 1] = sent[done + i];
        }
        media__rec_write(s, buf, k);
        done += k;
    }
#else
    (void)s; (void)sent; (void)n;
#endif
}

/* ---- the media tick: one outgoing frame ---- */

/* Q.23 tones in the audio for the digits queued, when the peer took no
   telephone-event: each cfg.dtmf_duration_ms of the pair (low group at
   -9 dBm0, high at -7: the usual 2 dB of pre-emphasis), then
   cfg.dtmf_gap_ms of the frames' own audio. 1 when pcm is a tone. */
static int media__dtmf_inband_fill(media_session *s, int16_t *pcm, size_t n, uint32_t rate)
{
    static const float freq[8] = { 697, 770, 852, 941, 1209, 1336, 1477, 1633 };
    static const signed char row[17] = { 3, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 0, 1, 2, 3, -1 };
    static const signed char col[17] = { 1, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 2, 3, 3, 3, 3, -1 };
    size_t i;
    if (s->dt_state == MEDIA__DT_GAP) {
        if (--s->dtmf_tx.gap > 0) return 0;
        s->dt_state = MEDIA__DT_IDLE;
    }
    if (s->dt_state == MEDIA__DT_IDLE) {
        char c;
        if (!s->dt_len) return 0;
        c = s->dtmf_tx.queue[s->dtmf_tx.head];
        s->dtmf_tx.head = (s->dtmf_tx.head + 1) % MEDIA_SESSION_DTMF_QUEUE;
        s->dt_len--;
        if (c == ',' || media__dtmf_code(c) > 15) {   /* a pause; a flash has no tone */
            s->dt_state = MEDIA__DT_GAP;
            s->dtmf_tx.gap = c == ',' ? (int)(500 / s->ptime_ms) + 1 : 1;
            return 0;
        }
        s->dtmf_tx.code = media__dtmf_code(c);
        s->dtmf_tx.dur = 0;
        s->dtmf_tx.target = (uint32_t)((uint64_t)s->cfg.dtmf_duration_ms * rate / 1000);
        s->dt_state = MEDIA__DT_EVENT;
    }
    for (i = 0; i < n; i++, s->dtmf_tx.dur++) {
        const double t = (double)s->dtmf_tx.dur / rate;
        const int code = s->dtmf_tx.code;
        pcm[i] = s->dtmf_tx.dur >= s->dtmf_tx.target ? 0 :
                 (int16_t)(8062.0 * sin(6.283185307179586 * freq[row[code]] * t) +
                           10150.0 * sin(6.283185307179586 * freq[4 + col[code]] * t));
    }
    if (s->dtmf_tx.dur >= s->dtmf_tx.target) {
        s->st.dtmf_sent++;
        s->dt_state = MEDIA__DT_GAP;
        s->dtmf_tx.gap = (int)((s->cfg.dtmf_gap_ms + s->ptime_ms - 1) / s->ptime_ms) + 1;
    }
    return 1;
}

MEDIA__HOT_TEXT static void media__tick(media_session *s, uint64_t now)
{
    int16_t pcm[MEDIA_SESSION_MAX_FRAME];
    uint8_t buf[MEDIA_SESSION_MAX_PACKET];
    size_t n = s->frame_samples, got;
    uint32_t ts = s->ts, rate = s->tx_codec->sample_rate;
    int send = s->can_send && s->remote_known && !s->closing, tone = 0;
    s->ts += s->ts_step;
    if (send && media__dtmf_tick(s, ts, buf, now)) {
        memset(pcm, 0, n * sizeof *pcm);
        media__record_tick(s, pcm, n);
        return;
    }
    if (send && s->negotiated && s->te_pt < 0 && (s->dt_len || s->dt_state != MEDIA__DT_IDLE) &&
        media__dtmf_inband_fill(s, pcm, n, rate))
        got = n, tone = 1;   /* no telephone-event: the digits go as tones (signalling: not muted) */
    else got = media__play_fill(s, pcm, n, rate);
    if (got < n && s->br && s->br->rev->from) {
        int b = media__bridge_fill(s, pcm + got, n - got, now);
        if (b < 0 && !got) {
            /* the bridge's relayed stream is what we send: nothing of ours */
            if (s->rec_what) {
                memset(pcm, 0, n * sizeof *pcm);
                media__record_tick(s, pcm, n);
            }
            return;
        }
        if (b > 0) got += (size_t)b;
    } else if (got < n && s->audio_out) {
        int r;
        r = MEDIA__OUT_INT(s, s->audio_out(s, pcm + got, n - got, rate, s->user));
        if (r > 0) got += (size_t)r > n - got ? n - got : (size_t)r;
    }
    if (got < n) memset(pcm + got, 0, (n - got) * sizeof *pcm);
    if (s->muted && !tone) memset(pcm, 0, n * sizeof *pcm);
    media__record_tick(s, pcm, n);
    if (send) {
        uint8_t *pl = buf + MEDIA_RTP_HEADER_SIZE;
        int len = s->tx_codec->encode(media__enc_state(s, s->tx_codec), pl, sizeof buf - MEDIA_RTP_HEADER_SIZE, pcm, n);
        if (len == 0) {
            /* the codec has nothing to send (DTX in silence): the timestamps
               run on, and the next packet starts a talkspurt */
            s->marker_next = 1;
            s->st.dtx_frames++;
        } else if (len > 0) {
            /* marker: the first packet of a talkspurt (RFC 3551 4.1), here the
               first after a time of not sending */
            int marker = s->marker_next || !s->sending;
            s->marker_next = 0;
            (void)media__send_rtp(s, s->tx_pt, marker, ts, pl, buf, (size_t)len, now);
        }
    } else if (s->sending) {
        s->sending = 0;
        MEDIA__CALL(s, stream_stop, (s, MEDIA_STREAM_SEND, s->user));
    }
}

/* ---- receiving ----
   Who may send is decided first ("who may send us media" below). Payload
   types mean what either description says (so DTMF under the peer's own
   telephone-event number works). RFC 4733: one dtmf callback per key press,
   at its end, with its duration; repeats, late end packets and missing
   marker bits are handled; a press whose end packets were all lost is
   reported once the peer's audio is 1 s past it and has been for 1 s (2 s
   after its last packet when nothing else comes; a sender stalled mid-press
   is waited for, its duration kept whole, even when its audio catches up
   before its events do). An RFC 4733 event is not audio: the time it covers
   plays out (audio_in) and is recorded as silence, never as the tone;
   in-band tones the peer sends as audio are heard as sent. A new SSRC that
   takes over, or a timestamp jump, restarts playout. A peer using our SSRC
   makes us take a new one (RFC 3550 8.2), once. The peer's RTCP gives RTT
   (from our own SRs only) and its view of our loss and jitter
   (media_session_stats.remote_*). Its BYE ends the receive stream
   (stream_stop) once the audio queued before it has played. */

static media__inband *media__inb(const media_session *s)
{
    return s->inband16 ? (media__inband *)(void *)((char *)s + 16u * s->inband16) : NULL;
}

/* A press heard (RFC 4733 or in the audio): reported once, a press the peer
   sent both ways (the same digit from the other source within a second
   after the first ended) only by the first. */
static void media__dtmf_press(media_session *s, char digit, uint32_t ms, int source)
{
    media__inband *ib = media__inb(s);
    if (ib) {
        uint64_t now = media__sess_now(s);
        if (ib->last_digit == digit && ib->last_source != source && now - ib->last_us < 1000000u + (uint64_t)ms * 1000u)
            return;
        ib->last_digit = digit;
        ib->last_source = (uint8_t)source;
        ib->last_us = now;
    }
    s->st.dtmf_received++;
    MEDIA__CALL(s, dtmf, (s, digit, ms, s->user));
}

/* What plays out, through the in-band detector (cfg.inband_dtmf) */
static void media__inband_hear(media_session *s, const int16_t *pcm, size_t n, uint32_t rate)
{
    media__inband *ib = media__inb(s);
    media_dtmf_digit got[4];
    int k, i;
    if (s->cfg.tones) {
        media_tone_event ev[4];
        if (ib->tones.rate != rate) (void)media_tone_detector_init(&ib->tones, rate);
        if (ib->tones.rate == rate) {
            k = media_tone_detect(&ib->tones, pcm, n, ev, 4);
            for (i = 0; i < k; i++) MEDIA__CALL(s, tone, (s, ev[i].tone, ev[i].region, s->user));
        }
    }
    if (!s->cfg.inband_dtmf) return;
    if (ib->det.rate != rate && media_dtmf_detector_init(&ib->det, rate) != MEDIA_OK) return;   /* (a rate it takes none of) */
    k = media_dtmf_detect(&ib->det, pcm, n, got, 4);
    for (i = 0; i < k; i++) media__dtmf_press(s, got[i].digit, got[i].duration_ms, MEDIA_DTMF_SOURCE_INBAND);
}

MEDIADEF int media_session_dtmf_source_get(const media_session *s)
{
    const media__inband *ib = s ? media__inb(s) : NULL;
    if (!s) return MEDIA_EINVAL;
    return ib ? ib->last_source : MEDIA_DTMF_SOURCE_RFC4733;
}

/* Reports the oldest event held and forgets it. */
static void media__dtmf_report(media_session *s)
{
    static const char keys[] = "0123456789*#ABCD!";
    media__dtmf_rx e = s->dtmf_rx.held[0];
    uint32_t ms;
    s->dtmf_rx.held[0] = s->dtmf_rx.held[1];
    s->dr_n--;
    s->dtmf_rx.done[s->dtmf_rx.done_n++ & 3] = e.ts;
    if (e.code < 0 || e.code > 16) return;               /* not a key (tones, line events) */
    ms = (uint32_t)((uint64_t)e.dur * 1000 / (e.clock ? e.clock : 8000));
    media__dtmf_press(s, keys[e.code], ms, MEDIA_DTMF_SOURCE_RFC4733);
}

/* Reports what can be, oldest first: an ended event; one whose end packets
   were all lost; one a newer event has followed for MEDIA__DTMF_REORDER_US
   without its end turning up (its end packets can arrive after the next
   press's first ones: a sender's mux releasing them late).
   Lost end packets are judged on the sender's timeline and on ours: audio
   stamped MEDIA__DTMF_LOST_US past what the event has covered says the key
   was let go, once that audio has also been arriving for MEDIA__DTMF_LOST_US.
   A sender that stalls mid-event (a loaded host, a mux holding packets)
   sends nothing, neither audio nor events, and its end packets come late
   but whole. When it resumes, its audio can come first, in a burst that
   runs past the press: audio and events are made by threads of their own
   (GStreamer's rtpdtmfmux), and the events' backlog follows a few
   milliseconds later. Only MEDIA__DTMF_QUIET_US of nothing at all ends an
   event without audio past it (a peer that sends no audio after a press,
   with VAD). Returns the time the next check is due. */
static int64_t media__dtmf_flush(media_session *s, uint64_t now)
{
    while (s->dr_n > 0 && !s->terminated) {
        media__dtmf_rx *e = &s->dtmf_rx.held[0];
        int overtaken = s->dr_n > 1 && now - s->dtmf_rx.held[1].first_us >= MEDIA__DTMF_REORDER_US;
        int32_t past = s->rx.clock_rate == e->clock && s->rx.have_transit
                           ? media_rtp_ts_diff(s->rx.last_timestamp, e->ts + e->dur) : 0;
        int passed;
        if (past <= 0) e->after = 0;
        else if (!e->after) { e->after = 1; e->after_us = now; }
        passed = e->after && now - e->after_us >= MEDIA__DTMF_LOST_US &&
                 past > (int32_t)((uint64_t)e->clock * (MEDIA__DTMF_LOST_US / 1000) / 1000);
        if (!e->ended && !overtaken && !passed && now - e->last_us < MEDIA__DTMF_QUIET_US) {
            uint64_t due = e->last_us + MEDIA__DTMF_QUIET_US;
            if (s->dr_n > 1 && s->dtmf_rx.held[1].first_us + MEDIA__DTMF_REORDER_US < due) due = s->dtmf_rx.held[1].first_us + MEDIA__DTMF_REORDER_US;
            /* (past that time, the next audio packet's poll looks again) */
            if (e->after && e->after_us + MEDIA__DTMF_LOST_US > now && e->after_us + MEDIA__DTMF_LOST_US < due)
                due = e->after_us + MEDIA__DTMF_LOST_US;
            return (int64_t)due;
        }
        media__dtmf_report(s);
    }
    return INT64_MAX;
}

/* RFC 4733: an event is its timestamp; updates grow its duration, the E bit
   ends it and is repeated. One callback per event, at its end, in the order
   the presses began. */
static void media__dtmf_in(media_session *s, const media_rtp_packet *p, uint32_t clock, uint64_t now)
{
    int code, end, i;
    uint32_t dur;
    media__dtmf_rx *e = NULL;
    if (p->payload_len < 4) { s->st.malformed_rtp++; return; }
    code = p->payload[0];
    end = p->payload[1] >> 7;
    dur = media__rd16(p->payload + 2);
    for (i = 0; i < s->dr_n; i++)
        if (s->dtmf_rx.held[i].ts == p->timestamp && s->dtmf_rx.held[i].code == code) e = &s->dtmf_rx.held[i];
    if (!e) {
        for (i = 0; i < 4 && i < s->dtmf_rx.done_n; i++)
            if (s->dtmf_rx.done[i] == p->timestamp) return;   /* a late repeat of a reported event */
        if (s->dr_n == 2) media__dtmf_report(s);         /* a third press: the oldest is over */
        e = &s->dtmf_rx.held[s->dr_n++];
        memset(e, 0, sizeof *e);
        e->ts = p->timestamp;
        e->code = code;
        e->clock = clock;
        e->first_us = now;
    }
    e->last_us = now;
    if (dur > e->dur) { e->dur = dur; e->after = 0; }   /* its end moved: audio must pass it anew */
    if (end) e->ended = 1;
    (void)media__dtmf_flush(s, now);
}

/* RFC 3550 8.2: the peer uses our SSRC. Say BYE for it and take another. */
static void media__collision(media_session *s, uint64_t now)
{
    uint8_t buf[128];
    uint32_t old = s->ssrc;
    int n;
    media_rtcp_report r;
    memset(&r, 0, sizeof r);
    r.ssrc = old;
    r.cname = s->cname;
    n = media_rtcp_report_write(buf, sizeof buf, &r);
    if (n > 0) {
        int k = media_rtcp_bye_write(buf + n, sizeof buf - (size_t)n, &old, 1, "SSRC collision");
        if (k > 0 && s->remote_known) (void)media__send(s, buf, (size_t)(n + k), 1, now);
    }
    do { s->ssrc = media__rand(s); } while (s->ssrc == old || (s->peer_known && s->ssrc == s->peer_ssrc));
    s->st.local_ssrc = s->ssrc;
    s->st.collisions++;
    s->marker_next = 1;
}

/* ---- who may send us media ----
   Four rules, for a peer nothing authenticates (SRTP is the cure; these
   keep a stranger from taking a call without it):
   - only the address the peer's SDP gave (cfg.latch, for peers behind
     NAT: else the first address to send two packets in sequence; the
     SDP's address can always take it back);
   - the stream in play is kept while it is alive: another SSRC, or a jump
     in its sequence, from the same address takes over only once it has
     been quiet for three frames (media__quiet_us) and the newcomer has sent
     MEDIA_RTP_MIN_SEQUENTIAL packets in sequence (RFC 3550 A.1's
     probation), or at once after its BYE -- a spoofer interleaving its
     packets with a live stream gets nowhere;
   - latching moves to a new address (NAT rebinding) only for the same
     SSRC continuing the stream's sequence, MEDIA__RELATCH_RUN packets in a
     row, after the latched address has gone quiet; cfg.latch =
     MEDIA_LATCH_STRICT never moves it;
   - our own SSRC from the peer makes us take a new one once (RFC 3550
     8.2); our new one coming back is our packets looped, and dropped.
   What one still can do: an attacker who sees the stream can, while it is
   stalled for three frames, take it over and hold it while it keeps
   sending. Refused packets are counted in stats.strays (or foreign). */
#define MEDIA__RELATCH_RUN 4        /* packets in a row from the new address */
#define MEDIA__RELATCH_AHEAD 256    /* how far past the stream its first sequence number may be */


/* how long the stream in play must be silent before another may take its place */
static uint64_t media__quiet_us(const media_session *s)
{
    uint32_t frame = s->ptime_ms > 20 ? s->ptime_ms : 20;
    return (uint64_t)frame * 3000u;
}

static int media__quiet(const media_session *s, uint64_t now)
{
    return s->rx_bye || now - s->last_rtp_us >= media__quiet_us(s);
}

/* The address the peer's SDP gave for RTP (the hash first: it is cheap) */
static int media__sdp_addr(const media_session *s, const media_addr *from)
{
    media_addr a;
    return media__addr_hash(from) == s->sdp_addr &&
           media_addr_parse(&a, s->res.remote_address, (uint16_t)s->res.remote_rtp_port) == MEDIA_OK &&
           media_addr_equal(&a, from);
}

/* One more packet of a would-be source (its SSRC, address and sequence):
   1 when it has sent `run` in a row and the stream in play is quiet (now:
   0 when there is none to wait for). */
static int media__candidate(media_session *s, uint32_t ssrc, uint32_t addr, uint16_t seq, int run, uint64_t now)
{
    if (s->cand_n && ssrc == s->cand_ssrc && addr == s->cand_addr && seq == s->cand_seq) {
        if (s->cand_n < 255) s->cand_n++;
    } else {
        s->cand_ssrc = ssrc;
        s->cand_addr = addr;
        s->cand_n = 1;
    }
    s->cand_seq = (uint16_t)(seq + 1);
    if (s->cand_n < run || (now && !media__quiet(s, now))) return 0;
    s->cand_n = 0;
    return 1;
}

/* Source filtering and symmetric RTP (latching). seq: the RTP packet's
   (RTCP: unused). */
MEDIA__HOT_TEXT static int media__source_ok(media_session *s, const media_addr *from, int is_rtcp, uint32_t ssrc,
                                            uint16_t seq, uint64_t now)
{
    media_addr *want;
    uint16_t ahead;
    if (!from || !s->remote_known) return 1;
    want = is_rtcp && !s->mux ? &s->remote_rtcp : &s->remote_rtp;
    if (media_addr_equal(from, want)) {
        /* the address the SDP gave is a source like any other: once it has
           sent, a stranger cannot take its place (RTP hijacking) */
        if (s->cfg.latch) { if (is_rtcp && !s->mux) s->rtcp_latched = 1; else s->latched = 1; }
        return 1;
    }
    if (!s->cfg.latch) return 0;
    if (is_rtcp) {
        /* RTCP (on its own port) from the host RTP comes from (a NAT keeps
           the address, not always the port), once RTP has latched */
        media_addr host = *from;
        host.port = s->remote_rtp.port;
        if (s->mux || !s->latched || !media_addr_equal(&host, &s->remote_rtp) ||
            (s->rtcp_latched && s->cfg.latch == MEDIA_LATCH_STRICT)) return 0;
        s->remote_rtcp = *from;
        s->rtcp_latched = 1;
        return 1;
    }
    if (!s->latched) {
        /* the first source from elsewhere than the SDP's address (which,
           unlatched, is remote_rtp, tested above): two in sequence (A.1's
           probation) before it is taken; junk or made-up SSRCs never are */
        if (!media__candidate(s, ssrc, media__addr_hash(from), seq, MEDIA_RTP_MIN_SEQUENTIAL, 0)) return 0;
    } else if (s->latched && s->cfg.latch != MEDIA_LATCH_STRICT && media__sdp_addr(s, from)) {
        /* back to the address the SDP gave: signalling vouches for it */
    } else if (s->latched) {
        /* rebinding: the same stream, continued, from elsewhere, ours quiet */
        if (s->cfg.latch == MEDIA_LATCH_STRICT || !s->peer_known || ssrc != s->peer_ssrc || !s->rx.started) return 0;
        ahead = (uint16_t)(seq - s->rx.max_seq);
        if (!(s->cand_n && ssrc == s->cand_ssrc && seq == s->cand_seq) && (ahead == 0 || ahead > MEDIA__RELATCH_AHEAD))
            return 0;
        if (!media__candidate(s, ssrc, media__addr_hash(from), seq, MEDIA__RELATCH_RUN, now)) return 0;
    }
    s->remote_rtp = *from;
    if (!s->mux && (!s->rtcp_latched || s->latched)) {
        /* its RTCP: port + 1 until some arrives (and after a rebinding,
           until RTCP comes from the new host) */
        s->remote_rtcp = *from;
        s->remote_rtcp.port = (uint16_t)(from->port + 1u);
    }
    s->latched = 1;
    return 1;
}

/* From the peer's address: the stream in play, or one that may take over. */
MEDIA__HOT_TEXT static int media__source_gate(media_session *s, const media_rtp_packet *p, const media_addr *from,
                                              uint64_t now)
{
    if (!s->peer_known || !s->rx.started) return 1;   /* the first stream */
    if (p->ssrc == s->peer_ssrc) {
        uint16_t ud = (uint16_t)(p->seq - s->rx.max_seq);
        if (s->rx.probation || ud < MEDIA_RTP_MAX_DROPOUT || ud > 65536u - MEDIA_RTP_MAX_MISORDER) return 1;
    }
    if (!media__candidate(s, p->ssrc, from ? media__addr_hash(from) : 0, p->seq, MEDIA_RTP_MIN_SEQUENTIAL, now))
        return 0;
    /* a jump in the same stream, confirmed here: A.1 restarts on this packet */
    if (p->ssrc == s->peer_ssrc) s->rx.bad_seq = p->seq;
    return 1;
}

MEDIA__HOT_TEXT static int media__rtp_in(media_session *s, const uint8_t *d, size_t len, const media_addr *from, uint64_t now)
{
    media_rtp_packet p;
    const media__rx_entry *e;
    int r;
    char at[64];
    if ((r = media_rtp_parse(&p, d, len)) != MEDIA_OK) {
        s->st.malformed_rtp++;
        media__log(s, MEDIA_LOG_WARNING, MEDIA__LOG_MALFORMED, now, "an RTP packet of %u bytes refused: %s", (unsigned)len,
                   media_result_string(r));
        return MEDIA_EPARSE;
    }
    if (!media__source_ok(s, from, 0, p.ssrc, p.seq, now)) {
        s->st.foreign++;
        media__log(s, MEDIA_LOG_WARNING, MEDIA__LOG_SOURCE, now, "RTP from %s refused: not the peer's address",
                   media__addr_text(at, sizeof at, from));
        return MEDIA_EREJECTED;
    }
    if (p.ssrc == s->ssrc) {
        if (s->rtcp.collided) {
            s->st.strays++;
            media__log(s, MEDIA_LOG_WARNING, MEDIA__LOG_SOURCE, now, "RTP with our own SSRC %08x refused: a loop",
                       (unsigned)p.ssrc);
            return MEDIA_EREJECTED;
        }
        media__collision(s, now);
        s->rtcp.collided = 1;
    }
    e = media__rx_find(s, p.payload_type);
    if (!e || (e->kind == MEDIA__RX_AUDIO && !e->codec)) {
        int handled = 0;
        if (s->cfg.handler.media_request) {
            handled = MEDIA__OUT_INT(s, s->cfg.handler.media_request(s, MEDIA_REQUEST_RTP, d, len, s->user)) > 0;
        }
        if (!handled) {
            s->st.unknown_pt++;
            media__log(s, MEDIA_LOG_WARNING, MEDIA__LOG_PT, now, "RTP with payload type %d refused: not negotiated",
                       (int)p.payload_type);
        }
        return MEDIA_ENOTFOUND;
    }
    if (!media__source_gate(s, &p, from, now)) {
        s->st.strays++;
        media__log(s, MEDIA_LOG_WARNING, MEDIA__LOG_SOURCE, now,
                   "RTP refused: SSRC %08x sequence %u is not the stream in play, which is not quiet", (unsigned)p.ssrc,
                   (unsigned)p.seq);
        return MEDIA_EREJECTED;
    }
    if (s->peer_known && p.ssrc != s->peer_ssrc && s->rx.started) {
        media__rx_fold(s);   /* a new source from the peer */
        s->st.ssrc_changes++;
    }
    s->peer_known = 1;
    s->peer_ssrc = p.ssrc;
    s->recv_packets++;
    s->recv_bytes += p.payload_len;
    s->last_rtp_us = now;
    s->timed_out = 0;
    s->rx_bye = 0;                       /* still sending after all (or a new source) */
    if (e->kind == MEDIA__RX_EVENTS) {
        /* counted for loss, but their timestamps (the event start) would wreck A.8 jitter */
        uint64_t jq = s->rx.jitter_q8, la = s->rx.last_arrival_us;
        uint32_t lt = s->rx.last_timestamp;
        int ht = s->rx.have_transit;
        (void)media_rtp_stats_update(&s->rx, &p, now);
        s->rx.jitter_q8 = jq; s->rx.last_arrival_us = la; s->rx.last_timestamp = lt; s->rx.have_transit = ht;
        media__dtmf_in(s, &p, e->clock, now);
        /* RFC 4733 senders send events instead of audio: the jitter buffer will
           call these sequence numbers lost, but they are a tone, not a loss */
        s->dtmf_rx.seq[s->dtmf_rx.seq_n++ & 15] = p.seq;
        s->in_event = 1;
        if (s->br) (void)media__bridge_rtp(s, &p, e, now);
    } else {
        int had_transit = s->rx.have_transit;
        (void)media_rtp_stats_update(&s->rx, &p, now);
        if (had_transit) {
            double j = media_rtp_stats_jitter_ms(&s->rx);
            s->jit_sum_ms += j;
            s->jit_n++;
            if (j > s->jit_max_ms) s->jit_max_ms = j;
        }
        s->in_event = 0;
        if (!(s->br && media__bridge_rtp(s, &p, e, now))) {
            if (!s->jb_ready || (e->kind == MEDIA__RX_AUDIO && e->codec->clock_rate != s->jb_clock)) {
                media__jb_setup(s, e->kind == MEDIA__RX_AUDIO ? e->codec->clock_rate : e->clock,
                                e->kind == MEDIA__RX_AUDIO ? e->codec : NULL);
            }
            r = media_jitter_put(media__jb(s), &p, now);
            (void)r;
        }
    }
    if (!s->rx_started) {
        s->rx_started = 1;
        MEDIA__CALL(s, stream_start, (s, MEDIA_STREAM_RECEIVE, s->user));
    }
    return MEDIA_OK;
}

static uint64_t media__ntp(const media_session *s, uint64_t now)
{
    /* NTP time of a moment on the session clock: wall time at create plus the
       session clock since, so a custom clock gives consistent reports */
    return s->rtcp.ntp0 + (((now - s->rtcp.clock0) << 16) / 1000000u << 16) +
           ((((now - s->rtcp.clock0) << 16) % 1000000u << 16) / 1000000u);
}

/* A report block's LSR is the middle of an SR's NTP time: one of ours (the
   last four) gives a round trip no longer than the time since we sent it
   (media_rtcp_rtt_us refuses a DLSR beyond that); any other LSR is forged
   or garbled and would make up any RTT it liked. */
static int media__our_sr(const media_session *s, uint32_t lsr)
{
    int k;
    for (k = 0; k < 4; k++) if (s->rtcp.sr_lsr[k] == lsr) return 1;
    return 0;
}

static int media__rtcp_in(media_session *s, const uint8_t *d, size_t len, const media_addr *from, uint64_t now)
{
    media_rtcp c;
    int i, k;
    char at[64];
    if ((i = media_rtcp_parse(&c, d, len, MEDIA_RTCP_REDUCED_SIZE)) < 0) {
        s->st.malformed_rtcp++;
        media__log(s, MEDIA_LOG_WARNING, MEDIA__LOG_MALFORMED, now, "an RTCP packet of %u bytes refused: %s", (unsigned)len,
                   media_result_string(i));
        return MEDIA_EPARSE;
    }
    if (!media__source_ok(s, from, 1, c.packets[0].ssrc, 0, now)) {
        s->st.foreign++;
        media__log(s, MEDIA_LOG_WARNING, MEDIA__LOG_SOURCE, now, "RTCP from %s refused: not the peer's address",
                   media__addr_text(at, sizeof at, from));
        return MEDIA_EREJECTED;
    }
    s->st.rtcp_received++;
    s->rtcp.avg_size = (double)(len + 28) / 16 + s->rtcp.avg_size * 15 / 16;   /* RFC 3550 6.3.3 */
    for (i = 0; i < (int)c.packet_count; i++) {
        const media_rtcp_packet *p = &c.packets[i];
        if (p->type == MEDIA_RTCP_SR || p->type == MEDIA_RTCP_RR) {
            if (p->ssrc == s->ssrc) {
                if (!s->rtcp.collided) { media__collision(s, now); s->rtcp.collided = 1; }   /* else: our own, looped */
                continue;
            }
            if (p->type == MEDIA_RTCP_SR && (!s->peer_known || p->ssrc == s->peer_ssrc))
                media_rtp_stats_sender_report(&s->rx, p->ntp, now);
            for (k = p->first; k < p->first + p->n; k++) {
                const media_rtcp_report_block *rb = &c.reports[k];
                uint32_t rtt;
                if (rb->ssrc != s->ssrc) continue;
                s->st.have_remote_report = 1;
                s->st.remote_fraction_lost = rb->fraction_lost;
                s->st.remote_loss_percent = rb->fraction_lost * 100.0 / 256;
                /* an encoder that adapts (Opus: FEC and bitrate) hears of it */
                if (s->tx_codec && s->tx_codec->control && media__enc_state(s, s->tx_codec))
                    (void)s->tx_codec->control(media__enc_state(s, s->tx_codec), MEDIA_CODEC_CTL_REMOTE_LOSS,
                                               (int)(rb->fraction_lost * 100 + 128) / 256);
                s->st.remote_lost = rb->cumulative_lost;
                s->st.remote_jitter_ms = s->tx_codec ? rb->jitter * 1000.0 / s->tx_codec->clock_rate : 0;
                if (rb->lsr && !media__our_sr(s, rb->lsr)) {
                    if (s->br && s->br->rev->relaying) continue;   /* the origin's SR, relayed: its round trip */
                    media__log(s, MEDIA_LOG_WARNING, MEDIA__LOG_MALFORMED, now,
                               "an RTCP report's LSR %08x matches no sender report of ours: no RTT from it", (unsigned)rb->lsr);
                } else if (media_rtcp_rtt_us(rb, media__ntp(s, now), &rtt) == MEDIA_OK) {
                    s->st.rtt_ms = rtt / 1000.0;
                    s->rtt_known = 1;
                }
            }
        } else if (p->type == MEDIA_RTCP_BYE) {
            for (k = p->first; k < p->first + p->n; k++) {
                if (s->peer_known && c.bye_ssrcs[k] == s->peer_ssrc && s->rx_started) s->rx_bye = 1;
            }
        } else if (p->type == MEDIA_RTCP_APP && s->cfg.handler.media_request) {
            (void)MEDIA__OUT_INT(s, s->cfg.handler.media_request(s, MEDIA_REQUEST_RTCP_APP, p->data, p->size, s->user));
        }
    }
    if (s->br) media__bridge_rtcp(s, &c, now);
    return MEDIA_OK;
}

/* RFC 5761 4: on a muxed port, RTCP packet types 192-223 sit where RTP has M + PT. */
static int media__is_rtcp(const uint8_t *d, size_t len)
{
    return len >= 2 && d[1] >= 192 && d[1] <= 223;
}

/* Everything that arrives comes in here, from our sockets or the caller's
   transport: RTP and RTCP told apart (RFC 5761), then through the packet
   filter (SRTP's unprotect), then parsed. */
MEDIA__HOT_TEXT static int media__datagram(media_session *s, const uint8_t *d, size_t len, int is_rtcp, const media_addr *from,
                           uint64_t now)
{
    uint8_t w[MEDIA_SESSION_MAX_PACKET];
    if (s->terminated) return MEDIA_ESTATE;
    if (!is_rtcp && media__is_rtcp(d, len)) is_rtcp = 1;
    if (s->filter.unprotect) {
        int r;
        if (len > sizeof w) { if (is_rtcp) s->st.malformed_rtcp++; else s->st.malformed_rtp++; return MEDIA_EPARSE; }
        memcpy(w, d, len);
        if ((r = media__filter(s, 0, w, len, is_rtcp, now)) < 0) return MEDIA_EREJECTED;
        d = w;
        len = (size_t)r;
    }
    return is_rtcp ? media__rtcp_in(s, d, len, from, now) : media__rtp_in(s, d, len, from, now);
}

MEDIA__HOT_TEXT MEDIADEF int media_session_receive_from(media_session *s, const uint8_t *data, size_t len, int is_rtcp,
                                        const media_addr *from)
{
    int rc;
    if (!s || (!data && len) || MEDIA__TOO_LONG(len)) return MEDIA_EINVAL;
    rc = media__datagram(s, data, len, is_rtcp, from, media__clock(s));
    return media__leave(s, rc);
}

MEDIADEF int media_session_receive(media_session *s, const uint8_t *data, size_t len, int is_rtcp)
{
    return media_session_receive_from(s, data, len, is_rtcp, NULL);
}

/* ---- bridges (media_bridge) ----
   Each direction is a media__bridge_dir: from's receive path hands it what
   from's peer sent, after every check a packet passes anyway (source,
   latching, SRTP, A.1, statistics), and to sends it as part of its own
   stream.

   Relaying (a payload both legs negotiated, at the same clock): the packet
   goes out undecoded under to's SSRC, with its sequence number and
   timestamp moved by an offset. The offset is chosen (anchored) when a new
   origin starts: the first packet, a new SSRC, a sequence jump A.1 has
   confirmed, or to having sent something of its own in between (a file,
   its own DTMF, transcoded audio). Anchoring puts the packet at to's next
   sequence number and at to's clock (never behind the last relayed
   timestamp), with the marker set, so the far side sees one stream that
   never goes back; between anchors the origin's own spacing, losses,
   reordering and silences pass through unchanged. to sends no audio of its
   own meanwhile, and its RTCP is the origin's, translated (RFC 3550 7.2):
   an SR's sender SSRC, RTP time and counts become to's, NTP time stays
   (so the far end's LSR still names the origin's SR and round trips
   measure end to end); report blocks about what to sends are turned into
   blocks about the origin's SSRC, sequence numbers moved back by the
   offset. RTCP is never copied blindly, and none flows while transcoding
   (each leg is then an endpoint with its own).

   Transcoding (AUTO when to cannot carry the payload, or TRANSCODE): from
   decodes as for itself (jitter buffer, concealment) and each frame played
   out goes, converted to to's rate, into a queue of three of to's frames
   that to's encoder takes from (oldest dropped if to falls behind).
   RFC 4733 events pass as events both ways: relayed like audio, or, while
   transcoding, sent on to's numbering from the start of each event, its
   duration rescaled to to's clock, to's audio held back until it ends. */

static int media__own_audio(const media_session *s)
{
    return (s->nplay > 0 && !s->paused) || s->dt_len > 0 || s->dt_state != MEDIA__DT_IDLE;
}

static int media__codec_same(const media_codec *a, const media_codec *b)
{
    return a == b || (a && b && a->name && b->name && media__ieqn(a->name, strlen(a->name), b->name) && a->clock_rate == b->clock_rate &&
                      a->channels == b->channels);
}

/* from's payload types that to can carry as they are */
static void media__bridge_map(media__bridge_dir *d)
{
    const media_session *a = d->from, *b = d->to;
    int i, k;
    d->mapped = 1;
    memset(d->pt_map, 255, sizeof d->pt_map);
    if (!a->negotiated || !b->negotiated || !b->tx_codec) return;
    for (i = 0; i < a->rx_map.n; i++) {
        const media__rx_entry *e = &a->rx_map.e[i];
        if (e->pt > 127) continue;
        if (e->kind == MEDIA__RX_EVENTS) {
            if (b->te_pt >= 0) d->pt_map[e->pt] = (uint8_t)b->te_pt;
        } else if (e->kind == MEDIA__RX_CN) {
            if (b->tx_codec->clock_rate == 8000 && e->clock == 8000) d->pt_map[e->pt] = 13;
        } else if (d->mode != MEDIA_BRIDGE_TRANSCODE && e->codec && e->codec->clock_rate == b->tx_codec->clock_rate) {
            for (k = 0; k < b->res.codec_count; k++)
                if (media__codec_same(b->res.codecs[k], e->codec)) { d->pt_map[e->pt] = (uint8_t)b->res.payload_types[k]; break; }
        }
    }
}

/* to goes back to its own audio: its timeline ahead of all that was relayed */
static void media__bridge_resume(media__bridge_dir *d)
{
    media_session *to = d->to;
    d->relaying = 0;
    d->anchored = 0;
    if (!to) return;
    if (d->have_out && (int32_t)(to->ts - (d->last_out_ts + to->ts_step)) < 0) to->ts = d->last_out_ts + to->ts_step;
    to->marker_next = 1;
}

/* what went out on to's stream, counted as to's own */
static void media__bridge_sent(media_session *to, const uint8_t *buf, size_t n, size_t payload_len, uint64_t now)
{
    if (media__send(to, buf, n, 0, now) != MEDIA_OK) return;
    to->sent_packets++;
    to->sent_bytes += payload_len;
    to->last_sent_us = now;
    if (!to->sending) {
        to->sending = 1;
        MEDIA__CALL(to, stream_start, (to, MEDIA_STREAM_SEND, to->user));
    }
}

static int media__bridge_can_send(const media_session *to)
{
    return to->can_send && to->remote_known && !to->closing && !to->terminated && !media__own_audio(to);
}

static int media__bridge_relay(media__bridge_dir *d, const media_rtp_packet *p, int pt, uint64_t now)
{
    media_session *to = d->to;
    uint8_t buf[MEDIA_SESSION_MAX_PACKET];
    media_rtp_packet o;
    uint16_t ahead = (uint16_t)(p->seq - d->in_seq);
    int n;
    if (!media__bridge_can_send(to)) { d->st.dropped++; return 0; }
    if (!d->anchored || p->ssrc != d->in_ssrc || to->seq != d->next_out_seq ||
        (ahead >= MEDIA_RTP_MAX_DROPOUT && ahead <= 65536u - MEDIA_RTP_MAX_MISORDER)) {
        uint32_t ts = to->ts;
        if (d->have_out) {
            if ((int32_t)(ts - (d->last_out_ts + to->ts_step)) < 0) ts = d->last_out_ts + to->ts_step;
            d->st.switches++;
        }
        d->seq_off = (uint16_t)(to->seq - p->seq);
        d->ts_off = ts - p->timestamp;
        d->in_ssrc = p->ssrc;
        d->in_seq = p->seq;
        d->next_out_seq = to->seq;
        d->anchored = d->marker = 1;
        ahead = 0;
    }
    memset(&o, 0, sizeof o);
    o.payload_type = (uint8_t)pt;
    o.marker = (uint8_t)(p->marker | d->marker);
    o.seq = (uint16_t)(p->seq + d->seq_off);
    o.timestamp = p->timestamp + d->ts_off;
    o.ssrc = to->ssrc;
    o.payload = p->payload;
    o.payload_len = p->payload_len;
    if ((n = media_rtp_write(buf, sizeof buf, &o)) < 0) { d->st.dropped++; return 0; }
    d->marker = 0;
    if (ahead < 0x8000u) {   /* the newest so far: to's numbering continues after it */
        d->in_seq = p->seq;
        d->next_out_seq = (uint16_t)(o.seq + 1u);
        to->seq = d->next_out_seq;
    }
    if (!d->have_out || (int32_t)(o.timestamp - d->last_out_ts) > 0) d->last_out_ts = o.timestamp;
    d->have_out = 1;
    d->st.relayed++;
    media__bridge_sent(to, buf, (size_t)n, p->payload_len, now);
    return 1;
}

/* an RFC 4733 packet while transcoding: on to's numbering and clock */
static void media__bridge_event(media__bridge_dir *d, const media_rtp_packet *p, int pt, uint32_t clock, uint64_t now)
{
    media_session *to = d->to;
    uint8_t buf[MEDIA_SESSION_MAX_PACKET], ev[4];
    media_rtp_packet o;
    uint32_t to_clock = to->tx_codec ? to->tx_codec->clock_rate : 8000, dur;
    int n;
    if (!media__bridge_can_send(to) || p->payload_len < 4) { d->st.dropped++; return; }
    memset(&o, 0, sizeof o);
    if (!d->ev_active || p->timestamp != d->ev_in_ts) {
        /* a new event starts at to's next frame; a packet of an older one (late) is dropped */
        if (d->ev_active && (int32_t)(p->timestamp - d->ev_in_ts) < 0) { d->st.dropped++; return; }
        d->ev_in_ts = p->timestamp;
        d->ev_out_ts = to->ts;
        d->ev_active = 1;
        o.marker = 1;
    }
    memcpy(ev, p->payload, 4);
    dur = (uint32_t)(ev[2] << 8 | ev[3]);
    if (clock && clock != to_clock) dur = (uint32_t)((uint64_t)dur * to_clock / clock);
    if (dur > 0xFFFF) dur = 0xFFFF;
    ev[2] = (uint8_t)(dur >> 8);
    ev[3] = (uint8_t)dur;
    o.payload_type = (uint8_t)pt;
    o.seq = to->seq++;
    o.timestamp = d->ev_out_ts;
    o.ssrc = to->ssrc;
    o.payload = ev;
    o.payload_len = 4;
    if ((n = media_rtp_write(buf, sizeof buf, &o)) < 0) return;
    /* to's audio waits for the end (E bit), or two frames of silence after the last packet */
    d->ev_until_us = (int64_t)now + (ev[1] & 0x80 ? 1 : 2) * to->tick_us;
    to->marker_next = 1;
    d->st.events++;
    media__bridge_sent(to, buf, (size_t)n, 4, now);
}

/* from's receive path: 1 when the packet went on (or was dropped) here, 0
   when from is to decode it (transcoding, or no bridge to speak of) */
MEDIA__HOT_TEXT static int media__bridge_rtp(media_session *s, const media_rtp_packet *p, const media__rx_entry *e, uint64_t now)
{
    media__bridge_dir *d = s->br;
    media_session *to = d->to;
    int pt, done = 1;
    if (!to) return 0;
    if (!d->mapped) media__bridge_map(d);
    pt = d->pt_map[p->payload_type & 127];
    s->depth++;   /* to's callbacks may destroy either session: not under our feet */
    to->depth++;
    if (e->kind == MEDIA__RX_EVENTS) {
        if (pt == 255) d->st.dropped++;
        else if (d->relaying) d->st.events += (uint64_t)media__bridge_relay(d, p, pt, now);
        else media__bridge_event(d, p, pt, e->clock, now);
    } else if (pt != 255 && (e->kind != MEDIA__RX_CN || d->relaying)) {
        if (!d->relaying) {
            /* from here on undecoded: what the buffer holds is not played */
            d->relaying = 1;
            d->transcoding = 0;
            d->anchored = 0;
            if (s->jb_ready) media_jitter_reset(media__jb(s));
        }
        (void)media__bridge_relay(d, p, pt, now);
    } else if (d->mode == MEDIA_BRIDGE_RELAY && e->kind != MEDIA__RX_CN) {
        d->st.dropped++;
    } else {
        if (d->relaying) media__bridge_resume(d);
        d->transcoding = 1;
        done = 0;
    }
    to->depth--;
    s->depth--;
    (void)media__leave(to, 0);
    return done;
}

/* the queue for to's encoder: three of its frames */
static uint32_t media__bridge_cap(const media_session *to)
{
    return 3 * to->frame_samples > MEDIA__BRIDGE_QUEUE ? MEDIA__BRIDGE_QUEUE : 3 * to->frame_samples;
}

/* a frame from's playout made: queued for to's encoder */
static void media__bridge_pcm(media_session *s, const int16_t *pcm, size_t n, uint32_t rate)
{
    media__bridge_dir *d = s->br;
    const media_session *to = d->to;
    uint32_t cap, out_rate;
    if (!to || !d->transcoding || !to->tx_codec) return;
    out_rate = to->tx_codec->sample_rate;
    cap = media__bridge_cap(to);
    if (d->q_count > cap) d->q_count = cap;
    d->st.transcoded++;
    if (rate == out_rate) {
        d->st.queue_dropped += media__ring_push(d->q, cap, &d->q_head, &d->q_count, pcm, (uint32_t)n);
        return;
    }
    if ((d->rs.in_rate != rate || d->rs.out_rate != out_rate) && media_resampler_init(&d->rs, rate, out_rate, 1) != MEDIA_OK)
        return;
    d->st.queue_dropped += media__ring_push_converted(&d->rs, d->q, cap, &d->q_head, &d->q_count, pcm, n);
}

/* to's tick: -1 when it sends nothing of its own now (the relayed stream
   or an event is what goes out), else how much decoded audio it took */
static int media__bridge_fill(media_session *to, int16_t *pcm, size_t n, uint64_t now)
{
    media__bridge_dir *d = to->br->rev;
    size_t got = 0;
    if (!d->from) return 0;
    if (d->relaying || (int64_t)now < d->ev_until_us) return -1;
    while (got < n && d->q_count > 0) {
        const uint32_t cap = media__bridge_cap(to);
        uint32_t run = cap - d->q_head < d->q_count ? cap - d->q_head : d->q_count;
        if (d->q_head >= cap) { d->q_head = 0; continue; }   /* to's frame shrank: start the ring over */
        if (run > n - got) run = (uint32_t)(n - got);
        memcpy(pcm + got, d->q + d->q_head, run * sizeof *pcm);
        got += run;
        d->q_head = (d->q_head + run) % cap;
        d->q_count -= run;
    }
    return (int)got;
}

/* from's peer's RTCP, translated onto to's leg while either way relays */
static void media__bridge_rtcp(media_session *s, const media_rtcp *c, uint64_t now)
{
    media__bridge_dir *out = s->br, *in = s->br->rev;
    media_session *to = out ? out->to : NULL;
    const media_rtcp_packet *p = NULL;
    media_rtcp_report r;
    media_rtcp_report_block rb[31];
    uint8_t buf[1024];
    int i, k, nb = 0, n;
    if (!to || !to->remote_known || to->closing || to->terminated) return;
    if (!out->relaying && !(in && in->relaying)) return;
    for (i = 0; i < (int)c->packet_count && !p; i++)
        if ((c->packets[i].type == MEDIA_RTCP_SR || c->packets[i].type == MEDIA_RTCP_RR) && c->packets[i].ssrc != s->ssrc)
            p = &c->packets[i];
    if (!p) return;
    memset(&r, 0, sizeof r);
    r.ssrc = to->ssrc;
    r.cname = to->cname;
    if (p->type == MEDIA_RTCP_SR && out->relaying && out->anchored && p->ssrc == out->in_ssrc) {
        r.is_sender = 1;
        r.ntp = p->ntp;
        r.rtp_timestamp = p->rtp_timestamp + out->ts_off;
        r.packet_count = (uint32_t)to->sent_packets;
        r.octet_count = (uint32_t)to->sent_bytes;
    }
    if (in && in->relaying && in->anchored) {
        for (k = p->first; k < p->first + p->n && nb < 31; k++) {
            if (c->reports[k].ssrc != s->ssrc) continue;
            rb[nb] = c->reports[k];
            rb[nb].ssrc = in->in_ssrc;
            rb[nb].highest_seq = c->reports[k].highest_seq - in->seq_off;
            nb++;
        }
    }
    if (!r.is_sender && !nb) return;
    r.blocks = rb;
    r.block_count = (size_t)nb;
    if ((n = media_rtcp_report_write(buf, sizeof buf, &r)) < 0) return;
    if (media__send(to, buf, (size_t)n, 1, now) == MEDIA_OK) {
        to->st.rtcp_sent++;
        out->st.rtcp++;
    }
}

static void media__bridge_detach(media_session *s)
{
    if (!s->br) return;
    s->br->from = NULL;
    s->br->rev->to = NULL;
    s->br = NULL;
}

MEDIADEF void media_bridge_config_init(media_bridge_config *cfg)
{
    if (!cfg) return;
    memset(cfg, 0, sizeof *cfg);
    cfg->mode = MEDIA_BRIDGE_AUTO;
    cfg->_initialised = MEDIA__CONFIG_INITIALISED;
}

struct media_bridge {
    media__bridge_dir dir[2];
    void *user;                          /* the allocator's */
};

MEDIADEF media_bridge *media_bridge_create(media_session *a, media_session *b, const media_bridge_config *cfg, int *err)
{
    media_bridge_config d;
    media_bridge *br;
    int k;
    if (err) *err = MEDIA_OK;
    if (!cfg) { media_bridge_config_init(&d); cfg = &d; }
    if (!a || !b || a == b || cfg->_initialised != MEDIA__CONFIG_INITIALISED || cfg->mode < MEDIA_BRIDGE_AUTO ||
        cfg->mode > MEDIA_BRIDGE_TRANSCODE) {
        if (err) *err = MEDIA_EINVAL;
        return NULL;
    }
    if (a->br || b->br || a->terminated || b->terminated) {
        if (err) *err = MEDIA_ESTATE;
        return NULL;
    }
    br = (media_bridge *)MEDIA_MALLOC(sizeof *br, a->user);
    if (!br) { if (err) *err = MEDIA_ENOMEM; return NULL; }
    memset(br, 0, sizeof *br);
    br->user = a->user;
    for (k = 0; k < 2; k++) {
        media__bridge_dir *dd = &br->dir[k];
        dd->from = k ? b : a;
        dd->to = k ? a : b;
        dd->mode = (uint8_t)cfg->mode;
        dd->rev = &br->dir[!k];
        dd->from->br = dd;
    }
    return br;
}

MEDIADEF void media_bridge_destroy(media_bridge *br)
{
    int k;
    if (!br) return;
    for (k = 0; k < 2; k++) {
        media__bridge_dir *d = &br->dir[k];
        if (d->relaying) media__bridge_resume(d);
        if (d->from) d->from->br = NULL;
    }
    MEDIA_FREE(br, br->user);
}

MEDIADEF int media_bridge_stats_get(const media_bridge *br, int from, media_bridge_stats *st)
{
    if (!br || from < 0 || from > 1 || !st) return MEDIA_EINVAL;
    *st = br->dir[from].st;
    st->relaying = br->dir[from].relaying;
    return MEDIA_OK;
}

/* >>sockets implementation ------------------------------------------------
   The session's own UDP sockets, all of the POSIX socket code in one place,
   behind the seam a custom transport (cfg.send + media_session_receive)
   uses too: open the RTP/RTCP pair, connect it to the peer, send one
   datagram (MEDIA_OK, MEDIA_EAGAIN when the socket's buffer is full: that
   packet is dropped, counted, no error; MEDIA_ESOCKET), drain what arrived
   into media__datagram(), close. Above this seam, media__send() and
   media__datagram() put the packet filter (SRTP) between the session and
   either transport. Another platform's sockets replace this section;
   MEDIA_NO_SOCKETS leaves only the stubs at its end. */

#ifndef MEDIA_NO_SOCKETS
static socklen_t media__to_sockaddr(struct sockaddr_storage *ss, const media_addr *a, int sock_family)
{
    memset(ss, 0, sizeof *ss);
    if (sock_family == 4) {
        struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
        if (a->family != 4) return 0;
        v4->sin_family = AF_INET;
        v4->sin_port = htons(a->port);
        memcpy(&v4->sin_addr, a->ip, 4);
        return (socklen_t)sizeof *v4;
    } else {
        struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(a->port);
        if (a->family == 4) {                       /* dual-stack socket: IPv4-mapped */
            memcpy(v6->sin6_addr.s6_addr, media__v4mapped, 12);
            memcpy(v6->sin6_addr.s6_addr + 12, a->ip, 4);
        } else {
            memcpy(v6->sin6_addr.s6_addr, a->ip, 16);
        }
        return (socklen_t)sizeof *v6;
    }
}

static void media__from_sockaddr(media_addr *a, const struct sockaddr_storage *ss)
{
    memset(a, 0, sizeof *a);
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)ss;
        a->family = 4;
        a->port = ntohs(v4->sin_port);
        memcpy(a->ip, &v4->sin_addr, 4);
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)ss;
        a->family = 6;
        a->port = ntohs(v6->sin6_port);
        memcpy(a->ip, v6->sin6_addr.s6_addr, 16);
        media__addr_unmap(a);
    }
}

static int media__udp_open(const media_addr *bind_to, uint16_t port)
{
    struct sockaddr_storage ss;
    media_addr a = *bind_to;
    socklen_t len;
    int fd, fl, fam = bind_to->family == 4 ? AF_INET : AF_INET6;
    fd = socket(fam, SOCK_DGRAM, 0);
    if (fd < 0) return -1;
    if (fam == AF_INET6) {
        int only = 0;   /* "::" takes IPv4 peers too */
        (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &only, sizeof only);
    }
    fl = fcntl(fd, F_GETFL, 0);
    a.port = port;
    len = media__to_sockaddr(&ss, &a, bind_to->family);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 ||
        bind(fd, (struct sockaddr *)&ss, len) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static uint16_t media__udp_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = (socklen_t)sizeof ss;
    media_addr a;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0) return 0;
    media__from_sockaddr(&a, &ss);
    return a.port;
}

/* An even RTP port with RTCP on the next one (RFC 3550 11), from the range or
   from the kernel's ephemeral ports. */
static int media__sock_open(media_session *s)
{
    const media_session_config *c = &s->cfg;
    int tries;
    if (c->port_min == 0) {
        for (tries = 0; tries < 64; tries++) {
            uint16_t p;
            s->fd[0] = media__udp_open(&s->local, 0);
            if (s->fd[0] < 0) return MEDIA_ESOCKET;
            p = media__udp_port(s->fd[0]);
            if (p && !(p & 1u) && p < 65535 && (s->fd[1] = media__udp_open(&s->local, (uint16_t)(p + 1))) >= 0) {
                s->local.port = p;
                return MEDIA_OK;
            }
            close(s->fd[0]);
            s->fd[0] = -1;
        }
        return MEDIA_ESOCKET;
    } else {
        /* one port given (or the same twice): that RTP port, RTCP on the next */
        uint32_t lo = (c->port_min + 1u) & ~1u, hi = c->port_max > c->port_min ? c->port_max : lo + 1;
        uint32_t n, i, first;
        if (hi < lo + 1) return MEDIA_EINVAL;
        n = (hi - lo + 1) / 2;
        first = media__rand(s) % n;   /* random start: two sessions created together do not race */
        for (i = 0; i < n; i++) {
            uint16_t p = (uint16_t)(lo + 2 * ((first + i) % n));
            if ((s->fd[0] = media__udp_open(&s->local, p)) < 0) continue;
            if ((s->fd[1] = media__udp_open(&s->local, (uint16_t)(p + 1))) >= 0) {
                s->local.port = p;
                return MEDIA_OK;
            }
            close(s->fd[0]);
            s->fd[0] = -1;
        }
        return MEDIA_ESOCKET;
    }
}

/* The address a wildcard-bound socket would use towards the world, found by
   connecting a UDP socket (nothing is sent); loopback when there is no route. */
static void media__sock_guess_address(char *out, size_t cap, int family)
{
    media_addr probe, got;
    struct sockaddr_storage ss;
    socklen_t len;
    int fd = socket(family == 4 ? AF_INET : AF_INET6, SOCK_DGRAM, 0);
    media_addr_parse(&probe, family == 4 ? "192.0.2.1" : "2001:db8::1", 9);
    if (fd >= 0) {
        len = media__to_sockaddr(&ss, &probe, family);
        if (connect(fd, (struct sockaddr *)&ss, len) == 0) {
            len = (socklen_t)sizeof ss;
            if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0) {
                media__from_sockaddr(&got, &ss);
                if (got.family == family && media_addr_string(out, cap, &got) > 0) { close(fd); return; }
            }
        }
        close(fd);
    }
    (void)media__copy_str(out, cap, family == 4 ? "127.0.0.1" : "::1");
}

static void media__sock_close(media_session *s)
{
    if (s->fd[0] >= 0) close(s->fd[0]);
    if (s->fd[1] >= 0) close(s->fd[1]);
    s->fd[0] = s->fd[1] = -1;
}

/* With the peer's addresses fixed by its SDP (no latching), our sockets are
   connected to them: the kernel drops other sources before they cost us a
   wake-up, and send() skips the route lookup sendto() makes per packet. A
   new address (a re-offer) connects again; latching or no address undoes it. */
static void media__sock_connect(media_session *s)
{
    int k;
    for (k = 0; k < 2; k++) {
        struct sockaddr_storage ss;
        socklen_t len = 0;
        if (s->fd[k] < 0) continue;
        if (s->remote_known && !s->cfg.latch && !(k == 1 && s->mux))
            len = media__to_sockaddr(&ss, k ? &s->remote_rtcp : &s->remote_rtp, s->local_family);
        if (len && connect(s->fd[k], (struct sockaddr *)&ss, len) == 0) {
            s->connected |= (uint8_t)(1u << k);
        } else if (s->connected & (1u << k)) {
            struct sockaddr none;   /* AF_UNSPEC dissolves the association, the binding stays */
            memset(&none, 0, sizeof none);
            none.sa_family = AF_UNSPEC;
            (void)connect(s->fd[k], &none, sizeof none);
            s->connected &= (uint8_t)~(1u << k);
        }
    }
}

MEDIA__HOT_TEXT static int media__sock_send(media_session *s, int which, const uint8_t *d, size_t n, const media_addr *to)
{
    int fd = s->fd[which], refused = 0;
    ssize_t k;
    for (;;) {
        if (s->connected & (1u << which)) {
            k = send(fd, d, n, 0);
        } else {
            struct sockaddr_storage ss;
            socklen_t len = media__to_sockaddr(&ss, to, s->local_family);
            if (!len) return MEDIA_ESOCKET;   /* an IPv6 peer for an IPv4 socket: no packet can reach it */
            k = sendto(fd, d, n, 0, (struct sockaddr *)&ss, len);
        }
        if (k >= 0) return MEDIA_OK;
        if (errno == EINTR) continue;
        /* a connected socket reports the ICMP port unreachable an earlier
           packet met on its next call, once: counted, and this one resent */
        if (errno == ECONNREFUSED && !refused++) { s->st.unreachable++; continue; }
        return errno == EAGAIN || errno == EWOULDBLOCK ? MEDIA_EAGAIN : MEDIA_ESOCKET;
    }
}

MEDIA__HOT_TEXT static void media__sock_drain(media_session *s, int which, int max, uint64_t now)
{
    uint8_t buf[MEDIA_SESSION_MAX_PACKET + 1];
    int k;
    if (s->fd[which] < 0) return;
    for (k = 0; k < max && !s->terminated; k++) {   /* bounded: a flood cannot hold the loop */
        struct sockaddr_storage ss;
        socklen_t sl = (socklen_t)sizeof ss;
        media_addr from;
        /* connected: only the peer's datagrams get here, its address known */
        int conn = (s->connected >> which) & 1;
        ssize_t n = conn ? recv(s->fd[which], buf, sizeof buf, 0)
                         : recvfrom(s->fd[which], buf, sizeof buf, 0, (struct sockaddr *)&ss, &sl);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == ECONNREFUSED) { s->st.unreachable++; continue; }   /* (see media__send) */
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                int e = errno;
                s->st.receive_errors++;
                media__log(s, MEDIA_LOG_ERROR, MEDIA__LOG_WIRE, now, "receiving on the %s socket: %s", which ? "RTCP" : "RTP",
                           media__errno_text(e));
                media__stream_error(s, MEDIA_ESOCKET, now);
            }
            return;
        }
        if ((size_t)n > MEDIA_SESSION_MAX_PACKET) {   /* cut short: cannot be parsed honestly */
            if (which) s->st.malformed_rtcp++; else s->st.malformed_rtp++;
            continue;
        }
        if (!conn) media__from_sockaddr(&from, &ss);
        (void)media__datagram(s, buf, (size_t)n, which, conn ? NULL : &from, now);
    }
}

#else /* MEDIA_NO_SOCKETS: a custom transport only */
static int media__sock_open(media_session *s) { (void)s; return MEDIA_EUNSUPPORTED; }
static void media__sock_close(media_session *s) { (void)s; }
static void media__sock_connect(media_session *s) { (void)s; }
static int media__sock_send(media_session *s, int which, const uint8_t *d, size_t n, const media_addr *to)
{
    (void)s; (void)which; (void)d; (void)n; (void)to;
    return MEDIA_EUNSUPPORTED;
}
static void media__sock_drain(media_session *s, int which, int max, uint64_t now) { (void)s; (void)which; (void)max; (void)now; }
static void media__sock_guess_address(char *out, size_t cap, int family)
{
    (void)media__copy_str(out, cap, family == 4 ? "127.0.0.1" : "::1");
}
#endif /* MEDIA_NO_SOCKETS */


/* ---- playout ---- */

/* RFC 3389 comfort noise at -level dBov (0 dBov: a full-scale sine). The
   spectral envelope, when sent, is not followed: white noise at the level. */
static void media__noise(media_session *s, int16_t *pcm, size_t n)
{
    double rms = 23170.0 * pow(10.0, -s->cn_level / 20.0);
    int32_t a = (int32_t)(rms * 1.7320508 + 0.5);   /* uniform noise: peak = rms x sqrt(3) */
    size_t i;
    for (i = 0; i < n; i++) {
        s->noise = s->noise * 1664525u + 1013904223u;
        pcm[i] = (int16_t)(((int64_t)(int32_t)(s->noise >> 16 & 0xFFFF) - 32768) * a / 32768);
    }
}

MEDIA__HOT_TEXT static int media__rx_codec(media_session *s, const media_codec *c)
{
    if (s->rx_codec == c) return MEDIA_OK;
    media__codec_drop(s->rx_codec, s->dec_state);
    if (s->dec_state) memset(s->dec_state, 0, s->state_size);
    s->rx_codec = c;
    s->lazy_n = 0;
    s->plc_clean = 1;
    if (media_stretch_init(&s->stretch, c->sample_rate) != MEDIA_OK) s->stretch.rate = 0;
    return c->create ? c->create(s->dec_state, c, NULL, MEDIA_CODEC_DECODER) : MEDIA_OK;
}

MEDIA__HOT_TEXT static void media__deliver(media_session *s, int16_t *pcm, size_t n, uint32_t rate)
{
    if (s->local_hold) memset(pcm, 0, n * sizeof *pcm);   /* on hold we do not listen */
    media__rec_received(s, pcm, n);
    if (s->audio_in) {
        MEDIA__OUT(s, s->audio_in(s, pcm, n, rate, s->user));
    }
    if (s->br) media__bridge_pcm(s, pcm, n, rate);
    if (s->inband16) media__inband_hear(s, pcm, n, rate);
}

/* what the recording holds up to the last frame that came from a packet */
static void media__heard(media_session *s)
{
#ifndef MEDIA_NO_STDIO
    if (s->rec_what == MEDIA_RECORD_RECEIVED) s->rec.heard = (uint32_t)s->rec.file._done;
#else
    (void)s;
#endif
}

static int media__was_event(const media_session *s, uint16_t seq)
{
    int i;
    for (i = 0; i < 16 && i < s->dtmf_rx.seq_n; i++) if (s->dtmf_rx.seq[i] == seq) return 1;
    return 0;
}

static int64_t media__min(int64_t a, int64_t b) { return a < b ? a : b; }

/* G.711's concealment keeps the last 48.75 ms it heard (Appendix I), which
   would cost every frame a 320-byte copy into lines gone cold by the next
   frame. The payloads are still in the jitter buffer after playout, so for a
   codec that says its history can be rebuilt from them
   (MEDIA_CODEC_HISTORY_FROM_PAYLOADS), while its frames play in an unbroken
   run (consecutive, no seam, nothing to blend) only the run's end is noted,
   and the history is brought up to date from the buffer when concealment is
   next used or the run breaks: the same samples, so the same concealment. */
static int media__lazy_fits(const media_session *s, const media_codec *c, const media_jitter_frame *f, uint32_t eseq)
{
    return (c->flags & MEDIA_CODEC_HISTORY_FROM_PAYLOADS) && s->plc_clean && s->dec_state &&
           !(f->flags & (MEDIA_JITTER_TALKSPURT | MEDIA_JITTER_DISCONTINUITY)) &&
           (s->lazy_n == 0 || eseq == s->lazy_end + 1u) && s->lazy_n < 0xFFFF;
}

/* The run's frames into the codec's history: the newest that cover
   MEDIA_CODEC_HISTORY_MS, all of them when fewer. A payload the buffer no
   longer holds (one kept nearly full writes over them) ends what can be
   rebuilt: the history then starts afresh after it. */
static MEDIA__NOINLINE void media__plc_catch_up(media_session *s)
{
    const media_jitter *jb = media__jb(s);
    const media_codec *c = s->rx_codec;
    media_jitter_frame f;
    int16_t pcm[MEDIA_SESSION_MAX_FRAME];
    uint32_t clock = s->jb_clock ? s->jb_clock : c->clock_rate;
    uint64_t need = (uint64_t)clock * MEDIA_CODEC_HISTORY_MS / 1000, got = 0;
    uint32_t k, n = s->lazy_n;
    s->lazy_n = 0;
    for (k = 0; k < n && got < need; k++) {
        if (media_jitter_played_get(jb, (uint16_t)(s->lazy_end - k), &f) != MEDIA_JITTER_FRAME) break;
        got += f.samples;
    }
    if (k < n && got < need) {   /* older history is not what was heard */
        media__codec_drop(c, s->dec_state);
        memset(s->dec_state, 0, s->state_size);
        if (c->create) (void)c->create(s->dec_state, c, NULL, MEDIA_CODEC_DECODER);
    }
    while (k-- > 0)
        if (media_jitter_played_get(jb, (uint16_t)(s->lazy_end - k), &f) == MEDIA_JITTER_FRAME)
            (void)c->decode(s->dec_state, pcm, MEDIA_SESSION_MAX_FRAME, f.payload, f.len);
}

/* The buffer asks for a frame r samples long to be lengthened or shortened
   (f->stretch RTP units at most) to move the delay: a pitch period, when
   the frame has one, and the buffer is told what was done. */
static MEDIA__NOINLINE int media__stretch(media_session *s, int16_t *pcm, int r, size_t cap, const media_jitter_frame *f,
                                          uint32_t rate, uint32_t clock)
{
    const media_stretch *ts = &s->stretch;
    int want = (int)((int64_t)f->stretch * (int64_t)rate / (int64_t)clock), n;
    if (ts->rate != rate || r <= 0) return r;
    n = media_stretch_request(ts, pcm, (size_t)r, cap, want);
    if (n <= 0 || n == r) return r;
    (void)media_jitter_stretched(media__jb(s), (int32_t)((int64_t)(n - r) * (int64_t)clock / (int64_t)rate));
    return n;
}

/* Plays out what the jitter buffer has due: decode, conceal or comfort noise. */
MEDIA__HOT_TEXT static void media__playout(media_session *s, uint64_t now)
{
    int16_t pcm[MEDIA_SESSION_MAX_FRAME + MEDIA_SESSION_MAX_FRAME / 4];   /* room to lengthen by 15 ms */
    media_jitter_frame f;
    int kind, tone, guard = 0;
    if (!s->jb_ready) return;
    /* each frame is asked for at its own due time, not at the (later) tick
       that plays it: the buffer judges its delay by when it is asked */
    while (guard++ < 64 &&
           (kind = media_jitter_get(media__jb(s), (uint64_t)media__min(media__jb(s)->next_play_us, (int64_t)now), &f)) !=
               MEDIA_JITTER_NONE) {
        const media__rx_entry *e = kind == MEDIA_JITTER_FRAME ? media__rx_find(s, f.payload_type) : NULL;
        const media_codec *c;
        uint32_t rate, clock;
        size_t n, left;
        if (e && e->kind == MEDIA__RX_CN) {
            s->cn_level = (int8_t)(f.len ? (f.payload[0] & 0x7F) : 127);
            kind = MEDIA_JITTER_GAP;
        } else if (e && e->codec) {
            if (media__rx_codec(s, e->codec) != MEDIA_OK) kind = MEDIA_JITTER_LOST;
        } else if (kind == MEDIA_JITTER_FRAME) {
            kind = MEDIA_JITTER_LOST;   /* renegotiated away while queued */
        }
        if (!s->rx_codec) {
            if (!s->tx_codec) continue;
            (void)media__rx_codec(s, s->tx_codec);
        }
        c = s->rx_codec;
        rate = c->sample_rate;
        clock = s->jb_clock ? s->jb_clock : c->clock_rate;
        n = (size_t)((uint64_t)f.samples * rate / clock);
        if (kind == MEDIA_JITTER_FRAME) {
            int r;
            uint32_t eseq = media__jb(s)->play_seq - 1u;
            if (media__lazy_fits(s, c, &f, eseq) &&
                (r = c->decode(NULL, pcm, MEDIA_SESSION_MAX_FRAME, f.payload, f.len)) >= 0) {   /* history kept for later */
                s->lazy_end = eseq;
                s->lazy_n++;
            } else {
                if (s->lazy_n) media__plc_catch_up(s);
                if (f.flags & MEDIA_JITTER_DISCONTINUITY) (void)c->conceal(s->dec_state, pcm, 0);
                r = c->decode(s->dec_state, pcm, MEDIA_SESSION_MAX_FRAME, f.payload, f.len);
                s->plc_clean = 1;   /* a good frame took any blend */
            }
            s->cn_level = -1;
            /* unless the buffer found the gap in sequence: silence (DTX, VAD) */
            if (s->gap_run) {   /* (the buffer's statistics are a cold line: only read after a gap) */
                if ((uint32_t)media__jb(s)->st.silence - s->gap_silence0 < s->gap_run)
                    s->concealed += (uint64_t)(s->gap_run < MEDIA__GAP_CONCEALED ? s->gap_run : MEDIA__GAP_CONCEALED);
                s->gap_run = 0;
            }
            if (r >= 0) {
                if (f.flags & MEDIA_JITTER_STRETCH) r = media__stretch(s, pcm, r, sizeof pcm / sizeof pcm[0], &f, rate, clock);
                media__deliver(s, pcm, (size_t)r, rate);
                media__heard(s);
                continue;
            }
            kind = MEDIA_JITTER_LOST;
        }
        /* time the peer spent sending RFC 4733 events is a tone, not a loss: silence */
        tone = (kind == MEDIA_JITTER_LOST && media__was_event(s, f.seq)) || (kind == MEDIA_JITTER_GAP && s->in_event);
        /* a short gap between audio frames is packets not there in time (their
           loss not known yet): concealed like losses, counted when audio
           resumes (a stream that ends in a gap was not concealing) */
        if (kind == MEDIA_JITTER_LOST && !tone) {
            s->concealed++;
            /* a lost packet whose successor is here: its in-band FEC (Opus)
               rebuilds it better than concealment would */
            if (c->recover && !(f.flags & MEDIA_JITTER_INSERTED) && n <= MEDIA_SESSION_MAX_FRAME) {
                media_jitter_frame nx;
                const media__rx_entry *ne;
                if (media_jitter_peek(media__jb(s), &nx) == MEDIA_JITTER_FRAME && (ne = media__rx_find(s, nx.payload_type)) &&
                    ne->codec == c && c->recover(s->dec_state, pcm, n, nx.payload, nx.len) == (int)n) {
                    s->st.recovered++;
                    media__deliver(s, pcm, n, rate);
                    media__heard(s);
                    continue;
                }
            }
        } else if (kind == MEDIA_JITTER_GAP && !tone && s->cn_level < 0 && s->gap_run < 255) {
            if (!s->gap_run) s->gap_silence0 = (uint32_t)media__jb(s)->st.silence - (f.flags & MEDIA_JITTER_SILENCE ? 1u : 0u);
            s->gap_run++;
        }
        for (left = n; left > 0;) {
            size_t k = left > MEDIA_SESSION_MAX_FRAME ? MEDIA_SESSION_MAX_FRAME : left;
            if (tone) memset(pcm, 0, k * sizeof *pcm);
            else if (s->cn_level >= 0) media__noise(s, pcm, k);
            else {
                if (s->lazy_n) media__plc_catch_up(s);
                s->plc_clean = 0;   /* the next good frame is blended */
                if (!c->conceal || c->conceal(s->dec_state, pcm, k) < 0) memset(pcm, 0, k * sizeof *pcm);
            }
            media__deliver(s, pcm, k, rate);
            left -= k;
        }
    }
}

/* The peer said BYE: its stream ends once what it sent before has played. */
static void media__bye_drain(media_session *s)
{
    if (!s->rx_bye) return;
    if (s->jb_ready && media__jb(s)->queued) return;
    s->rx_bye = 0;
    s->rx_started = 0;
    media_jitter_reset(media__jb(s));
    MEDIA__CALL(s, stream_stop, (s, MEDIA_STREAM_RECEIVE, s->user));
}

/* ---- RTCP (RFC 3550 6.2, 6.3, A.7) ---- */

static double media__rtcp_interval(media_session *s)
{
    /* session bandwidth from what we send: payload + RTP/UDP/IP headers */
    double pps = s->ptime_ms ? 1000.0 / s->ptime_ms : 50;
    double payload = s->sent_packets ? (double)s->sent_bytes / (double)s->sent_packets
                                        : (s->frame_samples ? (double)s->frame_samples : 160);
    double rtcp_bw = 0.05 * (payload + 40) * pps;  /* 5 % of the session's bytes per second */
    double tmin = s->cfg.rtcp_interval_ms / 1000.0, t, n;
    int members = 1 + (s->peer_known ? 1 : 0);
    int we_sent = s->sent_packets > s->rtcp.sent_at_prev;
    int senders = we_sent + (s->peer_known && s->recv_packets > s->rtcp.heard_at_report ? 1 : 0);
    if (s->rtcp.initial) tmin /= 2;
    n = members;
    if (senders > 0 && senders <= members * 0.25) {
        if (we_sent) { rtcp_bw *= 0.25; n = senders; }
        else { rtcp_bw *= 0.75; n -= senders; }
    }
    t = rtcp_bw > 0 ? s->rtcp.avg_size * n / rtcp_bw : tmin;
    if (t < tmin) t = tmin;
    /* randomised over [0.5, 1.5] x t, then divided by e - 3/2 for the
       reconsideration's bias (6.3.1) */
    t *= 0.5 + (media__rand(s) >> 8) / 16777216.0;
    return t / 1.21828;
}

static void media__rtcp_send(media_session *s, uint64_t now, int bye)
{
    uint8_t buf[512];
    media_rtcp_report r;
    media_rtcp_report_block rb;
    int n, k;
    memset(&r, 0, sizeof r);
    r.ssrc = s->ssrc;
    r.cname = s->cname;
    /* SR if we sent RTP since the report before last (6.4) */
    r.is_sender = s->sent_packets > s->rtcp.sent_at_prev;
    if (r.is_sender) {
        r.ntp = media__ntp(s, now);
        /* the RTP time of this instant on our sending timeline */
        r.rtp_timestamp = s->ts - s->ts_step +
            (uint32_t)((int64_t)(now - (uint64_t)(s->next_tick_us - s->tick_us)) * (s->tx_codec ? s->tx_codec->clock_rate : 8000) / 1000000);
        r.packet_count = (uint32_t)s->sent_packets;
        r.octet_count = (uint32_t)s->sent_bytes;
    }
    if (s->peer_known && s->rx.started) {
        media_rtp_stats_report_block(&s->rx, &rb, now);
        r.blocks = &rb;
        r.block_count = 1;
    }
    n = media_rtcp_report_write(buf, sizeof buf, &r);
    if (n < 0) return;
    if (bye && (k = media_rtcp_bye_write(buf + n, sizeof buf - (size_t)n, &s->ssrc, 1, NULL)) > 0) n += k;
    if (media__send(s, buf, (size_t)n, 1, now) == MEDIA_OK) {
        s->st.rtcp_sent++;
        if (r.is_sender) s->rtcp.sr_lsr[s->rtcp.sr_next++ & 3] = media_ntp_middle(r.ntp);
    }
    s->rtcp.avg_size = (double)(n + 28) / 16 + s->rtcp.avg_size * 15 / 16;
    s->rtcp.sent_at_prev = s->rtcp.sent_at_last;
    s->rtcp.sent_at_last = s->sent_packets;
    s->rtcp.heard_at_report = s->recv_packets;
}

MEDIA__HOT_TEXT static void media__rtcp_timer(media_session *s, uint64_t now)
{
    double t;
    if (!s->rtcp_next_us) {
        s->rtcp.last_us = (int64_t)now;
        s->rtcp_next_us = (int64_t)now + (int64_t)(media__rtcp_interval(s) * 1e6);
        return;
    }
    if ((int64_t)now < s->rtcp_next_us) return;
    /* timer reconsideration (6.3.6): due by the interval as it is now? */
    t = media__rtcp_interval(s);
    if (s->rtcp.last_us + (int64_t)(t * 1e6) <= (int64_t)now) {
        /* a bridge relaying to us sends its origin's reports, translated */
        if (s->remote_known && !(s->br && s->br->rev->relaying)) media__rtcp_send(s, now, 0);
        s->rtcp.initial = 0;
        s->rtcp.last_us = (int64_t)now;
        s->rtcp_next_us = (int64_t)now + (int64_t)(media__rtcp_interval(s) * 1e6);
    } else {
        s->rtcp_next_us = s->rtcp.last_us + (int64_t)(t * 1e6);
    }
}

/* ---- statistics ---- */

static double media__mos(const media_session *s, double loss_percent)
{
    media_emodel_params p;
    /* (the delay alone: media_jitter_stats_get() would also walk the queue) */
    p.delay_ms = s->st.rtt_ms / 2 + (s->jb_ready ? (double)media__jb_delay_us(media__jb(s)) / 1000.0 : 0) + s->ptime_ms;
    p.ie = MEDIA_EMODEL_G711_IE;
    p.bpl = MEDIA_EMODEL_G711_BPL;
    p.loss_percent = loss_percent < 0 ? 0 : loss_percent;
    p.burst_ratio = media_rtp_stats_burst_ratio(&s->rx);
    return media_emodel_mos(media_emodel_r(&p));
}

static void media__fill_stats(const media_session *s, media_session_stats *st, uint64_t now)
{
    int64_t expected;
    *st = s->st;
    if (!s->rtt_known) st->rtt_ms = -1;
    st->state = s->state;
    st->remote_ssrc = s->peer_known ? s->peer_ssrc : 0;
    st->packets_sent = s->sent_packets;
    st->bytes_sent = s->sent_bytes;
    st->packets_received = s->recv_packets;
    st->bytes_received = s->recv_bytes;
    st->concealed = s->concealed;
    st->jitter_max_ms = s->jit_max_ms;
    if (s->tx_codec && s->tx_codec->control && media__enc_state(s, s->tx_codec)) {
        int v = s->tx_codec->control(media__enc_state(s, s->tx_codec), MEDIA_CODEC_CTL_GET_BITRATE, 0);
        st->codec_bitrate = v > 0 ? v : 0;
        v = s->tx_codec->control(media__enc_state(s, s->tx_codec), MEDIA_CODEC_CTL_GET_FEC, 0);
        st->codec_fec_percent = v > 0 ? v : 0;
    }
    st->duration_ms = s->started ? (now - s->start_us) / 1000 : 0;
    st->lost = s->lost_old_sources + (s->rx.started ? media_rtp_stats_lost(&s->rx) : 0);
    st->duplicates = s->rx.duplicates;
    expected = (int64_t)st->packets_received + st->lost;
    {
        /* the quality figures need what really went missing: a duplicated
           packet does not make up for a lost one */
        int64_t missing = st->lost + (int64_t)st->duplicates;
        st->loss_percent = expected > 0 && missing > 0 ? 100.0 * (double)missing / (double)expected : 0;
    }
    st->jitter_ms = s->rx.started ? media_rtp_stats_jitter_ms(&s->rx) : 0;
    st->jitter_mean_ms = s->jit_n ? s->jit_sum_ms / (double)s->jit_n : 0;
    st->reordered = s->rx.reordered;
    if (s->jb_ready) {
        const media_jitter *jb = media__jb(s);
        st->late = jb->st.late;
        st->jitter_delay_ms = (double)media__jb_delay_us(jb) / 1000.0;
        st->stretched_ms = (double)jb->st.stretched_us / 1000.0;
        st->compressed_ms = (double)jb->st.compressed_us / 1000.0;
        st->silence_cut_ms = (double)jb->st.silence_cut_us / 1000.0;
        st->frames_dropped = jb->st.dropped;
        st->frames_inserted = jb->st.inserted;
        st->jitter_max_delay_ms = (double)jb->max_us / 1000.0;
    }
    st->mos = media__mos(s, st->loss_percent);
}

MEDIADEF void media_session_stats_get(const media_session *s, media_session_stats *st)
{
    if (!st) return;
    if (!s) { memset(st, 0, sizeof *st); return; }
    media__fill_stats(s, st, media__sess_now(s));
}

static int media__level(double v, const double *th, int higher_is_worse)
{
    int l = 0;
    while (l < 3 && (higher_is_worse ? v > th[l] : v < th[l])) l++;
    return l;
}

static void media__quality(media_session *s, uint64_t now)
{
    media_session_stats st;
    uint32_t expected = s->rx.started ? media_rtp_stats_expected(&s->rx) : 0;
    uint32_t received = s->rx.started ? s->rx.received : 0;
    int32_t de, dr;
    double loss;
    int level, l;
    media__fill_stats(s, &st, now);
    if (expected < s->quality.expected || received < s->quality.received) { s->quality.expected = expected; s->quality.received = received; }
    de = (int32_t)(expected - s->quality.expected);
    dr = (int32_t)(received - s->quality.received);
    s->quality.expected = expected;
    s->quality.received = received;
    if (de <= 0 || !s->can_recv || s->local_hold) return;   /* nothing to judge */
    loss = de > dr ? 100.0 * (de - dr) / de : 0;
    level = media__level(media__mos(s, loss), s->cfg.quality.mos, 0);
    if ((l = media__level(loss, s->cfg.quality.loss_percent, 1)) > level) level = l;
    if ((l = media__level(st.jitter_ms, s->cfg.quality.jitter_ms, 1)) > level) level = l;
    if (level != s->st.quality) {
        s->st.quality = level;
        st.quality = level;
        MEDIA__CALL(s, quality_alert, (s, level, &st, s->user));
    }
}

/* ---- poll ---- */

static void media__start(media_session *s, uint64_t now)
{
    s->started = 1;
    s->start_us = now;
    s->next_tick_us = (int64_t)now;
    s->last_rtp_us = now;
    s->marker_next = 1;
    if (s->cfg.stats_interval_ms) s->stats_next_us = (int64_t)now + (int64_t)s->cfg.stats_interval_ms * 1000;
    if (s->cfg.quality_interval_ms) s->quality_next_us = (int64_t)now + (int64_t)s->cfg.quality_interval_ms * 1000;
    media__update_state(s);
    MEDIA__CALL(s, session_start, (s, s->user));
}

static void media__terminate(media_session *s, uint64_t now, int reason)
{
#ifndef MEDIA_NO_STDIO
    while (s->nplay > 0) media__play_pop(s, MEDIA_ERROR);
#endif
    if (s->started && s->remote_known && !s->rtcp.bye_sent) {
        media__rtcp_send(s, now, 1);   /* RFC 3550 6.6: a report, then BYE */
        s->rtcp.bye_sent = 1;
    }
    if (s->rec_what) {
#ifndef MEDIA_NO_STDIO
        int rc = media__rec_close(s);
        s->rec_what = 0;
        MEDIA__CALL(s, record_complete, (s, rc, s->user));
#endif
    }
    if (s->sending) { s->sending = 0; MEDIA__CALL(s, stream_stop, (s, MEDIA_STREAM_SEND, s->user)); }
    if (s->rx_started) { s->rx_started = 0; MEDIA__CALL(s, stream_stop, (s, MEDIA_STREAM_RECEIVE, s->user)); }
    s->terminated = 1;
    media__update_state(s);
    MEDIA__CALL(s, session_stop, (s, reason, s->user));
}


/* A periodic timer (0: off): 1 when it is due at now, and it moves on by its
   period (to now + period when it fell behind: no burst of catching up);
   *next comes down to its next time. */
static int media__every(int64_t *due, uint32_t period_ms, uint64_t now, int64_t *next)
{
    int fired = 0;
    if (!*due) return 0;
    if ((int64_t)now >= *due) {
        *due += (int64_t)period_ms * 1000;
        if (*due <= (int64_t)now) *due = (int64_t)now + (int64_t)period_ms * 1000;
        fired = 1;
    }
    if (*due < *next) *next = *due;
    return fired;
}

MEDIA__HOT_TEXT static int media__poll(media_session *s, unsigned ready, int max)
{
    uint64_t now = media__clock(s);
    int64_t next = (int64_t)now + 1000000, ms;
    int burst;
    if (s->terminated) return MEDIA_ESTATE;
    if (ready & MEDIA_READY_RTP) media__sock_drain(s, 0, max, now);
    /* muxed: RTCP comes on the RTP port; the other one stays bound, unread */
    if ((ready & MEDIA_READY_RTCP) && !(s->negotiated && s->mux)) media__sock_drain(s, 1, max, now);
    if (s->closing) { media__terminate(s, now, s->close_reason); return MEDIA_ESTATE; }
    if (s->negotiated && !s->started) media__start(s, now);
    if (s->jb_ready) {
        /* Once media runs, playout follows the sending clock, the way a sound
           card or a conference bridge pulls frames: one wake-up per frame
           serves both directions (two schedules of their own would wake the
           loop twice as often), for half a frame of delay on average. A frame
           waiting longer than MEDIA__PLAYOUT_SLACK (a long ptime of ours) is
           played on its own time. Early media, before the answer, keeps the
           jitter buffer's schedule. */
        int64_t slack = s->started ? MEDIA__PLAYOUT_SLACK : 0;
        int on_tick = s->started && s->next_tick_us <= (int64_t)now;
        if (on_tick || (media__jb(s)->next_play_us != INT64_MAX && (int64_t)now >= media__jb(s)->next_play_us + slack))
            media__playout(s, now);
        if (media__jb(s)->next_play_us != INT64_MAX) next = media__min(next, media__jb(s)->next_play_us + slack);
    }
    media__bye_drain(s);
    if (s->started) {
        int64_t late = (int64_t)now - s->next_tick_us;
        if (late >= (int64_t)MEDIA_SESSION_MAX_BURST * s->tick_us) {
            /* a late caller: send at most MEDIA_SESSION_MAX_BURST frames, skip
               the rest (timestamps keep following the clock) */
            int64_t skip = late / s->tick_us + 1 - MEDIA_SESSION_MAX_BURST;
            s->next_tick_us += skip * s->tick_us;
            s->ts += (uint32_t)(skip * s->ts_step);
        }
        for (burst = 0; burst < MEDIA_SESSION_MAX_BURST && s->next_tick_us <= (int64_t)now && !s->terminated; burst++) {
            media__tick(s, now);
            s->next_tick_us += s->tick_us;
        }
        next = media__min(next, s->next_tick_us);
        media__rtcp_timer(s, now);
        next = media__min(next, s->rtcp_next_us);
        /* key presses whose end packets were lost or are overtaken */
        if (s->dr_n) next = media__min(next, media__dtmf_flush(s, now));
        if (s->rtp_timeout_ms && s->can_recv && !s->local_hold && !s->timed_out) {
            uint64_t due = s->last_rtp_us + (uint64_t)s->rtp_timeout_ms * 1000;
            if (now >= due) {
                if (s->rx_started) {
                    s->rx_started = 0;
                    MEDIA__CALL(s, stream_stop, (s, MEDIA_STREAM_RECEIVE, s->user));
                }
                media__stream_error(s, MEDIA_ETIMEOUT, now);
            }
            if (!s->timed_out) next = media__min(next, (int64_t)(s->last_rtp_us + (uint64_t)s->rtp_timeout_ms * 1000));
        }
        if (media__every(&s->stats_next_us, s->cfg.stats_interval_ms, now, &next)) {
            media_session_stats st;
            media__fill_stats(s, &st, now);
            MEDIA__CALL(s, stats, (s, &st, s->user));
        }
        if (media__every(&s->quality_next_us, s->cfg.quality_interval_ms, now, &next)) media__quality(s, now);
    }
    if (s->closing) { media__terminate(s, now, s->close_reason); return MEDIA_ESTATE; }
    ms = next <= (int64_t)now ? 0 : (next - (int64_t)now + 999) / 1000;
    return (int)ms;
}

MEDIA__HOT_TEXT static int media__poll_entry(media_session *s, unsigned ready, int max)
{
    int rc;
    if (!s) return MEDIA_EINVAL;
    if (s->depth > 0) return MEDIA_ESTATE;   /* not from inside a callback */
    s->depth++;
    rc = media__poll(s, ready, max);
    s->depth--;
    return media__leave(s, rc);
}

MEDIA__HOT_TEXT MEDIADEF int media_session_poll(media_session *s)
{
    return media__poll_entry(s, MEDIA_READY_RTP | MEDIA_READY_RTCP, 256);
}

MEDIA__HOT_TEXT MEDIADEF int media_session_poll_ready(media_session *s, unsigned ready)
{
    return media__poll_entry(s, ready, 1);
}

/* ---- actions ---- */

#ifndef MEDIA_NO_STDIO
MEDIADEF int media_session_play(media_session *s, const char *path, int loops)
{
    media__play_item *it;
    int rc;
    uint32_t rate;
    if (!s || !path || loops < 0) return MEDIA_EINVAL;
    if (s->terminated || s->closing) return MEDIA_ESTATE;
    if (s->nplay >= MEDIA_SESSION_PLAY_QUEUE) return MEDIA_ENOSPC;
    it = &s->play.queue[s->nplay];
    if ((rc = media_wav_open_read(&it->f, path)) != MEDIA_OK) return rc;
    rate = s->tx_codec ? s->tx_codec->sample_rate : s->codecs[0]->sample_rate;
    if (!s->resample.rs && it->f.info.sample_rate != rate) { media_wav_close(&it->f); return MEDIA_EUNSUPPORTED; }
    it->left = loops;
    it->id = s->play.next_id++;
    if (s->play.next_id <= 0) s->play.next_id = 1;
    s->nplay++;
    return it->id;
}

MEDIADEF int media_session_record(media_session *s, const char *path, int what)
{
    int rc;
    uint32_t rate;
    if (!s || !path || what < MEDIA_RECORD_RECEIVED || what > MEDIA_RECORD_BOTH) return MEDIA_EINVAL;
    if (s->terminated || s->closing) return MEDIA_ESTATE;
    if (s->rec_what) return MEDIA_ESTATE;
    rate = s->tx_codec ? s->tx_codec->sample_rate : s->codecs[0]->sample_rate;
    rc = media_wav_open_write(&s->rec.file, path, MEDIA_WAV_PCM16, rate, what == MEDIA_RECORD_BOTH ? 2 : 1);
    if (rc != MEDIA_OK) return rc;
    s->rec_what = what;
    s->rec.ring_r = s->rec.ring_n = 0;
    s->rec.heard = 0;
    s->rec.ring_primed = 0;
    return MEDIA_OK;
}

MEDIADEF int media_session_record_stop(media_session *s)
{
    int rc;
    if (!s) return MEDIA_EINVAL;
    if (!s->rec_what) return MEDIA_ESTATE;
    rc = media__rec_close(s);
    s->rec_what = 0;
    MEDIA__CALL(s, record_complete, (s, rc, s->user));
    return media__leave(s, rc);
}
#endif

MEDIADEF int media_session_play_pause(media_session *s)
{
    if (!s) return MEDIA_EINVAL;
    s->paused = 1;
    return MEDIA_OK;
}

MEDIADEF int media_session_play_resume(media_session *s)
{
    if (!s) return MEDIA_EINVAL;
    s->paused = 0;
    return MEDIA_OK;
}

MEDIADEF int media_session_play_stop(media_session *s)
{
    if (!s) return MEDIA_EINVAL;
#ifndef MEDIA_NO_STDIO
    while (s->nplay > 0) media__play_pop(s, MEDIA_ERROR);
#endif
    s->paused = 0;
    return media__leave(s, MEDIA_OK);
}

MEDIADEF int media_session_codec_set(media_session *s, const media_codec *codec)
{
    int i;
    if (!s || !codec) return MEDIA_EINVAL;
    if (!s->negotiated) return MEDIA_ESTATE;
    for (i = 0; i < s->res.codec_count; i++) {
        if (!media__same_codec(s->res.codecs[i], codec)) continue;
        if (s->res.codecs[i] != s->tx_codec) {
            media__tx_codec(s, s->res.codecs[i], s->res.payload_types[i] == s->res.payload_type ? s->res.remote_fmtp : NULL);
            media__tx_setup(s);
            s->st.codec = s->tx_codec->name;
        }
        s->tx_pt = s->res.payload_types[i];
        s->st.payload_type = s->tx_pt;
        s->res.codec = s->tx_codec;
        s->res.payload_type = s->tx_pt;
        return MEDIA_OK;
    }
    return MEDIA_ENOTFOUND;
}

MEDIADEF int media_session_dtmf_send(media_session *s, const char *digits)
{
    const char *p;
    if (!s || !digits) return MEDIA_EINVAL;
    if (s->terminated || s->closing) return MEDIA_ESTATE;
    for (p = digits; *p; p++) if (*p != ',' && media__dtmf_code(*p) < 0) return MEDIA_EINVAL;
    if ((size_t)s->dt_len + (size_t)(p - digits) > MEDIA_SESSION_DTMF_QUEUE) return MEDIA_ENOSPC;
    for (p = digits; *p; p++) {
        s->dtmf_tx.queue[(s->dtmf_tx.head + s->dt_len) % MEDIA_SESSION_DTMF_QUEUE] = *p;
        s->dt_len++;
    }
    return MEDIA_OK;
}

MEDIADEF int media_session_hold(media_session *s)
{
    if (!s) return MEDIA_EINVAL;
    if (s->terminated) return MEDIA_ESTATE;
    s->local_hold = 1;
    media__update_state(s);
    return media__leave(s, MEDIA_OK);
}

MEDIADEF int media_session_resume(media_session *s)
{
    if (!s) return MEDIA_EINVAL;
    if (s->terminated) return MEDIA_ESTATE;
    s->local_hold = 0;
    s->last_rtp_us = media__clock(s);   /* the RTP timeout counts from here */
    media__update_state(s);
    return media__leave(s, MEDIA_OK);
}

MEDIADEF int media_session_mute(media_session *s, int on)
{
    if (!s) return MEDIA_EINVAL;
    s->muted = on != 0;
    return MEDIA_OK;
}

MEDIADEF int media_session_close(media_session *s)
{
    if (!s) return MEDIA_EINVAL;
    if (s->terminated) return MEDIA_ESTATE;
    s->closing = 1;
    return MEDIA_OK;
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
