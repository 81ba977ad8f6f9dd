#!/usr/bin/python3
"""GStreamer as a DTMF sender: a 440 Hz tone as PCMU with rtpdtmfsrc
digits muxed into the same stream (rtpdtmfmux: one SSRC, one sequence), or
with "inband" last, dtmfsrc's tones mixed into the audio itself (audiomixer;
the 440 Hz tone stays under them, some 15 dB down).

usage: gst_dtmf.py DEST_PORT SOURCE_PORT DIGITS PRESS_MS [inband]

Each digit is pressed for PRESS_MS, 300 ms apart, starting after 1 s of
audio; 1 s of audio follows the last one. rtpdtmfsrc only reacts to the
dtmf-event when it is sent to its src pad (dtmfsrc likewise). Ends by
itself (at most 30 s)."""
import sys

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402

KEYS = {str(d): d for d in range(10)}
KEYS.update({"*": 10, "#": 11, "A": 12, "B": 13, "C": 14, "D": 15})


def main():
    port, src_port, digits, press = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    inband = len(sys.argv) > 5 and sys.argv[5] == "inband"
    Gst.init(None)
    if inband:
        pipe = Gst.parse_launch(
            "audiomixer name=mix ! audio/x-raw,rate=8000,channels=1 ! mulawenc "
            "! rtppcmupay pt=0 min-ptime=20000000 max-ptime=20000000 ! udpsink host=127.0.0.1 port=%d bind-port=%d "
            "audiotestsrc is-live=true wave=sine freq=440 volume=0.01 ! audio/x-raw,rate=8000,channels=1 ! mix. "
            "dtmfsrc name=dtmf ! audioconvert ! audioresample ! audio/x-raw,rate=8000,channels=1 ! mix." % (port, src_port)
        )
    else:
        pipe = Gst.parse_launch(
            "rtpdtmfmux name=mux ! udpsink host=127.0.0.1 port=%d bind-port=%d "
            "rtpdtmfsrc name=dtmf pt=101 clock-rate=8000 ! mux. "
            "audiotestsrc is-live=true wave=sine freq=440 volume=0.3 ! audio/x-raw,rate=8000,channels=1 "
            "! mulawenc ! rtppcmupay pt=0 min-ptime=20000000 max-ptime=20000000 ! mux." % (port, src_port)
        )
    pad = pipe.get_by_name("dtmf").get_static_pad("src")
    loop = GLib.MainLoop()

    def event(number, start):
        s = Gst.Structure.new_empty("dtmf-event")
        s.set_value("type", 1)
        s.set_value("number", number)
        s.set_value("volume", 25)
        s.set_value("start", start)
        pad.send_event(Gst.Event.new_custom(Gst.EventType.CUSTOM_UPSTREAM, s))
        return False

    t = 1000
    for d in digits:
        GLib.timeout_add(t, event, KEYS[d], True)
        GLib.timeout_add(t + press, event, KEYS[d], False)
        t += press + 300
    GLib.timeout_add(t + 1000, loop.quit)
    GLib.timeout_add(30000, loop.quit)
    pipe.set_state(Gst.State.PLAYING)
    loop.run()
    pipe.set_state(Gst.State.NULL)


if __name__ == "__main__":
    main()
