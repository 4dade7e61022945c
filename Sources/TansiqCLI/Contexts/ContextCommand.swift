import TansiqMessages
import ArgumentParser
import Foundation
import TansiqAgent
import ZeroMQ

/// `tansiq context`: named client settings (hub, endpoints, key files), as `nats context` keeps them.
struct ContextCommand: ParsableCommand, CommandGroup {
    static let configuration = CommandConfiguration(
        commandName: "context",
        abstract: "Named settings for the clients of a hub: its host or endpoints and the agency's key files.",
        discussion: """
            A context saves the flags a client would otherwise repeat. `tansiq sub`, `stats`, `pub` and \
            the agents use the context named by --hub NAME, else by $TANSIQ_HUB or $TANSIQ_CONTEXT, \
            else the one `tansiq context select` chose. A flag wins over the environment, which wins \
            over the context, which wins over the defaults (127.0.0.1, no keys). Contexts are JSON \
            files (mode 0600) in $XDG_CONFIG_HOME/tansiq/contexts, else ~/.config/tansiq/contexts.

            Example:
              tansiq context add agadir --hub hub.agadir.example --secret-key keys/iom-morocco.secret --hub-key keys/hub.key --select
              tansiq stats
            """,
        subcommands: [ContextAddCommand.self, ContextSelectCommand.self, ContextListCommand.self, ContextShowCommand.self, ContextRemoveCommand.self]
    )

    func run() throws { throw Self.missingSubcommand }

    static func checkName(_ name: String) throws {
        guard Identifier.isValid(name) else {
            throw ValidationError("'\(name)' is not a context name: use a–z, 0–9 and '-', 1–63 characters")
        }
    }

    static func fail(_ error: HubContextError) -> ValidationError { ValidationError(error.description) }
}

/// `tansiq context add NAME --hub HOST …`.
struct ContextAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Save a context (replacing one of that name with --force).",
        discussion: "Key files are checked (a secret certificate and the hub's public one) and saved as absolute paths."
    )

    @Argument(help: "The context's name.")
    var name: String

    @Option(help: "The hub's host: endpoints tcp://HOST:5560 (ingress), 5561 (egress), 5562 (replay), 5563 (publish).")
    var hub: String?

    @Option(help: "The ingress, when not port 5560 of --hub.")
    var ingress: String?
    @Option(help: "The egress, when not port 5561 of --hub.")
    var egress: String?
    @Option(help: "The replay endpoint, when not port 5562 of --hub.")
    var replay: String?
    @Option(help: "The confirmed publish endpoint, when not port 5563 of --hub.")
    var publish: String?

    @Option(help: "This agency's secret certificate (keys/AGENCY.secret); needs --hub-key.")
    var secretKey: String?

    @Option(help: "The hub's public certificate (keys/hub.key); needs --secret-key.")
    var hubKey: String?

    @Option(help: "A line saying what the context is for.")
    var description: String?

    @Flag(help: "Select it too (`tansiq context select NAME`).")
    var select = false

    @Flag(help: "Replace a context of that name.")
    var force = false

    func validate() throws {
        try ContextCommand.checkName(name)
        if let hub, !HubProfile.isHost(hub) { throw ValidationError("--hub '\(hub)' is not a host name or address (e.g. hub.agadir.example, 10.0.0.5)") }
        if hub == nil, ingress == nil, egress == nil, publish == nil, secretKey == nil {
            throw ValidationError("a context needs --hub (or endpoints) or key files")
        }
        for (flag, endpoint) in [("--ingress", ingress), ("--egress", egress), ("--replay", replay), ("--publish", publish)] {
            if let endpoint, !(endpoint.hasPrefix("tcp://") || endpoint.hasPrefix("ipc://")) {
                throw ValidationError("\(flag) '\(endpoint)' is not an endpoint (tcp://HOST:PORT or ipc://PATH)")
            }
        }
        if (secretKey == nil) != (hubKey == nil) { throw ValidationError("give both --secret-key and --hub-key, or neither") }
    }

    func run() throws {
        let store = HubContextStore()
        if !force, (try? store.load(name)) != nil {
            throw ValidationError("a context '\(name)' exists (\(store.file(of: name))); give --force to replace it")
        }
        func absolute(_ path: String?) -> String? {
            path.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        }
        let context = HubContext(
            hub: hub, ingress: ingress, egress: egress, replay: replay, publish: publish,
            secretKey: absolute(secretKey), hubKey: absolute(hubKey), description: description)
        if let secret = context.secretKey, let hubKey = context.hubKey {
            do {
                _ = try HubClientKeys.load(secretKeyFile: secret, hubKeyFile: hubKey)
            } catch let error as CurveCertificateError {
                throw ValidationError(error.message)
            }
        }
        do {
            try store.save(context, as: name)
            if select { try store.select(name) }
        } catch { throw ContextCommand.fail(error) }
        printLine("\(store.file(of: name))\tsaved\(select ? ", selected" : "")")
    }
}

