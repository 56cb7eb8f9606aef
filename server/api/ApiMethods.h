#pragma once

#include "core/Services.h"

namespace station::rpc { class Dispatcher; class RpcSession; }

namespace station::api {

// Thin handlers: validate params, call a service, shape the result per API.md.
void registerSessionMethods(rpc::Dispatcher &d, const core::Services &s);
void registerFileMethods(rpc::Dispatcher &d, const core::Services &s);
void registerSystemMethods(rpc::Dispatcher &d, const core::Services &s);
void registerEventMethods(rpc::Dispatcher &d, const core::Services &s);
void registerCameraMethods(rpc::Dispatcher &d, const core::Services &s);
void registerStreamMethods(rpc::Dispatcher &d, const core::Services &s);
void registerExternalStreamMethods(rpc::Dispatcher &d, const core::Services &s);

inline void registerAllMethods(rpc::Dispatcher &d, const core::Services &s)
{
    registerSessionMethods(d, s);
    registerFileMethods(d, s);
    registerSystemMethods(d, s);
    registerEventMethods(d, s);
    registerCameraMethods(d, s);
    registerStreamMethods(d, s);
    registerExternalStreamMethods(d, s);
}

} // namespace station::api
