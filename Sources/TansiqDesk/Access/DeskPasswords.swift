import Foundation
import HummingbirdBcrypt
import Dispatch
import TansiqAgent
import TansiqMessages

/// Passwords of desk accounts: bcrypt, off the request threads.
public enum DeskPasswords {
    /// The shortest password accepted.
    public static let minimumLength = 10

    /// Checks a new account's worker id and password, or says what is wrong (never repeating the password).
    public static func validate(worker: String, password: String, privacy: PrivacyRules = .standard) throws(DeskError) {
        do {
            try privacy.checkWorkerID(worker)
        } catch {
            throw DeskError(.invalidRequest, "worker id: \(error.message)")
        }
        guard password.count >= minimumLength else {
            throw DeskError(.invalidRequest, "the password is too short: at least \(minimumLength) characters")
        }
        guard password.utf8.count <= 72 else {
            throw DeskError(.invalidRequest, "the password is too long: bcrypt reads at most 72 bytes")
        }
    }

    /// The bcrypt hash of a password.
    public static func hash(_ password: String, cost: UInt8 = 12) async -> String {
        await offThread { Bcrypt.hash(password, cost: cost) }
    }

    /// Whether `password` matches `hash`.
    /// Whether `password` matches `hash`; with no hash (an unknown worker id) a decoy is
    /// checked, so that a refusal takes as long either way.
    static func verify(_ password: String, hash: String?) async -> Bool {
        await offThread {
            guard let hash else {
                _ = Bcrypt.verify(password, hash: decoy)
                return false
            }
            return Bcrypt.verify(password, hash: hash)
        }
    }

    /// bcrypt is slow on purpose: it runs on a dispatch thread, not on the server's executors.
    private static func offThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
    }

    /// A bcrypt hash no password is known to match.
    private static let decoy = Bcrypt.hash(DeskSessions.randomToken(), cost: 12)
}
