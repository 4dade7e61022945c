import Foundation
import TansiqMessages
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
        // Every mistake is reported with its line, as `tansiq topology validate` does.
        var problems: [(line: Int, text: String)] = []
        func report(_ node: Node, _ message: String) {
            problems.append((node.mark?.line ?? 0, "\(file)\(node.mark.map { ":\($0.line)" } ?? ""): \(message)"))
        }

        func entries(_ node: Node, at path: String) -> [String] {
            guard let sequence = node.sequence else {
                report(node, "\(path): expected a list of topic prefixes")
                return []
            }
            return sequence.compactMap { item in
                guard item.scalar != nil, let text = item.string else {
                    report(item, "\(path): entries must be strings")
                    return nil
                }
                return check(text, at: path, node: item) ? text : nil
            }
        }
        func check(_ entry: String, at path: String, node: Node) -> Bool {
            let sample = entry.replacingOccurrences(of: "%a", with: "agency")
            guard sample.utf8.count <= 255, TopicPattern(sample) != nil else {
                report(node, "\(path): '\(entry)' is not a topic prefix (segments joined by '/', none empty)")
                return false
            }
            let body = sample.hasSuffix("/") ? String(sample.dropLast()) : sample
            for segment in body.split(separator: "/") where segment != "*" {
                guard segment.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }) else {
                    report(node, "\(path): '\(entry)' has a segment that is not an identifier, '*' or '%a'")
                    return false
                }
            }
            return true
        }
        func permissions(_ node: Node, at path: String) -> Permissions {
            var permissions = Permissions()
            guard let mapping = node.mapping else {
                report(node, "\(path): expected allow and deny lists")
                return permissions
            }
            for (key, value) in mapping {
                switch key.string {
                case "allow": permissions.allow = entries(value, at: "\(path).allow")
                case "deny": permissions.deny = entries(value, at: "\(path).deny")
                default: report(key, "\(path): unknown key '\(key.string ?? "?")'; expected allow, deny")
                }
            }
            return permissions
        }
        func rule(_ node: Node, at path: String, allowing extra: Set<String> = []) -> Rule {
            var rule = Rule()
            guard let mapping = node.mapping else {
                report(node, "\(path): expected publish and subscribe")
                return rule
            }
            for (key, value) in mapping {
                switch key.string {
                case "publish": rule.publish = permissions(value, at: "\(path).publish")
                case "subscribe": rule.subscribe = permissions(value, at: "\(path).subscribe")
                case let name? where extra.contains(name): continue
                default:
                    let known = (["publish", "subscribe"] + extra.sorted()).joined(separator: ", ")
                    report(key, "\(path): unknown key '\(key.string ?? "?")'; expected \(known)")
                }
            }
            return rule
        }

        var roleNodes: [(agency: String, role: String, node: Node)] = []
        for (key, value) in mapping {
            switch key.string {
            case "defaults":
                policy.defaults = rule(value, at: "defaults")
            case "roles":
                guard let roles = value.mapping else {
                    report(value, "roles: expected a mapping of role names to rules")
                    continue
                }
                for (name, body) in roles {
                    guard let name = name.string else {
                        report(body, "roles: names must be strings")
                        continue
                    }
                    policy.roles[name] = rule(body, at: "roles.\(name)")
                }
            case "agencies":
                guard let agencies = value.mapping else {
                    report(value, "agencies: expected a mapping of agency ids to entries")
                    continue
                }
                for (name, body) in agencies {
                    guard let agency = name.string else {
                        report(name, "agencies: ids must be strings")
                        continue
                    }
                    let path = "agencies.\(agency)"
                    if !Identifier.isValid(agency) {
                        report(name, "\(path): '\(agency)' is not an agency id (a–z, 0–9 and '-', 1–63 characters)")
                    }
                    var entry = Agency(rule: rule(body, at: path, allowing: ["roles"]))
                    if let roles = body.mapping?["roles"] {
                        if let sequence = roles.sequence {
                            entry.roles = sequence.compactMap { role in
                                guard let text = role.string, role.scalar != nil else {
                                    report(role, "\(path).roles: role names must be strings")
                                    return nil
                                }
                                roleNodes.append((agency, text, role))
                                return text
                            }
                        } else {
                            report(roles, "\(path).roles: expected a list of role names")
                        }
                    }
                    policy.agencies[agency] = entry
                }
            default:
                report(key, "unknown key '\(key.string ?? "?")'; expected defaults, roles, agencies")
            }
        }
        for (agency, role, node) in roleNodes where policy.roles[role] == nil {
            report(node, "agencies.\(agency).roles: unknown role '\(role)'; \(policy.roles.isEmpty ? "the file defines no roles" : "roles are " + policy.roles.keys.sorted().joined(separator: ", "))")
        }
        guard problems.isEmpty else {
            let lines = problems.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }.map(\.element.text)
            throw HubError(code: .invalidConfiguration, message: lines.joined(separator: "\n"))
        }
        return policy
    }
}
