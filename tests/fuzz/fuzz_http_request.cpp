// The HTTP request-head parser shared by 8002 and 8003 (issue 12 #4): whatever
// the bytes, it must not crash, must agree with itself when more bytes follow
// the head, and a head it accepts has unambiguous framing (no Transfer-Encoding,
// at most one plain decimal Content-Length).
#include "net/HttpRequest.h"

#include <QByteArray>

#include <algorithm>
#include <cstdint>
#include <cstdlib>

using station::net::HttpRequest;
using station::net::HttpRequestParser;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray buffer(reinterpret_cast<const char *>(data), qsizetype(size));
    HttpRequest req;
    int status = -1;
    const HttpRequestParser::Status result = HttpRequestParser::parse(buffer, &req, &status);
    switch (result) {
    case HttpRequestParser::Status::Incomplete:
        if (buffer.size() > HttpRequestParser::kMaxHeaderBytes)
            std::abort();  // an endless head must be refused (431), not waited for
        break;
    case HttpRequestParser::Status::Error:
        if (status != 400 && status != 431)
            std::abort();
        break;
    case HttpRequestParser::Status::Complete: {
        if (status != 0 || req.headerBytes <= 0 || req.headerBytes > buffer.size() || req.headerBytes > HttpRequestParser::kMaxHeaderBytes)
            std::abort();
        if (req.method.isEmpty() || !req.target.startsWith('/') || !req.version.startsWith("HTTP/1."))
            std::abort();
        if (req.headers.contains("transfer-encoding"))
            std::abort();
        const QByteArray cl = req.header("content-length");
        if (req.headers.contains("content-length")
            && (cl.isEmpty() || !std::all_of(cl.begin(), cl.end(), [](char c) { return c >= '0' && c <= '9'; })))
            std::abort();
        // What follows the head (a body, the next pipelined request) never changes how the head parses.
        HttpRequest again;
        int status2 = -1;
        if (HttpRequestParser::parse(buffer + "GET /x HTTP/1.1\r\n\r\n", &again, &status2) != HttpRequestParser::Status::Complete
            || again.headerBytes != req.headerBytes || again.headers != req.headers)
            std::abort();
        break;
    }
    }
    return 0;
}
