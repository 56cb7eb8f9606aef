#include "cameras/CameraUrlRule.h"

#include "cameras/StreamUrl.h"

#include <QHostAddress>
#include <QRegularExpression>

// Mirrors, without copying, MediaMTX v1.20.1 (tag v1.20.1, commit
// 883194a19b7244355c9bc975c0574c9842733637):
//   internal/conf/path.go  (*Path).validate  the `source` prefix switch
//   internal/conf/path.go  validateURL       placeholders, url.Parse, scheme/host, user+pass
// and the parts of Go 1.26's net/url.Parse that validateURL relies on
// (src/net/url/url.go: Parse, parse, getScheme, parseAuthority, parseHost,
// validUserinfo, validOptionalPort, unescape, shouldEscape).

namespace station::cameras {

namespace {

enum class Fault {
    None,
    ControlChar,     // url.go parse: stringContainsCTLByte
    BadEscape,       // url.go unescape: "%" not followed by two hex digits
    BadHostChar,     // url.go unescape(encodeHost): InvalidHostError
    BadPort,         // url.go parseHost: validOptionalPort
    BadBrackets,     // url.go parseHost: "missing ']'", IP-literal not IPv6 / not at the start
    BadUserinfo,     // url.go parseAuthority: validUserinfo
    NoHost,          // path.go validateURL: u.Scheme == "" || u.Host == ""
    HalfCredentials, // path.go validateURL: user without password or password without user
    MissingPort,     // path.go validate: udp sources need host:port
    NeedsSdp,        // path.go validate: udp+rtp / unix+rtp need rtpSDP (never written by us)
    UnknownSource,   // path.go validate: default case "invalid source"
};

struct Parsed {
    Fault fault = Fault::None;
    QString scheme;
    QString host;   // raw host[:port], as Go's URL.Host (before unescaping; emptiness is what matters)
    bool hasUser = false;
    QString user;   // raw (escaped); empty iff Go's decoded value is empty
    QString pass;
};

bool isHex(QChar c)
{
    return (c >= QLatin1Char('0') && c <= QLatin1Char('9')) || (c >= QLatin1Char('a') && c <= QLatin1Char('f'))
           || (c >= QLatin1Char('A') && c <= QLatin1Char('F'));
}

int hexValue(QChar c)
{
    if (c >= QLatin1Char('0') && c <= QLatin1Char('9'))
        return c.unicode() - '0';
    return (c.toLower().unicode() - 'a') + 10;
}

bool isAlnum(char16_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// url.go shouldEscape(c, encodeHost/encodeZone) == false for ASCII c.
bool hostCharAllowed(char16_t c)
{
    if (isAlnum(c))
        return true;
    switch (c) {
    case '!': case '$': case '&': case '\'': case '(': case ')': case '*': case '+': case ',': case ';':
    case '=': case ':': case '[': case ']': case '<': case '>': case '"':
    case '-': case '_': case '.': case '~':
        return true;
    default:
        return false;
    }
}

enum class Mode { Other, Host, Zone };

// url.go unescape: only checks, the decoded value is not needed.
Fault checkEscapes(const QString &s, Mode mode)
{
    for (qsizetype i = 0; i < s.size(); ++i) {
        const QChar c = s.at(i);
        if (c == QLatin1Char('%')) {
            if (i + 2 >= s.size() || !isHex(s.at(i + 1)) || !isHex(s.at(i + 2)))
                return Fault::BadEscape;
            // In a host only non-ASCII bytes may be escaped (and %25, the zone introducer).
            if (mode == Mode::Host && hexValue(s.at(i + 1)) < 8 && s.mid(i, 3) != QLatin1String("%25"))
                return Fault::BadEscape;
            i += 2;
            continue;
        }
        if (mode != Mode::Other && c.unicode() < 0x80 && !hostCharAllowed(c.unicode()))
            return Fault::BadHostChar;
    }
    return Fault::None;
}

// url.go validOptionalPort: "" or ":" followed by digits only.
bool validOptionalPort(const QString &p)
{
    if (p.isEmpty())
        return true;
    if (p.at(0) != QLatin1Char(':'))
        return false;
    for (qsizetype i = 1; i < p.size(); ++i) {
        if (p.at(i) < QLatin1Char('0') || p.at(i) > QLatin1Char('9'))
            return false;
    }
    return true;
}

// url.go parseHost, Go 1.26: bracketed IP-literals must be IPv6 addresses
// and start the host (CVE-2025-47912, CVE-2026-25679); outside brackets the
// first colon starts the port (urlstrictcolons=1, the default for go 1.26).
Fault checkHost(const QString &host)
{
    if (host.startsWith(QLatin1Char('['))) {
        const qsizetype close = host.lastIndexOf(QLatin1Char(']'));
        if (close < 0)
            return Fault::BadBrackets;
        if (!validOptionalPort(host.mid(close + 1)))
            return Fault::BadPort;
        const QString inside = host.mid(1, close - 1);
        const qsizetype zone = inside.indexOf(QLatin1String("%25"));
        const QString address = zone >= 0 ? inside.left(zone) : inside;
        QHostAddress a;
        if (!a.setAddress(address) || a.protocol() != QAbstractSocket::IPv6Protocol)
            return Fault::BadBrackets;
        if (zone >= 0) {
            if (const Fault f = checkEscapes(inside.mid(zone + 3), Mode::Zone); f != Fault::None)
                return f;
        }
        return Fault::None;
    }
    if (host.contains(QLatin1Char('[')) || host.contains(QLatin1Char(']')))
        return Fault::BadBrackets;
    if (const qsizetype colon = host.indexOf(QLatin1Char(':')); colon >= 0 && !validOptionalPort(host.mid(colon)))
        return Fault::BadPort;
    return checkEscapes(host, Mode::Host);
}

// url.go validUserinfo.
bool validUserinfo(const QString &s)
{
    for (const QChar qc : s) {
        const char16_t c = qc.unicode();
        if (isAlnum(c))
            continue;
        switch (c) {
        case '-': case '.': case '_': case ':': case '~': case '!': case '$': case '&': case '\'':
        case '(': case ')': case '*': case '+': case ',': case ';': case '=': case '%': case '@':
            continue;
        default:
            return false;
        }
    }
    return true;
}

// url.go Parse (not ParseRequestURI), reduced to what validateURL reads.
Parsed goParse(const QString &raw)
{
    Parsed p;
    for (const QChar c : raw) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f) {
            p.fault = Fault::ControlChar;
            return p;
        }
    }
    const qsizetype hash = raw.indexOf(QLatin1Char('#'));
    const QString main = hash >= 0 ? raw.left(hash) : raw;
    if (hash >= 0) {
        if (const Fault f = checkEscapes(raw.mid(hash + 1), Mode::Other); f != Fault::None) {
            p.fault = f;
            return p;
        }
    }
    // getScheme
    QString rest = main;
    for (qsizetype i = 0; i < main.size(); ++i) {
        const char16_t c = main.at(i).unicode();
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
            continue;
        if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.') {
            if (i == 0)
                break;  // no scheme
            continue;
        }
        if (c == ':') {
            if (i == 0) {
                p.fault = Fault::NoHost;  // "missing protocol scheme"
                return p;
            }
            p.scheme = main.left(i).toLower();
            rest = main.mid(i + 1);
        }
        break;
    }
    // Query: cut at the first '?'; it is not validated.
    if (const qsizetype q = rest.indexOf(QLatin1Char('?')); q >= 0)
        rest = rest.left(q);
    if (!rest.startsWith(QLatin1Char('/')))
        return p;  // opaque (scheme:foo): no host
    if (!p.scheme.isEmpty() && rest.startsWith(QLatin1String("//"))) {
        QString authority = rest.mid(2);
        const qsizetype slash = authority.indexOf(QLatin1Char('/'));
        rest = slash >= 0 ? authority.mid(slash) : QString();
        if (slash >= 0)
            authority = authority.left(slash);
        // parseAuthority: the last '@' ends the userinfo.
        const qsizetype at = authority.lastIndexOf(QLatin1Char('@'));
        p.host = at >= 0 ? authority.mid(at + 1) : authority;
        if (const Fault f = checkHost(p.host); f != Fault::None) {
            p.fault = f;
            return p;
        }
        if (at >= 0) {
            const QString userinfo = authority.left(at);
            if (!validUserinfo(userinfo)) {
                p.fault = Fault::BadUserinfo;
                return p;
            }
            p.hasUser = true;
            const qsizetype colon = userinfo.indexOf(QLatin1Char(':'));
            p.user = colon >= 0 ? userinfo.left(colon) : userinfo;
            p.pass = colon >= 0 ? userinfo.mid(colon + 1) : QString();
            if (const Fault f = checkEscapes(p.user, Mode::Other); f != Fault::None) {
                p.fault = f;
                return p;
            }
            if (const Fault f = checkEscapes(p.pass, Mode::Other); f != Fault::None) {
                p.fault = f;
                return p;
            }
        }
    }
    // setPath
    p.fault = checkEscapes(rest, Mode::Other);
    return p;
}

