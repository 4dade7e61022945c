import Foundation
import ZeroMQ

/// The admitted agencies: each agency's CURVE public key.
///
/// On disk it is a directory of public certificates, one `AGENCY.key` per agency (written by
/// `tansiq keys init`), whose `agency` metadata names the agency. Revoking an agency is
/// removing its file and reloading.
public struct AgencyKeyring: Sendable, Equatable {
    /// One admitted agency.
    public struct Entry: Sendable, Equatable {
        /// The agency id.
        public var agency: String
        /// Its public key, Z85.
        public var publicKey: String
        /// The key's fingerprint (``CurveCertificate/fingerprint(ofPublicKey:)``).
        public var fingerprint: String { CurveCertificate.fingerprint(ofPublicKey: publicKey) }
    }

    private var agenciesByKey: [String: String] {
        didSet { agencies = Set(agenciesByKey.values) }
    }
    /// The admitted agency ids.
    public private(set) var agencies: Set<String>

    /// A keyring of `publicKeys` by agency id.
    public init(publicKeys: [String: String] = [:]) {
        agenciesByKey = Dictionary(publicKeys.map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        agencies = Set(agenciesByKey.values)
    }

    /// The agency whose public key is `publicKey`, if admitted.
    public func agency(forPublicKey publicKey: String) -> String? {
        agenciesByKey[publicKey]
    }

    /// Whether `agency` has an admitted key.
    public func admits(agency: String) -> Bool {
        agencies.contains(agency)
    }

    /// Every admitted agency, sorted by id.
    public var entries: [Entry] {
        agenciesByKey.map { Entry(agency: $1, publicKey: $0) }.sorted { ($0.agency, $0.publicKey) < ($1.agency, $1.publicKey) }
    }

    /// Reads every `*.key` file of `directory`. A file that cannot be read, is not a
    /// certificate, names no valid agency, or repeats a key another agency has is left out and
    /// described in `problems`; the hub refuses to start with problems and logs them on reload.
    /// `hubPublicKey`, the hub's own key, is never admitted: a directory holding `hub.key`
    /// (the whole `keys/` instead of `keys/agencies/`) is a problem.
    public static func load(directory: String, hubPublicKey: String? = nil) -> (keyring: AgencyKeyring, problems: [String]) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            return (AgencyKeyring(), ["\(directory): cannot list: \(error.localizedDescription)"])
        }
        var keyring = AgencyKeyring()
        var problems: [String] = []
        var candidates: [(agency: String, key: String, path: String)] = []
        for name in names.sorted() where name.hasSuffix(".key") {
            let path = (directory as NSString).appendingPathComponent(name)
            let certificate: CurveCertificate
            do {
                certificate = try CurveCertificate.load(contentsOf: path)
            } catch {
                problems.append(error.message)
                continue
            }
            let stem = String(name.dropLast(".key".count))
            let agency = certificate.metadata["agency"] ?? stem
            guard agency == stem else {
                problems.append("\(path): names agency '\(agency)' but the file is '\(name)'; name it \(agency).key")
                continue
            }
            guard isIdentifier(agency) else {
                problems.append("\(path): '\(agency)' is not an agency id ([a-z0-9][a-z0-9-]*, 1–63 characters)")
                continue
            }
            if let hubPublicKey, certificate.publicKey == hubPublicKey {
                problems.append(
                    "\(path): is the hub's own public key, not an agency's; keep hub.key out of the admitted directory (the layout of `tansiq keys init`: --agency-keys keys/agencies)")
                continue
            }
            if certificate.secretKey != nil {
                problems.append("\(path): holds a secret key; the hub's directory takes public certificates only")
                continue
            }
            candidates.append((agency, certificate.publicKey, path))
        }
        // A key claimed by two files cannot tell its agency: neither gets in.
        let owners = Dictionary(grouping: candidates, by: \.key)
        // Filled apart and set once: each change of `agenciesByKey` rebuilds `agencies`.
        var admitted: [String: String] = [:]
        for (agency, key, path) in candidates {
            let others = owners[key, default: []].filter { $0.path != path }.map(\.agency)
            guard others.isEmpty else {
                problems.append("\(path): the same public key as '\(others.joined(separator: "', '"))'; every agency needs its own pair")
                continue
            }
            admitted[key] = agency
        }
        keyring.agenciesByKey = admitted
        return (keyring, problems)
    }

    static func isIdentifier(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...63).contains(bytes.count) else { return false }
        func allowed(_ byte: UInt8) -> Bool { (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) }
        return allowed(bytes[0]) && bytes.allSatisfy { allowed($0) || $0 == 0x2D }
    }
}
