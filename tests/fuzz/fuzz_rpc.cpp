// The JSON-RPC pipeline: envelope → rate limit → method → authentication →
// role → params → handler, with the real authenticate (JWT and API keys).
// Every message gets a well-formed answer or none; nothing crashes.
#include "FuzzSupport.h"

#include "api/ApiMethods.h"
#include "auth/ApiKeyStore.h"
#include "auth/JwtService.h"
#include "config/Config.h"
#include "health/MetricsRegistry.h"
#include "rpc/Dispatcher.h"
#include "rpc/ParamReader.h"
#include "rpc/RpcSession.h"

#include <QJsonDocument>
#include <QTemporaryDir>

#include <cstdint>
#include <cstdlib>
#include <memory>

using namespace station;

namespace {

struct Harness {
    QTemporaryDir dir;
    config::Config config;
    health::MetricsRegistry metrics;
    std::unique_ptr<auth::JwtService> jwt;
    std::unique_ptr<auth::ApiKeyStore> keys;
    std::unique_ptr<rpc::Dispatcher> dispatcher;
    core::Services services;

    Harness()
    {
        config::ConfigSources src;
        src.environment = QProcessEnvironment();
        src.dataDir = dir.path();
        src.sets = {QStringLiteral("security.rate_limit.per_second=1000000"), QStringLiteral("security.rate_limit.burst=1000000"),
                    QStringLiteral("security.rate_limit.per_address_per_second=1000000"),
                    QStringLiteral("security.rate_limit.per_address_burst=1000000")};
        config = config::Config::load(src).config;
        jwt = std::make_unique<auth::JwtService>(QByteArrayLiteral("fuzz-secret-0123456789abcdef0123456789"));
        keys = std::make_unique<auth::ApiKeyStore>(dir.filePath(QStringLiteral("keys.json")));
        dispatcher = std::make_unique<rpc::Dispatcher>(config, &metrics);
        services.config = &config;
        services.jwt = jwt.get();
        services.apiKeys = keys.get();
        services.metrics = &metrics;
        api::registerSessionMethods(*dispatcher, services);
        // A method of each role that reads every kind of parameter.
        const auto echo = [](const rpc::CallContext &, const QJsonObject &params) -> rpc::Outcome {
            rpc::ParamReader p(params);
            p.optInteger(QStringLiteral("limit"), 50, 1, 1000);
            p.maybeDevice();
            if (p.has(QStringLiteral("filename")))
                p.filename();
            p.maybeStringArray(QStringLiteral("topics"), 64);
            p.maybeNumber(QStringLiteral("max_size_gb"));
            p.optBool(QStringLiteral("debug"), false);
            p.maybeObject(QStringLiteral("filters"));
            if (p.failed())
                return p.error();
            return QJsonObject{{QStringLiteral("ok"), true}};
        };
        dispatcher->registerSync(QStringLiteral("viewer_method"), auth::Role::Viewer, echo);
        dispatcher->registerSync(QStringLiteral("admin_method"), auth::Role::Admin, echo);
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz::initQt();
    static Harness h;
    static const QByteArray token = h.jwt->mintSession(QStringLiteral("fuzzer"), auth::Role::Operator, 3600);
    rpc::RpcSession session(QStringLiteral("conn-fuzz"), QHostAddress::LocalHost, QStringLiteral("127.0.0.1:8002"));
    h.dispatcher->attach(&session);
    session.sendHook = [](const QByteArray &out) {
        const QJsonDocument doc = QJsonDocument::fromJson(out);
        if (doc.isNull())
            std::abort();  // every answer is JSON
    };
    // Half the inputs run on an authenticated connection, to reach role and params checks.
    if (size > 0 && (data[0] & 1)) {
        h.dispatcher->handleMessage(&session, QByteArrayLiteral(R"({"jsonrpc":"2.0","method":"authenticate","params":{"auth_token":")")
                                                  + token + QByteArrayLiteral(R"("},"id":0})"));
    }
    h.dispatcher->handleMessage(&session, QByteArray(reinterpret_cast<const char *>(data), qsizetype(size)));
    h.dispatcher->forgetAddress(session.peerKey());
    return 0;
}