const QString kExample = QStringLiteral("rtsp://192.168.1.20:554/stream1");

// For reasons and logs: any credentials hidden, even in a URL that does not parse.
QString masked(const QString &source)
{
    const qsizetype start = source.indexOf(QLatin1String("://"));
    const qsizetype at = source.lastIndexOf(QLatin1Char('@'));
    if (start < 0 || at < start)
        return source;
    return source.left(start + 3) + QStringLiteral("***") + source.mid(at);
}

QString hintFor(Fault f)
{
    switch (f) {
    case Fault::ControlChar:
        return QStringLiteral("Remove the control characters (tab, line break) from the address.");
    case Fault::BadEscape:
        return QStringLiteral("Every % must start a two-digit hex escape such as %20; write a literal % as %25 (in the host only non-ASCII may be escaped).");
    case Fault::BadHostChar:
        return QStringLiteral("The host may hold only letters, digits, '-', '.', or an IPv6 address in brackets, e.g. %1.").arg(kExample);
    case Fault::BadPort:
        return QStringLiteral("After the host put only ':' and a port number, e.g. %1; percent-encode ':' '/' '?' '#' inside a password (%3A %2F %3F %23).").arg(kExample);
    case Fault::BadBrackets:
        return QStringLiteral("Only an IPv6 address may stand in brackets, at the start of the host, e.g. rtsp://[fd00::20]:554/stream1.");
    case Fault::BadUserinfo:
        return QStringLiteral("Percent-encode special characters in the user name or password (space %20, \" %22, [ %5B, ] %5D, \\ %5C, ^ %5E, ` %60, { %7B, | %7C, } %7D, non-ASCII as UTF-8).");
    case Fault::NoHost:
        return QStringLiteral("Write the address as rtsp://host[:port]/path, e.g. %1.").arg(kExample);
    case Fault::HalfCredentials:
        return QStringLiteral("Give both a user name and a password (rtsp://user:password@host/path), or neither.");
    case Fault::MissingPort:
        return QStringLiteral("Add the port after the host.");
    case Fault::NeedsSdp:
    case Fault::UnknownSource:
    case Fault::None:
        break;
    }
    return QStringLiteral("The address must start with rtsp:// or rtsps:// (lower case), e.g. %1.").arg(kExample);
}

