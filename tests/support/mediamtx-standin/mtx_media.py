"""SDP handling and codec descriptions (tracks2 / codecProps) for the API."""
from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

# rtpmap encoding name → MediaMTX codec label
_CODECS = {"H264": "H264", "H265": "H265", "AV1": "AV1", "VP9": "VP9", "VP8": "VP8",
           "JPEG": "M-JPEG", "OPUS": "Opus", "MPEG4-GENERIC": "MPEG-4 Audio",
           "MP4A-LATM": "MPEG-4 Audio LATM", "PCMU": "G711", "PCMA": "G711", "L16": "LPCM",
           "L24": "LPCM", "MPA": "MPEG-1/2 Audio", "MPV": "MPEG-1/2 Video", "MP4V-ES": "MPEG-4 Video",
           "AC3": "AC3", "G722": "G722", "SPEEX": "Speex", "VORBIS": "Vorbis", "MP2T": "MPEG-TS"}
_STATIC_PT = {0: "PCMU/8000", 8: "PCMA/8000", 9: "G722/8000", 14: "MPA/90000", 26: "JPEG/90000",
              32: "MPV/90000", 33: "MP2T/90000"}

H264_PROFILES = {66: "Baseline", 77: "Main", 88: "Extended", 100: "High", 110: "High 10",
                 122: "High 4:2:2", 244: "High 4:4:4 Predictive"}


@dataclass
class Media:
    """One m= section of a publisher's SDP."""
    kind: str
    lines: List[str]
    control: str = ""
    encoding: str = ""
    clock: int = 0
    channels: int = 0
    fmtp: Dict[str, str] = field(default_factory=dict)

    @property
    def codec(self) -> str:
        return _CODECS.get(self.encoding.upper(), "Generic")

    def codec_props(self) -> Optional[Dict[str, Any]]:
        enc = self.encoding.upper()
        if enc == "H264":
            sps = h264_sps_from_fmtp(self.fmtp)
            if sps is None:
                return {"width": 0, "height": 0, "profile": "", "level": ""}
            info = parse_h264_sps(sps)
            return info or {"width": 0, "height": 0, "profile": "", "level": ""}
        if enc in ("PCMU", "PCMA"):
            return {"muLaw": enc == "PCMU", "sampleRate": self.clock, "channelCount": self.channels or 1}
        if enc == "OPUS":
            return {"channelCount": self.channels or 2}
        if enc == "MPEG4-GENERIC":
            return {"sampleRate": self.clock, "channelCount": self.channels or 1}
        if enc in ("L16", "L24"):
            return {"bitDepth": int(enc[1:]), "sampleRate": self.clock, "channelCount": self.channels or 1}
        if enc in ("H265", "AV1", "VP9"):
            return {"width": 0, "height": 0, "profile": "", "level": ""} if enc == "H265" else {"profile": 0}
        return None


def parse_sdp(sdp: str) -> Tuple[List[str], List[Media]]:
    """Split into session lines and media sections, reading rtpmap/fmtp/control."""
    session: List[str] = []
    medias: List[Media] = []
    for raw in sdp.replace("\r\n", "\n").split("\n"):
        line = raw.rstrip("\r")
        if not line:
            continue
        if line.startswith("m="):
            parts = line[2:].split()
            medias.append(Media(kind=parts[0], lines=[line]))
            pt = int(parts[3]) if len(parts) > 3 and parts[3].isdigit() else -1
            if pt in _STATIC_PT:
                enc, clock = _STATIC_PT[pt].split("/")
                medias[-1].encoding, medias[-1].clock = enc, int(clock)
            continue
        if not medias:
            session.append(line)
            continue
        m = medias[-1]
        m.lines.append(line)
        if line.startswith("a=control:"):
            m.control = line[10:].strip()
        elif line.startswith("a=rtpmap:"):
            _, _, rest = line[9:].partition(" ")
            bits = rest.strip().split("/")
            m.encoding = bits[0]
            m.clock = int(bits[1]) if len(bits) > 1 and bits[1].isdigit() else 0
            m.channels = int(bits[2]) if len(bits) > 2 and bits[2].isdigit() else 0
        elif line.startswith("a=fmtp:"):
            _, _, rest = line[7:].partition(" ")
            for kv in rest.split(";"):
                k, _, v = kv.strip().partition("=")
                if k:
                    m.fmtp[k.strip().lower()] = v.strip()
    return session, medias


