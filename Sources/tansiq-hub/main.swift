import TansiqCLI

await CommandEntry.run(HubCommand.self)
