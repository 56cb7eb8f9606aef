// The WebSocket frame path of the API port (issue 12 #8): our own ApiServer,
// listening on loopback inside this process, with the real Dispatcher and the
// session methods (ping, authenticate, subscribe, ...). Each input is written,
// after a valid upgrade handshake, as raw bytes on a fresh TCP connection, so
// it runs through everything a remote client reaches: ApiServer's routing and
// limits, Qt's QWebSocketServer/QWebSocket frame parser (masking, lengths,
// fragmentation, control frames, close codes, UTF-8 checks), then our inbox,
// slicing and JSON-RPC handling. A masked text frame asking `ping` (id "probe")
// follows the input.
//
// Checks, besides no crash and no ASan/UBSan report:
// - the upgrade succeeds (101) for every input: earlier inputs never break the
//   listener;
// - everything the server sends is well-formed: unmasked frames, no RSV bits,
//   known opcodes, control frames short and unfragmented, close codes a server
//   may send with UTF-8 reasons, text messages valid UTF-8 JSON objects;
// - when the input is a whole number of frames (by the harness's own reading of
//   the headers), the probe starts on a frame boundary, so the server either
//   answers it or closes (close frame or TCP close);
// - once the client goes away, the server drops the connection within 2 s
//   (a hang, or a connection it forgets to free, aborts).
//
// The seeds use the zero masking key, so their payloads read as plain text and
// libFuzzer's mutations of JSON stay JSON-like. Not covered: TLS (the API port
// is plain), permessage-deflate (Qt does not negotiate it), more than one
// connection at a time, and what only time brings (pings, deadlines, slow
// readers: tst_hostile_network and the soak). FUZZ_WS_VERBOSE=1 prints, per
// input, what the server answered and how long each step took.
#include "FuzzSupport.h"

#include "api/ApiMethods.h"
#include "auth/ApiKeyStore.h"
#include "auth/JwtService.h"
#include "config/Config.h"
#include "events/EventBus.h"
#include "health/MetricsRegistry.h"
#include "net/ApiServer.h"
#include "rpc/Dispatcher.h"

#include <QAbstractEventDispatcher>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringDecoder>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QThread>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

using namespace station;

namespace {

[[noreturn]] void fail(const char *why, const QByteArray &detail = {})
{
    std::fprintf(stderr, "fuzz_ws_frame: %s %s\n", why, detail.left(200).toHex(' ').constData());
    std::abort();
}

struct Harness {
    QTemporaryDir dir;
    config::Config config;
    health::MetricsRegistry metrics;
    events::EventBus bus;
    std::unique_ptr<auth::JwtService> jwt;
    std::unique_ptr<auth::ApiKeyStore> keys;
    std::unique_ptr<rpc::Dispatcher> dispatcher;
    core::Services services;
    std::unique_ptr<net::ApiServer> server;
    quint16 port = 0;