UrlVerdict refuse(const QString &source, Fault f)
{
    UrlVerdict v;
    switch (f) {
    case Fault::HalfCredentials:
        v.reason = QStringLiteral("username and password must be both provided");  // path.go validateURL
        break;
    case Fault::MissingPort:
        v.reason = QStringLiteral("'%1' is missing the port").arg(masked(source));  // path.go validate
        break;
    case Fault::NeedsSdp:
        v.reason = QStringLiteral("`rtpSDP` was not provided");  // path.go validate
        break;
    case Fault::UnknownSource:
        v.reason = QStringLiteral("invalid source: '%1'").arg(masked(source));  // path.go validate
        break;
    default:
        v.reason = QStringLiteral("'%1' is not a valid URL").arg(masked(source));  // path.go validateURL
        break;
    }
    v.hint = hintFor(f);
    return v;
}

// path.go validateURL
Fault validateUrl(const QString &source)
{
    // reSourcePlaceholderPort, reSourcePlaceholder: regexp-path placeholders.
    static const QRegularExpression placeholderPort(QStringLiteral(":\\$G[0-9]+"));
    static const QRegularExpression placeholder(QStringLiteral("\\$G[0-9]+"));
    QString s = source;
    s.replace(placeholderPort, QStringLiteral(":1935"));
    s.replace(placeholder, QStringLiteral("abc"));
    const Parsed p = goParse(s);
    if (p.fault != Fault::None)
        return p.fault;
    if (p.scheme.isEmpty() || p.host.isEmpty())
        return Fault::NoHost;
    if (p.hasUser && (p.user.isEmpty() != p.pass.isEmpty()))
        return Fault::HalfCredentials;
    return Fault::None;
}

