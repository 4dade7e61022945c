import ArgumentParser
import TansiqAgent
import TansiqMessages

/// `iom-agent`: opens pseudonymous cases, refers each need, follows up (the hub escalates silence).
public struct IOMAgentCommand: AsyncParsableCommand {
    /// The command's name and help.
    public static let configuration = CommandConfiguration(
        commandName: "iom-agent",
        abstract: "IOM's agent: opens cases, refers them to providers and follows up (the hub escalates silence).",
        discussion: """
            Example: iom-agent --agency iom-morocco --route health=health-delegation-agadir --case health,legal --random-cases 5 --print-events
            """,
        version: TansiqVersion.current
    )

    @OptionGroup var agent: AgentOptions
    @OptionGroup var referrer: ReferrerOptions

    /// Creates the command (argument parsing does this).
    public init() {}

    /// Runs the agent.
    public func run() async throws {
        try await agent.run(agent.settings(role: .iom, provider: nil, referrer: referrer.policy(seed: agent.seed)))
    }
}

/// `commune-agent`: the coordinator, with the municipal social-assistance desk.
public struct CommuneAgentCommand: AsyncParsableCommand {
    /// The command's name and help.
    public static let configuration = CommandConfiguration(
        commandName: "commune-agent",
        abstract: "The Commune's agent: coordinates (the hub's view of every referral, every status and escalation), runs the municipal desk, refers in turn.",
        discussion: """
            The desk offers social-assistance unless --service says otherwise. Add --not-coordinator \
            for a neighbouring commune that only runs a desk and refers.
            Example: commune-agent --agency commune-agadir --service social-assistance:40 --print-events
            """,
        version: TansiqVersion.current
    )

    @OptionGroup var agent: AgentOptions
    @OptionGroup var provider: ProviderOptions
    @OptionGroup var referrer: ReferrerOptions

    @Flag(help: "Do not act as the coordinator.")
    var notCoordinator = false

    /// Creates the command (argument parsing does this).
    public init() {}

    /// Runs the agent.
    public func run() async throws {
        try await agent.run(agent.settings(
            role: .commune, coordinates: !notCoordinator, provider: provider.policy(defaultService: .socialAssistance),
            referrer: referrer.policy(seed: agent.seed)))
    }
}

/// `services-agent`: a deconcentrated state service (health, education, employment, social assistance).
public struct ServicesAgentCommand: AsyncParsableCommand {
    /// The command's name and help.
    public static let configuration = CommandConfiguration(
        commandName: "services-agent",
        abstract: "A state service's agent: acknowledges, accepts or rejects by capacity, carries referrals to completion, publishes availability.",
        discussion: "Example: services-agent --agency health-delegation-agadir --service health:20 --print-events",
        version: TansiqVersion.current
    )

    @OptionGroup var agent: AgentOptions
    @OptionGroup var provider: ProviderOptions

    /// Creates the command (argument parsing does this).
    public init() {}

    /// Checks that a service is given.
    public func validate() throws {
        if provider.service.isEmpty, !provider.noDesk, agent.launchSettings == nil {
            throw ValidationError("give the service offered with --service CATEGORY[:CAPACITY], e.g. --service health:20 (or --no-desk)")
        }
    }

    /// Runs the agent.
    public func run() async throws {
        try await agent.run(agent.settings(role: .service, provider: provider.policy(), referrer: nil))
    }
}

/// `civil-society-agent`: an association taking open referrals for what it offers.
public struct CivilSocietyAgentCommand: AsyncParsableCommand {
    /// The command's name and help.
    public static let configuration = CommandConfiguration(
        commandName: "civil-society-agent",
        abstract: "An association's agent: takes open referrals for what it offers, reports progress, publishes availability.",
        discussion: "Example: civil-society-agent --agency association-legal-aid --service legal:15 --print-events",
        version: TansiqVersion.current
    )

    @OptionGroup var agent: AgentOptions
    @OptionGroup var provider: ProviderOptions

    /// Creates the command (argument parsing does this).
    public init() {}

    /// Checks that a service is given.
    public func validate() throws {
        if provider.service.isEmpty, !provider.noDesk, agent.launchSettings == nil {
            throw ValidationError("give the services offered with --service CATEGORY[:CAPACITY], e.g. --service legal:15 (or --no-desk)")
        }
    }

    /// Runs the agent.
    public func run() async throws {
        try await agent.run(agent.settings(role: .civilSociety, provider: provider.policy(), referrer: nil))
    }
}
