import ArgumentParser
import Foundation
import TansiqAgent
import TansiqMessages
import TansiqVault

/// `tansiq state`: an agent's state file, while its agent is stopped.
struct StateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state",
        abstract: "Work on an agent's state file (the agent must be stopped: it holds the file while it runs).",
        subcommands: [StateForgetCommand.self]
    )
}

/// `tansiq state forget STATE`: an agency forgets a closed case.
struct StateForgetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forget",
        abstract: "Forget a case (or one referral) in an agent's state file: its data keys are destroyed and its rows deleted.",
        discussion: """
            The referral ids stay in the list of referrals already processed, so that a replay from \
            the hub does not bring them back. By --case-reference the file's referrals are opened \
            (with its master key) to find the case's.

            Example:
              tansiq state forget iom-state.sqlite --case-reference AGA-2026-0042 --master-key-file master.key
            """
    )

    @Argument(help: "The agent's state file (SQLite).")
    var path: String

    @Option(help: "The referral id (a UUID).")
    var referral: String?

    @Option(help: "The case reference of the referrals to forget.")
    var caseReference: String?

    @OptionGroup var masterKey: MasterKeyOptions

    func validate() throws {
        guard (referral == nil) != (caseReference == nil) else { throw ValidationError("give --referral or --case-reference") }
        if let referral, UUID(uuidString: referral) == nil { throw ValidationError("--referral takes a referral id (a UUID)") }
    }

    func run() throws {
        guard FileManager.default.fileExists(atPath: path) else {
            printError("error: no agent state at \(path)")
            throw ExitCode(66)
        }
        do {
            let store = try AgentStore(path: path, masterKey: try masterKey.load())
            var ids = referral.flatMap(UUID.init(uuidString:)).map { [$0] } ?? []
            if let caseReference {
                ids = try store.contents().referrals.filter { $0.referral.caseReference == caseReference }.map(\.referral.referralId)
                guard !ids.isEmpty else {
                    printError("no referral of the case given in \(path)")
                    throw ExitCode(1)
                }
            }
            try store.forget(referrals: ids)
            printLine("forgot \(ids.count) referrals in \(path)")
        } catch let error as AgentStoreError {
            printError("error: \(error.message)")
            throw ExitCode(1)
        }
    }
}
