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
        "secret_key": "the hub's secret certificate (tansiq keys generate); makes the hub secure",
        "agency_keys": "directory of the admitted agencies' public certificates (AGENCY.key)",
        "policy": "access policy file (YAML; default: the built-in least-privilege policy)",
        "max_frames": "most frames a message may have (default 8)",
        "rate_limit": "messages a second each agency may publish, 0 for no limit (default 1000)",
        "rate_burst": "messages an agency may publish at once (default 5000)",
    ]

    /// Reads a YAML configuration file over the defaults. Unknown keys and wrong types are
    /// errors naming the file and the key.
    public static func load(contentsOf path: String) throws -> HubConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw HubError(code: .invalidConfiguration, message: "\(path): cannot read: \(error.localizedDescription)")
        }
        return try parse(yaml: text, file: path)
    }

    /// Parses YAML configuration text over the defaults.
    public static func parse(yaml: String, file: String) throws -> HubConfiguration {
        func fail(_ message: String) -> HubError {
            HubError(code: .invalidConfiguration, message: "\(file): \(message)")
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: yaml)
        } catch {
            throw fail("not valid YAML: \(error)")
        }
        var configuration = HubConfiguration()
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
}
