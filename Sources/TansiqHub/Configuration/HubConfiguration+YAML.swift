import Foundation
import TansiqMessages
import TansiqVault
import Yams

extension HubConfiguration {
    /// The keys a hub configuration file may hold, with what each means.
    public static let fileKeys: [String: String] = [
        "hub_id": "the hub's identifier (default main)",
        "ingress": "endpoint publishers connect to (default tcp://127.0.0.1:5560)",
        "egress": "endpoint subscribers connect to (default tcp://127.0.0.1:5561)",
        "max_message_bytes": "largest message accepted, all frames together (default 262144)",
        "statistics_interval_seconds": "how often hub/stats/<hub> is published (default 5)",
        "high_water_mark": "send/receive high-water mark in messages (default 100000)",
        "body_validation": "full or header-only (default full)",
        "journal": "off, or a mapping: path, durability (full or normal), max_age_seconds, max_bytes, max_messages, retention_check_seconds, housekeeping_max_age_seconds (default 7 days), closed_referral_max_age_seconds (default 180 days; 0 keeps), master_key_file",
        "replay": "endpoint replay clients connect to, bound when the hub journals (default tcp://127.0.0.1:5562)",
        "publish": "endpoint confirmed publishers connect to (ROUTER), or off (tansiq hub's default tcp://127.0.0.1:5563)",
        "presence_missed_heartbeats": "heartbeat intervals an agency may miss before the hub calls it silent (default 3)",
        "presence_timeout_seconds": "a fixed silence after which an agency is silent, whatever its heartbeat interval",
        "secret_key": "the hub's secret certificate (keys/hub.secret, from tansiq keys init); makes the hub secure",
        "agency_keys": "directory of the admitted agencies' public certificates, AGENCY.key each (keys/agencies, from tansiq keys init)",
        "policy": "access policy file (YAML; default: the built-in least-privilege policy)",
        "max_frames": "most frames a message may have (default 8)",
        "rate_limit": "messages a second each agency may publish, 0 for no limit (default 1000)",
        "rate_burst": "messages an agency may publish at once (default 5000)",
        "privacy": "a mapping: notes (screened or refused), case_reference_pattern, vocabulary (reason_codes, needs_flags, outcome_codes, consent_scopes, service_categories, worker_roles: lists of codes added to the protocol's)",
        "http": "HOST:PORT of the HTTP listener for /metrics, /healthz, /readyz and /agencies (default: none)",
    ]

    /// The keys of the `privacy` mapping.
    public static let privacyFileKeys = ["notes", "case_reference_pattern", "vocabulary"]

    /// The keys of the `journal` mapping.
    public static let journalFileKeys = [
        "path", "durability", "max_age_seconds", "max_bytes", "max_messages", "retention_check_seconds", "master_key_file",
        "housekeeping_max_age_seconds", "closed_referral_max_age_seconds",
    ]

