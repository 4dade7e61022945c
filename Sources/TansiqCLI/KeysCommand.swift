import TansiqMessages
import ArgumentParser
import Foundation
import TansiqHub
import ZeroMQ

/// `tansiq keys`: issue and inspect CURVE key pairs for agencies and hubs.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Issue and inspect CURVE key pairs (agencies and hubs).",
        discussion: """
            Each pair is two files in the ZeroMQ certificate format (CZMQ zcert, read by pyzmq's \
            zmq.auth.load_certificate too): NAME.key, the public certificate, to hand to the hub's \
            operator (agencies) or to every agency (the hub); and NAME.secret, mode 0600, which \
            never leaves its owner. Admit an agency by copying its .key into the hub's \
            --agency-keys directory; revoke it by removing that file (the hub reloads on SIGHUP \
            and when the directory changes). See docs/security.md.
            """,
        subcommands: [KeysInitCommand.self, KeysGenerateCommand.self, KeysListCommand.self]
    )
}

/// `tansiq keys init DIR --agency A …`: the layout every doc uses.
struct KeysInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create (or add to) a key directory laid out as the docs use it.",
        discussion: """
            DIR/hub.secret and DIR/hub.key are the hub's pair (made once, kept afterwards); each \
            --agency gets DIR/AGENCY.secret (hand it to that agency only) and DIR/agencies/AGENCY.key, \
            its public certificate in the directory the hub admits (--agency-keys DIR/agencies). \
            The hub's own key is never put in DIR/agencies. Run it again with more --agency to add \
            agencies; existing pairs are kept. --force makes new pairs for the --agency given \
            (a rotation), --new-hub-key a new pair for the hub (every agency then needs the new hub.key).

            Example: tansiq keys init keys --agency commune-agadir --agency iom-morocco --agency health-delegation-agadir
            """
    )

    @Argument(help: "The key directory (default keys).")
    var directory = "keys"

    @Option(name: .customLong("agency"), help: "An agency to make a pair for (repeat the option).")
    var agencies: [String] = []

    @Flag(help: "Replace the pairs of the agencies given.")
    var force = false

    @Flag(help: "Replace the hub's pair.")
    var newHubKey = false

    func validate() throws {
        for agency in agencies where !Identifier.isValid(agency) {
            throw ValidationError("'\(agency)' is not an agency id: use a–z, 0–9 and '-', 1–63 characters")
        }
        if agencies.contains("hub") { throw ValidationError("'hub' names the hub's own pair; choose another agency id") }
    }

    func run() throws {
        let files = FileManager.default
        let admitted = (directory as NSString).appendingPathComponent("agencies")
        try files.createDirectory(atPath: admitted, withIntermediateDirectories: true)
        func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        func write(_ metadata: [String: String], secret: String, public publicPath: String, role: String, replace force: Bool) throws {
            if !force, files.fileExists(atPath: secret) {
                printLine("\(secret)\tkept (\(role))")
                return
            }
            let certificate = CurveCertificate(keyPair: try CurveKeyPair.generate(), metadata: metadata)
            do {
                try certificate.publicCertificate.write(to: publicPath, overwrite: force)
                try certificate.write(to: secret, overwrite: force)
            } catch {
                throw ValidationError(error.message + (force ? "" : " (use --force to replace it)"))
            }
            printLine("\(secret)\tnew (\(role)), fingerprint \(certificate.fingerprint)")
        }
        try write(["hub": "hub"], secret: path("hub.secret"), public: path("hub.key"), role: "the hub's secret: stays on the hub's machine", replace: newHubKey)
        for agency in agencies {
            try write(
                ["agency": agency], secret: path("\(agency).secret"),
                public: (admitted as NSString).appendingPathComponent("\(agency).key"),
                role: "\(agency)'s secret: hand it to \(agency) only", replace: force)
        }
        printLine("\(path("hub.key"))\tthe hub's public key: give it to every agency (--hub-key)")
        printLine("\(admitted)\tthe admitted agencies: the hub's --agency-keys")
    }
}

/// `tansiq keys generate NAME`.
struct KeysGenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a new key pair: NAME.key (public) and NAME.secret (mode 0600).",
        discussion: "One pair, both files in --directory; `tansiq keys init` makes the layout the docs use (DIR/AGENCY.secret, DIR/agencies/AGENCY.key, DIR/hub.secret, DIR/hub.key). Example: tansiq keys generate iom-morocco --directory keys"
    )

    @Argument(help: "The agency (or hub) id the pair is for.")
    var name: String

    @Option(help: "Where to write the two files.")
    var directory = "."

    @Flag(help: "Replace existing files of that name.")
    var force = false

    func validate() throws {
        guard Identifier.isValid(name) else {
            throw ValidationError("'\(name)' is not an identifier: use a–z, 0–9 and '-', 1–63 characters")
        }
    }

    func run() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let pair = try CurveKeyPair.generate()
        let certificate = CurveCertificate(keyPair: pair, metadata: ["agency": name])
        let base = (directory as NSString).appendingPathComponent(name)
        do {
            try certificate.publicCertificate.write(to: base + ".key", overwrite: force)
            try certificate.write(to: base + ".secret", overwrite: force)
        } catch {
            throw ValidationError(error.message + (force ? "" : " (use --force to replace it)"))
        }
        printLine("\(base).key\t(public: give it to the hub's operator, or to the agencies if this is the hub)")
        printLine("\(base).secret\t(secret, mode 0600: keep it on this machine)")
        printLine("fingerprint \(certificate.fingerprint)")
    }
}

/// `tansiq keys list DIR`.
struct KeysListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the certificates of a directory: agency, key fingerprint, file.",
        discussion: "Example: tansiq keys list keys/agencies"
    )

    @Argument(help: "A directory of .key (and .secret) certificates.")
    var directory: String

    func run() throws {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        } catch {
            throw ValidationError("\(directory): cannot list: \(error.localizedDescription)")
        }
        var problems = 0
        for name in names where name.hasSuffix(".key") || name.hasSuffix(".secret") {
            let path = (directory as NSString).appendingPathComponent(name)
            do {
                let certificate = try CurveCertificate.load(contentsOf: path)
                let agency = certificate.metadata["agency"] ?? "-"
                let kind = certificate.secretKey == nil ? "public" : "SECRET"
                printLine("\(agency)\t\(certificate.fingerprint)\t\(kind)\t\(name)")
            } catch {
                problems += 1
                printError("\(path): \(error.message)")
            }
        }
        if problems > 0 { throw ExitCode(1) }
    }
}
