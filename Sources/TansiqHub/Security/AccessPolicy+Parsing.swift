import Foundation
import Yams

extension AccessPolicy {
    /// Reads a YAML policy file. Unknown keys, unknown roles and malformed entries are errors
    /// naming the file and the key.
    public static func load(contentsOf path: String) throws -> AccessPolicy {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw HubError(code: .invalidConfiguration, message: "\(path): cannot read: \(error.localizedDescription)")
        }
        return try parse(yaml: text, file: path)
    }

    /// Parses YAML policy text. A file without `defaults` keeps ``leastPrivilege``'s:
    ///
    /// ```yaml
    /// defaults:                      # every agency
    ///   publish:   { allow: ["referral/to/", "status/*/%a/"] }
    ///   subscribe: { allow: ["referral/to/%a/", "status/%a/"] }
    /// roles:
    ///   coordinator:
    ///     subscribe: { allow: [""] }
    /// agencies:
    ///   commune-agadir: { roles: [coordinator] }
    ///   health-delegation-agadir:
    ///     subscribe: { allow: ["referral/open/health/"], deny: ["referral/open/health/commune-x"] }
    /// ```
    public static func parse(yaml: String, file: String) throws -> AccessPolicy {
        func fail(_ message: String) -> HubError {
            HubError(code: .invalidConfiguration, message: "\(file): \(message)")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw fail("not valid YAML: \(error)")
        }
        // Without a `defaults` key a file builds on the least-privilege defaults; `defaults: {}` removes them.
        var policy = AccessPolicy(defaults: AccessPolicy.leastPrivilege.defaults)
        guard let root else { return policy }
        guard let mapping = root.mapping else { throw fail("expected a mapping with defaults, roles and agencies") }

        func entries(_ node: Node, at path: String) throws -> [String] {
            guard let sequence = node.sequence else { throw fail("\(path): expected a list of topic prefixes") }
            return try sequence.map { item in
                guard item.scalar != nil, let text = item.string else { throw fail("\(path): entries must be strings") }
                try check(text, at: path)
                return text
            }
        }
        func check(_ entry: String, at path: String) throws {
            let sample = entry.replacingOccurrences(of: "%a", with: "agency")
            guard sample.utf8.count <= 255, TopicPattern(sample) != nil else {
                throw fail("\(path): '\(entry)' is not a topic prefix (segments joined by '/', none empty)")
            }
            let body = sample.hasSuffix("/") ? String(sample.dropLast()) : sample
            for segment in body.split(separator: "/") where segment != "*" {
                guard segment.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }) else {
                    throw fail("\(path): '\(entry)' has a segment that is not an identifier, '*' or '%a'")
                }
            }
        }
        func permissions(_ node: Node, at path: String) throws -> Permissions {
            guard let mapping = node.mapping else { throw fail("\(path): expected allow and deny lists") }
            var permissions = Permissions()
            for (key, value) in mapping {
                switch key.string {
                case "allow": permissions.allow = try entries(value, at: "\(path).allow")
                case "deny": permissions.deny = try entries(value, at: "\(path).deny")
                default: throw fail("\(path): unknown key '\(key.string ?? "?")'; expected allow, deny")
                }
            }
            return permissions
        }
        func rule(_ node: Node, at path: String, allowing extra: Set<String> = []) throws -> Rule {
            guard let mapping = node.mapping else { throw fail("\(path): expected publish and subscribe") }
            var rule = Rule()
            for (key, value) in mapping {
                switch key.string {
                case "publish": rule.publish = try permissions(value, at: "\(path).publish")
                case "subscribe": rule.subscribe = try permissions(value, at: "\(path).subscribe")
                case let name? where extra.contains(name): continue
                default:
                    let known = (["publish", "subscribe"] + extra.sorted()).joined(separator: ", ")
                    throw fail("\(path): unknown key '\(key.string ?? "?")'; expected \(known)")
                }
            }
            return rule
        }

        for (key, value) in mapping {
            switch key.string {
            case "defaults":
                policy.defaults = try rule(value, at: "defaults")
            case "roles":
                guard let roles = value.mapping else { throw fail("roles: expected a mapping of role names to rules") }
                for (name, body) in roles {
                    guard let name = name.string else { throw fail("roles: names must be strings") }
                    policy.roles[name] = try rule(body, at: "roles.\(name)")
                }
            case "agencies":
                guard let agencies = value.mapping else { throw fail("agencies: expected a mapping of agency ids to entries") }
                for (name, body) in agencies {
                    guard let agency = name.string else { throw fail("agencies: ids must be strings") }
                    let path = "agencies.\(agency)"
                    var entry = Agency(rule: try rule(body, at: path, allowing: ["roles"]))
                    if let roles = body.mapping?["roles"] {
                        entry.roles = try (roles.sequence ?? []).map { role in
                            guard let text = role.string else { throw fail("\(path).roles: role names must be strings") }
                            return text
                        }
                        if roles.sequence == nil { throw fail("\(path).roles: expected a list of role names") }
                    }
                    policy.agencies[agency] = entry
                }
            default:
                throw fail("unknown key '\(key.string ?? "?")'; expected defaults, roles, agencies")
            }
        }
        for (agency, entry) in policy.agencies {
            for role in entry.roles where policy.roles[role] == nil {
                throw fail("agencies.\(agency).roles: unknown role '\(role)'; roles are \(policy.roles.keys.sorted().joined(separator: ", "))")
            }
        }
        return policy
    }
}