/// `tansiq context select NAME` (or `--none`).
struct ContextSelectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "select",
        abstract: "Choose the context the clients use when --hub, $TANSIQ_HUB and $TANSIQ_CONTEXT name none."
    )

    @Argument(help: "The context's name.")
    var name: String?

    @Flag(help: "Select no context: the defaults apply.")
    var none = false

    func validate() throws {
        guard (name == nil) != !none else { throw ValidationError("give a context's name or --none") }
        if let name { try ContextCommand.checkName(name) }
    }

    func run() throws {
        let store = HubContextStore()
        do {
            if let name {
                guard try store.load(name) != nil else {
                    throw ValidationError("no context '\(name)'; `tansiq context list` shows \(store.names().isEmpty ? "none" : store.names().joined(separator: ", "))")
                }
            }
            try store.select(name)
        } catch let error as HubContextError { throw ContextCommand.fail(error) }
        printLine(name.map { "\($0) selected" } ?? "no context selected")
    }
}

/// `tansiq context list`.
struct ContextListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "The saved contexts: '*' marks the selected one; name, hub, keys, description."
    )

    func run() throws {
        let store = HubContextStore()
        let selected = store.selected
        for name in store.names() {
            let context: HubContext?
            do { context = try store.load(name) } catch {
                printError("\(error.description)")
                continue
            }
            guard let context else { continue }
            let hub = context.hub ?? context.egress ?? "-"
            let keys = context.secretKey.map { URL(fileURLWithPath: $0).lastPathComponent } ?? "no keys"
            printLine("\(name == selected ? "*" : " ") \(name)\t\(hub)\t\(keys)\(context.description.map { "\t\($0)" } ?? "")")
        }
    }
}

/// `tansiq context show [NAME]`.
struct ContextShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "A saved context, or (without NAME) what a client would use here and now, each setting with where it comes from."
    )

    @Argument(help: "A saved context (default: the settings in effect).")
    var name: String?

    @OptionGroup var keys: HubKeyOptions

    func run() throws {
        let store = HubContextStore()
        if let name {
            try ContextCommand.checkName(name)
            let stored: HubContext?
            do { stored = try store.load(name) } catch { throw ContextCommand.fail(error) }
            guard let stored else { throw ValidationError("no context '\(name)'") }
            printLine("context\t\(name)\(store.selected == name ? " (selected)" : "")\t\(store.file(of: name))")
            for (key, value) in [
                ("hub", stored.hub), ("ingress", stored.ingress), ("egress", stored.egress), ("replay", stored.replay),
                ("publish", stored.publish), ("secret-key", stored.secretKey), ("hub-key", stored.hubKey), ("description", stored.description),
            ] {
                if let value { printLine("\(key)\t\(value)") }
            }
            return
        }
        let profile: HubProfile
        do { profile = try keys.resolveProfile() } catch { throw ContextCommand.fail(error) }
        printLine("context\t\(profile.context ?? "none")")
        for (key, setting) in [
            ("ingress", profile.ingress), ("egress", profile.egress), ("replay", profile.replay), ("publish", profile.publish),
        ] {
            printLine("\(key)\t\(setting.value)\t(\(setting.origin))")
        }
        printLine("secret-key\t\(profile.secretKey.map { "\($0.value)\t(\($0.origin))" } ?? "none: an insecure hub")")
        printLine("hub-key\t\(profile.hubKey.map { "\($0.value)\t(\($0.origin))" } ?? "none")")
    }
}

/// `tansiq context remove NAME`.
struct ContextRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Delete a saved context (and unselect it).")

    @Argument(help: "The context's name.")
    var name: String

    func validate() throws { try ContextCommand.checkName(name) }

    func run() throws {
        let store = HubContextStore()
        do {
            guard try store.load(name) != nil else { throw ValidationError("no context '\(name)'") }
            try store.remove(name)
        } catch let error as HubContextError { throw ContextCommand.fail(error) }
        printLine("\(name) removed")
    }
}
