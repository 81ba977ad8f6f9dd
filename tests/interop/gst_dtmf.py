#!/usr/bin/python3
"""GStreamer as an RFC 4733 sender: a 440 Hz tone as PCMU with rtpdtmfsrc
digits muxed into the same stream (rtpdtmfmux: one SSRC, one sequence).

usage: gst_dtmf.py DEST_PORT SOURCE_PORT DIGITS PRESS_MS

Each digit is pressed for PRESS_MS, 300 ms apart, starting after 1 s of
audio; 1 s of audio follows the last one. rtpdtmfsrc only reacts to the
dtmf-event when it is sent to its src pad. Ends by itself (at most 30 s)."""
import sys

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402

KEYS = {str(d): d for d in range(10)}
KEYS.update({"*": 10, "#": 11, "A": 12, "B": 13, "C": 14, "D": 15})


def main():
    port, src_port, digits, press = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    Gst.init(None)
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
