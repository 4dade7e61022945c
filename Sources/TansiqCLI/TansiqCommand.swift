import ArgumentParser
import TansiqAgent

/// `tansiq`: run a hub, watch and drive a referral network, simulate one.
public struct TansiqCommand: AsyncParsableCommand {
    /// The command's name, abstract and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "tansiq",
        abstract: "A message broker for multi-stakeholder referral networks.",
        discussion: """
            Agencies publish typed referral and status messages to a hub's ingress and subscribe \
            to topics on its egress. Start a hub with `tansiq hub`, watch it with `tansiq sub` and \
            `tansiq stats`, send a message with `tansiq pub`, inspect the hub's journal with `tansiq journal`. See docs/running.md.
            """,
        version: TansiqVersion.current,
        subcommands: [
            HubCommand.self, SubscribeCommand.self, PublishCommand.self, StatsCommand.self,
            BenchCommand.self, TopologyCommand.self, SimCommand.self, JournalCommand.self, ReferralsCommand.self, StateCommand.self,
            KeysCommand.self, DeskCommand.self, ContextCommand.self,
        ]
    )

    /// Creates the command (argument parsing does this).
    public init() {}
}
