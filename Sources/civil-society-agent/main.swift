import TansiqCLI

await CommandEntry.runAgent(CivilSocietyAgentCommand.self)
