import TansiqCLI

await CommandEntry.runAgent(ServicesAgentCommand.self)
