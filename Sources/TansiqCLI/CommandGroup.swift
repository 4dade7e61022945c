import ArgumentParser

/// A command that only groups subcommands: without one it is wrong usage (exit 64, with the
/// usage), not a success.
protocol CommandGroup {}

extension CommandGroup where Self: ParsableCommand {
    /// The error to throw from `run()`.
    static var missingSubcommand: ValidationError {
        let names = configuration.subcommands.map { $0._commandName }
        return ValidationError(
            "`tansiq \(_commandName)` needs a subcommand: \(names.joined(separator: ", ")) (see `tansiq \(_commandName) --help`)")
    }
}

extension KeysCommand: CommandGroup {
    func run() throws { throw Self.missingSubcommand }
}

extension JournalCommand: CommandGroup {
    func run() throws { throw Self.missingSubcommand }
}

extension TopologyCommand: CommandGroup {
    func run() throws { throw Self.missingSubcommand }
}

extension SimCommand: CommandGroup {
    func run() async throws { throw Self.missingSubcommand }
}

extension PublishCommand: CommandGroup {
    func run() async throws { throw Self.missingSubcommand }
}

extension StateCommand: CommandGroup {
    func run() throws { throw Self.missingSubcommand }
}

extension ReferralsCommand: CommandGroup {
    func run() throws { throw Self.missingSubcommand }
}
