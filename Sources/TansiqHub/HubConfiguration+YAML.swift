import Foundation
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
        "journal": "off, or a mapping: path, durability (full or normal), max_age_seconds, max_bytes, max_messages, retention_check_seconds",
        "replay": "endpoint replay clients connect to, bound when the hub journals (default tcp://127.0.0.1:5562)",
        "publish": "endpoint confirmed publishers connect to (ROUTER), or off (tansiq hub's default tcp://127.0.0.1:5563)",
        "presence_missed_heartbeats": "heartbeat intervals an agency may miss before the hub calls it silent (default 3)",
        "presence_timeout_seconds": "a fixed silence after which an agency is silent, whatever its heartbeat interval",
        "secret_key": "the hub's secret certificate (tansiq keys generate); makes the hub secure",
        "agency_keys": "directory of the admitted agencies' public certificates (AGENCY.key)",
        "policy": "access policy file (YAML; default: the built-in least-privilege policy)",
        "max_frames": "most frames a message may have (default 8)",
        "rate_limit": "messages a second each agency may publish, 0 for no limit (default 1000)",
        "rate_burst": "messages an agency may publish at once (default 5000)",
    ]

    /// The keys of the `journal` mapping.
    public static let journalFileKeys = [
        "path", "durability", "max_age_seconds", "max_bytes", "max_messages", "retention_check_seconds",
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
        for (keyNode, value) in mapping {
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
            case "hub_id": configuration.hubID = try string()
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
                configuration.journal = try parseJournal(value, over: configuration.journal, fail: fail)
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
        }
        try security.apply(to: &configuration, relativeTo: file)
        return configuration
    }

    private static func parseJournal(
        _ value: Node,
        over base: JournalConfiguration?,
        fail: (String) -> HubError
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
            default:
                throw fail("journal: unknown key '\(key)'; known keys: \(journalFileKeys.joined(separator: ", "))")
            }
        }
        return journal
    }
}
