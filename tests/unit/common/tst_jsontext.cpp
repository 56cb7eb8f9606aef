#include "common/IsoTime.h"
#include "common/JsonText.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using station::common::JsonText;

// JsonText writes listings' JSON by hand: it must give exactly what
// QJsonDocument::Compact gives for the same values, escapes included.
class TestJsonText : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void matchesQJsonDocument_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("plain") << QStringLiteral("camera0_2025-01-15_14-30-00-123456.mp4");
        QTest::newRow("empty") << QString();
        QTest::newRow("quotes and backslash") << QStringLiteral("a\"b\\c\"");
        QTest::newRow("control characters") << QStringLiteral("tab\there\nnew\rline\x01\x1f\b\f");
        QTest::newRow("non-ASCII") << QStringLiteral("Kamera \u00e9t\u00e9 \u6444\u50cf\u5934 \U0001F4F7");
        QTest::newRow("slash and url") << QStringLiteral("http://h:8002/files/x.jpg?token=a.b-c_d");
    }
    void matchesQJsonDocument()
    {
        QFETCH(QString, text);
        const QDateTime t = QDateTime::fromMSecsSinceEpoch(1736951400123, Qt::UTC);
        const QJsonObject expected{{QStringLiteral("a"), text},
                                   {QStringLiteral("b"), QJsonArray{qint64(0), qint64(-5), qint64(10856431), qint64(9007199254740991LL)}},
                                   {QStringLiteral("c"), QJsonValue()},
                                   {QStringLiteral("d"), station::common::isoTime(t)},
                                   {QStringLiteral("e"), QJsonObject{}},
                                   {QStringLiteral("f"), text + text}};
        JsonText out;
        out.beginObject();
        out.key(QLatin1StringView("a")).string(text);
        out.key(QLatin1StringView("b")).beginArray().integer(0).integer(-5).integer(10856431).integer(9007199254740991LL).endArray();
        out.key(QLatin1StringView("c")).null();
        out.key(QLatin1StringView("d")).isoTime(t);
        out.key(QLatin1StringView("e")).beginObject().endObject();
        out.key(QLatin1StringView("f")).stringParts(text.toUtf8(), text.toUtf8());
        out.endObject();
        const QByteArray got = out.take();
        QCOMPARE(got, QJsonDocument(expected).toJson(QJsonDocument::Compact));
        QJsonParseError err;
        QCOMPARE(QJsonDocument::fromJson(got, &err).object(), expected);
        QCOMPARE(err.error, QJsonParseError::NoError);
    }
    void isoTimeMatchesTheContractFormat()
    {
        for (const qint64 ms : {-1LL, -86400001LL, 0LL, 1736951400123LL, 951782400999LL /* 2000-02-29 */, 4102444799000LL, 1796470436472LL}) {
            const QDateTime t = QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
            JsonText out;
            out.isoTime(t);
            // Qt's own rendering is the reference: the hand-written formatter must match it.
            QCOMPARE(out.take(), '"' + t.toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzzZ")).toUtf8() + '"');
        }
        JsonText invalid;
        invalid.isoTime(QDateTime());
        QCOMPARE(invalid.take(), QByteArray("\"\""));
    }
};

QTEST_GUILESS_MAIN(TestJsonText)
#include "tst_jsontext.moc"
