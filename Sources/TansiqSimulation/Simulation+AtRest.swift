import Foundation
import TansiqHub
import TansiqVault

extension Simulation {
    /// Files a run keeps: the hub's journal and every agent's state file in one directory,
    /// sealed with a master key when one is given, as a deployment keeps them.
    public struct AtRest: Sendable {
        /// Holds `journal.sqlite` and `agents/<agent>.sqlite`; made 0700 if missing.
        public var directory: String
        /// The master key file (0600) that seals the journal's bodies and the agents' referral content.
        public var masterKeyFile: String?

        /// Files in `directory`, sealed with the key in `masterKeyFile` when given.
        public init(directory: String, masterKeyFile: String? = nil) {
            self.directory = directory
            self.masterKeyFile = masterKeyFile
        }

        /// The hub's journal.
        public var journalPath: String { directory + "/journal.sqlite" }

        /// An agent's state file.
        public func statePath(agent: String) -> String { directory + "/agents/\(agent).sqlite" }

        func masterKey() throws -> MasterKey? {
            try masterKeyFile.map { try MasterKey(contentsOf: $0) }
        }

        func journal() throws -> JournalConfiguration {
            JournalConfiguration(path: journalPath, durability: .normal, masterKey: try masterKey())
        }
    }
}