    Harness()
    {
        config::ConfigSources src;
        src.environment = QProcessEnvironment();
        src.dataDir = dir.path();
        // Every input comes from 127.0.0.1 on a new connection: no per-address or
        // rate limits that would make one input's outcome depend on earlier ones.
        src.sets = {QStringLiteral("server.host=127.0.0.1"), QStringLiteral("server.port=0"),
                    QStringLiteral("server.max_connections_per_address=0"),
                    QStringLiteral("security.rate_limit.per_second=1000000"), QStringLiteral("security.rate_limit.burst=1000000"),
                    QStringLiteral("security.rate_limit.per_address_per_second=1000000"),
                    QStringLiteral("security.rate_limit.per_address_burst=1000000")};
        const auto loaded = config::Config::load(src);
        config = loaded.config;
        jwt = std::make_unique<auth::JwtService>(QByteArrayLiteral("fuzz-secret-0123456789abcdef0123456789"));
        keys = std::make_unique<auth::ApiKeyStore>(dir.filePath(QStringLiteral("keys.json")));
        dispatcher = std::make_unique<rpc::Dispatcher>(config, &metrics);
        services.config = &config;
        services.jwt = jwt.get();
        services.apiKeys = keys.get();
        services.metrics = &metrics;
        services.events = &bus;
        api::registerSessionMethods(*dispatcher, services);
        server = std::make_unique<net::ApiServer>(config, dispatcher.get(), &bus, &metrics);
        QString error;
        if (!server->listen(&error))
            fail("cannot listen:", error.toUtf8());
        port = server->port();
    }
};

// One turn of the event loop without waiting; true if anything was handled.
bool turn()
{
    return QThread::currentThread()->eventDispatcher()->processEvents(QEventLoop::AllEvents);
}

// Runs the event loop until pred() holds or timeoutMs passed (wall time), waking
// at least every millisecond.
bool pumpUntil(const std::function<bool()> &pred, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (!pred()) {
        if (t.elapsed() >= timeoutMs)
            return false;
        if (!turn())
            QThread::usleep(50);
    }
    return true;
}

// Runs the event loop until nothing is left to do for a few consecutive turns
// (everything written on loopback has been read and handled by both sides).
void settle(int maxMs)
{
    QElapsedTimer t;
    t.start();
    int idle = 0;
    while (idle < 3 && t.elapsed() < maxMs) {
        if (turn()) {
            idle = 0;
        } else {
            ++idle;
            QThread::usleep(20);
        }
    }
}

// A client frame header as RFC 6455 §5.2 lays it out; only what is needed to find
// where the next frame starts.
std::optional<qsizetype> clientFrameEnd(const QByteArray &b, qsizetype at)
{
    if (b.size() - at < 2)
        return std::nullopt;
    const auto u = [&](qsizetype i) { return quint8(b[at + i]); };
    const bool masked = u(1) & 0x80;
    quint64 len = u(1) & 0x7f;
    qsizetype pos = 2;
    if (len == 126) {
        if (b.size() - at < 4)
            return std::nullopt;
        len = (quint64(u(2)) << 8) | u(3);
        pos = 4;
    } else if (len == 127) {
        if (b.size() - at < 10)
            return std::nullopt;
        len = 0;
        for (int i = 0; i < 8; ++i)
            len = (len << 8) | u(2 + i);
        pos = 10;
    }
    if (masked)
        pos += 4;
    if (b.size() - at < pos || len > quint64(b.size() - at - pos))
        return std::nullopt;
    return at + pos + qsizetype(len);
}

bool allowedServerCloseCode(int code)
{
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) || (code >= 3000 && code <= 4999);
}

struct ServerOutput {
    bool closeFrame = false;
    bool probeAnswered = false;
};

// Parses what the server sent after the 101 and checks it is well-formed.
ServerOutput checkServerFrames(const QByteArray &b)
{
    ServerOutput out;
    QByteArray message;
    bool inMessage = false;
    qsizetype at = 0;
    while (b.size() - at >= 2) {
        const quint8 b0 = quint8(b[at]), b1 = quint8(b[at + 1]);
        const bool fin = b0 & 0x80;
        const int opcode = b0 & 0x0f;
        if (b0 & 0x70)
            fail("server frame with RSV bits", b.mid(at, 16));
        if (b1 & 0x80)
            fail("masked server frame", b.mid(at, 16));
        quint64 len = b1 & 0x7f;
        qsizetype pos = at + 2;
        if (len == 126) {
            if (b.size() - pos < 2)
                break;
            len = (quint64(quint8(b[pos])) << 8) | quint8(b[pos + 1]);
            pos += 2;
        } else if (len == 127) {
            if (b.size() - pos < 8)
                break;
            len = 0;
            for (int i = 0; i < 8; ++i)
                len = (len << 8) | quint8(b[pos + i]);
            pos += 8;
        }
        if (len > quint64(b.size() - pos))
            break;  // the rest did not arrive (the server still writing): nothing to judge
        const QByteArray payload = b.mid(pos, qsizetype(len));
        at = pos + qsizetype(len);
        switch (opcode) {
        case 0x8: {
            if (!fin || len > 125 || len == 1)
                fail("bad close frame from the server", payload);
            if (len >= 2) {
                const int code = (quint8(payload[0]) << 8) | quint8(payload[1]);
                if (!allowedServerCloseCode(code))
                    fail("close code a server must not send", payload);
                QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
                (void)utf8.decode(payload.mid(2));
                if (utf8.hasError())
                    fail("close reason is not UTF-8", payload);
            }
            out.closeFrame = true;
            return out;  // nothing may follow a close frame
        }
        case 0x9:
        case 0xA:
            if (!fin || len > 125)
                fail("bad control frame from the server", payload);
            break;
        case 0x1:
        case 0x2:
            if (inMessage)
                fail("new message inside a fragmented one", payload);
            if (opcode == 0x2)
                fail("binary message from the server", payload);
            message = payload;
            inMessage = !fin;
            break;
        case 0x0:
            if (!inMessage)
                fail("continuation without a message", payload);
            message += payload;
            inMessage = !fin;
            break;
        default:
            fail("unknown opcode from the server", b.mid(at, 16));
        }
        if ((opcode == 0x1 || opcode == 0x0) && !inMessage) {
            QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
            (void)utf8.decode(message);
            if (utf8.hasError())
                fail("text message is not UTF-8", message);
            const QJsonDocument doc = QJsonDocument::fromJson(message);
            if (!doc.isObject() && !doc.isArray())
                fail("text message is not JSON", message);
            if (doc.isObject() && doc.object().value(QLatin1String("id")) == QLatin1String("probe"))
                out.probeAnswered = true;
        }
    }
    return out;
}