    /// Reads a YAML configuration file over `base` (the defaults unless given). Unknown keys
    /// and wrong types are errors naming the file and the key.
    public static func load(contentsOf path: String, over base: HubConfiguration = HubConfiguration()) throws -> HubConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw HubError(code: .invalidConfiguration, message: "\(path): cannot read: \(error.localizedDescription)")
        }
        return try parse(yaml: text, file: path, over: base)
    }

    /// Parses YAML configuration text over `base` (the defaults unless given).
    ///
    /// `journal: off` (or `false`, or `null`) runs without a journal; a `journal` mapping
    /// turns it on, its `path` defaulting to ``JournalConfiguration/defaultPath``.
    public static func parse(yaml: String, file: String, over base: HubConfiguration = HubConfiguration()) throws -> HubConfiguration {
        func fail(_ message: String) -> HubError {
            HubError(code: .invalidConfiguration, message: "\(file): \(message)")
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: yaml)
        } catch {
            throw fail("not valid YAML: \(error)")
        }
        var configuration = base
        guard let node else { return configuration }
        var security = SecurityKeys()
        guard let mapping = node.mapping else { throw fail("expected a mapping of keys to values") }
        // Every mistake is reported, each with its line, not only the first.
        var problems: [String] = []
        func report(_ node: Node, _ error: HubError) {
            let line = node.mark.map { ":\($0.line)" } ?? ""
            let detail = error.message.hasPrefix("\(file): ") ? String(error.message.dropFirst(file.count + 2)) : error.message
            problems.append("\(file)\(line): \(detail)")
        }
        for (keyNode, value) in mapping {
            do {
                guard let key = keyNode.string else { throw fail("keys must be strings") }
                func string() throws -> String {
                    guard let text = value.string, value.scalar != nil else { throw fail("\(key): expected a string") }
                    return text
                }
                func integer() throws -> Int {
                    guard let number = value.int else { throw fail("\(key): expected an integer") }
                    return number
                }
                switch key {
                case "hub_id":
                    let id = try string()
                    guard Identifier.isValid(id) else { throw fail("hub_id: '\(id)' is not an identifier (a–z, 0–9 and '-', 1–63 characters)") }
                    configuration.hubID = id
                case "ingress": configuration.ingress = try string()
                case "egress": configuration.egress = try string()
                case "max_message_bytes":
                    let bytes = try integer()
                    guard bytes > 0 else { throw fail("max_message_bytes: must be positive") }
                    configuration.maxMessageBytes = bytes
                case "statistics_interval_seconds":
                    guard let seconds = value.float, seconds > 0 else {
                        throw fail("statistics_interval_seconds: expected a positive number")
                    }
                    configuration.statisticsInterval = .milliseconds(Int64(seconds * 1000))
                case "high_water_mark":
                    let mark = try integer()
                    guard mark >= 0, mark <= Int(Int32.max) else { throw fail("high_water_mark: out of range") }
                    configuration.highWaterMark = Int32(mark)
                case "body_validation":
                    let raw = try string()
                    guard let mode = BodyValidation(rawValue: raw) else {
                        throw fail("body_validation: '\(raw)' is not one of \(BodyValidation.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    configuration.bodyValidation = mode
                case "journal":
                    configuration.journal = try parseJournal(value, over: configuration.journal, file: file, fail: fail, report: report)
                case "privacy":
                    configuration.privacy = try parsePrivacy(value, over: configuration.privacy, fail: fail, report: report)
                case "replay": configuration.replay = try string()
                case "publish":
                    let endpoint = try string()
                    configuration.publish = endpoint == "off" ? nil : endpoint
                case "presence_missed_heartbeats":
                    let missed = try integer()
                    guard (1...1000).contains(missed) else { throw fail("presence_missed_heartbeats: expected 1 to 1000") }
                    configuration.presenceMissedHeartbeats = missed
                case "presence_timeout_seconds":
                    guard let seconds = value.float, seconds > 0 else {
                        throw fail("presence_timeout_seconds: expected a positive number")
                    }
                    configuration.presenceTimeout = .milliseconds(Int64(seconds * 1000))
                case "secret_key": security.secretKey = try string()
                case "agency_keys": security.agencyKeys = try string()
                case "policy": security.policy = try string()
                case "http": configuration.http = try string()
                case "max_frames":
                    let frames = try integer()
                    guard frames >= 3 else { throw fail("max_frames: must be at least 3") }
                    configuration.maxFrames = frames
                case "rate_limit":
                    guard let rate = value.float, rate >= 0 else { throw fail("rate_limit: expected a number ≥ 0") }
                    security.rate = rate
                case "rate_burst":
                    let burst = try integer()
                    guard burst > 0 else { throw fail("rate_burst: must be positive") }
                    security.burst = burst
                default:
                    throw fail("unknown key '\(key)'; known keys: \(fileKeys.keys.sorted().joined(separator: ", "))")
                }
            } catch let error as HubError {
                report(keyNode, error)
            }
        }
        guard problems.isEmpty else { throw HubError(code: .invalidConfiguration, message: problems.joined(separator: "\n")) }
        try security.apply(to: &configuration, relativeTo: file)
        return configuration
    }

    private static func parsePrivacy(
        _ value: Node, over base: PrivacyRules, fail: (String) -> HubError, report: (Node, HubError) -> Void
    ) throws -> PrivacyRules {
        guard let mapping = value.mapping else {
            throw fail("privacy: expected a mapping (\(privacyFileKeys.joined(separator: ", ")))")
        }
        var rules = base
        for (keyNode, value) in mapping {
            do {
                guard let key = keyNode.string else { throw fail("privacy: keys must be strings") }
                switch key {
                case "notes":
                    guard let raw = value.string, let policy = PrivacyRules.NotePolicy(rawValue: raw) else {
                        throw fail("privacy.notes: expected one of \(PrivacyRules.NotePolicy.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    rules.notes = policy
                case "case_reference_pattern":
                    guard let pattern = value.string, value.scalar != nil else { throw fail("privacy.case_reference_pattern: expected a regular expression") }
                    do {
                        rules.caseReferences = try CaseReferenceRule(pattern: pattern)
                    } catch {
                        throw fail("privacy.case_reference_pattern: \(error.message)")
                    }
                case "vocabulary":
                    guard let lists = value.mapping else { throw fail("privacy.vocabulary: expected a mapping of lists") }
                    var additions: [Vocabulary.List: [String]] = [:]
                    for (listNode, codes) in lists {
                        guard let name = listNode.string, let list = Vocabulary.List(rawValue: name) else {
                            throw fail("privacy.vocabulary: unknown list '\(listNode.string ?? "?")'; known lists: \(Vocabulary.List.allCases.map(\.rawValue).joined(separator: ", "))")
                        }
                        guard let sequence = codes.sequence else { throw fail("\(list.configurationKey): expected a list of codes") }
                        additions[list] = try sequence.map { node throws -> String in
                            guard let code = node.string, node.scalar != nil else { throw fail("\(list.configurationKey): expected strings") }
                            return code
                        }
                    }
                    do {
                        rules.vocabulary = try Vocabulary(adding: additions)
                    } catch {
                        throw fail("\(error.keyPath ?? "privacy.vocabulary"): \(error.message)")
                    }
                default:
                    throw fail("privacy: unknown key '\(key)'; known keys: \(privacyFileKeys.joined(separator: ", "))")
                }
            } catch let error as HubError {
                report(keyNode, error)
            }
        }
        return rules
    }

    /// A path from a configuration file: relative ones are relative to the file's directory.
    static func path(_ path: String, relativeTo file: String?) -> String {
        guard let file, !path.hasPrefix("/") else { return path }
        return ((file as NSString).deletingLastPathComponent as NSString).appendingPathComponent(path)
    }

    private static func parseJournal(
        _ value: Node,
        over base: JournalConfiguration?,
        file configurationFile: String,
        fail: (String) -> HubError,
        report: (Node, HubError) -> Void
    ) throws -> JournalConfiguration? {
        if value.null != nil { return nil }
        if let scalar = value.scalar {
            if scalar.string == "off" || value.bool == false { return nil }
            throw fail("journal: expected off or a mapping (\(journalFileKeys.joined(separator: ", ")))")
        }
        guard let mapping = value.mapping else {
            throw fail("journal: expected off or a mapping (\(journalFileKeys.joined(separator: ", ")))")
        }
        var journal = base ?? JournalConfiguration()
        for (keyNode, value) in mapping {
            do {
                guard let key = keyNode.string else { throw fail("journal: keys must be strings") }
                func positive() throws -> Double {
                    guard let number = value.float, number > 0 else { throw fail("journal.\(key): expected a positive number") }
                    return number
                }
                switch key {
                case "path":
                    guard let path = value.string, value.scalar != nil, !path.isEmpty else {
                        throw fail("journal.path: expected a file path")
                    }
                    journal.path = path
                case "durability":
                    guard let raw = value.string, let durability = JournalDurability(rawValue: raw) else {
                        throw fail("journal.durability: expected one of \(JournalDurability.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    journal.durability = durability
                case "max_age_seconds":
                    journal.retention.maxAge = .milliseconds(Int64(try positive() * 1000))
                case "max_bytes":
                    guard let bytes = value.int, bytes > 0 else { throw fail("journal.max_bytes: expected a positive integer") }
                    journal.retention.maxBytes = Int64(bytes)
                case "max_messages":
                    guard let count = value.int, count > 0 else { throw fail("journal.max_messages: expected a positive integer") }
                    journal.retention.maxMessages = count
                case "retention_check_seconds":
                    journal.retentionCheckInterval = .milliseconds(Int64(try positive() * 1000))
                case "housekeeping_max_age_seconds", "closed_referral_max_age_seconds":
                    guard let seconds = value.float, seconds >= 0 else { throw fail("journal.\(key): expected a number of seconds ≥ 0 (0 keeps them)") }
                    let age: Duration? = seconds == 0 ? nil : .milliseconds(Int64(seconds * 1000))
                    if key == "housekeeping_max_age_seconds" { journal.retention.housekeepingMaxAge = age } else { journal.retention.closedReferralMaxAge = age }
                case "master_key_file":
                    guard let file = value.string, value.scalar != nil, !file.isEmpty else { throw fail("journal.master_key_file: expected a file path") }
                    do {
                        journal.masterKey = try MasterKey(contentsOf: HubConfiguration.path(file, relativeTo: configurationFile))
                    } catch {
                        throw fail("journal.master_key_file: \(error.message)")
                    }
                default:
                    throw fail("journal: unknown key '\(key)'; known keys: \(journalFileKeys.joined(separator: ", "))")
                }
            } catch let error as HubError {
                report(keyNode, error)
            }
        }
        return journal
    }
}
