#include "common/IsoTime.h"

#include <QTest>
#include <QTimeZone>

using station::common::isoTime;

class TestIsoTime : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void contractFormat_data();
    void contractFormat();
    void invalidIsEmpty();
    void readsBackAsTheSameInstant();
};

void TestIsoTime::contractFormat_data()
{
    QTest::addColumn<QDateTime>("time");
    QTest::addColumn<QString>("expected");
    const QDate d(2025, 1, 15);
    QTest::newRow("utc whole second") << QDateTime(d, QTime(14, 30, 0), Qt::UTC) << QStringLiteral("2025-01-15T14:30:00.000Z");
    QTest::newRow("milliseconds padded") << QDateTime(d, QTime(14, 30, 0, 7), Qt::UTC) << QStringLiteral("2025-01-15T14:30:00.007Z");
    QTest::newRow("offset converted to utc") << QDateTime(d, QTime(1, 2, 3, 450), QTimeZone(3600 * 5 + 1800))
                                             << QStringLiteral("2025-01-14T19:32:03.450Z");
    QTest::newRow("year padded") << QDateTime(QDate(999, 12, 31), QTime(23, 59, 59, 999), Qt::UTC) << QStringLiteral("0999-12-31T23:59:59.999Z");
}

void TestIsoTime::contractFormat()
{
    QFETCH(QDateTime, time);
    QFETCH(QString, expected);
    QCOMPARE(isoTime(time), expected);
    // The API key list used Qt::ISODateWithMs; the keys file and `keys list` output keep their text.
    QCOMPARE(isoTime(time), time.toUTC().toString(Qt::ISODateWithMs));
}

void TestIsoTime::invalidIsEmpty()
{
    QCOMPARE(isoTime(QDateTime()), QString());
}

void TestIsoTime::readsBackAsTheSameInstant()
{
    const QDateTime now = QDateTime::currentDateTime();  // local time
    const QDateTime back = QDateTime::fromString(isoTime(now), Qt::ISODateWithMs);
    QVERIFY(back.isValid());
    QCOMPARE(back.toMSecsSinceEpoch(), now.toMSecsSinceEpoch());
}

QTEST_GUILESS_MAIN(TestIsoTime)
#include "tst_isotime.moc"