QByteArray maskedText(const QByteArray &payload)
{
    QByteArray f;
    f.append(char(0x81));
    f.append(char(0x80 | payload.size()));  // < 126
    f.append(4, '\0');                      // zero mask: the payload as is
    return f + payload;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz::initQt();
    static Harness h;
    static const QByteArray upgrade = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    static const QByteArray probe = maskedText(R"({"jsonrpc":"2.0","method":"ping","id":"probe"})");
    const QByteArray input(reinterpret_cast<const char *>(data), qsizetype(size));

    QTcpSocket client;
    QByteArray received;
    bool closedByServer = false;
    // The server does not set TCP_NODELAY: a second small answer waits for the ACK
    // of the first, which a client in delayed-ACK mode holds back for 40 ms. Keep
    // this client acknowledging at once so an input takes ms, not 40 ms per answer.
    const auto quickAck = [&client] {
        const int one = 1;
        ::setsockopt(int(client.socketDescriptor()), IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
    };
    QObject::connect(&client, &QTcpSocket::readyRead, [&] {
        received += client.readAll();
        quickAck();
    });
    QObject::connect(&client, &QTcpSocket::disconnected, [&] { closedByServer = true; });
    static const bool verbose = qEnvironmentVariableIsSet("FUZZ_WS_VERBOSE");
    QElapsedTimer tm;
    tm.start();
    QByteArray times;
    const auto mark = [&](const char *what) {
        if (verbose)
            times += what + QByteArray(" ") + QByteArray::number(double(tm.nsecsElapsed()) / 1e6, 'f', 2) + " ms ";
    };
    client.connectToHost(QHostAddress::LocalHost, h.port);
    if (!pumpUntil([&] { return client.state() == QAbstractSocket::ConnectedState; }, 2000))
        fail("cannot connect to the API port");
    mark("connected");
    client.write(upgrade);
    if (!pumpUntil([&] { return received.contains("\r\n\r\n") || closedByServer; }, 2000) || !received.startsWith("HTTP/1.1 101"))
        fail("upgrade refused", received);
    const qsizetype headEnd = received.indexOf("\r\n\r\n") + 4;
    if (!pumpUntil([&] { return h.server->connectionCount() == 1; }, 2000))
        fail("the upgraded connection is not registered");
    mark("upgraded");

    // Is the input a whole number of client frames? Then the probe starts on a frame boundary.
    qsizetype at = 0;
    while (at < input.size()) {
        const auto end = clientFrameEnd(input, at);
        if (!end)
            break;
        at = *end;
    }
    const bool aligned = at == input.size();

    quickAck();
    client.write(input + probe);
    client.flush();
    settle(500);
    mark("settled");
    ServerOutput out = checkServerFrames(received.mid(headEnd));
    if (aligned && !out.probeAnswered && !out.closeFrame && !closedByServer) {
        // Give a slow turn (sanitizers, a loaded machine) a real chance before calling it a hang.
        pumpUntil([&] { return closedByServer || checkServerFrames(received.mid(headEnd)).probeAnswered
                               || checkServerFrames(received.mid(headEnd)).closeFrame; }, 1000);
        out = checkServerFrames(received.mid(headEnd));
        if (!out.probeAnswered && !out.closeFrame && !closedByServer)
            fail("whole frames followed by a ping request: neither answered nor closed; input", input);
    }

    if (verbose) {
        std::fprintf(stderr, "input %zu bytes, whole frames %s: probe answered %d, close frame %d, TCP closed by server %d; server sent %s\n",
                     size, aligned ? "yes" : "no", out.probeAnswered, out.closeFrame, closedByServer,
                     received.mid(headEnd).left(120).toPercentEncoding(" {}\":,[]").constData());
    }

    // The client goes away; the server must let go of the connection.
    client.abort();
    if (!pumpUntil([&] { return h.server->connectionCount() == 0; }, 2000))
        fail("the server kept the connection after the client left; input", input);
    mark("dropped");
    if (verbose)
        std::fprintf(stderr, "  %s\n", times.constData());
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    return 0;
}
