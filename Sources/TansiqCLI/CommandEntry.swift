import ArgumentParser

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
}
