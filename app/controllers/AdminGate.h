#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QTimer>

#include <functional>

namespace station::app {

// Who may exit, open settings and delete. Desktop mode: the person at the
// desktop owns the session, so no PIN. Kiosk mode: ui.admin_pin unlocks for
// a few minutes; with no PIN configured those stay locked (a passer-by must
// never be the one to choose it). Five wrong PINs in a row lock the pad for
// 30 s, doubling with every further wrong PIN up to 15 minutes.
class AdminGate : public QObject
{
    Q_OBJECT
    Q_PROPERTY(bool kiosk READ kiosk CONSTANT)
    Q_PROPERTY(bool pinConfigured READ pinConfigured CONSTANT)
    Q_PROPERTY(bool unlocked READ unlocked NOTIFY unlockedChanged)
    Q_PROPERTY(int failedAttempts READ failedAttempts NOTIFY attemptsChanged)
    Q_PROPERTY(int lockoutSeconds READ lockoutSeconds NOTIFY lockoutChanged)  // remaining, 0: may try
    Q_PROPERTY(QString message READ message NOTIFY messageChanged)
    Q_PROPERTY(int pinLength READ pinLength CONSTANT)
public:
    static constexpr int kFreeAttempts = 5;
    static constexpr int kFirstLockoutS = 30;
    static constexpr int kMaxLockoutS = 15 * 60;
    static constexpr int kUnlockedForS = 5 * 60;

    AdminGate(bool kiosk, const QString &pin, QObject *parent = nullptr);

    // Tests drive time through this instead of waiting.
    std::function<qint64()> clockMs;

    bool kiosk() const { return m_kiosk; }
    bool pinConfigured() const { return !m_pin.isEmpty(); }
    bool unlocked() const { return !m_kiosk || m_unlocked; }
    int failedAttempts() const { return m_failed; }
    int lockoutSeconds() const;
    QString message() const { return m_message; }
    int pinLength() const { return int(m_pin.size()); }

    Q_INVOKABLE bool unlock(const QString &pin);
    Q_INVOKABLE void lock();
    Q_INVOKABLE void touch();  // activity keeps an unlocked session open

    static bool isValidPin(const QString &pin);

Q_SIGNALS:
    void unlockedChanged();
    void attemptsChanged();
    void lockoutChanged();
    void messageChanged();

private:
    void setMessage(const QString &m);
    qint64 now() const;

    bool m_kiosk;
    QString m_pin;
    bool m_unlocked = false;
    int m_failed = 0;
    qint64 m_lockedUntilMs = 0;
    QString m_message;
    QTimer m_relock;
    QTimer m_tick;  // counts the lockout down for the pad
    QElapsedTimer m_clock;
};

} // namespace station::app
