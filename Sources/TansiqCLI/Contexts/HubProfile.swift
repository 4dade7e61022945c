import TansiqMessages
import Foundation

/// Where a client of a hub (`sub`, `stats`, `pub`, the agents) finds the hub and the agency's
/// keys, setting by setting. The first of these that has a setting gives it:
///
/// 1. the setting's own flag: `--ingress`, `--egress`, `--replay`, `--publish`, `--secret-key`, `--hub-key`;
/// 2. `--hub`: a host (tcp://HOST:5560, 5561, 5562, 5563) or the name of a context, whose settings count here;
/// 3. the environment: `TANSIQ_SECRET_KEY`, `TANSIQ_HUB_KEY`, then `TANSIQ_HUB` (a host or a context's name);
/// 4. the context named by `TANSIQ_CONTEXT`, else the one `tansiq context select` chose;
/// 5. the defaults: the loopback, no keys (an insecure hub).
///
/// One context at most is in effect: the first one named by `--hub`, `TANSIQ_HUB`,
/// `TANSIQ_CONTEXT` or the selection.
struct HubProfile: Sendable {
    static let hostVariable = "TANSIQ_HUB"
    static let secretKeyVariable = "TANSIQ_SECRET_KEY"
    static let hubKeyVariable = "TANSIQ_HUB_KEY"
    static let contextVariable = "TANSIQ_CONTEXT"

    /// A resolved value and where it came from (`--hub`, `$TANSIQ_HUB`, `context agadir`, `default`).
    struct Setting: Sendable, Equatable {
        var value: String
        var origin: String
    }

    /// The context in effect, if any.
    var context: String?
    var ingress: Setting
    var egress: Setting
    var replay: Setting
    var publish: Setting
    var secretKey: Setting?
    var hubKey: Setting?

    /// The loopback defaults, when nothing else is known.
    static let fallback = HubProfile(layers: [])

    /// The flags of a command that bear on the hub.
    struct Flags: Sendable {
        var hub: String?
        var secretKey: String?
        var hubKey: String?
    }

    private struct Layer {
        var origin: String
        var settings: HubContext
    }

    /// Resolves `flags` over the environment and the contexts of `store`. Throws when `--hub` or
    /// `TANSIQ_HUB` is neither a context nor a host, or a named context does not exist.
    static func resolve(
        _ flags: Flags, environment: [String: String] = ProcessInfo.processInfo.environment, store: HubContextStore? = nil
    ) throws(HubContextError) -> HubProfile {
        let store = store ?? HubContextStore(environment: environment)
        func variable(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        var layers: [Layer] = []
        var context: String?
        func hubLayer(_ value: String, origin: String) throws(HubContextError) -> Layer? {
            if Identifier.isValid(value), let settings = try store.load(value) {
                guard context == nil else { return nil }
                context = value
                return Layer(origin: "context \(value) (\(origin))", settings: settings)
            }
            guard isHost(value) else {
                throw HubContextError(
                    "\(origin) '\(value)' is neither a context (`tansiq context list` shows \(store.names().isEmpty ? "none" : store.names().joined(separator: ", "))) nor a host name")
            }
            return Layer(origin: origin, settings: HubContext(hub: value))
        }
        if let secret = flags.secretKey { layers.append(Layer(origin: "--secret-key", settings: HubContext(secretKey: secret))) }
        if let key = flags.hubKey { layers.append(Layer(origin: "--hub-key", settings: HubContext(hubKey: key))) }
        if let hub = flags.hub, let layer = try hubLayer(hub, origin: "--hub") { layers.append(layer) }
        if let secret = variable(secretKeyVariable) { layers.append(Layer(origin: "$\(secretKeyVariable)", settings: HubContext(secretKey: secret))) }
        if let key = variable(hubKeyVariable) { layers.append(Layer(origin: "$\(hubKeyVariable)", settings: HubContext(hubKey: key))) }
        if let hub = variable(hostVariable), let layer = try hubLayer(hub, origin: "$\(hostVariable)") { layers.append(layer) }
        if context == nil {
            let named = variable(contextVariable).map { ($0, "$\(contextVariable)") } ?? store.selected.map { ($0, "selected") }
            if let (name, origin) = named {
                guard Identifier.isValid(name), let settings = try store.load(name) else {
                    throw HubContextError(origin == "selected"
                        ? "the selected context '\(name)' does not exist (\(store.file(of: name))); choose another with `tansiq context select NAME` or none with `tansiq context select --none`"
                        : "$\(contextVariable) names the context '\(name)', which does not exist; `tansiq context list` shows the contexts")
                }
                context = name
                layers.append(Layer(origin: "context \(name) (\(origin))", settings: settings))
            }
        }
        var profile = HubProfile(layers: layers)
        profile.context = context
        return profile
    }

    private init(layers: [Layer]) {
        func endpoint(_ path: KeyPath<HubContext, String?>, port: Int) -> Setting {
            for layer in layers {
                if let endpoint = layer.settings[keyPath: path] { return Setting(value: endpoint, origin: layer.origin) }
                if let host = layer.settings.hub { return Setting(value: "tcp://\(host):\(port)", origin: layer.origin) }
            }
            return Setting(value: "tcp://127.0.0.1:\(port)", origin: "default")
        }
        func file(_ path: KeyPath<HubContext, String?>) -> Setting? {
            layers.lazy.compactMap { layer in layer.settings[keyPath: path].map { Setting(value: $0, origin: layer.origin) } }.first
        }
        ingress = endpoint(\.ingress, port: 5560)
        egress = endpoint(\.egress, port: 5561)
        replay = endpoint(\.replay, port: 5562)
        publish = endpoint(\.publish, port: 5563)
        secretKey = file(\.secretKey)
        hubKey = file(\.hubKey)
    }

    /// A host name, an IPv4 address, or an IPv6 address in brackets: what goes between
    /// `tcp://` and `:PORT`.
    static func isHost(_ text: String) -> Bool {
        guard (1...253).contains(text.utf8.count) else { return false }
        if text.hasPrefix("["), text.hasSuffix("]") {
            return text.dropFirst().dropLast().allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
        }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }
            && !text.hasPrefix("-") && !text.hasPrefix(".")
    }
}
