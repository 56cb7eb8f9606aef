#include "api/ApiMethods.h"

#include "api/FileListing.h"
#include "api/UrlBuilder.h"
#include "media/FileCatalog.h"
#include "media/RecordingService.h"
#include "media/MediaProbe.h"
#include "rpc/Dispatcher.h"
#include "rpc/ParamReader.h"
#include "rpc/RpcSession.h"

#include <QFileInfo>

#include <memory>

namespace station::api {

using namespace station::rpc;
using media::FileCatalog;
using media::FileEntry;
using media::FileKind;

namespace {

QJsonValue orNull(const QString &s)
{
    return s.isEmpty() ? QJsonValue() : QJsonValue(s);
}

QJsonObject entryJson(const FileEntry &e, FileKind kind, const core::Services &s, const CallContext &ctx)
{
    QJsonObject o{
        {QStringLiteral("filename"), e.filename},
        {QStringLiteral("file_size"), e.size},
        {QStringLiteral("modified_time"), isoTime(e.modified)},
        {QStringLiteral("created_time"), isoTime(e.created)},
        {QStringLiteral("download_url"), s.urls->downloadUrl(FileListing::kindName(kind), e.filename, s.urls->hostFor(ctx.session), ctx.session->identity())},
        {QStringLiteral("device"), orNull(e.device)},
        {QStringLiteral("format"), FileListing::formatOf(e.filename)},
    };
    if (kind == FileKind::Recording)
        o.insert(QStringLiteral("duration"), e.durationSeconds ? QJsonValue(*e.durationSeconds) : QJsonValue());
    return o;
}

Outcome listFiles(FileCatalog *catalog, FileListing &listing, const core::Services &s, const CallContext &ctx, const QJsonObject &params)
{
    ParamReader p(params);
    const qint64 limit = p.optInteger(QStringLiteral("limit"), 50, 1, 1000);
    const qint64 offset = p.optInteger(QStringLiteral("offset"), 0, 0, std::numeric_limits<qint64>::max());
    const QString device = p.maybeDevice().value_or(QString());
    if (p.failed())
        return p.error();
    if (!QFileInfo(catalog->rootDir()).isReadable())
        return RpcError::dependency(QStringLiteral("storage"), QStringLiteral("%1 folder cannot be read").arg(FileListing::kindName(catalog->kind())));
    const FileCatalog::Page page = catalog->list(device, limit, offset);
    return Outcome::serialised(listing.render(catalog->kind(), page, limit, offset, s.urls->hostFor(ctx.session), ctx.session->identity()));
}

Outcome deleteFile(FileCatalog *catalog, const CallContext &, const QJsonObject &params)
{
    ParamReader p(params);
    const QString filename = p.filename();
    if (p.failed())
        return p.error();
    const bool recording = catalog->kind() == FileKind::Recording;
    const QString resource = recording ? QStringLiteral("recording") : QStringLiteral("snapshot");
    const std::optional<FileEntry> entry = catalog->find(filename);
    if (!entry)
        return RpcError::notFound(resource, filename);
    if (catalog->isProtected(*entry))
        return RpcError::invalidState(QStringLiteral("RECORDING"), {QStringLiteral("IDLE")});
    QString error;
    if (!catalog->remove(entry->filename, &error))
        return RpcError::dependency(QStringLiteral("storage"), error);
    return QJsonObject{{QStringLiteral("filename"), entry->filename},
                       {QStringLiteral("deleted"), true},
                       {QStringLiteral("message"), recording ? QStringLiteral("Recording deleted") : QStringLiteral("Snapshot deleted")}};
}

} // namespace

void registerFileMethods(Dispatcher &d, const core::Services &s)
{
    using auth::Role;
    auto listing = std::make_shared<FileListing>(*s.urls);
    d.registerSync(QStringLiteral("list_recordings"), Role::Viewer, [s, listing](const CallContext &ctx, const QJsonObject &params) {
        return listFiles(s.recordings, *listing, s, ctx, params);
    });
    d.registerSync(QStringLiteral("list_snapshots"), Role::Viewer, [s, listing](const CallContext &ctx, const QJsonObject &params) {
        return listFiles(s.snapshots, *listing, s, ctx, params);
    });

    d.registerSync(QStringLiteral("get_recording_info"), Role::Viewer, [s](const CallContext &ctx, const QJsonObject &params) -> Outcome {
        ParamReader p(params);
        const QString filename = p.filename();
        if (p.failed())
            return p.error();
        std::optional<FileEntry> e = s.recordings->find(filename);
        if (!e)
            return RpcError::notFound(QStringLiteral("recording"), filename);
        e->durationSeconds = s.recordings->duration(*e);
        QJsonObject o = entryJson(*e, FileKind::Recording, s, ctx);
        o.insert(QStringLiteral("duration"), e->durationSeconds.value_or(0));
        o.insert(QStringLiteral("session_id"), orNull(s.recordingService->sessionIdForFile(e->filename).value_or(e->sessionId)));
        o.insert(QStringLiteral("in_progress"), s.recordingService->isFileInProgress(e->filename));
        return o;
    });

    d.registerSync(QStringLiteral("get_snapshot_info"), Role::Viewer, [s](const CallContext &ctx, const QJsonObject &params) -> Outcome {
        ParamReader p(params);
        const QString filename = p.filename();
        if (p.failed())
            return p.error();
        const std::optional<FileEntry> e = s.snapshots->find(filename);
        if (!e)
            return RpcError::notFound(QStringLiteral("snapshot"), filename);
        QJsonObject o = entryJson(*e, FileKind::Snapshot, s, ctx);
        const QSize size = media::MediaProbe::imageSize(e->absolutePath);
        o.insert(QStringLiteral("resolution"), size.isValid() ? QStringLiteral("%1x%2").arg(size.width()).arg(size.height()) : QString());
        return o;
    });

    d.registerSync(QStringLiteral("delete_recording"), Role::Admin, [s](const CallContext &ctx, const QJsonObject &params) {
        return deleteFile(s.recordings, ctx, params);
    });
    d.registerSync(QStringLiteral("delete_snapshot"), Role::Admin, [s](const CallContext &ctx, const QJsonObject &params) {
        return deleteFile(s.snapshots, ctx, params);
    });
}

} // namespace station::api
