#!/usr/bin/python3
"""A GStreamer phone: sends a WAV file as RTP and records what comes back,
both on one UDP socket (symmetric RTP, as a SIP phone does).

usage: gst_phone.py LOCAL_PORT REMOTE_PORT CODEC IN.wav OUT.wav SECONDS

CODEC is pcmu, pcma or opus (rtpopuspay, 48 kHz). The socket is bound to
127.0.0.1:LOCAL_PORT and handed to both udpsrc and udpsink, so what we send
comes from the port our SDP gives. Sends IN.wav once (paced in real time),
keeps listening, and after SECONDS in all sends EOS so OUT.wav is finalised.
Prints how many packets it sent and received."""
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("Gio", "2.0")
from gi.repository import Gio, GLib, Gst  # noqa: E402

CODECS = {
    "pcmu": ("mulawenc ! rtppcmupay pt=0", "rtppcmudepay ! mulawdec", "PCMU", 0, 8000),
    "pcma": ("alawenc ! rtppcmapay pt=8", "rtppcmadepay ! alawdec", "PCMA", 8, 8000),
    "opus": ("opusenc frame-size=20 ! rtpopuspay pt=111", "rtpopusdepay ! opusdec", "OPUS", 111, 48000),
}


def main():
    lport, rport, codec, src, out, seconds = (int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4],
                                              sys.argv[5], float(sys.argv[6]))
    enc, dec, name, pt, clock = CODECS[codec]
    Gst.init(None)
    rate = 48000 if codec == "opus" else 8000
    pipe = Gst.parse_launch(
        # send: the file, paced, 20 ms packets
        "filesrc location=%s ! wavparse ! audioconvert ! audioresample ! audio/x-raw,rate=%d,channels=1 "
        "! audiobuffersplit output-buffer-duration=1/50 ! identity sync=true ! %s min-ptime=20000000 max-ptime=20000000 ! udpsink name=tx host=127.0.0.1 port=%d "
        "sync=false async=false "
        # receive: the jitter buffer, decode, a WAV at the codec's rate
        "udpsrc name=rx caps=\"application/x-rtp,media=audio,clock-rate=%d,encoding-name=%s,payload=%d\" "
        "! rtpjitterbuffer latency=60 ! %s ! audioconvert ! audioresample ! audio/x-raw,rate=%d,channels=1 "
        "! wavenc ! filesink location=%s"
        % (src, rate, enc, rport, clock, name, pt, dec, rate, out)
    )
    sock = Gio.Socket.new(Gio.SocketFamily.IPV4, Gio.SocketType.DATAGRAM, Gio.SocketProtocol.UDP)
    sock.bind(Gio.InetSocketAddress.new_from_string("127.0.0.1", lport), True)
    for el in ("tx", "rx"):
        e = pipe.get_by_name(el)
        e.set_property("socket", sock)
        e.set_property("close-socket", False)
    counts = {"tx": 0, "rx": 0}

    def counter(key):
        def probe(_pad, _info):
            counts[key] += 1
            return Gst.PadProbeReturn.OK
        return probe

    pipe.get_by_name("tx").get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, counter("tx"))
    pipe.get_by_name("rx").get_static_pad("src").add_probe(Gst.PadProbeType.BUFFER, counter("rx"))
    loop = GLib.MainLoop()
    bus = pipe.get_bus()
    bus.add_signal_watch()
    state = {"eos_sent": False}

    def on_message(_bus, msg):
        if msg.type == Gst.MessageType.ERROR:
            err, _dbg = msg.parse_error()
            print("error: %s" % err.message, file=sys.stderr)
            loop.quit()
        elif msg.type == Gst.MessageType.EOS and state["eos_sent"]:
            loop.quit()

    bus.connect("message", on_message)

    def finish():
        # the file's own EOS only ends the sending branch; the recording is
        # finished by an EOS sent to the whole pipeline
        state["eos_sent"] = True
        pipe.send_event(Gst.Event.new_eos())
        GLib.timeout_add(3000, loop.quit)
        return False

    pipe.set_state(Gst.State.PLAYING)
    GLib.timeout_add(int(seconds * 1000), finish)
    loop.run()
    pipe.set_state(Gst.State.NULL)
    print("sent %d received %d" % (counts["tx"], counts["rx"]))


if __name__ == "__main__":
    main()
