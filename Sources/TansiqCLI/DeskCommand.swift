import ArgumentParser
import Foundation
import TansiqAgent
import TansiqDesk
import TansiqMessages

/// `tansiq desk`: an agent's desk, managed while its agent is stopped.
struct DeskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "desk",
        abstract: "Manage an agent's desk (its workers' accounts live in the agent's state file).",
        subcommands: [DeskUsersCommand.self]
    )
}

/// `tansiq desk users add|list|remove`.
struct DeskUsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "Add, list and remove the desk's workers (run while the agent is stopped: it holds its state file).",
        subcommands: [DeskUsersAddCommand.self, DeskUsersListCommand.self, DeskUsersRemoveCommand.self]
    )
}

/// Opens the agent's state file for the desk's accounts.
struct DeskStateOptions: ParsableArguments {
    @Option(help: "The agent's state file (its --state); created if it does not exist yet.")
    var state: String

    @OptionGroup var masterKey: MasterKeyOptions

    func open() throws -> AgentStore {
        do {
            return try AgentStore(path: state, masterKey: try masterKey.load())
        } catch let error as AgentStoreError {
            printError("error: \(error.message)")
            throw ExitCode(error.code == .inUse ? 75 : 1)
        }
    }
}

struct DeskUsersAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a worker; the password is read from standard input (one line).",
        discussion: """
            The worker id is a role id such as caseworker-3, never a name: it is what the network sees. \
            The password (at least \(DeskPasswords.minimumLength) characters) is kept only as a bcrypt hash.
            Example: printf '%s\\n' "$PASSWORD" | tansiq desk users add --state health.sqlite caseworker-3 --role caseworker
            """
    )

    @OptionGroup var store: DeskStateOptions

    @Argument(help: "The worker's role id (caseworker-3).")
    var worker: String

    @Option(help: "caseworker, supervisor or viewer (reads only).")
    var role: String

    func validate() throws {
        guard DeskAccount.Role(rawValue: role) != nil else { throw ValidationError("--role must be caseworker, supervisor or viewer") }
        do {
            try PrivacyRules.standard.checkWorkerID(worker)
        } catch {
            throw ValidationError("the worker id must be a role id like caseworker-3, never a name (\(error.message))")
        }
    }

    func run() async throws {
        guard let password = readLine(strippingNewline: true), !password.isEmpty else {
            printError("error: give the password on standard input (one line)")
            throw ExitCode(64)
        }
        do {
            try DeskPasswords.validate(worker: worker, password: password)
        } catch {
            printError("error: \(error.message)")
            throw ExitCode(64)
        }
        let store = try store.open()
        let hash = await DeskPasswords.hash(password)
        do {
            try store.addAccount(DeskAccount(worker: worker, role: DeskAccount.Role(rawValue: role)!, passwordHash: hash, createdAt: Date()))
        } catch {
            printError("error: \(error.message)")
            throw ExitCode(1)
        }
        printLine("added \(worker) (\(role))")
    }
}

struct DeskUsersListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the desk's workers and their roles.")

    @OptionGroup var store: DeskStateOptions

    func run() throws {
        let accounts = try store.open().accounts()
        if accounts.isEmpty { printLine("no workers") }
        let formatter = ISO8601DateFormatter()
        for account in accounts {
            printLine("\(account.worker)\t\(account.role.rawValue)\tadded \(formatter.string(from: account.createdAt))")
        }
    }
}

struct DeskUsersRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a worker (their sessions end when the agent restarts).")

    @OptionGroup var store: DeskStateOptions

    @Argument(help: "The worker's role id.")
    var worker: String

    func run() throws {
        guard try store.open().removeAccount(worker) else {
            printError("error: the desk has no such worker")
            throw ExitCode(1)
        }
        printLine("removed \(worker)")
    }
}
