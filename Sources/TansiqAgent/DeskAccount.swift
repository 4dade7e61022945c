import Foundation

/// A worker of the agency who uses its desk. On the bus and in the audit trail the worker is
/// only ``worker``, a role id such as `caseworker-3`, never a name.
public struct DeskAccount: Sendable, Equatable {
    /// What a worker may do on the desk.
    public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
        /// Writes referrals and acts on the referrals of the agency.
        case caseworker
        /// A caseworker who may also cancel referrals other workers wrote.
        case supervisor
        /// Reads, never acts.
        case viewer

        /// Whether the role may change anything.
        public var mayAct: Bool { self != .viewer }
    }

    /// The worker's role id (`caseworker-3`).
    public var worker: String
    /// What the worker may do.
    public var role: Role
    /// The password's bcrypt hash (`$2b$…`); the password itself is never kept.
    public var passwordHash: String
    /// When the account was added.
    public var createdAt: Date

    public init(worker: String, role: Role, passwordHash: String, createdAt: Date) {
        self.worker = worker
        self.role = role
        self.passwordHash = passwordHash
        self.createdAt = createdAt
    }
}

/// One line of the agent's audit trail: which worker did what to which referral. It holds codes
/// only (states, reasons, categories), never a note or any other free text.
public struct AuditEntry: Sendable, Equatable, Codable {
    /// When (agent clock).
    public var at: Date
    /// The worker's role id, or `desk` for what the desk did on its own.
    public var worker: String
    /// What was done: `login`, `logout`, `login-refused`, `refer`, `accept`, `reject`, … `service-status`.
    public var action: String
    /// The referral acted on, if any.
    public var referral: UUID?
    /// Codes that say more (`reason=at-capacity`, `category=health`), never free text.
    public var detail: String

    public init(at: Date, worker: String, action: String, referral: UUID? = nil, detail: String = "") {
        self.at = at
        self.worker = worker
        self.action = action
        self.referral = referral
        self.detail = detail
    }
}
