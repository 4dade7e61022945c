import TansiqCLI

await CommandEntry.runAgent(IOMAgentCommand.self)