def reader_sdp(sdp: str) -> str:
    """The publisher's SDP with controls rewritten to trackID=N (what readers SETUP)."""
    session, medias = parse_sdp(sdp)
    out = [l for l in session if not l.startswith("a=control:")]
    out.append("a=control:*")
    for i, m in enumerate(medias):
        out += [l for l in m.lines if not l.startswith("a=control:")]
        out.append("a=control:trackID=%d" % i)
    return "\r\n".join(out) + "\r\n"


def tracks_info(medias: List[Media]) -> List[Dict[str, Any]]:
    return [{"codec": m.codec, "codecProps": m.codec_props()} for m in medias]


def h264_sps_from_fmtp(fmtp: Dict[str, str]) -> Optional[bytes]:
    for part in fmtp.get("sprop-parameter-sets", "").split(","):
        try:
            nal = base64.b64decode(part + "=" * (-len(part) % 4))
        except ValueError:
            continue
        if nal and nal[0] & 0x1F == 7:
            return nal
    return None


class _Bits:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def u(self, n: int) -> int:
        v = 0
        for _ in range(n):
            byte = self.data[self.pos >> 3]
            v = (v << 1) | ((byte >> (7 - (self.pos & 7))) & 1)
            self.pos += 1
        return v

    def ue(self) -> int:
        zeros = 0
        while self.u(1) == 0:
            zeros += 1
            if zeros > 31:
                raise ValueError("bad exp-golomb")
        return (1 << zeros) - 1 + self.u(zeros)

    def se(self) -> int:
        k = self.ue()
        return (k + 1) // 2 if k & 1 else -(k // 2)


def parse_h264_sps(nal: bytes) -> Optional[Dict[str, Any]]:
    """Width/height/profile/level from an H.264 SPS NAL (header byte included)."""
    rbsp = bytearray()
    zeros = 0
    for b in nal[1:]:
        if zeros >= 2 and b == 3:
            zeros = 0
            continue
        rbsp.append(b)
        zeros = zeros + 1 if b == 0 else 0
    try:
        r = _Bits(bytes(rbsp))
        profile = r.u(8)
        r.u(8)  # constraint flags
        level = r.u(8)
        r.ue()
        chroma = 1
        if profile in (100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135):
            chroma = r.ue()
            if chroma == 3:
                r.u(1)
            r.ue()
            r.ue()
            r.u(1)
            if r.u(1):
                for i in range(8 if chroma != 3 else 12):
                    if r.u(1):
                        last, nxt = 8, 8
                        for _ in range(16 if i < 6 else 64):
                            if nxt:
                                nxt = (last + r.se() + 256) % 256
                            last = nxt or last
        r.ue()  # log2_max_frame_num
        poc = r.ue()
        if poc == 0:
            r.ue()
        elif poc == 1:
            r.u(1)
            r.se()
            r.se()
            for _ in range(r.ue()):
                r.se()
        r.ue()
        r.u(1)
        w_mbs = r.ue() + 1
        h_units = r.ue() + 1
        frame_mbs_only = r.u(1)
        if not frame_mbs_only:
            r.u(1)
        r.u(1)
        crop = (0, 0, 0, 0)
        if r.u(1):
            crop = (r.ue(), r.ue(), r.ue(), r.ue())
        sub_w = 2 if chroma in (1, 2) else 1
        sub_h = 2 if chroma == 1 else 1
        width = w_mbs * 16 - sub_w * (crop[0] + crop[1])
        height = (2 - frame_mbs_only) * h_units * 16 - sub_h * (2 - frame_mbs_only) * (crop[2] + crop[3])
    except (IndexError, ValueError):
        return None
    lvl = "%d" % (level // 10) if level % 10 == 0 else "%d.%d" % (level // 10, level % 10)
    return {"width": width, "height": height, "profile": H264_PROFILES.get(profile, str(profile)),
            "level": lvl}
