#!/usr/bin/python3
"""GStreamer as an SRTP receiver (srtpdec) of PCMU, written to a WAV file.

usage: gst_srtp_rx.py PORT SUITE BASE64_KEY OUT.wav SECONDS

srtpdec asks for the key of each new SSRC with its request-key signal (a key
given only in the caps is ignored unless they carry the SSRC too): the
answer is the suite's cipher and auth, and the key from the SDP. Ends after
SECONDS of silence once packets came (or SECONDS * 4 in all), sending EOS so
the WAV is finalised; prints the SSRCs it was asked about."""
import base64
import sys

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402

SUITES = {
    "AES_CM_128_HMAC_SHA1_80": ("aes-128-icm", "hmac-sha1-80", "hmac-sha1-80"),
    "AES_CM_128_HMAC_SHA1_32": ("aes-128-icm", "hmac-sha1-32", "hmac-sha1-80"),
    "AEAD_AES_128_GCM": ("aes-128-gcm", "null", "null"),
    "AEAD_AES_256_GCM": ("aes-256-gcm", "null", "null"),
}


def main():
    port, suite, key64, out, quiet = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])
    cipher, auth, rtcp_auth = SUITES[suite]
    key = base64.b64decode(key64)
    Gst.init(None)
    pipe = Gst.parse_launch(
        "udpsrc port=%d caps=\"application/x-srtp,media=audio,clock-rate=8000,encoding-name=PCMU,payload=0\" "
        "! srtpdec name=dec ! rtppcmudepay ! mulawdec ! wavenc ! filesink location=%s" % (port, out)
    )
    dec = pipe.get_by_name("dec")
    state = {"last": 0, "asked": []}

    def request_key(_dec, ssrc):
        state["asked"].append(ssrc)
        # the key as a buffer literal in the caps string: a Python object set
        # as the field does not become the GstBuffer srtpdec looks for
        return Gst.Caps.from_string(
            "application/x-srtp,srtp-key=(buffer)%s,srtp-cipher=(string)%s,srtp-auth=(string)%s,"
            "srtcp-cipher=(string)%s,srtcp-auth=(string)%s" % (key.hex(), cipher, auth, cipher, rtcp_auth)
        )

    dec.connect("request-key", request_key)
    sink_pad = pipe.get_by_name("dec").get_static_pad("rtp_sink")

    def seen(_pad, _info):
        state["last"] = GLib.get_monotonic_time()
        return Gst.PadProbeReturn.OK

    sink_pad.add_probe(Gst.PadProbeType.BUFFER, seen)
    loop = GLib.MainLoop()
    start = GLib.get_monotonic_time()

    def check():
        now = GLib.get_monotonic_time()
        if (state["last"] and now - state["last"] > quiet * 1e6) or now - start > quiet * 4e6:
            pipe.send_event(Gst.Event.new_eos())
            return False
        return True

    def on_message(_bus, msg):
        if msg.type in (Gst.MessageType.EOS, Gst.MessageType.ERROR):
            if msg.type == Gst.MessageType.ERROR:
                print("error:", msg.parse_error()[0].message)
            loop.quit()

    bus = pipe.get_bus()
    bus.add_signal_watch()
    bus.connect("message", on_message)
    GLib.timeout_add(100, check)
    pipe.set_state(Gst.State.PLAYING)
    loop.run()
    pipe.set_state(Gst.State.NULL)
    print("asked for the keys of:", " ".join("%08x" % s for s in state["asked"]))


if __name__ == "__main__":
    main()
