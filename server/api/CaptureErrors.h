#pragma once

#include "media/CaptureError.h"
#include "rpc/RpcError.h"

namespace station::api {

// A service's refusal in the contract's terms (API.md §2.5 error table): NotFound -32010,
// InvalidState -32020, Unsupported -32030, Dependency -32050, InvalidInput -32602
// with the input's name as `param`. `resourceId` is the camera ID sent.
inline rpc::RpcError toRpcError(const media::CaptureError &e, const QString &resourceId)
{
    using K = media::CaptureError::Kind;
    switch (e.kind) {
    case K::NotFound: return rpc::RpcError::notFound(QStringLiteral("camera"), resourceId);
    case K::InvalidState: return rpc::RpcError::invalidState(e.state, e.allowedStates);
    case K::Unsupported: return rpc::RpcError::unsupported(e.feature);
    case K::Dependency: return rpc::RpcError::dependency(media::dependencyName(e.dependency), e.detail);
    case K::InvalidInput:
        return rpc::RpcError::invalidParams(e.input, e.rule, e.detail, e.limit ? QJsonValue(double(*e.limit)) : QJsonValue());
    case K::None: break;
    }
    return rpc::RpcError::internal(QString());
}

} // namespace station::api
