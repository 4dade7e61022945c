import ArgumentParser
import Foundation

/// The executables' entry point. Called from top-level code, `AsyncParsableCommand.main()`
/// resolves to the synchronous overload, which refuses asynchronous commands; this parses and
/// runs them the asynchronous way.
public enum CommandEntry {
    /// Parses `arguments` (the process's own when nil) as `command` and runs what they name.
    public static func run<Command: AsyncParsableCommand>(_ command: Command.Type, arguments: [String]? = nil) async {
        do {
            var parsed = try await Command.asyncParseAsRoot(arguments)
            if var asynchronous = parsed as? AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try parsed.run()
            }
        } catch {
            Command.exit(withError: error)
        }
    }

    /// An agent executable: its `--config FILE` read first (every unknown key and malformed
    /// value reported with its line, exit 64), then the arguments parsed and run; an error about
    /// an option the file gave names the file, the line and the key.
    public static func runAgent<Command: AsyncParsableCommand>(_ command: Command.Type) async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let expansion: ConfigFileArguments.Expansion
        switch ConfigFileArguments.expand(arguments, knownOptions: optionNames(of: command)) {
        case .success(let expanded): expansion = expanded
        case .failure(let error):
            for line in error.description.split(separator: "\n") { printError("error: \(line)") }
            // The rest of the file and the flags may hold a mistake of their own: say it too.
            if let partial = error.partial {
                do {
                    _ = try Command.parseAsRoot(partial.arguments)
                } catch {
                    let message = Command.message(for: error)
                    if Command.exitCode(for: error) != .success, !message.isEmpty {
                        printError("error: \(ConfigFileArguments.locate(message, origins: partial.origins))")
                    }
                }
            }
            exit(64)
        }
        do {
            var parsed = try await Command.asyncParseAsRoot(expansion.arguments)
            if var asynchronous = parsed as? AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try parsed.run()
            }
        } catch {
            let code = Command.exitCode(for: error)
            guard !expansion.origins.isEmpty, code != .success else { Command.exit(withError: error) }
            let message = Command.message(for: error)
            let located = ConfigFileArguments.locate(message, origins: expansion.origins)
            guard located != message else { Command.exit(withError: error) }
            printError("error: \(located)")
            exit(code.rawValue)
        }
    }

    /// The long option names of `command`, as its help lists them.
    static func optionNames<Command: ParsableCommand>(of command: Command.Type) -> Set<String> {
        let help = Command.helpMessage(columns: 10_000)
        let names = help.matches(of: /--([a-z0-9][a-z0-9-]*)/).map { String($0.output.1) }
        return Set(names).subtracting(["help", "version", "config"])
    }
}
