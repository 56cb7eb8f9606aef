#include "cameras/CameraUrlRule.h"
#include "cameras/StreamUrl.h"

#include <QTest>

using namespace station::cameras;

// Each row cites the MediaMTX v1.20.1 (or Go 1.26 net/url) code it mirrors:
//   P = internal/conf/path.go (*Path).validate, V = internal/conf/path.go validateURL,
//   U = Go src/net/url/url.go (function named), S = the station's own rule (CameraUrlRule::check).
class TestCameraUrlRule : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // MediaMTX's rule for a `source` as written (no normalising).
    void source_data()
    {
        QTest::addColumn<QString>("source");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("reason");  // substring of the refusal

        const QString notUrl = QStringLiteral("is not a valid URL");
        const QString both = QStringLiteral("username and password must be both provided");
        const QString invalid = QStringLiteral("invalid source");
        // accepted
        QTest::newRow("P: publisher") << "publisher" << true << "";
        QTest::newRow("P+V: rtsp host path") << "rtsp://cam/stream1" << true << "";
        QTest::newRow("P+V: rtsps with port") << "rtsps://10.0.0.2:322/live" << true << "";
        QTest::newRow("P+V: rtsp no path") << "rtsp://cam" << true << "";
        QTest::newRow("V: user and password") << "rtsp://admin:secret@cam:554/s" << true << "";
        QTest::newRow("U validUserinfo: @ in password (last @ ends userinfo)") << "rtsp://admin:p@ss@cam/s" << true << "";
        QTest::newRow("U validUserinfo: sub-delims in password") << "rtsp://u:!$&'()*+,;=~._-@cam/s" << true << "";
        QTest::newRow("U unescape: escaped space in password") << "rtsp://u:a%20b@cam/s" << true << "";
        QTest::newRow("V: empty user and password both") << "rtsp://:@cam/s" << true << "";
        QTest::newRow("V: empty userinfo") << "rtsp://@cam/s" << true << "";
        QTest::newRow("U parse: query not validated") << "rtsp://cam/s?x=%zz" << true << "";
        QTest::newRow("U parseHost: IPv6 in brackets") << "rtsp://[fd00::1]:554/s" << true << "";
        QTest::newRow("U parseHost: empty port") << "rtsp://cam:/s" << true << "";
        QTest::newRow("U setPath: space in path") << "rtsp://cam/a b" << true << "";
        QTest::newRow("V: placeholder port $G1") << "rtsp://cam:$G1/s" << true << "";
        QTest::newRow("P: rtsp+http") << "rtsp+http://cam/s" << true << "";
        QTest::newRow("P: rtmp") << "rtmp://cam/app/s" << true << "";
        QTest::newRow("P: udp with port") << "udp://238.0.0.1:1234" << true << "";
        QTest::newRow("P: unix+mpegts unchecked") << "unix+mpegts:///tmp/s.sock" << true << "";
        QTest::newRow("P: whep") << "whep://cam/whep" << true << "";
        // refused
        QTest::newRow("P: upper-case scheme") << "RTSP://cam/s" << false << invalid;
        QTest::newRow("P: mixed-case scheme") << "Rtsp://cam/s" << false << invalid;
        QTest::newRow("P: leading space") << " rtsp://cam/s" << false << invalid;
        QTest::newRow("P: unknown scheme") << "ftp://cam/s" << false << invalid;
        QTest::newRow("P: empty") << "" << false << invalid;
        QTest::newRow("P: single slash") << "rtsp:/cam/s" << false << invalid;
        QTest::newRow("V: user without password") << "rtsp://admin@cam/s" << false << both;
        QTest::newRow("V: user with empty password") << "rtsp://admin:@cam/s" << false << both;
        QTest::newRow("V: password without user") << "rtsp://:secret@cam/s" << false << both;
        QTest::newRow("V: no host") << "rtsp:///s" << false << notUrl;
        QTest::newRow("V: only userinfo") << "rtsp://u:p@/s" << false << notUrl;
        QTest::newRow("U validUserinfo: space in password") << "rtsp://u:a b@cam/s" << false << notUrl;
        QTest::newRow("U validUserinfo: non-ASCII in password") << QStringLiteral("rtsp://u:pässword@cam/s") << false << notUrl;
        QTest::newRow("U validUserinfo: brace in user") << "rtsp://{u}:p@cam/s" << false << notUrl;
        QTest::newRow("U parseAuthority: # in password cuts the URL") << "rtsp://u:pa#ss@cam/s" << false << notUrl;
        QTest::newRow("U parseAuthority: / in password cuts the authority") << "rtsp://u:pa/ss@cam/s" << false << notUrl;
        QTest::newRow("U parse: ? in password cuts the authority") << "rtsp://u:pa?ss@cam/s" << false << notUrl;
        QTest::newRow("U unescape: bad escape in password") << "rtsp://u:100%@cam/s" << false << notUrl;
        QTest::newRow("U unescape: bad escape in path") << "rtsp://cam/a%zzb" << false << notUrl;
        QTest::newRow("U unescape: bad escape in fragment") << "rtsp://cam/s#%z" << false << notUrl;
        QTest::newRow("U parse: control character") << "rtsp://cam/s\tx" << false << notUrl;
        QTest::newRow("U parse: DEL character") << QStringLiteral("rtsp://cam/s\x7f") << false << notUrl;
        QTest::newRow("U validOptionalPort: letters in port") << "rtsp://cam:abc/s" << false << notUrl;
        QTest::newRow("U parseHost: two colons (urlstrictcolons)") << "rtsp://cam:554:554/s" << false << notUrl;
        QTest::newRow("U parseHost: bare IPv6") << "rtsp://fd00::1/s" << false << notUrl;
        QTest::newRow("U parseHost: missing ]") << "rtsp://[fd00::1/s" << false << notUrl;
        QTest::newRow("U parseHost: IPv4 in brackets") << "rtsp://[10.0.0.1]/s" << false << notUrl;
        QTest::newRow("U parseHost: literal not at start") << "rtsp://x[fd00::1]/s" << false << notUrl;
        QTest::newRow("U shouldEscape(encodeHost): space in host") << "rtsp://my cam/s" << false << notUrl;
        QTest::newRow("U shouldEscape(encodeHost): | in host") << "rtsp://ca|m/s" << false << notUrl;
        QTest::newRow("U unescape(encodeHost): escaped ASCII in host") << "rtsp://c%61m/s" << false << notUrl;
        QTest::newRow("P: udp without port") << "udp://238.0.0.1" << false << "is missing the port";
        QTest::newRow("P: udp+rtp needs rtpSDP") << "udp+rtp://238.0.0.1:1234" << false << "rtpSDP";
        QTest::newRow("P: unix+rtp needs rtpSDP") << "unix+rtp:///tmp/s.sock" << false << "rtpSDP";
    }

    void source()
    {
        QFETCH(QString, source);
        QFETCH(bool, ok);
        QFETCH(QString, reason);
        const UrlVerdict v = CameraUrlRule::checkSource(source);
        QCOMPARE(v.ok, ok);
        if (ok) {
            QCOMPARE(v.url, source);
        } else {
            QVERIFY2(v.reason.contains(reason), qPrintable(v.reason));
            QVERIFY(!v.hint.isEmpty());
        }
    }

    // The station's rule: normalise what MediaMTX accepts after normalising,
    // refuse the rest with a hint that says what to change.
    void camera_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("expected");  // the stored URL, or a hint substring

        QTest::newRow("S: plain rtsp kept") << "rtsp://cam/s" << true << "rtsp://cam/s";
        QTest::newRow("S+P: upper-case scheme lowered") << "RTSP://Cam/S" << true << "rtsp://Cam/S";
        QTest::newRow("S+P: mixed-case rtsps lowered") << "RtSpS://cam:322/s" << true << "rtsps://cam:322/s";
        QTest::newRow("S+P: surrounding blanks trimmed") << "  rtsp://cam/s \n" << true << "rtsp://cam/s";
        QTest::newRow("S+V: credentials kept") << "rtsp://admin:secret@cam/s" << true << "rtsp://admin:secret@cam/s";
        QTest::newRow("S: empty") << "" << false << "Enter the camera's stream address";
        QTest::newRow("S: http refused by the station") << "http://cam/s" << false << "rtsp://";
        QTest::newRow("S: no scheme") << "cam/s" << false << "rtsp://";
        QTest::newRow("S+V: user without password") << "rtsp://admin@cam/s" << false << "both a user name and a password";
        QTest::newRow("S+V: user with empty password (upper-case scheme)") << "RTSP://admin:@cam/s" << false << "both a user name and a password";
        QTest::newRow("S+U validUserinfo: space") << "rtsp://u:a b@cam/s" << false << "Percent-encode";
        QTest::newRow("S+U validOptionalPort: # in password") << "rtsp://u:a#b@cam/s" << false << "%23";
        QTest::newRow("S+U unescape: stray %") << "rtsp://cam/a%g" << false << "%25";
        QTest::newRow("S+U parseHost: IPv4 in brackets") << "rtsp://[10.0.0.1]/s" << false << "IPv6";
        QTest::newRow("S: host QUrl cannot read (only a port)") << "rtsp://:554/s" << false << "host name or IP address";
        QTest::newRow("S: empty userinfo has no host for the station") << "rtsp://@/s" << false << "rtsp://host";
    }

    void camera()
    {
        QFETCH(QString, input);
        QFETCH(bool, ok);
        QFETCH(QString, expected);
        const UrlVerdict v = CameraUrlRule::check(input);
        QCOMPARE(v.ok, ok);
        if (ok) {
            QCOMPARE(v.url, expected);
            QVERIFY(CameraUrlRule::checkSource(v.url).ok);  // what we write, MediaMTX loads
            QVERIFY(StreamUrl::isValid(input));
        } else {
            QVERIFY2(v.hint.contains(expected), qPrintable(v.hint));
            QVERIFY(!v.reason.isEmpty());
            QVERIFY(!StreamUrl::isValid(input));
        }
    }

    void reasonsNeverCarryThePassword()
    {
        for (const QString &u : {QStringLiteral("rtsp://u:sec ret@cam/s"), QStringLiteral("rtsp://u:sec#ret@cam/s"),
                                 QStringLiteral("udp://u:secret@238.0.0.1")}) {
            const UrlVerdict v = CameraUrlRule::checkSource(u);
            QVERIFY(!v.ok);
            QVERIFY2(!v.reason.contains(QLatin1String("ret")), qPrintable(v.reason));
        }
    }

    void identitySurvivesARefusedUrl()
    {
        // A persisted camera that breaks the rule keeps its ID: its identity is computable.
        QVERIFY(!CameraUrlRule::check(QStringLiteral("rtsp://admin@cam/s")).ok);
        QCOMPARE(StreamUrl::normalise(QStringLiteral("rtsp://admin@cam/s")), QStringLiteral("rtsp://cam:554/s"));
    }
};

QTEST_GUILESS_MAIN(TestCameraUrlRule)
#include "tst_cameraurlrule.moc"
