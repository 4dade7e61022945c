import TansiqCLI

await CommandEntry.runAgent(CommuneAgentCommand.self)