// net.SplitHostPort succeeds: a port separator outside any brackets.
bool hasPort(const QString &source)
{
    const Parsed p = goParse(source);
    if (p.host.startsWith(QLatin1Char('[')))
        return p.host.mid(p.host.lastIndexOf(QLatin1Char(']')) + 1).startsWith(QLatin1Char(':'));
    return p.host.contains(QLatin1Char(':'));
}

} // namespace

UrlVerdict CameraUrlRule::checkSource(const QString &source)
{
    // path.go (*Path).validate, "General" switch: prefixes are case-sensitive.
    const auto starts = [&source](const char *prefix) { return source.startsWith(QLatin1String(prefix)); };
    if (source == QLatin1String("publisher")) {
        UrlVerdict v;
        v.ok = true;
        v.url = source;
        return v;
    }
    Fault f = Fault::None;
    if (starts("rtsp://") || starts("rtsps://") || starts("rtsp+http://") || starts("rtsps+http://") || starts("rtsp+ws://")
        || starts("rtsps+ws://") || starts("rtmp://") || starts("rtmps://") || starts("http://") || starts("https://")
        || starts("srt://") || starts("moqt://") || starts("whep://") || starts("wheps://")) {
        f = validateUrl(source);
    } else if (starts("udp://") || starts("udp+mpegts://")) {
        f = validateUrl(source);
        if (f == Fault::None && !hasPort(source))
            f = Fault::MissingPort;
    } else if (starts("udp+rtp://")) {
        f = validateUrl(source);
        if (f == Fault::None)
            f = hasPort(source) ? Fault::NeedsSdp : Fault::MissingPort;  // the station never writes rtpSDP
    } else if (starts("unix+rtp://")) {
        f = Fault::NeedsSdp;
    } else if (starts("unix+mpegts://")) {
        f = Fault::None;  // not checked by MediaMTX
    } else {
        f = Fault::UnknownSource;
    }
    if (f != Fault::None)
        return refuse(source, f);
    UrlVerdict v;
    v.ok = true;
    v.url = source;
    return v;
}

UrlVerdict CameraUrlRule::check(const QString &input)
{
    QString s = input.trimmed();
    if (s.isEmpty()) {
        UrlVerdict v;
        v.reason = QStringLiteral("no address given");
        v.hint = QStringLiteral("Enter the camera's stream address, e.g. %1.").arg(kExample);
        return v;
    }
    // The station pulls RTSP only (cameras/RtspProbe, the identity's default ports).
    const qsizetype sep = s.indexOf(QLatin1String("://"));
    const QString scheme = sep > 0 ? s.left(sep).toLower() : QString();
    if (scheme != QLatin1String("rtsp") && scheme != QLatin1String("rtsps")) {
        UrlVerdict v;
        v.reason = QStringLiteral("not an rtsp:// or rtsps:// address");
        v.hint = hintFor(Fault::UnknownSource);
        return v;
    }
    // MediaMTX matches the prefix case-sensitively (path.go validate); an
    // upper-case scheme is the same URL, so it is written in lower case.
    s = scheme + s.mid(sep);
    UrlVerdict v = checkSource(s);
    if (!v.ok)
        return v;
    // The station keys cameras by the URL without credentials (StreamUrl):
    // it needs a host it can read.
    if (StreamUrl::normalise(s).isEmpty()) {
        v.ok = false;
        v.url.clear();
        v.reason = QStringLiteral("the station cannot read a host name or IP address from '%1'").arg(masked(s));
        v.hint = QStringLiteral("Use a host name or IP address, e.g. %1; percent-encode spaces and other special characters in the path.").arg(kExample);
    }
    return v;
}

} // namespace station::cameras
