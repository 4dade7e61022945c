import Foundation
import TansiqMessages
import Logging
import Synchronization
import ZeroMQ

/// The admitted keys and the policy of a secure hub, shared by its ZAP handler's thread and its
/// loop, and reloaded from any thread.
final class HubAccess: Sendable {
    private struct State {
        var keyring: AgencyKeyring
        var policy: AccessPolicy
        var resolved: [String: ResolvedPermissions] = [:]
        var stamps: [Date?]
    }

    let settings: HubSecurity.Curve
    private let logger: Logger
    private let state: Mutex<State>
    private let refused = Atomic<UInt64>(0)
    private let generationCounter = Atomic<UInt64>(0)
    /// The ZAP domain of the start-up probe: answered, never counted.
    static let probeDomain = "tansiq-probe"

    /// Loads the keys and the policy; any problem is an `invalid-configuration` error.
    init(settings: HubSecurity.Curve, logger: Logger) throws {
        self.settings = settings
        self.logger = logger
        let (keyring, problems) = Self.loadKeyring(settings.agencies, hubPublicKey: settings.hubKeys.publicKey)
        guard problems.isEmpty else {
            throw HubError(code: .invalidConfiguration, message: problems.joined(separator: "; "))
        }
        let policy = try Self.loadPolicy(settings.policy)
        state = Mutex(State(keyring: keyring, policy: policy, stamps: Self.stamps(settings)))
    }

    /// Authentication attempts refused since start.
    var refusedAuthentications: UInt64 { refused.load(ordering: .relaxed) }

    /// Incremented by every reload, so that the loop can drop what it derived from the old state.
    var generation: UInt64 { generationCounter.load(ordering: .acquiring) }

    var admittedCount: Int { state.withLock { $0.keyring.agencies.count } }

    /// The admitted agencies now.
    var admittedAgencies: Set<String> { state.withLock { $0.keyring.agencies } }

    /// The ZAP decision: a known CURVE key gets in as its agency; anything else is refused,
    /// counted and logged.
    private let unknownKeyWarnings = Mutex(WarningThrottle())

    func authenticate(_ request: ZAPRequest) -> ZAPDecision {
        if request.domain == Self.probeDomain { return .deny(status: 400, reason: "probe") }
        let agency = request.publicKey.flatMap { key in state.withLock { $0.keyring.agency(forPublicKey: key) } }
        guard request.mechanism == "CURVE", request.domain == HubSecurity.zapDomain, let agency else {
            refused.add(1, ordering: .relaxed)
            let fingerprint = request.publicKey.map(CurveCertificate.fingerprint(ofPublicKey:)) ?? "-"
            // A client retries every few hundred milliseconds: once per interval and key, with a count.
            guard let repeated = unknownKeyWarnings.withLock({ $0.admit(fingerprint, now: .now) }) else {
                return .deny(status: 400, reason: "unknown key")
            }
            var metadata: Logger.Metadata = [
                "address": "\(request.address)", "mechanism": "\(request.mechanism)", "key-fingerprint": "\(fingerprint)",
            ]
            if repeated > 0 { metadata["repeated"] = "\(repeated)" }
            logger.warning("connection refused: unknown key", metadata: metadata)
            return .deny(status: 400, reason: "unknown key")
        }
        logger.debug("connection admitted", metadata: ["agency": "\(agency)", "address": "\(request.address)"])
        // The key goes with the agency, so that a connection opened with a key since rotated
        // out is refused message by message (``connection(ofUserID:)``).
        return .allow(userID: agency + " " + (request.publicKey ?? ""))
    }

    /// The agency a connection's User-Id (`agency key`, from ``authenticate(_:)``) names, and
    /// whether that key is still the agency's (not rotated out or revoked since it connected).
    func connection(ofUserID userID: String) -> (agency: String, keyCurrent: Bool) {
        guard let space = userID.firstIndex(of: " ") else { return (userID, admits(userID)) }
        let agency = String(userID[..<space])
        let key = String(userID[userID.index(after: space)...])
        return (agency, state.withLock { $0.keyring.agency(forPublicKey: key) } == agency)
    }

    /// Whether `agency` still has an admitted key (a revoked agency's open connections are
    /// refused message by message).
    func admits(_ agency: String) -> Bool {
        state.withLock { $0.keyring.admits(agency: agency) }
    }

    /// The compiled permissions of `agency` under the current policy.
    func permissions(for agency: String) -> ResolvedPermissions {
        state.withLock { state in
            if let known = state.resolved[agency] { return known }
            let resolved = state.policy.resolved(for: agency)
            if state.resolved.count >= 10_000 { state.resolved.removeAll(keepingCapacity: true) }
            state.resolved[agency] = resolved
            return resolved
        }
    }

    /// Reloads the keys and the policy. Bad key files are left out (and reported); a policy that
    /// does not parse keeps the previous one. Returns the admitted agencies and the problems.
    @discardableResult
    func reload() -> AccessReload {
        let (keyring, problems) = Self.loadKeyring(settings.agencies, hubPublicKey: settings.hubKeys.publicKey)
        var allProblems = problems
        let policy: AccessPolicy?
        do {
            policy = try Self.loadPolicy(settings.policy)
        } catch {
            allProblems.append("policy not reloaded: \(error)")
            policy = nil
        }
        let stamps = Self.stamps(settings)
        state.withLock { state in
            state.keyring = keyring
            if let policy { state.policy = policy }
            state.resolved.removeAll()
            state.stamps = stamps
        }
        generationCounter.add(1, ordering: .releasing)
        for problem in allProblems { logger.error("access reload problem", metadata: ["problem": "\(problem)"]) }
        logger.notice("access reloaded", metadata: ["agencies": "\(keyring.entries.count)"])
        return AccessReload(agencies: keyring.entries.map(\.agency), problems: allProblems)
    }

    /// Reloads when the key directory or the policy file changed since the last load.
    func reloadIfChanged() {
        let current = Self.stamps(settings)
        guard state.withLock({ $0.stamps != current }) else { return }
        reload()
    }

    private static func stamps(_ settings: HubSecurity.Curve) -> [Date?] {
        func modified(_ path: String) -> Date? {
            (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
        }
        var stamps: [Date?] = []
        if case .directory(let directory) = settings.agencies {
            stamps.append(modified(directory))
            // A key replaced in place changes the file, not the directory.
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            for name in names.sorted() where name.hasSuffix(".key") {
                stamps.append(modified((directory as NSString).appendingPathComponent(name)))
            }
        }
        if case .file(let path) = settings.policy { stamps.append(modified(path)) }
        return stamps
    }

    private static func loadKeyring(_ source: HubSecurity.AgencySource, hubPublicKey: String) -> (AgencyKeyring, [String]) {
        switch source {
        case .directory(let directory): AgencyKeyring.load(directory: directory, hubPublicKey: hubPublicKey)
        case .keyring(let keyring): (keyring, [])
        }
    }

    private static func loadPolicy(_ source: HubSecurity.PolicySource) throws -> AccessPolicy {
        switch source {
        case .leastPrivilege: .leastPrivilege
        case .file(let path): try AccessPolicy.load(contentsOf: path)
        case .policy(let policy): policy
        }
    }
}

/// What a reload of the hub's keys and policy found.
public struct AccessReload: Sendable, Equatable {
    /// The agencies admitted now, sorted.
    public var agencies: [String]
    /// Files left out and why.
    public var problems: [String]
}
