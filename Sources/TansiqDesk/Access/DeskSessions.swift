import Crypto
import Foundation
import Synchronization
import TansiqAgent

/// A signed-in worker.
struct DeskSession: Sendable {
    var token: String
    var worker: String
    var role: DeskAccount.Role
    /// Every form and API write carries it (the session cookie alone is not enough).
    var csrf: String
    var expires: Date
    /// A message shown once on the next page.
    var flash: Flash?
}

/// A message on top of a page: `ok` or `error`.
struct Flash: Sendable, Equatable {
    var kind: String
    var text: String

    static func ok(_ text: String) -> Flash { Flash(kind: "ok", text: text) }
    static func error(_ text: String) -> Flash { Flash(kind: "error", text: text) }
}

/// The desk's sessions (in memory: a restarted agent signs everyone out) and its login throttle.
final class DeskSessions: Sendable {
    private struct State {
        var sessions: [String: DeskSession] = [:]
        /// Per worker id typed, the times of recent failed logins.
        var failures: [String: [Date]] = [:]
    }

    private let state = Mutex(State())
    private let lifetime: TimeInterval
    private let attempts: Int
    private let lockout: TimeInterval
    private let now: @Sendable () -> Date

    init(configuration: DeskConfiguration) {
        lifetime = configuration.sessionLifetime
        attempts = configuration.loginAttempts
        lockout = configuration.loginLockout
        now = configuration.now
    }

    /// 32 random bytes, base64url.
    static func randomToken() -> String {
        let key = SymmetricKey(size: .bits256)
        return key.withUnsafeBytes { Data($0) }.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    func open(worker: String, role: DeskAccount.Role) -> DeskSession {
        let session = DeskSession(token: Self.randomToken(), worker: worker, role: role, csrf: Self.randomToken(), expires: now().addingTimeInterval(lifetime))
        state.withLock { state in
            let time = now()
            state.sessions = state.sessions.filter { $0.value.expires > time }
            state.sessions[session.token] = session
            state.failures[worker] = nil
        }
        return session
    }

    /// The live session of a token, its lifetime renewed.
    func session(_ token: String?) -> DeskSession? {
        guard let token else { return nil }
        return state.withLock { state in
            guard var session = state.sessions[token] else { return nil }
            guard session.expires > now() else {
                state.sessions[token] = nil
                return nil
            }
            session.expires = now().addingTimeInterval(lifetime)
            state.sessions[token] = session
            return session
        }
    }

    func close(_ token: String) {
        _ = state.withLock { $0.sessions.removeValue(forKey: token) }
    }

    /// Sets the message the next page shows.
    func flash(_ token: String, _ flash: Flash) {
        state.withLock { $0.sessions[token]?.flash = flash }
    }

    /// Takes the message waiting for a session, once.
    func takeFlash(_ token: String) -> Flash? {
        state.withLock { state in
            defer { state.sessions[token]?.flash = nil }
            return state.sessions[token]?.flash
        }
    }

    /// Seconds the worker id must wait before trying again, or nil.
    func lockedFor(_ worker: String) -> TimeInterval? {
        state.withLock { state in
            let time = now()
            let recent = (state.failures[worker] ?? []).filter { time.timeIntervalSince($0) < lockout }
            state.failures[worker] = recent.isEmpty ? nil : recent
            guard recent.count >= attempts, let oldest = recent.first else { return nil }
            return lockout - time.timeIntervalSince(oldest)
        }
    }

    func recordFailure(_ worker: String) {
        state.withLock { state in
            // Bounded: an attacker typing new ids cannot fill memory.
            if state.failures.count > 10_000 { state.failures.removeAll() }
            state.failures[worker, default: []].append(now())
        }
    }
}
