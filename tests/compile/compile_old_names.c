/* The names before 0.2 (the >>aliases block) still compile, each called with
   its arguments; built without MEDIA_NO_OLD_NAMES, as a user's old code is.
   run.sh also builds it with MEDIA_NO_OLD_NAMES and expects that to fail. */
#include "media.h"
#include "media_opus.h"
#include <string.h>

int compile_old_names_uses(media_session *s, media_sdp *sdp, media_jitter *jb, const media_sdp_oa_config *oa);
int compile_old_names_uses(media_session *s, media_sdp *sdp, media_jitter *jb, const media_sdp_oa_config *oa)
{
    uint8_t buf[256];
    int16_t pcm[160] = { 0 };
    char text[64];
    media_rtcp_report rep;
    media_jitter_stats jst;
    media_jitter_frame f;
    media_sdp_rtpmap map;
    media_sdp_result res;
    media_session_stats st;
    media_addr a;
    media_resampler rs;
    media_wav_info wi;
    media_opus opus;
    media_opus_config oc;
    media_opus_info oi;
    media_sdp_span span = { 0, 0 };
    int r = 0;
    memset(&rep, 0, sizeof rep);
    memset(&wi, 0, sizeof wi);
    memset(&rs, 0, sizeof rs);
    r += media_rtcp_write_report(buf, sizeof buf, &rep);
    r += media_rtcp_write_bye(buf, sizeof buf, NULL, 0, NULL);
    media_jitter_get_stats(jb, &jst);
    r += media_jitter_played(jb, 1, &f);
    r += media_sdp_get_rtpmap(sdp, 0, 0, &map);
    r += media_sdp_get_fmtp(sdp, 0, 0) != NULL;
    r += media_sdp_get_ptime(sdp, 0) + media_sdp_get_maxptime(sdp, 0);
    r += (int)media_sdp_get_direction(sdp, 0);
    r += media_sdp_get_conn(sdp, 0) != NULL;
    r += media_sdp_get_rtcp_mux(sdp, 0) + (media_sdp_get_mid(sdp, 0) != NULL);
    r += media_sdp_attr_name(sdp, 0) != NULL && media_sdp_attr_value(sdp, 0) != NULL;
    r += media_sdp_str(sdp, 0)[0] + media_sdp_span_eq(span, "x");
    r += media_sdp_set_direction(sdp, -1, MEDIA_SDP_SENDRECV);
    r += media_sdp_remove_format(sdp, 0, 8) + media_sdp_add_format(sdp, 0, 8);
    r += media_sdp_set_connection(sdp, -1, "192.0.2.1") + media_sdp_set_port(sdp, 0, 4000);
    r += media_sdp_bump_version(sdp) + media_sdp_add_media(sdp, "audio", 4000, "RTP/AVP");
    r += media_sdp_create_offer(sdp, oa) + media_sdp_create_answer(sdp, sdp, oa, &res);
    r += media_sdp_process_answer(&res, sdp, sdp, oa);
    r += media_session_create_offer(s, text, sizeof text) + media_session_set_remote_sdp(s, text, 1);
    r += media_session_create_answer(s, text, sizeof text);
    media_session_get_stats(s, &st);
    r += media_session_set_codec(s, media_codec_pcma()) + media_session_send_dtmf(s, "1");
    r += media_session_state(s) + media_session_fd(s, 0) + media_session_local_addr(s, &a);
    r += media_resample(&rs, pcm, 160, pcm, 160, NULL);
    r += media_wav_header(buf, sizeof buf, &wi);
    media_opus_config_init(&oc);
    r += media_opus_codec(&opus, &oc) + media_opus_get_info(NULL, &oi);
    return r;
}
