#pragma once

#include "media/CaptureError.h"
#include "rpc/RpcError.h"

namespace station::api {

// A service's refusal in the contract's terms; `resourceId` is the camera ID sent.
inline rpc::RpcError toRpcError(const media::CaptureError &e, const QString &resourceId)
{
    using K = media::CaptureError::Kind;
    switch (e.kind) {
    case K::NotFound: return rpc::RpcError::notFound(QStringLiteral("camera"), resourceId);
    case K::InvalidState: return rpc::RpcError::invalidState(e.state, e.allowedStates);
    case K::Unsupported: return rpc::RpcError::unsupported(e.feature);
    case K::Dependency: return rpc::RpcError::dependency(e.dependency, e.detail);
    case K::None: break;
    }
    return rpc::RpcError::internal(QString());
}

} // namespace station::api
