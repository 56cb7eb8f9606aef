#include "controllers/AdminGate.h"

#include <QRegularExpression>

namespace station::app {

namespace {
QString lockoutText(int seconds)
{
    return seconds == 1 ? AdminGate::tr("Too many wrong PINs. Try again in 1 second.")
                        : AdminGate::tr("Too many wrong PINs. Try again in %1 seconds.").arg(seconds);
}
} // namespace

AdminGate::AdminGate(bool kiosk, const QString &pin, QObject *parent)
    : QObject(parent), m_kiosk(kiosk), m_pin(isValidPin(pin) ? pin : QString())
{
    m_clock.start();
    m_relock.setSingleShot(true);
    m_relock.setInterval(kUnlockedForS * 1000);
    connect(&m_relock, &QTimer::timeout, this, &AdminGate::lock);
    m_tick.setInterval(1000);
    // The lockout message counts down with the time left.
    connect(&m_tick, &QTimer::timeout, this, [this] {
        Q_EMIT lockoutChanged();
        if (lockoutSeconds() == 0) {
            m_tick.stop();
            setMessage(QString());
        } else {
            setMessage(lockoutText(lockoutSeconds()));
        }
    });
    if (m_kiosk && !pin.isEmpty() && m_pin.isEmpty())
        setMessage(tr("The admin PIN in the configuration (ui.admin_pin) must be 4 to 12 digits; admin functions stay locked."));
    else if (m_kiosk && m_pin.isEmpty())
        setMessage(tr("No admin PIN is set. Set ui.admin_pin in the configuration to unlock settings on this kiosk."));
}

bool AdminGate::isValidPin(const QString &pin)
{
    static const QRegularExpression digits(QStringLiteral("^[0-9]{4,12}$"));
    return digits.match(pin).hasMatch();
}

qint64 AdminGate::now() const { return clockMs ? clockMs() : m_clock.elapsed(); }

int AdminGate::lockoutSeconds() const
{
    const qint64 left = m_lockedUntilMs - now();
    return left > 0 ? int((left + 999) / 1000) : 0;
}

void AdminGate::setMessage(const QString &m)
{
    if (m == m_message)
        return;
    m_message = m;
    Q_EMIT messageChanged();
}

bool AdminGate::unlock(const QString &pin)
{
    if (!m_kiosk)
        return true;
    if (m_pin.isEmpty())
        return false;
    if (lockoutSeconds() > 0) {
        setMessage(lockoutText(lockoutSeconds()));
        return false;
    }
    // Compare every character so timing does not tell how much was right.
    bool same = pin.size() == m_pin.size();
    for (qsizetype i = 0; i < m_pin.size(); ++i)
        same &= i < pin.size() && pin.at(i) == m_pin.at(i);
    if (same) {
        m_failed = 0;
        m_lockedUntilMs = 0;
        m_unlocked = true;
        m_relock.start();
        setMessage(QString());
        Q_EMIT attemptsChanged();
        Q_EMIT lockoutChanged();
        Q_EMIT unlockedChanged();
        return true;
    }
    ++m_failed;
    Q_EMIT attemptsChanged();
    if (m_failed >= kFreeAttempts) {
        const int extra = m_failed - kFreeAttempts;
        const qint64 seconds = qMin<qint64>(qint64(kFirstLockoutS) << qMin(extra, 10), kMaxLockoutS);
        m_lockedUntilMs = now() + seconds * 1000;
        m_tick.start();
        Q_EMIT lockoutChanged();
        setMessage(lockoutText(int(seconds)));
    } else {
        const int left = kFreeAttempts - m_failed;
        setMessage(left == 1 ? tr("Wrong PIN. 1 more try before a pause.") : tr("Wrong PIN. %1 more tries before a pause.").arg(left));
    }
    return false;
}

void AdminGate::lock()
{
    m_relock.stop();
    if (!m_unlocked)
        return;
    m_unlocked = false;
    Q_EMIT unlockedChanged();
}

void AdminGate::touch()
{
    if (m_unlocked)
        m_relock.start();
}

} // namespace station::app
